/**
 * What the fixed-effect columns X and the random-effect columns Z span together, for the checks
 * of identifiability.ts: whether [X Z] has rank n (the model can reproduce every row, so the
 * residual variance cannot be estimated) and whether a random effect's columns lie within X's
 * span (its variance is then not identified by REML, whose criterion sees only what X leaves).
 *
 * The columns are compared on the footing the fit uses (standardize.ts): the fixed effects centred
 * and scaled (columnScaling.ts), a random slope centred in a correlated term with an intercept,
 * so that a covariate far from zero is not taken for the constant. The rank of [X Z] is dense
 * work (Gram-Schmidt: a column counts as dependent when it leaves less than DEPENDENT of its own
 * norm), asked only when the effects number at least n and skipped (null) beyond WORK_LIMIT
 * multiply-adds; whether an effect is within X is cheap (normal equations over its rows).
 */
import { centerAndScale, columnStats, gram, indicatorSupports } from "./columnScaling";
import { cholesky, solveCholesky } from "./dense";
import type { RandomTerm } from "./model";

/** A column is in the span of others when what is left of it is below this fraction of its root mean square. */
const DEPENDENT = 1e-7;

/** A column is within X's span when X leaves less than this fraction of its square (normal equations: see effectsWithinFixed). */
const WITHIN_SQUARED = 1e-9;

/** Multiply-adds the dense checks may spend (about 0.2 s). */
const WORK_LIMIT = 2e8;

/** The random-effect columns of one effect of a term: one per level, nonzero on that level's rows only. */
export interface EffectColumns {
  term: RandomTerm;
  effect: number;
  /** Per level with a nonzero value: its rows and the values there. */
  levels: { rows: Int32Array; values: Float64Array }[];
}

/** The columns of every effect of every term, as the fit sees them (a slope centred where the model allows). */
export function effectColumns(terms: RandomTerm[]): EffectColumns[] {
  const out: EffectColumns[] = [];
  for (const t of terms) {
    const mayCenter = t.kind !== "vc" && t.correlated && t.z.includes(null);
    const rowsOf = levelRows(t);
    t.z.forEach((z, c) => {
      const center = z && mayCenter ? columnStats(z).mean : 0;
      const levels: EffectColumns["levels"] = [];
      for (const rows of rowsOf) {
        const values = Float64Array.from(rows, (i) => (z ? z[i] - center : 1));
        if (values.some((v) => v !== 0)) levels.push({ rows, values });
      }
      out.push({ term: t, effect: c, levels });
    });
  }
  return out;
}

function levelRows(t: RandomTerm): Int32Array[] {
  const counts = new Int32Array(t.levels.length);
  for (let i = 0; i < t.refs.length; i++) if (t.refs[i] >= 0) counts[t.refs[i]]++;
  const rows = Array.from(counts, (k) => new Int32Array(k));
  counts.fill(0);
  for (let i = 0; i < t.refs.length; i++) { const l = t.refs[i]; if (l >= 0) rows[l][counts[l]++] = i; }
  return rows;
}

/** An orthonormal basis grown one column at a time (twice-orthogonalised Gram-Schmidt). */
class Basis {
  readonly vectors: Float64Array[] = [];
  constructor(private readonly n: number) {}

  /** Adds what is left of v (dense, overwritten) when it is not in the span; returns whether it was added. */
  add(v: Float64Array): boolean {
    const left = this.residual(v);
    if (!left) return false;
    const inv = 1 / left;
    for (let i = 0; i < this.n; i++) v[i] *= inv;
    this.vectors.push(v);
    return true;
  }

  /** Makes v (dense) orthogonal to the basis; returns the norm left, or 0 when below DEPENDENT of its own. */
  residual(v: Float64Array): number {
    const own = norm(v);
    if (own === 0) return 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of this.vectors) {
        let s = 0;
        for (let i = 0; i < this.n; i++) s += q[i] * v[i];
        if (s !== 0) for (let i = 0; i < this.n; i++) v[i] -= s * q[i];
      }
    }
    const left = norm(v);
    return left > DEPENDENT * own ? left : 0;
  }
}

function norm(v: Float64Array): number {
  let big = 0;
  for (let i = 0; i < v.length; i++) big = Math.max(big, Math.abs(v[i]));
  if (big === 0) return 0;
  let s = 0;
  for (let i = 0; i < v.length; i++) { const w = v[i] / big; s += w * w; }
  return big * Math.sqrt(s);
}

function dense(n: number, rows: Int32Array, values: Float64Array): Float64Array {
  const v = new Float64Array(n);
  for (let t = 0; t < rows.length; t++) v[rows[t]] = values[t];
  return v;
}

/** The fixed-effect columns as the fit measures them (centred and scaled), orthonormalised. */
function fixedBasis(X: Float64Array[], n: number): Basis {
  const basis = new Basis(n);
  for (const c of centerAndScale(X).columns) basis.add(Float64Array.from(c));
  return basis;
}

/**
 * Whether the fixed and random effects together span every row (rank [X Z] = n): true, false, or
 * null when the design is too large to tell within WORK_LIMIT. Only asked when they number n or
 * more (fewer cannot span n rows).
 */
export function spansEveryRow(X: Float64Array[], effects: EffectColumns[], n: number): boolean | null {
  const m = X.length + effects.reduce((s, e) => s + e.levels.length, 0);
  if (m < n) return false;
  if (n * m * Math.min(n, m) > WORK_LIMIT) return null;
  const basis = fixedBasis(X, n);
  let left = m - X.length;
  for (const e of effects) {
    for (const l of e.levels) {
      basis.add(dense(n, l.rows, l.values));
      left--;
      if (basis.vectors.length === n) return true;
      if (basis.vectors.length + left < n) return false;
    }
  }
  return basis.vectors.length === n;
}

/**
 * The effects whose every column lies within the fixed effects' span (the intercept of (1|g)
 * beside C(g)), or null when too large to tell. An effect with more nonzero columns than X has
 * cannot lie within it. By the normal equations on the centred and scaled columns, whose Gram
 * matrix walks indicators on their ones (columnScaling.ts): each level's column costs its rows
 * times p, so a factor's fixed effects beside a random intercept on 20,000 rows cost a few
 * milliseconds. A column is within X when what is left of its square is below WITHIN_SQUARED
 * of it: rounding leaves about cond(X'X)·1e-16, a column not within X some 1e-3 or more.
 */
export function effectsWithinFixed(X: Float64Array[], effects: EffectColumns[], n: number): EffectColumns[] | null {
  const p = X.length;
  const candidates = effects.filter((e) => e.levels.length > 0 && e.levels.length <= p);
  if (candidates.length === 0) return [];
  const cc = centerAndScale(X);
  const cols = cc.columns;
  // the statistics already read: an indicator kept as it is stays one (as design.ts's rank check reads them)
  const G = gram(cols, indicatorSupports(cols, cc.stats.map((st, j) => (cols[j] === X[j] ? st : { ...st, indicator: false }))));
  if (!cholesky(G, p)) return null;
  const within = (rows: Int32Array, values: Float64Array): boolean => {
    // X'v / n over the column's rows, then v'X (X'X)⁻¹ X'v against v'v
    const xv = new Float64Array(p);
    let vv = 0;
    for (let t = 0; t < rows.length; t++) vv += values[t] * values[t];
    for (let a = 0; a < p; a++) { const c = cols[a]; let s = 0; for (let t = 0; t < rows.length; t++) s += c[rows[t]] * values[t]; xv[a] = s / n; }
    const c = Float64Array.from(xv);
    solveCholesky(G, p, c);
    let explained = 0;
    for (let a = 0; a < p; a++) explained += xv[a] * c[a];
    return vv / n - explained <= WITHIN_SQUARED * (vv / n);
  };
  // the level with the fewest rows first: an effect not within X usually shows it there, at once
  return candidates.filter((e) => [...e.levels].sort((u, v) => u.rows.length - v.rows.length).every((l) => within(l.rows, l.values)));
}
