/**
 * The formula as text: where its top-level pieces stand, so that a control can change one piece
 * and leave every other character as typed. Pure string work (no statistics); whether the formula
 * is valid is the engine parser's call (formulaModel.ts asks it first).
 */

/** A span of the formula: [start, end) in characters. */
export interface Span {
  start: number;
  end: number;
}

/** One summand of the right side: its text, and the operator before it ("+" or "-"; "" for the first). */
export interface Summand extends Span {
  text: string;
  sign: "+" | "-" | "";
  /** Where its operator stands (equal to start for the first summand). */
  opStart: number;
}

/** A factor of a product summand `a * b * c`. */
export interface ProductFactor extends Span {
  text: string;
}

/**
 * Calls `visit(i, depth)` for every character outside strings and backquoted names, with the
 * bracket depth before it; returns false from visit to stop.
 */
function scan(text: string, from: number, to: number, visit: (i: number, depth: number) => boolean | void): void {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      const q = c;
      i++;
      while (i < to && text[i] !== q) { if (text[i] === "\\" && q !== "`") i++; i++; }
      continue;
    }
    if (visit(i, depth) === false) return;
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
  }
}

/** Position of the top-level '~', or -1. */
export function tildeAt(text: string): number {
  let at = -1;
  scan(text, 0, text.length, (i, d) => {
    if (d === 0 && text[i] === "~") { at = i; return false; }
  });
  return at;
}

function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

/** The response's span (trimmed), or null for a one-sided formula. */
export function responseSpan(text: string): Span | null {
  const t = tildeAt(text);
  if (t < 0) return null;
  const s = trimSpan(text, 0, t);
  return s.end > s.start ? s : null;
}

/** Whether the '+' or '-' at i is a binary operator (not a sign after '**', '(' or another operator, not in '1e-5'). */
function isBinary(text: string, i: number, from: number): boolean {
  let k = i - 1;
  while (k >= from && /\s/.test(text[k])) k--;
  if (k < from) return false;
  const prev = text[k];
  if (/[~+\-*/:(^|,]/.test(prev)) return false;
  if ((prev === "e" || prev === "E") && k > from && /[0-9.]/.test(text[k - 1]) && k === i - 1) {
    // 1e-5: part of a number when the letter follows digits that start a number
    let j = k - 1;
    while (j >= from && /[0-9.]/.test(text[j])) j--;
    if (j < from || !/[A-Za-z0-9_]/.test(text[j])) return false;
  }
  return true;
}

/** The summands of the right side (after the top-level '~'; the whole text when there is none). */
export function summands(text: string): Summand[] {
  const t = tildeAt(text);
  const from = t + 1;
  const cuts: { at: number; sign: "+" | "-" }[] = [];
  scan(text, from, text.length, (i, d) => {
    const c = text[i];
    if (d === 0 && (c === "+" || c === "-") && isBinary(text, i, from)) cuts.push({ at: i, sign: c });
  });
  const out: Summand[] = [];
  let start = from;
  let sign: Summand["sign"] = "";
  let opStart = from;
  for (const cut of [...cuts, { at: text.length, sign: "+" as const }]) {
    const s = trimSpan(text, start, cut.at);
    out.push({ ...s, text: text.slice(s.start, s.end), sign, opStart: sign === "" ? s.start : opStart });
    start = cut.at + 1;
    sign = cut.sign;
    opStart = cut.at;
  }
  return out.filter((s) => s.end > s.start);
}

/** The factors of a summand joined by top-level '*' (a single factor when there is no '*'). */
export function productFactors(text: string, span: Span): ProductFactor[] {
  const cuts: number[] = [];
  scan(text, span.start, span.end, (i, d) => {
    if (d !== 0 || text[i] !== "*") return;
    if (text[i + 1] === "*" || text[i - 1] === "*") return; // '**' is the power, not a product
    cuts.push(i);
  });
  const out: ProductFactor[] = [];
  let start = span.start;
  for (const at of [...cuts, span.end]) {
    const s = trimSpan(text, start, at);
    out.push({ ...s, text: text.slice(s.start, s.end) });
    start = at + 1;
  }
  return out;
}

/** Whether a summand contains a top-level ':' or another operator than '*' (an interaction or power written out). */
export function hasTopLevelOperator(text: string, span: Span, ops: RegExp): boolean {
  let found = false;
  scan(text, span.start, span.end, (i, d) => {
    if (d === 0 && ops.test(text[i])) { found = true; return false; }
  });
  return found;
}

/** The text with [start, end) replaced. */
export function splice(text: string, span: Span, insert: string): string {
  return text.slice(0, span.start) + insert + text.slice(span.end);
}

/** Removes a summand with its operator (the operator after it, for the first summand). */
export function removeSummand(text: string, all: Summand[], k: number): string {
  const s = all[k];
  if (k === 0) {
    const next = all[1];
    if (!next) return splice(text, s, "");
    // "a + b" -> "b"; before a '-' ("a - 1") the summand becomes the intercept ("1 - 1" reads as written)
    if (next.sign === "-") return splice(text, s, "1");
    return splice(text, { start: s.start, end: next.start }, "");
  }
  // from the end of the previous summand (keeps its spacing) to the end of this one
  return splice(text, { start: all[k - 1].end, end: s.end }, "");
}

/** Position of the first character in the span, outside brackets and strings, that `ops` matches; -1 when none. */
export function topLevelIndex(text: string, span: Span, ops: RegExp): number {
  let at = -1;
  scan(text, span.start, span.end, (i, d) => {
    if (d === 0 && ops.test(text[i])) { at = i; return false; }
  });
  return at;
}
