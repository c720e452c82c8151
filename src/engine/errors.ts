/**
 * Every problem the user can fix is raised as a MixedLMError: one sentence saying what is
 * wrong and what to do. The CLI prints it and exits with status 2; custom functions turn it
 * into #VALUE! with the message; the task pane shows it beside the control concerned.
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

/** A formula error that points at characters start..end of the formula text. */
export function formulaError(message: string, source: string, start: number, end: number = start + 1): MixedLMError {
  const s = Math.max(0, Math.min(start, source.length));
  const e = Math.max(s, Math.min(end, source.length));
  const shown = e > s ? `"${source.slice(s, e)}" at position ${s + 1}` : `position ${s + 1}`;
  return new MixedLMError("formula", `${message} (${shown} of "${source}")`, { source, start: s, end: e });
}

export function isMixedLMError(e: unknown): e is MixedLMError {
  return e instanceof MixedLMError;
}
