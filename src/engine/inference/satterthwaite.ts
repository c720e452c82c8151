/**
 * Satterthwaite's denominator degrees of freedom, as lmerTest computes them: for a contrast l,
 *   ν = 2 (l'Φl)² / (g' A g),  g_k = l' (∂Φ/∂φ_k) l,  A = 2 H⁻¹,
 * with φ = (θ, σ), Φ = Cov(β̂) and H the Hessian of the criterion the model was fitted with
 * (−2 log L, REML or ML) in φ, inverted on its positive eigenvalues. lmerTest differentiates
 * numerically; here ∂Φ/∂γ and the Hessian in γ are exact (varianceDerivatives.ts) and reach φ by
 * the chain rule, H_φ = J'H_γJ + Σ_r (∂f/∂γ_r) ∂²γ_r/∂φ², which also covers a variance on the
 * boundary (θ_k = 0), where lmerTest's parametrisation leaves that variance out.
 */
import { gammaOfPhi } from "./covarianceParameters";
import { ContrastTests, contrastCovariance, dot, fRow, fStatisticDdf, FTest, TTest } from "./contrastTests";
import { fUpperP, tTwoSidedP } from "./distributions";
import type { FitView } from "./fitView";
import { internalHypothesis, normalizedContrast, toReportedCovariance } from "./reportedScale";
import { pseudoInverseSymmetric, quadraticForm, symmetricEigen } from "../smallMatrix";
import { VarianceDerivatives } from "./varianceDerivatives";

/** The pieces of every Satterthwaite test: Φ, ∂Φ/∂φ_k (internal coefficients: contrasts are mapped there, reportedScale.ts) and A = Cov(φ̂). */
export interface SatterthwaiteBasis {
  p: number;
  phi: Float64Array;
  dPhi: Float64Array[];
  varparCov: Float64Array;
}

export function satterthwaiteBasis(view: FitView, d: VarianceDerivatives): SatterthwaiteBasis {
  const g = gammaOfPhi(view, d.cov);
  const m = d.m, nPhi = view.theta.length + 1, p = d.p;
  const J = g.jacobian;
  // H_φ = J'H_γJ + Σ_r f_r ∂²γ_r/∂φ²
  const H = new Float64Array(nPhi * nPhi);
  for (let l = 0; l < nPhi; l++) for (let k = 0; k < nPhi; k++) {
    let s = 0;
    for (let r = 0; r < m; r++) for (let t = 0; t < m; t++) s += J[k * m + r] * d.hessian[t * m + r] * J[l * m + t];
    for (let r = 0; r < m; r++) s += d.gradient[r] * g.hessians[r][l * nPhi + k];
    H[l * nPhi + k] = s;
  }
  // lmerTest keeps the eigenvalues above 1e-8; on the unit-diagonal scaling, relative to the largest
  const Hinv = pseudoInverseSymmetric(H, nPhi, (v, largest) => v > 1e-8 * largest);
  const varparCov = Hinv.map((v) => 2 * v);
  const dPhi = Array.from({ length: nPhi }, (_, k) => {
    const out = new Float64Array(p * p);
    for (let r = 0; r < m; r++) { const jr = J[k * m + r]; if (jr !== 0) for (let e = 0; e < p * p; e++) out[e] += d.dPhi[r][e] * jr; }
    return out;
  });
  return { p, phi: d.phi, dPhi, varparCov };
}

/**
 * ν for one contrast row, as 2 / (g̃'A g̃) with g̃ = g / l'Φl: the same number without the
 * fourth powers of the response's unit, which overflow past y × 1e77 and underflow below
 * y × 1e-77 (the variance squared).
 */
function satterthwaiteDf(b: SatterthwaiteBasis, l: ArrayLike<number>, variance: number): number {
  const n = b.dPhi.length;
  const g = b.dPhi.map((D) => quadraticForm(l, D, b.p) / variance);
  let denom = 0;
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) denom += g[j] * b.varparCov[k * n + j] * g[k];
  return 2 / denom;
}

export function satterthwaiteTests(view: FitView, d: VarianceDerivatives): ContrastTests {
  const b = satterthwaiteBasis(view, d);
  const beta = view.betaInternal, p = b.p, s = view.yScale;
  // σ = s σ_int: finite where σ² overflows (a response near 1e160)
  const sigma = s * Math.sqrt(view.sigma2);
  // on internal contrasts (reportedScale.ts): estimate and standard error carry yScale outside
  const internalTTest = (l: Float64Array, scale = 1): TTest => {
    const estimate = dot(l, beta);
    const variance = quadraticForm(l, b.phi, p);
    const df = satterthwaiteDf(b, l, variance);
    const stdErr = Math.sqrt(variance);
    const t = estimate / stdErr;
    return { estimate: s * scale * estimate, stdErr: s * scale * stdErr, df, t, p: tTwoSidedP(t, df) };
  };
  const tTest = (reported: ArrayLike<number>): TTest => { const { row, scale } = normalizedContrast(view, reported); return internalTTest(row, scale); };
  const fTest = (reported: ArrayLike<number>[]): FTest => {
    const L = internalHypothesis(view, reported);
    // lmerTest's contestMD: rotate L onto the eigenvectors of LΦL' and drop the null directions
    const VL = contrastCovariance(L, b.phi, p);
    const { values, vectors } = symmetricEigen(VL, L.length);
    const tol = Math.max(Math.sqrt(2.220446049250313e-16) * values[0], 0);
    const q = Array.from(values).filter((v) => v > tol).length;
    if (q === 0) return fRow(NaN, 0, NaN, sigma, NaN);
    const rows = Array.from({ length: q }, (_, m) => {
      const row = new Float64Array(p);
      L.forEach((l, a) => { const w = vectors[m * L.length + a]; for (let j = 0; j < p; j++) row[j] += w * l[j]; });
      return row;
    });
    if (q === 1) {
      const t = internalTTest(rows[0]);
      return fRow(t.t * t.t, 1, t.df, sigma, t.p);
    }
    const F = rows.reduce((s, row, m) => s + (dot(row, beta) / Math.sqrt(values[m])) ** 2, 0) / q;
    const nu = rows.map((row, m) => satterthwaiteDf(b, row, values[m]));
    const ddf = fStatisticDdf(nu);
    return fRow(F, q, ddf, sigma, fUpperP(F, q, ddf));
  };
  return { method: "satterthwaite", tTest, fTest, vcov: toReportedCovariance(view, b.phi) };
}
