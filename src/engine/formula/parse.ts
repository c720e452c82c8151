/**
 * Formula syntax: patsy's operators (~ + - * / : **, and R's ^ for **), its rule that anything else is a Python
 * expression naming one factor, and lme4's random-effect terms `(expr | group)` and
 * `(expr || group)`. Produces a tree; terms.ts turns the tree into terms.
 */
import { formulaError } from "../errors";
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

const OPS: Record<string, OpInfo> = {
  "~": { prec: -100, unary: true, binary: true },
  "|": { prec: -50, unary: false, binary: true },
  "||": { prec: -50, unary: false, binary: true },
  "+": { prec: 100, unary: true, binary: true },
  "-": { prec: 100, unary: true, binary: true },
  "*": { prec: 200, unary: false, binary: true },
  "/": { prec: 200, unary: false, binary: true },
  ":": { prec: 300, unary: false, binary: true },
  "**": { prec: 500, unary: false, binary: true },
  // R's spelling of the interaction power: (a + b)^2 is (a + b)**2
  "^": { prec: 500, unary: false, binary: true },
};

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
    if (t.type === "OP" && OPS[t.text]) { out.push({ kind: "op", op: t.text, start: t.start, end: t.end }); i++; continue; }
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

/** Parses a formula into a tree (operator precedence as patsy: ~ < | < + - < * / < : < ** = ^). */
export function parseFormulaTree(source: string): Node {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw formulaError("The formula is empty", source, 0, 0);
  const its = items(source, tokens);

  // Operator-precedence parsing (Pratt). pos indexes `its`.
  let pos = 0;
  const peek = () => its[pos];

  function parseExpr(minPrec: number): Node {
    let left = parseUnary();
    while (pos < its.length) {
      const it = peek();
      if (it.kind !== "op") {
        if (it.kind === "rparen") break;
        throw formulaError("Expected an operator such as '+' between these terms", source, it.start, it.end);
      }
      const info = OPS[it.op];
      if (!info.binary || info.prec < minPrec) break;
      pos++;
      // all binary operators are left-associative, as in patsy
      if (pos >= its.length || peek().kind === "rparen") throw formulaError(`Expected a term after '${it.op}'`, source, it.start, it.end);
      const right = parseExpr(info.prec + 1);
      const type = (it.op === "^" ? "**" : it.op) as NodeType;
      left = { type, args: [left, right], start: left.start, end: right.end, opStart: it.start, opEnd: it.end };
    }
    return left;
  }

  function parseUnary(): Node {
    const it = peek();
    if (!it) throw formulaError("The formula ends where a term was expected", source, source.length, source.length);
    if (it.kind === "op") {
      const info = OPS[it.op];
      if (!info.unary) throw formulaError(`'${it.op}' needs a term on its left`, source, it.start, it.end);
      pos++;
      if (pos >= its.length || peek().kind === "rparen") throw formulaError(`Expected a term after '${it.op}'`, source, it.start, it.end);
      // like patsy, a unary operator binds tighter than any binary operator of equal precedence: -1 + a = (-1) + a
      const arg = parseExpr(info.prec + 1);
      return { type: it.op as NodeType, args: [arg], start: it.start, end: arg.end, opStart: it.start, opEnd: it.end };
    }
    if (it.kind === "lparen") {
      pos++;
      if (pos >= its.length || peek().kind === "rparen") {
        throw formulaError("Empty parentheses", source, it.start, pos < its.length ? peek().end : it.end);
      }
      const inner = parseExpr(-1000);
      const close = peek();
      if (!close || close.kind !== "rparen") throw formulaError("Unclosed '(': a ')' is missing", source, it.start, it.end);
      pos++;
      return { type: "PAREN", args: [inner], start: it.start, end: close.end };
    }
    if (it.kind === "rparen") throw formulaError("Unmatched ')'", source, it.start, it.end);
    pos++;
    return it.node;
  }

  const tree = parseExpr(-1000);
  if (pos < its.length) {
    const it = peek();
    throw formulaError("Unmatched ')'", source, it.start, it.end);
  }
  return tree;
}
