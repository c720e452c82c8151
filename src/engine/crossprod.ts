/**
 * One pass over the rows reduces the data to cross-product blocks of [Z_1 ... Z_K X y]:
 * A_kk = Z_k'Z_k (block-diagonal: a row belongs to one level of each term), A_ik = Z_i'Z_k
 * (sparse, by pairs of levels), [X y]'Z_k (dense, (p+1) × levels·q) and [X y]'[X y].
 * After this nothing is per row: the optimiser works on these blocks only.
 */

/** What the cross-product pass needs of a random-effect term. */
export interface TermData {
  nLevels: number;
  q: number;
  /** Level of each row; -1 when the row does not belong to any level of the term. */
  refs: Int32Array;
  /** The term's q columns; null stands for a column of ones. */
  z: (Float64Array | null)[];
}

/**
 * Block-sparse matrix in compressed-column form over levels: column block c (a level of the
 * column term) holds row blocks rowIdx[colPtr[c]..colPtr[c+1]) (levels of the row term), each a
 * dense qr × qc column-major block in `data`.
 */
export interface SparseBlocks {
  nRowLevels: number;
  nColLevels: number;
  qr: number;
  qc: number;
  colPtr: Int32Array;
  rowIdx: Int32Array;
  data: Float64Array;
}

export interface CrossProducts {
  n: number;
  p: number;
  terms: { nLevels: number; q: number }[];
  /** A_kk: nLevels blocks of q×q. */
  diag: Float64Array[];
  /** off[i][k] for i > k: A_ik = Z_i'Z_k, block-sparse; entries for i <= k are null. */
  off: (SparseBlocks | null)[][];
  /** [X y]'Z_k, column-major (p+1) × (nLevels·q). */
  xz: Float64Array[];
  /** [X y]'[X y], column-major (p+1)². */
  xx: Float64Array;
}

/** The sparsity pattern of Z_i'Z_k: which (level of i, level of k) pairs share a row. */
function pairPattern(ri: Int32Array, rk: Int32Array, nColLevels: number): { colPtr: Int32Array; rowIdx: Int32Array; slotOfRow: Int32Array } {
  const n = ri.length;
  const count = new Int32Array(nColLevels + 1);
  for (let r = 0; r < n; r++) if (ri[r] >= 0 && rk[r] >= 0) count[rk[r] + 1]++;
  for (let c = 0; c < nColLevels; c++) count[c + 1] += count[c];
  const rowsByCol = new Int32Array(count[nColLevels]);
  const fill = count.slice(0, nColLevels);
  for (let r = 0; r < n; r++) if (ri[r] >= 0 && rk[r] >= 0) rowsByCol[fill[rk[r]]++] = r;
  // unique row levels within each column, sorted
  const colPtr = new Int32Array(nColLevels + 1);
  const rowIdxParts: number[] = [];
  const slotOfRow = new Int32Array(n).fill(-1);
  const seen = new Map<number, number>();
  for (let c = 0; c < nColLevels; c++) {
    seen.clear();
    const levels: number[] = [];
    for (let t = count[c]; t < count[c + 1]; t++) {
      const lv = ri[rowsByCol[t]];
      if (!seen.has(lv)) { seen.set(lv, 0); levels.push(lv); }
    }
    levels.sort((a, b) => a - b);
    const base = rowIdxParts.length;
    levels.forEach((lv, k) => seen.set(lv, base + k));
    for (const lv of levels) rowIdxParts.push(lv);
    for (let t = count[c]; t < count[c + 1]; t++) slotOfRow[rowsByCol[t]] = seen.get(ri[rowsByCol[t]])!;
    colPtr[c + 1] = rowIdxParts.length;
  }
  return { colPtr, rowIdx: Int32Array.from(rowIdxParts), slotOfRow };
}

export function crossProducts(y: Float64Array, x: Float64Array[], terms: TermData[]): CrossProducts {
  const p = x.length;
  const p1 = p + 1;
  const blocks: RowBlocks = {
    diag: terms.map((t) => new Float64Array(t.nLevels * t.q * t.q)),
    xz: terms.map((t) => new Float64Array(p1 * t.nLevels * t.q)),
    xx: new Float64Array(p1 * p1),
    ...offDiagonalBlocks(terms),
  };
  accumulateRows(y, x, terms, blocks);
  const { diag, off, xz, xx } = blocks;
  for (let b = 0; b < p1; b++) for (let a = b + 1; a < p1; a++) xx[a * p1 + b] = xx[b * p1 + a];
  return { n: y.length, p, terms: terms.map((t) => ({ nLevels: t.nLevels, q: t.q })), diag, off, xz, xx };
}

/** The blocks the pass over the rows fills, and the slot of each row in each off-diagonal block. */
interface RowBlocks {
  diag: Float64Array[];
  xz: Float64Array[];
  /** Lower triangle only until the pass is over. */
  xx: Float64Array;
  off: (SparseBlocks | null)[][];
  slots: (Int32Array | null)[][];
}

/** A_ik = Z_i'Z_k for i > k, on the pattern of the pairs of levels that share a row, zeroed; with the slot of each row in it. */
function offDiagonalBlocks(terms: TermData[]): { off: (SparseBlocks | null)[][]; slots: (Int32Array | null)[][] } {
  const K = terms.length;
  const off: (SparseBlocks | null)[][] = terms.map(() => terms.map(() => null));
  const slots: (Int32Array | null)[][] = terms.map(() => terms.map(() => null));
  for (let i = 1; i < K; i++) {
    for (let k = 0; k < i; k++) {
      const pat = pairPattern(terms[i].refs, terms[k].refs, terms[k].nLevels);
      off[i][k] = {
        nRowLevels: terms[i].nLevels,
        nColLevels: terms[k].nLevels,
        qr: terms[i].q,
        qc: terms[k].q,
        colPtr: pat.colPtr,
        rowIdx: pat.rowIdx,
        data: new Float64Array(pat.rowIdx.length * terms[i].q * terms[k].q),
      };
      slots[i][k] = pat.slotOfRow;
    }
  }
  return { off, slots };
}

/** The one pass over the rows: each row's products added to every block it touches. */
function accumulateRows(y: Float64Array, x: Float64Array[], terms: TermData[], blocks: RowBlocks): void {
  const { diag, xz, xx, off, slots } = blocks;
  const n = y.length;
  const p = x.length;
  const p1 = p + 1;
  const K = terms.length;
  const xv = new Float64Array(p1);
  const zv = terms.map((t) => new Float64Array(t.q));
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < p; a++) xv[a] = x[a][r];
    xv[p] = y[r];
    // [X y]'[X y] (lower triangle; mirrored at the end)
    for (let b = 0; b < p1; b++) {
      const xb = xv[b];
      if (xb === 0) continue;
      const cb = b * p1;
      for (let a = b; a < p1; a++) xx[cb + a] += xv[a] * xb;
    }
    for (let k = 0; k < K; k++) {
      const t = terms[k];
      const lv = t.refs[r];
      if (lv < 0) continue;
      const q = t.q;
      const z = zv[k];
      for (let c = 0; c < q; c++) { const col = t.z[c]; z[c] = col === null ? 1 : col[r]; }
      // A_kk block of level lv
      const d = diag[k];
      const db = lv * q * q;
      for (let c = 0; c < q; c++) {
        const zc = z[c];
        if (zc === 0) continue;
        for (let a = 0; a < q; a++) d[db + c * q + a] += z[a] * zc;
      }
      // [X y]'Z_k
      const m = xz[k];
      for (let c = 0; c < q; c++) {
        const zc = z[c];
        if (zc === 0) continue;
        const cb = (lv * q + c) * p1;
        for (let a = 0; a < p1; a++) m[cb + a] += xv[a] * zc;
      }
      // Z_i'Z_k for i > k
      for (let i = k + 1; i < K; i++) {
        const slot = slots[i][k]![r];
        if (slot < 0) continue;
        const ti = terms[i];
        const qi = ti.q;
        const zi = zv[i];
        for (let c = 0; c < qi; c++) { const col = ti.z[c]; zi[c] = col === null ? 1 : col[r]; }
        const o = off[i][k]!.data;
        const ob = slot * qi * q;
        for (let c = 0; c < q; c++) {
          const zc = z[c];
          if (zc === 0) continue;
          for (let a = 0; a < qi; a++) o[ob + c * qi + a] += zi[a] * zc;
        }
      }
    }
  }
}
