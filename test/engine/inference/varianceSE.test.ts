/**
 * Standard errors of the variances on their own scale (observed information of the fitted
 * criterion), against lme4's deviance differentiated by numDeriv (scripts/reference/inference/fit_inference_lme4.R),
 * and beside statsmodels' number in the JSON.
 */
import { confint, DataTable, fitModel, ModelSpec, varianceStdErrors } from "../../../src/engine";
import { isFullVariance, productText } from "../../../src/report/format";
import { inferenceJson, varianceStdErrorTable, varianceStdErrorText } from "../../../src/report/inference";
import { fixtureTable } from "../../helpers";
import { fitOf, ownCases, Ref } from "./inferenceHelpers";

function expectSE(rows: ReturnType<typeof varianceStdErrors>["rows"], ref: { name: string; value: number; stdErr: number }[]): void {
  expect(rows.map((r) => r.name)).toEqual(ref.map((e) => e.name));
  ref.forEach((e, i) => {
    expect(Math.abs(rows[i].value - e.value)).toBeLessThan(2e-4 * Math.max(1, Math.abs(e.value)));
    expect(Math.abs(rows[i].stdErr! - e.stdErr) / e.stdErr).toBeLessThan(1e-3);
  });
}

describe.each(ownCases().filter((c) => Array.isArray(c.variance_se)).map((c) => [c.id, c] as [string, Ref]))("%s", (_, ref) => {
  test(`${ref.method} fit`, () => expectSE(varianceStdErrors(fitOf(ref).core).rows, ref.variance_se));
  if (Array.isArray(ref.ml?.variance_se)) test("ML fit", () => expectSE(varianceStdErrors(fitOf(ref, "ML").core).rows, ref.ml.variance_se));
});

test("statsmodels' dietox example: beside 'Pig Var 40.394' statsmodels prints 2.149; the variance's standard error is 6.94", () => {
  const m = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time", groups: "Pig" });
  const v = varianceStdErrors(m.core);
  expect(v.criterion).toBe("REML");
  const pig = v.rows.find((r) => r.statsmodelsName === "Pig Var")!;
  expect(m.result.varianceRows[0].statsmodelsStdErr).toBeCloseTo(2.149, 3);
  expect(Math.abs(pig.stdErr! - 6.93881) / 6.93881).toBeLessThan(1e-3);
  expect(v.rows.map((r) => r.statsmodelsName)).toEqual(["Pig Var", "Scale"]);
});

test("statsmodels names of a random slope's covariance entries", () => {
  const m = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" });
  expect(varianceStdErrors(m.core).rows.map((r) => r.statsmodelsName)).toEqual(["Pig Var", "Pig x Time Cov", "Time Var", "Scale"]);
  expect(m.result.varianceRows.map((r) => r.name)).toEqual(["Pig Var", "Pig x Time Cov", "Time Var"]);
});

test("a variance at zero has no standard error (null); with it held there, σ² has a linear model's: σ² √(2 / (n − p)) under REML", () => {
  const m = fitModel(fixtureTable("Dyestuff2.csv"), { formula: "Yield ~ 1 + (1|Batch)" });
  expect(m.result.singular).toBe(true);
  const [batch, residual] = varianceStdErrors(m.core).rows;
  expect(batch).toMatchObject({ name: "var_(Intercept)|Batch", value: 0, stdErr: null });
  expect(Math.abs(residual.stdErr! - m.result.scale * Math.sqrt(2 / 29)) / residual.stdErr!).toBeLessThan(1e-6);
});

test("the fit's factor is left at its optimum after the standard errors and the profiles (others read it there)", () => {
  for (const method of ["REML", "ML"] as const) {
    const m = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + (Time|Pig)", method });
    const before = m.core.deviance.devianceFromFactor();
    varianceStdErrors(m.core);
    expect(m.core.deviance.devianceFromFactor()).toBe(before);
    confint(m, { method: "profile", criterion: "REML", which: ["sigma"] });
    expect(m.core.deviance.devianceFromFactor()).toBe(before);
  }
});

// ---- a response of any unit (issue 9) ---------------------------------------------------------

/** A fixture with its response column multiplied by a. */
function scaledResponse(file: string, response: string, a: number): DataTable {
  const t = fixtureTable(file);
  const rows: unknown[][] = [t.names];
  for (let i = 0; i < t.nRows; i++) rows.push(t.names.map((c) => (c === response ? a * Number(t.label(c, i)) : t.column(c).kind === "numeric" ? Number(t.label(c, i)) : t.label(c, i))));
  return DataTable.fromRows(rows);
}

const UNIT_CASES: { file: string; response: string; spec: ModelSpec }[] = [
  { file: "dietox.csv", response: "Weight", spec: { formula: "Weight ~ Time + (Time|Pig)" } },
  { file: "dietox.csv", response: "Weight", spec: { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time", method: "ML" } },
  { file: "Pastes.csv", response: "strength", spec: { formula: "strength ~ 1", groups: "batch", vcFormula: { cask: "0 + C(cask)" } } },
];

describe.each([1e150, -1e150, 1e-150])("y × %s: every variance and its standard error is the y fit's × a², a finite number", (a) => {
  test.each(UNIT_CASES)("$spec.formula ($file)", ({ file, response, spec }) => {
    const base = varianceStdErrors(fitModel(scaledResponse(file, response, 1), spec).core);
    const got = varianceStdErrors(fitModel(scaledResponse(file, response, a), spec).core);
    expect(got.rows.map((r) => r.name)).toEqual(base.rows.map((r) => r.name));
    got.rows.forEach((r, i) => {
      const b = base.rows[i];
      expect(Number.isFinite(r.value) && Number.isFinite(r.stdErr!)).toBe(true);
      // (v a) a: the product in this order stays within range where a² does not
      expect(Math.abs(r.value / a / a - b.value)).toBeLessThan(1e-8 * Math.abs(b.value) + 1e-12);
      expect(Math.abs(r.stdErr! / Math.abs(a) / Math.abs(a) - b.stdErr!)).toBeLessThan(1e-7 * b.stdErr!);
      // the split form: relative parts free of the unit
      expect(Math.abs(r.relative.stdErr! - b.relative.stdErr!)).toBeLessThan(1e-7 * b.relative.stdErr!);
    });
  });
});

describe.each([1e160, 1e-160])("y × %s: variances and their standard errors past the range of doubles", (a) => {
  test.each(UNIT_CASES)("$spec.formula ($file): text from their relative parts and σ, the y fit's × a²; null in the JSON, with the fit's warning", ({ file, response, spec }) => {
    const base = varianceStdErrors(fitModel(scaledResponse(file, response, 1), spec).core);
    const m = fitModel(scaledResponse(file, response, a), spec);
    const got = varianceStdErrors(m.core);
    const table = varianceStdErrorTable(got);
    got.rows.forEach((r, i) => {
      const b = base.rows[i];
      expect(isFullVariance(r.value)).toBe(false);
      // the text is the y fit's number × a², to the digits shown
      expect(table[i + 1][1]).toBe(productText([b.value, a, a], 6));
      expect(table[i + 1][2]).toBe(productText([b.stdErr!, a, a], 6));
    });
    expect(varianceStdErrorText(got).join("\n")).not.toMatch(/\bNA\b|Inf|NaN/);
    const json = inferenceJson({ varianceSE: got }).varianceStdErr!;
    expect(json.rows.every((r) => r.value === null && r.stdErr === null)).toBe(true);
    expect(m.result.warnings.join(" ")).toMatch(a > 1 ? /larger than the largest number a double holds.*standard errors/ : /below the smallest number a double holds to full precision.*standard errors/);
  });
});
