/**
 * The inference functions (COEF's ddf, ANOVA, COMPARE, CONFINT, PREDICT), fed arrays shaped as
 * Excel sends them (header row, numbers, text, null or 0 for blanks, error values), through the
 * fitting worker's host behind structured-cloned messages (test/worker/clonedWorker.ts), and
 * checked against lmerTest 3.1-3, pbkrtest 0.5.2 and lme4 1.1-31 (test/fixtures/inference: the
 * team's shared references and our own cases) to the tolerances, or against an exact
 * calculation from the reference's own numbers.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { confint as engineConfint, fitModel, normalCdf, normalQuantile, tQuantile, loadDistributions } from "../../src/engine";
import * as F from "../../src/functions/functions";
import { EXCEL_PAYLOAD_LIMIT, jsonBytes } from "../../src/functions/limits";
import { functionOptions, splitOptions } from "../../src/functions/options";
import { ModelRegistry } from "../../src/functions/models";
import { setModels } from "../../src/functions/run";
import { runJob } from "../../src/worker/jobs";
import type { JobSteps } from "../../src/worker/host";
import type { FromWorker, JobRequest } from "../../src/worker/protocol";
import type { WorkerState } from "../../src/worker/jobs";
import { WorkerClient } from "../../src/worker/client";
import { canonicalName, FIXTURES, fixtureTable } from "../helpers";
import { referenceFile, rel, termKey } from "../engine/inference/compare";
import { rName } from "../engine/inference/inferenceHelpers";
import { ClonedWorker } from "../worker/clonedWorker";

type Loose = (...args: unknown[]) => Promise<unknown[][]>;
const [fit, coef, anova, compare, confint, predict] = [F.fit, F.coef, F.anova, F.compare, F.confint, F.predict] as unknown as Loose[];

/** A fixture CSV as Excel hands it over: header row, numbers, text (quoted cells stay text), NA and empty fields as empty cells (null: Excel on the web). */
function csvRows(name: string): unknown[][] {
  return readFileSync(join(FIXTURES, "data", name), "utf8").trim().split(/\r?\n/).map((line, i) =>
    line.split(",").map((cell) => {
      const s = cell.replace(/^"|"$/g, "");
      if (i === 0) return s;
      if (s === "NA" || s === "") return null;
      const x = Number(s);
      return cell.startsWith('"') || Number.isNaN(x) ? s : x;
    }),
  );
}

const DIETOX = csvRows("dietox.csv");
const dietox = () => DIETOX.map((r) => [...r]);
const SHARED_INTER = referenceFile("shared", "dietox_inter.json");
const RS = referenceFile("dietox_rs.json");

class FakeExcelError {
  constructor(readonly code: string, readonly message?: string) {}
}

let worker: ClonedWorker;

function useWorker(w: ClonedWorker): void {
  worker = w;
  setModels(new ModelRegistry(new WorkerClient(() => w)));
}

beforeAll(async () => {
  (globalThis as Record<string, unknown>).CustomFunctions = { Error: FakeExcelError, ErrorCode: { invalidValue: "#VALUE!" } };
  loadDistributions();
});
afterAll(() => {
  delete (globalThis as Record<string, unknown>).CustomFunctions;
  setModels(undefined);
});
beforeEach(() => useWorker(new ClonedWorker()));

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

/** The row of a table whose first cell names the coefficient (R's or patsy's spelling). */
function rowOf(t: unknown[][], name: string): unknown[] {
  const r = t.find((x) => typeof x[0] === "string" && canonicalName(x[0]) === canonicalName(name));
  if (!r) throw new Error(`no row ${name} in ${JSON.stringify(t.map((x) => x[0]))}`);
  return r;
}

const T_HEADER = ["Name", "Coef.", "Std.Err.", "df", "t", "P>|t|", "CI low (95%)", "CI high (95%)"];
const Z_HEADER = ["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"];

/** COEF's t table against lmerTest's rows: df 2e-3, SE 1e-4, t 1e-4, p 1e-2 relative; the interval est ± t(df) quantile × SE. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectTTable(t: unknown[][], ref: any[]): void {
  expect(t[0]).toEqual(T_HEADER);
  expect(t).toHaveLength(ref.length + 1);
  for (const r of ref) {
    const [, est, se, df, tv, p, lo, hi] = rowOf(t, r.name) as number[];
    expect(rel(est, r.Estimate)).toBeLessThan(1e-5);
    expect(rel(df, r.df)).toBeLessThan(2e-3);
    expect(rel(se, r["Std. Error"])).toBeLessThan(1e-4);
    expect(rel(tv, r["t value"])).toBeLessThan(1e-4);
    expect(rel(p, r["Pr(>|t|)"])).toBeLessThan(1e-2);
    const half = tQuantile(0.975, r.df) * r["Std. Error"];
    expect(Math.abs(lo - (r.Estimate - half))).toBeLessThan(1e-3 * r["Std. Error"]);
    expect(Math.abs(hi - (r.Estimate + half))).toBeLessThan(1e-3 * r["Std. Error"]);
  }
}

describe("COEF with denominator df (ddf=Satterthwaite|Kenward-Roger|none)", () => {
  const formula = SHARED_INTER.formula as string; // Weight ~ Time * factor(Cu) + (Time|Pig)

  test("a formula with bar terms: Satterthwaite's t tests by default, lmerTest's numbers", async () => {
    expectTTable(await coef(dietox(), formula, null, null), SHARED_INTER.satterthwaite);
    expectTTable(await coef(dietox(), formula, null, "ddf=Satterthwaite"), SHARED_INTER.satterthwaite);
  });

  test("ddf=Kenward-Roger: pbkrtest's df and adjusted standard errors (keys and values in any case)", async () => {
    expectTTable(await coef(dietox(), formula, null, "ddf=Kenward-Roger"), SHARED_INTER.kenward_roger);
    expectTTable(await coef(dietox(), formula, null, " DDF = kenward_roger ; "), SHARED_INTER.kenward_roger);
  });

  test("ddf=none: the z table as before, with lme4's standard errors; z, p and interval from the normal", async () => {
    const t = await coef(dietox(), formula, null, "ddf=none");
    expect(t[0]).toEqual(Z_HEADER);
    const q = normalQuantile(0.975);
    for (const r of SHARED_INTER.satterthwaite) {
      const [, est, se, z, p, lo, hi] = rowOf(t, r.name) as number[];
      expect(rel(se, r["Std. Error"])).toBeLessThan(1e-4);
      const zRef = r.Estimate / r["Std. Error"];
      expect(Math.abs(z - zRef)).toBeLessThan(1e-4 * Math.max(1, Math.abs(zRef)));
      expect(rel(p, 2 * normalCdf(-Math.abs(z)))).toBeLessThan(1e-12);
      expect(Math.abs(lo - (est - q * se))).toBeLessThan(1e-12 * Math.max(1, Math.abs(est)));
      expect(Math.abs(hi - (est + q * se))).toBeLessThan(1e-12 * Math.max(1, Math.abs(est)));
    }
  });

  test("a statsmodels-style model: z tests by default (as statsmodels prints); ddf gives lmerTest's t tests of the same model", async () => {
    const ref = referenceFile("shared", "dietox_rs.json"); // Weight ~ Time + (Time|Pig)
    expect((await coef(dietox(), "Weight ~ Time", "Pig", "re_formula=~Time"))[0]).toEqual(Z_HEADER);
    expectTTable(await coef(dietox(), "Weight ~ Time", "Pig", "re_formula=~Time; ddf=Satterthwaite"), ref.satterthwaite);
    expectTTable(await coef(dietox(), "Weight ~ Time", "Pig", "ddf=Kenward-Roger; re_formula=~Time"), ref.kenward_roger);
  });

  test("bad values say what to write; Kenward-Roger on an ML fit is refused as lmerTest refuses it", async () => {
    expect(await excelMessage(coef(dietox(), formula, null, "ddf=KR"))).toBe('ddf must be Satterthwaite, Kenward-Roger or none (z tests), not "KR".');
    expect(await excelMessage(coef(dietox(), formula, null, "ddf"))).toMatch(/needs the form key=value \(keys: method, reml, re_formula, vc, ddf\)/);
    expect(await excelMessage(coef(dietox(), formula, null, "method=ML; ddf=Kenward-Roger"))).toMatch(/REML/);
  });
});

describe("ANOVA (type=1|2|3; ddf=Satterthwaite|Kenward-Roger)", () => {
  const formula = SHARED_INTER.formula as string;
  const ROMAN = ["", "I", "II", "III"];

  /** lmerTest's table: F 1e-3, DenDF 2e-3, Sum Sq 1e-3, NumDF exact, p 1e-2. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function expectAnova(t: unknown[][], ref: any[], type: number, method: string): void {
    expect(t[0][0]).toBe(`Type ${ROMAN[type]} Analysis of Variance Table with ${method}'s method`);
    expect(t[1]).toEqual(["", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]);
    expect(t.slice(2).map((r) => termKey(String(r[0])))).toEqual(ref.map((r) => termKey(r.name)));
    ref.forEach((r, i) => {
      const [, sumSq, meanSq, numDF, denDF, fv, p] = t[i + 2] as number[];
      expect(rel(fv, r["F value"])).toBeLessThan(1e-3);
      expect(rel(denDF, r.DenDF)).toBeLessThan(2e-3);
      expect(rel(sumSq, r["Sum Sq"])).toBeLessThan(1e-3);
      expect(rel(meanSq, r["Mean Sq"])).toBeLessThan(1e-3);
      expect(numDF).toBe(r.NumDF);
      expect(rel(p, r["Pr(>F)"])).toBeLessThan(1e-2);
    });
  }

  test("by default lmerTest's: type III with Satterthwaite's df", async () => {
    expectAnova(await anova(dietox(), formula, null, null), SHARED_INTER.anova.type3_Satterthwaite, 3, "Satterthwaite");
  });

  test("every type with both methods, all from one fit", async () => {
    for (const type of [1, 2, 3]) {
      for (const [ddf, key] of [["Satterthwaite", "Satterthwaite"], ["kenward-roger", "Kenward-Roger"]]) {
        const t = await anova(dietox(), formula, null, `type=${type % 2 === 0 ? ROMAN[type] : type}; ddf=${ddf}`);
        expectAnova(t, SHARED_INTER.anova[`type${type}_${key}`], type, key);
      }
    }
    expect(worker.host.state.fits).toBe(1);
  });

  test("ANOVA needs a df method; a type must be 1, 2 or 3", async () => {
    expect(await excelMessage(anova(dietox(), formula, null, "ddf=none"))).toBe('ddf must be Satterthwaite or Kenward-Roger (the F tests need denominator df), not "none".');
    expect(await excelMessage(anova(dietox(), formula, null, "type=4"))).toBe('type must be 1, 2 or 3 (I, II or III), not "4".');
    expect(await excelMessage(anova(dietox(), formula, null, "level=0.9"))).toBe('Unknown option "level": the keys are method, reml, re_formula, vc, type, ddf (e.g. "type=2; ddf=Kenward-Roger").');
    // nothing was sent to the worker for these
    expect(worker.sent.run ?? 0).toBe(0);
  });
});

/** lme4's anova(m0, m) rows: npar exact, AIC, BIC, logLik, deviance 1e-7 relative, χ² 2e-4, Df exact. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectLrt(t: unknown[][], lrt: any[]): void {
  expect(t[0]).toEqual(["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)", "Note"]);
  lrt.forEach((r, i) => {
    const [, npar, aic, bic, logLik, deviance, chisq, df, p] = t[i + 1] as number[];
    expect(npar).toBe(r.npar);
    for (const [ours, theirs] of [[aic, r.AIC], [bic, r.BIC], [logLik, r.logLik], [deviance, r.deviance]]) expect(rel(ours, theirs)).toBeLessThan(1e-7);
    if (r.Chisq === null) {
      expect([chisq, df, p]).toEqual(["", "", ""]); // blank cells, never 0
      return;
    }
    expect(Math.abs(chisq - r.Chisq)).toBeLessThanOrEqual(2e-4 * Math.max(1, r.Chisq));
    expect(df).toBe(r.Df);
    if (r["Pr(>Chisq)"] > 1e-300) expect(rel(p, r["Pr(>Chisq)"])).toBeLessThan(1e-2);
  });
}

describe("COMPARE (reduced: one formula or a range of them; refit=false keeps REML)", () => {
  test("the random slope of dietox: lme4's likelihood-ratio test, both models refitted by ML, and the table says so", async () => {
    const t = await compare(dietox(), RS.formula, RS.reduced, null, null);
    expectLrt(t, RS.lrt);
    expect(t[1][0]).toBe(RS.reduced);
    expect(t.slice(3).map((r) => r[0])).toEqual(["", "Models refitted by ML (instead of REML) for the comparison."]);
    // the reduced formula as a one-cell range
    expectLrt(await compare(dietox(), RS.formula, [[RS.reduced]], null, null), RS.lrt);
  });

  test("a range of formulas (a column with a blank cell, or a row): each model against the one above, smallest first", async () => {
    const ref = referenceFile("sleepstudy_rs.json");
    const data = csvRows("sleepstudy.csv");
    const [a, b, c] = ref.reduced as string[];
    expectLrt(await compare(data, ref.formula, [[c], [null], [a], [b]], null, null), ref.lrt);
    expectLrt(await compare(data, ref.formula, [[a, b, c, ""]], null, null), ref.lrt);
    // refit=false: the REML fits as they are (lmerTest's ranova), and the table says so; lme4
    // computes a χ² for any pair, but REML criteria of different fixed effects are not comparable
    const reml = await compare(data, ref.formula, [[a], [b], [c]], null, "refit=false");
    expect(reml[2][9]).toMatch(/fixed effects are the same/);
    const n = ref.lrt_norefit;
    expectLrt([reml[0], reml[1], reml[3], reml[4]], [n[0], n[2], n[3]]);
    expect(reml[reml.length - 1][0]).toBe("The REML fits compared as they are (refit=false).");
  });

  test("models that would use different rows are compared on the rows complete for all, with a note (lme4 stops)", async () => {
    const ref = referenceFile("airquality_rows.json");
    const t = await compare(csvRows("airquality.csv"), ref.formula, ref.reduced, null, null);
    expectLrt(t, ref.lrt);
    expect(t.map((r) => r[0]).join(" ")).toMatch(new RegExp(`all are compared on the ${ref.nCommonRows} rows complete for every model`));
  });

  test("what cannot be tested gets a message, in its row or in the cell", async () => {
    const data = csvRows("sleepstudy.csv");
    const t = await compare(data, "Reaction ~ 1 + (Days|Subject)", "Reaction ~ Days + (1|Subject)", null, null);
    expect(t[2].slice(6, 9)).toEqual(["", "", ""]);
    expect(String(t[2][9])).toMatch(/not nested.*fixed effect Days/);
    expect(await excelMessage(compare(data, "Reaction ~ Days + (Days|Subject)", [[null], [""]], null, null))).toMatch(/^reduced is empty/);
    expect(await excelMessage(compare(data, "Reaction ~ Days + (Days|Subject)", [[5]], null, null))).toMatch(/^reduced must hold formulas/);
    expect(await excelMessage(compare(data, "Reaction ~ Days + (Days|Subject)", "Reaction ~ Dys + (1|Subject)", null, null))).toMatch(/^In the model "Reaction ~ Dys \+ \(1\|Subject\)": There is no column "Dys"/);
    expect(await excelMessage(compare(data, "Reaction ~ Days + (Days|Subject)", "Reaction ~ 1 + (1|Subject)", null, "refit=no"))).toMatch(/^refit must be true/);
  });
});

/** lme4's profile bounds within 5e-3 of the interval's width (2e-2 for correlations). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectProfile(t: unknown[][], ref: any[], lo: string, hi: string): void {
  expect(t[0]).toEqual(["Parameter", "Estimate", lo, hi]);
  expect(t.slice(1, ref.length + 1).map((r) => rName(String(r[0])))).toEqual(ref.map((r) => r.name));
  ref.forEach((r, i) => {
    const width = r[hi] - r[lo];
    const tol = (r.name.startsWith("cor_") ? 2e-2 : 5e-3) * width;
    expect(Math.abs((t[i + 1][2] as number) - r[lo])).toBeLessThan(tol);
    expect(Math.abs((t[i + 1][3] as number) - r[hi])).toBeLessThan(tol);
  });
}

describe("CONFINT (ci=profile|wald|boot; level; nsim; seed)", () => {
  test("profile by default: lme4's rows, order and bounds; the method said below the table", async () => {
    const t = await confint(dietox(), RS.formula, null, null);
    expectProfile(t, RS.confint_profile, "2.5 %", "97.5 %");
    expect(rel(t[5][1] as number, RS.fixef["(Intercept)"])).toBeLessThan(1e-6);
    expect(t.slice(7).map((r) => r[0])).toEqual(["", "Profile confidence intervals (ML criterion), level 0.95", "Profiled on the ML deviance (the model refitted by ML), as lme4 does for a REML fit."]);
  });

  test("level=0.9: lme4's 90% profile intervals", async () => {
    expectProfile(await confint(dietox(), RS.formula, null, "level=0.9"), RS.confint_profile_90, "5 %", "95 %");
  });

  test("ci=wald: the fixed effects' intervals (lme4 at a tight optimum, 1e-5); the variance parameters blank, not 0", async () => {
    const t = await confint(dietox(), RS.formula, null, "ci=wald");
    RS.tight.confint_wald.forEach((r: { name: string; "2.5 %": number | null; "97.5 %": number | null }, i: number) => {
      expect(rName(String(t[i + 1][0]))).toBe(r.name);
      if (r["2.5 %"] === null) { expect(t[i + 1].slice(2)).toEqual(["", ""]); return; }
      expect(rel(t[i + 1][2] as number, r["2.5 %"])).toBeLessThan(1e-5);
      expect(rel(t[i + 1][3] as number, r["97.5 %"]!)).toBeLessThan(1e-5);
    });
  });

  test("ci=boot: the engine's parametric bootstrap with that seed, the same numbers on every call", async () => {
    const t = await confint(dietox(), RS.formula, null, "ci=boot; nsim=25; seed=7");
    const direct = engineConfint(fitModel(fixtureTable("dietox.csv"), { formula: RS.formula }), { method: "boot", nsim: 25, seed: 7 });
    expect(t.slice(1, 7)).toEqual(direct.rows.map((r) => [r.name, r.estimate, r.low, r.high]));
    expect(t[8][0]).toBe("Parametric bootstrap percentile intervals (25 simulations, seed 7), level 0.95");
    useWorker(new ClonedWorker());
    expect(await confint(dietox(), RS.formula, null, "seed=7; nsim=25; ci=BOOT")).toEqual(t);
  });

  test("bad options say what to write", async () => {
    expect(await excelMessage(confint(dietox(), RS.formula, null, "ci=bootstrap"))).toBe('ci must be profile, wald or boot, not "bootstrap".');
    expect(await excelMessage(confint(dietox(), RS.formula, null, "level=95"))).toBe('level must be a number between 0 and 1, such as 0.95; not "95".');
    expect(await excelMessage(confint(dietox(), RS.formula, null, "ci=boot; nsim=0"))).toBe('nsim must be a whole number from 1 to 1,000,000, not "0".');
    expect(await excelMessage(confint(dietox(), RS.formula, null, "seed=1.5"))).toBe('seed must be a whole number, not "1.5".');
  });
});

describe("a long CONFINT: progress from the worker, and Excel's cancel stops the work", () => {
  /** The worker's jobs, with the steps each takes counted and its end recorded. */
  function countingWorker() {
    const jobs: { table: string; steps: number; ended: boolean }[] = [];
    const run = (job: JobRequest, state: WorkerState): JobSteps => {
      const inner = runJob(job, state);
      const record = { table: job.kind === "model-table" ? job.table : job.kind, steps: 0, ended: false };
      jobs.push(record);
      return (function* () {
        try {
          for (let r = inner.next(); ; r = inner.next()) {
            if (r.done) return r.value;
            record.steps++;
            yield r.value;
          }
        } finally {
          inner.return(undefined);
          record.ended = true;
        }
      })();
    };
    const w = new ClonedWorker(run);
    const progress: { done: number; total: number }[] = [];
    // the page's side hears the worker's messages: count the progress ones
    const listen = () => {
      const page = w.onmessage!;
      w.onmessage = (e: { data: FromWorker }) => { if (e.data.type === "progress") progress.push({ done: e.data.done, total: e.data.total }); page(e); };
    };
    return { w, jobs, progress, listen };
  }

  test("a bootstrap of 100,000 refits reports its progress and stops when Excel cancels the call; the model's fit stays for the next call", async () => {
    const { w, jobs, progress, listen } = countingWorker();
    useWorker(w);
    await coef(dietox(), RS.formula, null, null); // the fit, kept
    listen();
    const invocation: { onCanceled?: () => void } = {};
    const pending = confint(dietox(), RS.formula, null, "ci=boot; nsim=100000", invocation);
    while (progress.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(progress[0].total).toBe(100_000);
    expect(progress[1].done).toBeGreaterThan(progress[0].done);
    invocation.onCanceled!();
    expect(await excelMessage(pending)).toBe("Cancelled.");
    const job = jobs.find((j) => j.table === "confint")!;
    for (let i = 0; i < 200 && !job.ended; i++) await new Promise((r) => setTimeout(r, 5));
    expect(job.ended).toBe(true);
    const steps = job.steps, heard = progress.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(job.steps).toBe(steps); // no step after the cancel
    expect(progress.length).toBeLessThanOrEqual(heard + 1);
    expect(progress[progress.length - 1].done).toBeLessThan(100_000);
    // the worker is free, and the model's fit still kept: no refit
    expect((await coef(dietox(), RS.formula, null, "ddf=none"))[0]).toEqual(Z_HEADER);
    expect(worker.host.state.fits).toBe(1);
  }, 60_000);

  test("a profile reports its progress by parameter", async () => {
    const { w, progress, listen } = countingWorker();
    useWorker(w);
    await coef(dietox(), "Weight ~ Time + factor(Cu) + (Time|Pig)", null, null);
    listen();
    const t = await confint(dietox(), "Weight ~ Time + factor(Cu) + (Time|Pig)", null, null);
    expect(t[0][0]).toBe("Parameter");
    // progress is reported at most every 20 ms: a profile of 8 parameters may or may not report
    for (const p of progress) expect(p.total).toBe(8);
  });
});

describe("the options text, split into the model's part and the function's", () => {
  test("the model's part in a canonical form names the model; the function's part goes with the job", () => {
    expect(splitOptions("coef", "method=ML; ddf=none")).toEqual({ model: "method=ML", own: "ddf=none" });
    expect(splitOptions("coef", [[" DDF=Kenward-Roger ;Method = ML; "]])).toEqual({ model: "method=ML", own: "ddf=Kenward-Roger" });
    expect(splitOptions("anova", "type=2")).toEqual({ model: null, own: "type=2" });
    expect(splitOptions("summary", null)).toEqual({ model: null, own: "" });
    expect(splitOptions("summary", "")).toEqual({ model: null, own: "" });
    expect(splitOptions("confint", "vc=cask:0 + C(cask); ci=wald; re_formula=~1")).toEqual({ model: "vc=cask:0 + C(cask); re_formula=~1", own: "ci=wald" });
    // re is re_formula's short name, except in PREDICT, where it says whether to include the random effects
    expect(splitOptions("stats", "re=~Time")).toEqual({ model: "re=~Time", own: "" });
    expect(splitOptions("predict", "re=exclude")).toEqual({ model: null, own: "re=exclude" });
    // not text: left for the worker's checks, which say what is wrong
    expect(splitOptions("coef", [["a", "b"]])).toEqual({ model: [["a", "b"]], own: "" });
  });

  test("the function's options, read", () => {
    expect(functionOptions("anova", "type=III; ddf=Kenward Roger")).toEqual({ type: 3, ddf: "kenward-roger" });
    expect(functionOptions("confint", "ci=Boot; level=0.9; nsim=1e3; seed=-4")).toEqual({ ci: "boot", level: 0.9, nsim: 1000, seed: -4 });
    expect(functionOptions("compare", "refit=FALSE")).toEqual({ refit: false });
    expect(() => functionOptions("confint", "level=")).toThrow(/^level must be a number between 0 and 1/);
    expect(() => functionOptions("confint", "nsim=1000001")).toThrow(/^nsim must be a whole number from 1 to 1,000,000/);
  });
});

describe("one fit per model, whatever the functions ask of it", () => {
  test("COEF, ANOVA, CONFINT, COMPARE and PREDICT with their own options share the model's fit; the model's options make another", async () => {
    const f = RS.formula;
    await Promise.all([
      coef(dietox(), f, null, null), coef(dietox(), f, null, "ddf=Kenward-Roger"), coef(dietox(), f, null, "ddf=none"),
      anova(dietox(), f, null, "type=1"), anova(dietox(), f, null, null), fit(dietox(), f, null, null),
      confint(dietox(), f, null, "ci=wald"), confint(dietox(), f, null, "ci=profile; level=0.9"),
      compare(dietox(), f, RS.reduced, null, "refit=false"), predict(dietox(), f, [["Time", "Pig"], [1, 4601]], null, "re=exclude"),
    ]);
    expect(worker.host.state.fits).toBe(1);
    expect(worker.sent.upload).toBe(1);
    // method=ML is another model, once, whatever else the options say
    await Promise.all([coef(dietox(), f, null, "method=ML; ddf=none"), anova(dietox(), f, null, "type=2; method=ML"), confint(dietox(), f, null, [["ci=wald; METHOD=ML"]])]);
    expect(worker.host.state.fits).toBe(2);
  });

  test("an unknown key is still an error, listing the keys of that function", async () => {
    expect(await excelMessage(fit(dietox(), RS.formula, null, "ddf=none"))).toBe('Unknown option "ddf": the keys are method, reml, re_formula, vc (e.g. "method=ML; re_formula=~Time; vc=cask:0 + C(cask)").');
    expect(await excelMessage(coef(dietox(), RS.formula, null, "ci=boot"))).toMatch(/^Unknown option "ci": the keys are method, reml, re_formula, vc, ddf /);
    expect(await excelMessage(confint(dietox(), RS.formula, null, "type=3"))).toMatch(/^Unknown option "type": the keys are method, reml, re_formula, vc, ci, level, nsim, seed /);
    expect(await excelMessage(compare(dietox(), RS.formula, RS.reduced, null, "ddf=none"))).toMatch(/^Unknown option "ddf": the keys are method, reml, re_formula, vc, refit /);
    expect(await excelMessage(predict(dietox(), RS.formula, [["Time"], [1]], null, "level=0.9"))).toMatch(/^Unknown option "level": the keys are method, reml, re_formula, vc, re /);
    // the model's own options are still checked where they always were
    expect(await excelMessage(anova(dietox(), RS.formula, null, "method=GLS; type=1"))).toMatch(/REML or ML/);
  });
});

describe("PREDICT (newdata with or without its header; re=include|exclude)", () => {
  const NEW = [["Time", "Pig"], ...RS.newdata.map((r: { Time: number; Pig: number }) => [r.Time, r.Pig])];
  /** lme4's predictions at a tight optimum: 1e-6 relative. */
  const expectValues = (cells: unknown[], ref: number[]) => ref.forEach((v, i) => expect(rel(cells[i] as number, v)).toBeLessThan(1e-6));

  test("with the header row: a label, then one value per new row: lme4's conditional predictions (a pig not in the data gets none of its own)", async () => {
    const t = await predict(dietox(), RS.formula, NEW, null, null);
    expect(t).toHaveLength(NEW.length);
    expect(t[0]).toEqual(["Prediction"]);
    expectValues(t.slice(1).map((r) => r[0]), RS.tight.predict_conditional);
    const pop = await predict(dietox(), RS.formula, NEW, null, "re=exclude");
    expect(pop[0]).toEqual(["Prediction (population)"]);
    expectValues(pop.slice(1).map((r) => r[0]), RS.tight.predict_population);
  });

  test("without the header row: the data's columns in their order, one value per row", async () => {
    const names = DIETOX[0] as string[];
    const rows = RS.newdata.map((r: Record<string, number>) => names.map((n) => (n in r ? r[n] : n === "Cu" ? "Cu000" : null)));
    const t = await predict(dietox(), RS.formula, rows, null, null);
    expect(t).toHaveLength(3);
    expectValues(t.map((r) => r[0]), RS.tight.predict_conditional);
    expect(await excelMessage(predict(dietox(), RS.formula, [[1, 4601]], null, null))).toMatch(/^newdata's first row is not a header .* it needs the data's 8 columns in their order; it has 2/);
  });

  test("blank rows, rows with a missing value, error cells and Excel desktop's rows of zeros give blank cells (never 0); the answer is as tall as newdata", async () => {
    const rows = [
      ["Time", "Pig", "Note"],
      [1, 4601, "first"],
      [null, null, null],
      [6, { type: "Error", errorType: "NotAvailable", basicValue: "#N/A" }, null], // a missing group: a new pig
      [{ type: "Error", errorType: "Div0" }, 4601, null],
      ["#N/A", 4601, null],
      [12, 99999, ""],
      [0, 0, 0],
      [null, null, null],
    ];
    const t = await predict(dietox(), RS.formula, rows, null, null);
    const pop = await predict(dietox(), RS.formula, rows, null, "re=exclude");
    expect(t).toHaveLength(rows.length);
    expect(t.map((r) => r.length)).toEqual(rows.map(() => 1));
    expect([t[2][0], t[4][0], t[5][0], t[7][0], t[8][0]]).toEqual(["", "", "", "", ""]);
    expectValues([t[1][0], t[6][0]], [RS.tight.predict_conditional[0], RS.tight.predict_conditional[2]]);
    expect(rel(t[3][0] as number, pop[3][0] as number)).toBeLessThan(1e-14); // the missing pig contributes nothing
    expect(rel(pop[3][0] as number, RS.tight.predict_population[1])).toBeLessThan(1e-6);
    // all blank: all blank cells
    expect(await predict(dietox(), RS.formula, [["Time", "Pig"], [null, null], [0, 0]], null, null)).toEqual([["Prediction"], [""], [""]]);
  });

  test("factors: lme4's predictions; a column the model needs or a level it has not seen is named", async () => {
    const ref = referenceFile("dietox_cat.json"); // Weight ~ Time + factor(Evit) + factor(Cu) + (1|Pig)
    const cols = ["Time", "Evit", "Cu", "Pig"];
    const rows = [cols, ...ref.newdata.map((r: Record<string, unknown>) => cols.map((c) => r[c]))];
    expectValues((await predict(dietox(), ref.formula, rows, null, null)).slice(1).map((r) => r[0]), ref.tight.predict_conditional);
    expectValues((await predict(dietox(), ref.formula, rows, null, "re=exclude")).slice(1).map((r) => r[0]), ref.tight.predict_population);
    const unseen = rows.map((r) => [...r]);
    unseen[2][2] = "Cu999";
    expect(await excelMessage(predict(dietox(), ref.formula, unseen, null, null))).toMatch(/factor\(Cu\): "Cu999"/);
    expect(await excelMessage(predict(dietox(), ref.formula, rows.map((r) => [r[0], r[1], r[3]]), null, null))).toMatch(/lack the column Cu, which the fixed effects use/);
    // a header in another case is a header: the message names the column as the model spells it
    expect(await excelMessage(predict(dietox(), ref.formula, [["time", "Evit", "Cu", "Pig"], ...rows.slice(1)], null, null))).toMatch(/lack the column Time/);
  });

  test("without the grouping column: re=include says what to add or to use re=exclude, which answers", async () => {
    const rows = [["Time"], [1], [6]];
    expect(await excelMessage(predict(dietox(), RS.formula, rows, null, null))).toBe("No conditional predictions: the new data lack Pig, which the random effects use. Add the columns to newdata, or use re=exclude for the population predictions.");
    expectValues((await predict(dietox(), RS.formula, rows, null, "re=exclude")).slice(1).map((r) => r[0]), RS.tight.predict_population.slice(0, 2));
    expect(await excelMessage(predict(dietox(), RS.formula, "Time", null, null))).toMatch(/^newdata must be a range of new rows/);
    expect(await excelMessage(predict(dietox(), RS.formula, rows, null, "re=yes"))).toMatch(/^re must be include/);
  });

  test("an answer over Excel's 5 MB is refused with the message naming the limit", async () => {
    const n = 300_000;
    const rows: unknown[][] = [["Time", "Pig"]];
    for (let i = 0; i < n; i++) rows.push([1 + (i % 12), 4601]);
    expect(jsonBytes(rows)).toBeLessThan(EXCEL_PAYLOAD_LIMIT);
    expect(await excelMessage(predict(dietox(), RS.formula, rows, null, null))).toMatch(/^The result is \d+\.\d MB, more than the 5\.0 MB Excel takes back from a custom function/);
  }, 60_000);
});
