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
import type { ModelFrame } from "../model";
import { containedIn, FixedTerm, fixedTerms, FixedTerms } from "./fixedTerms";
import { inverseSPD } from "../smallMatrix";

export type AnovaType = 1 | 2 | 3;

export interface TermHypothesis {
  term: string;
  /** Rows of L over the model's coefficients (in frame.xNames order). */
  L: Float64Array[];
}

export function anovaHypotheses(frame: ModelFrame, type: AnovaType): TermHypothesis[] {
  if (type !== 1 && type !== 2 && type !== 3) throw new MixedLMError("option", `Unknown ANOVA type "${String(type)}": use 1, 2 or 3.`);
  const ft = fixedTerms(frame);
  const p = frame.xNames.length;
  const XtX = crossproduct(frame.X, p);
  if (type === 1 || p <= 1 || ft.terms.length <= 1) return typeOne(ft, XtX, p);
  return type === 2 ? typeTwo(ft, XtX, p) : typeThree(ft, frame, XtX, p);
}

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

/** The Doolittle rows (t(L) of X'X = LU) of X'X taken in the column order `order`; row k as a vector over the coefficients. */
function doolittleRows(XtX: Float64Array, p: number, order: number[]): Float64Array[] {
  const n = order.length;
  const A = (i: number, j: number) => XtX[order[j] * p + order[i]];
  const L = new Float64Array(n * n), U = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) { let s = A(i, j); for (let k = 0; k < i; k++) s -= L[k * n + i] * U[j * n + k]; U[j * n + i] = s; }
    L[i * n + i] = 1;
    // a pivot that vanishes (relative to its diagonal) leaves its column of L at zero, as lmerTest's doolittle does
    const pivotZero = Math.abs(U[i * n + i]) <= 1e-10 * Math.abs(A(i, i));
    for (let j = i + 1; j < n; j++) {
      let s = A(j, i);
      for (let k = 0; k < i; k++) s -= L[k * n + j] * U[i * n + k];
      L[i * n + j] = pivotZero ? 0 : s / U[i * n + i];
    }
  }
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(p);
    for (let j = i; j < n; j++) row[order[j]] = L[i * n + j];
    return row;
  });
}

function rOrder(ft: FixedTerms): number[] {
  return [...(ft.intercept >= 0 ? [ft.intercept] : []), ...ft.terms.flatMap((t) => t.columns)];
}

function typeOne(ft: FixedTerms, XtX: Float64Array, p: number): TermHypothesis[] {
  const order = rOrder(ft);
  const rows = doolittleRows(XtX, p, order);
  const position = new Map(order.map((c, k) => [c, k]));
  return ft.terms.map((t) => ({ term: t.label, L: t.columns.map((c) => rows[position.get(c)!]) }));
}

function unitRow(p: number, c: number): Float64Array {
  const r = new Float64Array(p);
  r[c] = 1;
  return r;
}

function typeTwo(ft: FixedTerms, XtX: Float64Array, p: number): TermHypothesis[] {
  const order = rOrder(ft);
  return ft.terms.map((t) => {
    const containers = ft.terms.filter((u) => containedIn(t, u));
    if (containers.length === 0) return { term: t.label, L: t.columns.map((c) => unitRow(p, c)) };
    const moved = [...t.columns, ...containers.flatMap((u) => u.columns)];
    const reordered = [...order.filter((c) => !moved.includes(c)), ...moved];
    const rows = doolittleRows(XtX, p, reordered);
    return { term: t.label, L: t.columns.map((c) => rows[reordered.indexOf(c)]) };
  });
}

/** Type III: lmerTest's extract_contrasts_type3. */
function typeThree(ft: FixedTerms, frame: ModelFrame, XtX: Float64Array, p: number): TermHypothesis[] {
  const rd = fullCoding(ft, frame);
  const XtXinv = inverseSPD(XtX, p);
  if (!XtXinv) throw new MixedLMError("model", "X'X is singular: the type III hypotheses cannot be formed.");
  // L = rdX' X (X'X)⁻¹, held by columns of X: Lcol[j][row of rdX]
  const nRd = rd.XtRd.length / p;
  const Lcol: Float64Array[] = Array.from({ length: p }, (_, j) => {
    const col = new Float64Array(nRd);
    for (let r = 0; r < nRd; r++) { let s = 0; for (let a = 0; a < p; a++) s += rd.XtRd[r * p + a] * XtXinv[j * p + a]; col[r] = s; }
    return col;
  });
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
  /** rdX'X, row by row (one p-vector per column of rdX). */
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
function fullCoding(ft: FixedTerms, frame: ModelFrame): FullCoding {
  const p = frame.xNames.length, n = frame.y.length, X = frame.X;
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
    const add = (r: number, w: number) => { if (w !== 0) for (let a = 0; a < p; a++) XtRd[r * p + a] += w * X[a][i]; };
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
