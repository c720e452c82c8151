/**
 * Formula syntax: patsy's operators (~ + - * / : **, and R's ^ for **), its rule that anything else is a Python
 * expression naming one factor, and lme4's random-effect terms `(expr | group)` and
 * `(expr || group)`. Produces a tree; terms.ts turns the tree into terms.
 */
import { formulaError } from "../errors";
import { count, LIMITS } from "../limits";
import { prettyText, Token, tokenize } from "./tokens";

export type NodeType =
  | "~" | "+" | "-" | "*" | "/" | ":" | "**" | "|" | "||"
  | "ZERO" | "ONE" | "NUMBER" | "EXPR" | "PAREN";

export interface Node {
  type: NodeType;
  args: Node[];
  start: number;
  end: number;
  /** For operators: where the operator itself stands. */
  opStart?: number;
  opEnd?: number;
  /** For EXPR / NUMBER: the normalised text (the factor's name); for EXPR also its tokens. */
  text?: string;
  tokens?: Token[];
}

interface OpInfo { prec: number; unary: boolean; binary: boolean }

const OPS = new Map<string, OpInfo>([
  ["~", { prec: -100, unary: true, binary: true }],
  ["|", { prec: -50, unary: false, binary: true }],
  ["||", { prec: -50, unary: false, binary: true }],
  ["+", { prec: 100, unary: true, binary: true }],
  ["-", { prec: 100, unary: true, binary: true }],
  ["*", { prec: 200, unary: false, binary: true }],
  ["/", { prec: 200, unary: false, binary: true }],
  [":", { prec: 300, unary: false, binary: true }],
  ["**", { prec: 500, unary: false, binary: true }],
  // R's spelling of the interaction power: (a + b)^2 is (a + b)**2
  ["^", { prec: 500, unary: false, binary: true }],
]);

/** Tokens that end a Python expression when met outside brackets. */
const END_TOKENS = new Set(["~", "+", "-", "*", "/", ":", "**", "^", "|", "||", ")"]);

type Item =
  | { kind: "atom"; node: Node; start: number; end: number }
  | { kind: "op"; op: string; start: number; end: number }
  | { kind: "lparen"; start: number; end: number }
  | { kind: "rparen"; start: number; end: number };

/** Splits the token stream into formula operators, parentheses and atoms (Python expressions). */
function items(source: string, tokens: Token[]): Item[] {
  const out: Item[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.type === "OP" && t.text === "(") { out.push({ kind: "lparen", start: t.start, end: t.end }); i++; continue; }
    if (t.type === "OP" && t.text === ")") { out.push({ kind: "rparen", start: t.start, end: t.end }); i++; continue; }
    if (t.type === "OP" && OPS.has(t.text)) { out.push({ kind: "op", op: t.text, start: t.start, end: t.end }); i++; continue; }
    // a Python expression: up to the next operator outside brackets
    const exprTokens: Token[] = [];
    let depth = 0;
    while (i < tokens.length) {
      const u = tokens[i];
      if (depth === 0 && u.type === "OP" && END_TOKENS.has(u.text)) break;
      if (u.type === "OP" && (u.text === "(" || u.text === "[" || u.text === "{")) depth++;
      if (u.type === "OP" && (u.text === ")" || u.text === "]" || u.text === "}")) {
        depth--;
        if (depth < 0) throw formulaError("Unmatched closing bracket", source, u.start, u.end);
      }
      exprTokens.push(u);
      i++;
    }
    if (depth > 0) {
      const first = exprTokens[0];
      throw formulaError("Unclosed bracket: a ')' is missing", source, first.start, exprTokens[exprTokens.length - 1].end);
    }
    const start = exprTokens[0].start;
    const end = exprTokens[exprTokens.length - 1].end;
    const text = prettyText(exprTokens);
    let type: NodeType = "EXPR";
    if (text === "0") type = "ZERO";
    else if (text === "1") type = "ONE";
    else if (exprTokens.length === 1 && exprTokens[0].type === "NUMBER") type = "NUMBER";
    out.push({ kind: "atom", node: { type, args: [], start, end, text, tokens: exprTokens }, start, end });
  }
  return out;
}

const OPEN = new Set(["(", "[", "{"]);
const CLOSE = new Set([")", "]", "}"]);

/** Refuses brackets nested deeper than LIMITS.nesting, before anything recursive reads them. */
function checkBracketDepth(source: string, tokens: Token[]): void {
  let depth = 0;
  for (const t of tokens) {
    if (t.type !== "OP") continue;
    if (OPEN.has(t.text) && ++depth > LIMITS.nesting) {
      throw formulaError(`Brackets are nested more than ${LIMITS.nesting} deep here; no formula needs that many`, source, t.start, t.end);
    }
    if (CLOSE.has(t.text)) depth--;
  }
}

/** Tokens of a formula, once its length and bracket depth are known to be within the limits. */
export function formulaTokens(source: string): Token[] {
  if (source.length > LIMITS.formulaLength) {
    throw formulaError(`The formula is ${count(source.length)} characters long; the limit is ${count(LIMITS.formulaLength)}`, source, LIMITS.formulaLength, source.length);
  }
  const tokens = tokenize(source);
  checkBracketDepth(source, tokens);
  return tokens;
}

/**
 * Operator-precedence (Pratt) parsing of a formula's items. Chains of one operator are parsed by
 * a loop (a left-deep tree: evaluate it with `leftSpine`); only brackets and signs recurse, at
 * most LIMITS.nesting deep.
 */
class FormulaParser {
  private pos = 0;
  /** Brackets and signs open. */
  private depth = 0;

  constructor(private readonly source: string, private readonly its: Item[]) {}

  parse(): Node {
    const tree = this.expression(-1000);
    if (this.pos < this.its.length) {
      const it = this.peek();
      throw formulaError("Unmatched ')'", this.source, it.start, it.end);
    }
    return tree;
  }

  private peek(): Item {
    return this.its[this.pos];
  }

  private fail(message: string, at: { start: number; end: number }): never {
    throw formulaError(message, this.source, at.start, at.end);
  }

  private enter(it: Item): void {
    if (++this.depth > LIMITS.nesting) this.fail(`Brackets and signs are nested more than ${LIMITS.nesting} deep here; no formula needs that many`, it);
  }

  /** A term, then binary operators of precedence at least minPrec (all left-associative, as in patsy). */
  private expression(minPrec: number): Node {
    let left = this.unary();
    while (this.pos < this.its.length) {
      const it = this.peek();
      if (it.kind !== "op") {
        if (it.kind === "rparen") break;
        this.fail("Expected an operator such as '+' between these terms", it);
      }
      const info = OPS.get(it.op)!;
      if (!info.binary || info.prec < minPrec) break;
      this.pos++;
      if (this.pos >= this.its.length || this.peek().kind === "rparen") this.fail(`Expected a term after '${it.op}'`, it);
      const right = this.expression(info.prec + 1);
      const type = (it.op === "^" ? "**" : it.op) as NodeType;
      left = { type, args: [left, right], start: left.start, end: right.end, opStart: it.start, opEnd: it.end };
    }
    return left;
  }

  /** A sign and its operand, a bracketed expression, or an atom. */
  private unary(): Node {
    const it = this.peek();
    if (!it) this.fail("The formula ends where a term was expected", { start: this.source.length, end: this.source.length });
    if (it.kind === "op") {
      const info = OPS.get(it.op)!;
      if (!info.unary) this.fail(`'${it.op}' needs a term on its left`, it);
      this.pos++;
      if (this.pos >= this.its.length || this.peek().kind === "rparen") this.fail(`Expected a term after '${it.op}'`, it);
      this.enter(it);
      // like patsy, a unary operator binds tighter than any binary operator of equal precedence: -1 + a = (-1) + a
      const arg = this.expression(info.prec + 1);
      this.depth--;
      return { type: it.op as NodeType, args: [arg], start: it.start, end: arg.end, opStart: it.start, opEnd: it.end };
    }
    if (it.kind === "lparen") return this.bracketed(it);
    if (it.kind === "rparen") this.fail("Unmatched ')'", it);
    this.pos++;
    return it.node;
  }

  private bracketed(open: Item): Node {
    this.pos++;
    if (this.pos >= this.its.length || this.peek().kind === "rparen") {
      this.fail("Empty parentheses", { start: open.start, end: this.pos < this.its.length ? this.peek().end : open.end });
    }
    this.enter(open);
    const inner = this.expression(-1000);
    this.depth--;
    const close = this.peek();
    if (!close || close.kind !== "rparen") this.fail("Unclosed '(': a ')' is missing", open);
    this.pos++;
    return { type: "PAREN", args: [inner], start: open.start, end: close.end };
  }
}

/** Parses a formula into a tree (operator precedence as patsy: ~ < | < + - < * / < : < ** = ^). */
export function parseFormulaTree(source: string): Node {
  const tokens = formulaTokens(source);
  if (tokens.length === 0) throw formulaError("The formula is empty", source, 0, 0);
  return new FormulaParser(source, items(source, tokens)).parse();
}

/**
 * The left spine of a chain of binary operators: `a + b - c` as its innermost left operand `a`
 * and the operators above it, innermost first ([a + b, (a + b) - c]). Walking a chain this way
 * takes a loop, not a recursion as deep as the chain is long.
 */
export function leftSpine(node: Node, isChainOp: (n: Node) => boolean): { leaf: Node; ops: Node[] } {
  const ops: Node[] = [];
  let n = node;
  while (n.args.length === 2 && isChainOp(n)) { ops.push(n); n = n.args[0]; }
  return { leaf: n, ops: ops.reverse() };
}
