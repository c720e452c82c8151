/**
 * The first random-effect term level by level: with C_l = Z_l'Z_l and D_l = T'C_lT + I,
 *   F_l = T D_l⁻¹ T',  B_l = I − C_l F_l,  M_l = C_l − C_l F_l C_l = Z_l'V₁⁻¹Z_l,
 * where V₁ = I + Z₀Ψ₀Z₀' holds the first term's random effects only. No inverse of T is needed,
 * so a variance at zero (T = 0: F = 0, M = C) is no special case.
 */
import type { CrossProducts } from "../crossprod";
import { cholesky, forwardSolve } from "../dense";

export interface FirstTermBlocks {
  q: number;
  nLevels: number;
  /** Per level, q×q column-major, level after level. */
  C: Float64Array;
  F: Float64Array;
  B: Float64Array;
  M: Float64Array;
}

export function firstTermBlocks(cp: CrossProducts, T: Float64Array): FirstTermBlocks {
  const { q, nLevels } = cp.terms[0];
  const qq = q * q;
  const C = cp.diag[0];
  const F = new Float64Array(nLevels * qq);
  const B = new Float64Array(nLevels * qq);
  const M = new Float64Array(nLevels * qq);
  const D = new Float64Array(qq);
  const X = new Float64Array(qq);
  for (let l = 0; l < nLevels; l++) {
    const o = l * qq;
    // D = T'CT + I, factor it; X = L⁻¹T' column by column; F = X'X
    for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let i = a; i < q; i++) for (let j = b; j < q; j++) s += T[a * q + i] * C[o + j * q + i] * T[b * q + j];
      D[b * q + a] = s + (a === b ? 1 : 0);
    }
    cholesky(D, q);
    for (let c = 0; c < q; c++) {
      for (let a = 0; a < q; a++) X[c * q + a] = T[a * q + c];
      forwardSolve(D, q, X, 0, c * q);
    }
    for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += X[a * q + k] * X[b * q + k];
      F[o + b * q + a] = s;
    }
    // B = I − C F, M = B C
    for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += C[o + k * q + a] * F[o + b * q + k];
      B[o + b * q + a] = (a === b ? 1 : 0) - s;
    }
    for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += B[o + k * q + a] * C[o + b * q + k];
      M[o + b * q + a] = s;
    }
  }
  return { q, nLevels, C, F, B, M };
}
