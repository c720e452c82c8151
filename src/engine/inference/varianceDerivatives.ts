/**
 * Exact first and second derivatives of what Satterthwaite and Kenward-Roger need, with respect
 * to the linear covariance parameters γ (covarianceParameters.ts; Σ = Σ_r γ_r G_r, the residual
 * variance last), from the contractions of traces.ts and quadraticForms.ts. With Φ = Cov(β̂) =
 * (X'Σ⁻¹X)⁻¹, P_r = X'Σ⁻¹G_rΣ⁻¹X, Q_rs = X'Σ⁻¹G_rΣ⁻¹G_sΣ⁻¹X and the REML projection
 * P = Σ⁻¹ − Σ⁻¹XΦX'Σ⁻¹:
 *   ∂Φ/∂γ_r = Φ P_r Φ
 *   tr(P G_r P G_s) = tr(Σ⁻¹G_rΣ⁻¹G_s) − 2 tr(Φ Q_rs) + tr(Φ P_r Φ P_s)     (pbkrtest's IE2)
 *   ∂f/∂γ_r = tr(Σ⁻¹G_r) − tr(Φ P_r) − y'PG_rPy                              (f = −2 log L_REML)
 *   ∂²f/∂γ_r∂γ_s = −tr(P G_r P G_s) + 2 y'PG_rPG_sPy
 * (for ML, the terms in Φ drop out of the first two). The residual variance's rows follow from
 * Σ = Σ_r γ_r G_r (the derivatives are homogeneous), e.g. Σ_s γ_s tr(Σ⁻¹G_rΣ⁻¹G_s) = tr(Σ⁻¹G_r).
 */
import { covarianceParameters, CovarianceParameters } from "./covarianceParameters";
import type { FitView } from "./fitView";
import { marginalX } from "./marginalX";
import { pForms, qForms, toResidualColumns } from "./quadraticForms";
import { inverseSPD, mul, traceOfProduct, transpose } from "../smallMatrix";
import { splitInverse, SplitOptions } from "./splitInverse";
import { traces } from "./traces";
import { MixedLMError } from "../errors";

export interface VarianceDerivatives {
  cov: CovarianceParameters;
  /** Number of parameters, the residual variance last. */
  m: number;
  p: number;
  /** Φ = Cov(β̂) on the internal scale, p×p. */
  phi: Float64Array;
  /** ∂Φ/∂γ_r = Φ P_r Φ. */
  dPhi: Float64Array[];
  /** P_r = X'Σ⁻¹G_rΣ⁻¹X. */
  P: Float64Array[];
  /** Q_rs = X'Σ⁻¹G_rΣ⁻¹G_sΣ⁻¹X at index r·m + s. */
  Q: Float64Array[];
  /** tr(P G_r P G_s) (m×m): twice the expected REML information. */
  information2: Float64Array;
  /** Gradient and Hessian in γ of the criterion the model was fitted with (−2 log L, REML or ML). */
  gradient: Float64Array;
  hessian: Float64Array;
  /** GLS coefficients from these computations (internal). */
  beta: Float64Array;
}

/** Parameter-level quantities on the scale of σ² (V₀ = Σ/σ²), the residual last. */
interface RelativeForms {
  T: Float64Array;
  t: Float64Array;
  P: Float64Array[];
  Q: Float64Array[];
  WVW: Float64Array;
}

export function varianceDerivatives(view: FitView, options: SplitOptions = {}): VarianceDerivatives {
  const cov = covarianceParameters(view);
  const si = splitInverse(view, options);
  const mxy = marginalX(si);
  const p = view.p, p1 = p + 1;
  const XVX = new Float64Array(p * p);
  for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) XVX[b * p + a] = mxy.WVW[b * p1 + a];
  const XVXinv = inverseSPD(XVX, p);
  if (!XVXinv) throw new MixedLMError("model", "X'V⁻¹X is not positive definite: the fixed effects are collinear, so their tests cannot be computed.");
  const beta = mul(XVXinv, mxy.WVW.subarray(p * p1, p * p1 + p), p, p, 1);
  const mx = toResidualColumns(mxy, beta);
  const tr = traces(si, cov.entries);
  const rel = withResidual(aggregate(cov, tr.T, tr.t, pForms(si, mx, cov.entries), qForms(si, mx, cov.entries), mx.WVW), cov, view.n);
  return toSigmaScale(rel, cov, view, XVXinv, beta);
}

/** Sums the entries' forms into the parameters' (variance components that share a θ add up). */
function aggregate(cov: CovarianceParameters, Te: Float64Array, te: Float64Array, Pe: Float64Array[], Qe: Float64Array[], WVW: Float64Array): RelativeForms {
  const me = cov.entries.length, m = cov.params.length, p1sq = WVW.length;
  const T = new Float64Array(m * m), t = new Float64Array(m);
  const P = cov.params.map(() => new Float64Array(p1sq));
  const Q = Array.from({ length: m * m }, () => new Float64Array(p1sq));
  cov.params.forEach((er, r) => {
    for (const e of er) {
      t[r] += te[e];
      for (let k = 0; k < p1sq; k++) P[r][k] += Pe[e][k];
      cov.params.forEach((fs, s) => {
        for (const f of fs) {
          T[s * m + r] += Te[f * me + e];
          const q = Qe[e * me + f], out = Q[r * m + s];
          for (let k = 0; k < p1sq; k++) out[k] += q[k];
        }
      });
    }
  });
  return { T, t, P, Q, WVW };
}

/** The residual variance's row and column, from V₀ = I + Σ_s ψ_s G_s. */
function withResidual(f: RelativeForms, cov: CovarianceParameters, n: number): RelativeForms {
  const m = cov.params.length, s0 = m - 1, p1sq = f.WVW.length, p1 = Math.round(Math.sqrt(p1sq));
  const psi = cov.params.map((er) => (er.length > 0 ? cov.psi[er[0]] : 0));
  let trV = n;
  for (let s = 0; s < s0; s++) trV -= psi[s] * f.t[s];
  f.t[s0] = trV;
  for (let r = 0; r < s0; r++) {
    let v = f.t[r];
    for (let s = 0; s < s0; s++) v -= psi[s] * f.T[s * m + r];
    f.T[s0 * m + r] = f.T[r * m + s0] = v;
  }
  let vv = trV;
  for (let s = 0; s < s0; s++) vv -= psi[s] * f.T[s * m + s0];
  f.T[s0 * m + s0] = vv;
  const Ps = Float64Array.from(f.WVW);
  for (let s = 0; s < s0; s++) for (let k = 0; k < p1sq; k++) Ps[k] -= psi[s] * f.P[s][k];
  f.P[s0] = Ps;
  for (let r = 0; r < s0; r++) {
    const Qr = Float64Array.from(f.P[r]);
    for (let s = 0; s < s0; s++) for (let k = 0; k < p1sq; k++) Qr[k] -= psi[s] * f.Q[r * m + s][k];
    f.Q[r * m + s0] = Qr;
    f.Q[s0 * m + r] = transpose(Qr, p1, p1);
  }
  const Qss = Float64Array.from(Ps);
  for (let s = 0; s < s0; s++) for (let k = 0; k < p1sq; k++) Qss[k] -= psi[s] * f.Q[s0 * m + s][k];
  f.Q[s0 * m + s0] = Qss;
  return f;
}

/** The X block (p×p) of a p1×p1 form; its [X, e] column; its [e, e] entry. */
function xBlock(A: Float64Array, p: number): Float64Array {
  const p1 = p + 1, out = new Float64Array(p * p);
  for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) out[b * p + a] = A[b * p1 + a];
  return out;
}

/** From the relative forms (V₀ = Σ/σ²) to Σ's scale, and the information, gradient and Hessian. */
function toSigmaScale(f: RelativeForms, cov: CovarianceParameters, view: FitView, XVXinv: Float64Array, beta: Float64Array): VarianceDerivatives {
  const m = cov.params.length, p = view.p, p1 = p + 1, s2 = view.sigma2;
  const phi = XVXinv.map((v) => v * s2);
  const P = f.P.map((A) => xBlock(A, p).map((v) => v / (s2 * s2)));
  const Q = f.Q.map((A) => xBlock(A, p).map((v) => v / (s2 * s2 * s2)));
  const dPhi = P.map((Pr) => mul(mul(phi, Pr, p, p, p), phi, p, p, p));
  const PhiP = P.map((Pr) => mul(phi, Pr, p, p, p));
  const information2 = new Float64Array(m * m), hessian = new Float64Array(m * m), gradient = new Float64Array(m);
  const xe = (A: Float64Array) => A.subarray(p * p1, p * p1 + p); // W'…e, the X rows of the last column
  for (let r = 0; r < m; r++) {
    const trPhiP = traceOfProduct(XVXinv, xBlock(f.P[r], p), p);
    gradient[r] = (f.t[r] - (view.reml ? trPhiP : 0) - f.P[r][p1 * p1 - 1] / s2) / s2;
    for (let s = 0; s < m; s++) {
      const ktrace = f.T[s * m + r] / (s2 * s2);
      const reml = view.reml ? -2 * traceOfProduct(phi, Q[r * m + s], p) + traceOfProduct(PhiP[r], PhiP[s], p) : 0;
      information2[s * m + r] = ktrace + reml;
      // y'PG_rPG_sPy = [Q_rs[e, e] − P_r[X, e]' (X'V₀⁻¹X)⁻¹ P_s[X, e]] / σ⁶
      const ee = f.Q[r * m + s][p1 * p1 - 1];
      const cross = mul(XVXinv, xe(f.P[s]), p, p, 1).reduce((acc, v, a) => acc + v * xe(f.P[r])[a], 0);
      hessian[s * m + r] = -information2[s * m + r] + (2 * (ee - cross)) / (s2 * s2 * s2);
    }
  }
  return { cov, m, p, phi, dPhi, P, Q, information2, gradient, hessian, beta };
}
