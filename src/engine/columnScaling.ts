/**
 * Columns brought to a footing where their location and unit no longer matter, for the rank check
 * (design.ts) and the fit's internal problem (standardize.ts).
 *
 * A column of prices near 3e5 that vary by tens, or of dates as serial numbers, is almost parallel
 * to the constant: its cross-products with the others are large numbers whose differences carry
 * the information, and that is lost to rounding (a double keeps 16 digits, and a sum of squares
 * of x + 3e5 spends 10 of them on the offset). So each column that is not an indicator is centred
 * (when the design holds the constant, which makes centring a change of parametrisation only) and
 * scaled to unit root mean square; indicators (0/1 columns of a factor) are kept as they are,
 * exact and sparse. Where the result is still far from orthogonal (a shifted covariate's
 * interaction with a factor, a polynomial in a shifted covariate) the columns are orthogonalised
 * by Gram-Schmidt, twice over ("twice is enough": the second pass takes out what rounding left of
 * the first), which keeps each column to the precision of its stored values.
 */

/** What one column's values are, read in two passes (a column is read once per use, so these are fused). */
export interface ColumnStats {
  /** Every value is 0 or 1. */
  indicator: boolean;
  /** The value when every value is the same (and not zero), else null. */
  constant: number | null;
  /** Every value is the same (zero included). */
  allEqual: boolean;
  /** Every value is a finite number. */
  finite: boolean;
  mean: number;
  /** Root mean square about the mean. */
  sd: number;
  /** Root mean square about zero. */
  rms: number;
  /** How many values are 1 (indicators only; 0 otherwise). */
  ones: number;
}

/**
 * Mean and spread of x at the given rows (all when null), without overflow or underflow (a
 * response × 1e160 has squares past the largest double): a first pass for the range and a first
 * mean, a second for the mean's correction and the squares, scaled by the range.
 */
export function columnStats(x: Float64Array, rows: Int32Array | null = null): ColumnStats {
  const n = rows ? rows.length : x.length;
  if (n === 0) return { indicator: true, constant: null, allEqual: true, finite: true, mean: 0, sd: 0, rms: 0, ones: 0 };
  const first = x[rows ? rows[0] : 0];
  // branch-free: a column of zeros and ones (most of a factor's design) would mispredict every test;
  // it is the one whose values lie in [0, 1] with Σ v(1 − v) = 0, and then Σ v counts its ones
  let lo = first, hi = first, sum = 0, between = 0;
  if (rows) {
    for (let t = 0; t < n; t++) {
      const v = x[rows[t]];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
      between += v * (1 - v);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
      between += v * (1 - v);
    }
  }
  const finite = Number.isFinite(lo) && Number.isFinite(hi) && !Number.isNaN(sum);
  const indicator = finite && lo >= 0 && hi <= 1 && between === 0;
  const ones = indicator ? sum : 0;
  if (!finite) return { indicator: false, constant: null, allEqual: false, finite, mean: NaN, sd: NaN, rms: NaN, ones };
  const allEqual = lo === hi;
  const constant = allEqual && first !== 0 ? first : null;
  if (indicator || allEqual) {
    // exact without a second pass: the mean of zeros and ones is their count over n
    const m = allEqual ? first : ones / n;
    const sd = allEqual ? 0 : Math.sqrt(m * (1 - m));
    return { indicator, constant, allEqual, finite, mean: m, sd, rms: Math.hypot(sd, m), ones };
  }
  let m = sum / n;
  if (!Number.isFinite(m)) m = lo / 2 + hi / 2;
  const range = Math.max(Math.abs(hi - m), Math.abs(lo - m));
  let sd = 0;
  if (range > 0 && Number.isFinite(range)) {
    const inv = 1 / range;
    let s1 = 0, s2 = 0;
    if (rows) {
      for (let t = 0; t < n; t++) { const v = (x[rows[t]] - m) * inv; s1 += v; s2 += v * v; }
    } else {
      for (let i = 0; i < n; i++) { const v = (x[i] - m) * inv; s1 += v; s2 += v * v; }
    }
    const shift = s1 / n;
    m += range * shift;
    sd = range * Math.sqrt(Math.max(0, s2 / n - shift * shift));
  }
  return { indicator, constant, allEqual, finite, mean: m, sd, rms: Math.hypot(sd, m), ones };
}

/** Every value is 0 or 1. */
export function isIndicator(col: Float64Array): boolean {
  for (let i = 0; i < col.length; i++) if (col[i] !== 0 && col[i] !== 1) return false;
  return true;
}

/** The value of a column whose entries are all equal (and not zero), else null. */
export function constantValue(col: Float64Array): number | null {
  const v = col[0];
  if (col.length === 0 || v === 0 || !Number.isFinite(v)) return null;
  for (let i = 1; i < col.length; i++) if (col[i] !== v) return null;
  return v;
}

/**
 * Weights w with X w = 1 exactly, when the design holds the constant: a constant column (the
 * intercept), or, without one, a run of consecutive indicator columns that partition the rows (a
 * factor coded in full, as patsy codes the first factor of a model without intercept). Null when
 * neither is found: the columns are then scaled but not centred.
 */
export function constantWeights(cols: Float64Array[], stats: ColumnStats[] = cols.map((c) => columnStats(c))): Float64Array | null {
  const p = cols.length;
  const w = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const v = stats[j].constant;
    if (v !== null && Number.isFinite(v)) { w[j] = 1 / v; return w; }
  }
  if (p === 0) return null;
  const n = cols[0].length;
  const count = new Uint8Array(n);
  for (let start = 0; start < p; start++) {
    if (!stats[start].indicator) continue;
    count.fill(0);
    let covered = 0;
    for (let j = start; j < p && stats[j].indicator; j++) {
      const c = cols[j];
      let clash = false;
      for (let i = 0; i < n; i++) if (c[i] === 1) { if (count[i]) { clash = true; break; } count[i] = 1; covered++; }
      if (clash) break;
      if (covered === n) {
        for (let k = start; k <= j; k++) w[k] = 1;
        return w;
      }
    }
  }
  return null;
}

/** Root mean square of x − center over all rows (one pass; `size` bounds |x − center| to keep the squares in range). */
export function rms(x: Float64Array, center: number, size: number): number {
  const n = x.length;
  if (n === 0 || !(size > 0) || !Number.isFinite(size)) return 0;
  const inv = 1 / size;
  let s = 0;
  for (let i = 0; i < n; i++) { const v = (x[i] - center) * inv; s += v * v; }
  return size * Math.sqrt(s / n);
}

/** A set of columns after centring and scaling: column j is (X[:, j] − center[j] · X w) / scale[j]. */
export interface CenteredColumns {
  columns: Float64Array[];
  /** Subtracted multiple of the constant (0 for indicators, the constant itself, and designs without the constant). */
  center: Float64Array;
  /** Divisor: the centred column's root mean square; 1 for indicators; the value of the constant column. */
  scale: Float64Array;
  /** X w = 1 (constantWeights), or null. */
  weights: Float64Array | null;
  /** Root mean square of each column as given (before centring). */
  rawRms: Float64Array;
  /** Each column's statistics as given. */
  stats: ColumnStats[];
}

/**
 * Centres each column that is not an indicator (when the design holds the constant) and scales it
 * to unit root mean square. An indicator column, or a column already of the wanted form, is shared,
 * not copied. A column that centres to zero (a second constant) keeps scale 1 and is all zeros.
 */
export function centerAndScale(cols: Float64Array[]): CenteredColumns {
  const p = cols.length;
  const stats = cols.map((c) => columnStats(c));
  const weights = constantWeights(cols, stats);
  const center = new Float64Array(p);
  const scale = new Float64Array(p).fill(1);
  const rawRms = Float64Array.from(stats, (st) => st.rms);
  const columns = cols.map((c, j) => {
    const st = stats[j];
    if (weights && weights[j] !== 0 && st.constant !== null) {
      // the constant itself: brought to ones
      scale[j] = st.constant;
      return st.constant === 1 ? c : new Float64Array(c.length).fill(1);
    }
    if (st.indicator) return c;
    const m = weights ? st.mean : 0;
    const s = weights ? st.sd : st.rms;
    center[j] = m;
    if (!(s > 0) || !Number.isFinite(s)) return new Float64Array(c.length);
    scale[j] = s;
    if (m === 0 && s === 1) return c;
    const out = new Float64Array(c.length);
    const inv = 1 / s;
    for (let i = 0; i < c.length; i++) out[i] = (c[i] - m) * inv;
    return out;
  });
  return { columns, center, scale, weights, rawRms, stats };
}

/**
 * B with [centred, scaled columns] = X B (p×p, column-major): column j of B is
 * (e_j − center[j] w) / scale[j].
 */
export function centeringMatrix(cc: CenteredColumns): Float64Array {
  const p = cc.center.length;
  const B = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    B[j * p + j] = 1 / cc.scale[j];
    if (cc.center[j] !== 0 && cc.weights) for (let k = 0; k < p; k++) B[j * p + k] -= (cc.center[j] * cc.weights[k]) / cc.scale[j];
  }
  return B;
}

/**
 * For each column that is an indicator (not the constant): the rows where it is 1, so that sums
 * over it cost its nonzeros; null for the others. `stats` are the columns' own (columnStats).
 */
export function indicatorSupports(cols: Float64Array[], stats: ColumnStats[] | null = null): (Int32Array | null)[] {
  return cols.map((c, j) => {
    const indicator = stats ? stats[j].indicator && !stats[j].allEqual : isIndicator(c) && constantValue(c) === null;
    return indicator ? rowsWhereOne(c, stats ? stats[j].ones : -1) : null;
  });
}

/**
 * Gram matrix X'X / n (p×p, column-major). Indicator columns are walked on their nonzero rows
 * only (indicatorSupports), so a design of many factor levels costs what its nonzeros cost.
 */
export function gram(cols: Float64Array[], support: (Int32Array | null)[] = indicatorSupports(cols)): Float64Array {
  const p = cols.length;
  const G = new Float64Array(p * p);
  if (p === 0) return G;
  const n = cols[0].length;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      // walk the sparser of the two when one is an indicator
      const sa = support[a], sb = support[b];
      const rows = sa && (!sb || sa.length <= sb.length) ? sa : sb;
      const other = rows === sa ? cols[b] : cols[a];
      let s = 0;
      if (rows) for (let t = 0; t < rows.length; t++) s += other[rows[t]];
      else { const ca = cols[a], cb = cols[b]; for (let i = 0; i < n; i++) s += ca[i] * cb[i]; }
      G[b * p + a] = G[a * p + b] = s / n;
    }
  }
  return G;
}

function rowsWhereOne(c: Float64Array, count: number): Int32Array {
  let k = count;
  if (k < 0) { k = 0; for (let i = 0; i < c.length; i++) if (c[i] === 1) k++; }
  const rows = new Int32Array(k);
  k = 0;
  for (let i = 0; i < c.length; i++) if (c[i] === 1) rows[k++] = i;
  return rows;
}

/**
 * Cholesky of the Gram matrix in column order, each pivot as a fraction of its column's own
 * square: 1 for a column orthogonal to those before it, 0 for one in their span. A column whose
 * fraction is at most `drop` is skipped (left out of the factor, as if dropped). Returns the
 * fractions and the columns kept.
 */
export function pivotFractions(G: Float64Array, p: number, drop = 0): { fraction: Float64Array; kept: number[] } {
  const L = new Float64Array(p * p);
  const fraction = new Float64Array(p);
  const kept: number[] = [];
  for (let j = 0; j < p; j++) {
    const gjj = G[j * p + j];
    if (!(gjj > 0)) continue;
    let d = gjj;
    for (const k of kept) d -= L[k * p + j] * L[k * p + j];
    fraction[j] = Math.max(d, 0) / gjj;
    if (fraction[j] <= drop) continue;
    const s = Math.sqrt(d);
    L[j * p + j] = s;
    for (let i = j + 1; i < p; i++) {
      let v = G[j * p + i];
      for (const k of kept) v -= L[k * p + i] * L[k * p + j];
      L[j * p + i] = v / s;
    }
    kept.push(j);
  }
  return { fraction, kept };
}

/**
 * Modified Gram-Schmidt, each column orthogonalised twice against the kept ones before it.
 * Column j is dropped when what is left of it has a root mean square of at most dropBelow[j]
 * (in the units of the column as given), or, given a function, at most dropBelow(j, kept) with
 * the columns kept before it (called for each column in order). Returns Q (orthogonal columns of unit root mean square,
 * one per kept column) and R (kept × kept, column-major, upper triangular) with
 * cols[kept] = Q R, and for every column its remaining root mean square.
 */
export function gramSchmidt(cols: Float64Array[], dropBelow: ArrayLike<number> | ((j: number, kept: readonly number[]) => number) | null = null): { Q: Float64Array[]; R: Float64Array; kept: number[]; remaining: Float64Array } {
  const p = cols.length;
  const n = p > 0 ? cols[0].length : 0;
  const Q: Float64Array[] = [];
  const kept: number[] = [];
  const Rcols: Float64Array[] = [];
  const remaining = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const v = Float64Array.from(cols[j]);
    const r = new Float64Array(p);
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < Q.length; k++) {
        const q = Q[k];
        let s = 0;
        for (let i = 0; i < n; i++) s += q[i] * v[i];
        const c = s / n;
        if (c === 0) continue;
        for (let i = 0; i < n; i++) v[i] -= c * q[i];
        r[k] += c;
      }
    }
    let big = 0;
    for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(v[i]));
    const left = rms(v, 0, big);
    remaining[j] = left;
    const floor = dropBelow === null ? 0 : typeof dropBelow === "function" ? dropBelow(j, kept) : dropBelow[j];
    if (!(left > floor)) continue;
    const inv = 1 / left;
    for (let i = 0; i < n; i++) v[i] *= inv;
    r[Q.length] = left;
    Q.push(v);
    kept.push(j);
    Rcols.push(r);
  }
  const m = kept.length;
  const R = new Float64Array(m * m);
  Rcols.forEach((r, c) => { for (let k = 0; k <= c; k++) R[c * m + k] = r[k]; });
  return { Q, R, kept, remaining };
}
