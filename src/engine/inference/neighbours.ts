/**
 * The R levels each level l of the first term shares rows with (the pattern of Z_R'Z₀), with the
 * blocks the contractions need for each such pair (l, m), m a level of term i:
 *   C = Z_m'Z_l (q_i × q₀, from the cross-products),
 *   J = Z_l'V₁⁻¹Z_m = B_l C' (q₀ × q_i),
 *   Y = T_i' J'  (q_i × q₀): the (m, l) block of Ŷ = Λ_R'Z_R'V₁⁻¹Z.
 * Stored by first-term level (compressed rows), in the order of the terms.
 */
import type { CrossProducts } from "../crossprod";
import type { FirstTermBlocks } from "./firstTerm";
import type { RComponents } from "./rComponents";

export interface NeighbourBlocks {
  /** Neighbours of first-term level l: ptr[l] ≤ k < ptr[l + 1]. */
  ptr: Int32Array;
  term: Int32Array;
  level: Int32Array;
  /** Offset of the neighbour's rows within its component. */
  offset: Int32Array;
  /** Offset of its blocks in C, J and Y (each q_i·q₀ numbers). */
  at: Int32Array;
  C: Float64Array;
  J: Float64Array;
  Y: Float64Array;
}

export function neighbourBlocks(cp: CrossProducts, first: FirstTermBlocks, r: RComponents, T: Float64Array[]): NeighbourBlocks {
  const K = cp.terms.length;
  const n0 = first.nLevels, q0 = first.q;
  const ptr = new Int32Array(n0 + 1);
  for (let i = 1; i < K; i++) { const pat = cp.off[i][0]!; for (let l = 0; l < n0; l++) ptr[l + 1] += pat.colPtr[l + 1] - pat.colPtr[l]; }
  for (let l = 0; l < n0; l++) ptr[l + 1] += ptr[l];
  const count = ptr[n0];
  const term = new Int32Array(count), level = new Int32Array(count), offset = new Int32Array(count), at = new Int32Array(count);
  let total = 0;
  const fill = ptr.slice(0, n0);
  for (let l = 0; l < n0; l++) for (let i = 1; i < K; i++) {
    const pat = cp.off[i][0]!;
    for (let t = pat.colPtr[l]; t < pat.colPtr[l + 1]; t++) {
      const k = fill[l]++;
      term[k] = i; level[k] = pat.rowIdx[t]; offset[k] = r.localOf[i][pat.rowIdx[t]];
      at[k] = total; total += cp.terms[i].q * q0;
    }
  }
  const C = new Float64Array(total), J = new Float64Array(total), Y = new Float64Array(total);
  for (let l = 0; l < n0; l++) {
    const seen = new Int32Array(K);
    for (let k = ptr[l]; k < ptr[l + 1]; k++) {
      const i = term[k], pat = cp.off[i][0]!, qi = cp.terms[i].q, bs = qi * q0;
      const t = pat.colPtr[l] + seen[i]++;
      C.set(pat.data.subarray(t * bs, (t + 1) * bs), at[k]);
      neighbourProducts(C, J, Y, at[k], qi, q0, first.B, l * q0 * q0, T[i]);
    }
  }
  return { ptr, term, level, offset, at, C, J, Y };
}

/** J = B C' and Y = T' J' for one neighbour block (C is q_i × q₀ at offset o). */
function neighbourProducts(C: Float64Array, J: Float64Array, Y: Float64Array, o: number, qi: number, q0: number, B: Float64Array, bo: number, Ti: Float64Array): void {
  for (let c = 0; c < qi; c++) for (let a = 0; a < q0; a++) {
    let s = 0;
    for (let k = 0; k < q0; k++) s += B[bo + k * q0 + a] * C[o + k * qi + c];
    J[o + c * q0 + a] = s;
  }
  for (let c = 0; c < q0; c++) for (let a = 0; a < qi; a++) {
    let s = 0;
    for (let k = a; k < qi; k++) s += Ti[a * qi + k] * J[o + k * q0 + c];
    Y[o + c * qi + a] = s;
  }
}

/** G[c] −= Σ_l C_{R,l} F_l C_{l,R} over every first-term level l, into its component's G. */
export function subtractFirstTerm(G: Float64Array[], sizes: number[], nb: NeighbourBlocks, first: FirstTermBlocks, firstComp: Int32Array, cp: CrossProducts): void {
  const q0 = first.q;
  const CF = new Float64Array(64);
  for (let l = 0; l < first.nLevels; l++) {
    const c = firstComp[l];
    if (c < 0) continue;
    const g = G[c], size = sizes[c], fo = l * q0 * q0;
    for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
      const qi = cp.terms[nb.term[k]].q, ok = nb.offset[k];
      const cf = CF.length >= qi * q0 ? CF : new Float64Array(qi * q0);
      // CF = C_k F (q_i × q₀)
      for (let b = 0; b < q0; b++) for (let a = 0; a < qi; a++) {
        let s = 0;
        for (let t = 0; t < q0; t++) s += nb.C[nb.at[k] + t * qi + a] * first.F[fo + b * q0 + t];
        cf[b * qi + a] = s;
      }
      for (let k2 = nb.ptr[l]; k2 < nb.ptr[l + 1]; k2++) {
        const qj = cp.terms[nb.term[k2]].q, oj = nb.offset[k2], at2 = nb.at[k2];
        for (let b = 0; b < qj; b++) for (let a = 0; a < qi; a++) {
          let s = 0;
          for (let t = 0; t < q0; t++) s += cf[t * qi + a] * nb.C[at2 + t * qj + b];
          g[(oj + b) * size + ok + a] -= s;
        }
      }
    }
  }
}
