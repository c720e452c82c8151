/**
 * The one place the inference layer reads a fit's internals. Everything downstream works in the
 * fit's internal coordinates (the cross-products the factor was built from); covariances of β̂
 * and their derivatives are mapped to the reported coefficients through betaMap and yScale
 * (reportedScale.ts) before any contrast meets them. The fit works on a unit-free internal problem
 * (standardize.ts: X_int = X B, y_int = (y − X_int γ)/s), so β = B(γ + s β_int) and
 * Cov(β̂) = s² B Cov(β̂_int) B': betaMap = B, yScale = s. The df do not depend on the variance
 * parameters' coordinates (exact derivatives), so θ and σ are the internal ones throughout.
 */
import type { CrossProducts } from "../crossprod";
import type { FitCore } from "../fit";

export interface FitView {
  /** Cross-products of [Z X y]; terms in factorisation order (most levels first). */
  cp: CrossProducts;
  /** Relative covariance factor template T_j of each term (q×q, column-major lower triangle), factorisation order. */
  T: Float64Array[];
  /** θ index of each template entry (−1 = fixed zero), factorisation order. */
  thetaIndex: Int32Array[];
  theta: Float64Array;
  n: number;
  p: number;
  reml: boolean;
  /** σ² on the internal scale. */
  sigma2: number;
  /** Reported β = betaMap · internal β (p×p column-major); null = identity. */
  betaMap: Float64Array | null;
  /** Reported response = yScale · internal response. */
  yScale: number;
  /** The reported coefficients and their names. */
  beta: Float64Array;
  /** β̃ = γ / yScale + β_int: reported β = yScale · betaMap · β̃ (standardize.ts), of order one whatever the columns' offsets. */
  betaInternal: Float64Array;
  names: string[];
  /**
   * The fit's lower Cholesky factor of S = I + Λ_R'Z_R'V₁⁻¹Z_RΛ_R (n×n column-major) when the terms
   * after the first are one dense block of the factor (two crossed terms), else null.
   */
  restFactor: Float64Array | null;
}

export function fitView(core: FitCore): FitView {
  const dev = core.deviance;
  const frame = core.frame;
  const f = dev.factor;
  const internal = core.internal;
  const atOptimum = dev.updateIfNeeded(internal.theta);
  return {
    cp: dev.cp,
    T: dev.templates(internal.theta),
    thetaIndex: dev.order.map((k) => frame.terms[k].thetaIndex),
    theta: internal.theta,
    n: dev.n,
    p: dev.p,
    reml: dev.reml,
    sigma2: internal.sigma2,
    betaMap: core.transform.fixed.B,
    yScale: core.transform.response.scale,
    beta: core.beta,
    betaInternal: Float64Array.from(internal.beta, (b, a) => core.transform.response.shift[a] / core.transform.response.scale + b),
    names: frame.xNames,
    restFactor: atOptimum && f.K === 2 && f.diagKind[1] === "dense" ? f.Ldiag[1] : null,
  };
}
