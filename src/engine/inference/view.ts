/**
 * The one place where the inference layer reads a fit's quantities and refits models.
 *
 * Every refit (profiles, bootstrap, likelihood-ratio tests) goes through the engine's own path,
 * fitCore on a ProfiledDeviance, and every number is read through the functions below. The fit
 * works on an internal, unit-free problem (standardize.ts: FitCore.transform); FitCore's numbers
 * are the data's, and the functions here that evaluate the deviance map θ, σ and the criterion
 * between the two, so that nothing else in src/engine/inference sees the internal problem.
 */
import { fitCore, FitCore, ProfiledDeviance } from "../fit";
import { Method, ModelFrame } from "../model";
import { fixedPrediction } from "../prediction";
import { checkSpan } from "../identifiability";
import { fixedColumnsForFit, termColumnsForFit } from "../centredProducts";
import { standardize, Standardization } from "../standardize";

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
    // s σ_int, not √σ²: finite where σ² overflows (a response near 1e160)
    sigma: core.transform.sigma(core.internal.sigma2),
    theta: core.theta,
    minusTwoLogLik: core.minusTwoLogLik,
    reml: core.deviance.reml,
    n: core.frame.y.length,
    p: core.frame.X.length,
  };
}

/** √diag(betaCov) of FitQuantities, formed without betaCov: finite where its entries overflow (a response near 1e160). */
export function betaStdErrors(core: FitCore): Float64Array {
  return core.transform.betaStdErr(core.internal.betaCov);
}

/**
 * The same frame (rows, design, terms) fitted by another criterion, on the fit's own internal
 * problem and cross-products (standardize.ts's map depends on the method only through the frame
 * it carries): no second pass over the rows. Its θ is the optimiser's, polished as a refit's
 * (fitCore's criterionOnly): what profiles need of it is its criterion, and a centre to start from.
 */
export function refitByMethod(core: FitCore, method: Method): FitCore {
  if ((method === "REML") === core.deviance.reml) return core;
  // what the other criterion cannot fit (ML's likelihood without a maximum) is a message, as buildModel's
  const f = core.frame;
  checkSpan(f.terms.map((t) => ({ ...t, z: termColumnsForFit(t) })), f.y.length, f.nTheta, fixedColumnsForFit(f), f.xNames, method);
  const t = core.transform;
  const transform = new Standardization({ ...t.internal, method }, t.response, t.fixed, t.terms);
  const deviance = new ProfiledDeviance(transform.internal, method, { sameProblem: core.deviance });
  return fitCore({ ...f, method }, { refit: { transform, deviance } });
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
    core.deviance.update(core.internal.theta);
  }
}

/** What refits of one frame with other responses share: its transform and a deviance on its internal problem. */
export interface RefitContext {
  frame: ModelFrame;
  transform: Standardization;
  deviance: ProfiledDeviance;
}

/** A context for refits of the frame with other responses (refitResponse), by `method`. */
export function devianceFor(frame: ModelFrame, method: Method = frame.method): RefitContext {
  const f: ModelFrame = { ...frame, method };
  const transform = standardize(f);
  return { frame: f, transform, deviance: new ProfiledDeviance(transform.internal, method) };
}

/**
 * Refits with response y on the same rows and design: only y's cross-products are recomputed
 * (on the internal problem, through the context's transform). `start`: a θ on the data's columns.
 */
export function refitResponse(ctx: RefitContext, y: Float64Array, start?: Float64Array): FitCore {
  ctx.deviance.setResponse(ctx.transform.internalResponse(y));
  return fitCore({ ...ctx.frame, y }, { refit: ctx, start });
}

/**
 * −2 log-likelihood at (θ, σ) with β profiled out and σ not: lme4's devfun2 for ML,
 *   log|L_Z|² + n log(2πσ²) + r²(θ)/σ²,
 * and for REML log|L_Z|² + log|R_X|² + (n − p) log(2πσ²) + r²(θ)/σ². Minimised over σ it is the
 * profiled deviance of fit.ts. Infinity where the factor cannot be formed.
 */
export function criterionAt(core: FitCore, theta: ArrayLike<number>, sigma: number, reml: boolean): number {
  const t = core.transform;
  // the internal problem's θ and σ (y_int = (y − X_int γ)/s): σ_int = σ/s
  const s = t.response.scale;
  const dof = reml ? core.deviance.n - core.deviance.p : core.deviance.n;
  // back to the data's scale: the Jacobian of y → y_int, and REML's log det(X'V⁻¹X) under X = X_int B⁻¹
  const v = internalCriterionAt(core, t.internalTheta(theta), sigma / s, reml) + 2 * dof * Math.log(s) - (reml ? 2 * t.fixed.logAbsDetB : 0);
  return Number.isFinite(v) ? v : Infinity;
}

/**
 * criterionAt on the internal problem: its θ and σ_int = σ/s in the internal response's unit,
 * without the constant that maps the criterion to the data's. Second differences of it keep
 * their digits where the data's criterion is 1e5 (a response × 1e150 adds 2(n − p) log s to it).
 */
export function internalCriterionAt(core: FitCore, thetaInt: Float64Array, sigmaInt: number, reml: boolean): number {
  const dev = core.deviance;
  if (!(sigmaInt > 0) || !dev.updateIfNeeded(thetaInt)) return Infinity;
  const f = dev.factor;
  const r2 = f.pwrss();
  const s2 = sigmaInt * sigmaInt;
  const dof = reml ? dev.n - dev.p : dev.n;
  const v = f.logDetZ() + (reml ? f.logDetX() : 0) + dof * (LOG_2PI + Math.log(s2)) + r2 / s2;
  return Number.isFinite(v) ? v : Infinity;
}

/** The fit's internal coordinates of the variance parameters, for work that must not depend on the data's units (varianceSE.ts). */
export interface InternalVarianceCoordinates {
  /** θ of the internal problem (the fit's optimum). */
  theta: Float64Array;
  /** σ_int: σ in the internal response's unit. */
  sigma: number;
  /** s: the data's response = s × the internal one; the data's covariances are s² D_k Ψ_int D_k'. */
  responseScale: number;
  /** D_k (q×q, column-major) of frame term k: its effects on the data's columns are D_k times the internal ones. */
  termMatrix(k: number): Float64Array;
}

export function internalVarianceCoordinates(core: FitCore): InternalVarianceCoordinates {
  const t = core.transform;
  return { theta: core.internal.theta, sigma: Math.sqrt(core.internal.sigma2), responseScale: t.response.scale, termMatrix: (k) => t.termMatrix(k) };
}

/**
 * The ML criterion with fixed effect j held at v, as a function of the internal θ (a fixed
 * effect's profile minimises it over θ). On the fit's internal problem β = B (γ + s β_int), so
 * β_j = v is the linear constraint c'β_int = w(v), c = B'e_j, w(v) = (v − e_j'B γ) / s (s kept
 * out of c: c'c would be s² and overflow for a response near 1e160). For a given θ the
 * penalised residual sum of squares minimised under it is
 *   r²_v(θ) = r²(θ) + (c'β̂_int(θ) − w)² / c'(X'V⁻¹X)⁻¹c
 * (the Schur complement), and with L_X L_X' = X'V⁻¹X (L[X][X] of the factor) c'β̂ = (L_X⁻¹c)'l and
 * c'(X'V⁻¹X)⁻¹c = |L_X⁻¹c|²: one triangular solve of size p on the factor at θ, so a refit of the
 * constrained model needs neither a model of its own nor β̂. `at` is −2 log L of the internal
 * problem's ML fit (σ profiled), whose second differences keep their digits at any unit of the
 * response; `offset` maps it to the data's (2n log s). Working on the internal problem keeps the
 * digits that taking β_j x_j off the data's response (lme4's way) loses when x_j is far from
 * zero: the intercept of a fit on x + 1e9 sits near −1e9 β_x. `start`: the fit's internal θ.
 */
export function fixedEffectCriterion(core: FitCore, j: number): { at: (v: number, thetaInt: Float64Array) => number; offset: number; start: Float64Array } {
  const dev = core.deviance, t = core.transform, f = dev.factor;
  if (dev.reml) throw new Error("fixedEffectCriterion: the profile of a fixed effect is on the ML criterion");
  const p = dev.p, p1 = p + 1, n = dev.n;
  const B = t.fixed.B, s = t.response.scale, gamma = t.response.shift;
  // c = B'e_j (row j of B, column-major), and e_j'B γ
  const c = Float64Array.from({ length: p }, (_, a) => B[a * p + j]);
  let bGamma = 0;
  for (let a = 0; a < p; a++) bGamma += B[a * p + j] * gamma[a];
  const constant = n * (1 + LOG_2PI - Math.log(n));
  const w = new Float64Array(p);
  const at = (v: number, thetaInt: Float64Array): number => {
    if (!dev.update(thetaInt)) return Infinity;
    const L = f.LXX;
    // w = L_X⁻¹ c (forward substitution on the lower triangle of L[X][X], column-major)
    let cBeta = 0, cc = 0;
    for (let a = 0; a < p; a++) {
      let x = c[a];
      for (let k = 0; k < a; k++) x -= L[k * p1 + a] * w[k];
      x /= L[a * p1 + a];
      w[a] = x;
      cBeta += x * L[a * p1 + p];
      cc += x * x;
    }
    const d = cBeta - (v - bGamma) / s;
    const r2 = f.pwrss() + (d * d) / cc;
    const value = f.logDetZ() + n * Math.log(r2) + constant;
    return r2 > 0 && Number.isFinite(value) ? value : Infinity;
  };
  return { at, offset: 2 * n * Math.log(s), start: Float64Array.from(core.internal.theta) };
}

/**
 * X β̂ on the frame's rows (the mean of simulated responses), as X_int (γ + s β̂_int): a product
 * of covariates far from zero formed as the formula writes it has lost digits (centredProducts.ts).
 */
export function fixedPart(core: FitCore): Float64Array {
  return fixedPrediction(core, core.transform.internal.X, core.frame.y.length);
}
