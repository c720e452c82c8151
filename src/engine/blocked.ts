/**
 * The blocked Cholesky factor L of lme4's penalised least-squares system, in the manner of
 * MixedModels.jl. With relative covariance factors Λ_k (block-diagonal, one q×q lower-triangular
 * template T_k per term, repeated over levels):
 *
 *   L L' = [ Λ'Z'ZΛ + I   Λ'Z'[X y] ]
 *          [ [X y]'ZΛ    [X y]'[X y] ]
 *
 * Blocks follow the terms (sorted by number of levels, largest first) and then [X y]. The first
 * term's diagonal block stays block-diagonal; the blocks below it keep the sparsity of Z_i'Z_1.
 * A later term's diagonal block stays block-diagonal when it nests the terms before it (each of
 * their levels sits inside one of its levels) and is dense otherwise (crossed designs). The last
 * diagonal element of L is the square root of the penalised residual sum of squares.
 */
import { CrossProducts, SparseBlocks } from "./crossprod";
import { cholesky, choleskyBlocked, choleskySparseThenDense } from "./dense";
import type { SparseCholeskyPlan } from "./ordering";

type DiagKind = "blockdiag" | "dense";

export class BlockedFactor {
  readonly cp: CrossProducts;
  readonly K: number;
  readonly p1: number;
  /** Size of each term's block: nLevels · q. */
  readonly dims: number[];
  readonly diagKind: DiagKind[];
  /** Diagonal blocks of L: block-diagonal (nLevels q×q blocks) or dense (dims² column-major). */
  readonly Ldiag: Float64Array[];
  /** L[i][0] for i ≥ 1: same pattern as A[i][0]; values only (pattern in cp.off[i][0]). */
  readonly Lfirst: (Float64Array | null)[];
  /** L[i][j] for i > j ≥ 1: dense dims[i] × dims[j]. */
  readonly Lmid: (Float64Array | null)[][];
  /** L[X][j]: dense (p+1) × dims[j]. */
  readonly LX: Float64Array[];
  /** L[X][X]: (p+1)², lower triangular. */
  readonly LXX: Float64Array;

  /** Symbolic factors of dense diagonal blocks whose levels were put in a fill-reducing order (ordering.ts). */
  readonly plans: (SparseCholeskyPlan | null)[];
  private readonly tails: Float64Array[];
  private readonly sparseValues: Float64Array[];

  constructor(cp: CrossProducts, plans: (SparseCholeskyPlan | null)[] = []) {
    this.cp = cp;
    const K = (this.K = cp.terms.length);
    this.p1 = cp.p + 1;
    this.dims = cp.terms.map((t) => t.nLevels * t.q);
    this.diagKind = cp.terms.map((_, j) => (j === 0 || (j === 1 && nestsFirst(cp.off[1][0]!)) ? "blockdiag" : "dense"));
    this.Ldiag = cp.terms.map((t, j) => new Float64Array(this.diagKind[j] === "blockdiag" ? t.nLevels * t.q * t.q : this.dims[j] * this.dims[j]));
    this.Lfirst = cp.terms.map((_, i) => (i === 0 ? null : new Float64Array(cp.off[i][0]!.data.length)));
    this.Lmid = cp.terms.map((_, i) => cp.terms.map((__, j) => (j >= 1 && i > j ? new Float64Array(this.dims[i] * this.dims[j]) : null)));
    this.LX = this.dims.map((d) => new Float64Array(this.p1 * d));
    this.LXX = new Float64Array(this.p1 * this.p1);
    this.plans = cp.terms.map((_, j) => (this.diagKind[j] === "dense" && plans[j] ? plans[j]! : null));
    this.tails = this.plans.map((pl, j) => (pl ? new Float64Array((this.dims[j] - pl.nSparse) ** 2) : new Float64Array(0)));
    this.sparseValues = this.plans.map((pl) => new Float64Array(pl ? pl.rowIdx.length : 0));
    void K;
  }

  /**
   * Refactors for new templates T_k (q_k×q_k column-major lower triangles). Returns false when a
   * block is not positive definite (which cannot happen for the Z part, whose diagonal carries +I,
   * but can for [X y] when X is rank-deficient or y is fitted exactly).
   */
  update(T: Float64Array[]): boolean {
    if (this.K === 1 && this.cp.terms[0].q <= 2) return this.updateOneSmallTerm(T[0]);
    return this.updateTerms(T);
  }

  /** update() for any terms, term by term and block by block (the one-term fast path's reference). */
  updateTerms(T: Float64Array[]): boolean {
    const { cp, K, p1 } = this;
    for (let j = 0; j < K; j++) {
      const qj = cp.terms[j].q;
      const nj = cp.terms[j].nLevels;
      // diagonal block: T_j' A_jj T_j + I
      const D = this.Ldiag[j];
      if (this.diagKind[j] === "blockdiag") {
        scaleDiagBlocks(cp.diag[j], D, nj, qj, T[j]);
      } else {
        D.fill(0);
        const tmp = this.tmpBlock(qj * qj);
        const m = this.dims[j];
        for (let l = 0; l < nj; l++) {
          sandwich(cp.diag[j], l * qj * qj, T[j], T[j], qj, qj, tmp, 0);
          for (let c = 0; c < qj; c++) for (let a = 0; a < qj; a++) D[(l * qj + c) * m + l * qj + a] = tmp[c * qj + a];
        }
        for (let a = 0; a < m; a++) D[a * m + a] += 1;
      }
      // minus L[j][k] L[j][k]' for k < j
      if (j >= 1) this.subtractFirstFromDiag(j);
      for (let k = 1; k < j; k++) syrkDense(D, this.dims[j], this.Lmid[j][k]!, this.dims[j], this.dims[k], this.diagKind[j] === "blockdiag" ? qj : 0);
      // factor it
      if (this.diagKind[j] === "blockdiag") {
        for (let l = 0; l < nj; l++) if (!cholesky(D, qj, l * qj * qj)) return false;
      } else if (this.plans[j]) {
        if (!choleskySparseThenDense(D, this.dims[j], this.plans[j]!, this.tails[j], this.sparseValues[j])) return false;
      } else if (!choleskyBlocked(D, this.dims[j])) return false;

      // blocks below the diagonal
      for (let i = j + 1; i < K; i++) {
        if (j === 0) {
          const A = cp.off[i][0]!;
          const Lv = this.Lfirst[i]!;
          scaleSparse(A, Lv, T[i], T[0]);
          rdivSparseByBlockDiag(A, Lv, this.Ldiag[0]);
        } else {
          const M = this.Lmid[i][j]!;
          const rows = this.dims[i];
          M.fill(0);
          scatterScaledSparse(cp.off[i][j]!, M, rows, T[i], T[j]);
          // minus L[i][0] L[j][0]'
          sparseTimesSparseT(cp.off[i][0]!, this.Lfirst[i]!, cp.off[j][0]!, this.Lfirst[j]!, M, rows);
          for (let k = 1; k < j; k++) gemmNT(M, rows, this.Lmid[i][k]!, this.Lmid[j][k]!, rows, this.dims[j], this.dims[k]);
          this.rdiv(M, rows, j);
        }
      }
      // the [X y] row: A_Xj T_j - sum_k L[X][k] L[j][k]', then times L_jj^{-T}
      const LXj = this.LX[j];
      scaleXBlocks(cp.xz[j], LXj, nj, qj, p1, T[j]);
      if (j >= 1) denseTimesSparseT(this.LX[0], p1, cp.off[j][0]!, this.Lfirst[j]!, LXj);
      for (let k = 1; k < j; k++) gemmNT(LXj, p1, this.LX[k], this.Lmid[j][k]!, p1, this.dims[j], this.dims[k]);
      this.rdiv(LXj, p1, j);
    }
    // [X y] diagonal block
    const LXX = this.LXX;
    LXX.set(cp.xx);
    for (let k = 0; k < K; k++) syrkDense(LXX, p1, this.LX[k], p1, this.dims[k], 0);
    return cholesky(LXX, p1);
  }

  /**
   * update() for one term of one or two effects (random intercepts, a random slope: most models
   * people fit, and every refit of their profiles and bootstraps), as one pass over the levels:
   * each level's block T'A T + I, its Cholesky factor, its rows of L[X] and their share of
   * L[X][X]'s Schur complement, with the level's numbers in locals. The same operations in the
   * same order as updateTerms (scaleDiagBlocks, cholesky, scaleXBlocks, rdivSmall, syrkDense),
   * so the same numbers to the last bit, for a fraction of the work: a fresh process
   * runs these loops in V8's interpreter and baseline tiers, where every call and array access of
   * the general path's small kernels costs.
   */
  private updateOneSmallTerm(T: Float64Array): boolean {
    const { cp, p1 } = this;
    const q = cp.terms[0].q, n = cp.terms[0].nLevels;
    const A = cp.diag[0], AX = cp.xz[0], D = this.Ldiag[0], LX = this.LX[0], C = this.LXX;
    C.set(cp.xx);
    if (q === 1) {
      const t = T[0], t2 = t * t;
      for (let l = 0; l < n; l++) {
        const d = A[l] * t2 + 1;
        if (!(d > 0)) return false;
        const s = Math.sqrt(d);
        D[l] = s;
        const inv = 1 / s, o = l * p1;
        for (let a = 0; a < p1; a++) LX[o + a] = AX[o + a] * t * inv;
        syrkColumn(C, p1, LX, o);
      }
      return cholesky(C, p1);
    }
    const t00 = T[0], t10 = T[1], t11 = T[3];
    for (let l = 0; l < n; l++) {
      // T'A_l T + I (sandwich's unrolled 2 × 2), then its Cholesky factor (dense.ts's, unrolled)
      const m = l * 4;
      const b00 = A[m], b10 = A[m + 1], b01 = A[m + 2], b11 = A[m + 3];
      const w00 = b00 * t00 + b01 * t10, w10 = b10 * t00 + b11 * t10, w01 = b01 * t11, w11 = b11 * t11;
      const d00 = t00 * w00 + t10 * w10 + 1, d10 = t11 * w10, d11 = t11 * w11 + 1;
      if (!(d00 > 0)) return false;
      const l00 = Math.sqrt(d00);
      const l10 = d10 * (1 / l00);
      const e11 = l10 === 0 ? d11 : d11 - l10 * l10;
      if (!(e11 > 0)) return false;
      const l11 = Math.sqrt(e11);
      D[m] = l00; D[m + 1] = l10; D[m + 2] = 0; D[m + 3] = l11;
      // the level's two columns of L[X]: A_X T, then times L_l^{-T}
      const o = l * 2 * p1, inv0 = 1 / l00, inv1 = 1 / l11;
      for (let a = 0; a < p1; a++) {
        // "0 +": scaleXBlocks's sums start from 0, which turns a product of −0 into +0
        const x0 = AX[o + a], x1 = AX[o + p1 + a], s1 = 0 + x1 * t11;
        const c0 = (0 + x0 * t00 + x1 * t10) * inv0;
        LX[o + a] = c0;
        LX[o + p1 + a] = (l10 === 0 ? s1 : s1 - c0 * l10) * inv1;
      }
      syrkColumn(C, p1, LX, o);
      syrkColumn(C, p1, LX, o + p1);
    }
    return cholesky(C, p1);
  }

  private tmp = new Float64Array(16);
  private tmpBlock(size: number): Float64Array {
    if (this.tmp.length < size) this.tmp = new Float64Array(size);
    return this.tmp;
  }

  /** M (rows × dims[j], column-major) ← M L_jj^{-T}. */
  private rdiv(M: Float64Array, rows: number, j: number): void {
    const q = this.cp.terms[j].q;
    if (this.diagKind[j] === "blockdiag") rdivDenseByBlockDiag(M, rows, this.Ldiag[j], this.cp.terms[j].nLevels, q);
    else rdivDenseByLower(M, rows, this.Ldiag[j], this.dims[j], this.plans[j]);
  }

  /** Ldiag[j] -= L[j][0] L[j][0]', walking the columns (levels of the first term). */
  private subtractFirstFromDiag(j: number): void {
    const pat = this.cp.off[j][0]!;
    const v = this.Lfirst[j]!;
    const D = this.Ldiag[j];
    const qr = pat.qr, qc = pat.qc;
    const bs = qr * qc;
    if (this.diagKind[j] === "blockdiag") {
      for (let c = 0; c < pat.nColLevels; c++) {
        for (let t = pat.colPtr[c]; t < pat.colPtr[c + 1]; t++) {
          const r = pat.rowIdx[t];
          const ob = t * bs;
          const db = r * qr * qr;
          for (let b = 0; b < qr; b++) for (let a = b; a < qr; a++) {
            let s = 0;
            for (let k = 0; k < qc; k++) s += v[ob + k * qr + a] * v[ob + k * qr + b];
            D[db + b * qr + a] -= s;
          }
        }
      }
      return;
    }
    const m = this.dims[j];
    if (qr === 1 && qc === 1) {
      const pairs = this.pairMap(j);
      if (pairs) {
        // accumulate each pair's sum in a compact array (in cache), then one write per pair into D
        const { slot, pos, acc } = pairs;
        acc.fill(0);
        let k = 0;
        for (let c = 0; c < pat.nColLevels; c++) {
          const t0 = pat.colPtr[c], t1 = pat.colPtr[c + 1];
          for (let tb = t0; tb < t1; tb++) {
            const vb = v[tb];
            for (let ta = tb; ta < t1; ta++) acc[slot[k++]] += v[ta] * vb;
          }
        }
        for (let e = 0; e < pos.length; e++) D[pos[e]] -= acc[e];
        return;
      }
    }
    for (let c = 0; c < pat.nColLevels; c++) {
      const t0 = pat.colPtr[c], t1 = pat.colPtr[c + 1];
      for (let tb = t0; tb < t1; tb++) {
        const rb = pat.rowIdx[tb];
        for (let ta = tb; ta < t1; ta++) {
          const ra = pat.rowIdx[ta];
          // block (ra, rb) -= Va Vb' ; only the lower triangle is needed (ra >= rb as rowIdx is sorted)
          for (let b = 0; b < qr; b++) {
            const col = (rb * qr + b) * m + ra * qr;
            for (let a = 0; a < qr; a++) {
              let s = 0;
              for (let k = 0; k < qc; k++) s += v[ta * bs + k * qr + a] * v[tb * bs + k * qr + b];
              D[col + a] -= s;
            }
          }
        }
      }
    }
  }

  private pairs: ({ slot: Int32Array; pos: Int32Array; acc: Float64Array } | null | undefined)[] = [];

  /**
   * For a dense block of a scalar term: the distinct (row, row) pairs that L[j][0] L[j][0]' touches,
   * and for each product of the column-by-column walk the pair it adds to. Built once (the
   * pattern does not depend on θ); null when the walk is too long to keep (a fully crossed design
   * with many levels per column) or the block too large to index.
   */
  private pairMap(j: number): { slot: Int32Array; pos: Int32Array; acc: Float64Array } | null {
    if (this.pairs[j] !== undefined) return this.pairs[j]!;
    const pat = this.cp.off[j][0]!;
    const m = this.dims[j];
    let products = 0;
    for (let c = 0; c < pat.nColLevels; c++) { const n = pat.colPtr[c + 1] - pat.colPtr[c]; products += (n * (n + 1)) / 2; }
    if (products > MAX_PAIR_PRODUCTS || m > MAX_PAIR_INDEX) { this.pairs[j] = null; return null; }
    const index = new Int32Array(m * m).fill(-1);
    const slot = new Int32Array(products);
    const pos: number[] = [];
    let k = 0;
    for (let c = 0; c < pat.nColLevels; c++) {
      const t0 = pat.colPtr[c], t1 = pat.colPtr[c + 1];
      for (let tb = t0; tb < t1; tb++) {
        const rb = pat.rowIdx[tb];
        for (let ta = tb; ta < t1; ta++) {
          const at = rb * m + pat.rowIdx[ta];
          let e = index[at];
          if (e < 0) { e = index[at] = pos.length; pos.push(at); }
          slot[k++] = e;
        }
      }
    }
    const map = { slot, pos: Int32Array.from(pos), acc: new Float64Array(pos.length) };
    this.pairs[j] = map;
    return map;
  }

  /** log det(Λ'Z'ZΛ + I) = 2 Σ log diag(L_ZZ). */
  logDetZ(): number {
    let s = 0;
    for (let j = 0; j < this.K; j++) {
      const D = this.Ldiag[j];
      const q = this.cp.terms[j].q;
      if (this.diagKind[j] === "blockdiag") {
        const n = this.cp.terms[j].nLevels;
        for (let l = 0; l < n; l++) for (let a = 0; a < q; a++) s += Math.log(D[l * q * q + a * q + a]);
      } else {
        const m = this.dims[j];
        for (let a = 0; a < m; a++) s += Math.log(D[a * m + a]);
      }
    }
    return 2 * s;
  }

  /** log det(R_X R_X') = 2 Σ log diag of the X part of L[X][X]. */
  logDetX(): number {
    let s = 0;
    const p1 = this.p1;
    for (let a = 0; a < p1 - 1; a++) s += Math.log(this.LXX[a * p1 + a]);
    return 2 * s;
  }

  /** Penalised residual sum of squares r² (the square of L's last diagonal element). */
  pwrss(): number {
    const r = this.LXX[this.p1 * this.p1 - 1];
    return r * r;
  }

  /** β̂ from L[X][X] = [[R_X, 0], [l', r]]: R_X' β = l, solved on L[X][X] in place of a copy of R_X. */
  beta(): Float64Array {
    const LXX = this.LXX, p1 = this.p1, p = p1 - 1;
    const beta = new Float64Array(p);
    for (let a = 0; a < p; a++) beta[a] = LXX[a * p1 + p];
    for (let a = p - 1; a >= 0; a--) {
      let s = beta[a];
      for (let k = a + 1; k < p; k++) s -= LXX[a * p1 + k] * beta[k];
      beta[a] = s / LXX[a * p1 + a];
    }
    return beta;
  }

  /**
   * The random-effects rows and columns of L from term `first` on (all of L_ZZ for first = 0) as
   * one dense lower-triangular m × m matrix (column-major, m = Σ dims[first..]), each term's block
   * at the sum of the dims before it: for the inverses that small models and conditional
   * variances need.
   */
  denseRandomEffects(first = 0): Float64Array {
    const { cp, K, dims } = this;
    const off: number[] = [];
    let m = 0;
    for (let j = first; j < K; j++) { off[j] = m; m += dims[j]; }
    const L = new Float64Array(m * m);
    for (let j = first; j < K; j++) {
      const q = cp.terms[j].q, d = dims[j], oj = off[j];
      const D = this.Ldiag[j];
      if (this.diagKind[j] === "blockdiag") {
        for (let l = 0; l < cp.terms[j].nLevels; l++) for (let c = 0; c < q; c++) for (let r = c; r < q; r++) {
          L[(oj + l * q + c) * m + oj + l * q + r] = D[l * q * q + c * q + r];
        }
      } else {
        for (let c = 0; c < d; c++) for (let r = c; r < d; r++) L[(oj + c) * m + oj + r] = D[c * d + r];
      }
      for (let i = j + 1; i < K; i++) {
        const oi = off[i], di = dims[i];
        if (j === 0) {
          const pat = cp.off[i][0]!;
          const V = this.Lfirst[i]!;
          const bs = pat.qr * pat.qc;
          for (let col = 0; col < pat.nColLevels; col++) for (let t = pat.colPtr[col]; t < pat.colPtr[col + 1]; t++) {
            const row = pat.rowIdx[t];
            for (let b = 0; b < pat.qc; b++) for (let a = 0; a < pat.qr; a++) L[(oj + col * pat.qc + b) * m + oi + row * pat.qr + a] = V[t * bs + b * pat.qr + a];
          }
        } else {
          const M = this.Lmid[i][j]!;
          for (let c = 0; c < d; c++) for (let r = 0; r < di; r++) L[(oj + c) * m + oi + r] = M[c * di + r];
        }
      }
    }
    return L;
  }
}

/** Longest column-by-column walk of L[j][0] L[j][0]' kept as a pair map (16 MB of indices). */
const MAX_PAIR_PRODUCTS = 4_000_000;
/** Largest dense block indexed by position while the pair map is built (m² integers). */
const MAX_PAIR_INDEX = 3000;

/** True when each column block of A[1][0] touches at most one row block: term 0 nested in term 1. */
function nestsFirst(a: SparseBlocks): boolean {
  for (let c = 0; c < a.nColLevels; c++) if (a.colPtr[c + 1] - a.colPtr[c] > 1) return false;
  return true;
}

/** Scratch space for sandwich(): grown on demand, never freed, so the objective allocates nothing. */
let scratch = new Float64Array(16);

/**
 * out = Ti' B Tj for the qi × qj block of B at offset bo, written at out[oo..]. T's are lower
 * triangular. Not smallMatrix.sandwich (A B A', fresh arrays): this one works at offsets, skips
 * the templates' zero triangles and allocates nothing, as it runs for every level at every
 * evaluation.
 */
function sandwich(B: Float64Array, bo: number, Ti: Float64Array, Tj: Float64Array, qi: number, qj: number, out: Float64Array, oo: number): void {
  if (qi === 2 && qj === 2) {
    // the common random-slope case, unrolled: W = B Tj, out = Ti' W
    const b00 = B[bo], b10 = B[bo + 1], b01 = B[bo + 2], b11 = B[bo + 3];
    const t00 = Tj[0], t10 = Tj[1], t11 = Tj[3];
    const w00 = b00 * t00 + b01 * t10, w10 = b10 * t00 + b11 * t10, w01 = b01 * t11, w11 = b11 * t11;
    const s00 = Ti[0], s10 = Ti[1], s11 = Ti[3];
    out[oo] = s00 * w00 + s10 * w10;
    out[oo + 1] = s11 * w10;
    out[oo + 2] = s00 * w01 + s10 * w11;
    out[oo + 3] = s11 * w11;
    return;
  }
  const size = qi * qj;
  if (scratch.length < size) scratch = new Float64Array(size);
  const w = scratch;
  // W = B Tj (qi × qj); Tj lower: Tj[k, c] nonzero for k >= c
  for (let c = 0; c < qj; c++) {
    for (let a = 0; a < qi; a++) {
      let s = 0;
      for (let k = c; k < qj; k++) s += B[bo + k * qi + a] * Tj[c * qj + k];
      w[c * qi + a] = s;
    }
  }
  // out = Ti' W; (Ti')[a, k] = Ti[k, a], nonzero for k >= a
  for (let c = 0; c < qj; c++) {
    for (let a = 0; a < qi; a++) {
      let s = 0;
      for (let k = a; k < qi; k++) s += Ti[a * qi + k] * w[c * qi + k];
      out[oo + c * qi + a] = s;
    }
  }
}

function scaleDiagBlocks(A: Float64Array, D: Float64Array, n: number, q: number, T: Float64Array): void {
  if (q === 1) {
    const t2 = T[0] * T[0];
    for (let l = 0; l < n; l++) D[l] = A[l] * t2 + 1;
    return;
  }
  const qq = q * q;
  for (let l = 0; l < n; l++) {
    sandwich(A, l * qq, T, T, q, q, D, l * qq);
    for (let a = 0; a < q; a++) D[l * qq + a * q + a] += 1;
  }
}

function scaleSparse(A: SparseBlocks, out: Float64Array, Ti: Float64Array, Tj: Float64Array): void {
  const { qr, qc } = A;
  const nb = A.rowIdx.length;
  if (qr === 1 && qc === 1) {
    const s = Ti[0] * Tj[0];
    const a = A.data;
    for (let t = 0; t < nb; t++) out[t] = a[t] * s;
    return;
  }
  const bs = qr * qc;
  for (let t = 0; t < nb; t++) sandwich(A.data, t * bs, Ti, Tj, qr, qc, out, t * bs);
}

/** V (block-sparse like A) ← V L0^{-T}, L0 block-diagonal with blocks of size qc. */
function rdivSparseByBlockDiag(A: SparseBlocks, V: Float64Array, L0: Float64Array): void {
  const { qr, qc } = A;
  if (qr === 1 && qc === 1) {
    for (let c = 0; c < A.nColLevels; c++) {
      const inv = 1 / L0[c];
      for (let t = A.colPtr[c]; t < A.colPtr[c + 1]; t++) V[t] *= inv;
    }
    return;
  }
  const bs = qr * qc;
  for (let c = 0; c < A.nColLevels; c++) {
    const lo = c * qc * qc;
    for (let t = A.colPtr[c]; t < A.colPtr[c + 1]; t++) rdivSmall(V, t * bs, qr, L0, lo, qc);
  }
}

/** The qr × qc block at V[vo..] ← block L^{-T} with L (qc × qc lower) at L[lo..]. Solves X L' = B column by column. */
function rdivSmall(V: Float64Array, vo: number, qr: number, L: Float64Array, lo: number, qc: number): void {
  // X L' = B  =>  for column c: X[:, c] = (B[:, c] - Σ_{k<c} X[:, k] L[c, k]) / L[c, c]
  for (let c = 0; c < qc; c++) {
    for (let k = 0; k < c; k++) {
      const lck = L[lo + k * qc + c];
      if (lck === 0) continue;
      for (let a = 0; a < qr; a++) V[vo + c * qr + a] -= V[vo + k * qr + a] * lck;
    }
    const inv = 1 / L[lo + c * qc + c];
    for (let a = 0; a < qr; a++) V[vo + c * qr + a] *= inv;
  }
}

function rdivDenseByBlockDiag(M: Float64Array, rows: number, L: Float64Array, n: number, q: number): void {
  if (q === 1) {
    for (let l = 0; l < n; l++) {
      const inv = 1 / L[l];
      const o = l * rows;
      for (let a = 0; a < rows; a++) M[o + a] *= inv;
    }
    return;
  }
  for (let l = 0; l < n; l++) rdivSmall(M, l * q * rows, rows, L, l * q * q, q);
}

/**
 * M (rows × m) ← M L^{-T}, L dense lower m × m. Right-looking: once column k of the result is
 * final, it is taken off the later columns along column k of L, read contiguously (a row of L,
 * the left-looking way, is a stride-m walk) and skipping its zeros (most of them, in a
 * fill-reducing order).
 */
function rdivDenseByLower(M: Float64Array, rows: number, L: Float64Array, m: number, plan: SparseCholeskyPlan | null = null): void {
  const ns = plan ? plan.nSparse : 0;
  for (let k = 0; k < m; k++) {
    const mk = k * rows;
    const inv = 1 / L[k * m + k];
    for (let a = 0; a < rows; a++) M[mk + a] *= inv;
    // a sparse column of the factor is walked on its pattern, a dense one below its diagonal
    const sparse = k < ns;
    const end = sparse ? plan!.colPtr[k + 1] : m;
    for (let t = sparse ? plan!.colPtr[k] : k + 1; t < end; t++) {
      const c = sparse ? plan!.rowIdx[t] : t;
      const lck = L[k * m + c];
      if (lck === 0) continue;
      const mc = c * rows;
      for (let a = 0; a < rows; a++) M[mc + a] -= M[mk + a] * lck;
    }
  }
}

function scaleXBlocks(A: Float64Array, out: Float64Array, n: number, q: number, p1: number, T: Float64Array): void {
  if (q === 1) {
    const t = T[0];
    for (let i = 0; i < A.length; i++) out[i] = A[i] * t;
    return;
  }
  // out[:, level block] = A[:, level block] T
  for (let l = 0; l < n; l++) {
    const o = l * q * p1;
    for (let c = 0; c < q; c++) {
      for (let a = 0; a < p1; a++) {
        let s = 0;
        for (let k = c; k < q; k++) s += A[o + k * p1 + a] * T[c * q + k];
        out[o + c * p1 + a] = s;
      }
    }
  }
}

/** Writes T_i' A T_j of block-sparse A into dense M (rows × cols, column-major). */
function scatterScaledSparse(A: SparseBlocks, M: Float64Array, rows: number, Ti: Float64Array, Tj: Float64Array): void {
  const { qr, qc } = A;
  const bs = qr * qc;
  const tmp = new Float64Array(bs);
  for (let c = 0; c < A.nColLevels; c++) {
    for (let t = A.colPtr[c]; t < A.colPtr[c + 1]; t++) {
      const r = A.rowIdx[t];
      sandwich(A.data, t * bs, Ti, Tj, qr, qc, tmp, 0);
      for (let b = 0; b < qc; b++) for (let a = 0; a < qr; a++) M[(c * qc + b) * rows + r * qr + a] = tmp[b * qr + a];
    }
  }
}

/** M -= Vi Vj' for block-sparse Vi (pattern Pi) and Vj (pattern Pj) sharing column levels; M dense rows × (levels_j · qj). */
function sparseTimesSparseT(Pi: SparseBlocks, Vi: Float64Array, Pj: SparseBlocks, Vj: Float64Array, M: Float64Array, rows: number): void {
  const qi = Pi.qr, qj = Pj.qr, qc = Pi.qc;
  const bi = qi * qc, bj = qj * qc;
  for (let c = 0; c < Pi.nColLevels; c++) {
    for (let tj = Pj.colPtr[c]; tj < Pj.colPtr[c + 1]; tj++) {
      const rj = Pj.rowIdx[tj];
      for (let ti = Pi.colPtr[c]; ti < Pi.colPtr[c + 1]; ti++) {
        const ri = Pi.rowIdx[ti];
        for (let b = 0; b < qj; b++) {
          const col = (rj * qj + b) * rows + ri * qi;
          for (let a = 0; a < qi; a++) {
            let s = 0;
            for (let k = 0; k < qc; k++) s += Vi[ti * bi + k * qi + a] * Vj[tj * bj + k * qj + b];
            M[col + a] -= s;
          }
        }
      }
    }
  }
}

/** M (p1 × dims_j) -= X (p1 × dims_0) Vj' where Vj is block-sparse (rows: levels of j, columns: levels of 0). */
function denseTimesSparseT(X: Float64Array, p1: number, Pj: SparseBlocks, Vj: Float64Array, M: Float64Array): void {
  const qj = Pj.qr, qc = Pj.qc;
  const bs = qj * qc;
  for (let c = 0; c < Pj.nColLevels; c++) {
    for (let t = Pj.colPtr[c]; t < Pj.colPtr[c + 1]; t++) {
      const r = Pj.rowIdx[t];
      for (let b = 0; b < qj; b++) {
        const mo = (r * qj + b) * p1;
        for (let k = 0; k < qc; k++) {
          const v = Vj[t * bs + k * qj + b];
          if (v === 0) continue;
          const xo = (c * qc + k) * p1;
          for (let a = 0; a < p1; a++) M[mo + a] -= X[xo + a] * v;
        }
      }
    }
  }
}

/** C (m × m, lower triangle) -= v v' for the column v = A[at..at + m): one column of syrkDense's. */
function syrkColumn(C: Float64Array, m: number, A: Float64Array, at: number): void {
  for (let b = 0; b < m; b++) {
    const ab = A[at + b];
    if (ab === 0) continue;
    const cb = b * m;
    for (let a = b; a < m; a++) C[cb + a] -= A[at + a] * ab;
  }
}

/**
 * C (m × m, lower triangle) -= A A' for dense A (m × k, column-major). When blockQ > 0, C is
 * block-diagonal with blocks of size blockQ (only those blocks are updated).
 */
function syrkDense(C: Float64Array, m: number, A: Float64Array, rows: number, k: number, blockQ: number): void {
  if (blockQ > 0) {
    const nb = m / blockQ;
    for (let l = 0; l < nb; l++) {
      for (let b = 0; b < blockQ; b++) for (let a = b; a < blockQ; a++) {
        let s = 0;
        const ra = l * blockQ + a, rb = l * blockQ + b;
        for (let t = 0; t < k; t++) s += A[t * rows + ra] * A[t * rows + rb];
        C[l * blockQ * blockQ + b * blockQ + a] -= s;
      }
    }
    return;
  }
  for (let t = 0; t < k; t++) {
    const at = t * rows;
    for (let b = 0; b < m; b++) {
      const ab = A[at + b];
      if (ab === 0) continue;
      const cb = b * m;
      for (let a = b; a < m; a++) C[cb + a] -= A[at + a] * ab;
    }
  }
}

/** C (m × n) -= A B' with A (m × k), B (n × k), all column-major. */
function gemmNT(C: Float64Array, m: number, A: Float64Array, B: Float64Array, rowsA: number, n: number, k: number): void {
  for (let t = 0; t < k; t++) {
    const at = t * rowsA;
    const bt = t * n;
    for (let b = 0; b < n; b++) {
      const bv = B[bt + b];
      if (bv === 0) continue;
      const cb = b * m;
      for (let a = 0; a < m; a++) C[cb + a] -= A[at + a] * bv;
    }
  }
}
