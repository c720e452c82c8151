/**
 * The upper tail of the χ² distribution, P(X > x) for X ~ χ²(df), as the regularised upper
 * incomplete gamma function Q(df/2, x/2) from @stdlib, accurate in the far tail (an LRT of
 * χ² = 374 on 2 df has p = 5.1e-82, where 1 − cdf would give 0).
 */

type Gammainc = (x: number, a: number, regularized?: boolean, upper?: boolean) => number;
let gammainc: Gammainc | null = null;

export function chisqUpperTail(x: number, df: number): number {
  if (!(df > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  // loaded on first use: the package and its dependencies are 286 modules, about 40 ms of every
  // CLI start that does no test
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  gammainc ??= require("@stdlib/math-base-special-gammainc") as Gammainc;
  return gammainc(x / 2, df / 2, true, true);
}
