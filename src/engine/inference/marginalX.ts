/**
 * The fixed-effects side of V₀⁻¹: N = Z'V₀⁻¹W and W'V₀⁻¹W for the p+1 columns W = [X y] (then
 * [X e], e = y − Xβ̂ the GLS residual), by the two steps of splitInverse.ts:
 *   H = Z'V₁⁻¹W (first term level by level), ΛH = Λ_R'H_R, then
 *   N = H − Ŷ'S⁻¹ΛH,   W'V₀⁻¹W = W'V₁⁻¹W − ΛH'S⁻¹ΛH.
 */
import type { SplitInverse } from "./splitInverse";
import { mul } from "../smallMatrix";

export interface MarginalX {
  p1: number;
  /** Rows per first-term level (q₀). */
  q0: number;
  /** N rows of the first term: per level a q₀ × p1 block (column-major), level after level. */
  N0: Float64Array;
  /** N rows of each R component: size × p1, column-major. */
  NR: Float64Array[];
  /** W'V₀⁻¹W, p1 × p1. */
  WVW: Float64Array;
}

export function marginalX(si: SplitInverse): MarginalX {
  const { cp, first, neighbours: nb, rIndex, components } = si;
  const p1 = cp.p + 1, q0 = first.q, n0 = first.nLevels;
  const xz0 = cp.xz[0];
  const ZW = (l: number, c: number, x: number) => xz0[(l * q0 + c) * p1 + x]; // (Z_l'W)[c, x]
  // W'V₁⁻¹W = W'W − Σ_l (Z_l'W)' F_l (Z_l'W); H_l = B_l Z_l'W
  const WVW = Float64Array.from(cp.xx);
  const N0 = new Float64Array(n0 * q0 * p1);
  const FZW = new Float64Array(q0 * p1);
  for (let l = 0; l < n0; l++) {
    const fo = l * q0 * q0, no = l * q0 * p1;
    for (let x = 0; x < p1; x++) for (let a = 0; a < q0; a++) {
      let f = 0, h = 0;
      for (let k = 0; k < q0; k++) { f += first.F[fo + k * q0 + a] * ZW(l, k, x); h += first.B[fo + k * q0 + a] * ZW(l, k, x); }
      FZW[x * q0 + a] = f;
      N0[no + x * q0 + a] = h;
    }
    for (let y = 0; y < p1; y++) for (let x = 0; x < p1; x++) {
      let s = 0;
      for (let a = 0; a < q0; a++) s += ZW(l, a, x) * FZW[y * q0 + a];
      WVW[y * p1 + x] -= s;
    }
  }
  const NR = rPart(si, p1, ZW);
  // the R terms by Woodbury: ΛH = Λ'H_R, KΛH = S⁻¹ΛH
  components.forEach((comp, c) => {
    const size = comp.size, HR = NR[c];
    const LH = Float64Array.from(HR);
    scaleLevelRows(LH, size, p1, comp, si);
    const KLH = mul(comp.K, LH, size, size, p1);
    for (let y = 0; y < p1; y++) for (let x = 0; x < p1; x++) {
      let s = 0;
      for (let i = 0; i < size; i++) s += LH[x * size + i] * KLH[y * size + i];
      WVW[y * p1 + x] -= s;
    }
    // N_R = H_R − (S⁻¹Ŷ_R)'ΛH
    for (let x = 0; x < p1; x++) for (let i = 0; i < size; i++) {
      const row = comp.KYt.subarray(i * size, (i + 1) * size);
      const v = LH[x * size + i];
      if (v === 0) continue;
      for (let j = 0; j < size; j++) HR[x * size + j] -= row[j] * v;
    }
    // N_0 rows of the levels in this component: − Σ_neighbours Y' KΛH
    subtractFromFirst(si, c, KLH, N0, p1);
  });
  return { p1, q0, N0, NR, WVW };
}

/** H_R = Z_R'W − Σ_l C_{R,l} F_l Z_l'W, per component (size × p1). */
function rPart(si: SplitInverse, p1: number, ZW: (l: number, c: number, x: number) => number): Float64Array[] {
  const { cp, first, neighbours: nb, rIndex } = si;
  const q0 = first.q;
  const H = rIndex.sizes.map((size) => new Float64Array(size * p1));
  for (let i = 1; i < cp.terms.length; i++) {
    const q = cp.terms[i].q;
    for (let m = 0; m < cp.terms[i].nLevels; m++) {
      const c = rIndex.compOf[i][m], o = rIndex.localOf[i][m], size = rIndex.sizes[c];
      for (let x = 0; x < p1; x++) for (let a = 0; a < q; a++) H[c][x * size + o + a] = cp.xz[i][(m * q + a) * p1 + x];
    }
  }
  const FZW = new Float64Array(q0 * p1);
  for (let l = 0; l < first.nLevels; l++) {
    const c = rIndex.firstComp[l];
    if (c < 0) continue;
    const fo = l * q0 * q0, size = rIndex.sizes[c], h = H[c];
    for (let x = 0; x < p1; x++) for (let a = 0; a < q0; a++) {
      let s = 0;
      for (let k = 0; k < q0; k++) s += first.F[fo + k * q0 + a] * ZW(l, k, x);
      FZW[x * q0 + a] = s;
    }
    for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
      const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
      for (let x = 0; x < p1; x++) for (let a = 0; a < qi; a++) {
        let s = 0;
        for (let t = 0; t < q0; t++) s += nb.C[at + t * qi + a] * FZW[x * q0 + t];
        h[x * size + o + a] -= s;
      }
    }
  }
  return H;
}

/** N0 −= Ŷ₀' V for the first-term levels of component c (V: size × cols). */
export function subtractFromFirst(si: SplitInverse, c: number, V: Float64Array, N0: Float64Array, cols: number): void {
  const { cp, first, neighbours: nb, rIndex } = si;
  const q0 = first.q, size = si.components[c].size;
  for (let f = rIndex.firstPtr[c]; f < rIndex.firstPtr[c + 1]; f++) {
    const l = rIndex.firstLevels[f];
    const no = l * q0 * cols;
    for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
      const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
      for (let x = 0; x < cols; x++) for (let a = 0; a < q0; a++) {
        let s = 0;
        for (let t = 0; t < qi; t++) s += nb.Y[at + a * qi + t] * V[x * size + o + t];
        N0[no + x * q0 + a] -= s;
      }
    }
  }
}

/** Rows of V (size × cols) by the component's level blocks: V ← Λ'V. */
export function scaleLevelRows(V: Float64Array, size: number, cols: number, comp: { levelTerm: Int32Array; levelOffset: Int32Array }, si: SplitInverse): void {
  for (let k = 0; k < comp.levelTerm.length; k++) {
    const i = comp.levelTerm[k], q = si.cp.terms[i].q, o = comp.levelOffset[k], T = si.T[i];
    for (let x = 0; x < cols; x++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let t = a; t < q; t++) s += T[a * q + t] * V[x * size + o + t];
      V[x * size + o + a] = s;
    }
  }
}
