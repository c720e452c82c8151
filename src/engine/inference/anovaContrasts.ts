/**
 * The hypotheses of lmerTest's ANOVA tables, one matrix L per term (rows over the model's
 * coefficients), as its get_contrasts_type1, get_contrasts_type2_unfolded and
 * get_contrasts_type3 build them:
 *  - type I: sequential; the rows of the Doolittle factor of X'X that belong to the term, the
 *    columns in R's order (terms by degree);
 *  - type II: a term contained in no other (lmerTest's containment) is tested marginally (its
 *    coefficients = 0); any other term, by the Doolittle rows with the term and the terms that
 *    contain it moved to the end;
 *  - type III: the coefficients of the full dummy coding of each term (rdX) regressed on X, made
 *    orthogonal to the terms that contain it, highest degree first.
 * With a single term (or a single column) types II and III are type I, as in lmerTest.
 */
import { MixedLMError } from "../errors";
import { columnStats, gramSchmidt } from "../columnScaling";
import type { FitCore } from "../fit";
import { fixedColumnsForFit } from "../centredProducts";
import { containedIn, FixedTerm, fixedTerms, FixedTerms } from "./fixedTerms";
import { inverseSPD } from "../smallMatrix";

export type AnovaType = 1 | 2 | 3;

export interface TermHypothesis {
  term: string;
  /** Rows of L over the model's coefficients (in frame.xNames order). */
  L: Float64Array[];
}

/**
 * The hypotheses of a fitted model's ANOVA table of this type. Formed from the columns
 * themselves, not from X'X: for a covariate far from zero X'X is singular to rounding (x + 1e9
 * squares its condition to 1e36), while a QR of the columns keeps what they hold, and the
 * regression of type III's full coding is solved on the fit's internal columns (X_int = X B,
 * standardize.ts), which are well conditioned by construction.
 */
export function anovaHypotheses(core: FitCore, type: AnovaType): TermHypothesis[] {
  if (type !== 1 && type !== 2 && type !== 3) throw new MixedLMError("option", `Unknown ANOVA type "${String(type)}": use 1, 2 or 3.`);
  const frame = core.frame;
  const ft = fixedTerms(frame);
  const p = frame.xNames.length;
  if (type === 3 && p > 1 && ft.terms.length > 1) return typeThree(ft, core, p);
  // Doolittle's rows from the columns the fit works on (a product of numeric factors centred,
  // X_sub = X M): in R's order every product comes after its lower-order columns, so the rows of
  // X's QR are those of X_sub's times M⁻¹, and x·z near 3e14 has not lost x₀·z₀ to rounding
  const X: SubColumns = { columns: fixedColumnsForFit(frame), M: core.transform.fixed.products };
  return type === 1 || p <= 1 || ft.terms.length <= 1 ? typeOne(ft, X, p) : typeTwo(ft, X, p);
}

/** The fixed-effect columns the fit works on, X_sub = X M (M unit upper triangular, column-major). */
interface SubColumns {
  columns: Float64Array[];
  M: Float64Array;
}

/** ℓ M⁻¹ for a row ℓ and M unit upper triangular (column-major): forward substitution on M'. */
function rowTimesInverse(row: Float64Array, M: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let v = row[k];
    for (let l = 0; l < k; l++) v -= M[k * p + l] * out[l];
    out[k] = v;
  }
  return out;
}

/**
 * The Doolittle rows (t(L) of X'X = LU) of X'X taken in the column order `order`; row k as a
 * vector over the coefficients. They are the rows of R in the QR factorisation of the columns in
 * that order, each divided by its diagonal (X'X = R'R = (R'D⁻¹)(DR), D = diag R); the QR is
 * Gram-Schmidt twice over (columnScaling.ts). A column left with nothing of its own (a pivot that
 * vanishes) keeps only its diagonal, as lmerTest's doolittle leaves its column of L at zero.
 */
function doolittleRows(X: SubColumns, p: number, order: number[]): Float64Array[] {
  return doolittleRowsOf(X.columns, p, order).map((row) => rowTimesInverse(row, X.M, p));
}

function doolittleRowsOf(X: Float64Array[], p: number, order: number[]): Float64Array[] {
  const cols = order.map((c) => X[c]);
  const { R, kept } = gramSchmidt(cols, cols.map((c) => VANISHING_PIVOT * columnStats(c).rms));
  const m = kept.length;
  const keptAt = new Map(kept.map((j, k) => [j, k]));
  return order.map((_, i) => {
    const row = new Float64Array(p);
    row[order[i]] = 1;
    const ki = keptAt.get(i);
    if (ki === undefined) return row;
    const d = R[ki * m + ki];
    for (let j = i + 1; j < order.length; j++) {
      const kj = keptAt.get(j);
      if (kj !== undefined) row[order[j]] = R[kj * m + ki] / d;
    }
    return row;
  });
}

/** X'X for the columns of X (p×p, column-major). */
function crossproduct(X: Float64Array[], p: number): Float64Array {
  const A = new Float64Array(p * p);
  for (let b = 0; b < p; b++) for (let a = 0; a <= b; a++) {
    let s = 0;
    const xa = X[a], xb = X[b];
    for (let i = 0; i < xa.length; i++) s += xa[i] * xb[i];
    A[b * p + a] = A[a * p + b] = s;
  }
  return A;
}

/**
 * What is left of a column once the columns before it are taken out, below which its pivot
 * counts as zero: relative to the column's root mean square, rounding only. The fitted design
 * is of full rank (design.ts dropped the columns that were not), and what is left of x + 1e9
 * beside the intercept is 1e-9 of it: lmerTest's 1e-10 of the squared pivot would drop it.
 */
const VANISHING_PIVOT = 1e-14;

function rOrder(ft: FixedTerms): number[] {
  return [...(ft.intercept >= 0 ? [ft.intercept] : []), ...ft.terms.flatMap((t) => t.columns)];
}

function typeOne(ft: FixedTerms, X: SubColumns, p: number): TermHypothesis[] {
  const order = rOrder(ft);
  const rows = doolittleRows(X, p, order);
  const position = new Map(order.map((c, k) => [c, k]));
  return ft.terms.map((t) => ({ term: t.label, L: t.columns.map((c) => rows[position.get(c)!]) }));
}

function unitRow(p: number, c: number): Float64Array {
  const r = new Float64Array(p);
  r[c] = 1;
  return r;
}

function typeTwo(ft: FixedTerms, X: SubColumns, p: number): TermHypothesis[] {
  const order = rOrder(ft);
  return ft.terms.map((t) => {
    const containers = ft.terms.filter((u) => containedIn(t, u));
    if (containers.length === 0) return { term: t.label, L: t.columns.map((c) => unitRow(p, c)) };
    const moved = [...t.columns, ...containers.flatMap((u) => u.columns)];
    const reordered = [...order.filter((c) => !moved.includes(c)), ...moved];
    const rows = doolittleRows(X, p, reordered);
    return { term: t.label, L: t.columns.map((c) => rows[reordered.indexOf(c)]) };
  });
}

/** Type III: lmerTest's extract_contrasts_type3. */
function typeThree(ft: FixedTerms, core: FitCore, p: number): TermHypothesis[] {
  const rd = fullCoding(ft, core);
  const Lcol = regressionOnColumns(rd, core, p);
  zapTiny(Lcol);
  // highest degree first (a stable order), each term made orthogonal to the terms that contain it
  const byDegree = ft.terms.map((t, i) => ({ t, i })).sort((a, b) => b.t.codes.length - a.t.codes.length || a.i - b.i).map((x) => x.t);
  for (const t of byDegree) {
    const containers = ft.terms.filter((u) => containedIn(t, u));
    if (containers.length === 0) continue;
    const basis = containers.flatMap((u) => u.columns).map((c) => Lcol[c]);
    for (const c of t.columns) Lcol[c] = residualOnSpan(basis, Lcol[c]);
  }
  zapTiny(Lcol);
  return ft.terms.map((t) => ({
    term: t.label,
    L: t.columns
      .map((j) => Float64Array.from({ length: p }, (_, k) => Lcol[j][rd.rowOfColumn[k]]))
      .filter((row) => row.reduce((s, v) => s + Math.abs(v), 0) > 1e-8),
  }));
}

/**
 * L = rdX' X (X'X)⁻¹, held by columns of X (Lcol[j][row of rdX]): the regression of each column
 * of rdX on X. A column of rdX that is a column of X regresses on it alone, exactly; the others
 * are solved on the internal columns, L = rdX' X_int (X_int'X_int)⁻¹ B', with no cancellation.
 */
function regressionOnColumns(rd: FullCoding, core: FitCore, p: number): Float64Array[] {
  const nRd = rd.XtRd.length / p;
  const B = core.transform.fixed.B;
  const G = crossproduct(core.transform.internal.X, p);
  const Ginv = inverseSPD(G, p);
  if (!Ginv) throw new MixedLMError("model", "The fixed-effects columns are linearly dependent: the type III hypotheses cannot be formed.");
  const own = new Map<number, number>();
  rd.rowOfColumn.forEach((r, k) => { if (r >= 0) own.set(r, k); });
  const Lcol: Float64Array[] = Array.from({ length: p }, () => new Float64Array(nRd));
  for (let r = 0; r < nRd; r++) {
    const k = own.get(r);
    if (k !== undefined) { Lcol[k][r] = 1; continue; }
    // M = rdX_r' X_int G⁻¹, then L_r = M B'
    const M = new Float64Array(p);
    for (let a = 0; a < p; a++) { let s = 0; for (let b = 0; b < p; b++) s += rd.XtRd[r * p + b] * Ginv[a * p + b]; M[a] = s; }
    for (let j = 0; j < p; j++) { let s = 0; for (let a = 0; a < p; a++) s += M[a] * B[a * p + j]; Lcol[j][r] = s; }
  }
  return Lcol;
}

/** Entries below 1e-10 of the largest set to zero (R's zapsmall, without its rounding of the rest). */
function zapTiny(cols: Float64Array[]): void {
  let big = 0;
  for (const c of cols) for (const v of c) big = Math.max(big, Math.abs(v));
  for (const c of cols) for (let i = 0; i < c.length; i++) if (Math.abs(c[i]) <= 1e-10 * big) c[i] = 0;
}

/** y less its least-squares projection on the span of the columns (lm.fit's residuals; Gram-Schmidt, twice). */
export function residualOnSpan(basis: Float64Array[], y: Float64Array): Float64Array {
  const q: Float64Array[] = [];
  for (const b of basis) {
    const v = Float64Array.from(b);
    const norm0 = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    for (let pass = 0; pass < 2; pass++) for (const u of q) { let d = 0; for (let i = 0; i < v.length; i++) d += u[i] * v[i]; for (let i = 0; i < v.length; i++) v[i] -= d * u[i]; }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (norm > 1e-7 * norm0 && norm > 0) q.push(v.map((x) => x / norm));
  }
  const r = Float64Array.from(y);
  for (let pass = 0; pass < 2; pass++) for (const u of q) { let d = 0; for (let i = 0; i < r.length; i++) d += u[i] * r[i]; for (let i = 0; i < r.length; i++) r[i] -= d * u[i]; }
  return r;
}

interface FullCoding {
  /** rdX'X_int (the fit's internal columns), row by row (one p-vector per column of rdX). */
  XtRd: Float64Array;
  /** For each coefficient, its column of rdX. */
  rowOfColumn: number[];
}

/**
 * rdX: the intercept, then for each term the full dummy coding of its categorical variables
 * times its numeric ones (R's model.matrix(~ 0 + term)), and rdX'X accumulated row by row. Each
 * coefficient's column of X is one of these columns; a column that is not (a coding R would not
 * choose) is added as a column of its own.
 */
function fullCoding(ft: FixedTerms, core: FitCore): FullCoding {
  const frame = core.frame;
  const p = frame.xNames.length, n = frame.y.length, X = frame.X, Xint = core.transform.internal.X;
  const blocks = ft.terms.map((t) => termCoding(t, n));
  const starts: number[] = [];
  let nRd = ft.intercept >= 0 ? 1 : 0;
  for (const b of blocks) { starts.push(nRd); nRd += b.size; }
  const extra: number[] = [];
  const rowOfColumn = new Array<number>(p).fill(-1);
  if (ft.intercept >= 0) rowOfColumn[ft.intercept] = 0;
  ft.terms.forEach((t, ti) => {
    for (const c of t.columns) {
      const match = blocks[ti].matching(X[c]);
      if (match >= 0) rowOfColumn[c] = starts[ti] + match;
      else { rowOfColumn[c] = nRd + extra.length; extra.push(c); }
    }
  });
  const total = nRd + extra.length;
  const XtRd = new Float64Array(total * p);
  for (let i = 0; i < n; i++) {
    const add = (r: number, w: number) => { if (w !== 0) for (let a = 0; a < p; a++) XtRd[r * p + a] += w * Xint[a][i]; };
    if (ft.intercept >= 0) add(0, 1);
    blocks.forEach((b, ti) => { const k = b.combo[i]; if (k >= 0) add(starts[ti] + k, b.weight[i]); });
    extra.forEach((c, e) => add(nRd + e, X[c][i]));
  }
  return { XtRd, rowOfColumn };
}

/** One term's full coding: the column (level combination) each row falls in and its weight (the numeric factors' product). */
function termCoding(t: FixedTerm, n: number): { size: number; combo: Int32Array; weight: Float64Array; matching(x: Float64Array): number } {
  const combo = new Int32Array(n);
  const weight = new Float64Array(n).fill(1);
  let size = 1;
  // the left-most categorical variable varies fastest, as R and patsy lay out the columns
  for (const v of t.values) {
    if (v.kind === "numeric") { for (let i = 0; i < n; i++) weight[i] *= v.values[i]; continue; }
    for (let i = 0; i < n; i++) combo[i] = v.codes[i] < 0 || combo[i] < 0 ? -1 : combo[i] + size * v.codes[i];
    size *= v.levels.length;
  }
  // the combination whose column equals x (the first row where x is nonzero names it), or −1
  const matching = (x: Float64Array): number => {
    let k = -1;
    for (let i = 0; i < n && k < 0; i++) if (x[i] !== 0) k = combo[i];
    if (k < 0) return -1;
    for (let i = 0; i < n; i++) if (x[i] !== (combo[i] === k ? weight[i] : 0)) return -1;
    return k;
  };
  return { size, combo, weight, matching };
}
