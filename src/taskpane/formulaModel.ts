/**
 * The formula is the model's source of truth. `readFormula` says what the controls show (from the
 * engine's parser and the formula's top-level pieces); the edit functions change one piece of the
 * text (add or remove a term, mark a column categorical, cross the effects) and keep the rest as
 * typed. Pure; tested in test/taskpane/formulaModel.test.ts.
 */
import { isMixedLMError, parseFormula } from "../engine";
import { hasTopLevelOperator, productFactors, removeSummand, responseSpan, splice, Summand, summands } from "./formulaText";

/** A column as a formula term: the plain name when it is an identifier, else Q("name"). */
export function termName(column: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(column) ? column : `Q("${column.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}")`;
}

/** A column reference in the formula: Time, Q("body weight"), `body weight`; wrapped in C() when categorical. */
export function columnRef(text: string, columns: readonly string[]): { column: string; categorical: boolean } | null {
  const t = text.trim();
  const c = /^C\((.*)\)$/s.exec(t);
  if (c) {
    const inner = columnRef(c[1], columns);
    return inner && !inner.categorical ? { column: inner.column, categorical: true } : null;
  }
  const q = /^Q\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*\)$/s.exec(t) ?? /^(`)([^`]*)`$/.exec(t);
  const name = q ? q[2].replace(/\\(.)/g, "$1") : t;
  return columns.includes(name) && (q || /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) ? { column: name, categorical: false } : null;
}

/** A problem with the formula: the engine's message (with a short window of a long formula) and where. */
export interface FormulaProblem {
  message: string;
  start?: number;
  end?: number;
}

export type SummandKind = "column" | "product" | "bar" | "intercept" | "custom";

export interface ReadSummand extends Summand {
  kind: SummandKind;
  /** For "column" and "product": the columns, in order, and whether each is written C(...). */
  refs: { column: string; categorical: boolean; start: number; end: number }[];
  /** For "bar": the grouping factor's name. */
  grouping?: string;
}

export interface FormulaView {
  status: "empty" | "invalid" | "ok";
  problem: FormulaProblem | null;
  /** The response: a column, or custom text such as np.log(Weight). */
  response: { column: string | null; text: string } | null;
  /** Columns with a main effect in a term the controls represent (a column, or a product of columns). */
  fixed: string[];
  /** Columns written C(col) there. */
  categorical: string[];
  /** true: the columns are crossed in one product; false: added one by one; null: neither (or fewer than two). */
  crossed: boolean | null;
  summands: ReadSummand[];
  /** lme4 terms, as written. */
  bars: { text: string; grouping: string; summand: number }[];
  /** Terms the controls do not represent, as written (shown as "custom"). */
  custom: string[];
}

const MAX_QUOTED = 60;
const WINDOW = 24;

/** At most `max` characters of `s`, with an ellipsis in the middle when cut. */
function shortQuote(s: string, max = MAX_QUOTED): string {
  if (s.length <= max) return s;
  const half = Math.floor((max - 1) / 2);
  return `${s.slice(0, half)}…${s.slice(s.length - half)}`;
}

/** A short window of the formula around start..end ("…" where cut). */
export function formulaWindow(source: string, start: number, end: number): string {
  if (source.length <= MAX_QUOTED) return source;
  const a = Math.max(0, start - WINDOW);
  const b = Math.min(source.length, Math.max(end, start + 1) + WINDOW);
  const mid = source.slice(a, b);
  return `${a > 0 ? "…" : ""}${shortQuote(mid, 2 * WINDOW + 20)}${b < source.length ? "…" : ""}`;
}

/**
 * The engine's formula message with the formula quoted as a short window: the engine writes
 * `message ("part" at position N of "formula")`, which for a 5,000-character formula is a wall.
 */
export function shortMessage(message: string, source?: string, start?: number, end?: number): string {
  if (!source || source.length <= MAX_QUOTED) return shortQuote(message, 400);
  const s = start ?? 0;
  const e = end ?? s;
  const shown = e > s ? `"${source.slice(s, e)}" at position ${s + 1}` : `position ${s + 1}`;
  const suffix = ` (${shown} of "${source}")`;
  const base = message.endsWith(suffix) ? message.slice(0, -suffix.length) : message.split(source).join(formulaWindow(source, s, e));
  const part = e > s ? `"${shortQuote(source.slice(s, e), 30)}" at position ${s + 1}` : `position ${s + 1}`;
  return message.endsWith(suffix) ? `${base} (${part} of "${formulaWindow(source, s, e)}")` : shortQuote(base, 400);
}

function classify(text: string, s: Summand, columns: readonly string[], barStarts: Map<number, string>): ReadSummand {
  const base = { ...s, refs: [] as ReadSummand["refs"] };
  if (s.sign === "-") return { ...base, kind: /^[01]$/.test(s.text) ? "intercept" : "custom" };
  if (/^[01]$/.test(s.text)) return { ...base, kind: "intercept" };
  const bar = barStarts.get(s.start);
  if (bar !== undefined) return { ...base, kind: "bar", grouping: bar };
  if (hasTopLevelOperator(text, s, /[:/|]/)) return { ...base, kind: "custom" };
  const factors = productFactors(text, s);
  const refs: ReadSummand["refs"] = [];
  for (const f of factors) {
    const r = columnRef(f.text, columns);
    if (!r) return { ...base, kind: "custom" };
    refs.push({ ...r, start: f.start, end: f.end });
  }
  return { ...base, kind: refs.length === 1 ? "column" : "product", refs };
}

/** What the controls show for a formula, given the data's columns. */
export function readFormula(formula: string, columns: readonly string[]): FormulaView {
  const empty: FormulaView = { status: "empty", problem: null, response: null, fixed: [], categorical: [], crossed: null, summands: [], bars: [], custom: [] };
  if (formula.trim() === "") return empty;
  let desc;
  try {
    desc = parseFormula(formula);
  } catch (e) {
    const problem: FormulaProblem = isMixedLMError(e)
      ? { message: shortMessage(e.message, e.source, e.start, e.end), start: e.start, end: e.end }
      : { message: shortMessage(e instanceof Error ? e.message : String(e)) };
    return { ...empty, status: "invalid", problem };
  }
  const rs = responseSpan(formula);
  const responseText = rs ? formula.slice(rs.start, rs.end) : "";
  const responseRef = columnRef(responseText, columns);
  const barStarts = new Map(desc.bars.map((b) => [b.start, b.groupingName]));
  const read = summands(formula).map((s) => classify(formula, s, columns, barStarts));
  const fixed: string[] = [];
  const categorical: string[] = [];
  for (const s of read) for (const r of s.refs) {
    if (!fixed.includes(r.column)) fixed.push(r.column);
    if (r.categorical && !categorical.includes(r.column)) categorical.push(r.column);
  }
  const products = read.filter((s) => s.kind === "product");
  const singles = read.filter((s) => s.kind === "column");
  const crossed = fixed.length < 2 ? null : products.length === 1 && singles.length === 0 ? true : products.length === 0 ? false : null;
  return {
    status: "ok",
    problem: null,
    response: { column: responseRef && !responseRef.categorical ? responseRef.column : null, text: responseText },
    fixed,
    categorical,
    crossed,
    summands: read,
    bars: read.flatMap((s, i) => (s.kind === "bar" ? [{ text: s.text, grouping: s.grouping!, summand: i }] : [])),
    custom: read.filter((s) => s.kind === "custom").map((s) => (s.sign === "-" ? `- ${s.text}` : s.text)),
  };
}

function refText(column: string, categorical: boolean): string {
  return categorical ? `C(${termName(column)})` : termName(column);
}

/** Sets the response: replaces the left of '~' (or starts "y ~ 1" on an empty formula). */
export function setResponse(formula: string, column: string): string {
  if (formula.trim() === "") return `${termName(column)} ~ 1`;
  const rs = responseSpan(formula);
  if (rs) return splice(formula, rs, termName(column));
  const t = formula.indexOf("~");
  return t >= 0 ? `${termName(column)} ${formula.slice(t).trimStart()}` : `${termName(column)} ~ ${formula.trim()}`;
}

/** Adds a column's main effect: into the product when the effects are crossed, else as "+ col" after the last fixed term. */
export function addFixed(formula: string, v: FormulaView, column: string, categorical: boolean): string {
  if (v.status !== "ok" || v.fixed.includes(column)) return formula;
  const ref = refText(column, categorical);
  const ss = v.summands;
  const product = v.crossed === true ? ss.filter((s) => s.kind === "product").pop() : undefined;
  if (product) return splice(formula, { start: product.end, end: product.end }, ` * ${ref}`);
  const lone = ss.filter((s) => s.sign !== "-");
  if (lone.length === 1 && lone[0].kind === "intercept" && lone[0].text === "1") return splice(formula, lone[0], ref);
  const lastFixed = [...ss].reverse().find((s) => s.kind !== "bar");
  if (lastFixed) return splice(formula, { start: lastFixed.end, end: lastFixed.end }, ` + ${ref}`);
  const first = ss[0];
  if (first) return splice(formula, { start: first.start, end: first.start }, `${ref} + `);
  return `${formula.trimEnd()} ${ref}`;
}

/** Removes a column from the terms the controls represent: its own term, or its factor in a product. */
export function removeFixed(formula: string, v: FormulaView, column: string): string {
  if (v.status !== "ok") return formula;
  let out = formula;
  // from the last summand to the first, so that earlier positions stay valid
  for (let k = v.summands.length - 1; k >= 0; k--) {
    const s = v.summands[k];
    const i = s.refs.findIndex((r) => r.column === column);
    if (i < 0) continue;
    if (s.kind === "column") {
      const current = summands(out);
      const rest = current.filter((_, j) => j !== k && current[j].sign !== "-");
      out = rest.length === 0 ? splice(out, s, "1") : removeSummand(out, current, k);
    } else {
      // a product: drop the factor and the '*' next to it
      const span = i === 0 ? { start: s.refs[0].start, end: s.refs[1].start } : { start: s.refs[i - 1].end, end: s.refs[i].end };
      out = splice(out, span, "");
    }
  }
  return out;
}

/** Writes a column as C(col) (categorical) or plain, wherever the controls represent it. */
export function setCategorical(formula: string, v: FormulaView, column: string, categorical: boolean): string {
  if (v.status !== "ok") return formula;
  const spans = v.summands.flatMap((s) => s.refs.filter((r) => r.column === column && r.categorical !== categorical));
  let out = formula;
  for (const r of [...spans].sort((a, b) => b.start - a.start)) out = splice(out, r, refText(column, categorical));
  return out;
}

/** Crosses the columns' terms into one product (a * b * c), or writes the product out as a sum (a + b + c). */
export function setCrossed(formula: string, v: FormulaView, crossed: boolean): string {
  if (v.status !== "ok") return formula;
  const parts = v.summands.filter((s) => s.kind === "column" || s.kind === "product");
  if (parts.length === 0) return formula;
  const refs = parts.flatMap((s) => s.refs.map((r) => formula.slice(r.start, r.end)));
  const joined = refs.join(crossed ? " * " : " + ");
  // the first part becomes the whole; the others go, last first
  let out = formula;
  const all = v.summands;
  for (let k = all.length - 1; k >= 0; k--) {
    if (!parts.includes(all[k]) || all[k] === parts[0]) continue;
    out = removeSummand(out, summands(out), k);
  }
  return splice(out, parts[0], joined);
}

/** Appends an lme4 term, "(1 | Pig)". */
export function addBar(formula: string, term: string): string {
  const t = term.trim().replace(/^\+\s*/, "");
  if (t === "") return formula;
  if (formula.trim() === "") return formula;
  return `${formula.trimEnd()} + ${t}`;
}

/** Removes the summand holding an lme4 term; the intercept "1" stays when nothing else is left. */
export function removeSummandAt(formula: string, v: FormulaView, index: number): string {
  if (v.status !== "ok" || !v.summands[index]) return formula;
  const rest = v.summands.filter((s, j) => j !== index && s.sign !== "-");
  if (rest.length === 0) return splice(formula, v.summands[index], "1");
  return removeSummand(formula, summands(formula), index);
}
