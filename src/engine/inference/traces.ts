/**
 * The contractions of V₀⁻¹ with the covariance's derivatives that Satterthwaite and
 * Kenward-Roger need, for every pair of free Ψ entries e, f (G_e = Z E_e Z'), on the scale of σ²:
 *   traces  T_ef = tr(V₀⁻¹G_eV₀⁻¹G_f) = tr(E_e M E_f M),   t_e = tr(V₀⁻¹G_e) = tr(E_e M),
 * with M = Z'V₀⁻¹Z = Mbd − Ŷ'S⁻¹Ŷ (splitInverse.ts). By blocks of M:
 *   first term × first term: Σ_l [tr(E M_l F M_l) − 2 tr(E M_l F ω_l)] + tr(X_e X_f),
 *       ω_l = Ŷ_l'S⁻¹Ŷ_l, X_e = S⁻¹ Ŷ₀ E_e Ŷ₀' (size × size);
 *   first term × R: the rows of M_0R = J − Ŷ₀'S⁻¹Ŷ_R, one first-term level at a time;
 *   R × R: the component's Z_R'V₀⁻¹Z_R.
 * Nothing of size n, nor of size (first-term levels)², is formed.
 */
import type { PsiEntry } from "./covarianceParameters";
import type { SplitInverse } from "./splitInverse";

/** E_e as the list of its unit entries (row, column). */
export function unitEntries(e: PsiEntry): [number, number][] {
  return e.a === e.b ? [[e.a, e.a]] : [[e.a, e.b], [e.b, e.a]];
}

export interface Traces {
  /** T_ef, m × m (m = number of entries). */
  T: Float64Array;
  /** t_e. */
  t: Float64Array;
}

export function traces(si: SplitInverse, entries: PsiEntry[]): Traces {
  const m = entries.length;
  const T = new Float64Array(m * m);
  const t = new Float64Array(m);
  const firstEntries = entries.map((e, k) => (e.term === 0 ? k : -1)).filter((k) => k >= 0);
  const restEntries = entries.map((e, k) => (e.term > 0 ? k : -1)).filter((k) => k >= 0);
  firstTermBlocksTraces(si, entries, firstEntries, T, t, m);
  si.components.forEach((_, c) => {
    const X = componentFirstTermTraces(si, entries, firstEntries, restEntries, c, T, t, m);
    for (const e of firstEntries) for (const f of firstEntries) T[f * m + e] += traceOfProductSquare(X.get(e)!, X.get(f)!, si.components[c].size);
    restTraces(si, entries, restEntries, c, T, t, m);
  });
  return { T, t };
}

/** Σ_l tr(E M_l F M_l) and tr(E M_l) over every first-term level (Mbd's blocks). */
function firstTermBlocksTraces(si: SplitInverse, entries: PsiEntry[], firstEntries: number[], T: Float64Array, t: Float64Array, m: number): void {
  const { q, nLevels, M } = si.first;
  const qq = q * q;
  for (let l = 0; l < nLevels; l++) {
    for (const e of firstEntries) {
      const E = unitEntries(entries[e]);
      for (const [i, j] of E) t[e] += M[l * qq + i * q + j];
      for (const f of firstEntries) T[f * m + e] += traceEXFY(E, unitEntries(entries[f]), M, l * qq, q, M, l * qq, q);
    }
  }
}

/** Σ_{(i,j) ∈ E} Σ_{(k,l) ∈ F} X[j, k] Y[i, l] = tr(E X F Y'), X and Y column-major with leading dimensions. */
export function traceEXFY(E: [number, number][], F: [number, number][], X: Float64Array, xo: number, ldX: number, Y: Float64Array, yo: number, ldY: number): number {
  let s = 0;
  for (const [i, j] of E) for (const [k, l] of F) s += X[xo + k * ldX + j] * Y[yo + l * ldY + i];
  return s;
}

/** tr(A B) for size×size column-major A, B. */
function traceOfProductSquare(A: Float64Array, B: Float64Array, size: number): number {
  let s = 0;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) s += A[j * size + i] * B[i * size + j];
  return s;
}

/**
 * The first-term levels of component c: the ω and M_0R parts of the traces, and X_e = S⁻¹Ŷ₀E_eŶ₀'
 * accumulated level by level (returned, for tr(X_e X_f)).
 */
function componentFirstTermTraces(si: SplitInverse, entries: PsiEntry[], firstEntries: number[], restEntries: number[], c: number, T: Float64Array, t: Float64Array, m: number): Map<number, Float64Array> {
  const { first, rIndex } = si;
  const comp = si.components[c];
  const size = comp.size, q0 = first.q, qq = q0 * q0;
  const X = new Map(firstEntries.map((e) => [e, new Float64Array(size * size)]));
  const P = new Float64Array(size * q0);
  const omega = new Float64Array(qq);
  const M0R = new Float64Array(q0 * size); // row a of M_0R contiguous: M0R[a·size + col]
  const offsets = termOffsets(si, c);
  for (let f = rIndex.firstPtr[c]; f < rIndex.firstPtr[c + 1]; f++) {
    const l = rIndex.firstLevels[f];
    levelProducts(si, c, l, P, omega, M0R);
    for (const e of firstEntries) {
      const E = unitEntries(entries[e]);
      for (const [i, j] of E) t[e] -= omega[i * q0 + j];
      for (const g of firstEntries) T[g * m + e] -= 2 * traceEXFY(E, unitEntries(entries[g]), first.M, l * qq, q0, omega, 0, q0);
      accumulateX(X.get(e)!, E, P, si, l, size);
    }
    for (const e of firstEntries) for (const g of restEntries) {
      const s = crossTrace(entries[e], entries[g], M0R, size, offsets.get(entries[g].term) ?? []);
      T[g * m + e] += s;
      T[e * m + g] += s;
    }
  }
  return X;
}

/** For first-term level l: P = S⁻¹Ŷ_l (size × q₀), ω = Ŷ_l'P, and the row block M_0R of l. */
function levelProducts(si: SplitInverse, c: number, l: number, P: Float64Array, omega: Float64Array, M0R: Float64Array): void {
  const { cp, first, neighbours: nb } = si;
  const comp = si.components[c];
  const size = comp.size, q0 = first.q;
  P.fill(0);
  M0R.fill(0);
  for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
    const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
    for (let r = 0; r < qi; r++) {
      const Kcol = comp.K.subarray((o + r) * size, (o + r + 1) * size);
      const KYrow = comp.KYt.subarray((o + r) * size, (o + r + 1) * size);
      for (let a = 0; a < q0; a++) {
        const y = nb.Y[at + a * qi + r];
        // M0R[a, o + r] += J[a, r]
        M0R[a * size + o + r] += nb.J[at + r * q0 + a];
        if (y === 0) continue;
        const pa = a * size;
        for (let i = 0; i < size; i++) { P[pa + i] += Kcol[i] * y; M0R[pa + i] -= KYrow[i] * y; }
      }
    }
  }
  omega.fill(0);
  for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
    const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
    for (let b = 0; b < q0; b++) for (let a = 0; a < q0; a++) {
      let s = 0;
      for (let r = 0; r < qi; r++) s += nb.Y[at + a * qi + r] * P[b * size + o + r];
      omega[b * q0 + a] += s;
    }
  }
}

/** X_e += P E Ŷ_l': column (o + r) gains Σ_{(i,j) ∈ E} P[:, i] Y[r, j]. */
function accumulateX(X: Float64Array, E: [number, number][], P: Float64Array, si: SplitInverse, l: number, size: number): void {
  const { cp, first, neighbours: nb } = si;
  const q0 = first.q;
  for (let k = nb.ptr[l]; k < nb.ptr[l + 1]; k++) {
    const qi = cp.terms[nb.term[k]].q, o = nb.offset[k], at = nb.at[k];
    for (let r = 0; r < qi; r++) {
      const col = X.subarray((o + r) * size, (o + r + 1) * size);
      for (const [i, j] of E) {
        const y = nb.Y[at + j * qi + r];
        if (y === 0) continue;
        const pi = i * size;
        for (let s = 0; s < size; s++) col[s] += P[pi + s] * y;
      }
    }
  }
}

/** tr(E_e M_{l,R} F_f M_{R,l}) for a first-term entry e and an R entry f, over the levels (offsets) of f's term. */
function crossTrace(e: PsiEntry, f: PsiEntry, M0R: Float64Array, size: number, offsets: number[]): number {
  const E = unitEntries(e), F = unitEntries(f);
  let s = 0;
  // X = M_{l,m}: X[j, k] = M_0R[j, o + k]
  for (const o of offsets) for (const [i, j] of E) for (const [k, l] of F) s += M0R[j * size + o + k] * M0R[i * size + o + l];
  return s;
}

/** Offsets within component c of the levels of each term present in it. */
function termOffsets(si: SplitInverse, c: number): Map<number, number[]> {
  const comp = si.components[c];
  const out = new Map<number, number[]>();
  comp.levelTerm.forEach((term, k) => {
    let list = out.get(term);
    if (!list) out.set(term, (list = []));
    list.push(comp.levelOffset[k]);
  });
  return out;
}

/** R × R: Σ over pairs of levels of tr(E M_RR[m, m'] F M_RR[m', m]), and tr(E M_RR[m, m]). */
function restTraces(si: SplitInverse, entries: PsiEntry[], restEntries: number[], c: number, T: Float64Array, t: Float64Array, m: number): void {
  const comp = si.components[c];
  const size = comp.size, MRR = comp.MRR;
  const offsets = termOffsets(si, c);
  for (const e of restEntries) {
    const E = unitEntries(entries[e]);
    const oe = offsets.get(entries[e].term) ?? [];
    for (const o of oe) for (const [i, j] of E) t[e] += MRR[(o + i) * size + o + j];
    for (const f of restEntries) {
      if (f < e) continue;
      const F = unitEntries(entries[f]);
      let s = 0;
      for (const om of oe) for (const on of offsets.get(entries[f].term) ?? []) {
        // X = M_RR[m, m'] : X[j, k] = MRR[(on + k)·size + om + j]
        for (const [i, j] of E) for (const [k, l] of F) s += MRR[(on + k) * size + om + j] * MRR[(on + l) * size + om + i];
      }
      T[f * m + e] += s;
      if (f !== e) T[e * m + f] += s;
    }
  }
}
