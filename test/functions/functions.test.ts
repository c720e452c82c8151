/**
 * The custom functions, fed arrays shaped as Excel sends them (header row, numbers, text, null or
 * 0 for blanks, error values), checked against statsmodels' and lme4's fits of dietox
 * (test/fixtures/reference). They return Promises; the fits run in a worker (here its host behind
 * structured-cloned messages, test/worker/clonedWorker.ts).
 */
import { readFileSync } from "fs";
import { join } from "path";
import * as F from "../../src/functions/functions";
import { FUNCTIONS } from "../../src/functions/functions";
import { parseOptions } from "../../src/functions/arguments";
import { EXCEL_PAYLOAD_LIMIT, jsonBytes } from "../../src/functions/limits";
import { ModelRegistry } from "../../src/functions/models";
import { setModels } from "../../src/functions/run";
import { WorkerClient } from "../../src/worker/client";
import { SLICE_CELLS } from "../../src/worker/yield";
import { FIXTURES, reference } from "../helpers";
import { ClonedWorker } from "../worker/clonedWorker";

/** dietox.csv as Excel hands it over: header row, then numbers and text; NA cells as null (Excel on the web). */
function dietoxRows(): unknown[][] {
  const lines = readFileSync(join(FIXTURES, "data", "dietox.csv"), "utf8").trim().split(/\r?\n/);
  return lines.map((line, i) =>
    line.split(",").map((cell) => {
      const s = cell.replace(/^"|"$/g, "");
      if (i === 0) return s;
      if (s === "NA") return null;
      const x = Number(s);
      return cell.startsWith('"') || Number.isNaN(x) ? s : x;
    }),
  );
}

/** Excel calls the functions with whatever the cells hold: loose types, as at run time. */
type Loose = (...args: unknown[]) => Promise<unknown[][]>;
const [fit, coef, varcomp, stats, ranef, fitted, resid] = [F.fit, F.coef, F.varcomp, F.stats, F.ranef, F.fitted, F.resid] as unknown as Loose[];

const DATA = dietoxRows();
const copy = () => DATA.map((r) => [...r]);
const RI = reference("dietox_ri_reml", "statsmodels");
const RI_ML = reference("dietox_ri_ml", "statsmodels");
const RS = reference("dietox_rs_reml", "lme4");

/** The cell to the right of the first cell equal to label. */
function valueAfter(table: unknown[][], label: string, offset = 1): unknown {
  for (const row of table) {
    const j = row.indexOf(label);
    if (j >= 0) return row[j + offset];
  }
  throw new Error(`${label} not found`);
}

function near(actual: unknown, expected: number, rel = 1e-6): void {
  expect(typeof actual).toBe("number");
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

class FakeExcelError {
  constructor(readonly code: string, readonly message?: string) {}
}

let worker: ClonedWorker;
let registry: ModelRegistry;

beforeAll(() => {
  (globalThis as Record<string, unknown>).CustomFunctions = { Error: FakeExcelError, ErrorCode: { invalidValue: "#VALUE!" } };
});
afterAll(() => {
  delete (globalThis as Record<string, unknown>).CustomFunctions;
  setModels(undefined);
});
beforeEach(() => {
  worker = new ClonedWorker();
  registry = new ModelRegistry(new WorkerClient(() => worker));
  setModels(registry);
});

async function excelMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FakeExcelError);
    expect((e as FakeExcelError).code).toBe("#VALUE!");
    return (e as FakeExcelError).message ?? "";
  }
  throw new Error("expected an error");
}

describe("MIXEDLM.FIT and its companions on dietox (Weight ~ Time, groups Pig, REML)", () => {
  test("FIT spills the statsmodels summary with the reference numbers", async () => {
    const t = await fit(copy(), "Weight ~ Time", [["Pig"]], null);
    expect(t[0][0]).toBe("Mixed Linear Model Regression Results");
    near(valueAfter(t, "Intercept"), RI.fe_params[0]);
    near(valueAfter(t, "Time"), RI.fe_params[1]);
    near(valueAfter(t, "Pig Var"), RI.cov_re.matrix[0][0], 1e-5);
    near(valueAfter(t, "Scale:"), RI.scale, 1e-6);
    near(valueAfter(t, "Log-Likelihood:"), RI.llf, 1e-9);
    expect(valueAfter(t, "No. Observations:")).toBe(861);
    expect(valueAfter(t, "No. Groups:")).toBe(72);
    // the numbers print as statsmodels prints them
    expect((valueAfter(t, "Intercept") as number).toFixed(3)).toBe("15.724");
    expect((valueAfter(t, "Time") as number).toFixed(3)).toBe("6.943");
    expect((valueAfter(t, "Pig Var") as number).toFixed(3)).toBe("40.394");
    expect((valueAfter(t, "Scale:") as number).toFixed(4)).toBe("11.3669");
    expect((valueAfter(t, "Log-Likelihood:") as number).toFixed(4)).toBe("-2404.7753");
    const w = t[0].length;
    expect(t.every((r) => r.length === w)).toBe(true);
  });

  test("COEF: header row and one row per coefficient, SEs as statsmodels", async () => {
    const t = await coef(copy(), "Weight ~ Time", "Pig");
    expect(t[0]).toEqual(["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"]);
    expect(t.map((r) => r[0]).slice(1)).toEqual(["Intercept", "Time"]);
    near(t[1][1], RI.fe_params[0]);
    near(t[1][2], RI.bse_fe[0], 1e-4);
    near(t[2][2], RI.bse_fe[1], 1e-4);
    near(t[2][5], RI.conf_int[1][0], 1e-4);
    near(t[2][6], RI.conf_int[1][1], 1e-4);
  });

  test("VARCOMP: variance, std. dev. and residual", async () => {
    const t = await varcomp(copy(), "Weight ~ Time", "Pig");
    expect(t[0].slice(0, 4)).toEqual(["Group", "Name", "Variance", "Std.Dev."]);
    const pig = t.find((r) => r[0] === "Pig")!;
    near(pig[2], RI.cov_re.matrix[0][0], 1e-5);
    near(pig[3], Math.sqrt(RI.cov_re.matrix[0][0]), 1e-5);
    near(valueAfter(t, "Residual", 2), RI.scale, 1e-6);
  });

  test("STATS: method, sizes, log-likelihood, convergence", async () => {
    const t = await stats(copy(), "Weight ~ Time", "Pig");
    expect(valueAfter(t, "Method")).toBe("REML");
    expect(valueAfter(t, "Observations")).toBe(861);
    expect(valueAfter(t, "Rows dropped (missing values)")).toBe(0);
    near(valueAfter(t, "Log-likelihood (REML)"), RI.llf, 1e-9);
    expect(valueAfter(t, "Converged")).toBe(true);
  });

  test("RANEF: one row per pig, matching statsmodels' predictions", async () => {
    const t = await ranef(copy(), "Weight ~ Time", "Pig");
    expect(t[0][0]).toBe("Pig");
    expect(t.length).toBe(73);
    const first = t[1];
    const refKey = Object.keys(RI.random_effects)[0];
    expect(String(first[0])).toBe(refKey);
    const refValue = Object.values(RI.random_effects[refKey])[0] as number;
    near(first[1], refValue, 1e-4);
  });

  test("FITTED and RESID: one column aligned with the data rows, summing to the response", async () => {
    const fv = await fitted(copy(), "Weight ~ Time", "Pig");
    const rv = await resid(copy(), "Weight ~ Time", "Pig");
    expect(fv.length).toBe(861);
    expect(rv.length).toBe(861);
    for (let i = 0; i < 861; i += 97) near((fv[i][0] as number) + (rv[i][0] as number), DATA[i + 1][5] as number, 1e-9);
  });

  test("the same inputs are fitted once across FIT, COEF, VARCOMP, STATS, RANEF, FITTED and RESID", async () => {
    // called together, as Excel does in one recalculation, each with its own copy of the range
    const tables = await Promise.all([fit, coef, varcomp, stats, ranef, fitted, resid].map((f) => f(copy(), "Weight ~ Time", "Pig", null)));
    expect(tables.every((t) => t.length > 1)).toBe(true);
    expect(worker.host.state.fits).toBe(1);
    expect(worker.sent.upload).toBe(Math.ceil(862 * 8 / SLICE_CELLS)); // one upload of the range
    // and again later, new arrays of the same values: no new fit, no new upload
    await coef(copy(), "Weight ~ Time", "Pig");
    expect(worker.host.state.fits).toBe(1);
    expect(worker.sent.upload).toBe(1);
    // an edit to the data is a new fit, once
    const edited = copy();
    edited[5][5] = (edited[5][5] as number) + 1;
    await Promise.all([coef(edited, "Weight ~ Time", "Pig"), stats(edited.map((r) => [...r]), "Weight ~ Time", "Pig")]);
    expect(worker.host.state.fits).toBe(2);
    // another formula is another model
    await coef(copy(), "Weight ~ Time", "Pig", "method=ML");
    expect(worker.host.state.fits).toBe(3);
  });

  test("groups as a one-column range, with or without its header", async () => {
    const col = DATA.map((r) => [r[0]]);
    const withHeader = await stats(copy(), "Weight ~ Time", col);
    const withoutHeader = await stats(copy(), "Weight ~ Time", col.slice(1));
    near(valueAfter(withHeader, "Log-likelihood (REML)"), RI.llf, 1e-9);
    near(valueAfter(withoutHeader, "Log-likelihood (REML)"), RI.llf, 1e-9);
    expect(valueAfter(await fit(copy(), "Weight ~ Time", col.slice(1)), "Group Var")).toBeDefined();
    expect(await excelMessage(stats(copy(), "Weight ~ Time", col.slice(5)))).toMatch(/same height/);
  });

  test("options: method=ML, re_formula, and the lme4 syntax without groups", async () => {
    near(valueAfter(await stats(copy(), "Weight ~ Time", "Pig", "method=ML"), "Log-likelihood"), RI_ML.llf, 1e-9);
    near(valueAfter(await stats(copy(), "Weight ~ Time", "Pig", "reml=false"), "Log-likelihood"), RI_ML.llf, 1e-9);
    const rs = await stats(copy(), "Weight ~ Time", "Pig", "re_formula=~Time");
    near(valueAfter(rs, "Log-likelihood (REML)"), RS.llf, 1e-7);
    const lme4 = await stats(copy(), "Weight ~ Time + (Time | Pig)", null);
    near(valueAfter(lme4, "Log-likelihood (REML)"), RS.llf, 1e-7);
  });
});

/** A fixture CSV as Excel hands it over: header row, then numbers and text (quoted cells stay text). */
function csvRows(name: string): unknown[][] {
  const lines = readFileSync(join(FIXTURES, "data", name), "utf8").trim().split(/\r?\n/);
  return lines.map((line, i) =>
    line.split(",").map((cell) => {
      const s = cell.replace(/^"|"$/g, "");
      if (i === 0) return s;
      const x = Number(s);
      return cell.startsWith('"') || Number.isNaN(x) ? s : x;
    }),
  );
}

describe("lme4's ||, / and ^, and the SE convention of each style, through the functions", () => {
  /** COEF's rows by name: [coef, SE]. */
  const coefs = (t: unknown[][]) => new Map(t.slice(1).map((r) => [String(r[0]), [r[1], r[2]] as number[]]));

  test("(Days || Subject): lme4's SEs; VARCOMP lists both Subject terms; RANEF one Subject block", async () => {
    const lm = reference("sleepstudy_dblbar_reml", "lme4");
    const data = csvRows("sleepstudy.csv");
    const c = coefs(await coef(data, "Reaction ~ Days + (Days||Subject)", null));
    near(c.get("Days")![1], lm.bse_fe[1], 1e-4);
    const v = await varcomp(data, "Reaction ~ Days + (Days||Subject)", null);
    const days = v.find((r) => r[0] === "Subject" && r[1] === "Days")!;
    near(days[2], lm.cov_re["Subject.1"].matrix[0][0], 2e-3);
    const re = await ranef(data, "Reaction ~ Days + (Days||Subject)", null);
    expect(re[0]).toEqual(["Subject", "(Intercept)", "Days"]);
  });

  test("I(day^2) in an lme4 formula: lme4's name and SEs", async () => {
    const lm = reference("pixel_caret_reml", "lme4");
    const c = coefs(await coef(csvRows("Pixel.csv"), "pixel ~ day + I(day^2) + (day|Dog) + (1|Side:Dog)", null));
    expect([...c.keys()]).toEqual(["Intercept", "day", "I(day^2)"]);
    near(c.get("I(day^2)")![0], lm.fe_params[2], 1e-5);
    near(c.get("I(day^2)")![1], lm.bse_fe[2], 1e-3);
  });

  test("(1 | Block/Variety): VARCOMP's nested factor is lme4's Variety:Block", async () => {
    const lm = reference("oats_slash_reml", "lme4");
    const v = await varcomp(csvRows("Oats.csv"), "yield ~ nitro + factor(Variety) + (1|Block/Variety)", null);
    near(v.find((r) => r[0] === "Variety:Block")![2], lm.cov_re["Variety:Block"].matrix[0][0], 2e-3);
  });

  test("statsmodels style (groups, re_formula): statsmodels' SEs, as its summary prints them", async () => {
    const sm = reference("orthodont_rs_reml", "statsmodels");
    const c = coefs(await coef(csvRows("Orthodont.csv"), "distance ~ age + C(Sex)", "Subject", "re_formula=~age"));
    sm.fe_names.forEach((n: string, i: number) => near(c.get(n)![1], sm.at_optimum.bse_fe[i], 1e-3));
  });
});

describe("blanks, errors and bad input", () => {
  test("a blank (null) or an error value in a used column drops that row; FITTED leaves it blank", async () => {
    const d = copy();
    d[3][5] = null; // Weight of data row 3 (web: empty cell)
    d[10][7] = { type: "Error", errorType: "NotAvailable" }; // Time of data row 10: #N/A as an object
    d[20][7] = "#N/A"; // and as text
    const s = await stats(d, "Weight ~ Time", "Pig");
    expect(valueAfter(s, "Rows dropped (missing values)")).toBe(3);
    expect(valueAfter(s, "Observations")).toBe(858);
    const fv = await fitted(d, "Weight ~ Time", "Pig");
    expect(fv.length).toBe(861);
    expect(fv[2][0]).toBe("");
    expect(fv[9][0]).toBe("");
    expect(fv[19][0]).toBe("");
    expect(typeof fv[3][0]).toBe("number");
  });

  test("trailing blank rows of an oversized range are not data", async () => {
    const d = [...copy(), ...Array.from({ length: 20 }, () => DATA[0].map(() => null))];
    near(valueAfter(await stats(d, "Weight ~ Time", "Pig"), "Log-likelihood (REML)"), RI.llf, 1e-9);
    // the groups column may be as oversized as the data
    const col = d.map((r) => [r[0]]);
    near(valueAfter(await stats(d, "Weight ~ Time", col), "Log-likelihood (REML)"), RI.llf, 1e-9);
    // FITTED answers one cell per row of the range, blank below the data
    const fv = await fitted(d, "Weight ~ Time", col);
    expect(fv.length).toBe(881);
    expect(typeof fv[860][0]).toBe("number");
    expect(fv[861][0]).toBe("");
  });

  test("an error cell passed as the runtime's own error object is missing too", async () => {
    const d = copy();
    d[4][5] = new FakeExcelError("#DIV/0!");
    expect(valueAfter(await stats(d, "Weight ~ Time", "Pig"), "Rows dropped (missing values)")).toBe(1);
  });

  test("a blank sent as 0 (Excel desktop) is fitted as a zero: the README says to mark missing values NA", async () => {
    const d = copy();
    d[3][5] = 0;
    const s = await stats(d, "Weight ~ Time", "Pig");
    expect(valueAfter(s, "Rows dropped (missing values)")).toBe(0);
    expect(Math.abs((valueAfter(s, "Log-likelihood (REML)") as number) - RI.llf)).toBeGreaterThan(1);
    d[3][5] = "NA";
    expect(valueAfter(await stats(d, "Weight ~ Time", "Pig"), "Rows dropped (missing values)")).toBe(1);
  });

  test("anything but a MixedLMError is an internal error, still #VALUE!, never a raw throw", async () => {
    const d = copy();
    const row = d[7];
    Object.defineProperty(row, 2, {
      get() {
        throw new TypeError("cannot read the cell");
      },
    });
    expect(await excelMessage(fit(d, "Weight ~ Time", "Pig"))).toBe("Internal error: cannot read the cell");
  });

  test("errors become #VALUE! with a message saying what to fix", async () => {
    expect(await excelMessage(fit(copy(), "Weight ~ Time", "pig"))).toMatch(/Pig/);
    expect(await excelMessage(fit(copy(), "Weight ~ Time +", "Pig"))).toMatch(/position/);
    expect(await excelMessage(fit(copy(), "", "Pig"))).toMatch(/formula is empty/);
    expect(await excelMessage(fit(copy(), "Weight ~ Time", "Pig", "metod=ML"))).toMatch(/method, reml, re_formula, vc/);
    expect(await excelMessage(fit(copy(), "Weight ~ Time", "Pig", "method=GLS"))).toMatch(/REML or ML/);
    expect(await excelMessage(fit(copy(), "Evit ~ Time", "Pig"))).toMatch(/numeric|text/);
    expect(await excelMessage(fit([["Weight", "Time", "Pig"]], "Weight ~ Time", "Pig"))).toMatch(/header/);
    expect(await excelMessage(fit(copy(), "Weight ~ Time", null))).toMatch(/groups|random/);
    // a failed model is cached too: asking again does not refit
    const before = worker.host.state.fits;
    await excelMessage(coef(copy(), "Weight ~ Time", "pig"));
    expect(worker.host.state.fits).toBe(before);
  });

  test("a result over Excel's 5 MB is refused with a message naming the limit and the way around it", async () => {
    // small integers in, fitted values of 17 digits out: FITTED's answer is larger than its data
    const n = 250_000;
    const rows: unknown[][] = [["y", "x", "g"]];
    for (let i = 0; i < n; i++) rows.push([(i * 7919) % 97, i % 13, i % 50]);
    expect(jsonBytes(rows)).toBeLessThan(EXCEL_PAYLOAD_LIMIT);
    const message = await excelMessage(fitted(rows, "y ~ x", "g"));
    expect(message).toMatch(/^The result is \d+\.\d MB, more than the 5\.0 MB Excel takes back from a custom function/);
    expect(message).toMatch(/Create summary sheet/);
    // the same model's small tables still come
    expect((await stats(rows, "y ~ x", "g")).length).toBeGreaterThan(5);
  }, 60_000);
});

describe("arguments", () => {
  test("options text", () => {
    expect(parseOptions(null)).toEqual({});
    expect(parseOptions("")).toEqual({});
    expect(parseOptions("method=ml; re_formula=~Time")).toEqual({ method: "ML", reFormula: "~Time" });
    expect(parseOptions("vc=cask:0 + C(cask); vc=day:0 + C(a):C(b)")).toEqual({ vcFormula: { cask: "0 + C(cask)", day: "0 + C(a):C(b)" } });
    expect(parseOptions([["RE_FORMULA = ~ Time ;"]])).toEqual({ reFormula: "~ Time" });
    expect(() => parseOptions("vc=0 + C(cask)")).toThrow(/name and a formula/);
    expect(() => parseOptions("method")).toThrow(/key=value/);
  });

  test("every function has an implementation", () => {
    expect(Object.keys(FUNCTIONS).sort()).toEqual(["ANOVA", "COEF", "COMPARE", "CONFINT", "FIT", "FITTED", "PREDICT", "RANEF", "RESID", "STATS", "VARCOMP"]);
  });
});
