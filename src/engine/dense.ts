/**
 * Small dense kernels on column-major Float64Arrays: Cholesky, triangular solves, inverses.
 * Written as tight loops over typed arrays; they run inside the optimiser's objective.
 */

/**
 * In-place lower Cholesky of the n×n column-major matrix at a[off..]. Only the lower triangle is
 * read; the upper is zeroed. Returns false when the matrix is not positive definite.
 * Left-looking by columns, which keeps the inner loop on contiguous memory.
 */
export function cholesky(a: Float64Array, n: number, off = 0): boolean {
  for (let j = 0; j < n; j++) {
    const cj = off + j * n;
    // a[j:, j] -= L[j:, 0:j] * L[j, 0:j]'
    for (let k = 0; k < j; k++) {
      const ck = off + k * n;
      const ljk = a[ck + j];
      if (ljk === 0) continue;
      for (let i = j; i < n; i++) a[cj + i] -= a[ck + i] * ljk;
    }
    const d = a[cj + j];
    if (!(d > 0)) return false;
    const s = Math.sqrt(d);
    a[cj + j] = s;
    const inv = 1 / s;
    for (let i = j + 1; i < n; i++) a[cj + i] *= inv;
    for (let i = 0; i < j; i++) a[cj + i] = 0;
  }
  return true;
}

/**
 * Blocked right-looking Cholesky for large dense matrices (the trailing block of crossed
 * designs): panels of width nb are factored, then the trailing matrix is updated a panel at a
 * time, so that the hot loop reuses cached columns. Lower triangle in, lower factor out.
 */
export function choleskyBlocked(a: Float64Array, n: number, nb = 64): boolean {
  if (n <= 2 * nb) return cholesky(a, n);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const k1 = Math.min(n, k0 + nb);
    // factor the panel columns k0..k1 (rows k0..n), left-looking within the panel
    for (let j = k0; j < k1; j++) {
      const cj = j * n;
      for (let k = k0; k < j; k++) {
        const ck = k * n;
        const ljk = a[ck + j];
        if (ljk === 0) continue;
        for (let i = j; i < n; i++) a[cj + i] -= a[ck + i] * ljk;
      }
      const d = a[cj + j];
      if (!(d > 0)) return false;
      const s = Math.sqrt(d);
      a[cj + j] = s;
      const inv = 1 / s;
      for (let i = j + 1; i < n; i++) a[cj + i] *= inv;
    }
    // trailing update: A[k1:, k1:] -= P P' with P = L[k1:, k0:k1]; lower triangle only
    for (let j = k1; j < n; j++) {
      const cj = j * n;
      for (let k = k0; k < k1; k++) {
        const ck = k * n;
        const ljk = a[ck + j];
        if (ljk === 0) continue;
        for (let i = j; i < n; i++) a[cj + i] -= a[ck + i] * ljk;
      }
    }
  }
  for (let j = 0; j < n; j++) for (let i = 0; i < j; i++) a[j * n + i] = 0;
  return true;
}

/** Solves L x = b in place (L lower n×n column-major at l[off..]). */
export function forwardSolve(l: Float64Array, n: number, b: Float64Array, off = 0, boff = 0): void {
  for (let j = 0; j < n; j++) {
    const x = (b[boff + j] /= l[off + j * n + j]);
    if (x === 0) continue;
    const c = off + j * n;
    for (let i = j + 1; i < n; i++) b[boff + i] -= l[c + i] * x;
  }
}

/** Solves L' x = b in place (L lower). */
export function backSolveTransposed(l: Float64Array, n: number, b: Float64Array, off = 0, boff = 0): void {
  for (let j = n - 1; j >= 0; j--) {
    const c = off + j * n;
    let s = b[boff + j];
    for (let i = j + 1; i < n; i++) s -= l[c + i] * b[boff + i];
    b[boff + j] = s / l[c + j];
  }
}

/** Inverse of a symmetric positive-definite matrix from its lower Cholesky factor: (L L')^{-1}. */
export function inverseFromCholesky(l: Float64Array, n: number, off = 0): Float64Array {
  const out = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    forwardSolve(l, n, e, off);
    backSolveTransposed(l, n, e, off);
    out.set(e, j * n);
  }
  return out;
}

/** Inverse of a small general (symmetric) matrix by Gauss-Jordan with partial pivoting; null when singular. */
export function inverseSymmetric(a: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[c * n + r]) > Math.abs(m[c * n + piv])) piv = r;
    const pv = m[c * n + piv];
    if (pv === 0 || !Number.isFinite(pv)) return null;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        let t = m[k * n + c]; m[k * n + c] = m[k * n + piv]; m[k * n + piv] = t;
        t = inv[k * n + c]; inv[k * n + c] = inv[k * n + piv]; inv[k * n + piv] = t;
      }
    }
    for (let k = 0; k < n; k++) { m[k * n + c] /= pv; inv[k * n + c] /= pv; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[c * n + r];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) { m[k * n + r] -= f * m[k * n + c]; inv[k * n + r] -= f * inv[k * n + c]; }
    }
  }
  return inv;
}
