/** The task pane's pure parts: the model state, the data description, the fit view, the sample data. */
import { execFileSync } from "child_process";
import { join } from "path";
import { MixedLMError } from "../../src/engine";
import { FitClient } from "../../src/taskpane/fitClient";
import { readFormula } from "../../src/taskpane/formulaModel";
import { dataFingerprint, describeData, groupsProposals, mayBeCodes } from "../../src/taskpane/model";
import { conflictOf, fitBlocker, INITIAL_MODEL, ModelAction, modelReducer, modelSpec, ModelState, specKey } from "../../src/taskpane/modelState";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import { ClonedWorker } from "../worker/clonedWorker";

describe("model state: the formula drives, the controls edit it", () => {
  const columns = SAMPLE_ROWS[0] as string[];
  const start = modelReducer(INITIAL_MODEL, { type: "data", columns });
  const run = (s: ModelState, ...actions: ModelAction[]) => actions.reduce(modelReducer, s);

  test("a typed formula survives every control that is not about its terms", () => {
    const typed = run(start, { type: "formula", text: "np.log(Weight) ~ Time + I(Time**2)" });
    for (const a of [
      { type: "method", method: "ML" }, { type: "groups", column: "Pig" }, { type: "intercept", on: false }, { type: "slopes", columns: ["Time"] },
      { type: "addVc", name: "litter", column: "Litter" }, { type: "removeVc", name: "litter" }, { type: "data", columns },
    ] as ModelAction[]) expect(run(typed, a).formula).toBe("np.log(Weight) ~ Time + I(Time**2)");
    expect(run(typed, { type: "fixed", column: "Feed", on: true }).formula).toBe("np.log(Weight) ~ Time + I(Time**2) + Feed");
    expect(run(typed, { type: "categorical", column: "Litter", on: true }, { type: "fixed", column: "Litter", on: true }).formula).toBe("np.log(Weight) ~ Time + I(Time**2) + C(Litter)");
    // a formula with a syntax error is left alone by the term controls
    const broken = run(start, { type: "formula", text: "Weight ~ Time +" });
    expect(run(broken, { type: "fixed", column: "Cu", on: true }, { type: "crossed", on: true }).formula).toBe("Weight ~ Time +");
  });

  test("spec: the random intercept stays when variance components are added (re_formula written out)", () => {
    const s = run(start, { type: "response", column: "Weight" }, { type: "fixed", column: "Time", on: true }, { type: "groups", column: "Pig" });
    expect(s.formula).toBe("Weight ~ Time");
    expect(modelSpec(s)).toEqual({ formula: "Weight ~ Time", method: "REML", groups: "Pig" });
    expect(modelSpec(run(s, { type: "addVc", name: "", column: "Litter" }))).toEqual({ formula: "Weight ~ Time", method: "REML", groups: "Pig", reFormula: "1", vcFormula: { Litter: "0 + C(Litter)" } });
    expect(modelSpec(run(s, { type: "slopes", columns: ["Time"] }, { type: "method", method: "ML" }))).toMatchObject({ reFormula: "~Time", method: "ML" });
    expect(modelSpec(run(s, { type: "intercept", on: false }, { type: "slopes", columns: ["Time"] })).reFormula).toBe("~0 + Time");
    expect(modelSpec(run(s, { type: "intercept", on: false }, { type: "addVc", name: "l", column: "Litter" })).reFormula).toBe("0");
    // the groups column leaves the slopes and components
    expect(run(s, { type: "slopes", columns: ["Time"] }, { type: "groups", column: "Time" }).slopes).toEqual([]);
  });

  test("conflicts and what keeps Fit disabled, as you type", () => {
    const data = describeData("Sheet1!A1:H862", SAMPLE_ROWS);
    const s = run(start, { type: "formula", text: "Weight ~ Time + (1 | Pig)" }, { type: "groups", column: "Pig" });
    const v = readFormula(s.formula, s.columns);
    expect(conflictOf(s, v)!.message).toMatch(/\(1 \| Pig\) and the groups column Pig/);
    expect(fitBlocker(s, v, true)).toMatch(/conflict/);
    const fixed = run(s, { type: "removeTerm", summand: conflictOf(s, v)!.bars[0].summand });
    expect(fixed.formula).toBe("Weight ~ Time");
    expect(fitBlocker(fixed, readFormula(fixed.formula, columns), true)).toBeNull();
    expect(fitBlocker(start, readFormula("", columns), false)).toMatch(/Use selection/);
    expect(fitBlocker(start, readFormula("", columns), true)).toMatch(/response/);
    expect(fitBlocker(start, readFormula("Weight ~ Time", columns), true)).toMatch(/groups column/);
    expect(fitBlocker(run(fixed, { type: "intercept", on: false }), readFormula(fixed.formula, columns), true)).toMatch(/no random effects/);
    expect(data.rows).toBe(861);
  });

  test("the key of a model changes with formula, method, random effects", () => {
    const a = modelSpec(run(start, { type: "formula", text: "Weight ~ Time" }, { type: "groups", column: "Pig" }));
    expect(specKey(a)).toBe(specKey({ ...a }));
    for (const b of [{ ...a, formula: "Weight ~ Time + Cu" }, { ...a, method: "ML" as const }, { ...a, reFormula: "~Time" }, { ...a, groups: "Litter" }]) expect(specKey(b)).not.toBe(specKey(a));
  });
});

// distinct counts checked against pandas: d.nunique() on dietox.csv
describe("the data as the pane describes them", () => {
  test("columns typed, with missing and distinct counts; groups proposals prefer repeated values", () => {
    const d = describeData("Sheet1!A1:H862", SAMPLE_ROWS);
    expect(d.rows).toBe(861);
    expect(d.columns.map((c) => [c.name, c.kind, c.missing, c.distinct])).toEqual([
      ["Pig", "numeric", 0, 72], ["Evit", "categorical", 0, 3], ["Cu", "categorical", 0, 3], ["Litter", "numeric", 0, 21],
      ["Start", "numeric", 0, 54], ["Weight", "numeric", 0, 545], ["Feed", "numeric", 72, 605], ["Time", "numeric", 0, 12],
    ]);
    const p = groupsProposals(d, ["Weight"]);
    expect(p.slice(0, 5).map((x) => x.column)).toEqual(["Pig", "Litter", "Time", "Evit", "Cu"]);
    expect(p.every((x) => x.column !== "Weight")).toBe(true);
    expect(p.find((x) => x.column === "Feed")!.likely).toBe(false);
    expect(mayBeCodes(d.columns[0], d.rows)).toBe(true);
    expect(mayBeCodes(d.columns[5], d.rows)).toBe(false);
    expect(() => describeData("A1", [["only a header"]])).toThrow(MixedLMError);
  });
  test("the fingerprint changes with any cell or the address", () => {
    const rows = SAMPLE_ROWS.map((r) => [...r]);
    const f = dataFingerprint("A1:H862", rows);
    expect(dataFingerprint("A1:H862", rows.map((r) => [...r]))).toBe(f);
    rows[500][5] = 80.1;
    expect(dataFingerprint("A1:H862", rows)).not.toBe(f);
    expect(dataFingerprint("A1:H861", SAMPLE_ROWS)).not.toBe(f);
  });
});

describe("the fit view (what the worker sends the pane)", () => {
  test("random effects in plain words; the plots' points, each with its row in the data sheet", async () => {
    const client = new FitClient(() => new ClonedWorker());
    const view = await client.fit(SAMPLE_ROWS as unknown[][], { formula: "Weight ~ Time", groups: "Pig" }, "Sheet1!A1:H862");
    expect((view.coef[1][1] as number).toFixed(3)).toBe("15.724");
    expect(view.randomEffects.variances.map((v) => v.label)).toEqual(["Pig: (Intercept)"]);
    expect(view.randomEffects.variances[0].variance).toBeCloseTo(40.394, 2);
    const res = view.plots.residuals;
    expect([res.row.length, res.total, res.row[0], res.row[860]]).toEqual([861, 861, 2, 862]);
    expect(view.plots.qq.row.length).toBe(861);
    expect(view.plots.caterpillar!.levels.length).toBe(72);
    expect(view.plots.rowLabel).toBe("Row");
    // plain data: survives structured cloning (postMessage)
    expect(structuredClone(view)).toEqual(view);
    const layout = await client.layout();
    expect(layout.charts.length).toBe(3);
    expect(structuredClone(layout).blocks.length).toBe(layout.blocks.length);
  });
});

test("src/taskpane/sampleData.ts is generated from test/fixtures/data/dietox.csv and up to date", () => {
  expect(SAMPLE_ROWS.length).toBe(862);
  expect(SAMPLE_ROWS[1]).toEqual([4601, "Evit000", "Cu000", 1, 26.5, 26.5, "NA", 1]);
  execFileSync(process.execPath, [join(__dirname, "../../scripts/sample-data.js"), "--check"]);
});
