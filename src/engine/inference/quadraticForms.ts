/**
 * The fixed-effects side of the derivatives, for W = [X e] (e = y − Xβ̂) and each free Ψ entry:
 *   P_e  = W'V₀⁻¹G_eV₀⁻¹W = N'E_eN,
 *   Q_ef = W'V₀⁻¹G_eV₀⁻¹G_fV₀⁻¹W = (E_eN)' M (E_fN),
 * with N = Z'V₀⁻¹W (marginalX.ts) and M = Z'V₀⁻¹Z applied to E_fN through its blocks
 * (splitInverse.ts), never formed.
 */
import type { PsiEntry } from "./covarianceParameters";
import type { MarginalX } from "./marginalX";
import type { SplitInverse } from "./splitInverse";
import { mul } from "../smallMatrix";
import { unitEntries } from "./traces";

/** W = [X y] → [X e], e = y − Xβ: the last column of N, and W'V₀⁻¹W = B'(W'V₀⁻¹W)B with B = [[I, −β], [0, 1]]. */
export function toResidualColumns(mx: MarginalX, beta: Float64Array): MarginalX {
  const p1 = mx.p1;
  const N0 = Float64Array.from(mx.N0);
  shiftLastColumn(N0, mx.q0, p1, beta);
  const NR = mx.NR.map((N) => { const out = Float64Array.from(N); shiftLastColumn(out, N.length / p1, p1, beta); return out; });
  const WB = Float64Array.from(mx.WVW);
  shiftLastColumn(WB, p1, p1, beta);
  const BWB = new Float64Array(p1 * p1); // (WB)' shifted again = B'W'V₀⁻¹WB
  for (let j = 0; j < p1; j++) for (let i = 0; i < p1; i++) BWB[i * p1 + j] = WB[j * p1 + i];
  shiftLastColumn(BWB, p1, p1, beta);
  return { p1, q0: mx.q0, N0, NR, WVW: BWB };
}

/** In consecutive blocks of h rows × p1 columns (column-major): the last column less Σ_a β_a · column a. */
function shiftLastColumn(A: Float64Array, h: number, p1: number, beta: Float64Array): void {
  const p = p1 - 1;
  if (h === 0) return;
  for (let o = 0; o < A.length; o += h * p1) {
    for (let r = 0; r < h; r++) {
      let s = 0;
      for (let a = 0; a < p; a++) s += A[o + a * h + r] * beta[a];
      A[o + p * h + r] -= s;
    }
  }
}

/** Where the rows of one level of a term live: the first-term blocks, or an R component at an offset. */
interface LevelRows {
  data: Float64Array;
  /** Offset of row 0 of the level, and the stride between columns. */
  at: number;
  stride: number;
}

/** A matrix on the random effects: first-term levels (q₀ × cols blocks, level after level), then each R component (size × cols). */
export interface QSpace {
  cols: number;
  first: Float64Array;
  rest: Float64Array[];
}

/** Calls visit(level rows of A, level rows of B) for every level of term j. */
function forLevels(si: SplitInverse, j: number, A: QSpace, B: QSpace, visit: (a: LevelRows, b: LevelRows) => void): void {
  if (j === 0) {
    const q0 = si.first.q;
    for (let l = 0; l < si.first.nLevels; l++) {
      visit({ data: A.first, at: l * q0 * A.cols, stride: q0 }, { data: B.first, at: l * q0 * B.cols, stride: q0 });
    }
    return;
  }
  const { compOf, localOf, sizes } = si.rIndex;
  compOf[j].forEach((c, m) => {
    visit({ data: A.rest[c], at: localOf[j][m], stride: sizes[c] }, { data: B.rest[c], at: localOf[j][m], stride: sizes[c] });
  });
}

/** P_e = N'E_eN for each entry (p1 × p1 each). */
export function pForms(si: SplitInverse, mx: MarginalX, entries: PsiEntry[]): Float64Array[] {
  const p1 = mx.p1;
  const N: QSpace = { cols: p1, first: mx.N0, rest: mx.NR };
  return entries.map((e) => {
    const P = new Float64Array(p1 * p1);
    const E = unitEntries(e);
    forLevels(si, e.term, N, N, (n) => {
      for (const [i, j] of E) for (let y = 0; y < p1; y++) {
        const njy = n.data[n.at + y * n.stride + j];
        if (njy === 0) continue;
        for (let x = 0; x < p1; x++) P[y * p1 + x] += n.data[n.at + x * n.stride + i] * njy;
      }
    });
    return P;
  });
}

/** Q_ef = (E_eN)'M(E_fN) for every pair of entries (p1 × p1 each, index e·m + f). */
export function qForms(si: SplitInverse, mx: MarginalX, entries: PsiEntry[]): Float64Array[] {
  const p1 = mx.p1, m = entries.length, cols = m * p1;
  const N: QSpace = { cols: p1, first: mx.N0, rest: mx.NR };
  // V = [E_1 N, ..., E_m N]
  const V: QSpace = { cols, first: new Float64Array(si.first.nLevels * si.first.q * cols), rest: si.components.map((c) => new Float64Array(c.size * cols)) };
  entries.forEach((f, k) => {
    const F = unitEntries(f);
    forLevels(si, f.term, N, V, (n, v) => {
      const nStride = n.stride, vStride = v.stride;
      for (const [i, j] of F) for (let x = 0; x < p1; x++) v.data[v.at + (k * p1 + x) * vStride + i] += n.data[n.at + x * nStride + j];
    });
  });
  const MV = applyM(si, V);
  const Q: Float64Array[] = [];
  entries.forEach((e) => {
    const E = unitEntries(e);
    for (let k = 0; k < m; k++) {
      const out = new Float64Array(p1 * p1);
      forLevels(si, e.term, N, MV, (n, y) => {
        for (const [i, j] of E) for (let b = 0; b < p1; b++) {
          const yjb = y.data[y.at + (k * p1 + b) * y.stride + j];
          if (yjb === 0) continue;
          for (let a = 0; a < p1; a++) out[b * p1 + a] += n.data[n.at + a * n.stride + i] * yjb;
        }
      });
      Q.push(out);
    }
  });
  return Q;
}

/** M·V for M = Z'V₀⁻¹Z through its blocks: the R components first, then the first-term levels. */
export function applyM(si: SplitInverse, V: QSpace): QSpace {
  const { first, components } = si;
  const cols = V.cols, q0 = first.q, qq = q0 * q0;
  const out: QSpace = { cols, first: new Float64Array(V.first.length), rest: components.map((c) => new Float64Array(c.size * cols)) };
  const z = components.map((comp, c) => {
    const size = comp.size;
    const { u, w } = gatherFirst(si, c, V);
    // z = S⁻¹u + (S⁻¹Ŷ_R) v_R;  (MV)_R = w − (S⁻¹Ŷ_R)'u + M_RR v_R
    const zc = mul(comp.K, u, size, size, cols);
    const vR = V.rest[c], oR = out.rest[c];
    oR.set(mul(comp.MRR, vR, size, size, cols));
    for (let x = 0; x < cols; x++) {
      const xo = x * size;
      for (let i = 0; i < size; i++) {
        const row = comp.KYt.subarray(i * size, (i + 1) * size);
        let s = 0;
        for (let j = 0; j < size; j++) s += row[j] * vR[xo + j];
        zc[xo + i] += s;
        const ui = u[xo + i];
        if (ui !== 0) for (let j = 0; j < size; j++) oR[xo + j] -= row[j] * ui;
        oR[xo + i] += w[xo + i];
      }
    }
    return zc;
  });
  for (let l = 0; l < first.nLevels; l++) {
    const o = l * q0 * cols;
    for (let x = 0; x < cols; x++) for (let a = 0; a < q0; a++) {
      let s = 0;
      for (let k = 0; k < q0; k++) s += first.M[l * qq + k * q0 + a] * V.first[o + x * q0 + k];
      out.first[o + x * q0 + a] = s;
    }
  }
  components.forEach((comp, c) => scatterFirst(si, c, V.rest[c], z[c], out.first, cols));
  return out;
}

/** u = Ŷ₀V₀ and w = J'V₀ over the first-term levels of component c (size × cols each). */
function gatherFirst(si: SplitInverse, c: number, V: QSpace): { u: Float64Array; w: Float64Array } {
  const { cp, first, neighbours: nb, rIndex } = si;
  const size = si.components[c].size, q0 = first.q, cols = V.cols;
  const u = new Float64Array(size * cols), w = new Float64Array(size * cols);
  for (let f = rIndex.firstPtr[c]; f < rIndex.firstPtr[c + 1]; f++) {
    const l = rIndex.firstLevels[f], vo = l * q0 * cols;
    for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
      const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
      for (let x = 0; x < cols; x++) for (let r = 0; r < qi; r++) {
        let su = 0, sw = 0;
        for (let a = 0; a < q0; a++) {
          const v = V.first[vo + x * q0 + a];
          su += nb.Y[at + a * qi + r] * v;
          sw += nb.J[at + r * q0 + a] * v;
        }
        u[x * size + o + r] += su;
        w[x * size + o + r] += sw;
      }
    }
  }
  return { u, w };
}

/** (MV)_l += Σ_neighbours J v_R − Y'z for the first-term levels of component c. */
function scatterFirst(si: SplitInverse, c: number, vR: Float64Array, z: Float64Array, out: Float64Array, cols: number): void {
  const { cp, first, neighbours: nb, rIndex } = si;
  const size = si.components[c].size, q0 = first.q;
  for (let f = rIndex.firstPtr[c]; f < rIndex.firstPtr[c + 1]; f++) {
    const l = rIndex.firstLevels[f], oo = l * q0 * cols;
    for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
      const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
      for (let x = 0; x < cols; x++) for (let a = 0; a < q0; a++) {
        let s = 0;
        for (let r = 0; r < qi; r++) s += nb.J[at + r * q0 + a] * vR[x * size + o + r] - nb.Y[at + a * qi + r] * z[x * size + o + r];
        out[oo + x * q0 + a] += s;
      }
    }
  }
}
