/**
 * Tests of linear hypotheses Lβ = 0 on the fixed effects with small-sample degrees of freedom,
 * in the shape lmerTest's contest1D and contestMD give them: a t test for one row, an F test for
 * several, and the ANOVA row's sums of squares as lmerTest prints them (Mean Sq = F σ²,
 * Sum Sq = Mean Sq × NumDF). Satterthwaite (satterthwaite.ts) and Kenward-Roger
 * (kenwardRoger.ts) implement this interface; the ANOVA tables and the coefficient table share it.
 */
export type DdfMethod = "satterthwaite" | "kenward-roger";

export interface TTest {
  estimate: number;
  stdErr: number;
  df: number;
  t: number;
  p: number;
}

export interface FTest {
  /** Mean Sq × NumDF; Infinity past the largest double (a response near 1e160: see meanSqOverSigma2). */
  sumSq: number;
  /** F σ² (before Kenward-Roger's scaling). */
  meanSq: number;
  /** Mean Sq / σ² and σ (the residual standard deviation): Mean Sq as a product of doubles where it is not one itself. */
  meanSqOverSigma2?: number;
  sigma?: number;
  numDF: number;
  denDF: number;
  F: number;
  p: number;
}

export interface ContrastTests {
  method: DdfMethod;
  /** t test of l'β = 0 (l over the reported coefficients). */
  tTest(l: ArrayLike<number>): TTest;
  /** F test of Lβ = 0 (rows of L over the reported coefficients). */
  fTest(L: ArrayLike<number>[]): FTest;
  /** Covariance of the reported β̂ behind the standard errors (Kenward-Roger: the adjusted one), p×p column-major. */
  vcov: Float64Array;
}

/** lmerTest's get_Fstat_ddf: the F statistic's denominator df from the t statistics' ν_m. */
export function fStatisticDdf(nu: number[]): number {
  if (nu.length === 1) return nu[0];
  if (nu.every((v, i) => i === 0 || Math.abs(v - nu[i - 1]) < 1e-8)) return nu.reduce((a, b) => a + b, 0) / nu.length;
  if (nu.some((v) => v <= 2)) return 2;
  const E = nu.reduce((s, v) => s + v / (v - 2), 0);
  return (2 * E) / (E - nu.length);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** L A L' (q×q) for rows of L and a p×p A. */
export function contrastCovariance(L: ArrayLike<number>[], A: ArrayLike<number>, p: number): Float64Array {
  const q = L.length;
  const out = new Float64Array(q * q);
  const AL = L.map((l) => {
    const v = new Float64Array(p);
    for (let j = 0; j < p; j++) { const lj = l[j]; if (lj !== 0) for (let i = 0; i < p; i++) v[i] += A[j * p + i] * lj; }
    return v;
  });
  for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) out[b * q + a] = dot(L[a], AL[b]);
  return out;
}

/** An F table row as lmerTest's mk_Ftable writes it (σ: the residual standard deviation; Fscale: Kenward-Roger's scaling of F). */
export function fRow(F: number, numDF: number, denDF: number, sigma: number, p: number, Fscale = 1): FTest {
  // (F σ) σ: no σ² of its own, which overflows for a response near 1e160 (0 stays 0)
  const meanSq = F * sigma * sigma;
  return { sumSq: meanSq * numDF, meanSq, numDF, denDF, F: F * Fscale, p, meanSqOverSigma2: F, sigma };
}
