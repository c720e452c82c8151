/**
 * The term algebra of patsy (and R): a formula tree becomes an intercept flag and an ordered
 * list of terms, each term a set of factors. `a*b` = a + b + a:b, `a/b` = a + a:b,
 * `(a+b)**2` = a + b + a:b, `- 1` / `0 +` drop the intercept, `a - b` removes b's terms.
 * lme4's bar terms `(x | g)` are collected beside the fixed terms.
 */
import { formulaError } from "../errors";
import { Node, parseFormulaTree } from "./parse";
import { Token } from "./tokens";

/** One factor: a Python expression, identified by its normalised text. */
export interface Factor {
  code: string;
  tokens: Token[];
  start: number;
  end: number;
}

/** A term: an interaction of factors (no factors = the intercept). Order is kept for naming. */
export interface Term {
  factors: Factor[];
}

export interface TermList {
  intercept: boolean;
  terms: Term[];
}

/**
 * An lme4 random-effect term `(expr | group)`; `group` may be an interaction `a:b`. Terms are
 * expanded as lme4's findbars does: `(x || g)` becomes `(1 | g)` + `(0 + x | g)` (one term per
 * variable), `(1 | a/b)` becomes `(1 | b:a)` + `(1 | a)`.
 */
export interface BarTerm {
  effects: TermList;
  /** The grouping factor: one factor, or an interaction whose factors are in the order of its level labels ("b-level:a-level" for b:a). */
  grouping: Term;
  /** The grouping factor's name as lme4 names it: as written ("Subject", "a:b"), or "b:a" for the nesting a/b. */
  groupingName: string;
  /** Whether the effects' covariance is a full matrix (always, since `||` is expanded into separate terms). */
  correlated: boolean;
  /** The term in lme4's form: as written, e.g. "(Time | Pig)", or the part of an expansion, e.g. "(0 + Days | Subject)". */
  text: string;
  start: number;
  end: number;
}

export interface FormulaDesc {
  source: string;
  /** The response factor; null for a one-sided formula. */
  response: Factor | null;
  rhs: TermList;
  bars: BarTerm[];
}

export function termKey(t: Term): string {
  return t.factors.map((f) => f.code).sort().join("\u0000");
}

export function termName(t: Term): string {
  return t.factors.length === 0 ? "Intercept" : t.factors.map((f) => f.code).join(":");
}

interface Expr {
  intercept: boolean;
  interceptRemoved: boolean;
  terms: Term[];
  bars: BarTerm[];
  start: number;
  end: number;
}

function unique(terms: Term[]): Term[] {
  const seen = new Set<string>();
  const out: Term[] = [];
  for (const t of terms) {
    const k = termKey(t);
    if (!seen.has(k)) { seen.add(k); out.push(t); }
  }
  return out;
}

function makeTerm(factors: Factor[]): Term {
  const seen = new Set<string>();
  const fs: Factor[] = [];
  for (const f of factors) if (!seen.has(f.code)) { seen.add(f.code); fs.push(f); }
  return { factors: fs };
}

function expr(node: Node, intercept: boolean, interceptRemoved: boolean, terms: Term[], bars: BarTerm[] = []): Expr {
  return { intercept, interceptRemoved, terms: unique(terms), bars, start: node.start, end: node.end };
}

class TermEvaluator {
  constructor(private readonly source: string) {}

  private fail(message: string, node: { start: number; end: number }): never {
    throw formulaError(message, this.source, node.start, node.end);
  }

  private noBars(e: Expr, op: string) {
    if (e.bars.length > 0) {
      const b = e.bars[0];
      this.fail(`A random-effect term such as ${b.text} can only be added to the formula with '+', not combined with '${op}'`, b);
    }
  }

  private interaction(left: Expr, right: Expr): Term[] {
    for (const e of [left, right]) {
      if (e.intercept) this.fail("The intercept cannot interact with anything else", e);
    }
    this.noBars(left, ":");
    this.noBars(right, ":");
    const out: Term[] = [];
    for (const l of left.terms) for (const r of right.terms) out.push(makeTerm([...l.factors, ...r.factors]));
    return out;
  }

  eval(node: Node): Expr {
    switch (node.type) {
      case "ZERO": return expr(node, false, true, []);
      case "ONE": return expr(node, true, false, []);
      case "NUMBER": return this.fail("Numbers other than 0 and 1 may only follow '**'", node);
      case "EXPR": {
        const f: Factor = { code: node.text!, tokens: node.tokens!, start: node.start, end: node.end };
        return expr(node, false, false, [{ factors: [f] }]);
      }
      case "PAREN": {
        const inner = node.args[0];
        if (inner.type === "|" || inner.type === "||") return this.bar(inner, node);
        const e = this.eval(inner);
        return { ...e, start: node.start, end: node.end };
      }
      case "|":
      case "||":
        return this.fail(`A random-effect term must stand in parentheses, as in (1 ${node.type} group)`, node);
      case "~":
        return this.fail("'~' may appear only once, between the response and the terms", { start: node.opStart ?? node.start, end: node.opEnd ?? node.end });
      case "+": {
        if (node.args.length === 1) return this.eval(node.args[0]);
        const left = this.eval(node.args[0]);
        if (node.args[1].type === "ZERO") return expr(node, false, true, left.terms, left.bars);
        const right = this.eval(node.args[1]);
        const bars = [...left.bars, ...right.bars];
        if (right.intercept) return expr(node, true, false, [...left.terms, ...right.terms], bars);
        return expr(node, left.intercept, left.interceptRemoved, [...left.terms, ...right.terms], bars);
      }
      case "-": {
        if (node.args.length === 1) {
          const a = node.args[0];
          if (a.type === "ZERO") return expr(node, true, false, []);
          if (a.type === "ONE") return expr(node, false, true, []);
          return this.fail("A minus sign on its own can only remove the intercept: write '- 1' or '0 +'", node);
        }
        const left = this.eval(node.args[0]);
        const b = node.args[1];
        if (b.type === "ZERO") return expr(node, true, false, left.terms, left.bars);
        if (b.type === "ONE") return expr(node, false, true, left.terms, left.bars);
        const right = this.eval(b);
        this.noBars(right, "-");
        const drop = new Set(right.terms.map(termKey));
        const terms = left.terms.filter((t) => !drop.has(termKey(t)));
        if (right.intercept) return expr(node, false, true, terms, left.bars);
        return expr(node, left.intercept, left.interceptRemoved, terms, left.bars);
      }
      case "*": {
        const l = this.eval(node.args[0]);
        const r = this.eval(node.args[1]);
        this.noBars(l, "*");
        this.noBars(r, "*");
        return expr(node, false, false, [...l.terms, ...r.terms, ...this.interaction(l, r)]);
      }
      case "/": {
        const l = this.eval(node.args[0]);
        const r = this.eval(node.args[1]);
        if (l.intercept) this.fail("The intercept cannot be nested with '/'", l);
        this.noBars(l, "/");
        this.noBars(r, "/");
        const combined: Expr = { ...l, terms: [makeTerm(l.terms.flatMap((t) => t.factors))] };
        return expr(node, false, false, [...l.terms, ...this.interaction(combined, r)]);
      }
      case ":": {
        const l = this.eval(node.args[0]);
        const r = this.eval(node.args[1]);
        return expr(node, false, false, this.interaction(l, r));
      }
      case "**": {
        const l = this.eval(node.args[0]);
        if (l.intercept) this.fail("The intercept cannot be raised to a power", l);
        this.noBars(l, "**");
        const p = node.args[1];
        const power = p.type === "ONE" || p.type === "NUMBER" ? Number(p.text) : NaN;
        if (!Number.isInteger(power) || power < 1) {
          const op = this.source.slice(node.opStart ?? node.start, node.opEnd ?? node.start) || "**";
          this.fail(`'${op}' needs a positive whole number on its right (outside I(), '${op}' is the interaction power, as in (a + b)${op}2; write I(x${op}2) for a power of x)`, p);
        }
        let all = l.terms;
        let big = l;
        for (let i = 1; i < Math.min(power, l.terms.length); i++) {
          big = { ...big, terms: this.interaction(l, big) };
          all = [...all, ...big.terms];
        }
        return expr(node, false, false, all);
      }
      default:
        return this.fail("This part of the formula is not understood", node);
    }
  }

  /**
   * `(effects | grouping)`: effects carry an implicit intercept, as in R. As lme4's findbars,
   * `||` makes one uncorrelated term per variable (the intercept, then each term of the effects,
   * a factor staying one term with all its levels) and `a/b` one term per level of nesting.
   */
  private bar(node: Node, paren: Node): Expr {
    const lhsNode = node.args[0];
    const rhsNode = node.args[1];
    const lhs = this.eval(lhsNode);
    this.noBars(lhs, "|");
    const effects: TermList = { intercept: !lhs.interceptRemoved, terms: lhs.terms };
    if (!effects.intercept && effects.terms.length === 0) {
      this.fail("This random-effect term has no effects: write (1 | group) for a random intercept", paren);
    }
    const groupings = this.groupings(rhsNode);
    const written = this.source.slice(paren.start, paren.end);
    const lhsText = this.source.slice(lhsNode.start, lhsNode.end).trim();
    const nested = groupings.length > 1;
    // (x || g): lme4's expandDoubleVerts, (1 | g) + (0 + x | g)
    const parts: { effects: TermList; text: string | null }[] = node.type === "||"
      ? [
          ...(effects.intercept ? [{ effects: { intercept: true, terms: [] }, text: "1" }] : []),
          ...effects.terms.map((t) => ({ effects: { intercept: false, terms: [t] }, text: `0 + ${termName(t)}` })),
        ]
      : [{ effects, text: null }];
    const bars: BarTerm[] = [];
    for (const part of parts) {
      for (const g of groupings) {
        const text = part.text === null && !nested ? written : `(${part.text ?? lhsText} | ${g.name})`;
        bars.push({ effects: part.effects, grouping: g.term, groupingName: g.name, correlated: true, text, start: paren.start, end: paren.end });
      }
    }
    return { intercept: false, interceptRemoved: false, terms: [], bars, start: paren.start, end: paren.end };
  }

  /**
   * The grouping factors right of '|': `a` or `a:b` as written; `a/b` nested as lme4 nests it,
   * `b:a` (levels "b-level:a-level") then `a`, and `a/b/c` as `c:(b:a)`, `b:a`, `a`; `a + b` both.
   */
  private groupings(node: Node): { term: Term; name: string }[] {
    if (node.type === "PAREN") return this.groupings(node.args[0]);
    if (node.type === "+" && node.args.length === 2) return [...this.groupings(node.args[0]), ...this.groupings(node.args[1])];
    if (node.type === "/") {
      const leftNode = node.args[0].type === "PAREN" ? node.args[0].args[0] : node.args[0];
      if (leftNode.type === "+") this.fail("A sum cannot be nested with '/' in a random-effect term: write (1 | a/c) + (1 | b/c)", node.args[0]);
      const outer = this.groupings(node.args[0]);
      const inner = this.groupings(node.args[1]);
      if (inner.length !== 1) this.fail("Right of '/' in a random-effect term must stand one grouping factor, as in (1 | a/b)", node.args[1]);
      // lme4's expandSlash: the innermost nesting first; its name reads inside-out
      const within = outer[0];
      return [
        {
          term: makeTerm([...inner[0].term.factors, ...within.term.factors]),
          name: `${inner[0].name}:${within.term.factors.length > 1 ? `(${within.name})` : within.name}`,
        },
        ...outer,
      ];
    }
    const e = this.eval(node);
    this.noBars(e, "|");
    if (e.terms.length === 0) this.fail("A random-effect term needs a grouping variable after '|', as in (1 | Subject)", node);
    return e.terms.map((t) => ({ term: t, name: termName(t) }));
  }
}

/**
 * Parses a two-sided formula `response ~ terms` or a one-sided one (`~ terms` or just `terms`,
 * as statsmodels' re_formula and vc_formula are written). The right side gets an implicit
 * intercept unless it says `0 +` or `- 1`.
 */
export function parseFormula(source: string, options: { oneSided?: boolean } = {}): FormulaDesc {
  const tree = parseFormulaTree(source);
  const ev = new TermEvaluator(source);
  let lhsNode: Node | null = null;
  let rhsNode: Node;
  if (tree.type === "~") {
    if (tree.args.length === 2 && tree.args[0].type === "~") {
      throw formulaError("'~' may appear only once, between the response and the terms", source, tree.opStart!, tree.opEnd!);
    }
    if (tree.args.length === 2) { lhsNode = tree.args[0]; rhsNode = tree.args[1]; }
    else rhsNode = tree.args[0];
  } else {
    if (!options.oneSided) {
      throw formulaError("The formula needs '~' between the response and the terms, as in \"Weight ~ Time\"", source, 0, source.length);
    }
    rhsNode = tree;
  }
  let response: Factor | null = null;
  if (lhsNode) {
    if (options.oneSided) {
      throw formulaError("This formula must be one-sided (no response before '~'), as in \"~Time\"", source, lhsNode.start, lhsNode.end);
    }
    const lhs = ev.eval(lhsNode);
    if (lhs.bars.length > 0 || lhs.terms.length !== 1 || lhs.terms[0].factors.length !== 1 || lhs.intercept) {
      throw formulaError("The left of '~' must be one response variable", source, lhsNode.start, lhsNode.end);
    }
    response = lhs.terms[0].factors[0];
  } else if (!options.oneSided) {
    throw formulaError("The formula has no response before '~'", source, 0, 1);
  }
  const rhs = ev.eval(rhsNode);
  return {
    source,
    response,
    rhs: { intercept: !rhs.interceptRemoved, terms: rhs.terms },
    bars: rhs.bars,
  };
}
