/**
 * From the fit's internal coordinates to the reported coefficients: a covariance-type p×p matrix
 * M (Cov(β̂) and its derivatives) becomes yScale² · A M A' with A = betaMap (fitView.ts).
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
