/**
 * Standard errors of the variances on their own scale (observed information of the fitted
 * criterion), against lme4's deviance differentiated by numDeriv (scripts/reference/inference/fit_inference_lme4.R),
 * and beside statsmodels' number in the JSON.
 */
import { confint, fitModel, varianceStdErrors } from "../../../src/engine";
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
