/**
 * The JSON form of a fit: the contract of the CLI's --json output (scripts rely on it; add
 * fields, never rename or remove them).
 */
import type { MixedLMResult } from "../engine";
import { isFullVariance } from "./format";
import { InferenceJson, varianceRowsWithStdErr } from "./inference";

export interface FitJson {
  style: "statsmodels" | "lme4";
  formula: string;
  response: string;
  method: "REML" | "ML";
  nObs: number;
  nDropped: number;
  /** Number of groups; for several grouping factors, an object factor → number of levels. */
  nGroups: number | Record<string, number>;
  groupingFactors: Record<string, number>;
  converged: boolean;
  singular: boolean;
  logLik: number;
  aic: number;
  bic: number;
  /** Which log-likelihood AIC and BIC are based on: the REML criterion for REML fits (as lme4), else ML. */
  aicBasis: "REML" | "ML";
  df: number;
  /** Null where it is not a double of full precision (see varianceNumber), as every number in the units of a variance. */
  scale: number | null;
  /** With a df method (--ddf): `df`, and z holds the t statistic, p and the interval from t(df). */
  fixedEffects: { name: string; coef: number; stdErr: number; z: number; p: number; ciLow: number; ciHigh: number; df?: number }[];
  randomTerms: { grouping: string; kind: string; names: string[]; cov: (number | null)[][]; sd: number[]; corr: number[][] | null; nLevels: number; term?: string }[];
  /**
   * statsmodels' variance rows: statsmodelsStdErr is the number statsmodels prints beside them,
   * sqrt(scale) × SE(value / scale); stdErr (when computed) is the standard error of value itself,
   * from the observed information of the fitted criterion (src/engine/inference/varianceSE.ts).
   */
  varianceRows: { name: string; value: number | null; statsmodelsStdErr: number | null; stdErr?: number | null }[];
  randomEffects: Record<string, Record<string, Record<string, number>>>;
  theta: number[];
  warnings: string[];
  /** Milliseconds: reading the file, the fit, and the inference asked for on top of it. */
  timing?: { parseMs: number; fitMs: number; inferenceMs?: number };
  /** The df method of the fixed effects' t tests (--ddf), when asked for. */
  ddf?: "satterthwaite" | "kenward-roger";
  // ---- inference (src/report/inference.ts): present when asked for -------------------------
  /** lmerTest's ANOVA table of the fixed-effect terms (--anova), terms in R's order. */
  anova?: InferenceJson["anova"];
  comparison?: InferenceJson["comparison"];
  confint?: InferenceJson["confint"];
  predictions?: InferenceJson["predictions"];
  predictionNotes?: string[];
  varianceStdErr?: InferenceJson["varianceStdErr"];
}

/**
 * An object for keys the user chose (grouping factors, levels, effect and column names): without
 * a prototype, so that a level called "__proto__", "constructor" or "toString" is a key like any
 * other, neither lost nor written into Object.prototype. JSON.stringify writes it as any object.
 */
function keyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The entry of `key` in a keyed object, made when absent (own keys only: a keyed object has no others). */
function entry<T>(o: Record<string, Record<string, T>>, key: string): Record<string, T> {
  return (o[key] ??= keyed<T>());
}

/** Random effects keyed grouping → level → effect name, merging terms that share a grouping factor (as lme4's ranef and statsmodels' random_effects do). */
export function randomEffectsObject(r: MixedLMResult): Record<string, Record<string, Record<string, number>>> {
  const out = keyed<Record<string, Record<string, number>>>();
  for (const t of r.randomEffects) {
    const byLevel = entry(out, t.grouping);
    t.levels.forEach((level, l) => {
      if (t.kind === "vc" && t.groupLabel && t.entryName) {
        entry(byLevel, t.groupLabel[l])[t.entryName[l]] = t.values[l][0];
      } else {
        const effects = entry(byLevel, level);
        t.names.forEach((name, c) => { effects[name] = t.values[l][c]; });
      }
    });
  }
  return out;
}

export function fitToJson(r: MixedLMResult, timing?: FitJson["timing"], inference: InferenceJson = {}): FitJson {
  const factors = keyed<number>();
  for (const g of r.groupingFactors) factors[g.name] = g.nLevels;
  let nGroups: number | Record<string, number>;
  if (r.groups) nGroups = r.groups.count;
  else if (r.groupingFactors.length === 1) nGroups = r.groupingFactors[0].nLevels;
  else nGroups = factors;
  return {
    style: r.style,
    formula: r.formula,
    response: r.responseName,
    method: r.method,
    nObs: r.nObs,
    nDropped: r.nDropped,
    nGroups,
    groupingFactors: factors,
    converged: r.converged,
    singular: r.singular,
    logLik: r.logLik,
    aic: r.aic,
    bic: r.bic,
    aicBasis: r.method,
    df: r.df,
    scale: varianceNumber(r.scale),
    fixedEffects: r.fixedEffects.map((f) => ({ ...f })),
    randomTerms: r.randomTerms.map((t) => ({ grouping: t.grouping, kind: t.kind, names: t.names, cov: t.cov.map((row) => row.map(varianceNumber)), sd: t.sd, corr: t.corr, nLevels: t.nLevels, ...(t.text ? { term: t.text } : {}) })),
    varianceRows: varianceRowsWithStdErr(r.varianceRows.map(({ name, value, statsmodelsStdErr }) => ({ name, value: varianceNumber(value), statsmodelsStdErr })), inference.varianceStdErr),
    randomEffects: randomEffectsObject(r),
    theta: r.theta,
    warnings: r.warnings,
    ...(r.ddf ? { ddf: r.ddf } : {}),
    ...(timing ? { timing } : {}),
    ...inference,
  };
}

/**
 * A number in the units of a variance, or null where it is not a double of full precision: past
 * the largest double, or below the smallest normal one, where it keeps only a few of its digits
 * (a response × 1e±160; the fit's warning says so). The tables give such numbers as text.
 */
export function varianceNumber(v: number): number | null {
  return isFullVariance(v) ? v : null;
}

/** JSON text with non-finite numbers as null (JSON has no NaN). */
export function stringifyFit(j: FitJson, indent = 1): string {
  return JSON.stringify(j, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), indent);
}
