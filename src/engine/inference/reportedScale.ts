/**
 * Between the fit's internal coordinates and the reported coefficients: a covariance-type p×p
 * matrix M (Cov(β̂) and its derivatives) becomes yScale² · A M A' with A = betaMap (fitView.ts),
 * and a contrast l of the reported coefficients is yScale times the contrast A'l of the internal
 * ones: l'β = yScale (A'l)'β̃ with β̃ = view.betaInternal, l'Cov(β̂)l = yScale² (A'l)'M(A'l). The
 * tests evaluate every contrast in internal coordinates: for a covariate far from zero the
 * reported Cov(β̂) has entries of 1e18 that a contrast cancels down to ones, losing every digit;
 * A'l cancels once, to about ε|l||A|. yScale stays outside (a response near 1e160 has variances
 * past the largest double, not standard errors).
 */
import type { FitView } from "./fitView";

export function toReportedCovariance(view: FitView, M: Float64Array): Float64Array {
  const p = view.p, A = view.betaMap, s2 = view.yScale * view.yScale;
  if (!A) return s2 === 1 ? M : M.map((v) => v * s2);
  const AM = new Float64Array(p * p);
  for (let j = 0; j < p; j++) for (let t = 0; t < p; t++) { const m = M[j * p + t]; if (m !== 0) for (let i = 0; i < p; i++) AM[j * p + i] += A[t * p + i] * m; }
  const out = new Float64Array(p * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < p; i++) { let s = 0; for (let t = 0; t < p; t++) s += AM[t * p + i] * A[t * p + j]; out[j * p + i] = s * s2; }
  return out;
}

/** The contrast A'l of the internal coefficients that l is (up to yScale) of the reported ones. */
export function internalContrast(view: FitView, l: ArrayLike<number>): Float64Array {
  const p = view.p, A = view.betaMap;
  if (!A) return Float64Array.from(l);
  const out = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let v = 0;
    for (let i = 0; i < p; i++) { const li = l[i]; if (li !== 0) v += A[j * p + i] * li; }
    out[j] = v;
  }
  return out;
}

/**
 * The rows of a hypothesis on the internal coefficients, all divided by the largest entry of any:
 * the same hypothesis (F does not depend on a common scale of the rows, nor do the directions of
 * LΦL' that Satterthwaite's F rotates onto: each row's own scale would change those), with no
 * products past the largest double in the tests' eigen-decompositions (a response × 1e80 maps a
 * row by 1e80, its covariance by 1e160, and squares of that overflow).
 */
export function internalHypothesis(view: FitView, L: ArrayLike<number>[]): Float64Array[] {
  const rows = L.map((l) => internalContrast(view, l));
  let big = 0;
  for (const row of rows) for (let j = 0; j < row.length; j++) big = Math.max(big, Math.abs(row[j]));
  return big > 0 && Number.isFinite(big) ? rows.map((row) => row.map((v) => v / big)) : rows;
}

/** The internal contrast of l divided by its largest entry, and that entry (estimate and standard error scale by it). */
export function normalizedContrast(view: FitView, l: ArrayLike<number>): { row: Float64Array; scale: number } {
  const row = internalContrast(view, l);
  let big = 0;
  for (let j = 0; j < row.length; j++) big = Math.max(big, Math.abs(row[j]));
  if (!(big > 0) || !Number.isFinite(big)) return { row, scale: 1 };
  return { row: row.map((v) => v / big), scale: big };
}
