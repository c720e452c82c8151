/**
 * Conditional covariances of the random effects given the data (lme4's condVar, statsmodels'
 * random_effects_cov without the vc cross-terms): Var(b | y) = σ² Λ (L_ZZ L_ZZ')⁻¹ Λ', diagonal
 * blocks only (one q×q block per level of each term). Computed on the fit's internal problem and
 * mapped to the data's columns: s² D_k Var(b_int | y) D_k' (standardize.ts).
 *
 * With L_ZZ = [[L00, 0], [L_R0, L_RR]] (the first term, then the rest), the first term's blocks are
 * L_ℓ⁻ᵀ (I + c_ℓ' Σ_RR c_ℓ) L_ℓ⁻¹, where c_ℓ is the ℓ-th column block of L_R0 (sparse) and
 * Σ_RR = (L_RR L_RR')⁻¹; the rest's blocks are read off Σ_RR. Σ_RR is dense, so this is done
 * only when the other terms have at most MAX_REST levels·q in all.
 */
import { backSolveTransposed, inverseFromCholesky } from "./dense";
import { FitCore } from "./fit";

const MAX_REST = 4000;

/** Per term (frame order): nLevels × q × q conditional covariances on the data's scale (column-major blocks), or null. */
export function conditionalVariances(core: FitCore): (Float64Array | null)[] | null {
  const dev = core.deviance;
  const f = dev.factor;
  const cp = dev.cp;
  const K = f.K;
  const rest = f.dims.slice(1).reduce((a, b) => a + b, 0);
  if (rest > MAX_REST) return null;
  const theta = core.internal.theta;
  if (!dev.updateIfNeeded(theta)) return null;
  const T = dev.templates(theta);
  const sigma2 = core.internal.sigma2;

  // Σ_RR from the dense lower factor of the remaining terms
  let sigmaRR: Float64Array | null = null;
  const restOffset: number[] = [];
  if (K > 1) {
    let off = 0;
    for (let j = 1; j < K; j++) { restOffset[j] = off; off += f.dims[j]; }
    sigmaRR = inverseFromCholesky(f.denseRandomEffects(1), rest);
  }

  const out: (Float64Array | null)[] = new Array(K).fill(null);
  for (let j = 0; j < K; j++) {
    const q = cp.terms[j].q;
    const nl = cp.terms[j].nLevels;
    const res = new Float64Array(nl * q * q);
    const S = new Float64Array(q * q); // Σ block (relative scale) of one level
    for (let l = 0; l < nl; l++) {
      if (j === 0) {
        // A = I + c' Σ_RR c, then L⁻ᵀ A L⁻¹
        const A = new Float64Array(q * q);
        for (let a = 0; a < q; a++) A[a * q + a] = 1;
        if (sigmaRR) {
          const entries: { row: number; t: number; i: number }[] = [];
          for (let i = 1; i < K; i++) {
            const pat = cp.off[i][0]!;
            for (let t = pat.colPtr[l]; t < pat.colPtr[l + 1]; t++) entries.push({ row: restOffset[i] + pat.rowIdx[t] * pat.qr, t, i });
          }
          const m = rest;
          for (const ea of entries) for (const eb of entries) {
            const pa = cp.off[ea.i][0]!, pb = cp.off[eb.i][0]!;
            const Va = f.Lfirst[ea.i]!, Vb = f.Lfirst[eb.i]!;
            for (let c1 = 0; c1 < q; c1++) for (let c2 = 0; c2 < q; c2++) {
              let s = 0;
              for (let r1 = 0; r1 < pa.qr; r1++) {
                const v1 = Va[ea.t * pa.qr * q + c1 * pa.qr + r1];
                if (v1 === 0) continue;
                for (let r2 = 0; r2 < pb.qr; r2++) s += v1 * sigmaRR[(eb.row + r2) * m + ea.row + r1] * Vb[eb.t * pb.qr * q + c2 * pb.qr + r2];
              }
              A[c2 * q + c1] += s;
            }
          }
        }
        // S = L_ℓ⁻ᵀ A L_ℓ⁻¹: columns of X = L⁻ᵀ A, then S = (L⁻ᵀ Xᵀ)ᵀ by symmetry
        const D = f.Ldiag[0];
        const X = Float64Array.from(A);
        for (let c = 0; c < q; c++) backSolveTransposed(D, q, X, l * q * q, c * q);
        const Xt = new Float64Array(q * q);
        for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Xt[b * q + a] = X[a * q + b];
        for (let c = 0; c < q; c++) backSolveTransposed(D, q, Xt, l * q * q, c * q);
        S.set(Xt);
      } else if (sigmaRR) {
        const m = rest;
        const o = restOffset[j] + l * q;
        for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) S[b * q + a] = sigmaRR[(o + b) * m + o + a];
      }
      // σ² T S T'
      const Tj = T[j];
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) {
        let s = 0;
        for (let c = 0; c <= a; c++) for (let d = 0; d <= b; d++) s += Tj[c * q + a] * S[d * q + c] * Tj[d * q + b];
        res[l * q * q + b * q + a] = sigma2 * s;
      }
    }
    // levels back in the frame's order (the factor may hold them in a fill-reducing order)
    if (dev.levelPerm[j]) {
      const perm = dev.levelPerm[j]!;
      const qq = q * q;
      const byLevel = new Float64Array(res.length);
      for (let l = 0; l < nl; l++) byLevel.set(res.subarray(l * qq, (l + 1) * qq), perm[l] * qq);
      out[j] = byLevel;
    } else out[j] = res;
  }
  // back to frame order, on the data's columns
  const byFrame: (Float64Array | null)[] = new Array(K).fill(null);
  dev.order.forEach((k, j) => {
    const internal = out[j]!;
    const qq = cp.terms[j].q ** 2;
    const mapped = new Float64Array(internal.length);
    for (let o = 0; o < internal.length; o += qq) mapped.set(core.transform.termCovariance(k, internal, o), o);
    byFrame[k] = mapped;
  });
  return byFrame;
}
