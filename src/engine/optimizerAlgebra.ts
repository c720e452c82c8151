/**
 * The optimiser's algebra on its n×n matrices (n = the number of θ parameters, a handful): the
 * Cholesky factor and solve, the smallest eigenpair, BFGS updates. Row-major, as the optimiser's
 * finite-difference Hessians are. Not dense.ts's and smallMatrix.ts's kernels on purpose: this
 * Cholesky divides by the pivot where dense.ts multiplies by its reciprocal, and this eigenpair
 * stops on an absolute off-diagonal norm where smallMatrix.symmetricEigen stops on a relative
 * one; either change would move the optimiser's path, and so every fitted number, in the last
 * digits. Their cost is nothing beside one evaluation of the deviance.
 */

/** The smallest eigenvalue of a symmetric n×n matrix (row-major) and a unit eigenvector, by Jacobi rotations. */
export function smallestEigenpair(H: Float64Array, n: number): { value: number; vector: Float64Array } {
  const A = Float64Array.from(H);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] * A[p * n + q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = A[p * n + q];
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
      for (let k = 0; k < n; k++) {
        const akp = A[k * n + p], akq = A[k * n + q];
        A[k * n + p] = c * akp - sn * akq;
        A[k * n + q] = sn * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = A[p * n + k], aqk = A[q * n + k];
        A[p * n + k] = c * apk - sn * aqk;
        A[q * n + k] = sn * apk + c * aqk;
      }
      for (let k = 0; k < n; k++) {
        const vkp = V[k * n + p], vkq = V[k * n + q];
        V[k * n + p] = c * vkp - sn * vkq;
        V[k * n + q] = sn * vkp + c * vkq;
      }
    }
  }
  let m = 0;
  for (let i = 1; i < n; i++) if (A[i * n + i] < A[m * n + m]) m = i;
  const vector = new Float64Array(n);
  for (let k = 0; k < n; k++) vector[k] = V[k * n + m];
  return { value: A[m * n + m], vector };
}

/** BFGS update of a Hessian approximation B (not its inverse), skipped when s'y ≤ 0. */
export function hessianBfgsUpdate(B: Float64Array, s: Float64Array, y: Float64Array, n: number): void {
  let sy = 0;
  for (let i = 0; i < n; i++) sy += s[i] * y[i];
  if (!(sy > 1e-300)) return;
  const Bs = new Float64Array(n);
  for (let i = 0; i < n; i++) { let t = 0; for (let j = 0; j < n; j++) t += B[i * n + j] * s[j]; Bs[i] = t; }
  let sBs = 0;
  for (let i = 0; i < n; i++) sBs += s[i] * Bs[i];
  if (!(sBs > 1e-300)) return;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] += (y[i] * y[j]) / sy - (Bs[i] * Bs[j]) / sBs;
}

/** BFGS update of the inverse Hessian approximation (skipped when the curvature condition fails). */
export function bfgsUpdate(H: Float64Array, s: Float64Array, y: Float64Array, n: number): void {
  let sy = 0;
  for (let i = 0; i < n; i++) sy += s[i] * y[i];
  if (!(sy > 1e-300)) return;
  const Hy = new Float64Array(n);
  for (let i = 0; i < n; i++) { let t = 0; for (let j = 0; j < n; j++) t += H[i * n + j] * y[j]; Hy[i] = t; }
  let yHy = 0;
  for (let i = 0; i < n; i++) yHy += y[i] * Hy[i];
  const rho = 1 / sy;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    H[i * n + j] += (1 + yHy * rho) * rho * s[i] * s[j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]);
  }
}

/** In-place Cholesky of a row-major symmetric matrix (lower factor); false if not positive definite. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const s = Math.sqrt(d);
    a[j * n + j] = s;
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j];
      for (let k = 0; k < j; k++) v -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = v / s;
    }
  }
  return true;
}

export function cholSolve(L: Float64Array, n: number, b: number[]): number[] {
  const y = b.slice();
  for (let i = 0; i < n; i++) { let s = y[i]; for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k]; y[i] = s / L[i * n + i]; }
  for (let i = n - 1; i >= 0; i--) { let s = y[i]; for (let k = i + 1; k < n; k++) s -= L[k * n + i] * y[k]; y[i] = s / L[i * n + i]; }
  return y;
}
