/**
 * Every problem the user can fix is raised as a MixedLMError: one sentence saying what is
 * wrong and what to do. The CLI prints it and exits with status 2; custom functions turn it
 * into #VALUE! with the message; the task pane shows it beside the control concerned.
 *
 * Messages quote what the user wrote (a formula, a column name, a cell) through `quoted` and
 * `window`, so that a 100,000-character formula or column name gives a message of one short
 * line, not the whole text again.
 */
export type ErrorKind =
  | "data" // the table itself: empty, no header, duplicated or unknown column...
  | "formula" // a syntax error or an unknown function in a formula
  | "model" // a model that cannot be fitted: too few groups, rank-deficient design...
  | "option"; // an unknown or malformed option

export class MixedLMError extends Error {
  readonly kind: ErrorKind;
  /** For formula errors: the formula text and the 0-based span of the offending part. */
  readonly source?: string;
  readonly start?: number;
  readonly end?: number;

  constructor(kind: ErrorKind, message: string, where?: { source: string; start: number; end: number }) {
    super(message);
    this.name = "MixedLMError";
    this.kind = kind;
    if (where) {
      this.source = where.source;
      this.start = where.start;
      this.end = where.end;
    }
  }
}

/** Longest piece of user text a message quotes; longer text is cut with "…". */
export const MAX_QUOTED = 60;

/** User text in double quotes, cut to `max` characters. */
export function quoted(text: string, max: number = MAX_QUOTED): string {
  return `"${text.length > max ? text.slice(0, max - 1) + "…" : text}"`;
}

/** User text as a message shows it without quotes (a term, a grouping factor), cut to `max` characters. */
export function excerpt(text: string, max: number = MAX_QUOTED): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** Names separated by commas, at most `max` of them (each cut to 40 characters), then how many there are in all. */
export function nameList(names: readonly string[], max = 12, quote = false): string {
  const cut = (n: string) => (quote ? quoted(n, 40) : n.length > 40 ? n.slice(0, 39) + "…" : n);
  const shown = names.slice(0, max).map(cut).join(", ");
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** Quoted names, at most `max` of them, then how many there are in all. */
export function quotedList(names: readonly string[], max = 12): string {
  return nameList(names, max, true);
}

/** Characters of context shown on each side of a formula error when the formula is long. */
const CONTEXT = 30;

/**
 * The part of `source` around start..end, as a message shows it: the whole formula when it is
 * short, else a window of CONTEXT characters on each side of the (cut) span, marked with "…".
 */
export function formulaWindow(source: string, start: number, end: number): string {
  if (source.length <= MAX_QUOTED + 20) return source;
  const spanEnd = Math.min(end, start + MAX_QUOTED);
  const from = Math.max(0, start - CONTEXT);
  const to = Math.min(source.length, spanEnd + CONTEXT);
  return `${from > 0 ? "…" : ""}${source.slice(from, to)}${to < source.length ? "…" : ""}`;
}

/** A formula error that points at characters start..end of the formula text. */
export function formulaError(message: string, source: string, start: number, end: number = start + 1): MixedLMError {
  const s = Math.max(0, Math.min(start, source.length));
  const e = Math.max(s, Math.min(end, source.length));
  const shown = e > s ? `${quoted(source.slice(s, e))} at position ${s + 1}` : `position ${s + 1}`;
  return new MixedLMError("formula", `${message} (${shown} of "${formulaWindow(source, s, e)}")`, { source, start: s, end: e });
}

export function isMixedLMError(e: unknown): e is MixedLMError {
  return e instanceof MixedLMError;
}
