/**
 * Second derivatives of a criterion by central differences with one Richardson extrapolation:
 * with steps of about 1% of each coordinate the error is that of the deviance's rounding noise
 * over h², not the steps' truncation. For standard errors from the observed information
 * (varianceSE.ts); the profiles' first steps need less and use forward differences (profile.ts).
 */
import { inverseSymmetric } from "../dense";

/**
 * Hessian (n×n, symmetric, row = column major) of f at x, with steps h[a] (the natural size of
 * each coordinate times about 1e-3). Null when an evaluation is not finite (x at a boundary).
 */
export function centralHessian(f: (x: Float64Array) => number, x: Float64Array, h: ArrayLike<number>): Float64Array | null {
  const n = x.length;
  const fx = f(x);
  if (!Number.isFinite(fx)) return null;
  const coarse = differences(f, x, fx, h, 1);
  const fine = coarse && differences(f, x, fx, h, 0.5);
  if (!coarse || !fine) return null;
  // the error of a central difference is c h² + O(h⁴): (4 fine − coarse) / 3 cancels c h²
  const H = new Float64Array(n * n);
  for (let e = 0; e < n * n; e++) H[e] = (4 * fine[e] - coarse[e]) / 3;
  return H;
}

function differences(f: (x: Float64Array) => number, x: Float64Array, fx: number, h0: ArrayLike<number>, m: number): Float64Array | null {
  const n = x.length;
  const H = new Float64Array(n * n);
  const t = Float64Array.from(x);
  const h = Array.from({ length: n }, (_, a) => h0[a] * m);
  const at = (da: number, a: number, db: number, b: number): number => {
    t[a] += da * h[a];
    t[b] += db * h[b];
    const v = f(t);
    t[a] = x[a];
    t[b] = x[b];
    return v;
  };
  for (let a = 0; a < n; a++) {
    const fp = at(1, a, 0, a), fm = at(-1, a, 0, a);
    H[a * n + a] = (fp - 2 * fx + fm) / (h[a] * h[a]);
    for (let b = 0; b < a; b++) {
      const v = (at(1, a, 1, b) - at(1, a, -1, b) - at(-1, a, 1, b) + at(-1, a, -1, b)) / (4 * h[a] * h[b]);
      H[a * n + b] = H[b * n + a] = v;
    }
  }
  return H.every(Number.isFinite) ? H : null;
}

/**
 * Covariance of the estimates from the Hessian of a deviance (−2 log L): the inverse of the
 * observed information H/2. Null when it is not positive definite.
 */
export function covarianceFromDevianceHessian(H: Float64Array, n: number): Float64Array | null {
  const inv = inverseSymmetric(H, n);
  if (!inv) return null;
  const cov = inv.map((v) => 2 * v);
  for (let a = 0; a < n; a++) if (!(cov[a * n + a] > 0)) return null;
  return cov;
}
