/**
 * Factor expressions: the Python expressions inside a formula (`Time`, `C(Cu)`, `np.log(Weight)`,
 * `I(Time ** 2)`, `Q("odd name")`), parsed into a small tree that factor.ts evaluates. Nothing is
 * ever passed to eval().
 *
 * The work is bounded: a chain of one precedence level (`x + x + ... + x`, `a.b.c`) is one node
 * built by a loop, and only brackets, signs and powers recurse, at most LIMITS.nesting deep, so
 * that every walk over the tree recurses at most that deep.
 */
import { excerpt, formulaError, MixedLMError } from "../errors";
import { LIMITS } from "../limits";
import { unknownColumn } from "../table";
import { stringValue, Token } from "./tokens";

interface Span { start: number; end: number }

export type Ex =
  | ({ k: "num"; v: number } & Span)
  | ({ k: "str"; v: string } & Span)
  | ({ k: "name"; name: string; quoted: boolean } & Span)
  /** `obj.a.b`: the names after the object, left to right. */
  | ({ k: "attr"; obj: Ex; names: string[] } & Span)
  | ({ k: "call"; fn: Ex; args: Ex[]; kwargs: { name: string; value: Ex }[] } & Span)
  | ({ k: "unary"; op: string; arg: Ex } & Span)
  /** Left-associative operators of one precedence level: first op1 arg1 op2 arg2 ... */
  | ({ k: "chain"; first: Ex; rest: ({ op: string; arg: Ex } & Span)[] } & Span)
  /** `**` (right-associative, so nested as written). */
  | ({ k: "pow"; base: Ex; exponent: Ex } & Span);

const COMPARISONS = ["<", ">", "==", "!=", "<=", ">="];

/** Parses the tokens of one factor (a Python expression) into a tree. */
export function parseFactorExpr(tokens: Token[], source: string): Ex {
  let i = 0;
  let depth = 0;
  const peek = () => tokens[i];
  const isOp = (t: Token | undefined, ...ops: string[]) => !!t && t.type === "OP" && ops.includes(t.text);
  const fail = (msg: string, t?: Token): never => {
    const tt = t ?? tokens[tokens.length - 1];
    throw formulaError(msg, source, tt.start, tt.end);
  };
  /** Runs a nested part, refusing to nest deeper than the limit. */
  const nested = <T>(t: Token | undefined, f: () => T): T => {
    if (++depth > LIMITS.nesting) fail(`Brackets, signs and powers are nested more than ${LIMITS.nesting} deep here; no formula needs that many`, t);
    const out = f();
    depth--;
    return out;
  };

  function chain(ops: string[], operand: () => Ex): Ex {
    const first = operand();
    const rest: ({ op: string; arg: Ex } & Span)[] = [];
    while (isOp(peek(), ...ops)) {
      const t = tokens[i++];
      const arg = operand();
      rest.push({ op: t.text, arg, start: t.start, end: arg.end });
    }
    return rest.length === 0 ? first : { k: "chain", first, rest, start: first.start, end: rest[rest.length - 1].end };
  }
  function expression(): Ex { return chain(COMPARISONS, arith); }
  function arith(): Ex { return chain(["+", "-"], term); }
  function term(): Ex { return chain(["*", "/", "//", "%"], unary); }
  function unary(): Ex {
    if (isOp(peek(), "+", "-")) {
      const t = tokens[i++];
      const arg = nested(t, unary);
      return { k: "unary", op: t.text, arg, start: t.start, end: arg.end };
    }
    return power();
  }
  // `**` (Python) and `^` (R: inside I(), `day^2` is a power) are the same operator, right-associative
  function power(): Ex {
    const base = postfix();
    if (isOp(peek(), "**", "^")) {
      const t = tokens[i++];
      const exponent = nested(t, unary);
      return { k: "pow", base, exponent, start: base.start, end: exponent.end };
    }
    return base;
  }
  function callArguments(): { args: Ex[]; kwargs: { name: string; value: Ex }[] } {
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
    return { args, kwargs };
  }
  function postfix(): Ex {
    let e = atom();
    while (true) {
      if (isOp(peek(), ".")) {
        i++;
        const t = peek();
        if (!t || t.type !== "NAME") fail("Expected a name after '.'", t);
        i++;
        e = e.k === "attr" ? { ...e, names: [...e.names, t.text], end: t.end } : { k: "attr", obj: e, names: [t.text], start: e.start, end: t.end };
      } else if (isOp(peek(), "(")) {
        const open = tokens[i++];
        const { args, kwargs } = nested(open, callArguments);
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
      const e = nested(t, expression);
      if (!isOp(peek(), ")")) fail("A ')' is missing", peek());
      i++;
      return e;
    }
    return fail(`Unexpected '${excerpt(t.text)}'`, t);
  }

  const e = expression();
  if (i < tokens.length) fail(`Unexpected '${excerpt(tokens[i].text)}'`, tokens[i]);
  return e;
}

/** The dotted name of a function or column expression ("np.log"), or null when it is not a plain name. */
export function dottedName(e: Ex): string | null {
  if (e.k === "name" && !e.quoted) return e.name;
  if (e.k === "attr" && e.obj.k === "name" && !e.obj.quoted) return [e.obj.name, ...e.names].join(".");
  return null;
}

/** Names that are not columns: Python's constants and numpy's module names. */
const NOT_COLUMNS = new Set(["True", "False", "None", "np", "numpy"]);

/** An error of the data (such as an unknown column) pointed at a place in the formula. */
export function withPosition(err: MixedLMError, source: string, x: Span): MixedLMError {
  return formulaError(err.message.replace(/\.$/, ""), source, x.start, x.end);
}

/**
 * Column names an expression refers to, so that rows missing any of them are dropped before
 * anything is evaluated.
 */
export function referencedColumns(e: Ex, source: string, columns: { has(name: string): boolean; names: string[] }): string[] {
  const has = (name: string) => columns.has(name);
  const unknown = (name: string, at: Span) => withPosition(unknownColumn(name, columns.names), source, at);
  const out: string[] = [];
  const visit = (x: Ex): void => {
    switch (x.k) {
      case "name":
        if (x.quoted || has(x.name)) out.push(x.name);
        else if (!NOT_COLUMNS.has(x.name)) throw unknown(x.name, x);
        return;
      case "attr": {
        const d = dottedName(x);
        if (d !== null && has(d)) out.push(d);
        else visit(x.obj);
        return;
      }
      case "call": {
        const fn = dottedName(x.fn);
        if (fn === "Q") {
          const a = x.args[0];
          if (!a || a.k !== "str") throw formulaError('Q() takes the column name as a string, as in Q("odd name")', source, x.start, x.end);
          if (!has(a.v)) throw unknown(a.v, a);
          out.push(a.v);
          return;
        }
        if (fn === "Treatment" || fn === "T") return;
        x.args.forEach(visit);
        x.kwargs.forEach((kw) => { if (kw.name !== "levels" && kw.name !== "reference") visit(kw.value); });
        return;
      }
      case "unary": visit(x.arg); return;
      case "chain": visit(x.first); x.rest.forEach((r) => visit(r.arg)); return;
      case "pow": visit(x.base); visit(x.exponent); return;
      default: return;
    }
  };
  visit(e);
  return out;
}
