/**
 * The covariance parameters of the model written linearly, as pbkrtest writes them: the marginal
 * covariance is Σ = Σ_r γ_r G_r, with one γ per free entry of each term's Ψ = σ²TT' (G = Z E Z',
 * E = I_levels ⊗ (e_a e_b' + e_b e_a'), or e_a e_a' on the diagonal) and the residual variance σ²
 * (G = I). statsmodels' variance components that share a θ share one γ (their G's add up).
 *
 * lmerTest differentiates in φ = (θ, σ) instead; gammaOfPhi gives γ(φ) with its first and second
 * derivatives, for the chain rule from one parametrisation to the other.
 */
import { FitView } from "./fitView";

/** One free entry (a ≥ b) of the Ψ of one term (factorisation order). */
export interface PsiEntry {
  term: number;
  a: number;
  b: number;
}

export interface CovarianceParameters {
  entries: PsiEntry[];
  /** Ψ parameters (indices into entries), then the residual variance, whose list is empty. */
  params: number[][];
  /** ψ_e = (T T')_ab of each entry: Ψ on the scale of σ². */
  psi: Float64Array;
}

function isCorrelated(idx: Int32Array, q: number): boolean {
  for (let c = 0; c < q; c++) for (let r = c + 1; r < q; r++) if (idx[c * q + r] >= 0) return true;
  return false;
}

/** (T T')_ab of a q×q lower-triangular template. */
export function psiOf(T: Float64Array, q: number, a: number, b: number): number {
  let s = 0;
  for (let c = 0; c <= Math.min(a, b); c++) s += T[c * q + a] * T[c * q + b];
  return s;
}

export function covarianceParameters(view: FitView): CovarianceParameters {
  const entries: PsiEntry[] = [];
  const params: number[][] = [];
  const byKey = new Map<string, number>();
  view.cp.terms.forEach((t, j) => {
    const q = t.q;
    const idx = view.thetaIndex[j];
    const full = isCorrelated(idx, q);
    for (let b = 0; b < q; b++) for (let a = b; a < q; a++) {
      if (a !== b && !full) continue;
      // a single-effect term is keyed by its θ, so that variance components sharing one θ share one γ
      const key = q === 1 ? `theta${idx[0]}` : `term${j}:${a}:${b}`;
      let r = byKey.get(key);
      if (r === undefined) { r = params.length; byKey.set(key, r); params.push([]); }
      params[r].push(entries.length);
      entries.push({ term: j, a, b });
    }
  });
  params.push([]);
  const psi = Float64Array.from(entries, (e) => psiOf(view.T[e.term], view.cp.terms[e.term].q, e.a, e.b));
  return { entries, params, psi };
}

export interface GammaOfPhi {
  /** γ of each parameter (the residual last). */
  gamma: Float64Array;
  /** ∂γ_r/∂φ_k, m × (nθ + 1), column-major (row r, column k); φ = (θ, σ). */
  jacobian: Float64Array;
  /** ∂²γ_r/∂φ_k∂φ_l, one (nθ+1)² matrix per parameter. */
  hessians: Float64Array[];
}

export function gammaOfPhi(view: FitView, cov: CovarianceParameters): GammaOfPhi {
  const nPhi = view.theta.length + 1;
  const m = cov.params.length;
  const sigma = Math.sqrt(view.sigma2);
  const gamma = new Float64Array(m);
  const jacobian = new Float64Array(m * nPhi);
  const hessians = cov.params.map(() => new Float64Array(nPhi * nPhi));
  const s = nPhi - 1; // index of σ in φ
  cov.params.forEach((entryList, r) => {
    const H = hessians[r];
    if (entryList.length === 0) {
      gamma[r] = view.sigma2;
      jacobian[s * m + r] = 2 * sigma;
      H[s * nPhi + s] = 2;
      return;
    }
    const { term, a, b } = cov.entries[entryList[0]];
    const q = view.cp.terms[term].q;
    const T = view.T[term];
    const idx = view.thetaIndex[term];
    const psi = cov.psi[entryList[0]];
    gamma[r] = view.sigma2 * psi;
    jacobian[s * m + r] = 2 * sigma * psi;
    H[s * nPhi + s] = 2 * psi;
    for (let c = 0; c <= Math.min(a, b); c++) {
      const ka = idx[c * q + a], kb = idx[c * q + b];
      // ψ = Σ_c T_ac T_bc: the derivative in θ_k picks the factors that hold θ_k
      if (ka >= 0) { jacobian[ka * m + r] += view.sigma2 * T[c * q + b]; H[ka * nPhi + s] += 2 * sigma * T[c * q + b]; }
      if (kb >= 0) { jacobian[kb * m + r] += view.sigma2 * T[c * q + a]; H[kb * nPhi + s] += 2 * sigma * T[c * q + a]; }
      // ∂²(T_ac T_bc)/∂θ_ka∂θ_kb = 1, on both sides of the diagonal (twice on it when a = b)
      if (ka >= 0 && kb >= 0) { H[kb * nPhi + ka] += view.sigma2; H[ka * nPhi + kb] += view.sigma2; }
    }
    for (let k = 0; k < s; k++) H[s * nPhi + k] = H[k * nPhi + s];
  });
  return { gamma, jacobian, hessians };
}
