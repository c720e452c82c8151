/**
 * Predictions on new rows, computed in the fit's internal columns (standardize.ts): a covariate
 * near 1e9 is centred before it meets its coefficient, so X β keeps the digits the data have,
 * and the variance of X β is s² x_int' C x_int with C the internal covariance, not x' Cov(β̂) x,
 * whose terms of size d² Var(β_x) cancel to nothing for x + d (a standard error off by 80% at
 * d = 1e9). The result's predict (results.ts) and lme4's predict with its standard errors
 * (inference/predict.ts) share these steps.
 */
import { buildDesign } from "./design";
import { MixedLMError } from "./errors";
import { categoricalFromColumn } from "./formula/factor";
import type { FitCore } from "./fit";
import { DataTable } from "./table";

/** The internal fixed-effect columns of the new rows (frame.xNames order). */
export function internalFixedColumns(core: FitCore, data: DataTable): Float64Array[] {
  const { frame, transform } = core;
  const design = buildDesign(frame.fixed, data, frame.fixedSource, frame.memo, false);
  const cols = frame.xNames.map((name, j) => {
    const c = design.columns.find((d) => d.name === name);
    if (!c) throw new MixedLMError("data", `Cannot build column ${name} of the fixed effects from the new data.`);
    // a product the fit took centred is centred at the fit's centres here too (memo.centres)
    return frame.products[j] && c.centred ? c.centred : c.values;
  });
  return transform.fixedColumns(cols);
}

/** X β per row: X_int (γ + s β_int). */
export function fixedPrediction(core: FitCore, internalCols: Float64Array[], n: number): Float64Array {
  const { transform } = core;
  const s = transform.response.scale;
  const coef = Float64Array.from(transform.response.shift, (g, a) => g + s * core.internal.beta[a]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let a = 0; a < internalCols.length; a++) v += internalCols[a][i] * coef[a];
    out[i] = v;
  }
  return out;
}

/**
 * Standard error of X β per row, s √(x_int' C x_int), for a covariance of β̂ given in internal
 * coordinates (Cov(β̂) = s² B C B': transform.betaCov), p×p column-major.
 */
export function fixedPredictionStdErr(core: FitCore, internalCols: Float64Array[], n: number, covInternal: Float64Array): Float64Array {
  const s = core.transform.response.scale;
  const p = internalCols.length;
  const out = new Float64Array(n);
  const x = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) x[a] = internalCols[a][i];
    let v = 0;
    for (let b = 0; b < p; b++) {
      let t = 0;
      for (let a = 0; a < p; a++) t += covInternal[b * p + a] * x[a];
      v += t * x[b];
    }
    out[i] = s * Math.sqrt(Math.max(0, v));
  }
  return out;
}

/** Adds Z b to `out` for the rows in a level the model has seen (a new level contributes its mean, zero). */
export function addRandomPrediction(core: FitCore, data: DataTable, out: Float64Array): void {
  const { frame, transform } = core;
  const n = data.nRows;
  const s = transform.response.scale;
  frame.terms.forEach((t, k) => {
    if (t.kind === "vc") {
      throw new MixedLMError("model", "Prediction with random effects is not available for statsmodels variance components; predict without them (the fixed part) instead.");
    }
    // Z b = Z_int (s b_int)
    const bl = core.internal.blups[k];
    // level of each new row by the grouping factor's labels
    const levelIndex = new Map(t.levels.map((l, j) => [l, j]));
    const labels = groupingLabels(t.groupingFactors ?? t.grouping.split(":"), data);
    // effect columns of the new rows, rebuilt from the term's own formula
    let zcols: (Float64Array | null)[] = t.z.map(() => null);
    if (t.effects && t.z.some((z) => z !== null)) {
      const d = buildDesign(t.effects.list, data, t.effects.source, frame.memo, false);
      zcols = d.columns.map((c, j) => (c.name === "Intercept" ? null : t.products?.[j] && c.centred ? c.centred : c.values));
    }
    const zint = transform.termColumns(k, zcols);
    for (let i = 0; i < n; i++) {
      const lv = levelIndex.get(labels[i]);
      if (lv === undefined) continue;
      let v = 0;
      for (let c = 0; c < t.q; c++) v += (zint[c] === null ? 1 : zint[c]![i]) * bl[lv * t.q + c];
      out[i] += s * v;
    }
  });
}

function groupingLabels(parts: string[], data: DataTable): string[] {
  const cols = parts.map((p) => {
    if (!data.has(p)) throw new MixedLMError("data", `Prediction with random effects needs the grouping column ${p} in the new data.`);
    const c = data.column(p);
    return categoricalFromColumn(c.kind === "numeric" ? { ...c, integer: true } : c);
  });
  return Array.from({ length: data.nRows }, (_, i) => cols.map((c) => (c.codes[i] < 0 ? "" : c.levels[c.codes[i]])).join(":"));
}
