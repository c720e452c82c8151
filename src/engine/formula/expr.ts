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

/** A recursive-descent parser of one factor's tokens; each precedence level is a method. */
class FactorExprParser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parse(): Ex {
    const e = this.expression();
    if (this.i < this.tokens.length) this.fail(`Unexpected '${excerpt(this.tokens[this.i].text)}'`, this.tokens[this.i]);
    return e;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isOp(t: Token | undefined, ...ops: string[]): boolean {
    return !!t && t.type === "OP" && ops.includes(t.text);
  }

  private fail(msg: string, t?: Token): never {
    const tt = t ?? this.tokens[this.tokens.length - 1];
    throw formulaError(msg, this.source, tt.start, tt.end);
  }

  /** Runs a nested part, refusing to nest deeper than the limit. */
  private nested<T>(t: Token | undefined, f: () => T): T {
    if (++this.depth > LIMITS.nesting) this.fail(`Brackets, signs and powers are nested more than ${LIMITS.nesting} deep here; no formula needs that many`, t);
    const out = f();
    this.depth--;
    return out;
  }

  /** Operands joined by left-associative operators of one level, by a loop. */
  private chain(ops: string[], operand: () => Ex): Ex {
    const first = operand();
    const rest: ({ op: string; arg: Ex } & Span)[] = [];
    while (this.isOp(this.peek(), ...ops)) {
      const t = this.tokens[this.i++];
      const arg = operand();
      rest.push({ op: t.text, arg, start: t.start, end: arg.end });
    }
    return rest.length === 0 ? first : { k: "chain", first, rest, start: first.start, end: rest[rest.length - 1].end };
  }

  private expression = (): Ex => this.chain(COMPARISONS, this.arith);
  private arith = (): Ex => this.chain(["+", "-"], this.term);
  private term = (): Ex => this.chain(["*", "/", "//", "%"], this.unary);

  private unary = (): Ex => {
    if (this.isOp(this.peek(), "+", "-")) {
      const t = this.tokens[this.i++];
      const arg = this.nested(t, this.unary);
      return { k: "unary", op: t.text, arg, start: t.start, end: arg.end };
    }
    return this.power();
  };

  // `**` (Python) and `^` (R: inside I(), `day^2` is a power) are the same operator, right-associative
  private power(): Ex {
    const base = this.postfix();
    if (this.isOp(this.peek(), "**", "^")) {
      const t = this.tokens[this.i++];
      const exponent = this.nested(t, this.unary);
      return { k: "pow", base, exponent, start: base.start, end: exponent.end };
    }
    return base;
  }

  private callArguments = (): { args: Ex[]; kwargs: { name: string; value: Ex }[] } => {
    const args: Ex[] = [];
    const kwargs: { name: string; value: Ex }[] = [];
    while (!this.isOp(this.peek(), ")")) {
      const t = this.peek();
      if (!t) this.fail("A ')' is missing");
      if (t.type === "NAME" && this.isOp(this.tokens[this.i + 1], "=")) {
        this.i += 2;
        kwargs.push({ name: t.text, value: this.expression() });
      } else {
        if (kwargs.length > 0) this.fail("A positional argument cannot follow a keyword argument", t);
        args.push(this.expression());
      }
      if (this.isOp(this.peek(), ",")) this.i++;
      else if (!this.isOp(this.peek(), ")")) this.fail("Expected ',' or ')' in the argument list", this.peek());
    }
    return { args, kwargs };
  };

  /** An atom followed by `.name` and `(arguments)`, by a loop (`a.b.c` is one node). */
  private postfix(): Ex {
    let e = this.atom();
    while (true) {
      if (this.isOp(this.peek(), ".")) {
        this.i++;
        const t = this.peek();
        if (!t || t.type !== "NAME") this.fail("Expected a name after '.'", t);
        this.i++;
        e = e.k === "attr" ? { ...e, names: [...e.names, t.text], end: t.end } : { k: "attr", obj: e, names: [t.text], start: e.start, end: t.end };
      } else if (this.isOp(this.peek(), "(")) {
        const open = this.tokens[this.i++];
        const { args, kwargs } = this.nested(open, this.callArguments);
        const close = this.tokens[this.i++];
        e = { k: "call", fn: e, args, kwargs, start: e.start, end: close.end };
      } else if (this.isOp(this.peek(), "[")) {
        this.fail("Indexing with [...] is not supported in a formula", this.peek());
      } else return e;
    }
  }

  private atom(): Ex {
    const t = this.peek();
    if (!t) return this.fail("An expression is incomplete");
    this.i++;
    if (t.type === "NUMBER") return { k: "num", v: Number(t.text), start: t.start, end: t.end };
    if (t.type === "STRING") return { k: "str", v: stringValue(t.text), start: t.start, end: t.end };
    if (t.type === "NAME") return { k: "name", name: t.text, quoted: false, start: t.start, end: t.end };
    if (t.type === "BACKQUOTED") return { k: "name", name: t.text, quoted: true, start: t.start, end: t.end };
    if (this.isOp(t, "(")) {
      const e = this.nested(t, this.expression);
      if (!this.isOp(this.peek(), ")")) this.fail("A ')' is missing", this.peek());
      this.i++;
      return e;
    }
    return this.fail(`Unexpected '${excerpt(t.text)}'`, t);
  }
}

/** Parses the tokens of one factor (a Python expression) into a tree. */
export function parseFactorExpr(tokens: Token[], source: string): Ex {
  return new FactorExprParser(tokens, source).parse();
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
