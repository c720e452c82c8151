/**
 * The inference on a response whose variances are past the range of doubles (issue 9): y × 1e160
 * (σ² near 1e322) and y × 1e-160 (σ² near 1e-318, a subnormal double with three digits). Every
 * number in the units of y (standard deviations, correlations, σ, profile bounds, conditional
 * standard deviations) must be the y fit's × a, computed without σ²; the numbers in a variance's
 * units are checked with the standard errors of the variances (varianceSE.test.ts) and in print
 * (test/report/magnitudes.test.ts).
 */
import { confint, DataTable, fitModel, ModelSpec } from "../../../src/engine";
import { fixtureTable } from "../../helpers";

const dietox = fixtureTable("dietox.csv");
function scaled(a: number): DataTable {
  const rows: unknown[][] = [["Weight", "Time", "Pig"]];
  for (let i = 0; i < dietox.nRows; i++) rows.push([a * Number(dietox.label("Weight", i)), Number(dietox.label("Time", i)), dietox.label("Pig", i)]);
  return DataTable.fromRows(rows);
}

const SPEC: ModelSpec = { formula: "Weight ~ Time + (Time|Pig)" };
const base = fitModel(scaled(1), SPEC);

/** v/a/a-free comparison: got / a against want, relative. */
const rel = (got: number, want: number, a: number) => Math.abs(got / a - want) / Math.abs(want);

describe.each([1e160, 1e-160])("y × %s", (a) => {
  const m = fitModel(scaled(a), SPEC);

  test("Wald intervals: the sds, the correlation and σ are the y fit's × a (the correlation as it is), not null or off by the subnormal σ²'s rounding", () => {
    const got = confint(m, { method: "wald" }).rows, want = confint(base, { method: "wald" }).rows;
    got.forEach((r, k) => {
      const w = want[k];
      if (r.name.startsWith("cor_")) expect(Math.abs(r.estimate - w.estimate)).toBeLessThan(1e-9);
      else expect(rel(r.estimate, w.estimate, a)).toBeLessThan(1e-9);
      if (w.low !== null) expect(rel(r.low!, w.low, a)).toBeLessThan(1e-9);
    });
  });

  test("profile intervals of σ and of a fixed effect: the y fit's × a (a profile no longer starts at an infinite step)", () => {
    const which = ["sigma", "Time"];
    const got = confint(m, { method: "profile", which }).rows, want = confint(base, { method: "profile", which }).rows;
    for (const name of which) {
      const r = got.find((x) => x.name === name)!, w = want.find((x) => x.name === name)!;
      const width = w.high! - w.low!;
      // the refits' tolerance: 1e-5 of the interval (invarianceInference.property.test.ts)
      expect(Math.abs(r.low! / a - w.low!)).toBeLessThan(1e-5 * width);
      expect(Math.abs(r.high! / a - w.high!)).toBeLessThan(1e-5 * width);
    }
  });

  test("conditional standard deviations of the random effects (the summary sheet's caterpillar plot): the y fit's × a", () => {
    const got = fitModel(scaled(a), SPEC, { conditionalVariances: true }).result.randomEffects[0].condSd!;
    const want = fitModel(scaled(1), SPEC, { conditionalVariances: true }).result.randomEffects[0].condSd!;
    got.forEach((row, l) => row.forEach((v, c) => expect(rel(v, want[l][c], a)).toBeLessThan(1e-9)));
  });
});
