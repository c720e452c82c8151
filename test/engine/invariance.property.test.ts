/**
 * The fit does not depend on the location and unit of the response or of a covariate (issue 9),
 * on generated data sets and models (invarianceCases.ts: random intercepts, correlated and
 * uncorrelated slopes, crossed terms, crossed terms with a slope, factor × covariate and
 * covariate × covariate interactions, a product in I(), statsmodels' variance components (one on
 * a covariate), a response under np.log; regular, small and very unequal groups; lme4 style and
 * statsmodels style with its own SEs; REML and ML), with fast-check and a fixed seed.
 *
 * For y → a y + b (a in ±[1e-150, 1e150], |b| up to 1e12; yp → a·yp under np.log, a shift of the
 * response by log a) and a covariate v → c v + d (x or z; c in ±[1e-10, 1e10], |d| up to 1e9
 * where the model allows a shift, as a fixed effect and in a random term), the fit of the
 * transformed data must be the mapped fit (mappedFit.ts): coefficients, SEs and their
 * covariance, variances and covariances, σ², the log-likelihood moved by its known constant,
 * BLUPs, fitted values, residuals and statsmodels' variance-row Std.Err.; converged, with the
 * same warnings (none false); and y × a alone gives the same θ to 1e-10. The inference's numbers
 * are checked by invarianceInference.property.test.ts, the command line's JSON by
 * test/cli/invariance.property.test.ts.
 */
import fc from "fast-check";
import { Transform } from "./mappedFit";
import {
  assertProperty, caseName, caseOf, checkTransform, Covariate, dataParams, fit, identifiable, makeData, makeTransform, MODELS, sameRefusal, sd, SEED,
} from "./invarianceCases";

const method = fc.constantFrom<"REML" | "ML">("REML", "ML");
const exponent = (max: number) => fc.double({ min: -max, max, noNaN: true });
const offset = fc.option(fc.double({ min: -2, max: 10, noNaN: true }), { freq: 3 });

describe("a fit does not depend on the location and unit of its columns (fast-check, seed " + SEED + ")", () => {
  test("the response a·y + b: the mapped fit", () => {
    assertProperty(fc.property(
      dataParams, fc.constantFrom(...MODELS), method, exponent(150), fc.boolean(), offset, fc.boolean(),
      (p, model, m, ea, neg, eb, bNeg) => {
        const d = makeData(p);
        // under np.log the response must stay positive: yp × a, a > 0
        const t = model.response === "yp" ? makeTransform("yp", ea, false, null, false, 1, 0) : makeTransform("y", ea, neg, eb, bNeg, sd(d.y), 1e12);
        const c = caseOf(model, t);
        const problems = checkTransform(d, model, m, c);
        if (problems.length > 0) throw new Error(`${caseName(model, m, c)}:\n${problems.slice(0, 8).join("\n")}`);
      },
    ) as never, 60);
  });

  test("y × a alone: the same θ to 1e-10", () => {
    assertProperty(fc.property(
      dataParams, fc.constantFrom(...MODELS.filter((x) => x.response === "y")), method, exponent(150), fc.boolean(),
      (p, model, m, ea, neg) => {
        const d = makeData(p);
        const t: Transform = { column: "y", a: (neg ? -1 : 1) * 10 ** ea, b: 0 };
        const refused = sameRefusal(() => fit(d, null, model, m), () => fit(d, t, model, m));
        if (refused !== null) { if (refused.length > 0) throw new Error(refused[0]); return; }
        const original = fit(d, null, model, m);
        fc.pre(identifiable(original));
        const scaled = fit(d, t, model, m);
        const bad = scaled.theta.map((v, k) => Math.abs(v - original.theta[k])).filter((e, k) => !(e <= 1e-10 * Math.max(1, Math.abs(original.theta[k]))));
        if (bad.length > 0 || scaled.converged !== original.converged) throw new Error(`${model.name}, ${m}, y × ${t.a}: θ ${scaled.theta} vs ${original.theta}`);
      },
    ) as never, 40);
  });

  /** A covariate c·v + d of the model (v among those `which` picks), d only where the model allows a shift. */
  const covariateProperty = (which: (v: Covariate, random: Covariate[]) => boolean, runs: number) => {
    const models = MODELS.flatMap((model) => model.covariates.filter((v) => which(v, model.random)).map((v) => ({ model, v })));
    assertProperty(fc.property(
      dataParams, fc.constantFrom(...models), method, exponent(10), fc.boolean(), offset, fc.boolean(),
      (p, { model, v }, m, ec, neg, ed, dNeg) => {
        const d = makeData(p);
        const t = makeTransform(v, ec, neg, model.shiftable.includes(v) ? ed : null, dNeg, sd(d[v]), 1e9);
        const c = caseOf(model, t);
        const problems = checkTransform(d, model, m, c);
        if (problems.length > 0) throw new Error(`${caseName(model, m, c)}:\n${problems.slice(0, 8).join("\n")}`);
      },
    ) as never, runs);
  };

  test("a covariate c·v + d as a fixed effect only: the mapped fit", () => {
    covariateProperty((v, random) => !random.includes(v), 60);
  });

  test("a covariate c·v + d in a random term: the mapped fit", () => {
    covariateProperty((v, random) => random.includes(v), 40);
  });
});
