/** Predictions on new rows: messages that name what is missing, missing values, new levels, standard errors. */
import { DataTable, fitModel, isMixedLMError, predictNew } from "../../../src/engine";
import { fixtureTable } from "../../helpers";

const dietox = () => fixtureTable("dietox.csv");
const rows = (header: string[], ...r: unknown[][]) => DataTable.fromRows([header, ...r]);

test("every column the fixed effects need and the new data lack is named in one message", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + C(Cu) + Start + (1|Pig)" });
  let err: unknown = null;
  try { predictNew(m, rows(["Pig", "Feed"], [4601, 1])); } catch (e) { err = e; }
  expect(isMixedLMError(err)).toBe(true);
  expect((err as Error).message).toMatch(/lack the columns Time, Cu, Start/);
});

test("every unseen level of a fixed-effect factor is named", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + C(Cu) + C(Evit) + (1|Pig)" });
  expect(() => predictNew(m, rows(["Time", "Cu", "Evit", "Pig"], [1, "Cu999", "Evit000", 4601], [2, "Cu000", "Evit7", 4601], [3, "Cu888", "Evit000", 1])))
    .toThrow(/C\(Cu\): "Cu999", "Cu888"; C\(Evit\): "Evit7"/);
});

test("a new level of a grouping factor contributes 0 (lme4's allow.new.levels); a missing group too", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + (Time|Pig)" });
  const p = predictNew(m, rows(["Time", "Pig"], [3, 123456], [3, ""], [3, 4601]));
  expect(p.conditional![0]).toBe(p.population[0]);
  expect(p.conditional![1]).toBe(p.population[1]);
  expect(p.conditional![2]).not.toBe(p.population[2]);
});

test("rows with a missing fixed-effect value get no prediction (NaN) and a note; the others keep their order", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + (1|Pig)" });
  const all = predictNew(m, rows(["Time", "Pig"], [1, 4601], [5, 4601]));
  const p = predictNew(m, rows(["Time", "Pig"], [1, 4601], ["", 4601], [5, 4601]));
  expect(Array.from(p.population)).toEqual([all.population[0], NaN, all.population[1]]);
  expect(Number.isNaN(p.seFixed[1]) && Number.isNaN(p.conditional![1])).toBe(true);
  expect(p.notes.join(" ")).toMatch(/1 of 3 new rows have a missing value/);
});

test("without the grouping column the population predictions stand and the conditional ones are null, with a note", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + (1|Pig)" });
  const p = predictNew(m, rows(["Time"], [1], [2]));
  expect(p.conditional).toBeNull();
  expect(p.notes.join(" ")).toMatch(/lack Pig/);
  expect(Number.isFinite(p.population[1])).toBe(true);
});

test("the standard error of the population prediction is √(x'Vx): at the intercept alone it is the intercept's standard error", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + (Time|Pig)" });
  const p = predictNew(m, rows(["Time", "Pig"], [0, 4601]));
  expect(p.seFixed[0]).toBeCloseTo(m.result.fixedEffects[0].stdErr, 12);
  expect(p.population[0]).toBeCloseTo(m.result.fixedEffects[0].coef, 12);
});

test("statsmodels variance components: population predictions, and a note instead of conditional ones", () => {
  const m = fitModel(fixtureTable("Pastes.csv"), { formula: "strength ~ 1", groups: "batch", vcFormula: { cask: "0 + C(cask)" } });
  const p = predictNew(m, rows(["batch", "cask"], ["A", "a"]));
  expect(p.conditional).toBeNull();
  expect(p.notes.join(" ")).toMatch(/variance components/);
  expect(p.population[0]).toBeCloseTo(m.result.fixedEffects[0].coef, 12);
});

test("a covariate far from zero (Time + 1e9): the same predictions and standard errors as on Time itself (x'Vx would cancel to nothing)", () => {
  const shifted = (t: DataTable) => DataTable.fromRows([["Weight", "Time", "Pig"], ...Array.from({ length: t.nRows }, (_, i) => [Number(t.label("Weight", i)), Number(t.label("Time", i)) + 1e9, t.label("Pig", i)])]);
  const newRows = (d: number) => rows(["Time", "Pig"], [3 + d, 4601], [12 + d, 123456], [-5 + d, 4601]);
  for (const spec of [{ formula: "Weight ~ Time + (Time|Pig)" }, { formula: "Weight ~ Time", groups: "Pig" }]) {
    const a = predictNew(fitModel(dietox(), spec), newRows(0));
    const b = predictNew(fitModel(shifted(dietox()), spec), newRows(1e9));
    for (let i = 0; i < 3; i++) {
      // Time + 1e9 is stored to 1e-7: the predictions agree to what that moves them by
      expect(Math.abs(b.population[i] - a.population[i])).toBeLessThan(1e-5);
      expect(Math.abs(b.seFixed[i] - a.seFixed[i])).toBeLessThan(1e-6 * a.seFixed[i]);
      if (a.conditional) expect(Math.abs(b.conditional![i] - a.conditional[i])).toBeLessThan(1e-5);
    }
  }
});

test("text in a column of numbers in the new rows is named by row (it once failed as 'Cannot build column Time')", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + (1|Pig)" });
  expect(() => predictNew(m, rows(["Time", "Pig"], [3, 4601], [4, 4601], ["1,5", 4601]))).toThrow(/In the new data, "Time" must be numbers, as in the fitted data, but it holds text: new row 3 "1,5"/);
});
