/**
 * Starting values from moments (start.ts): near lme4's optimum where the data say so, never
 * exactly zero, and the fit from them reaches the same optimum.
 */
import { DataTable, fitMixedModel } from "../../src/engine";
import { buildModel, ProfiledDeviance } from "../../src/engine/fit";
import { momentStart } from "../../src/engine/start";
import { fixtureTable, reference } from "../helpers";

function startOf(data: string, formula: string): { theta: Float64Array; dev: ProfiledDeviance } {
  const frame = buildModel(fixtureTable(data), { formula, method: "REML" });
  const dev = new ProfiledDeviance(frame);
  const theta = momentStart(dev.cp, dev.order.map((k) => frame.terms[k].thetaIndex), frame.thetaStart.length)!;
  return { theta, dev };
}

describe("momentStart", () => {
  test.each([
    ["dyestuff_reml", "Dyestuff.csv", "Yield ~ 1 + (1|Batch)"],
    ["dietox_rs_reml", "dietox.csv", "Weight ~ Time + (Time|Pig)"],
    ["sleepstudy_rs_reml", "sleepstudy.csv", "Reaction ~ Days + (Days|Subject)"],
  ])("%s: much closer to lme4's θ than lme4's own start θ = 1", (name, data, formula) => {
    const { theta, dev } = startOf(data, formula);
    const want: number[] = reference(name, "lme4").theta;
    const frame = dev.frame;
    const dist = (a: ArrayLike<number>) => Math.hypot(...want.map((w, i) => a[i] - w));
    expect(dist(theta)).toBeLessThan(0.25 * dist(frame.thetaStart));
    // and lower in deviance
    expect(dev.deviance(theta)).toBeLessThan(dev.deviance(frame.thetaStart));
  });

  test("a variance the moments put at or below zero starts small and positive, not at zero", () => {
    // Dyestuff2: lme4's between-batch variance is exactly zero (a singular fit)
    const { theta } = startOf("Dyestuff2.csv", "Yield ~ 1 + (1|Batch)");
    expect(reference("dyestuff2_reml", "lme4").theta[0]).toBe(0);
    expect(theta[0]).toBeGreaterThan(0);
    expect(theta[0]).toBeLessThanOrEqual(0.1);
  });

  test("crossed terms (Penicillin) start near lme4's θ and fit to lme4's log-likelihood", () => {
    const { theta } = startOf("Penicillin.csv", "diameter ~ 1 + (1|plate) + (1|sample)");
    const ref = reference("penicillin_crossed_reml", "lme4");
    // factorisation order is by number of levels: plate (24), then sample (6), as lme4 orders them
    expect(ref.theta_names[0]).toMatch(/plate/);
    ref.theta.forEach((w: number, i: number) => expect(Math.abs(theta[i] - w)).toBeLessThan(0.3 * Math.max(1, w)));
    const r = fitMixedModel(fixtureTable("Penicillin.csv"), { formula: "diameter ~ 1 + (1|plate) + (1|sample)" });
    expect(Math.abs(r.logLik - ref.llf)).toBeLessThan(1e-6);
  });
});

describe("a covariate's units do not change the fit (θ is scaled by its covariate's size)", () => {
  // Exact calculation: multiplying Days by 10,000 rescales its fixed and random slopes and leaves
  // the model the same: the ML log-likelihood is unchanged, and the REML one falls by exactly
  // log(10,000) (the REML term −½ log det X'V⁻¹X gains log(10,000²)/2).
  const base = fixtureTable("sleepstudy.csv");
  const rows: (string | number)[][] = [["Reaction", "Days", "Subject"]];
  for (let i = 0; i < base.nRows; i++) rows.push([Number(base.label("Reaction", i)), Number(base.label("Days", i)) * 1e4, base.label("Subject", i)]);
  const scaled = DataTable.fromRows(rows);

  test.each([
    ["Reaction ~ Days + (Days || Subject)", "ML", 0],
    ["Reaction ~ Days + (Days | Subject)", "ML", 0],
    ["Reaction ~ Days + (Days | Subject)", "REML", -Math.log(1e4)],
  ] as const)("%s, %s", (formula, method, shift) => {
    const a = fitMixedModel(base, { formula, method });
    const b = fitMixedModel(scaled, { formula, method });
    expect(a.converged && b.converged).toBe(true);
    expect(Math.abs(b.logLik - (a.logLik + shift))).toBeLessThan(1e-6);
    // the slope's variance scales by 1e-8
    const va = a.randomTerms.find((t) => t.names.includes("Days"))!;
    const vb = b.randomTerms.find((t) => t.names.includes("Days"))!;
    const ia = va.names.indexOf("Days"), ib = vb.names.indexOf("Days");
    expect(Math.abs(vb.cov[ib][ib] * 1e8 - va.cov[ia][ia])).toBeLessThan(2e-3 * va.cov[ia][ia]);
  });
});
