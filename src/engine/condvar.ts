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
import type { BlockedFactor } from "./blocked";
import type { FitCore, ProfiledDeviance } from "./fit";
import { sandwich } from "./smallMatrix";

const MAX_REST = 4000;

/**
 * Per term (frame order): nLevels × q × q conditional covariances on the data's columns, in the
 * unit of the internal response (column-major blocks), or null: s² times them is the data's
 * (s: transform.response.scale), kept apart so that their standard deviations, s √v, are right
 * where the data's variances overflow or underflow (a response × 1e±160).
 */
export function conditionalVariances(core: FitCore): (Float64Array | null)[] | null {
  const dev = core.deviance;
  const f = dev.factor;
  const cp = dev.cp;
  const rest = f.dims.slice(1).reduce((a, b) => a + b, 0);
  if (rest > MAX_REST) return null;
  const theta = core.internal.theta;
  if (!dev.updateIfNeeded(theta)) return null;
  const T = dev.templates(theta);
  const sigma2 = core.internal.sigma2;
  const rr = f.K > 1 ? restInverse(f, rest) : null;
  const out = cp.terms.map((term, j) => {
    const { q, nLevels } = term;
    const res = new Float64Array(nLevels * q * q);
    const S = new Float64Array(q * q); // Σ block (relative scale) of one level
    for (let l = 0; l < nLevels; l++) {
      if (j === 0) firstTermBlock(dev, rr, l, S);
      else if (rr) {
        const o = rr.offset[j] + l * q;
        for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) S[b * q + a] = rr.sigmaRR[(o + b) * rest + o + a];
      }
      // σ² T S T'
      const Tj = T[j];
      for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) {
        let s = 0;
        for (let c = 0; c <= a; c++) for (let d = 0; d <= b; d++) s += Tj[c * q + a] * S[d * q + c] * Tj[d * q + b];
        res[l * q * q + b * q + a] = sigma2 * s;
      }
    }
    return inFrameLevelOrder(res, dev.levelPerm[j], q);
  });
  // back to frame order, on the data's columns
  const byFrame: (Float64Array | null)[] = new Array(f.K).fill(null);
  dev.order.forEach((k, j) => {
    const internal = out[j];
    const qq = cp.terms[j].q ** 2;
    const mapped = new Float64Array(internal.length);
    const D = core.transform.termMatrix(k), q = cp.terms[j].q;
    for (let o = 0; o < internal.length; o += qq) mapped.set(sandwich(D, internal.subarray(o, o + qq), q, q), o);
    byFrame[k] = mapped;
  });
  return byFrame;
}

/** Σ_RR = (L_RR L_RR')⁻¹ for the terms after the first (m × m, dense), and the offset of each of those terms in it. */
interface RestInverse {
  sigmaRR: Float64Array;
  offset: number[];
  m: number;
}

function restInverse(f: BlockedFactor, m: number): RestInverse {
  const offset: number[] = [];
  let off = 0;
  for (let j = 1; j < f.K; j++) { offset[j] = off; off += f.dims[j]; }
  return { sigmaRR: inverseFromCholesky(f.denseRandomEffects(1), m), offset, m };
}

/** The first term's block of level ℓ, S = L_ℓ⁻ᵀ (I + c_ℓ' Σ_RR c_ℓ) L_ℓ⁻¹ (I alone when there is no other term), into S. */
function firstTermBlock(dev: ProfiledDeviance, rr: RestInverse | null, l: number, S: Float64Array): void {
  const q = dev.cp.terms[0].q;
  const A = new Float64Array(q * q);
  for (let a = 0; a < q; a++) A[a * q + a] = 1;
  if (rr) addCoupling(dev, rr, l, A);
  // S = L_ℓ⁻ᵀ A L_ℓ⁻¹: columns of X = L⁻ᵀ A, then S = (L⁻ᵀ Xᵀ)ᵀ by symmetry
  const D = dev.factor.Ldiag[0];
  const X = Float64Array.from(A);
  for (let c = 0; c < q; c++) backSolveTransposed(D, q, X, l * q * q, c * q);
  const Xt = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) Xt[b * q + a] = X[a * q + b];
  for (let c = 0; c < q; c++) backSolveTransposed(D, q, Xt, l * q * q, c * q);
  S.set(Xt);
}

/** A += c_ℓ' Σ_RR c_ℓ, c_ℓ the ℓ-th column block of L_R0 (its nonzero blocks, on the patterns of Z_i'Z_0). */
function addCoupling(dev: ProfiledDeviance, rr: RestInverse, l: number, A: Float64Array): void {
  const { cp, factor: f } = dev;
  const q = cp.terms[0].q;
  const { sigmaRR, m } = rr;
  const entries: { row: number; t: number; i: number }[] = [];
  for (let i = 1; i < f.K; i++) {
    const pat = cp.off[i][0]!;
    for (let t = pat.colPtr[l]; t < pat.colPtr[l + 1]; t++) entries.push({ row: rr.offset[i] + pat.rowIdx[t] * pat.qr, t, i });
  }
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

/** Per-level blocks back in the frame's level order (the factor may hold them in a fill-reducing order). */
function inFrameLevelOrder(res: Float64Array, perm: Int32Array | null, q: number): Float64Array {
  if (!perm) return res;
  const qq = q * q;
  const byLevel = new Float64Array(res.length);
  for (let l = 0; l < res.length / qq; l++) byLevel.set(res.subarray(l * qq, (l + 1) * qq), perm[l] * qq);
  return byLevel;
}
