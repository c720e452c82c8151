/**
 * The one place where the inference layer reads a fit's quantities and refits models.
 *
 * Every refit (profiles, bootstrap, likelihood-ratio tests) goes through the engine's own path,
 * fitCore on a ProfiledDeviance, and every number is read through the functions below. If the
 * fit ever works on transformed columns (centred or scaled X and y), undoing the transform
 * belongs here and nowhere else in src/engine/inference.
 */
import { fitCore, FitCore, ProfiledDeviance } from "../fit";
import { Method, ModelFrame } from "../model";

const LOG_2PI = Math.log(2 * Math.PI);

/** What inference needs of a fit, on the data's scale. */
export interface FitQuantities {
  beta: Float64Array;
  /** Covariance of β̂ given θ, σ²(X'V⁻¹X)⁻¹ (p×p column-major): lme4's vcov. */
  betaCov: Float64Array;
  sigma: number;
  theta: Float64Array;
  /** −2 log-likelihood (REML or ML, as fitted). */
  minusTwoLogLik: number;
  reml: boolean;
  n: number;
  p: number;
}

export function quantities(core: FitCore): FitQuantities {
  return {
    beta: core.beta,
    betaCov: core.betaCov,
    sigma: Math.sqrt(core.sigma2),
    theta: core.theta,
    minusTwoLogLik: core.minusTwoLogLik,
    reml: core.deviance.reml,
    n: core.frame.y.length,
    p: core.frame.X.length,
  };
}

/** The same frame (rows, design, terms) fitted by another criterion. */
export function refitByMethod(core: FitCore, method: Method): FitCore {
  if ((method === "REML") === core.deviance.reml) return core;
  return fitCore({ ...core.frame, method });
}

/**
 * Runs f, which may evaluate the fit's own deviance elsewhere (criterionAt), then puts the
 * factor back at the fit's θ: whatever reads the factor afterwards (standard errors, degrees of
 * freedom) finds it at the optimum, as fitCore left it.
 */
export function keepingOptimum<T>(core: FitCore, f: () => T): T {
  try {
    return f();
  } finally {
    core.deviance.update(core.theta);
  }
}

/** A deviance for refits of the frame with other responses (refitResponse). */
export function devianceFor(frame: ModelFrame, method: Method = frame.method): ProfiledDeviance {
  return new ProfiledDeviance({ ...frame, method }, method);
}

/** Refits with response y on the same rows and design: only y's cross-products are recomputed. */
export function refitResponse(dev: ProfiledDeviance, y: Float64Array, start?: Float64Array): FitCore {
  dev.setResponse(y);
  const method: Method = dev.reml ? "REML" : "ML";
  return fitCore({ ...dev.frame, y, method }, { deviance: dev, start });
}

/**
 * −2 log-likelihood at (θ, σ) with β profiled out and σ not: lme4's devfun2 for ML,
 *   log|L_Z|² + n log(2πσ²) + r²(θ)/σ²,
 * and for REML log|L_Z|² + log|R_X|² + (n − p) log(2πσ²) + r²(θ)/σ². Minimised over σ it is the
 * profiled deviance of fit.ts. Infinity where the factor cannot be formed.
 */
export function criterionAt(dev: ProfiledDeviance, theta: ArrayLike<number>, sigma: number, reml: boolean): number {
  if (!(sigma > 0) || !dev.updateIfNeeded(theta)) return Infinity;
  const f = dev.factor;
  const r2 = f.pwrss();
  const s2 = sigma * sigma;
  const dof = reml ? dev.n - dev.p : dev.n;
  const v = f.logDetZ() + (reml ? f.logDetX() : 0) + dof * (LOG_2PI + Math.log(s2)) + r2 / s2;
  return Number.isFinite(v) ? v : Infinity;
}

/** The frame without fixed-effect column j, its response y − v·x_j (a fixed effect's profile at v). */
export function frameWithoutColumn(frame: ModelFrame, j: number): { frame: ModelFrame; responseAt: (v: number) => Float64Array } {
  const reduced: ModelFrame = { ...frame, X: frame.X.filter((_, a) => a !== j), xNames: frame.xNames.filter((_, a) => a !== j), method: "ML" };
  const xj = frame.X[j], y = frame.y;
  const responseAt = (v: number): Float64Array => {
    const out = new Float64Array(y.length);
    for (let i = 0; i < out.length; i++) out[i] = y[i] - v * xj[i];
    return out;
  };
  return { frame: reduced, responseAt };
}

/** X β on the frame's rows (the mean of simulated responses). */
export function fixedPart(frame: ModelFrame, beta: ArrayLike<number>): Float64Array {
  const n = frame.y.length;
  const mu = new Float64Array(n);
  frame.X.forEach((col, a) => { const b = beta[a]; for (let i = 0; i < n; i++) mu[i] += col[i] * b; });
  return mu;
}
