/**
 * The functions as Excel calls them (FakeFunctionsHost in test/office/fakeExcel.ts, which follows
 * Microsoft's documentation), with the metadata the build ships: the generated functions.json
 * plus allowErrorForDataTypeAny (scripts/functions-metadata.js, as webpack.config.js applies it).
 */
import { readFileSync } from "fs";
import { join } from "path";
import fc from "fast-check";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { withErrorInputs } from "../../scripts/functions-metadata";
import { DataTable, fitMixedModel } from "../../src/engine";
import { FUNCTIONS } from "../../src/functions/functions";
import { EXCEL_PAYLOAD_LIMIT, jsonBytes, sheetFormulaWarning } from "../../src/functions/limits";
import { ModelRegistry } from "../../src/functions/models";
import { setModels } from "../../src/functions/run";
import { coefTable, statsTable, summaryTable, varcompTable } from "../../src/report/tables";
import { WorkerClient } from "../../src/worker/client";
import { FIXTURES } from "../helpers";
import { CellError, CellResult, FakeFunctionsHost, FunctionsMetadata, Platform } from "../office/fakeExcel";
import { ClonedWorker } from "../worker/clonedWorker";

let shipped: FunctionsMetadata;
let generated: FunctionsMetadata;

class ExcelError {
  constructor(readonly code: string, readonly message?: string) {}
}

beforeAll(async () => {
  const g = await generateCustomFunctionsMetadata(join(__dirname, "../../src/functions/functions.ts"));
  generated = JSON.parse(g.metadataJson);
  shipped = withErrorInputs(generated);
  (globalThis as Record<string, unknown>).CustomFunctions = { Error: ExcelError, ErrorCode: { invalidValue: "#VALUE!" } };
});
afterAll(() => {
  delete (globalThis as Record<string, unknown>).CustomFunctions;
  setModels(undefined);
});
beforeEach(() => {
  setModels(new ModelRegistry(new WorkerClient(() => new ClonedWorker())));
});

const host = (platform: Platform = "web", metadata = shipped) => new FakeFunctionsHost(metadata, FUNCTIONS as Record<string, (...a: unknown[]) => unknown>, platform);

/** dietox as cells: NA as empty cells (undefined: the host sends null or 0 by platform). */
function dietoxCells(): unknown[][] {
  return readFileSync(join(FIXTURES, "data", "dietox.csv"), "utf8").trim().split(/\r?\n/).map((line, i) =>
    line.split(",").map((cell) => {
      const s = cell.replace(/^"|"$/g, "");
      if (i === 0) return s;
      if (s === "NA") return undefined;
      return cell.startsWith('"') ? s : Number(s);
    }),
  );
}

function spill(r: CellResult): unknown[][] {
  if (r.kind !== "spill") throw new Error(`expected a spill, got ${JSON.stringify(r).slice(0, 300)}`);
  return r.values;
}

const statOf = (t: unknown[][], name: string) => t.find((r) => r[0] === name)?.[1];

describe("error cells in the data", () => {
  test("#N/A in the data and in the groups range: the rows are dropped, the model fits", async () => {
    const d = dietoxCells();
    d[10][5] = new CellError("#N/A");
    d[20][7] = new CellError("#DIV/0!");
    const groups = d.map((r) => [r[0]]);
    groups[30][0] = new CellError("#REF!");
    const t = spill(await host().calculate("STATS", d, "Weight ~ Time", groups));
    expect(statOf(t, "Rows dropped (missing values)")).toBe(3);
    expect(statOf(t, "Observations")).toBe(858);
  });

  test("without allowErrorForDataTypeAny (the metadata plugin's own output) Excel never calls the function", async () => {
    expect((generated as { allowErrorForDataTypeAny?: boolean }).allowErrorForDataTypeAny).toBeUndefined();
    const d = dietoxCells();
    d[10][5] = new CellError("#N/A");
    const h = host("web", generated);
    expect(await h.calculate("STATS", d, "Weight ~ Time", "Pig")).toEqual({ kind: "error", code: "#N/A" });
    expect(h.calls).toBe(0);
  });
});

describe("data types", () => {
  test("formatted numbers, doubles and strings as data types are read through their basic value; an add-in's entity is missing", async () => {
    const plain = dietoxCells();
    const typed = dietoxCells().map((r, i) => (i === 0 ? r : r.map((v, j) => {
      if (j === 5 && typeof v === "number") return { type: "FormattedNumber", basicValue: v, numberFormat: "0.0 \"kg\"" };
      if (j === 7 && typeof v === "number") return { type: "Double", basicValue: v, basicType: "Double" };
      if (j === 1 && typeof v === "string") return { type: "String", basicValue: v };
      return v;
    })));
    typed[40][5] = { type: "Entity", text: "a pig", basicValue: "#VALUE!", basicType: "Error", properties: {} };
    plain[40][5] = undefined;
    const a = spill(await host().calculate("COEF", typed, "Weight ~ Time + Evit", "Pig"));
    const b = spill(await host().calculate("COEF", plain, "Weight ~ Time + Evit", "Pig"));
    expect(a).toEqual(b);
    expect(statOf(spill(await host().calculate("STATS", typed, "Weight ~ Time", "Pig")), "Rows dropped (missing values)")).toBe(1);
  });
});

describe("blank cells by platform", () => {
  test("the web sends null (missing), the desktop 0 (a value): the README says to mark missing values NA", async () => {
    const d = dietoxCells();
    d[3][5] = undefined;
    expect(statOf(spill(await host("web").calculate("STATS", d, "Weight ~ Time", "Pig")), "Rows dropped (missing values)")).toBe(1);
    expect(statOf(spill(await host("desktop").calculate("STATS", d, "Weight ~ Time", "Pig")), "Rows dropped (missing values)")).toBe(0);
  });
});

describe("Excel's 5 MB", () => {
  test("an answer over 5 MB is #VALUE! with a message, never a #BUSY! that does not end", async () => {
    const d: unknown[][] = [["y", "x", "g"]];
    for (let i = 0; i < 250_000; i++) d.push([(i * 7919) % 97, i % 13, i % 50]);
    const r = await host().calculate("FITTED", d, "y ~ x", "g");
    expect(r).toMatchObject({ kind: "error", code: "#VALUE!", message: expect.stringMatching(/more than the 5\.0 MB Excel takes back/) });
    expect(spill(await host().calculate("STATS", d, "y ~ x", "g")).length).toBeGreaterThan(5);
  }, 60_000);

  test("arguments over 5 MB never reach the function; the pane's warning for its formula agrees with Excel", async () => {
    const rows = (n: number) => {
      const d: unknown[][] = [["response", "covariate", "group"]];
      for (let i = 0; i < n; i++) d.push([Math.sin(i) * 1000, i / 7, `group ${i % 300}`]);
      return d;
    };
    const seen: boolean[] = [];
    for (const n of [50_000, 110_000]) {
      const d = rows(n);
      const h = host();
      const r = await h.calculate("STATS", d, "response ~ covariate", "group");
      const over = jsonBytes(d) > EXCEL_PAYLOAD_LIMIT;
      seen.push(over);
      expect(r.kind === "busy").toBe(over);
      expect(h.calls).toBe(over ? 0 : 1);
      expect(sheetFormulaWarning(d) !== null).toBe(over);
    }
    expect(seen).toEqual([false, true]);
  }, 60_000);

  test("functions calculated together share one request: seven on a 1 MB range exceed it", async () => {
    const d: unknown[][] = [["y", "x", "g"]];
    for (let i = 0; i < 25_000; i++) d.push([Math.sin(i) * 1000, i / 7, `group ${i % 300}`]);
    expect(jsonBytes(d)).toBeGreaterThan(EXCEL_PAYLOAD_LIMIT / 7);
    const all = await host().calculateTogether(["FIT", "COEF", "VARCOMP", "STATS", "RANEF", "FITTED", "RESID"].map((f) => [f, d, "y ~ x", "g"] as [string, ...unknown[]]));
    expect(all.every((r) => r.kind === "busy")).toBe(true);
  });
});

describe("what the cells show", () => {
  test("the spills are the engine's tables, cell for cell: no null shown as 0", async () => {
    const d = dietoxCells();
    const direct = fitMixedModel(DataTable.fromRows(d.map((r) => r.map((v) => (v === undefined ? null : v)))), { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" });
    const h = host();
    const [fit, coef, varcomp, stats] = await h.calculateTogether(["FIT", "COEF", "VARCOMP", "STATS"].map((f) => [f, d, "Weight ~ Time", "Pig", "re_formula=~Time"] as [string, ...unknown[]]));
    expect(spill(fit)).toEqual(summaryTable(direct));
    expect(spill(coef)).toEqual(coefTable(direct));
    expect(spill(varcomp)).toEqual(varcompTable(direct));
    expect(spill(stats)).toEqual(statsTable(direct));
  });

  test("property: on generated data every spilled cell is what the engine's table holds (no 0 from a null or a NaN)", async () => {
    const datasets = fc.record({
      groups: fc.integer({ min: 2, max: 12 }),
      size: fc.integer({ min: 2, max: 15 }),
      scale: fc.constantFrom(1, 1e-6, 1e6),
      blanks: fc.array(fc.nat(), { maxLength: 5 }),
    });
    await fc.assert(fc.asyncProperty(datasets, async ({ groups, size, scale, blanks }) => {
      const d: unknown[][] = [["y", "x", "g"]];
      for (let g = 0; g < groups; g++) for (let i = 0; i < size; i++) d.push([scale * (Math.sin(g * 7 + i) + g * 0.3), i, `g${g}`]);
      for (const b of blanks) d[1 + (b % (d.length - 1))][0] = undefined;
      let direct;
      try {
        direct = fitMixedModel(DataTable.fromRows(d.map((r) => r.map((v) => (v === undefined ? null : v)))), { formula: "y ~ x", groups: "g" });
      } catch {
        return; // a model the engine refuses: the message is tested elsewhere
      }
      const [coef, stats] = await host().calculateTogether([["COEF", d, "y ~ x", "g"], ["STATS", d, "y ~ x", "g"]]);
      expect(spill(coef)).toEqual(coefTable(direct));
      expect(spill(stats)).toEqual(statsTable(direct));
    }), { seed: 4242, numRuns: 40 });
  });
});

describe("the inference functions as Excel calls them", () => {
  /** New rows for dietox's random-slope model, with an empty row and an empty row at the end (undefined: null on the web, 0 on the desktop). */
  const NEW = [["Time", "Pig"], [1, 4601], [undefined, undefined], [12, 99999], [undefined, undefined]];
  const FORMULA = "Weight ~ Time + (Time|Pig)";

  test.each(["web", "desktop"] as Platform[])("PREDICT on %s: empty rows of newdata are blank cells, never 0; the others lme4's predictions", async (platform) => {
    const t = spill(await host(platform).calculate("PREDICT", dietoxCells(), FORMULA, NEW, undefined, undefined));
    expect(t).toHaveLength(NEW.length);
    expect([t[0][0], t[2][0], t[4][0]]).toEqual(["Prediction", "", ""]);
    // lme4 (tight optimum), test/fixtures/inference/dietox_rs.json: 21.9579257107139, 99.0068197842135
    expect(Math.abs((t[1][0] as number) - 21.9579257107139) / 21.96).toBeLessThan(1e-6);
    expect(Math.abs((t[3][0] as number) - 99.0068197842135) / 99.0).toBeLessThan(1e-6);
  });

  test("COMPARE, ANOVA and CONFINT: reduced formulas as text or a range, the tables spilled as the report makes them, blanks as blanks", async () => {
    const d = dietoxCells();
    const [one, range, table, ci] = await host().calculateTogether([
      ["COMPARE", d, FORMULA, "Weight ~ Time + (1|Pig)"],
      ["COMPARE", d, FORMULA, [["Weight ~ Time + (1|Pig)"], [undefined]]],
      ["ANOVA", d, "Weight ~ Time * factor(Cu) + (Time|Pig)", undefined, "type=1; ddf=Kenward-Roger"],
      ["CONFINT", d, FORMULA, undefined, "ci=wald"],
    ]);
    expect(spill(one)).toEqual(spill(range));
    // lme4: χ² 374.359318 on 2 df; the first model has no test: blank cells
    expect(Math.abs((spill(one)[2][6] as number) - 374.359318081824)).toBeLessThan(2e-4 * 374.36);
    expect(spill(one)[1].slice(6, 9)).toEqual(["", "", ""]);
    expect(spill(table)[0][0]).toBe("Type I Analysis of Variance Table with Kenward-Roger's method");
    expect(spill(ci)[1].slice(2)).toEqual(["", ""]);
  });
});
