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
import { componentFirstTermTraces } from "./componentTraces";
import { traceOfProduct } from "../smallMatrix";

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
    for (const e of firstEntries) for (const f of firstEntries) T[f * m + e] += traceOfProduct(X.get(f)!, X.get(e)!, si.components[c].size); // = tr(X_e X_f); this argument order keeps its summation order (the same last digits)
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
      const of = offsets.get(entries[f].term) ?? [];
      let s = 0;
      // X = M_RR[m, m']: X[j, k] = MRR[(on + k)·size + om + j]; tr(E X F X') = Σ X[j, k] X[i, l]
      for (const [i, j] of E) for (const [k, l] of F) {
        for (const on of of) {
          const ck = (on + k) * size + j, cl = (on + l) * size + i;
          for (const om of oe) s += MRR[ck + om] * MRR[cl + om];
        }
      }
      T[f * m + e] += s;
      if (f !== e) T[e * m + f] += s;
    }
  }
}
