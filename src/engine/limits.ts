/**
 * The limits that keep the work of reading a formula and building a model bounded, whatever the
 * user types (the task pane parses the formula on every keystroke). Each is far above what a
 * model needs, and each, when reached, is a MixedLMError naming it; the README lists them.
 */
export const LIMITS = {
  /** Characters in one formula (a cell holds at most 32,767). */
  formulaLength: 10_000,
  /** Brackets, signs and powers nested inside one another (Python, whose syntax patsy's factors use, allows 200 brackets). */
  nesting: 100,
  /** Terms of one formula (fixed terms, and the effect terms of random-effect parts): (a+b+c+d+e+f+g+h)**8 makes 255. */
  terms: 1_000,
  /** Interactions tried while expanding `*`, `:`, `/` and `**`: bounds the work when many of them coincide. */
  termProducts: 100_000,
  /** Columns of the fixed-effects design, and of the effects of one random-effect term. */
  designColumns: 2_000,
  /** Covariance parameters (θ) of all random-effect terms together: a correlated term with q effects has q(q+1)/2. */
  covarianceParameters: 500,
} as const;

/** A count with thousands separators, as messages write them. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
