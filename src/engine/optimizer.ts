/**
 * Minimises the profiled deviance over θ.
 *
 * The deviance depends on each term's relative factor T only through T T', so it is unchanged
 * when a column of T changes sign: it is an even function of each diagonal entry of T. lme4 bounds
 * those entries below by 0, but a bounded gradient method can then stall on the boundary, where
 * evenness makes the gradient exactly zero (a saddle, not a minimum). We optimise without bounds
 * instead (a variance that belongs at zero is simply approached from either side) and flip column
 * signs afterwards, which gives the same deviance.
 *
 * Method: BFGS with central-difference gradients and a backtracking line search, then Newton
 * steps on a finite-difference Hessian. Once the data are reduced to cross-products an evaluation
 * costs microseconds to milliseconds, so accurate derivatives are affordable, and the Newton
 * polish reaches the optimum to many digits where first-order methods stall (statsmodels' trap).
 */

import { centralGradientAndHessian, centralGradientDifferences, correctedForwardGradient, fdHessian, gradientDifferenceHessian, signedStep } from "./finiteDifferences";
import { bfgsUpdate, choleskyInPlace, cholSolve, hessianBfgsUpdate, smallestEigenpair } from "./optimizerAlgebra";

export interface OptimizeResult {
  x: Float64Array;
  f: number;
  evaluations: number;
  iterations: number;
  /** Max-norm of the gradient at the end. */
  gradient: number;
  /** g'H⁻¹g/2 with the finite-difference Hessian: how much lower the deviance could still go. */
  predictedDecrease: number;
  /** The finite-difference Hessian at the end is positive definite. */
  hessianPositive: boolean;
  /** The Hessian (or its quasi-Newton update) of the last Newton step, row-major n × n, when there was one. */
  hessian?: Float64Array;
  /** The exact gradient at x, when the objective has one and it is at hand. */
  gradientAt?: Float64Array;
  converged: boolean;
  message: string;
}

export interface OptimizeOptions {
  maxEvaluations?: number;
  /** Value and analytic gradient (written into g) at x; when given, no finite differences of f are taken. */
  valueAndGradient?: (x: Float64Array, g: Float64Array) => number;
  /** The value at x0, when the caller has it (saves an evaluation). */
  f0?: number;
  /** With f0 and an analytic gradient: the gradient at x0, when the caller has it too. */
  g0?: Float64Array;
  /** Start with Newton steps (for a start near the optimum, with few parameters). */
  newtonFirst?: boolean;
  /**
   * With newtonFirst and no analytic gradient: the Hessian of a minimisation of a nearby problem
   * (row-major; the previous point of a profile, say), taken as the first Newton step's. A start
   * that is already at the optimum is then confirmed by a gradient of n evaluations instead of a
   * stencil of n(n+3)/2. Ignored unless positive definite; replaced by a fresh finite-difference
   * Hessian when a step along it does not descend.
   */
  hessian?: Float64Array;
}

/** A Newton step promising less decrease of the deviance than this ends newtonFromStart when it delivers. */
const FINAL_STEP = 1e-4;

/** Problems with at most this many parameters start with Newton steps on a finite-difference Hessian (newtonFromStart). */
const NEWTON_FIRST_MAX_N = 4;

export function minimize(fn: (x: Float64Array) => number, x0: Float64Array, options: OptimizeOptions = {}): OptimizeResult {
  if (x0.length <= NEWTON_FIRST_MAX_N && options.newtonFirst) {
    const r = newtonFromStart(fn, x0, options);
    if (r.converged) return r;
    // not a proper minimum in reach of Newton's method from here: the general path, from where it got
    const rest = minimizeQuasiNewton(fn, r.x, { ...options, f0: r.f, g0: undefined, maxEvaluations: (options.maxEvaluations ?? 5000) - r.evaluations });
    return { ...rest, evaluations: rest.evaluations + r.evaluations, iterations: rest.iterations + r.iterations };
  }
  return minimizeQuasiNewton(fn, x0, options);
}

/** The objective as the optimisers see it: evaluations counted, a non-finite value read as +∞ (outside the domain). */
class CountedObjective {
  evaluations = 0;

  constructor(private readonly fn: (x: Float64Array) => number, readonly fg: ((x: Float64Array, g: Float64Array) => number) | undefined) {}

  value(x: Float64Array): number {
    this.evaluations++;
    const v = this.fn(x);
    return Number.isFinite(v) ? v : Infinity;
  }

  /** The value at x, with the gradient written into g when the objective has one: one evaluation either way. */
  trial(x: Float64Array, g: Float64Array): number {
    if (!this.fg) return this.value(x);
    this.evaluations++;
    const v = this.fg(x, g);
    return Number.isFinite(v) ? v : Infinity;
  }
}

/** Where newtonFromStart is: the point, its value and gradient, and what carries the Hessian from one step to the next. */
interface NewtonPoint {
  x: Float64Array;
  fx: number;
  g: Float64Array;
  /**
   * The first finite-difference Hessian, carried on by BFGS updates from the gradients of the
   * steps (free with an analytic gradient). Without one, later gradients are forward differences
   * corrected by the carried Hessian's diagonal,
   *   g_a ≈ (f(x + h e_a) − f(x)) / h − h H_aa / 2,
   * accurate to O(h²) like central ones, for n evaluations instead of n(n+3)/2. A step that fails
   * to descend brings back a fresh finite-difference Hessian (carried = null).
   */
  carried: Float64Array | null;
  lastStep: Float64Array | null;
  lastGradient: Float64Array | null;
  /** `carried` is the caller's Hessian (options.hessian) and no step has updated it yet. */
  borrowed: boolean;
  /** Steps taken along negative curvature, and shifted Hessians, so far. */
  escapes: number;
  shifts: number;
}

/**
 * Newton's method with a finite-difference Hessian from the first step, for a few parameters and
 * a good start (start.ts puts θ close to the optimum): each iteration takes the gradient and the
 * Hessian at the point, then a Newton step with backtracking. Without an analytic gradient a
 * central stencil gives both in n(n+3)/2 evaluations (2 parameters: 5), the gradient to O(h²);
 * with one, n more gradients give the Hessian. Converges quadratically where BFGS would spend
 * several iterations learning the curvature. An indefinite Hessian (a saddle) is left along its
 * direction of negative curvature, or shifted to positive definite; after repeated indefinite
 * Hessians, or a step that does not descend, it stops unconverged and minimize() goes on with
 * BFGS from there.
 */
function newtonFromStart(fn: (x: Float64Array) => number, x0: Float64Array, options: OptimizeOptions): OptimizeResult {
  const n = x0.length;
  const maxEval = options.maxEvaluations ?? 5000;
  const obj = new CountedObjective(fn, options.valueAndGradient);
  const pt = newtonStartPoint(obj, x0, options);
  const noise = 1e-11 * Math.max(1, Math.abs(pt.fx));
  const tolerance = Math.max(1e-6, noise);
  let iter = 0;
  let hessianPositive = false;
  let predictedDecrease = Infinity;
  let message = "";
  let lastHessian: Float64Array | null = null;
  while (obj.evaluations < maxEval && iter < 30) {
    iter++;
    lastHessian = null;
    const H = newtonDerivatives(obj, pt);
    if (!pt.g.every(Number.isFinite) || !H.every(Number.isFinite)) { message = "non-finite derivatives"; hessianPositive = false; break; }
    let L: Float64Array = Float64Array.from(H);
    hessianPositive = choleskyInPlace(L, n);
    if (hessianPositive) lastHessian = Float64Array.from(H);
    else {
      const saddle = leaveSaddle(obj, pt, H);
      if (saddle === "moved") continue;
      if (saddle === "stuck") { message = "Hessian not positive definite"; break; }
      L = saddle;
    }
    const d = cholSolve(L, n, Array.from(pt.g, (v) => -v));
    predictedDecrease = promisedDecrease(d, pt.g);
    // Done when the model promises next to nothing: a thousandth of the tolerance (weakly
    // determined variances need that much), or the deviance's own rounding noise when larger.
    if (hessianPositive && predictedDecrease < Math.max(tolerance * 1e-3, noise)) { message = "done"; break; }
    const gBefore = Float64Array.from(pt.g);
    const { moved, alpha, decrease } = newtonLineSearch(obj, pt, d, predictedDecrease, maxEval);
    // A full Newton step that promised less than FINAL_STEP and delivered it, to within the
    // tolerance and a tenth of the promise, lands at the optimum: what is left is of the order of
    // the model's error, which that bounds. That saves a last round of derivatives.
    const mismatch = Math.abs(decrease - predictedDecrease);
    if (moved && hessianPositive && alpha === 1 && predictedDecrease < FINAL_STEP && mismatch <= 0.1 * predictedDecrease && mismatch < Math.max(0.01 * tolerance, noise)) {
      predictedDecrease = mismatch;
      message = "done (full Newton step from near the optimum)";
      break;
    }
    if (!moved) {
      // No step descends, within the noise of the deviance, while the (positive definite) model
      // promises less than the tolerance: that is the optimum.
      if (hessianPositive && predictedDecrease < tolerance) { message = "done (no step descends further)"; break; }
      if (!pt.lastStep && !pt.borrowed) { message = "no descent along the Newton step"; break; }
      forgetCurvature(pt); // the carried (or borrowed) Hessian misled: a fresh one here, then on
      continue;
    }
    // a step within the noise (or one the line search had to cut hard) says nothing reliable
    // about curvature: no BFGS update from it, fresh derivatives next time
    if (decrease < 10 * noise || alpha < 0.25) { forgetCurvature(pt); continue; }
    pt.lastStep = Float64Array.from(d, (v) => alpha * v);
    pt.lastGradient = gBefore;
  }
  const evals = obj.evaluations;
  const converged = hessianPositive && predictedDecrease < tolerance && evals < maxEval;
  if (!message) message = evals >= maxEval ? "evaluation limit reached" : "iteration limit reached";
  return { x: pt.x, f: pt.fx, evaluations: evals, iterations: iter, gradient: Math.max(0, ...Array.from(pt.g, Math.abs)), predictedDecrease, hessianPositive, converged, message, ...(lastHessian ? { hessian: lastHessian } : {}), ...(obj.fg ? { gradientAt: pt.g } : {}) };
}

/** The start of newtonFromStart: the value (and analytic gradient) at x0, from the caller when it has them. */
function newtonStartPoint(obj: CountedObjective, x0: Float64Array, options: OptimizeOptions): NewtonPoint {
  const x = Float64Array.from(x0);
  const g = new Float64Array(x0.length);
  let fx: number;
  if (obj.fg && options.f0 !== undefined && options.g0) { fx = options.f0; g.set(options.g0); }
  else if (obj.fg) fx = obj.trial(x, g);
  else fx = options.f0 ?? obj.value(x);
  if (!Number.isFinite(fx)) throw new Error("The objective is not finite at the starting point");
  const H = options.hessian;
  const borrowed = !obj.fg && H !== undefined && H.length === x.length * x.length && choleskyInPlace(Float64Array.from(H), x.length);
  return { x, fx, g, carried: borrowed ? Float64Array.from(H!) : null, lastStep: null, lastGradient: null, borrowed, escapes: 0, shifts: 0 };
}

/** −g'd/2: the decrease of the quadratic model along its Newton step d (= −H⁻¹g). */
function promisedDecrease(d: ArrayLike<number>, g: Float64Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s -= 0.5 * d[i] * g[i];
  return s;
}

/** Finite-difference steps of newtonFromStart. */
const newtonStep = (xi: number) => signedStep(1e-4, xi);

/**
 * The Hessian at the point, and its gradient when the objective has none: the carried Hessian
 * updated by the last step (BFGS) when there is one, else a fresh finite-difference Hessian, which
 * is then carried on.
 */
function newtonDerivatives(obj: CountedObjective, pt: NewtonPoint): Float64Array {
  const carry = pt.carried && pt.lastStep && pt.lastGradient;
  if (obj.fg) {
    // exact gradients: the carried Hessian's BFGS update costs no evaluation at all
    if (carry) return updateCarriedHessian(pt);
    const H = gradientDifferenceHessian(obj.fg, pt.x, pt.g, (xi) => newtonStep(xi) / 10, () => obj.evaluations++);
    pt.carried = Float64Array.from(H);
    return H;
  }
  const f = (x: Float64Array) => obj.value(x);
  if (carry || pt.borrowed) {
    pt.g = correctedForwardGradient(f, pt.x, pt.fx, newtonStep, pt.carried!);
    return carry ? updateCarriedHessian(pt) : pt.carried!;
  }
  const gh = centralGradientAndHessian(f, pt.x, pt.fx, newtonStep);
  pt.g = gh.g;
  pt.carried = Float64Array.from(gh.H);
  return gh.H;
}

/** Fresh finite-difference derivatives at the next iteration, none carried over. */
function forgetCurvature(pt: NewtonPoint): void {
  pt.carried = null;
  pt.lastStep = null;
  pt.borrowed = false;
}

/** The carried Hessian after the BFGS update from the last step and the change of gradient over it. */
function updateCarriedHessian(pt: NewtonPoint): Float64Array {
  const n = pt.x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = pt.g[i] - pt.lastGradient![i];
  hessianBfgsUpdate(pt.carried!, pt.lastStep!, y, n);
  return pt.carried!;
}

/**
 * At a saddle (H not positive definite): typically a variance at (or stepped to) zero that belongs
 * above it; the deviance is even in that θ, so its gradient there is zero and Newton's step would
 * never leave. Steps along the direction of most negative curvature instead, when that descends
 * ("moved", up to 4 times); otherwise gives the Cholesky factor of a shifted H, for a descent
 * direction, and fresh derivatives next time ("stuck" after 8 shifts).
 */
function leaveSaddle(obj: CountedObjective, pt: NewtonPoint, H: Float64Array): Float64Array | "moved" | "stuck" {
  const n = pt.x.length;
  const { value: lambda, vector: v } = smallestEigenpair(H, n);
  if (lambda < 0 && pt.escapes < 4) {
    pt.escapes++;
    if (stepAlongNegativeCurvature(obj, pt, v)) { forgetCurvature(pt); return "moved"; }
  }
  if (++pt.shifts > 8) return "stuck";
  pt.carried = null;
  pt.borrowed = false;
  return shiftedCholesky(H, n);
}

/** Tries steps of shrinking length along ±v (the sign that descends to first order); moves to the first that lowers the value. */
function stepAlongNegativeCurvature(obj: CountedObjective, pt: NewtonPoint, v: Float64Array): boolean {
  const { x, g } = pt;
  const n = x.length;
  let gv = 0;
  for (let i = 0; i < n; i++) gv += g[i] * v[i];
  const sign = gv > 0 ? -1 : 1;
  let xmax = 1;
  for (let i = 0; i < n; i++) xmax = Math.max(xmax, Math.abs(x[i]));
  for (const t of [0.5, 0.25, 0.1, 0.03]) {
    const xn = new Float64Array(n);
    for (let i = 0; i < n; i++) xn[i] = x[i] + sign * t * xmax * v[i];
    const gn = new Float64Array(n);
    const fn1 = obj.trial(xn, gn);
    if (fn1 < pt.fx) { x.set(xn); pt.fx = fn1; if (obj.fg) pt.g = gn; return true; }
  }
  return false;
}

/** Cholesky factor of H + μI (row-major), μ from a thousandth of H's largest diagonal entry grown tenfold until it is positive definite. */
function shiftedCholesky(H: Float64Array, n: number): Float64Array {
  let mu = 0;
  for (let i = 0; i < n; i++) mu = Math.max(mu, Math.abs(H[i * n + i]));
  mu = Math.max(mu * 1e-3, 1e-8);
  for (;;) {
    const L = Float64Array.from(H);
    for (let i = 0; i < n; i++) L[i * n + i] += mu;
    if (choleskyInPlace(L, n)) return L;
    mu *= 10;
  }
}

/**
 * Backtracking along the Newton step d (cut back first to the point's own scale: θ is of order 1)
 * until the value drops by a share of the predicted decrease; moves the point there.
 */
function newtonLineSearch(obj: CountedObjective, pt: NewtonPoint, d: number[], predictedDecrease: number, maxEval: number): { moved: boolean; alpha: number; decrease: number } {
  const { x } = pt;
  const n = x.length;
  let dmax = 0, xmax = 1;
  for (let i = 0; i < n; i++) { dmax = Math.max(dmax, Math.abs(d[i])); xmax = Math.max(xmax, Math.abs(x[i])); }
  let alpha = dmax > xmax ? xmax / dmax : 1;
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  for (let ls = 0; ls < 12 && obj.evaluations < maxEval; ls++) {
    for (let i = 0; i < n; i++) xn[i] = x[i] + alpha * d[i];
    const fn1 = obj.trial(xn, gn);
    if (fn1 <= pt.fx - 1e-4 * alpha * 2 * predictedDecrease || (fn1 < pt.fx && predictedDecrease < 1e-3)) {
      const decrease = pt.fx - fn1;
      x.set(xn); pt.fx = fn1; if (obj.fg) pt.g = Float64Array.from(gn);
      return { moved: true, alpha, decrease };
    }
    alpha *= 0.5;
  }
  return { moved: false, alpha, decrease: 0 };
}

/**
 * Gradients for minimizeQuasiNewton: the objective's own when it has one, else finite differences,
 * forward (n evaluations) while far from the optimum, where a gradient error of order h is
 * harmless, and central (2n) once `central` is set, when the steps become small.
 */
class QuasiNewtonGradient {
  central = false;

  constructor(private readonly obj: CountedObjective, private readonly step: (xi: number) => number) {}

  at(xc: Float64Array, fc: number): Float64Array {
    const { obj, step, central } = this;
    const n = xc.length;
    const g = new Float64Array(n);
    if (obj.fg) {
      obj.evaluations++;
      obj.fg(xc, g);
      return g;
    }
    const t = Float64Array.from(xc);
    for (let i = 0; i < n; i++) {
      const h = step(xc[i]);
      t[i] = xc[i] + h;
      const fp = obj.value(t);
      const fm = central || !Number.isFinite(fp) ? ((t[i] = xc[i] - h), obj.value(t)) : NaN;
      t[i] = xc[i];
      if (!central && Number.isFinite(fp)) g[i] = (fp - fc) / h;
      else g[i] = Number.isFinite(fp) && Number.isFinite(fm) ? (fp - fm) / (2 * h) : Number.isFinite(fp) ? (fp - fc) / h : (fc - fm) / h;
    }
    return g;
  }
}

/** Where minimizeQuasiNewton is: the point, its value and gradient. */
interface Point {
  x: Float64Array;
  fx: number;
  g: Float64Array;
}

function minimizeQuasiNewton(fn: (x: Float64Array) => number, x0: Float64Array, options: OptimizeOptions = {}): OptimizeResult {
  const maxEval = options.maxEvaluations ?? 5000;
  const obj = new CountedObjective(fn, options.valueAndGradient);
  const x = Float64Array.from(x0);
  // With an analytic gradient the first evaluation also gives the first gradient.
  let firstGradient: Float64Array | null = null;
  let fx: number;
  if (obj.fg) {
    firstGradient = new Float64Array(x0.length);
    fx = obj.trial(x, firstGradient);
  } else fx = options.f0 ?? obj.value(x);
  if (!Number.isFinite(fx)) throw new Error("The objective is not finite at the starting point");
  const gradient = new QuasiNewtonGradient(obj, quasiNewtonStep);
  const noise = 1e-11 * Math.max(1, Math.abs(fx));
  const pt: Point = { x, fx, g: firstGradient ?? gradient.at(x, fx) };
  const { iterations, message: bfgsMessage } = bfgsDescent(obj, gradient, pt, noise, maxEval);
  // Newton polish with a finite-difference Hessian; also decides convergence.
  const { hessianPositive, predictedDecrease, lastHessian } = finishWithNewton(obj, gradient, pt, maxEval);
  const evals = obj.evaluations;
  const gnorm = Math.max(0, ...Array.from(pt.g, Math.abs));
  // Converged: a proper minimum (positive-definite Hessian) and no decrease of any consequence left:
  // 1e-6 in deviance (5e-7 in log-likelihood), or the deviance's own rounding noise when that is
  // larger (about 1e-11 of its value: 3e-5 for a million rows), below which no optimizer can go.
  const converged = hessianPositive && predictedDecrease < Math.max(1e-6, noise) && evals < maxEval;
  const message = bfgsMessage || (evals >= maxEval ? "evaluation limit reached" : "done");
  return { x: pt.x, f: pt.fx, evaluations: evals, iterations, gradient: gnorm, predictedDecrease, hessianPositive, converged, message, ...(lastHessian && hessianPositive ? { hessian: lastHessian } : {}) };
}

/**
 * BFGS on the inverse Hessian from the point, each step found by backtracking: until the model
 * promises nothing above the deviance's noise, no step decreases it, or a step gains next to
 * nothing. Returns the iterations and the message that ended them ("" at the evaluation limit).
 */
function bfgsDescent(obj: CountedObjective, gradient: QuasiNewtonGradient, pt: Point, noise: number, maxEval: number): { iterations: number; message: string } {
  const { x } = pt;
  const n = x.length;
  const H = new Float64Array(n * n);
  let scaled = false;
  // first step: steepest descent scaled to move at most 0.5 in θ (θ is of order 1)
  const gmax = Math.max(...Array.from(pt.g, Math.abs));
  for (let i = 0; i < n; i++) H[i * n + i] = 0.5 / Math.max(1, gmax);
  let iter = 0;
  while (obj.evaluations < maxEval) {
    iter++;
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s -= H[i * n + j] * pt.g[j]; d[i] = s; }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += d[i] * pt.g[i];
    // The quadratic model predicts a decrease of about -slope/2; below the noise of the deviance
    // (about 1e-12 of its value) there is nothing left to gain.
    if (-slope < noise) {
      if (!obj.fg && !gradient.central) { gradient.central = true; pt.g = gradient.at(x, pt.fx); continue; }
      return { iterations: iter, message: "predicted decrease negligible" };
    }
    // with an analytic gradient each trial computes it too, so the accepted point needs no second evaluation
    let gn: Float64Array = new Float64Array(n);
    const trial = backtrack(obj, pt, d, slope, gn);
    if (!trial) return { iterations: iter, message: "line search found no decrease" };
    const { xn, fn1 } = trial;
    if (!obj.fg) gn = gradient.at(xn, fn1);
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) { s[i] = xn[i] - x[i]; yv[i] = gn[i] - pt.g[i]; }
    const fOld = pt.fx;
    x.set(xn);
    pt.fx = fn1;
    pt.g = gn;
    if (!scaled) {
      // Shanno-Phua scaling of the initial inverse Hessian
      let sy = 0, yy = 0;
      for (let i = 0; i < n; i++) { sy += s[i] * yv[i]; yy += yv[i] * yv[i]; }
      if (sy > 0 && yy > 0) { H.fill(0); for (let i = 0; i < n; i++) H[i * n + i] = sy / yy; }
      scaled = true;
    }
    bfgsUpdate(H, s, yv, n);
    if (!obj.fg && !gradient.central && fOld - pt.fx < 1) {
      // near the optimum: from now on central differences, starting with this gradient
      gradient.central = true;
      pt.g = gradient.at(x, pt.fx);
      continue;
    }
    if (fOld - pt.fx < 1e-12 * Math.max(1, Math.abs(pt.fx))) return { iterations: iter, message: "no further progress" };
  }
  return { iterations: iter, message: "" };
}

/**
 * A step along d satisfying the Armijo condition, by backtracking from the full step (cut back
 * first to the point's own scale: θ lives on the scale of ratios of standard deviations, and a far
 * jump only costs evaluations to come back from); with an analytic gradient, gn receives the
 * gradient there. Null after 30 trials.
 */
function backtrack(obj: CountedObjective, pt: Point, d: Float64Array, slope: number, gn: Float64Array): { xn: Float64Array; fn1: number } | null {
  const { x, fx } = pt;
  const n = x.length;
  let dmax = 0, xmax = 1;
  for (let i = 0; i < n; i++) { dmax = Math.max(dmax, Math.abs(d[i])); xmax = Math.max(xmax, Math.abs(x[i])); }
  let alpha = dmax > xmax ? xmax / dmax : 1;
  const xn = new Float64Array(n);
  for (let ls = 0; ls < 30; ls++) {
    for (let i = 0; i < n; i++) xn[i] = x[i] + alpha * d[i];
    const fn1 = obj.trial(xn, gn);
    if (fn1 <= fx + 1e-4 * alpha * slope) return { xn, fn1 };
    // Backtrack to the minimum of the quadratic through f(x), the slope and f(x + αd),
    // kept within [0.1α, 0.5α]; a non-finite trial (outside the domain) shrinks by 10.
    let next = 0.1 * alpha;
    if (Number.isFinite(fn1)) {
      const curvature = fn1 - fx - slope * alpha;
      if (curvature > 0) next = Math.min(0.5 * alpha, Math.max(0.1 * alpha, (-slope * alpha * alpha) / (2 * curvature)));
    }
    alpha = next;
  }
  return null;
}

/**
 * Newton steps on a finite-difference Hessian after BFGS: it decides whether the point is a proper
 * minimum (the Hessian positive definite) and how much decrease is left; the steps take the point
 * the rest of the way.
 */
function finishWithNewton(obj: CountedObjective, gradient: QuasiNewtonGradient, pt: Point, maxEval: number): { hessianPositive: boolean; predictedDecrease: number; lastHessian: Float64Array | null } {
  const n = pt.x.length;
  let hessianPositive = false;
  let lastHessian: Float64Array | null = null;
  let predictedDecrease = Infinity;
  let L: Float64Array | null = null;
  for (let round = 0; round < 8 && obj.evaluations < maxEval; round++) {
    let dx = L ? cholSolve(L, n, Array.from(pt.g, (v) => -v)) : null;
    let pd = dx ? promisedDecrease(dx, pt.g) : Infinity;
    // After a Newton step of size ~1e-5 the Hessian is the same to within its own error: it is
    // recomputed only when the step it gives still promises a decrease worth taking.
    if (!(pd < 1e-9)) {
      const Hm = obj.fg ? gradientDifferenceHessian(obj.fg, pt.x, pt.g, quasiNewtonStep, () => obj.evaluations++) : fdHessian((x) => obj.value(x), pt.x, pt.fx, quasiNewtonStep);
      lastHessian = Hm;
      L = Float64Array.from(Hm);
      hessianPositive = choleskyInPlace(L, n);
      if (!hessianPositive) break;
      dx = cholSolve(L, n, Array.from(pt.g, (v) => -v));
      pd = promisedDecrease(dx, pt.g);
    }
    predictedDecrease = pd;
    // Take the Newton step unless it promises nothing at all: at large n the deviance's rounding
    // noise exceeds the convergence tolerance, and the step (from the analytic gradient) still helps.
    if (predictedDecrease < 1e-9) break;
    if (!newtonStepDescends(obj, gradient, pt, dx!)) break;
  }
  return { hessianPositive, predictedDecrease, lastHessian };
}

/** Finite-difference steps of minimizeQuasiNewton. */
const quasiNewtonStep = (xi: number) => signedStep(1e-5, xi);

/** The Newton step dx, halved up to 8 times until the value drops; moves the point there. */
function newtonStepDescends(obj: CountedObjective, gradient: QuasiNewtonGradient, pt: Point, dx: number[]): boolean {
  const { x } = pt;
  const n = x.length;
  let alpha = 1;
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  for (let ls = 0; ls < 8; ls++) {
    for (let i = 0; i < n; i++) xn[i] = x[i] + alpha * dx[i];
    const fn1 = obj.trial(xn, gn);
    if (fn1 < pt.fx) { x.set(xn); pt.fx = fn1; pt.g = obj.fg ? Float64Array.from(gn) : gradient.at(x, pt.fx); return true; }
    alpha *= 0.5;
  }
  return false;
}

/** A polishing step below this, relative to the coordinate (at least 1), ends newtonPolish: the point is there to about the next step, a few orders smaller. */
const POLISHED = 1e-11;
/**
 * A polishing step below this may be taken without evaluating the objective there (its change is
 * below the objective's rounding, so the look would say nothing), and end newtonPolish, when
 * what it leaves is below NEGLIGIBLE: about the Hessian's relative error times it. That error is
 * measured by how fast the steps shrink once two were taken, and assumed to be HESSIAN_ERROR
 * before. It can be large: along a flat direction (a variance near zero, two nearly collinear
 * random effects as in (x || g) with x far from zero) the optimiser's Hessian, carried from
 * where it was computed by BFGS updates, can be off by 10% or more, and one unchecked step
 * would leave θ 1e-7 short of the optimum, where another fit of the same model on rescaled data
 * stops elsewhere.
 */
const UNCHECKED_STEP = 1e-6;
/** What an unchecked last step may leave of θ (relative): y × a must give θ to 1e-10, and two such fits share their path. */
const NEGLIGIBLE = 1e-10;
/** The relative error of a Hessian from the optimiser (finite differences, BFGS-updated) before the steps measure it. */
const HESSIAN_ERROR = 1e-3;

/**
 * Newton steps with an exact gradient, for an x already at the optimum to the optimiser's
 * tolerance (a predicted decrease of the deviance below 1e-9, which leaves x uncertain by up to
 * 1e-5, and by more along a flat direction: a weakly identified variance). Two fits of the same
 * model that differ only in the rounding of their data (y and y × a, x and −x) take slightly
 * different paths there and stop at different points within that tolerance; these steps take
 * both to the optimum itself, to about the gradient's rounding over the Hessian (1e-12 or so).
 * The Hessian is the optimiser's last one when given, else it comes once from central
 * differences of the gradient (2n evaluations); each step then costs one. A step that raises the
 * objective beyond its rounding noise, or an indefinite Hessian, ends them. `trustFirstBelow`:
 * a first step below this is taken without a look, whatever it leaves (for a refit whose θ
 * matters to its statistic only to the optimiser's tolerance).
 */
export function newtonPolish(fg: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, options: { maxSteps?: number; hessian?: (x: Float64Array, fx: number) => Float64Array; known?: Float64Array | null; at?: { f: number; g: Float64Array } | null; trustFirstBelow?: number } = {}): Float64Array {
  const n = x0.length;
  const maxSteps = options.maxSteps ?? 6;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx: number;
  if (options.at && options.at.g.length === n) { fx = options.at.f; g.set(options.at.g); }
  else fx = fg(x, g);
  if (!Number.isFinite(fx) || !g.every(Number.isFinite)) return x0;
  const H = PolishHessian.start(n, options.known ?? null, () => freshHessianAt(fg, options.hessian, x, fx));
  if (!H) return x0;
  const noise = 1e-12 * Math.max(1, Math.abs(fx));
  let previous = 0;
  const refresh = () => H.refresh(() => freshHessianAt(fg, options.hessian, x, fx)) && ((previous = 0), true);
  for (let step = 0; step < maxSteps; step++) {
    const d = H.newtonStep(g);
    let rel = 0;
    for (let i = 0; i < n; i++) rel = Math.max(rel, Math.abs(d[i]) / Math.max(1, Math.abs(x[i])));
    // not a polishing step: x was not at the optimum, or the optimiser's Hessian is off
    if (!(rel <= 0.1)) { if (refresh()) continue; break; }
    const xn = Float64Array.from(x, (v, i) => v + d[i]);
    // a step this small changes the objective by less than its rounding: taken without a look
    // when what it leaves (the Hessian's error times it) is negligible
    const leaves = (previous > 0 ? rel / previous : HESSIAN_ERROR) * rel;
    if (rel < UNCHECKED_STEP && leaves < NEGLIGIBLE) return xn;
    if (step === 0 && options.trustFirstBelow !== undefined && rel < options.trustFirstBelow) return xn;
    previous = rel;
    const gn = new Float64Array(n);
    const fn1 = fg(xn, gn);
    if (!gn.every(Number.isFinite)) break;
    if (stepFailed(g, d, gn, fx, fn1, noise)) { if (refresh()) continue; break; }
    H.update(d, Float64Array.from(gn, (v, i) => v - g[i]));
    x = xn;
    g = gn;
    fx = Math.min(fx, fn1);
    if (rel < POLISHED) break;
  }
  return x;
}

/**
 * Whether a polishing step failed: one that promises less than the objective's rounding by the
 * gradient it leaves (a look at the objective would reject it on noise alone), the others by the
 * objective, or by both when the objective does not clearly fall.
 */
function stepFailed(g: Float64Array, d: Float64Array, gn: Float64Array, fx: number, fn1: number, noise: number): boolean {
  let promised = 0;
  for (let i = 0; i < g.length; i++) promised -= 0.5 * g[i] * d[i];
  if (promised < noise) return !(norm(gn) < norm(g));
  return !(fn1 <= fx + noise) || !(norm(gn) < norm(g) || fn1 < fx - noise);
}

/** A fresh Hessian (the given one, or central differences of the gradient), Cholesky-factored; null when not positive definite. */
function freshHessianAt(fg: (x: Float64Array, g: Float64Array) => number, hessian: ((x: Float64Array, fx: number) => Float64Array) | undefined, x: Float64Array, fx: number): Float64Array | null {
  const fresh = hessian ? hessian(x, fx) : centralGradientDifferences(fg, x);
  return fresh.every(Number.isFinite) && choleskyInPlace(fresh, x.length) ? fresh : null;
}

/**
 * The polish's Hessian: the optimiser's last one when it has one (a Newton step's rate of
 * convergence is its relative error, a few steps suffice), else a fresh one; a fresh one too when
 * the optimiser's fails a step (BFGS updates can be far off along a flat direction). Held as its
 * Cholesky factor, and as the matrix for BFGS updates from the steps' exact gradient differences.
 */
class PolishHessian {
  private constructor(private n: number, private L: Float64Array, private M: Float64Array, private fresh: boolean) {}

  static start(n: number, known: Float64Array | null, fresh: () => Float64Array | null): PolishHessian | null {
    let L: Float64Array | null = known && known.length === n * n && known.every(Number.isFinite) ? Float64Array.from(known) : null;
    if (L && !choleskyInPlace(L, n)) L = null;
    if (L) return new PolishHessian(n, L, matrixOfFactor(L, n), false);
    const F = fresh();
    return F ? new PolishHessian(n, F, matrixOfFactor(F, n), true) : null;
  }

  newtonStep(g: Float64Array): Float64Array {
    return Float64Array.from(cholSolve(this.L, this.n, Array.from(g, (v) => -v)));
  }

  /** Replaces the optimiser's Hessian by a fresh one, once; false when that was done or cannot be. */
  refresh(fresh: () => Float64Array | null): boolean {
    if (this.fresh) return false;
    const F = fresh();
    if (!F) return false;
    this.L = F; this.M = matrixOfFactor(F, this.n); this.fresh = true;
    return true;
  }

  update(d: Float64Array, y: Float64Array): void {
    hessianBfgsUpdate(this.M, d, y, this.n);
    const L = Float64Array.from(this.M);
    if (choleskyInPlace(L, this.n)) this.L = L;
  }
}

/** L L' for a Cholesky factor L (row-major lower). */
function matrixOfFactor(L: Float64Array, n: number): Float64Array {
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { let v = 0; for (let k = 0; k <= j; k++) v += L[i * n + k] * L[j * n + k]; M[i * n + j] = M[j * n + i] = v; }
  return M;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.hypot(s, v[i]);
  return s;
}
