/**
 * The term algebra of patsy (and R): a formula tree becomes an intercept flag and an ordered
 * list of terms, each term a set of factors. `a*b` = a + b + a:b, `a/b` = a + a:b,
 * `(a+b)**2` = a + b + a:b, `- 1` / `0 +` drop the intercept, `a - b` removes b's terms.
 * lme4's bar terms `(x | g)` are collected beside the fixed terms.
 */
import { excerpt, formulaError } from "../errors";
import { count, LIMITS } from "../limits";
import { leftSpine, Node, parseFormulaTree } from "./parse";
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

/**
 * Terms in order of first appearance, each once (a term is a set of factors: a:b is b:a). Terms
 * are combined into a TermSet as they are generated, so that (a+b+c+d+e+f+g+h)**8 makes its 255
 * terms, not the 8^8 products with repeats; past LIMITS.terms, adding one is an error.
 */
class TermSet {
  private readonly byKey = new Map<string, Term>();
  constructor(private readonly overflow: () => never) {}

  get size(): number {
    return this.byKey.size;
  }

  get terms(): Term[] {
    return [...this.byKey.values()];
  }

  has(t: Term): boolean {
    return this.byKey.has(termKey(t));
  }

  add(t: Term): void {
    const k = termKey(t);
    if (this.byKey.has(k)) return;
    if (this.byKey.size >= LIMITS.terms) this.overflow();
    this.byKey.set(k, t);
  }

  addAll(ts: Iterable<Term>): void {
    for (const t of ts) this.add(t);
  }
}

interface Expr {
  intercept: boolean;
  interceptRemoved: boolean;
  terms: TermSet;
  bars: BarTerm[];
  start: number;
  end: number;
}

function makeTerm(factors: Factor[]): Term {
  const seen = new Set<string>();
  const fs: Factor[] = [];
  for (const f of factors) if (!seen.has(f.code)) { seen.add(f.code); fs.push(f); }
  return { factors: fs };
}

/** Binary operators of the term algebra (a chain of them is evaluated by a loop). */
const TERM_OPS = new Set(["+", "-", "*", "/", ":", "**"]);

class TermEvaluator {
  constructor(private readonly source: string) {}

  private fail(message: string, node: { start: number; end: number }): never {
    throw formulaError(message, this.source, node.start, node.end);
  }

  private set(node: { start: number; end: number }, terms: Iterable<Term> = []): TermSet {
    const s = new TermSet(() => this.fail(`This part of the formula makes more than ${count(LIMITS.terms)} terms, the limit; use fewer interactions`, node));
    s.addAll(terms);
    return s;
  }

  private expr(node: Node, intercept: boolean, interceptRemoved: boolean, terms: TermSet, bars: BarTerm[] = []): Expr {
    return { intercept, interceptRemoved, terms, bars, start: node.start, end: node.end };
  }

  private noBars(e: Expr, op: string) {
    if (e.bars.length > 0) {
      const b = e.bars[0];
      this.fail(`A random-effect term such as ${excerpt(b.text)} can only be added to the formula with '+', not combined with '${op}'`, b);
    }
  }

  /** Every product of a left term and a right term, added to `out`; bounded by LIMITS.termProducts. */
  private products(left: Term[], right: Term[], out: TermSet, node: Node): void {
    if (left.length * right.length > LIMITS.termProducts) {
      this.fail(`This interaction multiplies ${count(left.length)} terms by ${count(right.length)}: more than the limit of ${count(LIMITS.terms)} terms`, node);
    }
    for (const l of left) for (const r of right) out.add(makeTerm([...l.factors, ...r.factors]));
  }

  private interaction(left: Expr, right: Expr, node: Node): TermSet {
    for (const e of [left, right]) {
      if (e.intercept) this.fail("The intercept cannot interact with anything else", e);
    }
    this.noBars(left, ":");
    this.noBars(right, ":");
    const out = this.set(node);
    this.products(left.terms.terms, right.terms.terms, out, node);
    return out;
  }

  /** Evaluates a node; a chain of binary operators (a + b + c ...) by a loop over its left spine. */
  eval(node: Node): Expr {
    if (node.args.length === 2 && TERM_OPS.has(node.type)) {
      const { leaf, ops } = leftSpine(node, (n) => TERM_OPS.has(n.type));
      let acc = this.eval(leaf);
      for (const op of ops) acc = this.binary(op, acc);
      return acc;
    }
    switch (node.type) {
      case "ZERO": return this.expr(node, false, true, this.set(node));
      case "ONE": return this.expr(node, true, false, this.set(node));
      case "NUMBER": return this.fail("Numbers other than 0 and 1 may only follow '**'", node);
      case "EXPR": {
        const f: Factor = { code: node.text!, tokens: node.tokens!, start: node.start, end: node.end };
        return this.expr(node, false, false, this.set(node, [{ factors: [f] }]));
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
      case "+": return this.eval(node.args[0]);
      case "-": return this.negation(node);
      default:
        return this.fail("This part of the formula is not understood", node);
    }
  }

  /** A unary minus: only '- 1' and '- 0' mean something (patsy). */
  private negation(node: Node): Expr {
    const a = node.args[0];
    if (a.type === "ZERO") return this.expr(node, true, false, this.set(node));
    if (a.type === "ONE") return this.expr(node, false, true, this.set(node));
    return this.fail("A minus sign on its own can only remove the intercept: write '- 1' or '0 +'", node);
  }

  /** `left op right`, where left is already evaluated (the chain so far). */
  private binary(node: Node, left: Expr): Expr {
    const b = node.args[1];
    switch (node.type) {
      case "+": {
        if (b.type === "ZERO") return this.expr(node, false, true, left.terms, left.bars);
        const right = this.eval(b);
        left.terms.addAll(right.terms.terms);
        const bars = left.bars;
        bars.push(...right.bars);
        if (bars.length > LIMITS.terms) this.fail(`The formula has more than ${count(LIMITS.terms)} random-effect terms, the limit`, node);
        if (right.intercept) return this.expr(node, true, false, left.terms, bars);
        return this.expr(node, left.intercept, left.interceptRemoved, left.terms, bars);
      }
      case "-": {
        if (b.type === "ZERO") return this.expr(node, true, false, left.terms, left.bars);
        if (b.type === "ONE") return this.expr(node, false, true, left.terms, left.bars);
        const right = this.eval(b);
        this.noBars(right, "-");
        const terms = this.set(node, left.terms.terms.filter((t) => !right.terms.has(t)));
        if (right.intercept) return this.expr(node, false, true, terms, left.bars);
        return this.expr(node, left.intercept, left.interceptRemoved, terms, left.bars);
      }
      case "*": {
        const r = this.eval(b);
        this.noBars(left, "*");
        this.noBars(r, "*");
        const out = this.set(node, [...left.terms.terms, ...r.terms.terms]);
        out.addAll(this.interaction(left, r, node).terms);
        return this.expr(node, false, false, out);
      }
      case "/": {
        const r = this.eval(b);
        if (left.intercept) this.fail("The intercept cannot be nested with '/'", left);
        this.noBars(left, "/");
        this.noBars(r, "/");
        const combined: Expr = { ...left, terms: this.set(node, [makeTerm(left.terms.terms.flatMap((t) => t.factors))]) };
        const out = this.set(node, left.terms.terms);
        out.addAll(this.interaction(combined, r, node).terms);
        return this.expr(node, false, false, out);
      }
      case ":": return this.expr(node, false, false, this.interaction(left, this.eval(b), node));
      case "**": return this.power(node, left);
      default:
        return this.fail("This part of the formula is not understood", node);
    }
  }

  /** `(terms) ** k`: every product of up to k of the terms, each kept once as it is generated. */
  private power(node: Node, l: Expr): Expr {
    if (l.intercept) this.fail("The intercept cannot be raised to a power", l);
    this.noBars(l, "**");
    const p = node.args[1];
    const power = p.type === "ONE" || p.type === "NUMBER" ? Number(p.text) : NaN;
    if (!Number.isInteger(power) || power < 1) {
      const op = this.source.slice(node.opStart ?? node.start, node.opEnd ?? node.start) || "**";
      this.fail(`'${op}' needs a positive whole number on its right (outside I(), '${op}' is the interaction power, as in (a + b)${op}2; write I(x${op}2) for a power of x)`, p);
    }
    // As patsy, round i multiplies each term by every product of up to i terms, in that order, and
    // keeps the new ones. A product that is new in round i comes from one that was new in round
    // i - 1 (the others' products were all made before), so multiplying only those gives the same
    // terms in the same order with far less work. A power beyond the number of terms adds nothing.
    const base = l.terms.terms;
    const all = this.set(node, base);
    let newest = base;
    for (let i = 1; i < Math.min(power, base.length) && newest.length > 0; i++) {
      const before = all.size;
      const round = this.set(node);
      this.products(base, newest, round, node);
      all.addAll(round.terms);
      newest = all.terms.slice(before);
    }
    return this.expr(node, false, false, all);
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
    const effects: TermList = { intercept: !lhs.interceptRemoved, terms: lhs.terms.terms };
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
    if (parts.length * groupings.length > LIMITS.terms) {
      this.fail(`This random-effect term expands into ${count(parts.length * groupings.length)} terms, more than the limit of ${count(LIMITS.terms)}`, paren);
    }
    const bars: BarTerm[] = [];
    for (const part of parts) {
      for (const g of groupings) {
        const text = part.text === null && !nested ? written : `(${part.text ?? lhsText} | ${g.name})`;
        bars.push({ effects: part.effects, grouping: g.term, groupingName: g.name, correlated: true, text, start: paren.start, end: paren.end });
      }
    }
    return { intercept: false, interceptRemoved: false, terms: this.set(paren), bars, start: paren.start, end: paren.end };
  }

  /**
   * The grouping factors right of '|': `a` or `a:b` as written; `a/b` nested as lme4 nests it,
   * `b:a` (levels "b-level:a-level") then `a`, and `a/b/c` as `c:(b:a)`, `b:a`, `a`; `a + b` both.
   * Chains of '+' and '/' are walked by a loop.
   */
  private groupings(node: Node): { term: Term; name: string }[] {
    if (node.type === "PAREN") return this.groupings(node.args[0]);
    if (node.args.length === 2 && (node.type === "+" || node.type === "/")) {
      const { leaf, ops } = leftSpine(node, (n) => n.type === "+" || n.type === "/");
      if (ops.filter((op) => op.type === "/").length > LIMITS.nesting) {
        this.fail(`Grouping factors are nested with '/' more than ${LIMITS.nesting} deep`, node);
      }
      let acc = this.groupings(leaf);
      let accNode = leaf;
      for (const op of ops) {
        acc = op.type === "+" ? [...acc, ...this.groupings(op.args[1])] : this.nest(acc, accNode, op.args[1]);
        accNode = op;
        if (acc.length > LIMITS.terms) this.fail(`The grouping factors make more than ${count(LIMITS.terms)} random-effect terms, the limit`, node);
      }
      return acc;
    }
    const e = this.eval(node);
    this.noBars(e, "|");
    if (e.terms.size === 0) this.fail("A random-effect term needs a grouping variable after '|', as in (1 | Subject)", node);
    return e.terms.terms.map((t) => ({ term: t, name: termName(t) }));
  }

  /** `outer / inner` in a random-effect term: lme4's expandSlash, the innermost nesting first, its name read inside-out. */
  private nest(outer: { term: Term; name: string }[], outerNode: Node, innerNode: Node): { term: Term; name: string }[] {
    const leftNode = outerNode.type === "PAREN" ? outerNode.args[0] : outerNode;
    if (leftNode.type === "+") this.fail("A sum cannot be nested with '/' in a random-effect term: write (1 | a/c) + (1 | b/c)", outerNode);
    const inner = this.groupings(innerNode);
    if (inner.length !== 1) this.fail("Right of '/' in a random-effect term must stand one grouping factor, as in (1 | a/b)", innerNode);
    const within = outer[0];
    return [
      {
        term: makeTerm([...inner[0].term.factors, ...within.term.factors]),
        name: `${inner[0].name}:${within.term.factors.length > 1 ? `(${within.name})` : within.name}`,
      },
      ...outer,
    ];
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
    const terms = lhs.terms.terms;
    if (lhs.bars.length > 0 || terms.length !== 1 || terms[0].factors.length !== 1 || lhs.intercept) {
      throw formulaError("The left of '~' must be one response variable", source, lhsNode.start, lhsNode.end);
    }
    response = terms[0].factors[0];
  } else if (!options.oneSided) {
    throw formulaError("The formula has no response before '~'", source, 0, 1);
  }
  const rhs = ev.eval(rhsNode);
  return {
    source,
    response,
    rhs: { intercept: !rhs.interceptRemoved, terms: rhs.terms.terms },
    bars: rhs.bars,
  };
}
