/**
 * Factors evaluated on the data: a factor expression (expr.ts) becomes a numeric column or a
 * categorical one (levels in patsy's order: sorted), with its contrast (Treatment with an
 * optional reference level). Only the functions of functions.ts exist.
 *
 * What evaluation learns from the fitting data (each categorical factor's levels, the mean and
 * sd of stateful transforms) goes into a FactorMemo, so that new rows are coded the same way.
 */
import { excerpt, formulaError, MixedLMError, quoted } from "../errors";
import { Column, DataTable, formatNumberLabel, unknownColumn } from "../table";
import { textAmongNumbersError } from "../textInNumbers";
import { dottedName, Ex, referencedColumns, withPosition } from "./expr";
import {
  CATEGORICAL_FUNCTIONS, NUMBER_FUNCTIONS, OTHER_CONTRASTS, POWER_FUNCTIONS, STATEFUL_FUNCTIONS, TREATMENT, UNKNOWN_FUNCTION_HINT,
} from "./functions";

export { parseFactorExpr, referencedColumns } from "./expr";
export type FactorExpr = Ex;

export interface Contrast {
  /** The reference level (a label, or a position when referenceIsIndex); null = the first. */
  reference: string | number | null;
  /** Set when the reference was given as an integer position. */
  referenceIsIndex: boolean;
}

export type FactorValue =
  | { kind: "numeric"; values: Float64Array }
  | {
      kind: "categorical";
      /** Index into `levels` per row; -1 = missing. */
      codes: Int32Array;
      /** Level labels in patsy order. */
      levels: string[];
      contrast: Contrast | null;
      /** Set when this is a column of text used as it is (not through C()): its name, for textAmongNumbersError. */
      column?: string;
    };

type Value =
  | FactorValue
  | { kind: "scalar"; v: number }
  | { kind: "string"; v: string };

interface Span { start: number; end: number }

export interface FactorMemo {
  levels: Map<string, string[]>;
  stats: Map<string, { mean: number; sd: number }>;
  /** The centres of numeric factors that enter products (centredProducts.ts), by factor code. */
  centres: Map<string, number>;
}

export function newMemo(): FactorMemo {
  return { levels: new Map(), stats: new Map(), centres: new Map() };
}

/** Where factors are evaluated: the rows (complete cases when fitting), the memo, and each row's place in the user's data. */
export interface FactorContext {
  table: DataTable;
  memo: FactorMemo;
  /** True when fitting (the memo is filled); false for new rows (the memo is applied). */
  fitting: boolean;
  /** The data row (0-based, below the header) of each table row, for messages; the table's own rows when absent. */
  rowIndex?: Int32Array;
}

function sortLevels(labels: string[]): string[] {
  return [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Turns a table column into a categorical value with sorted levels, keeping only levels present in `rows`. */
export function categoricalFromColumn(col: Column): { codes: Int32Array; levels: string[] } {
  if (col.kind === "categorical") {
    const present = new Uint8Array(col.levels.length);
    for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0) present[col.codes[i]] = 1;
    const labels = col.levels.filter((_, k) => present[k]);
    const sorted = col.boolean ? ["False", "True"].filter((l) => labels.includes(l)) : sortLevels(labels);
    const pos = new Map(sorted.map((l, k) => [l, k]));
    const remap = col.levels.map((l) => pos.get(l) ?? -1);
    const codes = new Int32Array(col.codes.length);
    for (let i = 0; i < codes.length; i++) codes[i] = col.codes[i] < 0 ? -1 : remap[col.codes[i]];
    return { codes, levels: sorted };
  }
  const uniq = new Map<number, number>();
  const v = col.values;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]) && !uniq.has(v[i])) uniq.set(v[i], uniq.size);
  const values = [...uniq.keys()].sort((a, b) => a - b);
  const pos = new Map(values.map((x, k) => [x, k]));
  const codes = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) codes[i] = Number.isNaN(v[i]) ? -1 : pos.get(v[i])!;
  return { codes, levels: values.map((x) => formatNumberLabel(x, col.integer)) };
}

/** Column names a factor refers to (for listwise deletion before anything is evaluated). */
export function factorColumns(e: Ex, table: DataTable, source: string): string[] {
  return referencedColumns(e, source, table);
}

const ARITHMETIC = new Map<string, (p: number, q: number) => number>([
  ["+", (p, q) => p + q],
  ["-", (p, q) => p - q],
  ["*", (p, q) => p * q],
  ["/", (p, q) => p / q],
  ["//", (p, q) => Math.floor(p / q)],
  ["%", (p, q) => p - q * Math.floor(p / q)],
  ["**", (p, q) => Math.pow(p, q)],
]);
const COMPARISON = new Map<string, (p: number, q: number) => boolean>([
  ["<", (p, q) => p < q],
  [">", (p, q) => p > q],
  ["<=", (p, q) => p <= q],
  [">=", (p, q) => p >= q],
  ["==", (p, q) => p === q],
  ["!=", (p, q) => p !== q],
]);

/** Evaluates one factor on the rows of a FactorContext; each kind of node has its own step. */
class FactorEvaluator {
  private readonly n: number;
  /** Stateful transforms met so far in this factor: their memo keys are code#k, the same for the same code in any formula. */
  private stateful = 0;

  constructor(private readonly code: string, private readonly source: string, private readonly ctx: FactorContext) {
    this.n = ctx.table.nRows;
  }

  fail(msg: string, x: Span): never {
    throw formulaError(msg, this.source, x.start, x.end);
  }

  /** The data row (1-based, below the header) of table row i. */
  row(i: number): number {
    return (this.ctx.rowIndex ? this.ctx.rowIndex[i] : i) + 1;
  }

  value(x: Ex): Value {
    switch (x.k) {
      case "num": return { kind: "scalar", v: x.v };
      case "str": return { kind: "string", v: x.v };
      case "name":
        if (!x.quoted && x.name === "True") return { kind: "scalar", v: 1 };
        if (!x.quoted && x.name === "False") return { kind: "scalar", v: 0 };
        return this.column(x.name, x);
      case "attr": {
        const d = dottedName(x);
        if (d !== null && this.ctx.table.has(d)) return this.column(d, x);
        return this.fail(`Unknown name ${quoted(d ?? "?")}`, x);
      }
      case "unary": {
        const a = this.numeric(this.value(x.arg), x.arg);
        if (x.op === "+") return typeof a === "number" ? { kind: "scalar", v: a } : { kind: "numeric", values: a };
        return typeof a === "number" ? { kind: "scalar", v: -a } : { kind: "numeric", values: a.map((t) => -t) };
      }
      case "chain": {
        let acc = this.value(x.first);
        for (const r of x.rest) acc = this.binary(r.op, acc, { start: x.start, end: r.start }, this.value(r.arg), r.arg, { start: x.start, end: r.end });
        return acc;
      }
      case "pow": return this.binary("**", this.value(x.base), x.base, this.value(x.exponent), x.exponent, x);
      case "call": return this.call(x);
    }
  }

  private column(name: string, x: Span): Value {
    const table = this.ctx.table;
    if (!table.has(name)) throw withPosition(unknownColumn(name, table.names), this.source, x);
    const c = table.column(name);
    if (c.kind === "numeric") return { kind: "numeric", values: c.values };
    const cat = categoricalFromColumn(c);
    return { kind: "categorical", codes: cat.codes, levels: cat.levels, contrast: null, column: name };
  }

  /** A value as numbers: a column or a scalar; text is an error that names the cells when the column is numbers but for a few. */
  private numeric(v: Value, x: Span): Float64Array | number {
    if (v.kind === "numeric") return v.values;
    if (v.kind === "scalar") return v.v;
    if (v.kind === "categorical") {
      const typo = v.column !== undefined ? textAmongNumbersError(v, v.column, "arithmetic", this.ctx.rowIndex) : null;
      if (typo) throw typo;
      return this.fail("This is a categorical variable; arithmetic needs numbers", x);
    }
    return this.fail("Arithmetic needs numbers here", x);
  }

  private binary(op: string, av: Value, aSpan: Span, bv: Value, bSpan: Span, span: Span): Value {
    const a = this.numeric(av, aSpan);
    const b = this.numeric(bv, bSpan);
    const arithmetic = ARITHMETIC.get(op);
    const comparison = COMPARISON.get(op);
    if (!arithmetic && !comparison) return this.fail(`Operator '${op}' is not supported`, span);
    const f = arithmetic ?? ((p: number, q: number) => +comparison!(p, q));
    if (typeof a === "number" && typeof b === "number") return { kind: "scalar", v: f(a, b) };
    const n = this.n;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(typeof a === "number" ? a : a[i], typeof b === "number" ? b : b[i]);
    if (comparison) {
      // patsy treats a boolean factor as categorical with levels False, True
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = out[i] ? 1 : 0;
      return { kind: "categorical", codes, levels: ["False", "True"], contrast: null };
    }
    return { kind: "numeric", values: out };
  }

  private call(x: Extract<Ex, { k: "call" }>): Value {
    const fn = dottedName(x.fn);
    if (fn === null) return this.fail("Only named functions can be called", x);
    if (fn === "Q") return this.quotedColumn(x);
    if (fn === "I") {
      if (x.args.length !== 1) return this.fail("I() takes one expression", x);
      return this.value(x.args[0]);
    }
    if (CATEGORICAL_FUNCTIONS.has(fn)) return this.categorical(fn, x);
    const nf = NUMBER_FUNCTIONS.get(fn);
    if (nf) return this.numberFunction(fn, nf, x);
    if (POWER_FUNCTIONS.has(fn)) {
      if (x.args.length !== 2) return this.fail(`${fn}() takes two arguments`, x);
      return this.binary("**", this.value(x.args[0]), x.args[0], this.value(x.args[1]), x.args[1], x);
    }
    if (STATEFUL_FUNCTIONS.has(fn)) return this.statefulTransform(fn, x);
    if (TREATMENT.has(fn) || OTHER_CONTRASTS.has(fn)) return this.fail(`${fn}() can only be used as the second argument of C()`, x);
    return this.fail(`Unknown function ${quoted(fn)}; ${UNKNOWN_FUNCTION_HINT}`, x);
  }

  private quotedColumn(x: Extract<Ex, { k: "call" }>): Value {
    const a = x.args[0];
    if (!a || a.k !== "str" || x.args.length !== 1) return this.fail('Q() takes the column name as a string, as in Q("odd name")', x);
    return this.column(a.v, a);
  }

  /** C(x), factor(x), as.factor(x): x as categorical, optionally with a contrast. */
  private categorical(fn: string, x: Extract<Ex, { k: "call" }>): Value {
    if (x.args.length < 1 || x.args.length > 2) return this.fail(`${fn}() takes a variable and optionally a contrast, as in C(Cu, Treatment('Cu000'))`, x);
    const inner = this.value(x.args[0]);
    let cat: { codes: Int32Array; levels: string[] };
    if (inner.kind === "categorical") cat = inner;
    else if (inner.kind === "numeric") {
      // a numeric expression made categorical: its distinct values, sorted
      const arg = x.args[0];
      const base = arg.k === "name" ? this.ctx.table.column(arg.name) : null;
      const integer = base && base.kind === "numeric" ? base.integer : false;
      cat = categoricalFromColumn({ kind: "numeric", name: this.code, values: inner.values, integer, missing: 0 });
    } else return this.fail(`${fn}() needs a column`, x.args[0]);
    const levelsKw = x.kwargs.find((k) => k.name === "levels");
    if (levelsKw) return this.fail("C(..., levels=...) is not supported; use Treatment('level') to choose the reference level", levelsKw.value);
    for (const kw of x.kwargs) return this.fail(`Unknown argument ${quoted(kw.name)} to ${fn}()`, kw.value);
    const contrast = x.args[1] ? this.contrast(x.args[1]) : null;
    return { kind: "categorical", codes: cat.codes, levels: cat.levels, contrast };
  }

  /** The second argument of C(): Treatment, Treatment('level'), Treatment(reference=2). */
  private contrast(v: Ex): Contrast {
    if (v.k === "name" && TREATMENT.has(v.name)) return { reference: null, referenceIsIndex: false };
    const fn = v.k === "call" ? dottedName(v.fn) : v.k === "name" ? v.name : null;
    if (v.k === "call" && fn !== null && TREATMENT.has(fn)) {
      const refEx = v.args[0] ?? v.kwargs.find((k) => k.name === "reference")?.value;
      if (!refEx) return { reference: null, referenceIsIndex: false };
      if (refEx.k === "str") return { reference: refEx.v, referenceIsIndex: false };
      if (refEx.k === "num") return { reference: refEx.v, referenceIsIndex: true };
      if (refEx.k === "unary" && refEx.arg.k === "num") {
        return { reference: refEx.op === "-" ? -refEx.arg.v : refEx.arg.v, referenceIsIndex: true };
      }
      return this.fail("Treatment() takes the reference level as text or a number, as in Treatment('Cu000')", refEx);
    }
    if (fn !== null && OTHER_CONTRASTS.has(fn)) return this.fail(`${fn} coding is not supported; only Treatment coding (the default) is`, v);
    return this.fail("The second argument of C() must be a contrast such as Treatment('level')", v);
  }

  private numberFunction(fn: string, nf: (x: number) => number, x: Extract<Ex, { k: "call" }>): Value {
    if (x.args.length !== 1 || x.kwargs.length > 0) return this.fail(`${fn}() takes one argument`, x);
    const a = this.numeric(this.value(x.args[0]), x.args[0]);
    if (typeof a === "number") return { kind: "scalar", v: nf(a) };
    const n = this.n;
    const out = new Float64Array(n);
    let bad = 0;
    let first = -1;
    for (let i = 0; i < n; i++) {
      out[i] = nf(a[i]);
      if (!Number.isFinite(out[i])) { bad++; if (first < 0) first = i; }
    }
    if (bad > 0) {
      return this.fail(`${fn}() is undefined or infinite on ${bad} row${bad > 1 ? "s" : ""} of the data (first in data row ${this.row(first)}, where its argument is ${a[first]}; for example log of a value <= 0); filter those rows out or change the transform`, x);
    }
    return { kind: "numeric", values: out };
  }

  /** center(x), standardize(x), scale(x): the statistics of the fitting data, reused for new rows. */
  private statefulTransform(fn: string, x: Extract<Ex, { k: "call" }>): Value {
    if (x.args.length !== 1) return this.fail(`${fn}() takes one argument`, x);
    const a = this.numeric(this.value(x.args[0]), x.args[0]);
    if (typeof a === "number") return this.fail(`${fn}() needs a column`, x);
    const n = this.n;
    const key = `${this.code}#${this.stateful++}`;
    let st = this.ctx.memo.stats.get(key);
    if (!st || this.ctx.fitting) {
      let m = 0;
      for (let i = 0; i < n; i++) m += a[i];
      m /= n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (a[i] - m) ** 2;
      // patsy's standardize divides by the population sd (ddof=0); R's scale() by the sample sd
      const sd = fn === "scale" ? Math.sqrt(ss / (n - 1)) : Math.sqrt(ss / n);
      st = { mean: m, sd };
      this.ctx.memo.stats.set(key, st);
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = fn === "center" ? a[i] - st.mean : (a[i] - st.mean) / st.sd;
    return { kind: "numeric", values: out };
  }

  /** The factor's value: a column (not a constant), finite when fitting, its levels remembered or applied. */
  finish(v: Value, e: Ex): FactorValue {
    if (v.kind === "scalar") return this.fail("This term is a constant; write 1 for the intercept or name a column", e);
    if (v.kind === "string") return this.fail("This term is not a column", e);
    if (v.kind === "numeric") {
      if (this.ctx.fitting) this.checkFinite(v.values, e);
      return v;
    }
    if (this.ctx.fitting) this.ctx.memo.levels.set(this.code, v.levels);
    else {
      const known = this.ctx.memo.levels.get(this.code);
      if (known) return recode(v, known, this.code);
    }
    return v;
  }

  /** Values that are infinite or not a number (a division by zero, a power too large for a double) are named with a row. */
  private checkFinite(values: Float64Array, e: Ex): void {
    let bad = 0;
    let first = -1;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) { bad++; if (first < 0) first = i; }
    if (bad === 0) return;
    const rows = bad === 1 ? `data row ${this.row(first)}` : `${bad} rows (the first is data row ${this.row(first)})`;
    const what = Number.isNaN(values[first]) ? "not a number (NaN)" : `infinite (${values[first]})`;
    this.fail(`This term is ${what} on ${rows}: a division by zero, a power too large for a number, or a function outside its domain. Change the term or leave those rows out`, e);
  }
}

/**
 * Evaluates a factor on the rows of `ctx`. When fitting, the memo learns its levels and
 * transform statistics; on new rows, it applies them.
 */
export function evaluateFactor(e: Ex, code: string, source: string, ctx: FactorContext): FactorValue {
  const ev = new FactorEvaluator(code, source, ctx);
  return ev.finish(ev.value(e), e);
}

/** Codes new rows with the levels seen when fitting; an unseen level is an error. */
function recode(v: Extract<FactorValue, { kind: "categorical" }>, known: string[], code: string): FactorValue {
  const pos = new Map(known.map((l, k) => [l, k]));
  const map = v.levels.map((l) => pos.get(l) ?? -2);
  const codes = new Int32Array(v.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = v.codes[i];
    if (c < 0) { codes[i] = -1; continue; }
    if (map[c] === -2) {
      throw new MixedLMError("data", `The new data have level ${quoted(v.levels[c])} of ${excerpt(code)}, which the fitted data did not have; predictions need levels the model has seen.`);
    }
    codes[i] = map[c];
  }
  return { kind: "categorical", codes, levels: known, contrast: v.contrast, ...(v.column !== undefined ? { column: v.column } : {}) };
}
