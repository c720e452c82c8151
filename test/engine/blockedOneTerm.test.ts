/**
 * The one-pass code for one term of one or two effects against the general code: the blocked
 * factor's update (updateOneSmallTerm against updateTerms) and the deviance's gradient
 * (smallTermGradient against ProfiledDeviance.gradientAnyTerm). The same operations in the same
 * order, so every number must agree to the last bit (Object.is: signed zeros too), at θ drawn
 * around the optimum, at zero entries (a variance at its boundary) and of either sign.
 */
import fc from "fast-check";
import { BlockedFactor } from "../../src/engine/blocked";
import { fitModel } from "../../src/engine";
import { fixtureTable } from "../helpers";

const models: [string, string][] = [
  ["dietox.csv", "Weight ~ Time + (Time|Pig)"],
  ["dietox.csv", "Weight ~ Time + (1|Pig)"],
  ["dietox.csv", "Weight ~ Time + (0 + Time|Pig)"],
  ["sleepstudy.csv", "Reaction ~ Days + (Days|Subject)"],
  ["Orthodont.csv", "distance ~ age + Sex + (age|Subject)"],
  ["Dyestuff.csv", "Yield ~ 1 + (1|Batch)"],
];

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

test.each(models)("%s %s: the one-pass update gives the term-by-term path's factor, bit for bit", (file, formula) => {
  const dev = fitModel(fixtureTable(file), { formula }).core.deviance;
  expect(dev.factor.K).toBe(1);
  const fast = new BlockedFactor(dev.cp), general = new BlockedFactor(dev.cp);
  const theta0 = dev.frame.terms[0].thetaIndex.filter((i) => i >= 0).length;
  const entry = fc.oneof(fc.constant(0), fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true }));
  fc.assert(fc.property(fc.array(entry, { minLength: theta0, maxLength: theta0 }), (theta) => {
    const T = dev.templates(theta);
    const ok = fast.update(T);
    expect(general.updateTerms(T)).toBe(ok);
    return !ok || (sameBits(fast.Ldiag[0], general.Ldiag[0]) && sameBits(fast.LX[0], general.LX[0]) && sameBits(fast.LXX, general.LXX));
  }), { seed: 8, numRuns: 200 });
});

test.each(models.flatMap(([file, formula]) => [[file, formula, "REML"], [file, formula, "ML"]] as [string, string, "REML" | "ML"][]))("%s %s (%s): smallTermGradient gives the general gradient, bit for bit", (file, formula, method) => {
  const dev = fitModel(fixtureTable(file), { formula, method }).core.deviance;
  const nTheta = dev.frame.terms[0].thetaIndex.filter((i) => i >= 0).length;
  const entry = fc.oneof(fc.constant(0), fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true }));
  const a = new Float64Array(nTheta), b = new Float64Array(nTheta);
  fc.assert(fc.property(fc.array(entry, { minLength: nTheta, maxLength: nTheta }), (theta) => {
    if (!Number.isFinite(dev.deviance(theta))) return true;
    dev.gradient(a);
    dev.gradientAnyTerm(b);
    return sameBits(a, b);
  }), { seed: 9, numRuns: 200 });
});
