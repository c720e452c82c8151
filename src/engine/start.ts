/**
 * Starting values of θ from moments, read off the cross-products (nothing per row).
 *
 * lme4 and MixedModels.jl start every term at Λ = I (θ = 1 on the diagonal), whatever the data;
 * from there the optimiser spends most of its evaluations getting near the optimum. Here each
 * term starts where a two-stage estimate puts it: the residuals e of the ordinary least-squares
 * fit of the fixed effects are regressed on the term's columns within each of its levels; the
 * spread of those per-level coefficients b_ℓ, less their sampling variance, estimates the term's
 * covariance Ψ, and the pooled within-level residual variance estimates σ²:
 *
 *   Ψ̂ = cov(b_ℓ) − σ̂² mean((Z_ℓ'Z_ℓ)⁻¹),   θ from chol(Ψ̂ / σ̂²).
 *
 * In a crossed design the within-level variance of one term still holds the others' variance
 * (a plate's readings differ by sample too), so σ̂² is the smallest within-level variance less the
 * variances of the terms crossed with that one.
 *
 * It is a starting point only: the optimiser goes from there to the optimum, with Newton steps
 * when there are few parameters (optimizer.ts). A variance estimated at or below zero starts at a small
 * positive value, not at zero, where the deviance is stationary by symmetry.
 */
import type { CrossProducts } from "./crossprod";
import { cholesky, solveCholesky } from "./dense";

/**
 * Smallest diagonal element of a starting T (relative standard deviation). The start is taken on
 * the internal problem (standardize.ts), whose effect columns have unit root mean square, so
 * this floor means the same whatever the covariates' units.
 */
const MIN_START = 0.1;

/**
 * θ from moments, or null when the data do not allow it (X not of full rank, too few levels with
 * enough rows). `thetaIndex[j]` maps factorisation term j's template (q×q column-major lower
 * triangle) to θ (−1: fixed at zero).
 */
export function momentStart(cp: CrossProducts, thetaIndex: Int32Array[] | number[][], nTheta: number): Float64Array | null {
  const ols = leastSquares(cp);
  if (!ols) return null;
  // per term: cov(b_ℓ) and mean((Z_ℓ'Z_ℓ)⁻¹); Ψ̂ = cov − σ̂² · inv once σ̂² is known
  const moments: TermMoments[] = [];
  for (let j = 0; j < cp.terms.length; j++) {
    const mj = termMoments(cp, j, ols);
    if (!mj) return null;
    moments.push(mj);
  }
  if (moments.length === 0) return null; // no random-effect term, nothing to start
  const sigma2 = residualVariance(cp, moments, ols.ee);
  const psi = moments.map((mj) => mj.cov.map((c, e) => c - sigma2 * mj.inv[e]));
  if (!(sigma2 > 0)) return null;
  const theta = new Float64Array(nTheta);
  for (let j = 0; j < cp.terms.length; j++) {
    const q = cp.terms[j].q;
    const map = thetaIndex[j];
    const T = startingTemplate(psi[j], q, map, sigma2);
    for (let c = 0; c < q; c++) for (let r = c; r < q; r++) {
      const k = map[c * q + r];
      if (k >= 0) theta[k] = T[c * q + r];
    }
  }
  return theta.every(Number.isFinite) ? theta : null;
}

/** β of ordinary least squares (X'X β = X'y) and the residual sum of squares e'e; null when X is not of full rank or y is fitted exactly. */
function leastSquares(cp: CrossProducts): { beta: Float64Array; ee: number } | null {
  const p = cp.p, p1 = p + 1;
  const R = new Float64Array(p * p);
  for (let c = 0; c < p; c++) for (let r = 0; r < p; r++) R[c * p + r] = cp.xx[c * p1 + r];
  if (p > 0 && !cholesky(R, p)) return null;
  const beta = new Float64Array(p);
  for (let a = 0; a < p; a++) beta[a] = cp.xx[p * p1 + a];
  solveCholesky(R, p, beta);
  let ee = cp.xx[p1 * p1 - 1];
  for (let a = 0; a < p; a++) ee -= beta[a] * cp.xx[p * p1 + a];
  return ee > 0 ? { beta, ee } : null;
}

/** What a term's levels say: the covariance of the per-level coefficients b_ℓ, the mean of (Z_ℓ'Z_ℓ)⁻¹, the within-level residual variance. */
interface TermMoments {
  cov: Float64Array;
  inv: Float64Array;
  within: number;
}

/**
 * The OLS residuals regressed on term j's columns within each of its levels (from the
 * cross-products: b_ℓ = (Z_ℓ'Z_ℓ)⁻¹ Z_ℓ'e), and the moments of those coefficients; null when
 * fewer than two levels have enough rows, or no residual degrees of freedom are left.
 */
function termMoments(cp: CrossProducts, j: number, ols: { beta: Float64Array; ee: number }): TermMoments | null {
  const p = cp.p, p1 = p + 1;
  const { beta } = ols;
  const { q, nLevels } = cp.terms[j];
  const A = cp.diag[j], XZ = cp.xz[j];
  const M = new Float64Array(q * q);
  const ze = new Float64Array(q);
  const b = new Float64Array(q);
  const sumB = new Float64Array(q);
  const sumBB = new Float64Array(q * q);
  const sumInv = new Float64Array(q * q);
  let used = 0, explained = 0;
  for (let l = 0; l < nLevels; l++) {
    M.set(A.subarray(l * q * q, (l + 1) * q * q));
    if (!cholesky(M, q)) continue; // too few rows (or a constant column) in this level
    // an ill-conditioned level says little and its inverse would swamp the mean
    let dmin = Infinity, dmax = 0;
    for (let a = 0; a < q; a++) { const d = M[a * q + a]; dmin = Math.min(dmin, d); dmax = Math.max(dmax, d); }
    if (dmin < 1e-6 * dmax) continue;
    for (let a = 0; a < q; a++) {
      let s = XZ[(l * q + a) * p1 + p];
      for (let k = 0; k < p; k++) s -= XZ[(l * q + a) * p1 + k] * beta[k];
      ze[a] = s;
    }
    // b = M⁻¹ Z'e through the factor; and M⁻¹ column by column
    b.set(ze);
    solveCholesky(M, q, b);
    let ss = 0;
    for (let a = 0; a < q; a++) ss += b[a] * ze[a];
    explained += ss;
    for (let a = 0; a < q; a++) {
      sumB[a] += b[a];
      for (let c = 0; c < q; c++) sumBB[c * q + a] += b[a] * b[c];
    }
    for (let c = 0; c < q; c++) {
      const col = new Float64Array(q);
      col[c] = 1;
      solveCholesky(M, q, col);
      for (let a = 0; a < q; a++) sumInv[c * q + a] += col[a];
    }
    used++;
  }
  if (used < 2) return null;
  const dof = cp.n - p - used * q;
  if (dof < 1) return null;
  const cov = new Float64Array(q * q);
  const inv = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let c = 0; c < q; c++) {
    cov[c * q + a] = (sumBB[c * q + a] - (sumB[a] * sumB[c]) / used) / (used - 1);
    inv[c * q + a] = sumInv[c * q + a] / used;
  }
  return { cov, inv, within: Math.max(ols.ee - explained, 0) / dof };
}

/**
 * σ²: the smallest within-level variance, less the variance of the (intercept) terms that still
 * vary within those levels (crossed terms; not the terms they are nested in), refined a few times
 * together with the Ψ's that depend on it.
 */
function residualVariance(cp: CrossProducts, moments: TermMoments[], ee: number): number {
  const K = moments.length;
  let kMin = 0;
  for (let j = 1; j < K; j++) if (moments[j].within < moments[kMin].within) kMin = j;
  const overall = Math.min(moments[kMin].within, ee / Math.max(1, cp.n - cp.p));
  let sigma2 = overall;
  const crossedWithMin = cp.terms.map((t, j) => j !== kMin && t.q === 1 && !nestedIn(cp, kMin, j));
  for (let round = 0; round < 3; round++) {
    const psiAt = (j: number) => Math.max(0, moments[j].cov[0] - (sigma2 * moments[j].inv[0]));
    let s2 = overall;
    for (let j = 0; j < K; j++) if (crossedWithMin[j]) s2 -= psiAt(j);
    sigma2 = Math.max(s2, 0.05 * overall);
  }
  return sigma2;
}

/**
 * The starting relative factor T of a term from Ψ̂ / σ̂²: its Cholesky factor, the variances at
 * least MIN_START²; uncorrelated (the square roots of the variances) for a term with its
 * correlations fixed at zero (lme4's ||) or a Ψ̂ that is not positive definite.
 */
function startingTemplate(P: Float64Array, q: number, map: Int32Array | number[], sigma2: number): Float64Array {
  let diagonalOnly = false;
  for (let c = 0; c < q; c++) for (let r = c + 1; r < q; r++) if (map[c * q + r] < 0) diagonalOnly = true;
  const T = new Float64Array(q * q);
  for (let a = 0; a < q; a++) T[a * q + a] = Math.max(P[a * q + a], 0) / sigma2;
  let ok = !diagonalOnly;
  if (ok) {
    for (let a = 0; a < q; a++) for (let c = 0; c < a; c++) T[c * q + a] = P[c * q + a] / sigma2;
    for (let a = 0; a < q; a++) T[a * q + a] = Math.max(T[a * q + a], MIN_START * MIN_START);
    ok = cholesky(T, q);
  }
  if (!ok) {
    T.fill(0);
    for (let a = 0; a < q; a++) T[a * q + a] = Math.sqrt(Math.max(P[a * q + a] / sigma2, MIN_START * MIN_START));
  }
  for (let a = 0; a < q; a++) T[a * q + a] = Math.max(T[a * q + a], MIN_START);
  return T;
}

/** Whether every level of term k lies within one level of term j (k nested in j), from the pattern of Z_j'Z_k. */
function nestedIn(cp: CrossProducts, k: number, j: number): boolean {
  if (j > k) {
    const o = cp.off[j][k]!; // columns: levels of k
    for (let c = 0; c < o.nColLevels; c++) if (o.colPtr[c + 1] - o.colPtr[c] > 1) return false;
    return true;
  }
  const o = cp.off[k][j]!; // rows: levels of k, columns: levels of j
  const seen = new Int32Array(o.nRowLevels).fill(-1);
  for (let c = 0; c < o.nColLevels; c++) for (let t = o.colPtr[c]; t < o.colPtr[c + 1]; t++) {
    const r = o.rowIdx[t];
    if (seen[r] >= 0 && seen[r] !== c) return false;
    seen[r] = c;
  }
  return true;
}
