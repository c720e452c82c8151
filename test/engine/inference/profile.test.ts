/**
 * Profile intervals where theory or a second route gives the answer: the REML option's bound of σ
 * checked by a separate minimisation, a boundary fit against lme4, the response's units, and
 * the choice of parameters.
 */
import fc from "fast-check";
import { confint, DataTable, fitModel, normalQuantile } from "../../../src/engine";
import { minimize } from "../../../src/engine/optimizer";
import { criterionAt } from "../../../src/engine/inference/view";
import { fixtureTable } from "../../helpers";

const sleep = () => fixtureTable("sleepstudy.csv");

test("REML criterion: at σ's bounds the REML criterion, minimised over θ alone, is z² above its minimum (ζ = z to the root finding's 1e-5)", () => {
  const m = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + C(Evit) + (1|Pig)" });
  const ci = confint(m, { method: "profile", criterion: "REML", which: ["sigma"] });
  expect(ci.criterion).toBe("REML");
  expect(ci.notes.join(" ")).not.toMatch(/ML deviance/);
  const sigma = ci.rows.find((r) => r.name === "sigma")!;
  const z = normalQuantile(0.975);
  for (const bound of [sigma.low!, sigma.high!]) {
    const r = minimize((th) => criterionAt(m.core, th, bound, true), Float64Array.from(m.core.theta));
    expect(Math.abs(Math.sqrt(r.f - m.core.minusTwoLogLik) - z)).toBeLessThan(3e-5);
  }
  // the REML profile differs from lme4's ML one (on sleepstudy, whose fixed effects lie in the random effects' columns, σ gets the same interval from both)
  const ml = confint(m, { method: "profile", which: ["sigma"] }).rows.find((r) => r.name === "sigma")!;
  expect(Math.abs(ml.low! - sigma.low!)).toBeGreaterThan(1e-3);
});

test("a variance estimated at zero: lower bound 0, as lme4 (Dyestuff2: 0, 2.084043; sigma 2.892831, 4.815833)", () => {
  const m = fitModel(fixtureTable("Dyestuff2.csv"), { formula: "Yield ~ 1 + (1|Batch)" });
  const rows = confint(m, { method: "profile" }).rows;
  const expected: [string, number, number][] = [["sd_(Intercept)|Batch", 0, 2.084043489], ["sigma", 2.89283102, 4.815832552], ["Intercept", 4.312100217, 7.019092347]];
  expected.forEach(([name, lo, hi]) => {
    const r = rows.find((x) => x.name === name)!;
    expect(Math.abs(r.low! - lo)).toBeLessThan(5e-3 * (hi - lo));
    expect(Math.abs(r.high! - hi)).toBeLessThan(5e-3 * (hi - lo));
  });
  expect(rows[0].low).toBe(0);
});

test("only the parameters asked for are profiled; the others keep their estimates and get no bounds", () => {
  const m = fitModel(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" });
  const rows = confint(m, { method: "profile", which: ["Days"] }).rows;
  expect(rows.filter((r) => r.low !== null).map((r) => r.name)).toEqual(["Days"]);
  expect(rows.every((r) => Number.isFinite(r.estimate))).toBe(true);
});

test("property: the intervals follow the response's units (y → a·y + b: sds and σ times a, the intercept a·x + b, the slope a·x)", () => {
  const base = sleep();
  const days = (base.column("Days") as { values: Float64Array }).values;
  const y = (base.column("Reaction") as { values: Float64Array }).values;
  const subj = base.column("Subject");
  const label = (i: number) => (subj.kind === "categorical" ? subj.levels[subj.codes[i]] : subj.values[i]);
  const ref = confint(fitModel(base, { formula: "Reaction ~ Days + (Days|Subject)" }), { method: "profile" }).rows;
  fc.assert(fc.property(fc.double({ min: 1e-2, max: 1e2, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (a, b) => {
    const rows: (string | number)[][] = [["y", "Days", "Subject"]];
    for (let i = 0; i < base.nRows; i++) rows.push([a * y[i] + b, days[i], label(i)]);
    const got = confint(fitModel(DataTable.fromRows(rows), { formula: "y ~ Days + (Days|Subject)" }), { method: "profile" }).rows;
    return got.every((r, k) => {
      const e = ref[k];
      const map = (v: number) => (e.name.startsWith("cor_") ? v : e.name === "Intercept" ? a * v + b : a * v);
      const w = Math.abs(map(e.high!) - map(e.low!));
      return Math.abs(r.low! - map(e.low!)) < 1e-4 * w && Math.abs(r.high! - map(e.high!)) < 1e-4 * w;
    });
  }), { seed: 11, numRuns: 4 });
});

test("a fixed effect's profile on x + 1e9: x's bounds unchanged, the intercept's those of β0 − 1e9 β_x (y − v·1 once lost every digit: 'fitted exactly')", () => {
  const t = fixtureTable("dietox.csv");
  const shifted = DataTable.fromRows([["Weight", "Time", "Pig"], ...Array.from({ length: t.nRows }, (_, i) => [Number(t.label("Weight", i)), Number(t.label("Time", i)) + 1e9, t.label("Pig", i)])]);
  const a = confint(fitModel(t, { formula: "Weight ~ Time + (1|Pig)" }), { method: "profile", which: ["Intercept", "Time"] });
  const b = confint(fitModel(shifted, { formula: "Weight ~ Time + (1|Pig)" }), { method: "profile", which: ["Intercept", "Time"] });
  const [ia, ta] = [a.rows.find((r) => r.name === "Intercept")!, a.rows.find((r) => r.name === "Time")!];
  const [ib, tb] = [b.rows.find((r) => r.name === "Intercept")!, b.rows.find((r) => r.name === "Time")!];
  // Time's bounds do not move (Time + 1e9 is stored to 1e-7: a relative 1e-6 allows for it)
  expect(Math.abs(tb.low! - ta.low!)).toBeLessThan(1e-6 * Math.abs(ta.low!));
  expect(Math.abs(tb.high! - ta.high!)).toBeLessThan(1e-6 * Math.abs(ta.high!));
  // the intercept at Time = −1e9 is β0 − 1e9 β_Time, whose uncertainty is β_Time's times 1e9 to
  // 1e-8 (β0's own is 1e-9 of it): its profile is Time's, mirrored and scaled
  const width = 1e9 * (ta.high! - ta.low!);
  expect(Math.abs(ib.estimate - (ia.estimate - 1e9 * ta.estimate))).toBeLessThan(1e-6 * width);
  expect(Math.abs((ib.high! - ib.estimate) - 1e9 * (ta.estimate - ta.low!))).toBeLessThan(1e-6 * width);
  expect(Math.abs((ib.estimate - ib.low!) - 1e9 * (ta.high! - ta.estimate))).toBeLessThan(1e-6 * width);
});

test("profiles of a random slope on Time × 1e-8: the bounds of Time × 1 mapped (the covariance's Cholesky once took the intercept's variance, 1e-15 of the slope's, for zero)", () => {
  const t = fixtureTable("dietox.csv");
  const scaled = (c: number) => DataTable.fromRows([["Weight", "Time", "Pig"], ...Array.from({ length: t.nRows }, (_, i) => [Number(t.label("Weight", i)), c * Number(t.label("Time", i)), t.label("Pig", i)])]);
  const which = ["sd_(Intercept)|Pig", "cor_Time.(Intercept)|Pig", "sd_Time|Pig", "sigma"];
  const a = confint(fitModel(scaled(1), { formula: "Weight ~ Time + (Time|Pig)" }), { method: "profile", which });
  const b = confint(fitModel(scaled(1e-8), { formula: "Weight ~ Time + (Time|Pig)" }), { method: "profile", which });
  for (const name of which) {
    const [ra, rb] = [a.rows.find((r) => r.name === name)!, b.rows.find((r) => r.name === name)!];
    const unit = name === "sd_Time|Pig" ? 1e8 : 1;
    for (const [x, y] of [[ra.low!, rb.low!], [ra.high!, rb.high!]]) expect(Math.abs(y - unit * x)).toBeLessThan(1e-6 * unit * Math.abs(x) + 1e-9);
  }
});

test("a fixed effect's bounds: the model refitted by ML on y − v·x without x (an independent route) is z² above the ML fit at each (ζ = z to the root finding's 1e-5)", () => {
  const t = fixtureTable("dietox.csv");
  const ci = confint(fitModel(t, { formula: "Weight ~ Time + (Time|Pig)" }), { method: "profile", which: ["Time"] });
  const time = ci.rows.find((r) => r.name === "Time")!;
  const ml = fitModel(t, { formula: "Weight ~ Time + (Time|Pig)", method: "ML" }).core.minusTwoLogLik;
  const z = normalQuantile(0.975);
  for (const v of [time.low!, time.high!]) {
    const rows = Array.from({ length: t.nRows }, (_, i) => [Number(t.label("Weight", i)) - v * Number(t.label("Time", i)), Number(t.label("Time", i)), t.label("Pig", i)]);
    const held = fitModel(DataTable.fromRows([["y", "Time", "Pig"], ...rows]), { formula: "y ~ 1 + (Time|Pig)", method: "ML" }).core.minusTwoLogLik;
    expect(Math.abs(Math.sqrt(held - ml) - z)).toBeLessThan(2e-5);
  }
});

// The two data sets are invarianceCases.ts's makeData on the counterexamples that
// INVARIANCE_SEED=12 and 16 (200 runs) of invarianceInference.property.test.ts found.
describe("refits that land on an sd of zero, a stationary point and not a minimum (found by the invariance property suites)", () => {
  // test/fixtures/data/profile_boundary.csv: 50 rows in 19 small groups; lme4 1.1-31's
  // confint(method = "profile") of lmer(y ~ x + (x | g)) (REML, profiled on ML as lme4 does)
  const lme4: [string, number, number][] = [
    ["sd_(Intercept)|g", 0.0520124263451558, 4.37367070727053], ["cor_x.(Intercept)|g", -0.991531881040752, 1],
    ["sd_x|g", 0, 0.377558436838312], ["sigma", 0.627631900986235, 1.08082506566837],
    ["Intercept", 4.3672010374332, 8.05669107693663], ["x", 0.109695481178652, 0.425784507907131],
  ];

  test("a correlation whose profile stays below z up to 1: the bound is 1, as lme4's (it was not found)", () => {
    const m = fitModel(fixtureTable("profile_boundary.csv"), { formula: "y ~ x + (x|g)" });
    const rows = confint(m, { method: "profile" }).rows;
    lme4.forEach(([name, lo, hi]) => {
      const r = rows.find((x) => x.name === name)!;
      // lme4 interpolates a spline through its profile: its bounds are good to about 3e-3 of the width
      const tol = (name.startsWith("cor_") ? 2e-2 : 5e-3) * (hi - lo);
      expect(Math.abs(r.low! - lo)).toBeLessThan(tol);
      expect(Math.abs(r.high! - hi)).toBeLessThan(tol);
    });
  });

  test("σ's profile does not depend on where a random slope's covariate sits (x → 1e8 x − 5.2e7, crossed terms)", () => {
    const data = fixtureTable("profile_crossed.csv");
    const a = 99999999.99999754, b = -51797939.86865188;
    const x = data.column("x");
    const cols = ["y", "x", "z", "g", "h"].map((n) => data.column(n));
    const rows: (string | number)[][] = [["y", "x", "z", "g", "h"]];
    for (let i = 0; i < data.nRows; i++) rows.push(cols.map((c) => (c === x ? a * (c as { values: Float64Array }).values[i] + b : c.kind === "numeric" ? c.values[i] : c.levels[c.codes[i]])));
    const spec = { formula: "y ~ x * z + (x|g) + (1|h)" };
    const sigmaOf = (t: DataTable) => confint(fitModel(t, spec), { method: "profile", which: ["sigma"] }).rows.find((r) => r.name === "sigma")!;
    const original = sigmaOf(data), moved = sigmaOf(DataTable.fromRows(rows));
    // lme4: 0.798751863762551, 1.41565285565374 (the original data; it cannot fit the moved ones)
    expect(Math.abs(original.high! - 1.41565285565374)).toBeLessThan(5e-3 * (1.41565285565374 - 0.798751863762551));
    expect(Math.abs(moved.low! - original.low!)).toBeLessThan(1e-6 * original.low!);
    expect(Math.abs(moved.high! - original.high!)).toBeLessThan(1e-6 * original.high!);
  });
});
