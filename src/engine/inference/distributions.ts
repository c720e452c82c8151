/**
 * The t, F and χ² distributions for the inference layer (shared: tests of fixed effects, ANOVA,
 * likelihood-ratio tests), from @stdlib's per-function packages. Upper tails are computed as
 * upper tails, never as 1 − cdf, so that p-values of 1e-50 keep their digits (dietox's Time has
 * t ≈ 200): the t test through the t cdf at −|t| (an incomplete beta of a small argument), the F
 * test through the regularised incomplete beta, the χ² test through the upper incomplete gamma.
 *
 * The packages are loaded on first use: each pulls in hundreds of small modules (about 50-200 ms
 * to load in Node), which a fit that asks for no test should not pay. The normal distribution
 * stays in ../distributions.ts, written by hand: @stdlib's normal quantile returns −∞ below
 * p ≈ 1e-20, and its two packages add about 120 ms to every start of the command line.
 */
import { normalQuantile, twoSidedNormalP } from "../distributions";

let tCdf: ((x: number, v: number) => number) | null = null;
let tQuantileFn: ((p: number, v: number) => number) | null = null;
let betainc: ((x: number, a: number, b: number, regularized?: boolean, upper?: boolean) => number) | null = null;
let gammainc: ((x: number, s: number, regularized?: boolean, upper?: boolean) => number) | null = null;
let chiSquareQuantileFn: ((p: number, k: number) => number) | null = null;

/**
 * Loads the packages now (a program that knows it will test, such as the command line with --ddf,
 * pays the loading before it starts timing its work, as R loads lmerTest before a session).
 */
export function loadDistributions(): void {
  tCdf ??= require("@stdlib/stats-base-dists-t-cdf") as (x: number, v: number) => number;
  tQuantileFn ??= require("@stdlib/stats-base-dists-t-quantile") as (p: number, v: number) => number;
  betainc ??= require("@stdlib/math-base-special-betainc") as typeof betainc;
}

/** 2 P(T > |t|) for T ~ t(df); the normal's when df is infinite. */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (df === Infinity) return twoSidedNormalP(t);
  tCdf ??= require("@stdlib/stats-base-dists-t-cdf") as (x: number, v: number) => number;
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** The p-quantile of t(df). */
export function tQuantile(p: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (df === Infinity) return normalQuantile(p);
  tQuantileFn ??= require("@stdlib/stats-base-dists-t-quantile") as (p: number, v: number) => number;
  return tQuantileFn(p, df);
}

/** P(F > f) for F ~ F(d1, d2): I_{d2/(d2 + d1 f)}(d2/2, d1/2), small when f is large. */
export function fUpperP(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || !(d1 > 0) || !(d2 > 0)) return NaN;
  if (f <= 0) return 1;
  if (f === Infinity) return 0;
  if (d2 === Infinity) return chiSquareUpperP(f * d1, d1);
  betainc ??= require("@stdlib/math-base-special-betainc") as typeof betainc;
  const x = d2 / (d2 + d1 * f);
  // the smaller of x and 1 − x keeps its digits: use the lower tail there, or the upper of the other
  return x <= 0.5 ? betainc!(x, d2 / 2, d1 / 2, true, false) : betainc!((d1 * f) / (d2 + d1 * f), d1 / 2, d2 / 2, true, true);
}

/** P(X > x) for X ~ χ²(k): the regularised upper incomplete gamma Q(k/2, x/2). */
export function chiSquareUpperP(x: number, k: number): number {
  if (Number.isNaN(x) || !(k > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  gammainc ??= require("@stdlib/math-base-special-gammainc") as typeof gammainc;
  return gammainc!(x / 2, k / 2, true, true);
}

/** The p-quantile of χ²(k). */
export function chiSquareQuantile(p: number, k: number): number {
  if (!(k > 0)) return NaN;
  chiSquareQuantileFn ??= require("@stdlib/stats-base-dists-chisquare-quantile") as (p: number, k: number) => number;
  return chiSquareQuantileFn(p, k);
}
