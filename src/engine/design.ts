/**
 * Design matrices exactly as patsy builds them: terms grouped by the numeric factors they hold
 * (the group without numeric factors first, then in order of appearance), sorted by degree
 * within a group, and each categorical factor coded full-rank or by treatment contrasts so
 * that no column is redundant with the terms before it. Column names are patsy's:
 * `C(Evit)[T.Evit100]`, `Time:C(Cu)[T.Cu035]`, `C(cask)[a]`.
 */
import { centerAndScale, columnStats, gram, gramSchmidt, indicatorSupports, pivotFractions, rms } from "./columnScaling";
import { excerpt, formulaError, nameList } from "./errors";
import { Contrast, evaluateFactor, FactorContext, FactorMemo, FactorValue, parseFactorExpr, referencedColumns } from "./formula/factor";
import { Factor, Term, termName, TermList } from "./formula/terms";
import { ColumnKey, ProductCentres } from "./centredProducts";
import { count, LIMITS } from "./limits";
import { DataTable, pythonFloatRepr } from "./table";

/** One column block of a term: which factors it uses and, for categorical ones, full or reduced coding. */
interface Subterm {
  factors: { factor: Factor; full: boolean | null }[]; // null = numeric factor
}

export interface DesignColumn {
  name: string;
  values: Float64Array;
  /** Index of the term (in TermList order, intercept first when present) this column belongs to. */
  term: number;
  /** The factors that make the column (centredProducts.ts matches a product with its lower-order columns by these). */
  key?: ColumnKey;
  /** A product of two or more numeric factors: the product of the centred factors (when the design was given centres). */
  centred?: Float64Array;
}

export interface Design {
  columns: DesignColumn[];
}

/** Factor values by factor code. */
export type FactorValues = Map<string, FactorValue>;

/** Evaluates every distinct factor of the terms once (those already in `into` are kept). */
export function evaluateTermFactors(terms: Term[], source: string, ctx: FactorContext, into: FactorValues = new Map()): FactorValues {
  for (const t of terms) {
    for (const f of t.factors) {
      if (into.has(f.code)) continue;
      into.set(f.code, evaluateFactor(parseFactorExpr(f.tokens, source), f.code, source, ctx));
    }
  }
  return into;
}

// ---- patsy's choice of codings (redundancy elimination) ----------------------------------

/** A subterm as a set of categorical factors, each marked full-rank (+) or reduced (-). */
type ShortSubterm = Map<string, boolean>;

function subtermKey(s: ShortSubterm): string {
  return [...s.entries()].map(([k, v]) => `${k}${v ? "+" : "-"}`).sort().join("\u0001");
}

/** All subsets of the list, by size then by position (patsy's order). */
function sortedSubsets<T>(items: T[]): T[][] {
  const n = items.length;
  const subsets: number[][] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const s: number[] = [];
    for (let i = 0; i < n; i++) if (mask & (1 << i)) s.push(i);
    subsets.push(s);
  }
  subsets.sort((a, b) => {
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  });
  return subsets.map((s) => s.map((i) => items[i]));
}

function canAbsorb(long: ShortSubterm, short: ShortSubterm): boolean {
  if (long.size - short.size !== 1) return false;
  for (const [k, v] of short) if (!long.has(k) || long.get(k) !== v) return false;
  return true;
}

function absorb(long: ShortSubterm, short: ShortSubterm): ShortSubterm {
  const out = new Map(short);
  for (const k of long.keys()) if (!short.has(k)) out.set(k, true);
  return out;
}

function simplify(subterms: ShortSubterm[]): void {
  let changed = true;
  while (changed) {
    changed = false;
    outer: for (let i = 0; i < subterms.length; i++) {
      for (let j = i + 1; j < subterms.length; j++) {
        if (canAbsorb(subterms[j], subterms[i])) {
          subterms[j] = absorb(subterms[j], subterms[i]);
          subterms.splice(i, 1);
          changed = true;
          break outer;
        }
      }
    }
  }
}

function pickContrasts(categorical: string[], used: Set<string>): ShortSubterm[] {
  const subterms: ShortSubterm[] = [];
  for (const subset of sortedSubsets(categorical)) {
    const s: ShortSubterm = new Map(subset.map((f) => [f, false]));
    const key = subtermKey(s);
    if (!used.has(key)) { subterms.push(s); used.add(key); }
  }
  simplify(subterms);
  return subterms;
}

/** Orders the terms as patsy does and picks each categorical factor's coding. */
export function codeTerms(termList: TermList, isNumeric: (code: string) => boolean): { term: Term; index: number; subterms: Subterm[] }[] {
  const all: Term[] = termList.intercept ? [{ factors: [] }, ...termList.terms] : [...termList.terms];
  const buckets = new Map<string, { term: Term; index: number }[]>();
  const order: string[] = [];
  all.forEach((term, index) => {
    const key = term.factors.filter((f) => isNumeric(f.code)).map((f) => f.code).sort().join("\u0000");
    if (!buckets.has(key)) { buckets.set(key, []); order.push(key); }
    buckets.get(key)!.push({ term, index });
  });
  if (buckets.has("")) { order.splice(order.indexOf(""), 1); order.unshift(""); }
  const out: { term: Term; index: number; subterms: Subterm[] }[] = [];
  for (const key of order) {
    const bucket = buckets.get(key)!;
    // stable sort by degree
    const sorted = bucket.map((b, k) => ({ ...b, k })).sort((a, b) => a.term.factors.length - b.term.factors.length || a.k - b.k);
    const used = new Set<string>();
    for (const { term, index } of sorted) {
      const categorical = term.factors.filter((f) => !isNumeric(f.code)).map((f) => f.code);
      const codings = pickContrasts(categorical, used);
      const subterms: Subterm[] = codings.map((coding) => ({
        factors: term.factors
          .filter((f) => isNumeric(f.code) || coding.has(f.code))
          .map((f) => ({ factor: f, full: isNumeric(f.code) ? null : coding.get(f.code)! })),
      }));
      out.push({ term, index, subterms });
    }
  }
  return out;
}

// ---- building the columns -------------------------------------------------------------------

function referenceIndex(levels: string[], contrast: Contrast | null, f: Factor, source: string): number {
  if (!contrast || contrast.reference === null) return 0;
  const ref = contrast.reference;
  const levelList = nameList(levels);
  if (typeof ref === "string") {
    const k = levels.indexOf(ref);
    if (k < 0) {
      throw formulaError(`The reference level '${excerpt(ref)}' is not a level of this variable (levels: ${levelList})`, source, f.start, f.end);
    }
    return k;
  }
  // a number: a level with that value, else a position
  for (const label of [String(ref), pythonFloatRepr(ref)]) {
    const k = levels.indexOf(label);
    if (k >= 0) return k;
  }
  if (Number.isInteger(ref) && ref < levels.length && ref >= -levels.length) return ref < 0 ? levels.length + ref : ref;
  throw formulaError(`The reference level ${ref} is not a level of this variable (levels: ${levelList})`, source, f.start, f.end);
}

/** One factor under a coding: its column names, and per row the column it falls in (-1: none) or its numbers. */
interface CodedFactor {
  names: string[];
  /** Categorical: the row's column among `names`, -1 for none (the reference level of a reduced coding, or missing). */
  column: Int32Array | null;
  /** Numeric: the values (one column). */
  values: Float64Array | null;
}

function codeFactor(v: FactorValue, full: boolean | null, f: Factor, source: string): CodedFactor {
  if (v.kind === "numeric") return { names: [f.code], column: null, values: v.values };
  const levels = v.levels;
  const ref = referenceIndex(levels, v.contrast, f, source);
  const keep = full ? levels.map((_, k) => k) : levels.map((_, k) => k).filter((k) => k !== ref);
  const columnOfLevel = new Int32Array(levels.length).fill(-1);
  keep.forEach((k, c) => { columnOfLevel[k] = c; });
  const column = new Int32Array(v.codes.length);
  for (let i = 0; i < column.length; i++) column[i] = v.codes[i] < 0 ? -1 : columnOfLevel[v.codes[i]];
  return { names: keep.map((k) => `${f.code}[${full ? "" : "T."}${levels[k]}]`), column, values: null };
}

/**
 * A subterm's columns in sparse form: as patsy codes them, at most one of its columns is nonzero
 * in a row (the combination of its categorical factors' levels), holding the product of its
 * numeric factors. `hit` is that column (-1: none) and `value` the product (null: all ones).
 */
export interface SparseSubterm {
  names: string[];
  hit: Int32Array;
  value: Float64Array | null;
  /** Index of the term (in TermList order, intercept first when present). */
  term: number;
  /** Per column, the factors that make it. */
  keys: ColumnKey[];
  /** With two or more numeric factors and centres given: the product of the centred factors. */
  centred: Float64Array | null;
}

/** Every combination of the coded factors' names, the left-most factor varying fastest (as patsy and R do). */
function combinations(coded: CodedFactor[], numericCodes: string[]): { names: string[]; keys: ColumnKey[] } {
  let names = [""];
  let parts: string[][] = [[]];
  coded.forEach((c, j) => {
    const nextNames: string[] = [];
    const nextParts: string[][] = [];
    for (const name of c.names) {
      names.forEach((prefix, k) => {
        nextNames.push(j === 0 ? name : `${prefix}:${name}`);
        nextParts.push(c.values ? parts[k] : [...parts[k], name]);
      });
    }
    names = nextNames;
    parts = nextParts;
  });
  if (coded.length === 0) names = ["Intercept"];
  return { names, keys: parts.map((categorical) => ({ categorical, numeric: numericCodes })) };
}

/** The product of the numeric factors' values (null: none), each less its centre when centres are given. */
function numericProduct(coded: CodedFactor[], codes: string[], n: number, centres: ProductCentres | null): Float64Array | null {
  let value: Float64Array | null = null;
  coded.forEach((c, j) => {
    if (!c.values) return;
    const m = centres ? centres.centre(codes[j], c.values) : 0;
    if (!value && m === 0) { value = c.values; return; }
    const product = new Float64Array(n);
    const v = c.values;
    if (value) { const prev: Float64Array = value; for (let i = 0; i < n; i++) product[i] = prev[i] * (v[i] - m); }
    else for (let i = 0; i < n; i++) product[i] = v[i] - m;
    value = product;
  });
  return value;
}

function sparseSubterm(sub: Subterm, term: number, values: FactorValues, source: string, n: number, centres: ProductCentres | null = null): SparseSubterm {
  const coded = sub.factors.map(({ factor, full }) => codeFactor(values.get(factor.code)!, full, factor, source));
  const codes = sub.factors.map(({ factor }) => factor.code);
  const numericCodes = codes.filter((_, j) => coded[j].values !== null);
  const { names, keys } = combinations(coded, numericCodes);
  const hit = new Int32Array(n);
  let stride = 1;
  for (const c of coded) {
    if (c.column) for (let i = 0; i < n; i++) hit[i] = hit[i] < 0 || c.column[i] < 0 ? -1 : hit[i] + c.column[i] * stride;
    stride *= c.names.length;
  }
  const value = numericProduct(coded, codes, n, null);
  const centred = centres && numericCodes.length >= 2 ? numericProduct(coded, codes, n, centres) : null;
  return { names, hit, value, term, keys, centred };
}

/** The subterms of a term list, in column order, each with its column count. */
function subtermsOf(termList: TermList, values: FactorValues): { sub: Subterm; term: number; columns: number }[] {
  const coded = codeTerms(termList, (code) => values.get(code)!.kind === "numeric");
  const width = (f: Factor, full: boolean | null): number => {
    const v = values.get(f.code)!;
    if (v.kind === "numeric") return 1;
    return full ? v.levels.length : Math.max(0, v.levels.length - 1);
  };
  const out: { sub: Subterm; term: number; columns: number }[] = [];
  for (const { index, subterms } of coded) {
    for (const sub of subterms) out.push({ sub, term: index, columns: sub.factors.reduce((p, { factor, full }) => p * width(factor, full), 1) });
  }
  return out;
}

/** Refuses a dense design wider than LIMITS.designColumns before a column of it is made. */
function checkWidth(termList: TermList, subs: { sub: Subterm; term: number; columns: number }[], source: string): void {
  const total = subs.reduce((s, x) => s + x.columns, 0);
  if (total <= LIMITS.designColumns) return;
  const perTerm = new Map<number, number>();
  for (const x of subs) perTerm.set(x.term, (perTerm.get(x.term) ?? 0) + x.columns);
  const [widest, columns] = [...perTerm.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
  const all = termList.intercept ? [{ factors: [] }, ...termList.terms] : termList.terms;
  const term = all[widest];
  const start = Math.min(...term.factors.map((f) => f.start));
  const end = Math.max(...term.factors.map((f) => f.end));
  throw formulaError(`These terms make ${count(total)} columns, more than the limit of ${count(LIMITS.designColumns)} (the widest, ${excerpt(termName(term))}, makes ${count(columns)})`, source, start, end);
}

/** The columns of a term list in sparse form, one entry per subterm (statsmodels' variance components use these). */
export function sparseDesign(termList: TermList, values: FactorValues, source: string, n: number): SparseSubterm[] {
  return subtermsOf(termList, values).map(({ sub, term }) => sparseSubterm(sub, term, values, source, n));
}

/**
 * The dense design of a term list from its evaluated factors (at most LIMITS.designColumns
 * columns). With centres, each product of two or more numeric factors also carries its centred
 * form (centredProducts.ts).
 */
export function designFromFactors(termList: TermList, values: FactorValues, source: string, n: number, centres: ProductCentres | null = null): Design {
  const subs = subtermsOf(termList, values);
  checkWidth(termList, subs, source);
  const columns: DesignColumn[] = [];
  for (const { sub, term } of subs) {
    if (sub.factors.length === 0) {
      columns.push({ name: "Intercept", values: new Float64Array(n).fill(1), term, key: { categorical: [], numeric: [] } });
    } else if (sub.factors.length === 1 && sub.factors[0].full === null) {
      // A single numeric factor's column is shared, not copied: design columns are never written
      // to, and at a million rows each copy costs 8 MB and its page faults.
      const code = sub.factors[0].factor.code;
      columns.push({ name: code, values: (values.get(code) as { values: Float64Array }).values, term, key: { categorical: [], numeric: [code] } });
    } else {
      columns.push(...denseColumns(sparseSubterm(sub, term, values, source, n, centres), n));
    }
  }
  return { columns };
}

/** A subterm's dense columns from its sparse form. */
function denseColumns(sparse: SparseSubterm, n: number): DesignColumn[] {
  const dense = sparse.names.map(() => new Float64Array(n));
  const centred = sparse.centred ? sparse.names.map(() => new Float64Array(n)) : null;
  for (let i = 0; i < n; i++) {
    const c = sparse.hit[i];
    if (c < 0) continue;
    dense[c][i] = sparse.value ? sparse.value[i] : 1;
    if (centred) centred[c][i] = sparse.centred![i];
  }
  return sparse.names.map((name, c) => ({ name, values: dense[c], term: sparse.term, key: sparse.keys[c], ...(centred ? { centred: centred[c] } : {}) }));
}

/** Builds the design matrix of a term list on the table (whose rows are the complete cases when fitting). */
export function buildDesign(termList: TermList, table: DataTable, source: string, memo: FactorMemo, fitting: boolean): Design {
  const ctx: FactorContext = { table, memo, fitting };
  const values = evaluateTermFactors(termList.terms, source, ctx);
  return designFromFactors(termList, values, source, table.nRows, new ProductCentres(memo, fitting));
}

/**
 * Relative size (root mean square) below which what is left of a column, once the kept columns
 * before it are taken out, counts as rounding of its stored values: a column equal to a
 * combination of others up to the last few digits a double holds.
 */
const ROUNDING = 1e-13;
/** Below this fraction of its own square left, a column's pivot from the Gram matrix is not trusted: Gram-Schmidt decides. */
const GRAM_TRUSTED = 1e-6;

/**
 * Whether two columns are related by marginality: the data columns one of them reads are a strict
 * subset of the other's (x and x:z, z and x:z, x and I(x*z), x and x:C(h)). A shift of a covariate
 * moves the larger one's column into the span of the smaller one's: (x + d)·z = x·z + d·z.
 */
export type Marginality = (j: number, k: number) => boolean;

/**
 * Finds columns that are linear combinations of earlier ones. Returns the indices to keep.
 *
 * The check does not depend on the columns' location or unit: it runs on the columns centred
 * (when the design holds the constant) and scaled to unit root mean square (columnScaling.ts), so
 * x + 3e5 is as independent of the intercept as x is. A column is dropped when what is left of it
 * after the kept columns before it is at most `tol` of its offset-free root mean square (R's
 * lm() drops at 1e-7 of the whole column's), or at most ROUNDING of its root mean square as given:
 * the part of it that rounding of its stored values can account for (x + 1e9 repeating x differs
 * from it by rounding only). "Offset-free" is what is left after the columns before it into whose
 * span a shift of a covariate moves it: the constant and the factors' indicator columns (x + d,
 * and (x + d)·[h = k] for x:C(h)), and, given `marginal`, the kept columns related to it by
 * marginality ((x + d)·z for x:z moves along z; z after x:z, as patsy orders `x:z + x + z`, is
 * measured against x:z). Clear cases are read off the Cholesky factor of the Gram matrix; when a
 * pivot is small enough to be in doubt, Gram-Schmidt on the columns decides.
 */
export function independentColumns(cols: Float64Array[], tol = 1e-7, marginal: Marginality | null = null): number[] {
  const p = cols.length;
  if (p === 0) return [];
  const cc = centerAndScale(cols);
  const G = gram(cc.columns, indicatorSupports(cc.columns, cc.stats.map((st, j) => (cc.columns[j] === cols[j] ? st : { ...st, indicator: false }))));
  // what rounding of the stored values accounts for, as a root mean square in the scaled columns' units
  const rounding = Array.from(cc.rawRms, (raw, j) => (ROUNDING * raw) / Math.abs(cc.scale[j]));
  const { fraction } = pivotFractions(G, p);
  const present = rounding.map((_, j) => j).filter((j) => G[j * p + j] > 0);
  const clear = present.every((j) => fraction[j] >= GRAM_TRUSTED && fraction[j] * G[j * p + j] >= 1e4 * rounding[j] ** 2);
  if (clear) return present;
  const offsetFree = new OffsetFreeParts(cc.columns, cc.stats.map((st) => st.indicator || st.constant !== null), rounding, marginal);
  return gramSchmidt(cc.columns, (j, kept) => Math.max(rounding[j], tol * offsetFree.rms(j, kept))).kept;
}

/**
 * Root mean square of each column less its projection on the constant and indicator columns
 * before it and on the kept columns related to it by marginality (a column that is itself the
 * constant or an indicator keeps its own). Asked for the columns in order.
 */
class OffsetFreeParts {
  /** Orthogonal, unit root mean square: the constant and indicator columns so far. */
  private readonly basis: Float64Array[] = [];
  private next = 0;
  /** A related column orthogonalised against the basis, with the basis' size then. */
  private readonly reduced = new Map<number, { size: number; v: Float64Array | null }>();

  constructor(
    private readonly cols: Float64Array[],
    private readonly location: boolean[],
    private readonly rounding: number[],
    private readonly marginal: Marginality | null,
  ) {}

  rms(j: number, kept: readonly number[]): number {
    for (; this.next < j; this.next++) this.addLocation(this.next);
    const c = this.cols[j];
    const own = columnStats(c).rms;
    if (this.location[j]) return own;
    const related: Float64Array[] = [];
    if (this.marginal) {
      for (const k of kept) {
        if (this.location[k] || !this.marginal(j, k)) continue;
        const v = this.reducedColumn(k);
        if (!v) continue;
        const w = orthogonalize(v, related);
        const left = rms(w, 0, 2);
        if (left > 1e-8) related.push(w.map((x) => x / left));
      }
    }
    const v = orthogonalize(orthogonalize(c, this.basis), related);
    return rms(v, 0, 2 * own);
  }

  private addLocation(k: number): void {
    if (!this.location[k]) return;
    const v = orthogonalize(this.cols[k], this.basis);
    const left = rms(v, 0, 2 * columnStats(this.cols[k]).rms);
    if (left > this.rounding[k]) this.basis.push(v.map((x) => x / left));
  }

  /** Column k less its projection on the basis, at unit root mean square (null when nothing is left). */
  private reducedColumn(k: number): Float64Array | null {
    const hit = this.reduced.get(k);
    if (hit && hit.size === this.basis.length) return hit.v;
    const w = orthogonalize(this.cols[k], this.basis);
    const left = rms(w, 0, 2 * columnStats(this.cols[k]).rms);
    const v = left > this.rounding[k] ? w.map((x) => x / left) : null;
    this.reduced.set(k, { size: this.basis.length, v });
    return v;
  }
}

/** c less its projection on orthogonal columns of unit root mean square, twice over (a copy). */
function orthogonalize(c: Float64Array, basis: Float64Array[]): Float64Array {
  const n = c.length;
  const v = Float64Array.from(c);
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i] * v[i];
      const coef = s / n;
      if (coef === 0) continue;
      for (let i = 0; i < n; i++) v[i] -= coef * q[i];
    }
  }
  return v;
}

/** The data columns each term reads (the intercept: none), for marginality between its columns. */
export function termColumnSets(termList: TermList, source: string, table: DataTable): Set<string>[] {
  const all: Term[] = termList.intercept ? [{ factors: [] }, ...termList.terms] : termList.terms;
  return all.map((t) => new Set(t.factors.flatMap((f) => referencedColumns(parseFactorExpr(f.tokens, source), source, table))));
}

/**
 * Marginality between design columns from the data columns their terms read (termColumnSets,
 * called on the first question only: the rank check asks only when a pivot is in doubt).
 */
export function marginalityOf(columns: DesignColumn[], sets: () => Set<string>[]): Marginality {
  const strictSubset = (a: Set<string>, b: Set<string>) => a.size < b.size && [...a].every((x) => b.has(x));
  let known: Set<string>[] | null = null;
  return (j, k) => {
    known ??= sets();
    const a = known[columns[j].term], b = known[columns[k].term];
    return strictSubset(a, b) || strictSubset(b, a);
  };
}
