/**
 * Factors: the Python expressions inside a formula (`Time`, `C(Cu)`, `np.log(Weight)`,
 * `I(Time ** 2)`, `Q("odd name")`), parsed into a small expression tree and evaluated on the
 * data table. Nothing is ever passed to eval(): only the functions listed here exist.
 *
 * A factor evaluates to a numeric column or to a categorical one (levels in patsy's order:
 * sorted), with its contrast (Treatment with an optional reference level).
 */
import { formulaError, MixedLMError } from "../errors";
import { Column, DataTable, formatNumberLabel, unknownColumn } from "../table";
import { stringValue, Token } from "./tokens";

type Ex =
  | { k: "num"; v: number; start: number; end: number }
  | { k: "str"; v: string; start: number; end: number }
  | { k: "name"; name: string; quoted: boolean; start: number; end: number }
  | { k: "attr"; obj: Ex; name: string; start: number; end: number }
  | { k: "call"; fn: Ex; args: Ex[]; kwargs: { name: string; value: Ex }[]; start: number; end: number }
  | { k: "unary"; op: string; arg: Ex; start: number; end: number }
  | { k: "bin"; op: string; l: Ex; r: Ex; start: number; end: number };

/** Parses the tokens of one factor (a Python expression) into a tree. */
export function parseFactorExpr(tokens: Token[], source: string): Ex {
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (t: Token | undefined, ...ops: string[]) => !!t && t.type === "OP" && ops.includes(t.text);
  const fail = (msg: string, t?: Token): never => {
    const tt = t ?? tokens[tokens.length - 1];
    throw formulaError(msg, source, tt.start, tt.end);
  };

  function expression(): Ex { return comparison(); }
  function comparison(): Ex {
    let l = arith();
    while (isOp(peek(), "<", ">", "==", "!=", "<=", ">=")) {
      const op = tokens[i++].text;
      const r = arith();
      l = { k: "bin", op, l, r, start: l.start, end: r.end };
    }
    return l;
  }
  function arith(): Ex {
    let l = term();
    while (isOp(peek(), "+", "-")) {
      const op = tokens[i++].text;
      const r = term();
      l = { k: "bin", op, l, r, start: l.start, end: r.end };
    }
    return l;
  }
  function term(): Ex {
    let l = unary();
    while (isOp(peek(), "*", "/", "//", "%")) {
      const op = tokens[i++].text;
      const r = unary();
      l = { k: "bin", op, l, r, start: l.start, end: r.end };
    }
    return l;
  }
  function unary(): Ex {
    if (isOp(peek(), "+", "-")) {
      const t = tokens[i++];
      const arg = unary();
      return { k: "unary", op: t.text, arg, start: t.start, end: arg.end };
    }
    return power();
  }
  // `**` (Python) and `^` (R: inside I(), `day^2` is a power) are the same operator, right-associative
  function power(): Ex {
    const base = postfix();
    if (isOp(peek(), "**", "^")) {
      i++;
      const exp = unary();
      return { k: "bin", op: "**", l: base, r: exp, start: base.start, end: exp.end };
    }
    return base;
  }
  function postfix(): Ex {
    let e = atom();
    while (true) {
      if (isOp(peek(), ".")) {
        i++;
        const t = peek();
        if (!t || t.type !== "NAME") fail("Expected a name after '.'", t);
        i++;
        e = { k: "attr", obj: e, name: t.text, start: e.start, end: t.end };
      } else if (isOp(peek(), "(")) {
        i++;
        const args: Ex[] = [];
        const kwargs: { name: string; value: Ex }[] = [];
        while (!isOp(peek(), ")")) {
          if (!peek()) fail("A ')' is missing");
          const t = peek();
          if (t.type === "NAME" && isOp(tokens[i + 1], "=")) {
            i += 2;
            kwargs.push({ name: t.text, value: expression() });
          } else {
            if (kwargs.length > 0) fail("A positional argument cannot follow a keyword argument", t);
            args.push(expression());
          }
          if (isOp(peek(), ",")) i++;
          else if (!isOp(peek(), ")")) fail("Expected ',' or ')' in the argument list", peek());
        }
        const close = tokens[i++];
        e = { k: "call", fn: e, args, kwargs, start: e.start, end: close.end };
      } else if (isOp(peek(), "[")) {
        fail("Indexing with [...] is not supported in a formula", peek());
      } else break;
    }
    return e;
  }
  function atom(): Ex {
    const t = peek();
    if (!t) return fail("An expression is incomplete");
    i++;
    if (t.type === "NUMBER") return { k: "num", v: Number(t.text), start: t.start, end: t.end };
    if (t.type === "STRING") return { k: "str", v: stringValue(t.text), start: t.start, end: t.end };
    if (t.type === "NAME") return { k: "name", name: t.text, quoted: false, start: t.start, end: t.end };
    if (t.type === "BACKQUOTED") return { k: "name", name: t.text, quoted: true, start: t.start, end: t.end };
    if (isOp(t, "(")) {
      const e = expression();
      if (!isOp(peek(), ")")) fail("A ')' is missing", peek());
      i++;
      return e;
    }
    return fail(`Unexpected '${t.text}'`, t);
  }

  const e = expression();
  if (i < tokens.length) fail(`Unexpected '${tokens[i].text}'`, tokens[i]);
  return e;
}

/** The dotted name of a function expression ("np.log"), or null when it is not a plain name. */
function dottedName(e: Ex): string | null {
  if (e.k === "name" && !e.quoted) return e.name;
  if (e.k === "attr") {
    const o = dottedName(e.obj);
    return o === null ? null : `${o}.${e.name}`;
  }
  return null;
}

const NUMERIC_FUNCTIONS: Record<string, (x: number) => number> = {
  log: Math.log, log10: Math.log10, log2: Math.log2, log1p: Math.log1p,
  exp: Math.exp, expm1: Math.expm1, sqrt: Math.sqrt, abs: Math.abs, absolute: Math.abs,
  square: (x) => x * x, sin: Math.sin, cos: Math.cos, tan: Math.tan, arctan: Math.atan,
  floor: Math.floor, ceil: Math.ceil,
};
/** Names under which the numeric functions may be written: bare (as in R), np.*, numpy.*. */
function numericFunction(name: string): ((x: number) => number) | undefined {
  const bare = name.replace(/^(np|numpy)\./, "");
  if (bare !== name || ["log", "log10", "log2", "log1p", "exp", "expm1", "sqrt", "abs"].includes(bare)) {
    return NUMERIC_FUNCTIONS[bare];
  }
  return undefined;
}

const STATEFUL = new Set(["center", "standardize", "scale"]);

export interface Contrast {
  /** Index (into the sorted levels) of the reference level; null = the first. */
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
    };

type Value =
  | FactorValue
  | { kind: "scalar"; v: number }
  | { kind: "string"; v: string };

/**
 * What evaluation remembers from the fitting data so that new rows are coded the same way:
 * the level set of each categorical factor and the mean / sd of stateful transforms.
 */
export interface FactorMemo {
  levels: Map<string, string[]>;
  stats: Map<string, { mean: number; sd: number }>;
}

export function newMemo(): FactorMemo {
  return { levels: new Map(), stats: new Map() };
}

function sortLevels(labels: string[], numeric: number[] | null): string[] {
  if (numeric) {
    const idx = labels.map((_, k) => k).sort((a, b) => numeric[a] - numeric[b]);
    return idx.map((k) => labels[k]);
  }
  return [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Turns a table column into a categorical value with sorted levels, keeping only levels present in `rows`. */
export function categoricalFromColumn(col: Column): { codes: Int32Array; levels: string[] } {
  if (col.kind === "categorical") {
    const present = new Uint8Array(col.levels.length);
    for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0) present[col.codes[i]] = 1;
    const labels = col.levels.filter((_, k) => present[k]);
    let sorted: string[];
    if (col.boolean) sorted = ["False", "True"].filter((l) => labels.includes(l));
    else sorted = sortLevels(labels, null);
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
  const out: string[] = [];
  const visit = (x: Ex) => {
    switch (x.k) {
      case "name":
        if (x.quoted || table.has(x.name)) out.push(x.name);
        else if (!["True", "False", "None", "np", "numpy"].includes(x.name)) {
          throw withPosition(unknownColumn(x.name, table.names), source, x);
        }
        return;
      case "attr": {
        const d = dottedName(x);
        if (d !== null && table.has(d)) { out.push(d); return; }
        visit(x.obj);
        return;
      }
      case "call": {
        const fn = dottedName(x.fn);
        if (fn === "Q") {
          const a = x.args[0];
          if (!a || a.k !== "str") throw formulaError('Q() takes the column name as a string, as in Q("odd name")', source, x.start, x.end);
          if (!table.has(a.v)) throw withPosition(unknownColumn(a.v, table.names), source, a);
          out.push(a.v);
          return;
        }
        if (fn === "Treatment" || fn === "T") return;
        x.args.forEach(visit);
        x.kwargs.forEach((kw) => { if (kw.name !== "levels" && kw.name !== "reference") visit(kw.value); });
        return;
      }
      case "unary": visit(x.arg); return;
      case "bin": visit(x.l); visit(x.r); return;
      default: return;
    }
  };
  visit(e);
  return out;
}

function withPosition(err: MixedLMError, source: string, x: { start: number; end: number }): MixedLMError {
  return formulaError(err.message.replace(/\.$/, ""), source, x.start, x.end);
}

/**
 * Evaluates a factor on the table (whose rows are the complete cases). `memo` holds levels and
 * transform statistics: filled when fitting, reused when predicting on new rows.
 */
export function evaluateFactor(e: Ex, code: string, table: DataTable, source: string, memo: FactorMemo, fitting: boolean): FactorValue {
  const n = table.nRows;
  const fail = (msg: string, x: { start: number; end: number }): never => { throw formulaError(msg, source, x.start, x.end); };

  const asNumeric = (v: Value, x: Ex): Float64Array | number => {
    if (v.kind === "numeric") return v.values;
    if (v.kind === "scalar") return v.v;
    if (v.kind === "categorical") return fail("This is a categorical variable; arithmetic needs numbers", x);
    return fail("Arithmetic needs numbers here", x);
  };

  const column = (name: string, x: Ex): Value => {
    if (!table.has(name)) throw withPosition(unknownColumn(name, table.names), source, x);
    const c = table.column(name);
    if (c.kind === "numeric") return { kind: "numeric", values: c.values };
    const cat = categoricalFromColumn(c);
    return { kind: "categorical", codes: cat.codes, levels: cat.levels, contrast: null };
  };

  const ev = (x: Ex): Value => {
    switch (x.k) {
      case "num": return { kind: "scalar", v: x.v };
      case "str": return { kind: "string", v: x.v };
      case "name":
        if (!x.quoted && x.name === "True") return { kind: "scalar", v: 1 };
        if (!x.quoted && x.name === "False") return { kind: "scalar", v: 0 };
        return column(x.name, x);
      case "attr": {
        const d = dottedName(x);
        if (d !== null && table.has(d)) return column(d, x);
        return fail(`Unknown name "${d ?? "?"}"`, x);
      }
      case "unary": {
        const a = asNumeric(ev(x.arg), x.arg);
        if (x.op === "+") return typeof a === "number" ? { kind: "scalar", v: a } : { kind: "numeric", values: a };
        return typeof a === "number" ? { kind: "scalar", v: -a } : { kind: "numeric", values: a.map((t) => -t) };
      }
      case "bin": return binary(x);
      case "call": return call(x);
    }
  };

  const binary = (x: Extract<Ex, { k: "bin" }>): Value => {
    const a = asNumeric(ev(x.l), x.l);
    const b = asNumeric(ev(x.r), x.r);
    const f: (p: number, q: number) => number = (() => {
      switch (x.op) {
        case "+": return (p: number, q: number) => p + q;
        case "-": return (p: number, q: number) => p - q;
        case "*": return (p: number, q: number) => p * q;
        case "/": return (p: number, q: number) => p / q;
        case "//": return (p: number, q: number) => Math.floor(p / q);
        case "%": return (p: number, q: number) => p - q * Math.floor(p / q);
        case "**": return (p: number, q: number) => Math.pow(p, q);
        case "<": return (p: number, q: number) => +(p < q);
        case ">": return (p: number, q: number) => +(p > q);
        case "<=": return (p: number, q: number) => +(p <= q);
        case ">=": return (p: number, q: number) => +(p >= q);
        case "==": return (p: number, q: number) => +(p === q);
        case "!=": return (p: number, q: number) => +(p !== q);
        default: return fail(`Operator '${x.op}' is not supported`, x);
      }
    })();
    if (typeof a === "number" && typeof b === "number") return { kind: "scalar", v: f(a, b) };
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(typeof a === "number" ? a : a[i], typeof b === "number" ? b : b[i]);
    if (["<", ">", "<=", ">=", "==", "!="].includes(x.op)) {
      // patsy treats a boolean factor as categorical with levels False, True
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = out[i] ? 1 : 0;
      return { kind: "categorical", codes, levels: ["False", "True"], contrast: null };
    }
    return { kind: "numeric", values: out };
  };

  const contrastArg = (v: Ex): Contrast => {
    if (v.k === "name" && (v.name === "Treatment" || v.name === "T")) return { reference: null, referenceIsIndex: false };
    if (v.k === "call") {
      const fn = dottedName(v.fn);
      if (fn === "Treatment" || fn === "T") {
        const refEx = v.args[0] ?? v.kwargs.find((k) => k.name === "reference")?.value;
        if (!refEx) return { reference: null, referenceIsIndex: false };
        if (refEx.k === "str") return { reference: refEx.v, referenceIsIndex: false };
        if (refEx.k === "num") return { reference: refEx.v, referenceIsIndex: true };
        if (refEx.k === "unary" && refEx.arg.k === "num") {
          return { reference: refEx.op === "-" ? -refEx.arg.v : refEx.arg.v, referenceIsIndex: true };
        }
        return fail("Treatment() takes the reference level as text or a number, as in Treatment('Cu000')", refEx);
      }
      if (fn && ["Sum", "Diff", "Helmert", "Poly"].includes(fn)) {
        return fail(`${fn} coding is not supported; only Treatment coding (the default) is`, v);
      }
    }
    if (v.k === "name" && ["Sum", "Diff", "Helmert", "Poly"].includes(v.name)) {
      return fail(`${v.name} coding is not supported; only Treatment coding (the default) is`, v);
    }
    return fail("The second argument of C() must be a contrast such as Treatment('level')", v);
  };

  const call = (x: Extract<Ex, { k: "call" }>): Value => {
    const fn = dottedName(x.fn);
    if (fn === null) return fail("Only named functions can be called", x);
    if (fn === "Q") {
      const a = x.args[0];
      if (!a || a.k !== "str" || x.args.length !== 1) return fail('Q() takes the column name as a string, as in Q("odd name")', x);
      return column(a.v, a);
    }
    if (fn === "I") {
      if (x.args.length !== 1) return fail("I() takes one expression", x);
      return ev(x.args[0]);
    }
    if (fn === "C" || fn === "factor" || fn === "as.factor") {
      if (x.args.length < 1 || x.args.length > 2) return fail(`${fn}() takes a variable and optionally a contrast, as in C(Cu, Treatment('Cu000'))`, x);
      const inner = ev(x.args[0]);
      let cat: { codes: Int32Array; levels: string[] };
      if (inner.kind === "categorical") cat = inner;
      else if (inner.kind === "numeric") {
        // a numeric expression made categorical: its distinct values, sorted
        const base = x.args[0].k === "name" ? table.column((x.args[0] as { name: string }).name) : null;
        const integer = base && base.kind === "numeric" ? base.integer : false;
        cat = categoricalFromColumn({ kind: "numeric", name: code, values: inner.values, integer, missing: 0 });
      } else return fail(`${fn}() needs a column`, x.args[0]);
      const levelsKw = x.kwargs.find((k) => k.name === "levels");
      if (levelsKw) return fail("C(..., levels=...) is not supported; use Treatment('level') to choose the reference level", levelsKw.value);
      for (const kw of x.kwargs) return fail(`Unknown argument '${kw.name}' to ${fn}()`, kw.value);
      const contrast = x.args[1] ? contrastArg(x.args[1]) : null;
      return { kind: "categorical", codes: cat.codes, levels: cat.levels, contrast };
    }
    const nf = numericFunction(fn);
    if (nf) {
      if (x.args.length !== 1 || x.kwargs.length > 0) return fail(`${fn}() takes one argument`, x);
      const a = asNumeric(ev(x.args[0]), x.args[0]);
      if (typeof a === "number") return { kind: "scalar", v: nf(a) };
      const out = new Float64Array(n);
      let bad = 0;
      for (let i = 0; i < n; i++) { out[i] = nf(a[i]); if (!Number.isFinite(out[i])) bad++; }
      if (bad > 0) {
        return fail(`${fn}() is undefined or infinite on ${bad} row${bad > 1 ? "s" : ""} of the data (for example log of a value <= 0); filter those rows out or change the transform`, x);
      }
      return { kind: "numeric", values: out };
    }
    if (fn === "np.power" || fn === "numpy.power" || fn === "pow") {
      if (x.args.length !== 2) return fail(`${fn}() takes two arguments`, x);
      return binary({ k: "bin", op: "**", l: x.args[0], r: x.args[1], start: x.start, end: x.end });
    }
    if (STATEFUL.has(fn)) {
      if (x.args.length !== 1) return fail(`${fn}() takes one argument`, x);
      const a = asNumeric(ev(x.args[0]), x.args[0]);
      if (typeof a === "number") return fail(`${fn}() needs a column`, x);
      const key = `${code}@${x.start}`;
      let st = memo.stats.get(key);
      if (!st || fitting) {
        let m = 0;
        for (let i = 0; i < n; i++) m += a[i];
        m /= n;
        let ss = 0;
        for (let i = 0; i < n; i++) ss += (a[i] - m) ** 2;
        // patsy's standardize divides by the population sd (ddof=0); R's scale() by the sample sd
        const sd = fn === "scale" ? Math.sqrt(ss / (n - 1)) : Math.sqrt(ss / n);
        st = { mean: m, sd };
        memo.stats.set(key, st);
      }
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = fn === "center" ? a[i] - st.mean : (a[i] - st.mean) / st.sd;
      return { kind: "numeric", values: out };
    }
    if (["Treatment", "T", "Sum", "Diff", "Helmert", "Poly"].includes(fn)) {
      return fail(`${fn}() can only be used as the second argument of C()`, x);
    }
    return fail(`Unknown function "${fn}"; the formula may use C(), Q(), I(), log, exp, sqrt, abs, log10, log2, center, standardize and scale (with or without np.)`, x);
  };

  const v = ev(e);
  if (v.kind === "scalar") {
    return fail("This term is a constant; write 1 for the intercept or name a column", e);
  }
  if (v.kind === "string") return fail("This term is not a column", e);
  if (v.kind === "categorical") {
    // remember or apply the level set of this factor
    if (fitting) memo.levels.set(code, v.levels);
    else {
      const known = memo.levels.get(code);
      if (known) return recode(v, known, code);
    }
  }
  return v;
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
      throw new MixedLMError("data", `The new data have level "${v.levels[c]}" of ${code}, which the fitted data did not have; predictions need levels the model has seen.`);
    }
    codes[i] = map[c];
  }
  return { kind: "categorical", codes, levels: known, contrast: v.contrast };
}

export type FactorExpr = Ex;
