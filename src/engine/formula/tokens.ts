/**
 * Tokenizer for formulas: the Python-like tokens patsy sees (names, numbers, strings,
 * operators), plus R's backquoted names and lme4's `||`. Every token keeps its position so
 * that errors can point at it.
 */
import { formulaError } from "../errors";

export type TokenType = "NAME" | "NUMBER" | "STRING" | "OP" | "BACKQUOTED";

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

const MULTI_OPS = ["**", "//", "==", "!=", "<=", ">=", "<<", ">>", "||"];
const SINGLE_OPS = new Set("~+-*/%:()[]{},.|&^<>=!@".split(""));

function isNameStart(c: string): boolean {
  return /[A-Za-z_]/.test(c) || c.charCodeAt(0) > 127;
}

function isNameChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c) || c.charCodeAt(0) > 127;
}

export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") { i++; continue; }
    const start = i;
    if (c === "#") throw formulaError("Comments (#) are not allowed in a formula", source, i, n);
    if (isNameStart(c)) {
      while (i < n && isNameChar(source[i])) i++;
      // string prefixes such as r"..." are not supported; a name directly followed by a quote is an error
      out.push({ type: "NAME", text: source.slice(start, i), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && i + 1 < n && /[0-9]/.test(source[i + 1]))) {
      while (i < n && /[0-9]/.test(source[i])) i++;
      if (source[i] === ".") { i++; while (i < n && /[0-9]/.test(source[i])) i++; }
      if ((source[i] === "e" || source[i] === "E") && /[0-9+-]/.test(source[i + 1] ?? "")) {
        let k = i + 1;
        if (source[k] === "+" || source[k] === "-") k++;
        if (/[0-9]/.test(source[k] ?? "")) { i = k; while (i < n && /[0-9]/.test(source[i])) i++; }
      }
      if (i < n && isNameChar(source[i])) {
        throw formulaError("A number runs into a name; put an operator between them", source, start, i + 1);
      }
      out.push({ type: "NUMBER", text: source.slice(start, i), start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && source[i] !== c) { if (source[i] === "\\") i++; i++; }
      if (i >= n) throw formulaError("This string has no closing quote", source, start, n);
      i++;
      out.push({ type: "STRING", text: source.slice(start, i), start, end: i });
      continue;
    }
    if (c === "`") {
      i++;
      while (i < n && source[i] !== "`") i++;
      if (i >= n) throw formulaError("This backquoted name has no closing backquote", source, start, n);
      i++;
      out.push({ type: "BACKQUOTED", text: source.slice(start + 1, i - 1), start, end: i });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (MULTI_OPS.includes(two)) {
      out.push({ type: "OP", text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (SINGLE_OPS.has(c)) {
      out.push({ type: "OP", text: c, start, end: i + 1 });
      i++;
      continue;
    }
    throw formulaError(`Unexpected character '${c}'`, source, i);
  }
  return out;
}

const ESCAPES = new Map([["n", "\n"], ["t", "\t"], ["r", "\r"]]);

/** Python string literal -> its value (the escapes a column name could need). */
export function stringValue(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(.)/g, (_, ch: string) => ESCAPES.get(ch) ?? ch);
}

// "^" is R's power (patsy has none): written without spaces, as R deparses it, so that I(day^2) keeps lme4's name
const SPACE_BOTH = new Set(["+", "-", "*", "/", "%", "&", "|", "<", ">", "==", "<>", "!=", "<=", ">=", "<<", ">>", "**", "//"]);
const SPACE_BEFORE = new Set([...SPACE_BOTH, "!", "~"]);
const SPACE_AFTER = new Set([...SPACE_BOTH, ",", ":"]);

/**
 * Writes tokens back as text with patsy's spacing rules, so that a factor is named as patsy
 * names it: "np.log(x)", "I(x ** 2)", "C(Evit, Treatment('Evit100'))".
 */
export function prettyText(tokens: Token[]): string {
  let text = "";
  let prevWasSpaceDelim = false;
  let prevWantsSpace = false;
  let prevWasOpenParenOrComma = false;
  let prevWasObjectLike = false;
  const brackets: string[] = [];
  for (const t of tokens) {
    const tok = t.type === "BACKQUOTED" ? "`" + t.text + "`" : t.text;
    if (t.type !== "OP") {
      if (prevWantsSpace || prevWasSpaceDelim) text += " ";
      text += tok;
      prevWantsSpace = false;
      prevWasSpaceDelim = true;
    } else {
      if (tok === "(" || tok === "[" || tok === "{") brackets.push(tok);
      else if (brackets.length > 0 && (tok === ")" || tok === "]" || tok === "}")) brackets.pop();
      let before = SPACE_BEFORE.has(tok);
      let after = SPACE_AFTER.has(tok);
      if (tok === ":" && brackets.length > 0 && brackets[brackets.length - 1] === "[") after = false;
      if ((tok === "*" || tok === "**") && prevWasOpenParenOrComma) { before = false; after = false; }
      if (tok === "=" && brackets.length === 0) { before = true; after = true; }
      if ((tok === "+" || tok === "-") && !prevWasObjectLike) { before = false; after = false; }
      if (prevWantsSpace || before) text += " ";
      text += tok;
      prevWantsSpace = after;
      prevWasSpaceDelim = false;
    }
    prevWasObjectLike = t.type !== "OP" || tok === ")";
    prevWasOpenParenOrComma = tok === "(" || tok === ",";
  }
  return text;
}
