/**
 * The inference layer's public face (re-exported by src/engine/index.ts): t tests and ANOVA
 * tables with Satterthwaite's or Kenward-Roger's df on a fitted model (the result of fitModel).
 * Build the tests once per model and method (the costly part: the exact derivatives), then ask
 * any number of questions of them.
 */
import type { FitCore } from "../fit";
import type { MixedLMResult } from "../results";
import { anovaTable, AnovaTable } from "./anova";
import type { AnovaType } from "./anovaContrasts";
import type { ContrastTests, DdfMethod } from "./contrastTests";
import { contrastTests, fixedEffectTests, FixedEffectTest } from "./fixedEffectTests";

/** What the inference needs of a fit: fitModel's result. */
export interface FittedForInference {
  result: MixedLMResult;
  core: FitCore;
}

/** Tests of Lβ = 0 with the given df method (Kenward-Roger needs a REML fit). Throws MixedLMError on a model it cannot handle. */
export function dfTests(model: FittedForInference, method: DdfMethod): ContrastTests {
  return contrastTests(model.core, method);
}

/** lmerTest's coefficient table: estimate, standard error, df, t, p, and the interval from t(df). */
export function coefficientTests(model: FittedForInference, tests: ContrastTests, level = 0.95): FixedEffectTest[] {
  return fixedEffectTests(model.core, tests, level);
}

/** lmerTest's anova(model, type, ddf): one F test per fixed-effect term, terms in R's order. */
export function anovaOf(model: FittedForInference, type: AnovaType, tests: ContrastTests): AnovaTable {
  return anovaTable(model.core, tests, type);
}

/**
 * The fit's result with its fixed effects tested by the df method: each gets `df`, `z` holds the
 * t statistic, p and the interval come from t(df), and with Kenward-Roger the standard errors
 * and vcovFixed are the adjusted ones. The standard errors are lme4's σ²(X'V⁻¹X)⁻¹ whatever the
 * style, as lmerTest's (a statsmodels-style fit otherwise shows statsmodels' own).
 */
export function withDfTests(model: FittedForInference, tests: ContrastTests, level = 0.95): MixedLMResult {
  const rows = fixedEffectTests(model.core, tests, level);
  const p = rows.length;
  const vcovFixed = Array.from({ length: p }, (_, r) => Array.from({ length: p }, (_, c) => tests.vcov[c * p + r]));
  return {
    ...model.result,
    ddf: tests.method,
    fixedEffects: rows.map((t) => ({ name: t.name, coef: t.coef, stdErr: t.stdErr, z: t.t, p: t.p, ciLow: t.ciLow, ciHigh: t.ciHigh, df: t.df })),
    vcovFixed,
  };
}

/**
 * The df method a table shows by default: Satterthwaite for a model written with bar terms (what
 * lmerTest prints), none (z tests) for a statsmodels-style model (what statsmodels prints).
 */
export function defaultDdf(style: MixedLMResult["style"]): DdfMethod | null {
  return style === "lme4" ? "satterthwaite" : null;
}
