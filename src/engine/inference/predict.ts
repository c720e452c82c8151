/**
 * Predictions on new rows, as lme4's predict(m, newdata): the population level X β̂ (re.form =
 * NA) with its standard error √(x' Cov(β̂) x), and the conditional prediction X β̂ + Z b̂ with the
 * predicted random effects, where a level the model has not seen contributes 0 (allow.new.levels
 * = TRUE). Computed in the fit's internal columns (prediction.ts, as the result's predict), after
 * checks that name every missing column and every unseen level of a fixed-effect factor.
 */
import { buildDesign } from "../design";
import { MixedLMError, quoted } from "../errors";
import { evaluateFactor, factorColumns, newMemo, parseFactorExpr } from "../formula/factor";
import { Factor } from "../formula/terms";
import { ModelFrame } from "../model";
import { DataTable } from "../table";
import { addRandomPrediction, fixedPrediction, fixedPredictionStdErr, internalFixedColumns } from "../prediction";
import { internalFixedCovariance } from "../results";
import type { FitWithCore } from "./confint";

export interface Predictions {
  /** X β̂ per new row (NaN where a column the fixed effects use is missing). */
  population: Float64Array;
  /** X β̂ + Z b̂ per new row; null when the random effects cannot be predicted on these rows (see notes). */
  conditional: Float64Array | null;
  /** Standard error of the population prediction, √(x' Cov(β̂) x), Cov(β̂) as the summary's. */
  seFixed: Float64Array;
  notes: string[];
}

export function predictNew(model: FitWithCore, newdata: DataTable): Predictions {
  const frame = model.core.frame;
  const n = newdata.nRows;
  const fixedFactors = frame.fixed.terms.flatMap((t) => t.factors);
  const fixedColumns = columnsOf(fixedFactors, frame.fixedSource, frame);
  const missing = fixedColumns.filter((c) => !newdata.has(c));
  if (missing.length > 0) {
    throw new MixedLMError("data", `The new data lack the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, which the fixed effects use: add ${missing.length > 1 ? "them" : "it"} (with the same header${missing.length > 1 ? "s" : ""}).`);
  }
  const notes: string[] = [];
  const keep = completeRows(newdata, fixedColumns);
  const nKept = keep.reduce((s, v) => s + v, 0);
  if (nKept < n) notes.push(`${n - nKept} of ${n} new rows have a missing value in a column the fixed effects use: no prediction for ${n - nKept > 1 ? "them" : "it"}.`);
  const sub = nKept < n ? newdata.subset(keep) : newdata;
  checkNumbers(fixedFactors, frame, sub);
  checkLevels(fixedFactors, frame, sub);
  const internalCols = internalFixedColumns(model.core, sub);
  const fixed = fixedPrediction(model.core, internalCols, sub.nRows);
  const se = predictionStdErr(model, sub, internalCols);
  const population = new Float64Array(n).fill(NaN), seFixed = new Float64Array(n).fill(NaN);
  for (let i = 0, k = 0; i < n; i++) {
    if (!keep[i]) continue;
    population[i] = fixed[k];
    seFixed[i] = se[k];
    k++;
  }
  return { population, conditional: conditionalPredictions(model, newdata, fixedColumns, population, notes), seFixed, notes };
}

/**
 * √(x' Cov(β̂) x) per row, Cov(β̂) the summary's: in internal coordinates where the result has
 * them (prediction.ts: no cancellation for a covariate far from zero), else (a result with
 * Kenward-Roger's covariance) from vcovFixed itself.
 */
function predictionStdErr(model: FitWithCore, rows: DataTable, internalCols: Float64Array[]): Float64Array {
  const covInternal = internalFixedCovariance(model.result);
  if (covInternal) return fixedPredictionStdErr(model.core, internalCols, rows.nRows, covInternal);
  const frame = model.core.frame;
  const design = buildDesign(frame.fixed, rows, frame.fixedSource, frame.memo, false);
  const X = frame.xNames.map((name) => design.columns.find((d) => d.name === name)!.values);
  const V = model.result.vcovFixed;
  return Float64Array.from({ length: rows.nRows }, (_, i) => {
    let v = 0;
    for (let a = 0; a < X.length; a++) for (let b = 0; b < X.length; b++) v += X[a][i] * V[a][b] * X[b][i];
    return Math.sqrt(Math.max(0, v));
  });
}

/** X β̂ + Z b̂ (the population prediction plus the random part), or null with a note saying why not. */
function conditionalPredictions(model: FitWithCore, newdata: DataTable, fixedColumns: string[], population: Float64Array, notes: string[]): Float64Array | null {
  const frame = model.core.frame;
  if (frame.terms.some((t) => t.kind === "vc")) {
    notes.push("No conditional predictions: the random effects of statsmodels variance components are not predicted on new rows.");
    return null;
  }
  const effectColumns = frame.terms.flatMap((t) => (t.effects ? columnsOf(t.effects.list.terms.flatMap((u) => u.factors), t.effects.source, frame) : []));
  const groupColumns = frame.terms.flatMap((t) => t.groupingFactors ?? t.grouping.split(":"));
  const missing = [...new Set([...effectColumns, ...groupColumns])].filter((c) => !newdata.has(c));
  if (missing.length > 0) {
    notes.push(`No conditional predictions: the new data lack ${missing.join(", ")}, which the random effects use.`);
    return null;
  }
  // a missing group is a new level (it contributes 0); a missing effect column leaves no prediction
  const keep = completeRows(newdata, [...new Set([...fixedColumns, ...effectColumns])]);
  const n = newdata.nRows;
  const nKept = keep.reduce((s, v) => s + v, 0);
  // the random part alone, added to the population prediction: a new level's row is its population prediction exactly
  const random = new Float64Array(nKept);
  addRandomPrediction(model.core, nKept < n ? newdata.subset(keep) : newdata, random);
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) out[i] = population[i] + random[k++];
  return out;
}

/** The data columns a list of factors uses (read off the fitted table, which has them all). */
function columnsOf(factors: Factor[], source: string, frame: ModelFrame): string[] {
  const out = new Set<string>();
  for (const f of factors) for (const c of factorColumns(parseFactorExpr(f.tokens, source), frame.table, source)) out.add(c);
  return [...out];
}

function completeRows(data: DataTable, columns: string[]): Uint8Array {
  const keep = new Uint8Array(data.nRows).fill(1);
  for (const name of columns) for (let i = 0; i < data.nRows; i++) if (keep[i] && data.isMissing(name, i)) keep[i] = 0;
  return keep;
}

/**
 * A fixed-effect factor that was numbers in the fitted data and is text in the new rows (a typo,
 * "1,234", a word): named with its first cells of text, not left to fail as a design column that
 * cannot be built.
 */
function checkNumbers(factors: Factor[], frame: ModelFrame, data: DataTable): void {
  const done = new Set<string>();
  for (const f of factors) {
    if (done.has(f.code) || frame.memo.levels.has(f.code)) continue;
    done.add(f.code);
    const v = evaluateFactor(parseFactorExpr(f.tokens, frame.fixedSource), f.code, frame.fixedSource, { table: data, memo: newMemo(), fitting: true });
    if (v.kind !== "categorical") continue;
    const cells: string[] = [];
    for (let i = 0; i < v.codes.length && cells.length < 3; i++) {
      const c = v.codes[i];
      if (c >= 0 && Number.isNaN(Number(v.levels[c]))) cells.push(`new row ${i + 1} ${quoted(v.levels[c], 30)}`);
    }
    throw new MixedLMError("data", `In the new data, ${quoted(f.code, 60)} must be numbers, as in the fitted data, but it holds text: ${cells.join(", ")}. Write the values as plain numbers (a decimal point, no thousands separator) or clear them.`);
  }
}

/** Every level of a fixed-effect factor in the new rows that the fitted data did not have, named in one message. */
function checkLevels(factors: Factor[], frame: ModelFrame, data: DataTable): void {
  const unseen: string[] = [];
  const done = new Set<string>();
  for (const f of factors) {
    if (done.has(f.code)) continue;
    done.add(f.code);
    const known = frame.memo.levels.get(f.code);
    if (!known) continue;
    const v = evaluateFactor(parseFactorExpr(f.tokens, frame.fixedSource), f.code, frame.fixedSource, { table: data, memo: newMemo(), fitting: true });
    if (v.kind !== "categorical") continue;
    const present = new Set<number>();
    for (const c of v.codes) if (c >= 0) present.add(c);
    const bad = [...present].map((c) => v.levels[c]).filter((l) => !known.includes(l));
    if (bad.length > 0) unseen.push(`${f.code}: ${bad.map((l) => `"${l}"`).join(", ")}`);
  }
  if (unseen.length > 0) {
    throw new MixedLMError("data", `The new data have levels the model was not fitted with (${unseen.join("; ")}); fixed effects can be predicted only for levels the model has seen.`);
  }
}
