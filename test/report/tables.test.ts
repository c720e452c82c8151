/** The shared table layouts: rectangular, numbers as numbers, aligned with the data rows. */
import { fitMixedModel } from "../../src/engine";
import { coefTable, ranefTable, rowAlignedColumn, statsTable, summaryTable, varcompTable } from "../../src/report/tables";
import { fixtureTable, reference } from "../helpers";

const dietox = fixtureTable("dietox.csv");
const rs = fitMixedModel(dietox, { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" });
const sm = reference("dietox_rs_reml", "statsmodels");
const lm = reference("dietox_rs_reml", "lme4");

function isRectangular(t: unknown[][]) {
  return t.every((r) => r.length === t[0].length);
}

test("summary grid: statsmodels' rows, numbers at full precision", () => {
  const t = summaryTable(rs);
  expect(isRectangular(t)).toBe(true);
  expect(t[0][0]).toBe("Mixed Linear Model Regression Results");
  const intercept = t.find((r) => r[0] === "Intercept")!;
  expect(Math.abs((intercept[1] as number) - lm.fe_params[0])).toBeLessThan(1e-4 * lm.bse_fe[0]);
  expect(t.find((r) => r[0] === "Pig x Time Cov")).toBeDefined();
  const ll = t.find((r) => r[3] === "Log-Likelihood:")!;
  expect(Math.abs((ll[4] as number) - lm.llf)).toBeLessThan(1e-4);
});

test("coefficient table", () => {
  const t = coefTable(rs);
  expect(t[0]).toEqual(["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"]);
  expect(t.map((r) => r[0]).slice(1)).toEqual(sm.fe_names);
});

test("variance components: variances, covariance with correlation, residual", () => {
  const t = varcompTable(rs);
  expect(isRectangular(t)).toBe(true);
  const cov = t.find((r) => r[1] === "Pig x Time")!;
  expect(Math.abs((cov[4] as number) - lm.cov_re.Pig.matrix[0][1])).toBeLessThan(2e-3 * Math.sqrt(lm.cov_re.Pig.matrix[0][0] * lm.cov_re.Pig.matrix[1][1]));
  expect(Math.abs((cov[5] as number) - lm.cov_re.Pig.corr[0][1])).toBeLessThan(2e-3);
  const res = t[t.length - 1];
  expect(res[0]).toBe("Residual");
  expect(Math.abs((res[2] as number) - lm.scale)).toBeLessThan(2e-3 * lm.scale);
});

test("statistics: REML AIC labelled as lme4's", () => {
  const t = statsTable(rs);
  const aic = t.find((r) => String(r[0]).startsWith("AIC"))!;
  expect(aic[0]).toBe("AIC (REML criterion, as lme4)");
  expect(Math.abs((aic[1] as number) - lm.aic)).toBeLessThan(2e-4);
  expect(t.find((r) => r[0] === "Converged")![1]).toBe(true);
});

test("random effects: one row per pig, the level then each effect", () => {
  const t = ranefTable(rs);
  expect(t[0]).toEqual(["Pig", "Pig", "Time"]);
  expect(t).toHaveLength(73);
  const row = t.find((r) => r[0] === "4601")!;
  const want = lm.random_effects.Pig["4601"];
  expect(Math.abs((row[1] as number) - want["(Intercept)"])).toBeLessThan(5e-3 * 4.4);
  expect(Math.abs((row[2] as number) - want.Time)).toBeLessThan(5e-3 * 0.65);
});

test("random effects of (Days || Subject): one block for Subject with both terms' columns, as lme4's ranef", () => {
  const r = fitMixedModel(fixtureTable("sleepstudy.csv"), { formula: "Reaction ~ Days + (Days||Subject)" });
  const ref = reference("sleepstudy_dblbar_reml", "lme4");
  const t = ranefTable(r);
  expect(t[0]).toEqual(["Subject", "(Intercept)", "Days"]);
  expect(t).toHaveLength(19);
  const sd = Math.sqrt(ref.cov_re.Subject.matrix[0][0]);
  for (const row of t.slice(1)) {
    const want = ref.random_effects.Subject[String(row[0])];
    expect(Math.abs((row[1] as number) - want["(Intercept)"])).toBeLessThanOrEqual(5e-3 * sd);
    expect(Math.abs((row[2] as number) - want.Days)).toBeLessThanOrEqual(5e-3 * sd);
  }
  // the variance components: one row per term, both under Subject
  const vc = varcompTable(r);
  expect(vc.slice(1, 3).map((x) => x.slice(0, 2))).toEqual([["Subject", "(Intercept)"], ["Subject", "Days"]]);
});

test("fitted values and residuals sit beside their data rows, blank where a row was dropped", () => {
  const r = fitMixedModel(dietox, { formula: "Weight ~ Time + Feed", groups: "Pig" });
  const f = rowAlignedColumn(r, "fitted");
  const e = rowAlignedColumn(r, "residuals");
  expect(f).toHaveLength(861);
  expect(f[0][0]).toBe(""); // Feed missing on the first row
  const y = dietox.column("Weight");
  expect((f[1][0] as number) + (e[1][0] as number)).toBeCloseTo(y.kind === "numeric" ? y.values[1] : NaN, 9);
});
