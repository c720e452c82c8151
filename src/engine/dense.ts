/**
 * Small dense kernels on column-major Float64Arrays: Cholesky, triangular solves, inverses.
 * Written as tight loops over typed arrays; they run inside the optimiser's objective.
 */
import type { SparseCholeskyPlan } from "./ordering";

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
    if (!scaleColumn(a, n, j, off)) return false;
    for (let i = 0; i < j; i++) a[cj + i] = 0;
  }
  return true;
}

/**
 * Blocked right-looking Cholesky for large dense matrices (the trailing block of crossed
 * designs, e.g. 1,128 instructors in InstEval, where it is nearly all of the cost of an
 * evaluation): panels of width nb are factored, then the trailing matrix is updated a panel at a
 * time, so that the panel stays in cache while every trailing column streams past it. The hot
 * loop updates two target columns from four source columns at once: six loads and two stores
 * for eight multiply-adds, against three memory operations per multiply-add for the plain loop.
 * Lower triangle in, lower factor out.
 */
export function choleskyBlocked(a: Float64Array, n: number, nb = 64): boolean {
  if (n <= 2 * nb) return cholesky(a, n);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const k1 = Math.min(n, k0 + nb);
    // factor the panel columns k0..k1 (rows k0..n), left-looking within the panel
    for (let j = k0; j < k1; j++) {
      subtractColumns(a, n, j, j + 1 < k1 ? j + 1 : -1, k0, j);
      if (!scaleColumn(a, n, j)) return false;
      if (j + 1 < k1) {
        // the pair's second column also needs the first one, just factored
        subtractColumns(a, n, j + 1, -1, j, j + 1);
        if (!scaleColumn(a, n, j + 1)) return false;
        j++;
      }
    }
    // trailing update: A[k1:, k1:] -= P P' with P = L[k1:, k0:k1]; lower triangle only; four
    // target columns at a time (each source value loaded once serves four), then the rest
    let j = k1;
    for (; j + 3 < n; j += 4) subtractFourColumns(a, n, j, k0, k1);
    for (; j < n; j += 2) subtractColumns(a, n, j, j + 1 < n ? j + 1 : -1, k0, k1);
  }
  for (let j = 0; j < n; j++) for (let i = 0; i < j; i++) a[j * n + i] = 0;
  return true;
}

/**
 * Cholesky factor of a dense n × n column-major matrix (lower triangle used) whose first nSparse
 * columns are factored on known patterns (a SparseCholeskyPlan of ordering.ts): rowIdx lists the
 * rows below the diagonal that can be nonzero in each sparse column of the factor. The remaining
 * columns form a dense trailing block, factored with the blocked kernel. Entries outside the
 * patterns must be zero on entry; they stay zero. `tail` ((n − nSparse)² scratch) and `lv`
 * (rowIdx.length scratch) are the caller's. False when the matrix is not positive definite.
 *
 * Three passes: (1) the sparse columns, right-looking, updating only the sparse columns after
 * them, their values also kept compactly in lv; (2) the trailing block's update by the sparse
 * columns, one trailing column at a time (its 6 KB stay in cache while every sparse column that
 * touches it is applied: done right-looking this was a scatter over 4 MB, bound by memory);
 * (3) the dense trailing block.
 */
export function choleskySparseThenDense(
  a: Float64Array, n: number,
  plan: SparseCholeskyPlan,
  tail: Float64Array, lv: Float64Array,
): boolean {
  const { nSparse: ns, colPtr, rowIdx, tailPtr, tailEntry, entryEnd } = plan;
  const m = n - ns;
  for (let j = 0; j < ns; j++) {
    const cj = j * n;
    const d = a[cj + j];
    if (!(d > 0)) return false;
    const s = Math.sqrt(d);
    a[cj + j] = s;
    const inv = 1 / s;
    const p0 = colPtr[j], p1 = colPtr[j + 1];
    for (let t = p0; t < p1; t++) { const v = a[cj + rowIdx[t]] * inv; a[cj + rowIdx[t]] = v; lv[t] = v; }
    // the later sparse columns on this column's pattern lose its outer product
    for (let tb = p0; tb < p1 && rowIdx[tb] < ns; tb++) {
      const lb = lv[tb];
      if (lb === 0) continue;
      const cb = rowIdx[tb] * n;
      for (let ta = tb; ta < p1; ta++) a[cb + rowIdx[ta]] -= lv[ta] * lb;
    }
  }
  if (m === 0) return true;
  for (let c = 0; c < m; c++) {
    const tc = c * m - ns;
    const ac = (ns + c) * n;
    for (let r = ns + c; r < n; r++) tail[tc + r] = a[ac + r];
    for (let e = tailPtr[c]; e < tailPtr[c + 1]; e++) {
      const tb = tailEntry[e];
      const lb = lv[tb];
      if (lb === 0) continue;
      const end = entryEnd[tb];
      for (let ta = tb; ta < end; ta++) tail[tc + rowIdx[ta]] -= lv[ta] * lb;
    }
  }
  if (!choleskyBlocked(tail, m)) return false;
  for (let c = 0; c < m; c++) for (let r = c; r < m; r++) a[(ns + c) * n + ns + r] = tail[c * m + r];
  return true;
}

/** a[j:, j] /= sqrt(a[j, j]) (matrix at a[off..]); false if not positive. */
function scaleColumn(a: Float64Array, n: number, j: number, off = 0): boolean {
  const cj = off + j * n;
  const d = a[cj + j];
  if (!(d > 0)) return false;
  const s = Math.sqrt(d);
  a[cj + j] = s;
  const inv = 1 / s;
  for (let i = j + 1; i < n; i++) a[cj + i] *= inv;
  return true;
}

/**
 * Column j (rows j..n) and, when j2 = j + 1, column j2 (rows j2..n) minus the contributions of
 * the factored columns k0..k1: a[i, j] -= Σ_k L[i, k] L[j, k].
 */
function subtractColumns(a: Float64Array, n: number, j: number, j2: number, k0: number, k1: number): void {
  const cj = j * n;
  let k = k0;
  if (j2 < 0) {
    for (; k + 3 < k1; k += 4) {
      const c0 = k * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
      const x0 = a[c0 + j], x1 = a[c1 + j], x2 = a[c2 + j], x3 = a[c3 + j];
      for (let i = j; i < n; i++) a[cj + i] -= a[c0 + i] * x0 + a[c1 + i] * x1 + a[c2 + i] * x2 + a[c3 + i] * x3;
    }
    for (; k < k1; k++) {
      const c0 = k * n;
      const x0 = a[c0 + j];
      if (x0 === 0) continue;
      for (let i = j; i < n; i++) a[cj + i] -= a[c0 + i] * x0;
    }
    return;
  }
  const cj2 = j2 * n;
  for (; k + 3 < k1; k += 4) {
    const c0 = k * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    const x0 = a[c0 + j], x1 = a[c1 + j], x2 = a[c2 + j], x3 = a[c3 + j];
    const y0 = a[c0 + j2], y1 = a[c1 + j2], y2 = a[c2 + j2], y3 = a[c3 + j2];
    // row j belongs to column j only (a[j, j2] is above the diagonal)
    a[cj + j] -= x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3;
    for (let i = j2; i < n; i++) {
      const l0 = a[c0 + i], l1 = a[c1 + i], l2 = a[c2 + i], l3 = a[c3 + i];
      a[cj + i] -= l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
      a[cj2 + i] -= l0 * y0 + l1 * y1 + l2 * y2 + l3 * y3;
    }
  }
  for (; k < k1; k++) {
    const c0 = k * n;
    const x0 = a[c0 + j], y0 = a[c0 + j2];
    a[cj + j] -= x0 * x0;
    for (let i = j2; i < n; i++) {
      const l0 = a[c0 + i];
      a[cj + i] -= l0 * x0;
      a[cj2 + i] -= l0 * y0;
    }
  }
}

/**
 * Columns j..j+3 (rows from their diagonals down) -= L[:, k0:k1] L[j:j+4, k0:k1]': the trailing
 * update's kernel, four target columns by four source columns, 16 multiply-adds per row for four
 * loads of the sources (on InstEval's 735-level block a quarter faster than two targets).
 */
function subtractFourColumns(a: Float64Array, n: number, j: number, k0: number, k1: number): void {
  const t0 = j * n, t1 = t0 + n, t2 = t1 + n, t3 = t2 + n;
  const j1 = j + 1, j2 = j + 2, j3 = j + 3;
  let k = k0;
  for (; k + 3 < k1; k += 4) {
    const c0 = k * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    const x0 = a[c0 + j], x1 = a[c1 + j], x2 = a[c2 + j], x3 = a[c3 + j];
    const y0 = a[c0 + j1], y1 = a[c1 + j1], y2 = a[c2 + j1], y3 = a[c3 + j1];
    const z0 = a[c0 + j2], z1 = a[c1 + j2], z2 = a[c2 + j2], z3 = a[c3 + j2];
    const w0 = a[c0 + j3], w1 = a[c1 + j3], w2 = a[c2 + j3], w3 = a[c3 + j3];
    // the triangle above row j+3
    a[t0 + j] -= x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3;
    a[t0 + j1] -= y0 * x0 + y1 * x1 + y2 * x2 + y3 * x3;
    a[t0 + j2] -= z0 * x0 + z1 * x1 + z2 * x2 + z3 * x3;
    a[t1 + j1] -= y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3;
    a[t1 + j2] -= z0 * y0 + z1 * y1 + z2 * y2 + z3 * y3;
    a[t2 + j2] -= z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3;
    for (let i = j3; i < n; i++) {
      const l0 = a[c0 + i], l1 = a[c1 + i], l2 = a[c2 + i], l3 = a[c3 + i];
      a[t0 + i] -= l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
      a[t1 + i] -= l0 * y0 + l1 * y1 + l2 * y2 + l3 * y3;
      a[t2 + i] -= l0 * z0 + l1 * z1 + l2 * z2 + l3 * z3;
      a[t3 + i] -= l0 * w0 + l1 * w1 + l2 * w2 + l3 * w3;
    }
  }
  for (; k < k1; k++) {
    const c0 = k * n;
    const x0 = a[c0 + j], y0 = a[c0 + j1], z0 = a[c0 + j2], w0 = a[c0 + j3];
    a[t0 + j] -= x0 * x0;
    a[t0 + j1] -= y0 * x0;
    a[t0 + j2] -= z0 * x0;
    a[t1 + j1] -= y0 * y0;
    a[t1 + j2] -= z0 * y0;
    a[t2 + j2] -= z0 * z0;
    for (let i = j3; i < n; i++) {
      const l0 = a[c0 + i];
      a[t0 + i] -= l0 * x0;
      a[t1 + i] -= l0 * y0;
      a[t2 + i] -= l0 * z0;
      a[t3 + i] -= l0 * w0;
    }
  }
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

/** Solves L L' x = b in place from the lower Cholesky factor L (n×n column-major at l[off..]). */
export function solveCholesky(l: Float64Array, n: number, b: Float64Array, off = 0, boff = 0): void {
  forwardSolve(l, n, b, off, boff);
  backSolveTransposed(l, n, b, off, boff);
}

/**
 * Inverse of a symmetric positive-definite matrix from its lower Cholesky factor: (L L')⁻¹ =
 * L⁻ᵀ L⁻¹. L⁻¹ is formed column by column (n³/6 multiply-adds, two columns at a time so that
 * each load of L serves both), then the product as dot products of its columns (n³/6 more),
 * against 2n³/3 for solving with each unit vector in turn. Conditional variances of crossed
 * designs (a 1,128-level block for InstEval) need it.
 */
export function inverseFromCholesky(l: Float64Array, n: number, off = 0): Float64Array {
  const li = new Float64Array(n * n);
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const x = j * n, y = x + n;
    li[x + j] = 1;
    li[y + j + 1] = 1;
    for (let k = j; k < n; k++) {
      const ck = off + k * n;
      const xk = (li[x + k] /= l[ck + k]);
      const yk = k > j ? (li[y + k] /= l[ck + k]) : 0;
      if (xk === 0 && yk === 0) continue;
      for (let i = k + 1; i < n; i++) {
        const lik = l[ck + i];
        li[x + i] -= lik * xk;
        li[y + i] -= lik * yk;
      }
    }
  }
  for (; j < n; j++) {
    const x = j * n;
    li[x + j] = 1;
    for (let k = j; k < n; k++) {
      const ck = off + k * n;
      const xk = (li[x + k] /= l[ck + k]);
      if (xk === 0) continue;
      for (let i = k + 1; i < n; i++) li[x + i] -= l[ck + i] * xk;
    }
  }
  // out[a, b] = Σ_{k ≥ max(a, b)} L⁻¹[k, a] L⁻¹[k, b]
  const out = new Float64Array(n * n);
  for (let b = 0; b < n; b++) {
    const cb = b * n;
    let a = 0;
    for (; a + 1 <= b; a += 2) {
      const ca = a * n, ca1 = ca + n;
      let s0 = 0, s1 = 0;
      for (let k = b; k < n; k++) { const v = li[cb + k]; s0 += li[ca + k] * v; s1 += li[ca1 + k] * v; }
      out[cb + a] = s0; out[ca * 1 + b] = s0;
      out[cb + a + 1] = s1; out[ca1 + b] = s1;
    }
    for (; a <= b; a++) {
      const ca = a * n;
      let s0 = 0;
      for (let k = b; k < n; k++) s0 += li[ca + k] * li[cb + k];
      out[cb + a] = s0; out[ca + b] = s0;
    }
  }
  return out;
}

/** Inverse of a small general (symmetric) matrix by Gauss-Jordan with partial pivoting; null when singular. */
export function inverseSymmetric(a: Float64Array, n: number, relativePivot = 0): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  // a pivot at most relativePivot of the largest diagonal entry counts as zero: the matrix is singular to rounding
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(a[i * n + i]));
  const tiny = relativePivot * big;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[c * n + r]) > Math.abs(m[c * n + piv])) piv = r;
    const pv = m[c * n + piv];
    if (pv === 0 || !Number.isFinite(pv) || Math.abs(pv) <= tiny) return null;
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
