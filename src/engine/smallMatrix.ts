/**
 * Products and decompositions of small dense matrices (p×p, q×q, a few parameters): column-major
 * Float64Arrays, A[c·rows + r]. The one home of these kernels for the engine and its inference
 * layer; factorisations and triangular solves live in dense.ts, which also serves the large blocks.
 */
import { cholesky, inverseFromCholesky } from "./dense";

/** C = A·B with A m×k, B k×n. */
export function mul(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) {
    const b = B[j * k + t];
    if (b === 0) continue;
    for (let i = 0; i < m; i++) C[j * m + i] += A[t * m + i] * b;
  }
  return C;
}

/** A·B·A' with A m×k and B k×k. */
export function sandwich(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number): Float64Array {
  const AB = mul(A, B, m, k, k);
  const C = new Float64Array(m * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += AB[t * m + i] * A[t * m + j];
    C[j * m + i] = s;
  }
  return C;
}

export function transpose(A: ArrayLike<number>, m: number, n: number): Float64Array {
  const B = new Float64Array(m * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) B[i * n + j] = A[j * m + i];
  return B;
}

/** tr(A·B) for n×n A, B. */
export function traceOfProduct(A: ArrayLike<number>, B: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < n; t++) s += A[t * n + i] * B[i * n + t];
  return s;
}

/** l'Al for an n×n A; the columns where l is zero are skipped (contrast vectors are mostly zeros). */
export function quadraticForm(l: ArrayLike<number>, A: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    if (l[j] === 0) continue;
    let t = 0;
    for (let i = 0; i < n; i++) t += l[i] * A[j * n + i];
    s += t * l[j];
  }
  return s;
}

/** The inverse of a symmetric positive definite matrix, or null when it is not positive definite. */
export function inverseSPD(A: ArrayLike<number>, n: number): Float64Array | null {
  if (n === 0) return new Float64Array(0);
  const L = Float64Array.from(A);
  if (!cholesky(L, n)) return null;
  return inverseFromCholesky(L, n);
}

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as columns, in the order of the values. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: accurate to the
 * last digits for the few-by-few matrices met here (parameters, contrasts), and exact on
 * block-diagonal input (a zero off-diagonal block is never rotated into).
 */
export function symmetricEigen(A: ArrayLike<number>, n: number): SymmetricEigen {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, diag = 0;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      if (i === j) diag += a[j * n + i] ** 2;
      else off += a[j * n + i] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((i, k) => { for (let r = 0; r < n; r++) vectors[k * n + r] = v[i * n + r]; });
  return { values, vectors };
}

/** One Jacobi rotation zeroing a[p, q] (Golub & Van Loan, Algorithm 8.5.1). */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[q * n + p];
  if (apq === 0) return;
  const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t), s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[p * n + k], akq = a[q * n + k];
    a[p * n + k] = c * akp - s * akq;
    a[q * n + k] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[k * n + p], aqk = a[k * n + q];
    a[k * n + p] = c * apk - s * aqk;
    a[k * n + q] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[p * n + k], vkq = v[q * n + k];
    v[p * n + k] = c * vkp - s * vkq;
    v[q * n + k] = s * vkp + c * vkq;
  }
}

/**
 * Σ_{kept i} v_i v_i' / λ_i: the inverse of a symmetric matrix restricted to the eigenvalues `keep`
 * accepts (lmerTest inverts its Hessian on the positive ones; pbkrtest falls back to a
 * generalised inverse). The matrix is first scaled to unit diagonal, so that the choice does not
 * depend on the units of the parameters.
 */
export function pseudoInverseSymmetric(A: ArrayLike<number>, n: number, keep: (value: number, largest: number) => boolean): Float64Array {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) { const x = Math.abs(A[i * n + i]); d[i] = x > 0 && Number.isFinite(x) ? 1 / Math.sqrt(x) : 1; }
  const S = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) S[j * n + i] = d[i] * A[j * n + i] * d[j];
  const { values, vectors } = symmetricEigen(S, n);
  const largest = n > 0 ? Math.max(...Array.from(values, Math.abs)) : 0;
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    if (!keep(values[k], largest)) continue;
    const w = 1 / values[k];
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out[j * n + i] += vectors[k * n + i] * vectors[k * n + j] * w;
  }
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out[j * n + i] *= d[i] * d[j];
  return out;
}
