/**
 * Likelihood-ratio tests of nested models, as lme4's anova(m0, m): the models sorted by number
 * of parameters, each row tested against the row above it (χ² = the drop in deviance, df = the
 * extra parameters). By default every model is fitted by ML (lme4's refit = TRUE: REML
 * likelihoods of models with different fixed effects are not comparable); `refit: false` keeps
 * REML, which is valid only when the fixed effects are the same (lme4's refit = FALSE, lmerTest's
 * ranova). Pairs that are not nested, or that differ in response, get a message instead of a test.
 * Models that would use different rows (a column with missing values that only some use) are all
 * fitted on the rows complete for every one of them, and a note says so: lme4 stops there.
 */
import { MixedLMError, isMixedLMError } from "../errors";
import { fitCore, FitCore } from "../fit";
import { parseFormula } from "../formula/terms";
import { buildModel, Method, ModelFrame, ModelSpec } from "../model";
import { DataTable } from "../table";
import { chiSquareUpperP } from "./distributions";
import { nestedIn } from "./nesting";
import { quantities } from "./view";

export interface CompareOptions {
  /** Refit REML models by ML before comparing (default true). */
  refit?: boolean;
  /** The full model's fit, reused when its rows and criterion are those of the comparison. */
  fitted?: FitCore;
}

export interface ComparisonRow {
  formula: string;
  /** The model as written: the formula, and for a statsmodels-style model its groups, re_formula and variance components. */
  model: string;
  npar: number;
  aic: number;
  bic: number;
  logLik: number;
  /** −2 logLik (of the REML criterion when compared without refitting). */
  deviance: number;
  /** Against the row above (null on the first row, and where there is no test: see message). */
  chisq: number | null;
  df: number | null;
  p: number | null;
  /** The formula of the row above, when this row is tested against it. */
  against: string | null;
  /** Why there is no test. */
  message?: string;
}

export interface Comparison {
  /** Whether REML fits were refitted by ML for the comparison. */
  refitML: boolean;
  criterion: Method;
  nObs: number;
  /** Fewest parameters first. */
  rows: ComparisonRow[];
  notes: string[];
}

export function compareModels(table: DataTable, full: ModelSpec, reduced: (string | ModelSpec)[], options: CompareOptions = {}): Comparison {
  if (reduced.length === 0) throw new MixedLMError("option", "Give at least one reduced model to compare with.");
  const refit = options.refit !== false;
  const ownMethod = (s: ModelSpec): Method => s.method ?? "REML";
  const specs = [...reduced.map((r) => (typeof r === "string" ? reducedSpec(full, r) : r)), full];
  const criterion: Method = refit ? "ML" : ownMethod(full);
  if (!refit && specs.some((s) => ownMethod(s) !== criterion)) throw new MixedLMError("option", "Without refitting, every model must be fitted by the same criterion (REML or ML).");
  const notes: string[] = [];
  let frames = specs.map((s) => frameOf(table, { ...s, method: criterion }));
  let subset = false;
  if (!frames.every((f) => sameRows(f, frames[0]))) {
    const keep = commonRows(frames, table.nRows);
    const kept = keep.reduce((s, v) => s + v, 0);
    notes.push(`The models use different rows (${frames.map((f) => f.y.length).join(", ")} of ${table.nRows}: missing values in a column only some of them use); all are compared on the ${kept} rows complete for every model.`);
    const sub = table.subset(keep);
    // grouping values given directly (not as a column) follow the rows kept
    const rowsOf = (s: ModelSpec): ModelSpec => (s.groupValues ? { ...s, groupValues: s.groupValues.filter((_, i) => keep[i]) } : s);
    frames = specs.map((s) => frameOf(sub, { ...rowsOf(s), method: criterion }));
    subset = true;
  }
  const reuse = options.fitted && !subset && options.fitted.deviance.reml === (criterion === "REML") ? options.fitted : null;
  // the test needs the criteria only: θ to the optimiser's tolerance (fit.ts, criterionOnly)
  const fits = frames.map((f, k) => (k === frames.length - 1 && reuse ? reuse : fitCore(f, { criterionOnly: true })));
  const order = fits.map((_, k) => k).sort((a, b) => npar(fits[a]) - npar(fits[b]) || a - b);
  const rows = order.map((k, i) => ({ ...rowOf(fits[k], specs[k].formula, i === 0 ? null : fits[order[i - 1]], specs[order[i - 1]]?.formula, criterion), model: describe(specs[k]) }));
  if (criterion === "ML" && specs.some((s) => ownMethod(s) === "REML")) notes.unshift("Models refitted by ML (instead of REML) for the comparison.");
  return { refitML: refit && specs.some((s) => ownMethod(s) === "REML"), criterion, nObs: frames[0].y.length, rows, notes };
}

/** A reduced formula: with bar terms a model of its own; without, the full model's groups and random effects (statsmodels style). */
export function reducedSpec(full: ModelSpec, formula: string): ModelSpec {
  const bars = parseFormula(formula).bars.length > 0;
  return bars ? { formula, method: full.method } : { ...full, formula };
}

/** "y ~ x + (1|g)"; for the statsmodels style "y ~ x, groups g, re_formula ~x, vc c = 0 + C(c)". */
export function describe(spec: ModelSpec): string {
  const parts = [spec.formula];
  if (spec.groups) parts.push(`groups ${spec.groups}`);
  else if (spec.groupValues) parts.push("groups given as values");
  if (spec.reFormula) parts.push(`re_formula ${spec.reFormula}`);
  for (const [name, f] of Object.entries(spec.vcFormula ?? {})) parts.push(`vc ${name} = ${f}`);
  return parts.join(", ");
}

function frameOf(table: DataTable, spec: ModelSpec): ModelFrame {
  try {
    return buildModel(table, spec);
  } catch (e) {
    if (isMixedLMError(e)) throw new MixedLMError(e.kind, `In the model "${spec.formula}": ${e.message}`);
    throw e;
  }
}

function npar(f: FitCore): number {
  return f.frame.X.length + f.frame.nTheta + 1;
}

function sameRows(a: ModelFrame, b: ModelFrame): boolean {
  return a.rowIndex.length === b.rowIndex.length && a.rowIndex.every((r, i) => r === b.rowIndex[i]);
}

function commonRows(frames: ModelFrame[], nRows: number): Uint8Array {
  const count = new Int32Array(nRows);
  for (const f of frames) for (const r of f.rowIndex) count[r]++;
  return Uint8Array.from(count, (c) => (c === frames.length ? 1 : 0));
}

function rowOf(fit: FitCore, formula: string, prev: FitCore | null, prevFormula: string | undefined, criterion: Method): Omit<ComparisonRow, "model"> {
  const q = quantities(fit);
  const k = npar(fit);
  const dev = q.minusTwoLogLik;
  const row: Omit<ComparisonRow, "model"> = { formula, npar: k, aic: dev + 2 * k, bic: dev + Math.log(q.n) * k, logLik: -dev / 2, deviance: dev, chisq: null, df: null, p: null, against: null };
  if (!prev) return row;
  const why = untestable(prev.frame, fit.frame, criterion);
  if (why) return { ...row, message: why };
  const df = k - npar(prev);
  const chisq = Math.max(0, quantities(prev).minusTwoLogLik - dev);
  return { ...row, chisq, df, p: chiSquareUpperP(chisq, df), against: prevFormula ?? null };
}

/** Why the smaller model cannot be tested against the larger one (null when it can). */
function untestable(small: ModelFrame, big: ModelFrame, criterion: Method): string | null {
  if (!sameValues([small.y], [big.y])) return "No test: the models have different responses.";
  if (big.X.length + big.nTheta === small.X.length + small.nTheta) return "No test: the models have the same number of parameters.";
  const nest = nestedIn(small, big);
  if (nest.nested === false) return `No test: the model above is not nested in this one (${nest.why}).`;
  if (criterion === "REML" && !(small.xNames.join("\u0000") === big.xNames.join("\u0000") && sameValues(small.X, big.X))) {
    return "No test: REML fits can be compared only when their fixed effects are the same; compare them refitted by ML.";
  }
  return null;
}

function sameValues(a: Float64Array[], b: Float64Array[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, k) => x.length === b[k].length && x.every((v, i) => Math.abs(v - b[k][i]) <= 1e-12 * Math.max(1, Math.abs(v))));
}
