/**
 * The variance parameters as lme4 reports them in confint and bootMer: per random-effect term a
 * standard deviation for each effect and a correlation for each pair of a correlated term, then
 * the residual σ; named `sd_(Intercept)|Pig`, `cor_Time.(Intercept)|Pig`, `sd_Time|Pig`,
 * `sigma`. Terms in lme4's order (most levels first); within a term, the lower triangle column
 * by column, as θ. Converts between these and θ.
 */
import { ModelFrame } from "../model";

/** A block of covariance parameters: one random-effect term, or a statsmodels variance component (several terms sharing θ). */
export interface CovBlock {
  /** The grouping in the parameters' names: "Pig", "cask:batch"; for a variance component, the groups column. */
  group: string;
  /** Effect names in lme4's convention ("(Intercept)", "Time"); a variance component's name. */
  names: string[];
  q: number;
  /** θ index of each entry of the q×q lower-triangular template (column-major); -1 = fixed zero. */
  thetaIndex: Int32Array;
}

/** One variance parameter: which block, and which entry (row ≥ col; row = col: a standard deviation). */
export interface VarianceParameter {
  name: string;
  block: number;
  row: number;
  col: number;
}

/** The covariance blocks in lme4's order: terms by number of levels, most first (ties in formula order). */
export function covBlocks(frame: ModelFrame): CovBlock[] {
  const seen = new Set<number>();
  const blocks: { block: CovBlock; levels: number; k: number }[] = [];
  frame.terms.forEach((t, k) => {
    if (t.kind === "vc") {
      const idx = t.thetaIndex[0];
      const levels = frame.terms.filter((u) => u.kind === "vc" && u.thetaIndex[0] === idx).reduce((s, u) => s + u.levels.length, 0);
      if (seen.has(idx)) return;
      seen.add(idx);
      blocks.push({ block: { group: t.grouping, names: [t.vcName!], q: 1, thetaIndex: t.thetaIndex }, levels, k });
      return;
    }
    const names = t.names.map((nm, c) => (t.z[c] === null ? "(Intercept)" : nm));
    blocks.push({ block: { group: t.grouping, names, q: t.q, thetaIndex: t.thetaIndex }, levels: t.levels.length, k });
  });
  if (frame.style === "lme4") blocks.sort((a, b) => b.levels - a.levels || a.k - b.k);
  return blocks.map((b) => b.block);
}

/** The variance parameters in lme4's order (without sigma). */
export function varianceParameters(blocks: CovBlock[]): VarianceParameter[] {
  const out: VarianceParameter[] = [];
  blocks.forEach((b, k) => {
    for (let c = 0; c < b.q; c++) for (let r = c; r < b.q; r++) {
      if (b.thetaIndex[c * b.q + r] < 0) continue;
      const name = r === c ? `sd_${b.names[c]}|${b.group}` : `cor_${b.names[r]}.${b.names[c]}|${b.group}`;
      out.push({ name, block: k, row: r, col: c });
    }
  });
  return out;
}

/** The covariance of a block on the data's scale, σ² T T' (q×q column-major), T from θ. */
export function blockCovariance(b: CovBlock, theta: ArrayLike<number>, sigma: number): Float64Array {
  const S = relativeCovariance(b, theta);
  // (s σ) σ: a zero stays zero where σ² overflows
  for (let e = 0; e < S.length; e++) S[e] = S[e] * sigma * sigma;
  return S;
}

/**
 * The block's covariance relative to σ², T T' (q×q column-major): free of the response's unit,
 * so that standard deviations (σ √(T T')_aa) and correlations read off it are right where σ²
 * overflows or underflows (a response × 1e±160).
 */
export function relativeCovariance(b: CovBlock, theta: ArrayLike<number>): Float64Array {
  const q = b.q;
  const T = new Float64Array(q * q);
  for (let e = 0; e < q * q; e++) T[e] = b.thetaIndex[e] >= 0 ? theta[b.thetaIndex[e]] : 0;
  const S = new Float64Array(q * q);
  for (let a = 0; a < q; a++) for (let c = 0; c <= a; c++) {
    let s = 0;
    for (let k = 0; k <= c; k++) s += T[k * q + a] * T[k * q + c];
    S[c * q + a] = S[a * q + c] = s;
  }
  return S;
}

/** Values of the parameters (sd, cor) of the blocks, then sigma, from θ and σ. A correlation with a zero sd is NaN. */
export function sdcorValues(blocks: CovBlock[], params: VarianceParameter[], theta: ArrayLike<number>, sigma: number): number[] {
  const rel = blocks.map((b) => relativeCovariance(b, theta));
  const vals = params.map(({ block, row, col }) => {
    const R = rel[block], q = blocks[block].q;
    const sr = Math.sqrt(R[row * q + row]);
    if (row === col) return sigma * sr;
    const sc = Math.sqrt(R[col * q + col]);
    return sr > 0 && sc > 0 ? R[col * q + row] / sr / sc : NaN;
  });
  return [...vals, sigma];
}

/**
 * Writes θ for a block whose covariance (data scale) is S, given σ: T = chol(S / σ²). S may be
 * singular (a zero sd, a correlation of ±1): cholPsd gives a factor with zero columns there.
 * Entries the block's template holds at zero (an uncorrelated term) must be zero in S.
 */
export function setBlockTheta(b: CovBlock, S: Float64Array, sigma: number, theta: Float64Array): boolean {
  const s2 = sigma * sigma;
  return setBlockThetaRelative(b, S.map((v) => v / s2), theta);
}

/** setBlockTheta for a covariance relative to σ², R = S / σ² (T = chol(R)); R is overwritten. */
export function setBlockThetaRelative(b: CovBlock, R: Float64Array, theta: Float64Array): boolean {
  const q = b.q;
  if (!cholPsd(R, q)) return false;
  for (let e = 0; e < q * q; e++) if (b.thetaIndex[e] >= 0) theta[b.thetaIndex[e]] = R[e];
  return true;
}

/**
 * In-place Cholesky of a positive semidefinite q×q matrix (column-major; the lower triangle is
 * read and written, the upper zeroed): a pivot at (rounding) zero gives a zero column. False
 * when the matrix is not semidefinite.
 */
export function cholPsd(A: Float64Array, q: number): boolean {
  for (let j = 0; j < q; j++) {
    // each pivot against its own diagonal entry, not the largest: a covariance of an intercept
    // (variance 20) and a slope on x × 1e-8 (variance 1e15) is as well conditioned as on x
    const own = Math.abs(A[j * q + j]);
    let d = A[j * q + j];
    for (let k = 0; k < j; k++) d -= A[k * q + j] * A[k * q + j];
    if (d < -1e-10 * own - 1e-300) return false;
    const ljj = d > 1e-13 * own ? Math.sqrt(d) : 0;
    A[j * q + j] = ljj;
    for (let i = j + 1; i < q; i++) {
      let s = A[j * q + i];
      for (let k = 0; k < j; k++) s -= A[k * q + i] * A[k * q + j];
      A[j * q + i] = ljj > 0 ? s / ljj : 0;
    }
    for (let i = 0; i < j; i++) A[j * q + i] = 0;
  }
  return true;
}
