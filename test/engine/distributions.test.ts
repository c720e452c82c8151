/** Normal tail probabilities and quantiles (values from scipy.stats.norm, and statsmodels' p-values). */
import { normalCdf, normalQuantile, twoSidedNormalP } from "../../src/engine";
import { reference } from "../helpers";

test("normal cdf and quantile", () => {
  expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 15);
  expect(Math.abs(normalCdf(-3) - 0.0013498980316300933) / 0.0013498980316300933).toBeLessThan(1e-13);
  expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
  expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 13);
});

test("two-sided p-values far in the tail, as statsmodels gives them", () => {
  const d = reference("dietox_ri_reml", "statsmodels");
  const p = twoSidedNormalP(d.tvalues[0]);
  expect(Math.abs(p - d.pvalues[0]) / d.pvalues[0]).toBeLessThan(1e-12);
  expect(twoSidedNormalP(0)).toBe(1);
  expect(Math.abs(twoSidedNormalP(30) - 9.813427854295816e-198) / 9.813427854295816e-198).toBeLessThan(1e-12);
});
