/**
 * Kenward and Roger's adjusted covariance and denominator degrees of freedom, as pbkrtest
 * computes them (vcovAdj, .KR_adjust, Lb_ddf), in the linear covariance parameters γ
 * (Σ = Σ_r γ_r G_r, so its second derivatives vanish):
 *   W = 2 I₂⁻¹, I₂ = [tr(P G_r P G_s)] (twice the expected REML information),
 *   U = Σ_rs W_rs (Q_rs − P_r Φ P_s),   Φ_A = Φ + 2 Φ U Φ,
 * and for a hypothesis L (q rows), with B = (LΦL')⁻¹ and C_r = L (∂Φ/∂γ_r) L':
 *   A₁ = Σ_rs W_rs tr(BC_r) tr(BC_s),  A₂ = Σ_rs W_rs tr(BC_r B C_s),
 * then pbkrtest's ρ, the df and the F scaling. pbkrtest forms n×n matrices; P_r, Q_rs and I₂
 * come here from the block structure (varianceDerivatives.ts).
 */
import { MixedLMError } from "../errors";
import { ContrastTests, contrastCovariance, dot, fRow, FTest, TTest } from "./contrastTests";
import { fUpperP, tTwoSidedP } from "./distributions";
import type { FitView } from "./fitView";
import { internalHypothesis, normalizedContrast, toReportedCovariance } from "./reportedScale";
import { inverseSPD, mul, pseudoInverseSymmetric, quadraticForm, symmetricEigen, traceOfProduct } from "../smallMatrix";
import type { VarianceDerivatives } from "./varianceDerivatives";

export interface KenwardRogerBasis {
  p: number;
  phi: Float64Array;
  phiAdjusted: Float64Array;
  /** ∂Φ/∂γ_r (Φ, its adjustment and these on the internal coefficients). */
  dPhi: Float64Array[];
  W: Float64Array;
}

export function kenwardRogerBasis(view: FitView, d: VarianceDerivatives): KenwardRogerBasis {
  if (!view.reml) {
    throw new MixedLMError("option", "Kenward-Roger's method is defined for REML fits (as in lmerTest): fit with REML, or use Satterthwaite's method.");
  }
  const m = d.m, p = d.p;
  // pbkrtest inverts I₂, or takes its generalised inverse when it is singular
  const W = pseudoInverseSymmetric(d.information2, m, (v, largest) => Math.abs(v) > Math.sqrt(2.220446049250313e-16) * largest).map((v) => 2 * v);
  const U = new Float64Array(p * p);
  for (let r = 0; r < m; r++) {
    const PrPhi = mul(d.P[r], d.phi, p, p, p);
    for (let s = 0; s < m; s++) {
      const w = W[s * m + r];
      if (w === 0) continue;
      const PPP = mul(PrPhi, d.P[s], p, p, p);
      const Q = d.Q[r * m + s];
      for (let e = 0; e < p * p; e++) U[e] += w * (Q[e] - PPP[e]);
    }
  }
  // symmetrise (Σ_rs W_rs Q_rs is symmetric in exact arithmetic)
  for (let j = 0; j < p; j++) for (let i = 0; i < j; i++) { const v = (U[j * p + i] + U[i * p + j]) / 2; U[j * p + i] = U[i * p + j] = v; }
  const phiU = mul(mul(d.phi, U, p, p, p), d.phi, p, p, p);
  const adjusted = d.phi.map((v, e) => v + 2 * phiU[e]);
  // in internal coordinates: contrasts are mapped there (reportedScale.ts)
  return { p, phi: d.phi, phiAdjusted: adjusted, dPhi: d.dPhi, W };
}

/** A₁, A₂ of a hypothesis (pbkrtest's .KR_adjust and Lb_ddf). */
function aTerms(b: KenwardRogerBasis, L: ArrayLike<number>[]): { A1: number; A2: number } {
  const q = L.length, m = b.dPhi.length;
  const B = inverseSPD(contrastCovariance(L, b.phi, b.p), q) ?? pseudoInverseSymmetric(contrastCovariance(L, b.phi, b.p), q, (v, big) => Math.abs(v) > 1e-10 * big);
  const BC = b.dPhi.map((D) => mul(B, contrastCovariance(L, D, b.p), q, q, q));
  const trBC = BC.map((X) => { let s = 0; for (let i = 0; i < q; i++) s += X[i * q + i]; return s; });
  let A1 = 0, A2 = 0;
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) {
    const w = b.W[s * m + r];
    A1 += w * trBC[r] * trBC[s];
    A2 += w * traceOfProduct(BC[r], BC[s], q);
  }
  return { A1, A2 };
}

/** pbkrtest's df and F scaling for q = rank(L). */
export function kenwardRogerDf(A1: number, A2: number, q: number): { df: number; scaling: number } {
  const B = (A1 + 6 * A2) / (2 * q);
  const g = ((q + 1) * A1 - (q + 4) * A2) / ((q + 2) * A2);
  const c1 = g / (3 * q + 2 * (1 - g));
  const c2 = (q - g) / (3 * q + 2 * (1 - g));
  const c3 = (q + 2 - g) / (3 * q + 2 * (1 - g));
  let V0 = 1 + c1 * B;
  const V1 = 1 - c2 * B, V2 = 1 - c3 * B;
  if (Math.abs(V0) < 1e-10) V0 = 0;
  const ratio = Math.abs(1 - A2 / q) < 1e-14 && Math.abs(V1) < 1e-14 ? 1 : (1 - A2 / q) / V1;
  const rho = (1 / q) * ratio * ratio * (V0 / V2);
  const df = 4 + (q + 2) / (q * rho - 1);
  const scaling = Math.abs(df - 2) < 1e-2 ? 1 : (df * (1 - A2 / q)) / (df - 2);
  return { df, scaling };
}

/** Matrix::rankMatrix's default: singular values above max(dim) · ε · the largest. */
function rank(L: ArrayLike<number>[], p: number): number {
  const q = L.length;
  const G = new Float64Array(q * q);
  for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) G[b * q + a] = dot(L[a], L[b]);
  const sv = Array.from(symmetricEigen(G, q).values, (v) => Math.sqrt(Math.max(v, 0)));
  const tol = Math.max(q, p) * 2.220446049250313e-16 * sv[0];
  return sv.filter((s) => s > tol).length;
}

export function kenwardRogerTests(view: FitView, d: VarianceDerivatives): ContrastTests {
  const b = kenwardRogerBasis(view, d);
  const beta = view.betaInternal, p = b.p, s = view.yScale;
  // σ = s σ_int: finite where σ² overflows (a response near 1e160)
  const sigma = s * Math.sqrt(view.sigma2);
  // every contrast on the internal coefficients (reportedScale.ts); yScale outside the square roots
  const tTest = (reported: ArrayLike<number>): TTest => {
    const { row: l, scale } = normalizedContrast(view, reported);
    const estimate = dot(l, beta);
    const stdErr = Math.sqrt(quadraticForm(l, b.phiAdjusted, p));
    const { A1, A2 } = aTerms(b, [l]);
    const { df } = kenwardRogerDf(A1, A2, 1);
    const t = estimate / stdErr;
    return { estimate: s * scale * estimate, stdErr: s * scale * stdErr, df, t, p: tTwoSidedP(t, df) };
  };
  const fTest = (reported: ArrayLike<number>[]): FTest => {
    const L = internalHypothesis(view, reported);
    const q = rank(L, p);
    if (q === 0) return fRow(NaN, 0, NaN, sigma, NaN);
    const { A1, A2 } = aTerms(b, L);
    const { df, scaling } = kenwardRogerDf(A1, A2, q);
    const Lb = Float64Array.from(L, (l) => dot(l, beta));
    const VA = contrastCovariance(L, b.phiAdjusted, p);
    const VAinv = inverseSPD(VA, L.length) ?? pseudoInverseSymmetric(VA, L.length, (v, big) => Math.abs(v) > 1e-10 * big);
    const FU = quadraticForm(Lb, VAinv, L.length) / q;
    return fRow(FU, q, df, sigma, fUpperP(FU * scaling, q, df), scaling);
  };
  return { method: "kenward-roger", tTest, fTest, vcov: toReportedCovariance(view, b.phiAdjusted) };
}
