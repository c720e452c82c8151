/**
 * Unconstrained coordinates of the variance parameters for the profiles: per block a signed
 * standard deviation per effect (sd = |s| × its scale), the correlation matrix as the angles of
 * the rows of its unit-row Cholesky factor (Pinheiro and Bates' spherical parameterisation),
 * then log(σ / σ₀). Any value of the coordinates is a valid covariance, singular ones (a zero sd,
 * a correlation of ±1) included, so the optimiser needs no bounds.
 *
 * A profiled correlation is one coordinate: the block's effects are put in an order where its
 * two effects come first, and the correlation is then the cosine of the second row's angle.
 */
import { cholPsd, CovBlock, relativeCovariance, setBlockThetaRelative, VarianceParameter } from "./parameters";

export interface Coordinates {
  blocks: CovBlock[];
  /** Per block: the effect order of the angles (perm[i] = the block's effect). */
  perms: Int32Array[];
  /** Per block and effect: coordinate = sd / sdScale. */
  sdScale: Float64Array[];
  sigma0: number;
  /** Per block: index of its first coordinate (sds, then angles). */
  offset: number[];
  correlated: boolean[];
  /** Number of coordinates; the last is log(σ / σ₀). */
  size: number;
}

export function makeCoordinates(blocks: CovBlock[], sdScale: Float64Array[], sigma0: number, profiled?: VarianceParameter): Coordinates {
  const offset: number[] = [];
  let size = 0;
  const correlated = blocks.map((b) => b.q >= 2 && lowerEntries(b.q).every((e) => b.thetaIndex[e] >= 0));
  const perms = blocks.map((b, k) => {
    const order = Array.from({ length: b.q }, (_, i) => i);
    if (profiled && profiled.block === k && profiled.row !== profiled.col) {
      const rest = order.filter((i) => i !== profiled.col && i !== profiled.row);
      return Int32Array.from([profiled.col, profiled.row, ...rest]);
    }
    return Int32Array.from(order);
  });
  blocks.forEach((b, k) => {
    offset.push(size);
    size += b.q + (correlated[k] ? (b.q * (b.q - 1)) / 2 : 0);
  });
  return { blocks, perms, sdScale, sigma0, offset, correlated, size: size + 1 };
}

function lowerEntries(q: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < q; c++) for (let r = c; r < q; r++) out.push(c * q + r);
  return out;
}

/** The coordinate of a parameter (or of σ), and its value for a parameter value. */
export function coordinateOf(c: Coordinates, p: VarianceParameter | "sigma"): { index: number; toCoordinate: (v: number) => number } {
  if (p === "sigma") return { index: c.size - 1, toCoordinate: (v) => Math.log(v / c.sigma0) };
  const o = c.offset[p.block];
  if (p.row === p.col) return { index: o + p.row, toCoordinate: (v) => v / c.sdScale[p.block][p.row] };
  if (!c.perms[p.block].slice(0, 2).every((e, i) => e === [p.col, p.row][i])) throw new Error("coordinates not ordered for this correlation");
  return { index: o + c.blocks[p.block].q, toCoordinate: (v) => Math.acos(Math.max(-1, Math.min(1, v))) };
}

/** Coordinates of (θ, σ). */
export function toCoordinates(c: Coordinates, theta: ArrayLike<number>, sigma: number): Float64Array {
  const x = new Float64Array(c.size);
  c.blocks.forEach((b, k) => {
    // relative to σ²: the data's covariance overflows for a response near 1e160, its sds do not
    const q = b.q, R = relativeCovariance(b, theta);
    const rel = Array.from({ length: q }, (_, a) => Math.sqrt(R[a * q + a]));
    for (let a = 0; a < q; a++) x[c.offset[k] + a] = (sigma * rel[a]) / c.sdScale[k][a];
    if (!c.correlated[k]) return;
    const perm = c.perms[k];
    const C = new Float64Array(q * q);
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) {
      const a = perm[i], b2 = perm[j];
      C[j * q + i] = i === j ? 1 : rel[a] > 0 && rel[b2] > 0 ? R[b2 * q + a] / rel[a] / rel[b2] : 0;
    }
    cholPsd(C, q);
    let at = c.offset[k] + q;
    for (let i = 1; i < q; i++) {
      const row = Array.from({ length: i + 1 }, (_, j) => C[j * q + i]);
      for (const phi of anglesOf(row)) x[at++] = phi;
    }
  });
  x[c.size - 1] = Math.log(sigma / c.sigma0);
  return x;
}

/** Writes θ for coordinates x and returns σ (NaN when a block cannot be factorised). */
export function fromCoordinates(c: Coordinates, x: ArrayLike<number>, theta: Float64Array): number {
  const sigma = c.sigma0 * Math.exp(x[c.size - 1]);
  for (let k = 0; k < c.blocks.length; k++) {
    const b = c.blocks[k], q = b.q;
    // the sds relative to σ, and the covariance relative to σ² (σ² overflows for a response near 1e160)
    const sd = Array.from({ length: q }, (_, a) => (Math.abs(x[c.offset[k] + a]) * c.sdScale[k][a]) / sigma);
    const S = new Float64Array(q * q);
    if (c.correlated[k]) {
      const L = unitRows(x, c.offset[k] + q, q);
      const perm = c.perms[k];
      for (let i = 0; i < q; i++) for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let m = 0; m <= j; m++) s += L[i][m] * L[j][m];
        const a = perm[i], b2 = perm[j];
        S[b2 * q + a] = S[a * q + b2] = s * sd[a] * sd[b2];
      }
    } else for (let a = 0; a < q; a++) S[a * q + a] = sd[a] * sd[a];
    if (!setBlockThetaRelative(b, S, theta)) return NaN;
  }
  return sigma;
}

/** Rows 0..q-1 of a unit-row lower-triangular matrix from the angles at x[at..] (row i has i angles). */
function unitRows(x: ArrayLike<number>, at: number, q: number): number[][] {
  const rows: number[][] = [[1]];
  for (let i = 1; i < q; i++) {
    const row = new Array<number>(i + 1);
    let s = 1;
    for (let k = 0; k < i; k++) {
      const phi = x[at++];
      row[k] = s * Math.cos(phi);
      s *= Math.sin(phi);
    }
    row[i] = s;
    rows.push(row);
  }
  return rows;
}

/** Hyperspherical angles of a vector (normalised first): row[k] = sin φ₁⋯sin φ_k cos φ_{k+1}. */
function anglesOf(row: number[]): number[] {
  const n = row.length;
  const norm = Math.hypot(...row);
  const v = norm > 0 ? row.map((r) => r / norm) : row.map((_, j) => (j === n - 1 ? 1 : 0));
  const out: number[] = [];
  for (let k = 0; k < n - 1; k++) {
    let tail = 0;
    for (let j = k + 1; j < n; j++) tail += v[j] * v[j];
    out.push(Math.atan2(Math.sqrt(tail), v[k]));
  }
  // the last angle carries the sign of the last entry
  if (n >= 2 && v[n - 1] < 0) out[n - 2] = -out[n - 2];
  return out;
}
