/**
 * The inverse of a symmetric positive definite matrix from its Cholesky factor, K = L⁻ᵀL⁻¹, for
 * the dense blocks of the degrees of freedom (InstEval: 1,128 instructors). Both steps work on
 * four columns at a time, so that every value loaded from memory serves several multiply-adds:
 * first W = L⁻¹ by forward substitution, then K = W'W by 4×4 tiles of dot products between
 * columns of W (contiguous). About three times faster than one column at a time.
 */

/**
 * W = L⁻¹ for a lower-triangular L (n×n column-major, upper part ignored): four columns of W at a
 * time, and within them four rows of L at a time: once rows k..k+3 of the four columns are
 * final, they are taken off every later row in one pass (16 multiply-adds per row for four loads
 * of L), the kernel of the blocked Cholesky (dense.ts) in another guise.
 */
export function lowerInverse(L: Float64Array, n: number): Float64Array {
  const W = new Float64Array(n * n);
  const rows = sparseBlockRows(L, n);
  for (let j = 0; j < n; j += 4) {
    const nc = Math.min(4, n - j);
    for (let c = 0; c < nc; c++) W[(j + c) * n + j + c] = 1;
    for (let k = j; k < n; k += 4) {
      const nk = Math.min(4, n - k);
      // rows k..k+nk of the nc columns: forward substitution within the 4×4 diagonal block
      for (let t = 0; t < nk; t++) {
        const row = k + t, d = L[row * n + row];
        for (let c = 0; c < nc; c++) {
          const col = (j + c) * n;
          let v = W[col + row];
          for (let u = 0; u < t; u++) v -= L[(k + u) * n + row] * W[col + k + u];
          W[col + row] = v / d;
        }
      }
      if (nc === 4 && nk === 4) subtractFour(L, W, n, j, k, rows[k >> 2]);
      else {
        for (let c = 0; c < nc; c++) {
          const col = (j + c) * n;
          for (let u = 0; u < nk; u++) {
            const x = W[col + k + u], lk = (k + u) * n;
            if (x !== 0) for (let i = k + nk; i < n; i++) W[col + i] -= L[lk + i] * x;
          }
        }
      }
    }
  }
  return W;
}

/**
 * For each block of four columns of L, the rows below the block where any of them is nonzero,
 * when those are few (a factor in a fill-reducing order starts with sparse columns), else null.
 */
function sparseBlockRows(L: Float64Array, n: number): (Int32Array | null)[] {
  const out: (Int32Array | null)[] = [];
  for (let k = 0; k + 3 < n; k += 4) {
    const list: number[] = [];
    for (let i = k + 4; i < n; i++) if (L[k * n + i] !== 0 || L[(k + 1) * n + i] !== 0 || L[(k + 2) * n + i] !== 0 || L[(k + 3) * n + i] !== 0) list.push(i);
    out.push(list.length < (n - k - 4) / 2 ? Int32Array.from(list) : null);
  }
  return out;
}

/** W[i, j..j+3] −= Σ_{u<4} L[i, k+u] W[k+u, j..j+3] for every row i ≥ k+4 (those listed in `rows`, when given). */
function subtractFour(L: Float64Array, W: Float64Array, n: number, j: number, k: number, rows: Int32Array | null): void {
  const t0 = j * n, t1 = t0 + n, t2 = t1 + n, t3 = t2 + n;
  const c0 = k * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
  const x0 = W[t0 + k], x1 = W[t0 + k + 1], x2 = W[t0 + k + 2], x3 = W[t0 + k + 3];
  const y0 = W[t1 + k], y1 = W[t1 + k + 1], y2 = W[t1 + k + 2], y3 = W[t1 + k + 3];
  const z0 = W[t2 + k], z1 = W[t2 + k + 1], z2 = W[t2 + k + 2], z3 = W[t2 + k + 3];
  const w0 = W[t3 + k], w1 = W[t3 + k + 1], w2 = W[t3 + k + 2], w3 = W[t3 + k + 3];
  if (rows) {
    for (let e = 0; e < rows.length; e++) {
      const i = rows[e];
      const l0 = L[c0 + i], l1 = L[c1 + i], l2 = L[c2 + i], l3 = L[c3 + i];
      W[t0 + i] -= l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
      W[t1 + i] -= l0 * y0 + l1 * y1 + l2 * y2 + l3 * y3;
      W[t2 + i] -= l0 * z0 + l1 * z1 + l2 * z2 + l3 * z3;
      W[t3 + i] -= l0 * w0 + l1 * w1 + l2 * w2 + l3 * w3;
    }
    return;
  }
  for (let i = k + 4; i < n; i++) {
    const l0 = L[c0 + i], l1 = L[c1 + i], l2 = L[c2 + i], l3 = L[c3 + i];
    W[t0 + i] -= l0 * x0 + l1 * x1 + l2 * x2 + l3 * x3;
    W[t1 + i] -= l0 * y0 + l1 * y1 + l2 * y2 + l3 * y3;
    W[t2 + i] -= l0 * z0 + l1 * z1 + l2 * z2 + l3 * z3;
    W[t3 + i] -= l0 * w0 + l1 * w1 + l2 * w2 + l3 * w3;
  }
}

/** K = W'W for a lower-triangular W (n×n column-major); K full and symmetric. */
export function lowerCrossprod(W: Float64Array, n: number): Float64Array {
  const K = new Float64Array(n * n);
  for (let b0 = 0; b0 < n; b0 += 4) {
    for (let a0 = b0; a0 < n; a0 += 4) {
      if (a0 + 4 <= n && b0 + 4 <= n) dotTile(W, K, n, a0, b0);
      else dotEdge(W, K, n, a0, b0);
    }
  }
  for (let j = 0; j < n; j++) for (let i = 0; i < j; i++) K[j * n + i] = K[i * n + j];
  return K;
}

/** K[a0..a0+3, b0..b0+3] = Σ_{k ≥ a0} W[k, a] W[k, b] (a0 ≥ b0; W[k, a] = 0 for k < a), into the lower triangle. */
function dotTile(W: Float64Array, K: Float64Array, n: number, a0: number, b0: number): void {
  const a = a0 * n, b = b0 * n;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let k = a0; k < n; k++) {
    const w0 = W[a + k], w1 = W[a + n + k], w2 = W[a + 2 * n + k], w3 = W[a + 3 * n + k];
    const v0 = W[b + k], v1 = W[b + n + k], v2 = W[b + 2 * n + k], v3 = W[b + 3 * n + k];
    s00 += w0 * v0; s01 += w0 * v1; s02 += w0 * v2; s03 += w0 * v3;
    s10 += w1 * v0; s11 += w1 * v1; s12 += w1 * v2; s13 += w1 * v3;
    s20 += w2 * v0; s21 += w2 * v1; s22 += w2 * v2; s23 += w2 * v3;
    s30 += w3 * v0; s31 += w3 * v1; s32 += w3 * v2; s33 += w3 * v3;
  }
  K[b + a0] = s00; K[b + a0 + 1] = s10; K[b + a0 + 2] = s20; K[b + a0 + 3] = s30;
  K[b + n + a0] = s01; K[b + n + a0 + 1] = s11; K[b + n + a0 + 2] = s21; K[b + n + a0 + 3] = s31;
  K[b + 2 * n + a0] = s02; K[b + 2 * n + a0 + 1] = s12; K[b + 2 * n + a0 + 2] = s22; K[b + 2 * n + a0 + 3] = s32;
  K[b + 3 * n + a0] = s03; K[b + 3 * n + a0 + 1] = s13; K[b + 3 * n + a0 + 2] = s23; K[b + 3 * n + a0 + 3] = s33;
}

/** The same for a tile cut by the matrix's edge. */
function dotEdge(W: Float64Array, K: Float64Array, n: number, a0: number, b0: number): void {
  for (let a = a0; a < Math.min(n, a0 + 4); a++) for (let b = b0; b < Math.min(n, b0 + 4); b++) {
    let s = 0;
    for (let k = Math.max(a, b); k < n; k++) s += W[a * n + k] * W[b * n + k];
    K[b * n + a] = s;
  }
}

/** S⁻¹ from the lower Cholesky factor L of S. */
export function inverseFromFactor(L: Float64Array, n: number): Float64Array {
  return lowerCrossprod(lowerInverse(L, n), n);
}
