/**
 * The analytic gradient of the profiled deviance for any number of random-effect terms, from the
 * dense inverse of the factor's random-effects block: for small models only (its cost is that of
 * inverting an m × m matrix, m = Σ levels·q), where it lets the fit place θ at the optimum to
 * rounding (fit.ts, polish) instead of to the finite differences' 1e-8.
 *
 * With Ω = Λ'AΛ + I (A = Z'Z), W = [X y], C = Ω⁻¹Λ'Z'W, D = Z'W − AΛC, b = [−β; 1], u = C b,
 * s = D b, and Λ_i = ∂Λ/∂θ_i (a one in template entry (r, c) of term k at every level l):
 *
 *   ∂ log det Ω / ∂θ_i = 2 Σ_l (Ω⁻¹Λ'A)[(k,l,c), (k,l,r)]
 *   ∂ r² / ∂θ_i        = −2 Σ_l s(k,l,r) u(k,l,c)              (r² = b'(W'W − W'ZΛC) b at its minimum)
 *   ∂ log det(X'V⁻¹X)  = −2 Σ_l Σ_a D_X[(k,l,r), a] (C_X S_XX⁻¹)[(k,l,c), a]
 *
 * and the deviance's gradient is ∂ log det Ω + [REML] ∂ log det(X'V⁻¹X) + c ∂r² / r² (c = n, or
 * n − p for REML). Everything is in the factor's own indexing (terms by number of levels, levels
 * possibly in a fill-reducing order), as the cross-products hold them.
 */
import { inverseFromCholesky } from "./dense";
import type { ProfiledDeviance } from "./fit";
import { mul } from "./smallMatrix";

/** Largest m (random-effect columns in all) for which denseGradient is offered: its inverse costs m³/3 multiply-adds (under a millisecond here). */
export const DENSE_GRADIENT_MAX = 120;

/** Offsets of each term's block in the m random-effect columns. */
function offsets(dev: ProfiledDeviance): number[] {
  const out: number[] = [];
  let o = 0;
  for (const d of dev.factor.dims) { out.push(o); o += d; }
  out.push(o);
  return out;
}

/** Z'W (m × p1, W = [X y]) from the cross-products' [X y]'Z blocks. */
function denseZtW(dev: ProfiledDeviance, off: number[], m: number): Float64Array {
  const cp = dev.cp;
  const p1 = dev.p + 1;
  const ZW = new Float64Array(m * p1);
  cp.terms.forEach((t, j) => {
    for (let e = 0; e < t.nLevels * t.q; e++) for (let a = 0; a < p1; a++) ZW[a * m + off[j] + e] = cp.xz[j][e * p1 + a];
  });
  return ZW;
}

/** With b = [−β; 1] (β from L[X][X], R_X' β = l): u = C b and s = D b. */
function residualColumns(C: Float64Array, D: Float64Array, beta: Float64Array, m: number): { u: Float64Array; s: Float64Array } {
  const p = beta.length;
  const u = new Float64Array(m), s = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    let uu = C[p * m + e], ss = D[p * m + e];
    for (let a = 0; a < p; a++) { uu -= beta[a] * C[a * m + e]; ss -= beta[a] * D[a * m + e]; }
    u[e] = uu;
    s[e] = ss;
  }
  return { u, s };
}

/** REML: E = C_X S_XX⁻¹ (m × p), S_XX = R_X R_X' (R_X: the X part of L[X][X]), row by row through R_X and R_X' in place in L[X][X]. */
function remlColumns(C: Float64Array, LXX: Float64Array, m: number, p: number): Float64Array {
  const p1 = p + 1;
  const E = new Float64Array(m * p);
  for (let e = 0; e < m; e++) {
    const v = new Float64Array(p);
    for (let a = 0; a < p; a++) v[a] = C[a * m + e];
    for (let a = 0; a < p; a++) { let t = v[a]; for (let k = 0; k < a; k++) t -= LXX[k * p1 + a] * v[k]; v[a] = t / LXX[a * p1 + a]; }
    for (let a = p - 1; a >= 0; a--) { let t = v[a]; for (let k = a + 1; k < p; k++) t -= LXX[a * p1 + k] * v[k]; v[a] = t / LXX[a * p1 + a]; }
    for (let a = 0; a < p; a++) E[a * m + e] = v[a];
  }
  return E;
}

/** A = Z'Z as a dense symmetric m × m matrix (column-major). */
function denseZtZ(dev: ProfiledDeviance, off: number[], m: number): Float64Array {
  const cp = dev.cp;
  const A = new Float64Array(m * m);
  cp.terms.forEach((t, j) => {
    const q = t.q, oj = off[j], D = cp.diag[j];
    for (let l = 0; l < t.nLevels; l++) for (let c = 0; c < q; c++) for (let r = 0; r < q; r++) A[(oj + l * q + c) * m + oj + l * q + r] = D[l * q * q + c * q + r];
    for (let i = j + 1; i < cp.terms.length; i++) {
      const pat = cp.off[i][j]!;
      const bs = pat.qr * pat.qc, oi = off[i];
      for (let col = 0; col < pat.nColLevels; col++) for (let s = pat.colPtr[col]; s < pat.colPtr[col + 1]; s++) {
        const row = pat.rowIdx[s];
        for (let b = 0; b < pat.qc; b++) for (let a = 0; a < pat.qr; a++) {
          const v = pat.data[s * bs + b * pat.qr + a];
          const ri = oi + row * pat.qr + a, cj = oj + col * pat.qc + b;
          A[cj * m + ri] = v;
          A[ri * m + cj] = v;
        }
      }
    }
  });
  return A;
}

/** Λ' M for a dense m × k matrix M (column-major): per level, the term's template transposed. */
function lambdaT(M: Float64Array, k: number, T: Float64Array[], dev: ProfiledDeviance, off: number[], m: number): Float64Array {
  const out = new Float64Array(m * k);
  dev.cp.terms.forEach((t, j) => {
    const q = t.q, Tj = T[j];
    for (let l = 0; l < t.nLevels; l++) {
      const base = off[j] + l * q;
      for (let col = 0; col < k; col++) for (let c = 0; c < q; c++) {
        let s = 0;
        for (let r = c; r < q; r++) s += Tj[c * q + r] * M[col * m + base + r];
        out[col * m + base + c] = s;
      }
    }
  });
  return out;
}

/** Λ M (the template itself per level). */
function lambda(M: Float64Array, k: number, T: Float64Array[], dev: ProfiledDeviance, off: number[], m: number): Float64Array {
  const out = new Float64Array(m * k);
  dev.cp.terms.forEach((t, j) => {
    const q = t.q, Tj = T[j];
    for (let l = 0; l < t.nLevels; l++) {
      const base = off[j] + l * q;
      for (let col = 0; col < k; col++) for (let r = 0; r < q; r++) {
        let s = 0;
        for (let c = 0; c <= r; c++) s += Tj[c * q + r] * M[col * m + base + c];
        out[col * m + base + r] = s;
      }
    }
  });
  return out;
}

/**
 * The gradient of the deviance at the θ of the factor's last update, written into `out` (θ's
 * indexing); `thetaIndex[j]` maps factorisation term j's template to θ.
 */
export function denseGradient(dev: ProfiledDeviance, theta: ArrayLike<number>, out: Float64Array): void {
  const cp = dev.cp;
  const f = dev.factor;
  const off = offsets(dev);
  const m = off[off.length - 1];
  const p = dev.p, p1 = p + 1;
  const T = dev.templates(theta);
  const omegaInv = inverseFromCholesky(f.denseRandomEffects(), m);
  const A = denseZtZ(dev, off, m);
  const ZW = denseZtW(dev, off, m);
  const C = mul(omegaInv, lambdaT(ZW, p1, T, dev, off, m), m, m, p1);
  const AlC = mul(A, lambda(C, p1, T, dev, off, m), m, m, p1);
  const D = ZW.map((v, e) => v - AlC[e]);
  const { u, s } = residualColumns(C, D, f.beta(), m);
  // diagonal blocks of Ω⁻¹Λ'A: G[(k,l,c),(k,l,r)] = Σ_e Ω⁻¹[(k,l,c), e] (Λ'A)[e, (k,l,r)]
  const LtA = lambdaT(A, m, T, dev, off, m);
  const reml = dev.reml;
  const E = reml && p > 0 ? remlColumns(C, f.LXX, m, p) : new Float64Array(m * p);
  const r2 = f.pwrss();
  const dof = reml ? dev.n - p : dev.n;
  out.fill(0);
  dev.order.forEach((k, j) => {
    const q = cp.terms[j].q;
    const map = dev.frame.terms[k].thetaIndex;
    for (let c = 0; c < q; c++) for (let r = c; r < q; r++) {
      const idx = map[c * q + r];
      if (idx < 0) continue;
      let trace = 0, dr2 = 0, dlogX = 0;
      for (let l = 0; l < cp.terms[j].nLevels; l++) {
        const ec = off[j] + l * q + c, er = off[j] + l * q + r;
        let g = 0;
        for (let e = 0; e < m; e++) g += omegaInv[e * m + ec] * LtA[er * m + e];
        trace += g;
        dr2 += s[er] * u[ec];
        for (let a = 0; a < p && reml; a++) dlogX += D[a * m + er] * E[a * m + ec];
      }
      out[idx] += 2 * trace - (dof * 2 * dr2) / r2 - (reml ? 2 * dlogX : 0);
    }
  });
}
