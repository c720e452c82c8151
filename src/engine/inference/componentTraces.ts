/**
 * The parts of the traces (traces.ts) that couple the first term's levels with one R component:
 * for each first-term level l, P = S⁻¹Ŷ_l, ω_l = Ŷ_l'P, the row block M_0R of l, and
 * X_e = S⁻¹Ŷ₀E_eŶ₀' accumulated level by level for tr(X_e X_f).
 *
 * The functions take a range of the component's rows (at level boundaries). Taking the rows in
 * blocks small enough for the cache, each visited by every first-term level, was measured on
 * InstEval (2,972 levels, each touching 25 of 1,128 columns): 16-128 rows per block were 15-45%
 * slower than the whole component at once, so one range covers the component.
 */
import type { PsiEntry } from "./covarianceParameters";
import type { SplitInverse } from "./splitInverse";
import { traceEXFY, unitEntries } from "./traces";

interface RowBlock {
  r0: number;
  r1: number;
  /** The component's levels in the block: indices into levelTerm / levelOffset. */
  k0: number;
  k1: number;
}

/** All the rows of component c as one range. */
function wholeComponent(si: SplitInverse, c: number): RowBlock {
  const comp = si.components[c];
  return { r0: 0, r1: comp.size, k0: 0, k1: comp.levelTerm.length };
}

/** E as flat index arrays (row i, column j of each unit entry). */
function flat(e: PsiEntry): { i: Int32Array; j: Int32Array } {
  const u = unitEntries(e);
  return { i: Int32Array.from(u, (x) => x[0]), j: Int32Array.from(u, (x) => x[1]) };
}

/** Adds the component's share of T and t; returns X_e for each first-term entry (size × size). */
export function componentFirstTermTraces(si: SplitInverse, entries: PsiEntry[], firstEntries: number[], restEntries: number[], c: number, T: Float64Array, t: Float64Array, m: number): Map<number, Float64Array> {
  const { first, rIndex } = si;
  const comp = si.components[c];
  const size = comp.size, q0 = first.q, qq = q0 * q0;
  const X = new Map(firstEntries.map((e) => [e, new Float64Array(size * size)]));
  const levels = rIndex.firstLevels.subarray(rIndex.firstPtr[c], rIndex.firstPtr[c + 1]);
  const omega = new Float64Array(levels.length * qq);
  const E = firstEntries.map((e) => flat(entries[e]));
  const F = restEntries.map((g) => flat(entries[g]));
  const block = wholeComponent(si, c);
  const width = block.r1 - block.r0;
  const Pb = new Float64Array(q0 * width);
  const Mb = new Float64Array(q0 * width);
  {
    levels.forEach((l, f) => {
      blockProducts(si, c, l, block, Pb, Mb, omega, f * qq);
      firstEntries.forEach((e, k) => accumulateX(X.get(e)!, E[k], Pb, si, l, block, size));
      firstEntries.forEach((e, ke) => restEntries.forEach((g, kg) => {
        const s = crossTrace(E[ke], F[kg], entries[g].term, Mb, width, comp, block);
        T[g * m + e] += s;
        T[e * m + g] += s;
      }));
    });
  }
  // the ω parts: t_e −= tr(E ω_l), T_ef −= 2 tr(E M_l F ω_l)
  levels.forEach((l, f) => {
    for (const e of firstEntries) {
      const Eu = unitEntries(entries[e]);
      for (const [i, j] of Eu) t[e] -= omega[f * qq + i * q0 + j];
      for (const g of firstEntries) T[g * m + e] -= 2 * traceEXFY(Eu, unitEntries(entries[g]), first.M, l * qq, q0, omega, f * qq, q0);
    }
  });
  return X;
}

/**
 * For first-term level l, the block's rows of P = S⁻¹Ŷ_l (Pb[a·width + i − r0]) and of M_0R's row
 * block (Mb, same layout: J_l − Ŷ_l'(S⁻¹Ŷ_R), or P'Λ⁻¹ when S⁻¹Ŷ_R = (I − S⁻¹)Λ⁻¹), and ω_l's
 * terms from the neighbours in the block.
 */
function blockProducts(si: SplitInverse, c: number, l: number, b: RowBlock, Pb: Float64Array, Mb: Float64Array, omega: Float64Array, oo: number): void {
  const { cp, first, neighbours: nb } = si;
  const comp = si.components[c];
  const size = comp.size, q0 = first.q, K = comp.K, KYt = comp.KYt, r0 = b.r0, w = b.r1 - b.r0;
  Pb.fill(0, 0, q0 * w);
  if (!comp.inverse) Mb.fill(0, 0, q0 * w);
  for (let a = 0; a < q0; a++) {
    // the columns of S⁻¹ (rows of (S⁻¹Ŷ_R)') at the neighbours, with their weights Y[r, a]
    const n = gatherColumns(si, l, a, size, r0);
    combineColumns(K, Pb, a * w, w, n);
    if (comp.inverse) continue;
    for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
      const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
      if (o >= r0 && o < b.r1) for (let r = 0; r < qi; r++) Mb[a * w + o + r - r0] += nb.J[at + r * q0 + a];
    }
    for (let j = 0; j < n; j++) scratch.y[j] = -scratch.y[j];
    combineColumns(KYt, Mb, a * w, w, n);
  }
  if (comp.inverse) {
    for (let i = 0; i < q0 * w; i++) Mb[i] = Pb[i];
    for (let a = 0; a < q0; a++) divideByTemplates(Mb, a * w - r0, comp, b, si);
  }
  // ω_l += Ŷ_l' P over the neighbours whose rows are in this block
  for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
    const o = nb.offset[k];
    if (o < r0 || o >= b.r1) continue;
    const qi = cp.terms[nb.term[k]].q, at = nb.at[k];
    for (let bb = 0; bb < q0; bb++) for (let a = 0; a < q0; a++) {
      let s = 0;
      for (let r = 0; r < qi; r++) s += nb.Y[at + a * qi + r] * Pb[bb * w + o + r - r0];
      omega[oo + bb * q0 + a] += s;
    }
  }
}

/** Scratch lists of (column start, weight), grown on demand. */
const scratch = { col: new Int32Array(256), y: new Float64Array(256) };

/** Lists the neighbours' columns (start of rows r0.. in a size×size matrix) and weights Y[r, a] (nonzero only); returns their number. */
function gatherColumns(si: SplitInverse, l: number, a: number, size: number, r0: number): number {
  const { cp, neighbours: nb } = si;
  let n = 0;
  for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
    const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
    for (let r = 0; r < qi; r++) {
      const y = nb.Y[at + a * qi + r];
      if (y === 0) continue;
      if (n === scratch.col.length) { scratch.col = Int32Array.from({ length: 2 * n }, (_, i) => scratch.col[i] ?? 0); scratch.y = Float64Array.from({ length: 2 * n }, (_, i) => scratch.y[i] ?? 0); }
      scratch.col[n] = (o + r) * size + r0;
      scratch.y[n++] = y;
    }
  }
  return n;
}

/** out[at .. at + w) += Σ_j A[col_j ..] y_j over the gathered columns, four at a time (one load and store of out per four multiply-adds). */
function combineColumns(A: Float64Array, out: Float64Array, at: number, w: number, n: number): void {
  const { col, y } = scratch;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const c0 = col[j], c1 = col[j + 1], c2 = col[j + 2], c3 = col[j + 3];
    const y0 = y[j], y1 = y[j + 1], y2 = y[j + 2], y3 = y[j + 3];
    for (let i = 0; i < w; i++) out[at + i] += A[c0 + i] * y0 + A[c1 + i] * y1 + A[c2 + i] * y2 + A[c3 + i] * y3;
  }
  for (; j < n; j++) {
    const c0 = col[j], y0 = y[j];
    for (let i = 0; i < w; i++) out[at + i] += A[c0 + i] * y0;
  }
}

/** The row vector x (component columns of the block, at v[o + column]) ← x Λ⁻¹, level block by level block. */
function divideByTemplates(v: Float64Array, o: number, comp: { levelTerm: Int32Array; levelOffset: Int32Array }, b: RowBlock, si: SplitInverse): void {
  for (let m = b.k0; m < b.k1; m++) {
    const term = comp.levelTerm[m], q = si.cp.terms[term].q, T = si.T[term], lo = o + comp.levelOffset[m];
    if (q === 1) { v[lo] /= T[0]; continue; }
    for (let k = q - 1; k >= 0; k--) {
      let s = v[lo + k];
      for (let r = k + 1; r < q; r++) s -= v[lo + r] * T[k * q + r];
      v[lo + k] = s / T[k * q + k];
    }
  }
}

/** X_e's block rows += P E Ŷ_l': column (o + r) gains Σ_{(i,j) ∈ E} P[:, i] Y[r, j], four columns at a time. */
function accumulateX(X: Float64Array, E: { i: Int32Array; j: Int32Array }, Pb: Float64Array, si: SplitInverse, l: number, b: RowBlock, size: number): void {
  const w = b.r1 - b.r0;
  for (let u = 0; u < E.i.length; u++) {
    const n = gatherColumns(si, l, E.j[u], size, b.r0);
    const { col, y } = scratch;
    const pi = E.i[u] * w;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const c0 = col[j], c1 = col[j + 1], c2 = col[j + 2], c3 = col[j + 3];
      const y0 = y[j], y1 = y[j + 1], y2 = y[j + 2], y3 = y[j + 3];
      for (let s = 0; s < w; s++) {
        const p = Pb[pi + s];
        X[c0 + s] += p * y0; X[c1 + s] += p * y1; X[c2 + s] += p * y2; X[c3 + s] += p * y3;
      }
    }
    for (; j < n; j++) {
      const c0 = col[j], y0 = y[j];
      for (let s = 0; s < w; s++) X[c0 + s] += Pb[pi + s] * y0;
    }
  }
}

/** tr(E_e M_{l,R} F_f M_{R,l}) over the block's levels of f's term (M_0R's block rows in Mb). */
function crossTrace(E: { i: Int32Array; j: Int32Array }, F: { i: Int32Array; j: Int32Array }, fTerm: number, Mb: Float64Array, w: number, comp: { levelTerm: Int32Array; levelOffset: Int32Array }, b: RowBlock): number {
  let s = 0;
  const scalar = E.i.length === 1 && F.i.length === 1;
  const ei = E.i[0], ej = E.j[0], fk = F.i[0], fl = F.j[0];
  for (let k = b.k0; k < b.k1; k++) {
    if (comp.levelTerm[k] !== fTerm) continue;
    const o = comp.levelOffset[k] - b.r0;
    // X = M_{l,m}: X[j, kk] = Mb[j·w + o + kk]; tr(E X F X') = Σ X[j, kk] X[i, ll] over (i,j) ∈ E, (kk,ll) ∈ F
    if (scalar) { s += Mb[ej * w + o + fk] * Mb[ei * w + o + fl]; continue; }
    for (let u = 0; u < E.i.length; u++) for (let v = 0; v < F.i.length; v++) s += Mb[E.j[u] * w + o + F.i[v]] * Mb[E.i[u] * w + o + F.j[v]];
  }
  return s;
}
