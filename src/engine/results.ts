/**
 * The result of a fit, as plain data: everything the summary, the custom functions, the task
 * pane and the CLI show. Built once from the fitted factor; predictions on new rows go through
 * `predict`.
 */
import { twoSidedNormalP, normalQuantile } from "./distributions";
import { FitCore } from "./fit";
import { conditionalVariances } from "./condvar";
import type { Method, ModelFrame } from "./model";
import { addRandomPrediction, fixedPrediction, internalFixedColumns } from "./prediction";
import { statsmodelsVarianceSE } from "./statsmodelsSE";
import { DataTable } from "./table";

export interface FixedEffect {
  name: string;
  coef: number;
  /**
   * Standard error in the convention of the model's style: statsmodels' for a statsmodels-style fit
   * (groups, re_formula, vc_formula: the inverse of the full observed Hessian, β and variance
   * parameters together), lme4's for an lme4-style fit (bar terms: σ²(X'V⁻¹X)⁻¹, given θ).
   */
  stdErr: number;
  z: number;
  p: number;
  ciLow: number;
  ciHigh: number;
  /** Denominator df when tested with Satterthwaite's or Kenward-Roger's method (then z holds t, and p and the interval come from t(df)). */
  df?: number;
}

/** A random-effect term: its covariance on the data's scale, standard deviations and correlations. */
export interface RandomTermResult {
  /** Grouping factor as written ("Pig", "Litter:Pig"); for a statsmodels variance component, the groups column. */
  grouping: string;
  kind: "re" | "vc" | "bar";
  /** Effect names (one for a variance component: its name). */
  names: string[];
  cov: number[][];
  sd: number[];
  /** Correlations (null for a single effect). */
  corr: number[][] | null;
  nLevels: number;
  /** The lme4 term as written, for bar terms. */
  text?: string;
}

/** One row of the statsmodels summary below the coefficients: "Pig Var", "Pig x Time Cov", "cask Var". */
export interface VarianceRow {
  name: string;
  /** Infinity past the largest double (a response near 1e160: see relativeValue). */
  value: number;
  /** value / scale: with sigma, the value as a product of doubles where it is not one itself (its text is relativeValue σ σ). */
  relativeValue: number;
  /** statsmodels' Std.Err.: sqrt(scale) × SE(value / scale), from its Hessian (null when not computable). */
  statsmodelsStdErr: number | null;
}

/** Conditional modes (BLUPs) of one term, one row per level. */
export interface RandomEffectsTable {
  grouping: string;
  kind: "re" | "vc" | "bar";
  names: string[];
  levels: string[];
  /** values[l][c]: level l, effect c. */
  values: number[][];
  /** Conditional standard deviations of each value (null when not computed). */
  condSd: number[][] | null;
  /** For statsmodels variance components: the group label each level belongs to, and the entry name statsmodels uses. */
  groupLabel?: string[];
  entryName?: string[];
}

export interface MixedLMResult {
  style: "statsmodels" | "lme4";
  /** Set when the fixed effects carry t tests with this df method (src/engine/inference). */
  ddf?: "satterthwaite" | "kenward-roger";
  method: Method;
  formula: string;
  responseName: string;
  nObs: number;
  nInputRows: number;
  nDropped: number;
  /** The grouping column and its group sizes (statsmodels style, or an lme4-style model with one grouping factor). */
  groups: { name: string; count: number; minSize: number; maxSize: number; meanSize: number } | null;
  /** Every grouping factor and its number of levels (both styles). */
  groupingFactors: { name: string; nLevels: number }[];
  converged: boolean;
  singular: boolean;
  warnings: string[];
  logLik: number;
  /** AIC and BIC from logLik (for REML fits: the REML criterion, as lme4 reports; statsmodels prints NaN). */
  aic: number;
  bic: number;
  /** Number of parameters counted in AIC/BIC: fixed effects + covariance parameters + residual variance. */
  df: number;
  scale: number;
  /** The residual standard deviation, √scale: finite where scale overflows (a response near 1e160). */
  sigma: number;
  fixedEffects: FixedEffect[];
  /** Covariance matrix of the fixed effects, in the convention of the SEs (see FixedEffect.stdErr). */
  vcovFixed: number[][];
  randomTerms: RandomTermResult[];
  varianceRows: VarianceRow[];
  randomEffects: RandomEffectsTable[];
  fitted: Float64Array;
  residuals: Float64Array;
  /** Row of the input data of each fitted value. */
  rowIndex: Int32Array;
  theta: number[];
  optimizer: { evaluations: number; iterations: number; message: string; gradient: number; predictedDecrease: number };
  /** Predicted values on new rows (a table with the model's columns), with or without the random effects. */
  predict(data: DataTable, options?: { includeRandom?: boolean }): Float64Array;
}

const Z975 = normalQuantile(0.975);

/** The smallest positive double with full precision: below it a number keeps only some of its digits. */
const NORMAL_MIN = 2.2250738585072014e-308;

/**
 * What a response far from unit scale (× 1e±160) does to the numbers in the units of a variance
 * (variances, their standard errors, the ANOVA's sums of squares): past the largest double, or
 * below the smallest one of full precision, they are not doubles of their own. Everything else
 * (σ, standard deviations, coefficients, their standard errors, the log-likelihood) is.
 */
function varianceRangeWarnings(sigma2: number, terms: RandomTermResult[], response: string): string[] {
  const values = [sigma2, ...terms.flatMap((t) => t.cov.flat())];
  const how = "the tables show them, their standard errors and the ANOVA's sums of squares as text, the JSON as null; standard deviations, coefficients, their standard errors and the log-likelihood are numbers and right.";
  const out: string[] = [];
  if (values.some((v) => !Number.isFinite(v))) {
    out.push(`Some variances are larger than the largest number a double holds (about 1.8e308): ${how} Divide ${response} by a large power of ten to have them as numbers.`);
  }
  if (values.some((v) => v !== 0 && Math.abs(v) < NORMAL_MIN)) {
    out.push(`Some variances are below the smallest number a double holds to full precision (about 2.2e-308): ${how} Multiply ${response} by a large power of ten to have them as numbers.`);
  }
  return out;
}

/** A diagonal entry of the internal θ below this is a variance at zero (lme4's isSingular tolerance). */
const SINGULAR_BELOW = 1e-4;

function squareMatrix(m: ArrayLike<number>, q: number): number[][] {
  return Array.from({ length: q }, (_, r) => Array.from({ length: q }, (_, c) => m[c * q + r]));
}

export function buildResult(core: FitCore, options: { conditionalVariances?: boolean } = {}): MixedLMResult {
  const { frame } = core;
  const n = frame.y.length;
  const p = frame.X.length;
  const warnings = [...frame.warnings];
  const { fixedEffects, vcovFixed, vcovFixedInternal, varianceRows } = fixedEffectsTable(core, warnings);
  const sigma = core.transform.sigma(core.internal.sigma2);
  const randomTerms = randomTermsOf(core, sigma);
  warnings.push(...varianceRangeWarnings(core.sigma2, randomTerms, frame.responseName));
  const singular = isSingular(core);
  if (singular) {
    warnings.push("The fit is singular: a variance is estimated as zero (or a correlation as ±1). The model may be overfitted; consider simplifying its random effects.");
  }
  const opt = core.optimum;
  if (!opt.converged) {
    warnings.push(opt.hessianPositive
      ? `The optimiser stopped before reaching the optimum (the deviance could still decrease by ${opt.predictedDecrease.toPrecision(3)}).`
      : "The optimum is not a proper minimum (its Hessian is not positive definite): some variance parameters are not identified by the data.");
  }
  const logLik = -core.minusTwoLogLik / 2;
  const df = p + frame.nTheta + 1;
  const predict = (data: DataTable, opts: { includeRandom?: boolean } = {}): Float64Array => predictRows(core, data, opts.includeRandom ?? true);
  const result: MixedLMResult = {
    style: frame.style,
    method: frame.method,
    formula: frame.spec.formula,
    responseName: frame.responseName,
    nObs: n,
    nInputRows: frame.nInputRows,
    nDropped: frame.nDropped,
    groups: groupSizes(frame),
    groupingFactors: groupingFactorsOf(frame),
    converged: opt.converged,
    singular,
    warnings,
    logLik,
    aic: -2 * logLik + 2 * df,
    bic: -2 * logLik + Math.log(n) * df,
    df,
    scale: core.sigma2,
    sigma,
    fixedEffects,
    vcovFixed,
    randomTerms,
    varianceRows,
    randomEffects: randomEffectsTables(core, options.conditionalVariances === true),
    fitted: core.fitted,
    residuals: core.residuals,
    rowIndex: frame.rowIndex,
    theta: Array.from(core.theta),
    optimizer: { evaluations: opt.evaluations, iterations: opt.iterations, message: opt.message, gradient: opt.gradient, predictedDecrease: opt.predictedDecrease },
    predict,
  };
  internalVcov.set(result, vcovFixedInternal);
  return result;
}

/**
 * vcovFixed of each result buildResult made, in the fit's internal coordinates (vcovFixed =
 * transform.betaCov of it): quadratic forms in it on internal columns do not cancel
 * (prediction.ts). A result derived from another (with Kenward-Roger's covariance, say) has none.
 */
const internalVcov = new WeakMap<MixedLMResult, Float64Array>();

/** The result's vcovFixed in internal coordinates, or null for a result buildResult did not make. */
export function internalFixedCovariance(result: MixedLMResult): Float64Array | null {
  return internalVcov.get(result) ?? null;
}

/**
 * The coefficients table, their covariance and statsmodels' variance rows. The SEs follow the
 * style of the model, so that they read like the peer users compare with: statsmodels' (the
 * inverse of its full observed Hessian, β and variance parameters together) for a
 * statsmodels-style fit; lme4's conditional σ²(X'V⁻¹X)⁻¹ for an lme4-style fit, and for a
 * statsmodels-style one whose Hessian cannot be inverted (with a warning).
 */
function fixedEffectsTable(core: FitCore, warnings: string[]): { fixedEffects: FixedEffect[]; vcovFixed: number[][]; vcovFixedInternal: Float64Array; varianceRows: VarianceRow[] } {
  const { frame } = core;
  let varianceRows: VarianceRow[] = [];
  let statsmodelsFixedSE: (number | null)[] | null = null;
  let statsmodelsFixedCov: Float64Array | null = null;
  let statsmodelsFixedCovInternal: Float64Array | null = null;
  if (frame.style === "statsmodels") {
    const se = statsmodelsVarianceSE(core);
    if (se) {
      varianceRows = se.names.map((name, j) => ({ name, value: se.values[j], relativeValue: se.relativeValues[j], statsmodelsStdErr: se.stdErr[j] }));
      statsmodelsFixedSE = se.fixedStdErr;
      statsmodelsFixedCov = se.fixedCov;
      statsmodelsFixedCovInternal = se.fixedCovInternal;
    }
  }
  const conditionalStdErr = core.transform.betaStdErr(core.internal.betaCov);
  if (frame.style === "statsmodels" && (!statsmodelsFixedSE || statsmodelsFixedSE.some((v) => v === null || !Number.isFinite(v)))) {
    warnings.push("statsmodels' standard errors of the fixed effects could not be computed (its Hessian cannot be inverted here, or a group has more than 2,000 random effects); the fixed effects' standard errors are lme4's conditional ones, from σ²(X'V⁻¹X)⁻¹.");
    statsmodelsFixedSE = null;
    statsmodelsFixedCov = null;
    statsmodelsFixedCovInternal = null;
  }
  const fixedEffects: FixedEffect[] = frame.xNames.map((name, a) => {
    const coef = core.beta[a];
    const se = statsmodelsFixedSE ? statsmodelsFixedSE[a]! : conditionalStdErr[a];
    const z = coef / se;
    return { name, coef, stdErr: se, z, p: twoSidedNormalP(z), ciLow: coef - Z975 * se, ciHigh: coef + Z975 * se };
  });
  return {
    fixedEffects,
    vcovFixed: squareMatrix(statsmodelsFixedCov ?? core.betaCov, frame.X.length),
    vcovFixedInternal: statsmodelsFixedCovInternal ?? core.internal.betaCov,
    varianceRows,
  };
}

/** Random-effect terms on the data's scale; a statsmodels variance component made of several patsy subterms is one term. lme4-style: by number of levels, most first, as lme4 lists them. */
function randomTermsOf(core: FitCore, sigma: number): RandomTermResult[] {
  const { frame } = core;
  const randomTerms: RandomTermResult[] = [];
  const seenVc = new Map<string, RandomTermResult>();
  frame.terms.forEach((t, k) => {
    const est = core.terms[k];
    const cov = squareMatrix(est.cov, t.q);
    if (t.kind === "vc") {
      const existing = seenVc.get(t.vcName!);
      if (existing) { existing.nLevels += t.levels.length; return; }
    }
    const { sd, corr } = deviations(est.T, t.q, sigma);
    const r: RandomTermResult = { grouping: t.grouping, kind: t.kind, names: t.names, cov, sd, corr, nLevels: t.levels.length, ...(t.text ? { text: t.text } : {}) };
    if (t.kind === "vc") seenVc.set(t.vcName!, r);
    randomTerms.push(r);
  });
  if (frame.style === "lme4") sortByLevels(randomTerms, (t) => t.nLevels);
  return randomTerms;
}

/**
 * Singular: a diagonal entry of a relative factor at (numerically) zero, lme4's rule, applied to
 * the internal θ, whose effect columns have unit root mean square (standardize.ts): lme4's own θ
 * shrinks with the unit of a slope's covariate and would call a slope on micrometres singular.
 */
function isSingular(core: FitCore): boolean {
  let singular = false;
  for (const t of core.frame.terms) for (let c = 0; c < t.q; c++) {
    const k = t.thetaIndex[c * t.q + c];
    if (k >= 0 && Math.abs(core.internal.theta[k]) < SINGULAR_BELOW) singular = true;
  }
  return singular;
}

/** The conditional modes of each term, with their conditional standard deviations when asked for; lme4-style: by number of levels, most first. */
function randomEffectsTables(core: FitCore, withConditionalSd: boolean): RandomEffectsTable[] {
  const { frame } = core;
  const condVar = withConditionalSd ? conditionalVariances(core) : null;
  const randomEffects: RandomEffectsTable[] = frame.terms.map((t, k) => {
    const bl = core.terms[k].blups;
    const values = t.levels.map((_, l) => Array.from({ length: t.q }, (_, c) => bl[l * t.q + c]));
    const cv = condVar ? condVar[k] : null;
    // s √v: the covariances are in the internal response's unit (condvar.ts)
    const s = core.transform.response.scale;
    const condSd = cv ? t.levels.map((_, l) => Array.from({ length: t.q }, (_, c) => s * Math.sqrt(Math.max(0, cv[l * t.q * t.q + c * t.q + c])))) : null;
    const table: RandomEffectsTable = { grouping: t.grouping, kind: t.kind, names: t.names, levels: t.levels, values, condSd };
    if (t.kind === "vc" && frame.groups) {
      table.groupLabel = Array.from(t.groupOfLevel!, (g) => frame.groups!.labels[g]);
      table.entryName = t.levels.map((l) => `${t.vcName}[${l}]`);
    }
    return table;
  });
  if (frame.style === "lme4") sortByLevels(randomEffects, (t) => t.levels.length);
  return randomEffects;
}

/** Group sizes: the statsmodels groups, or the grouping factor of an lme4-style model that has only one. */
function groupSizes(frame: ModelFrame): MixedLMResult["groups"] {
  const n = frame.y.length;
  const barFactors = [...new Set(frame.terms.map((t) => t.grouping))];
  const single = frame.groups ?? (frame.style === "lme4" && barFactors.length === 1
    ? { name: frame.terms[0].grouping, labels: frame.terms[0].levels, refs: frame.terms[0].refs }
    : null);
  if (!single) return null;
  const sizes = new Int32Array(single.labels.length);
  for (let i = 0; i < n; i++) sizes[single.refs[i]]++;
  let min = Infinity, max = 0;
  for (const s of sizes) { min = Math.min(min, s); max = Math.max(max, s); }
  return { name: single.name, count: sizes.length, minSize: min, maxSize: max, meanSize: n / sizes.length };
}

/** Every grouping factor (not the statsmodels variance components) and its number of levels; lme4-style: most levels first. */
function groupingFactorsOf(frame: ModelFrame): { name: string; nLevels: number }[] {
  const groupingFactors: { name: string; nLevels: number }[] = [];
  for (const t of frame.terms) {
    if (t.kind === "vc") continue;
    if (!groupingFactors.some((g) => g.name === t.grouping)) groupingFactors.push({ name: t.grouping, nLevels: t.levels.length });
  }
  if (frame.style === "lme4") sortByLevels(groupingFactors, (g) => g.nLevels);
  return groupingFactors;
}

/**
 * Standard deviations σ‖T_i‖ and correlations (T T')_ij / (‖T_i‖ ‖T_j‖) from the relative factor
 * T (q×q, column-major) and σ: finite where the variances σ² (T T')_ii overflow.
 */
function deviations(T: Float64Array, q: number, sigma: number): { sd: number[]; corr: number[][] | null } {
  const dot = (i: number, j: number) => { let s = 0; for (let c = 0; c < q; c++) s += T[c * q + i] * T[c * q + j]; return s; };
  const norm = Array.from({ length: q }, (_, i) => Math.sqrt(dot(i, i)));
  const sd = norm.map((v) => sigma * v);
  const corr = q > 1 ? norm.map((ni, i) => norm.map((nj, j) => (i === j ? 1 : ni > 0 && nj > 0 ? dot(i, j) / (ni * nj) : NaN))) : null;
  return { sd, corr };
}

function sortByLevels<T>(items: T[], levels: (t: T) => number): void {
  const sorted = items.map((t, k) => ({ t, k })).sort((a, b) => levels(b.t) - levels(a.t) || a.k - b.k);
  sorted.forEach((s, i) => { items[i] = s.t; });
}

/**
 * Predictions on new rows: X β (+ Z b for levels the model has seen; a new level contributes its
 * mean, zero). Rows with a missing value in a column the prediction needs give NaN. Computed in the
 * fit's internal columns (prediction.ts), so the prediction keeps the digits the data have.
 */
function predictRows(core: FitCore, data: DataTable, includeRandom: boolean): Float64Array {
  const out = fixedPrediction(core, internalFixedColumns(core, data), data.nRows);
  if (includeRandom) addRandomPrediction(core, data, out);
  return out;
}
