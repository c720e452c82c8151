/**
 * Models with more effects than the data can identify (issue 9's follow-up), on small data sets
 * made by scripts/identifiability/lme4_cases.R with what lme4 1.1-31 does with each model
 * (test/fixtures/identifiability/lme4.json). Each model is either fitted as lme4 fits it, or
 * refused with a one-line message saying what to fix: where lme4 refuses it (a grouping factor
 * with a level per row, as many random effects as rows), and where lme4 returns an arbitrary
 * number (a random intercept beside C(g) by REML; p = n − 1 by REML, "Hessian is numerically
 * singular"; an ML likelihood without a maximum, whose deviance lme4's own deviance function
 * takes below its reported optimum at θ = 1e7: lme4_ml_deviance.json).
 */
import { readFileSync } from "fs";
import { join } from "path";
import { compareModels, confint, fitMixedModel, fitModel, isMixedLMError, MixedLMResult, ModelSpec } from "../../src/engine";
import { ProfiledDeviance } from "../../src/engine/fit";
import { buildModel } from "../../src/engine/model";
import { standardize } from "../../src/engine/standardize";
import { fixtureTable } from "../helpers";

interface Lme4Fit { ok: boolean; error?: string; logLik?: number; sigma2?: number; varcor?: number[]; beta?: number[]; singular?: boolean; messages?: string | string[] }
interface Lme4Case { id: string; data: string; formula: string; reml: Lme4Fit; ml: Lme4Fit }

const FIXTURES = join(__dirname, "..", "fixtures", "identifiability");
const CASES: Lme4Case[] = JSON.parse(readFileSync(join(FIXTURES, "lme4.json"), "utf8"));
const ML_DEVIANCE: Record<string, { theta: number[]; deviance: (number | null)[]; reported: number }> = JSON.parse(readFileSync(join(FIXTURES, "lme4_ml_deviance.json"), "utf8"));
const caseOf = (id: string) => CASES.find((c) => c.id === id)!;

/** lme4's formula in the engine's syntax (factor(g) is C(g)). */
const formulaOf = (c: Lme4Case) => c.formula.replace(/factor\((\w+)\)/g, "C($1)");
const tableOf = (c: Lme4Case) => fixtureTable(`identifiability/${c.data}.csv`);

function messageOf(c: Lme4Case, spec: ModelSpec): string {
  try {
    fitMixedModel(tableOf(c), spec);
  } catch (e) {
    if (isMixedLMError(e)) return e.message;
    throw e;
  }
  throw new Error(`${c.id}: fitted, where a message was expected`);
}

/** The variance parameters in lme4's as.data.frame(VarCorr) order: per term its variances, then its covariances; the residual last. */
function varcor(r: MixedLMResult): number[] {
  const out: number[] = [];
  for (const t of r.randomTerms) {
    const q = t.cov.length;
    for (let a = 0; a < q; a++) out.push(t.cov[a][a]);
    for (let a = 0; a < q; a++) for (let b = a + 1; b < q; b++) out.push(t.cov[b][a]);
  }
  return [...out, r.scale];
}

/** A one-line message that says what to fix. */
function expectOneLine(message: string): void {
  expect(message).not.toMatch(/\n/);
  expect(message.length).toBeLessThan(600);
}

describe("where lme4 refuses the model, the engine does too, with a message that says what to fix", () => {
  test.each([
    ["obs", /grouping factor obs has as many levels \(12\) as there are rows \(12\)/],
    ["pairs_slope", /\(x\|g\) has 12 random effects \(2 per level of g, 6 levels\) for 12 rows.*Use fewer random slopes, or more data/],
    ["triples_two_slopes", /\(1 \+ x \+ z\|g\) has 18 random effects \(3 per level of g, 6 levels\) for 18 rows/],
  ])("%s", (id, pattern) => {
    const c = caseOf(id);
    expect(c.reml.ok).toBe(false);
    expect(c.ml.ok).toBe(false);
    for (const method of ["REML", "ML"] as const) {
      const m = messageOf(c, { formula: formulaOf(c), method });
      expect(m).toMatch(pattern);
      expectOneLine(m);
    }
  });

  test("statsmodels' way of writing the first: each row its own group", () => {
    const c = caseOf("obs");
    expect(messageOf(c, { formula: "y ~ x", groups: "obs" })).toMatch(/as many levels \(12\) as there are rows/);
  });
});

describe("where the data identify the model, the fit is lme4's (more effects than rows over crossed terms, groups of one row)", () => {
  const fitted: [string, "REML" | "ML"][] = [
    ["crossed", "REML"], ["crossed", "ML"], ["crossed_full", "REML"], ["singles", "REML"],
    ["one_single_intercept", "REML"], ["one_single_intercept", "ML"], ["one_single_slope", "REML"], ["one_single_slope", "ML"],
    // a slope on a covariate constant within each group (but not across them): singular, as lme4's
    ["between_slope", "REML"], ["between_slope", "ML"],
  ];
  test.each(fitted)("%s by %s", (id, method) => {
    const c = caseOf(id);
    const ref = method === "REML" ? c.reml : c.ml;
    const r = fitMixedModel(tableOf(c), { formula: formulaOf(c), method });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.logLik - ref.logLik!)).toBeLessThan(1e-5);
    expect(r.singular).toBe(ref.singular);
    varcor(r).forEach((v, k) => expect(Math.abs(v - ref.varcor![k])).toBeLessThan(1e-3 * (Math.abs(ref.varcor![k]) + ref.sigma2!)));
    r.fixedEffects.forEach((f, j) => expect(Math.abs(f.coef - ref.beta![j])).toBeLessThan(1e-4 * (1 + Math.abs(ref.beta![j]))));
  });
});

describe("where lme4 returns an arbitrary number, the engine refuses the model with what to fix", () => {
  test("a random intercept beside C(g): REML cannot see its variance (lme4 gives one anyway); ML would put it at zero", () => {
    const c = caseOf("confounded");
    expect(c.reml.ok).toBe(true);
    for (const method of ["REML", "ML"] as const) {
      const m = messageOf(c, { formula: formulaOf(c), method });
      expect(m).toMatch(/^The random intercept of \(1\|g\) duplicates fixed effects: each of its 8 columns \(one per level of g\).*Remove the fixed-effect term that duplicates it \(such as C\(g\)\), or the random effect\.$/);
      expectOneLine(m);
    }
    // a random slope on x beside C(g):x is the same fault, named by its effect
    expect(messageOf(c, { formula: "y ~ C(g) * x + (0 + x|g)" })).toMatch(/^The random effect x of \(0 \+ x\|g\) duplicates fixed effects/);
    // beside C(g) alone, the slope is not within the fixed effects: only its intercept is, and that is named
    expect(messageOf(c, { formula: "y ~ C(g) + x + (x|g)" })).toMatch(/^The random intercept of \(x\|g\) duplicates fixed effects/);
  });

  test("p = n − 1 by REML: one residual dimension for two variances (lme4: 'Hessian is numerically singular')", () => {
    const c = caseOf("pn1");
    expect(c.reml.ok).toBe(true);
    const m = messageOf(c, { formula: formulaOf(c), method: "REML" });
    expect(m).toBe("By REML only 1 of the 6 rows' dimension is left after the 5 fixed-effect coefficients, and it carries 1 number for 2 variance parameters (the residual's and the random effects'): the variances cannot be told apart (lme4 returns an arbitrary split). Use fewer fixed effects, or more data.");
  });

  test.each(["crossed_full", "pn1", "singles"])("%s by ML: the likelihood has no maximum (lme4's own deviance at θ = 1e7 is below the optimum it reports)", (id) => {
    const c = caseOf(id);
    const lme4 = ML_DEVIANCE[id];
    expect(lme4.deviance[3]).toBeLessThan(lme4.reported);
    const m = messageOf(c, { formula: formulaOf(c), method: "ML" });
    expect(m).toMatch(/^By maximum likelihood \(which likelihood-ratio tests and profiles refit\), the \d+ fixed-effect coefficients and \d+ random effects \(.*\) can together reproduce all \d+ rows exactly: .* Use fewer random or fixed effects, or more data; a REML fit is fine, with Wald intervals \(profiles and likelihood-ratio tests refit by ML\)\.$/);
    expectOneLine(m);
  });

  test("the same ML deviance of the engine's own, evaluated: it falls without bound as θ grows (θ of intercepts is unit-free)", () => {
    const c = caseOf("singles");
    const frame = buildModel(tableOf(c), { formula: formulaOf(c), method: "REML" });
    const t = standardize({ ...frame, method: "ML" });
    const dev = new ProfiledDeviance(t.internal, "ML");
    const at = [1e2, 1e4, 1e6, 1e7].map((v) => t.minusTwoLogLik(dev.deviance(Float64Array.of(v))));
    // lme4's values where both keep their digits (at θ = 1e6 each loses some: σ̂² is then 1e-12 of y's variance)
    const lme4 = ML_DEVIANCE.singles.deviance;
    expect(Math.abs(at[0] - lme4[0]!)).toBeLessThan(1e-9 * Math.abs(lme4[0]!));
    expect(Math.abs(at[1] - lme4[1]!)).toBeLessThan(1e-6 * Math.abs(lme4[1]!));
    // falling by 2 (n − rank Z) log of θ's step, n − rank Z = 1: 9.21 per factor 100
    expect(Math.abs(at[0] - at[1] - 2 * Math.log(100))).toBeLessThan(0.05);
    expect(Math.abs(at[1] - at[2] - 2 * Math.log(100))).toBeLessThan(0.05);
    expect(at[3]).toBeLessThan(at[2]);
    expect(at[3]).toBeLessThan(ML_DEVIANCE.singles.reported);
  });

  test("a REML fit whose ML refit has no maximum: profiles and likelihood-ratio tests say so", () => {
    const c = caseOf("singles");
    const m = fitModel(tableOf(c), { formula: formulaOf(c) });
    expect(m.result.converged).toBe(true);
    expect(() => confint(m, { method: "profile" })).toThrow(/By maximum likelihood \(which likelihood-ratio tests and profiles refit\)/);
    const cmp = (() => { try { return compareModels(tableOf(c), { formula: formulaOf(c) }, ["y ~ 1 + (1|g)"]); } catch (e) { if (isMixedLMError(e)) return e.message; throw e; } })();
    expect(JSON.stringify(cmp)).toMatch(/By maximum likelihood/);
  });
});

test("a statsmodels variance component with a level per row (0 + C(obs)): its variance is the residual's (statsmodels 0.13.5 splits them evenly, 0.7577 and 0.7577, 'converged')", () => {
  const c = caseOf("one_single_intercept");
  const m = messageOf(c, { formula: "y ~ x", groups: "g", vcFormula: { o: "0 + C(obs)" } });
  expect(m).toBe('vc_formula "o" has 41 random effects (one per level within the groups of g) for 41 rows: with at least as many random effects as rows, its variance and the residual variance cannot be told apart. Use a variance component whose levels each hold several rows, or leave it out.');
  // a component of several rows per level (a covariate's slope per group) is fitted
  expect(fitMixedModel(tableOf(c), { formula: "y ~ x", groups: "g", vcFormula: { xs: "0 + x" } }).converged).toBe(true);
});

test("a random slope on a column constant everywhere, (k|g): the slope is the intercept's multiple in every row (lme4: 'degenerate Hessian')", () => {
  const c = caseOf("constant_slope");
  expect(c.reml.messages).toContain("Model failed to converge: degenerate  Hessian with 1 negative eigenvalues");
  for (const method of ["REML", "ML"] as const) {
    expect(messageOf(c, { formula: formulaOf(c), method })).toBe("In (k|g) the effect k is a combination of the term's other effects in every row (such as a covariate that is constant), so the term's variances cannot be told apart. Remove it from the term.");
  }
  expect(messageOf(c, { formula: "y ~ x", groups: "g", reFormula: "~k" })).toMatch(/^In re_formula \(grouped by g\) the effect k is a combination/);
});
