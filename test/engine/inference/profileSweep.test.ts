/**
 * Profile bounds where lme4's spline is off and the exact profile decides: cases of the profile
 * sweep (scripts/sweep/profile.sh --zeta). Each expected bound is a value where the exact ζ
 * (scripts/sweep/profile_zeta.R: lme4's devfun2, the ML deviance minimised with the parameter
 * held, from lme4's polished ML optimum) is ±1.959964 to 1e-6; lme4 1.1-31's confint(method =
 * "profile") is given beside it with its exact ζ, to show how far the spline is.
 */
import { confint, fitModel } from "../../../src/engine";
import { fixtureTable } from "../../helpers";

type Expected = [name: string, low: number, high: number];

function expectBounds(rows: { name: string; low: number | null; high: number | null }[], expected: Expected[]): void {
  for (const [name, lo, hi] of expected) {
    const r = rows.find((x) => x.name === name)!;
    const tol = (name.startsWith("cor_") ? 2e-2 : 5e-3) * (hi - lo);
    expect([name, Math.abs(r.low! - lo) <= tol, Math.abs(r.high! - hi) <= tol]).toEqual([name, true, true]);
  }
}

test("CO2, uptake ~ log(conc) * Treatment + Type + (log(conc)|Plant), REML: a correlation near -1 (lme4's spline puts sd_(Intercept)'s bounds at 11.24, 19.87, where ζ is -0.46 and 1.33)", () => {
  const m = fitModel(fixtureTable("CO2.csv"), { formula: "uptake ~ log(conc) * Treatment + Type + (log(conc)|Plant)" });
  const rows = confint(m, { method: "profile" }).rows;
  expectBounds(rows, [
    ["sd_(Intercept)|Plant", 5.910807843, 24.25307715],
    ["cor_log(conc).(Intercept)|Plant", -1, -0.9842812895], // lme4: high -0.9788 (ζ 2.16)
    ["sd_log(conc)|Plant", 1.389823144, 4.85025202], // lme4: 2.496, 4.383 (ζ -0.28, 1.63)
    ["sigma", 3.170979269, 4.440313177], // lme4: 3.178, 4.425 (ζ -1.93, 1.92)
    ["log(conc)", 4.464231189, 10.17850024], // lme4: 4.648, 9.995 (ζ ∓1.85)
  ]);
});

test("Oats, yield ~ nitro + (nitro|Block), REML: a correlation estimated at +1 (lme4: sd_(Intercept) 5.957, 28.88 with ζ -1.92, 1.94; sd_nitro's upper 24.58 with ζ 1.89)", () => {
  const m = fitModel(fixtureTable("Oats.csv"), { formula: "yield ~ nitro + (nitro|Block)" });
  const rows = confint(m, { method: "profile" }).rows;
  expectBounds(rows, [
    ["sd_(Intercept)|Block", 5.849807784, 29.19320502],
    ["sd_nitro|Block", 0, 25.78553899],
  ]);
});

test("Soybean, log(weight) ~ Time + I(Time^2) + Variety + (Time + I(Time^2)|Plot), ML: refits that stop where an sd has gone to zero are left (sd_(Intercept)'s upper bound was 0.5073, where the exact deviance is 2.8 below the bound's; lme4 cannot profile this model)", () => {
  const m = fitModel(fixtureTable("Soybean.csv"), { formula: "log(weight) ~ Time + I(Time^2) + Variety + (Time + I(Time^2)|Plot)", method: "ML" });
  const row = confint(m, { method: "profile", which: ["sd_(Intercept)|Plot"] }).rows.find((r) => r.name === "sd_(Intercept)|Plot")!;
  // profile_zeta.R: the ML deviance minimised with the sd held at 0.5828652455 is -57.02402449,
  // the ML optimum (-60.86548, 0.019 below lme4's best, -60.84691) plus 1.959964²; at 0.57 and
  // 0.59, -57.580 and -56.703 (the profile rises through the bound)
  const [lo, hi] = [0.3082790862, 0.5828652455];
  expect(Math.abs(row.low! - lo)).toBeLessThan(5e-3 * (hi - lo));
  expect(Math.abs(row.high! - hi)).toBeLessThan(5e-3 * (hi - lo));
});
