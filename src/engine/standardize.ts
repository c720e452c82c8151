/**
 * The fit's internal problem: the model frame with the response and every column brought to a
 * footing that does not depend on their location or unit, and the exact map back to the data's
 * numbers. The cross-products, the blocked factor and the optimiser only ever see the internal
 * problem; FitCore reports the data's numbers (fit.ts).
 *
 * Why: a response near 1e8 that varies by units, a covariate of prices near 3e5, a random slope on
 * a covariate in micrometres: formed as they are, their cross-products spend most of a double's 16
 * digits on the offset or the unit, and the fit comes out wrong, not converged, or "singular".
 * Brought to unit root mean square (and centred, where the model allows it), every number the fit
 * works with is of order one, and the optimiser's tolerances and starting values are unit-free:
 * y × a gives the same θ to rounding. What a double holding y + b has already lost (y to about
 * 1e-16·|b|) cannot be recovered; nothing more is lost.
 *
 * The internal problem (subscript int) and the data's are the same model in other coordinates:
 *
 *   X_int = X B                       B (p×p): products of numeric factors centred (X M,
 *                                     centredProducts.ts), centring and scaling of the columns, then,
 *                                     when they are still far from orthogonal, Gram-Schmidt (columnScaling.ts)
 *   y_int = (y − X_int γ) / s         γ: the response's least-squares fit on X_int (so y_int is
 *                                     orthogonal to the fixed effects, to rounding), s: the root mean
 *                                     square of what is left; both fixed numbers, valid for any response
 *   Z_k,int = Z_k D_k                 D_k (q×q): column c of term k becomes (z_c − m_c) / s_c, where
 *                                     m_c ≠ 0 only for a correlated term with an intercept (whose
 *                                     model does not change when z_c shifts)
 *
 * and the parameters map as
 *
 *   β = B (γ + s β_int)               cov(β) = s² B cov(β_int) B'
 *   σ² = s² σ²_int                    b_k = s D_k b_k,int (per level)
 *   T_k T_k' = D_k T_k,int T_k,int' D_k'   (θ, lme4's, is the lower-triangular T_k: termFactor)
 *   u_k = s Q_k' u_k,int              with D_k T_k,int = T_k Q_k' (Q_k orthogonal)
 *   −2 log L = −2 log L_int + 2 c log s − [REML] 2 log |det B|,   c = n (ML) or n − p (REML)
 *
 * The last line is exact: ML's σ-term moves by n log s², REML's by (n − p) log s², and REML's
 * log det(X'V⁻¹X) by −2 log |det B| when X = X_int B⁻¹.
 */
import { centerAndScale, centeringMatrix, CenteredColumns, ColumnStats, columnStats, gram, gramSchmidt, indicatorSupports, pivotFractions } from "./columnScaling";
import { cholesky, solveCholesky } from "./dense";
import { mul, sandwich } from "./smallMatrix";
import { fixedColumnsForFit, productMatrix, termColumnsForFit } from "./centredProducts";
import { MixedLMError } from "./errors";
import type { ModelFrame, RandomTerm } from "./model";

/**
 * Fixed-effect columns whose Cholesky pivot keeps less than this fraction of the column's own
 * square are orthogonalised rather than only centred and scaled: cross-products then lose at most
 * 3 of their 16 digits to the columns' collinearity.
 */
const ORTHOGONALIZE_BELOW = 1e-3;

/**
 * A response whose residual from the fixed effects has a root mean square below this fraction of
 * its own is fitted exactly by them: what is left is the rounding of its stored values (about 45
 * units in the last place).
 */
const EXACT_FIT = 1e-14;

/** How the effect columns of one random-effect term enter the internal problem: z_int,c = (z_c − center[c]) / scale[c]. */
export interface TermScaling {
  /** m_c; zero unless the term is correlated and has an intercept (its column of ones). */
  center: Float64Array;
  /** s_c: the root mean square of z_c − m_c over the term's rows; 1 for the column of ones and for 0/1 columns. */
  scale: Float64Array;
  /** Index of the term's column of ones, or −1. */
  ones: number;
  /** M_k (q×q, column-major, unit upper triangular): Z_sub = Z M_k, products centred (centredProducts.ts); null: none. */
  products: Float64Array | null;
}

/** The fixed-effect columns' part of the map: X_int = X B, built as centring and scaling, then R⁻¹ when orthogonalised. */
export interface FixedScaling {
  /** B (p×p, column-major). */
  B: Float64Array;
  logAbsDetB: number;
  /** The centring and scaling step (columnScaling.ts). */
  centering: Pick<CenteredColumns, "center" | "scale" | "weights">;
  /** R⁻¹ (p×p, column-major, upper) of the Gram-Schmidt step, or null when the columns were only centred and scaled. */
  Rinv: Float64Array | null;
  /** M (p×p, column-major, unit upper triangular): X_sub = X M, the products of numeric factors centred (centredProducts.ts). */
  products: Float64Array;
}

/** The map between the data's problem and the internal one (see the file's comment). */
export class Standardization {
  constructor(
    /** The internal model frame: the data's frame with y, X and the terms' columns replaced. */
    readonly internal: ModelFrame,
    /** y_int = (y − X_int shift) / scale: shift (p, on the internal columns, in the response's units) and s. */
    readonly response: { shift: Float64Array; scale: number },
    readonly fixed: FixedScaling,
    /** Per term of the frame (frame order). */
    readonly terms: TermScaling[],
  ) {}

  /** D_k (q×q, column-major): Z_k,int = Z_k D_k, D_k = M_k (centring and scaling). */
  termMatrix(k: number): Float64Array {
    const { center, scale, ones, products } = this.terms[k];
    const q = scale.length;
    const D = new Float64Array(q * q);
    for (let c = 0; c < q; c++) {
      D[c * q + c] = 1 / scale[c];
      if (center[c] !== 0) D[c * q + ones] = -center[c] / scale[c];
    }
    return products ? mul(products, D, q, q, q) : D;
  }

  /** D_k⁻¹ (q×q, column-major). */
  termMatrixInverse(k: number): Float64Array {
    const { center, scale, ones, products } = this.terms[k];
    const q = scale.length;
    const Di = new Float64Array(q * q);
    for (let c = 0; c < q; c++) {
      Di[c * q + c] = scale[c];
      if (center[c] !== 0) Di[c * q + ones] = center[c];
    }
    return products ? mul(Di, upperInverse(products, q), q, q, q) : Di;
  }

  /** −2 log-likelihood on the data's scale from the internal one. */
  minusTwoLogLik(internal: number): number {
    const n = this.internal.y.length;
    const p = this.internal.X.length;
    const reml = this.internal.method === "REML";
    return internal + 2 * (reml ? n - p : n) * Math.log(this.response.scale) - (reml ? 2 * this.fixed.logAbsDetB : 0);
  }

  /** β = B (γ + s β_int). */
  beta(betaInt: ArrayLike<number>): Float64Array {
    const s = this.response.scale;
    const shift = this.response.shift;
    return mul(this.fixed.B, Float64Array.from(shift, (g, a) => g + s * betaInt[a]), shift.length, shift.length, 1);
  }

  /** s² B C B' for a covariance C of β_int (p×p, column-major). */
  betaCov(covInt: Float64Array): Float64Array {
    const p = this.response.shift.length;
    const out = sandwich(this.fixed.B, covInt, p, p);
    const s2 = this.response.scale * this.response.scale;
    for (let e = 0; e < out.length; e++) out[e] *= s2;
    return out;
  }

  /**
   * Standard errors of β from a covariance of β_int: s sqrt(diag(B C B')), the product taken
   * outside the square root so that a response near 1e160, whose variances exceed the largest
   * double, still has finite standard errors.
   */
  betaStdErr(covInt: Float64Array): Float64Array {
    const p = this.response.shift.length;
    const unscaled = sandwich(this.fixed.B, covInt, p, p);
    return Float64Array.from({ length: p }, (_, a) => this.response.scale * Math.sqrt(unscaled[a * p + a]));
  }

  /** σ = s σ_int, without forming σ² (which overflows for a response near 1e160). */
  sigma(sigma2Int: number): number {
    return this.response.scale * Math.sqrt(sigma2Int);
  }

  sigma2(sigma2Int: number): number {
    return this.response.scale * this.response.scale * sigma2Int;
  }

  /** T_k (lme4's lower-triangular relative factor on the data's columns) and Q_k, with D_k T_k,int = T_k Q_k'. */
  termFactor(k: number, Tint: Float64Array): { T: Float64Array; Q: Float64Array } {
    const q = this.terms[k].scale.length;
    const { L, Q } = lowerFactor(mul(this.termMatrix(k), Tint, q, q, q), q);
    return { T: L, Q };
  }

  /** θ on the data's columns (lme4's θ) from the internal templates T_k,int (frame order). */
  theta(Tint: Float64Array[]): Float64Array {
    const theta = new Float64Array(this.internal.nTheta);
    this.internal.terms.forEach((t, k) => {
      const { T } = this.termFactor(k, Tint[k]);
      for (let e = 0; e < T.length; e++) if (t.thetaIndex[e] >= 0) theta[t.thetaIndex[e]] = T[e];
    });
    return theta;
  }

  /** The internal θ of a θ on the data's columns (the inverse of theta()). */
  internalTheta(theta: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.internal.nTheta);
    this.internal.terms.forEach((t, k) => {
      const q = t.q;
      const T = new Float64Array(q * q);
      for (let e = 0; e < T.length; e++) if (t.thetaIndex[e] >= 0) T[e] = theta[t.thetaIndex[e]];
      const { L } = lowerFactor(mul(this.termMatrixInverse(k), T, q, q, q), q);
      for (let e = 0; e < L.length; e++) if (t.thetaIndex[e] >= 0) out[t.thetaIndex[e]] = L[e];
    });
    return out;
  }

  /** Conditional modes on the data's columns: s D_k b per level (nLevels × q, level-major). */
  blups(k: number, bInt: Float64Array): Float64Array {
    const q = this.terms[k].scale.length;
    const D = this.termMatrix(k);
    const s = this.response.scale;
    const out = new Float64Array(bInt.length);
    for (let l = 0; l < bInt.length / q; l++) {
      for (let a = 0; a < q; a++) {
        let v = 0;
        for (let c = 0; c < q; c++) v += D[c * q + a] * bInt[l * q + c];
        out[l * q + a] = s * v;
      }
    }
    return out;
  }

  /** s² D_k C D_k' for a q×q covariance C of the term's internal effects (column-major). */
  termCovariance(k: number, covInt: Float64Array, offset = 0): Float64Array {
    const q = this.terms[k].scale.length;
    const out = sandwich(this.termMatrix(k), covInt.subarray(offset, offset + q * q), q, q);
    const s2 = this.response.scale * this.response.scale;
    for (let e = 0; e < out.length; e++) out[e] *= s2;
    return out;
  }

  /** Spherical random effects on the data's scale: s Q_k' u per level (Q_k from termFactor). */
  sphericalEffects(k: number, uInt: Float64Array, Q: Float64Array): Float64Array {
    const q = this.terms[k].scale.length;
    const s = this.response.scale;
    const out = new Float64Array(uInt.length);
    for (let l = 0; l < uInt.length / q; l++) {
      for (let a = 0; a < q; a++) {
        let v = 0;
        for (let c = 0; c < q; c++) v += Q[a * q + c] * uInt[l * q + c];
        out[l * q + a] = s * v;
      }
    }
    return out;
  }

  /** The internal fixed-effect columns of new rows, from their data columns (as frame.X orders them, products centred as fixedColumnsForFit). */
  fixedColumns(cols: Float64Array[]): Float64Array[] {
    const { center, scale, weights } = this.fixed.centering;
    const n = cols.length > 0 ? cols[0].length : 0;
    // the constant in the new rows: X w (1 where the design's constant is present)
    let ones: Float64Array | null = null;
    if (weights) {
      ones = new Float64Array(n);
      cols.forEach((c, j) => { if (weights[j] !== 0) for (let i = 0; i < n; i++) ones![i] += weights[j] * c[i]; });
    }
    const scaled = cols.map((c, j) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = (c[i] - (center[j] !== 0 ? center[j] * ones![i] : 0)) / scale[j];
      return out;
    });
    const Rinv = this.fixed.Rinv;
    if (!Rinv) return scaled;
    const p = cols.length;
    return Array.from({ length: p }, (_, j) => {
      const out = new Float64Array(n);
      for (let k = 0; k <= j; k++) {
        const r = Rinv[j * p + k];
        if (r === 0) continue;
        const src = scaled[k];
        for (let i = 0; i < n; i++) out[i] += r * src[i];
      }
      return out;
    });
  }

  /** The internal effect columns of term k on new rows (null: ones), from their data columns. */
  termColumns(k: number, zcols: (Float64Array | null)[]): (Float64Array | null)[] {
    const { center, scale } = this.terms[k];
    return zcols.map((z, c) => (z === null ? null : scaleColumn(z, center[c], scale[c])));
  }

  /**
   * The internal response of another response vector on the same rows (a simulated one, say):
   * (y − X_int γ) / s with this fit's γ and s. The map to the data's numbers holds for it unchanged.
   */
  internalResponse(y: Float64Array): Float64Array {
    const { shift, scale } = this.response;
    const X = this.internal.X;
    const out = Float64Array.from(y);
    for (let a = 0; a < X.length; a++) {
      const g = shift[a];
      if (g === 0) continue;
      const col = X[a];
      for (let i = 0; i < out.length; i++) out[i] -= col[i] * g;
    }
    for (let i = 0; i < out.length; i++) out[i] /= scale;
    return out;
  }
}

/** The internal problem of a model frame, and the map back (throws MixedLMError for a response with nothing to fit). */
export function standardize(frame: ModelFrame): Standardization {
  const yStats = columnStats(frame.y);
  checkResponse(frame, yStats);
  const fixed = standardizeFixed(frame);
  const response = standardizeResponse(frame, yStats, fixed);
  // a column the fit took as it is shares its statistics and scaled copy with the same column of Z
  const asIs = (j: number) => frame.products[j] === null;
  const known = new Map<Float64Array, ColumnStats>(frame.X.flatMap((c, j) => (asIs(j) ? [[c, fixed.stats[j]] as const] : [])));
  const terms = termScalings(frame, known);
  const cache = new ScaledColumns();
  fixed.columns.forEach((c, j) => { if (asIs(j)) cache.remember(frame.X[j], fixed.scaling.centering.center[j], fixed.scaling.centering.scale[j], c, fixed.scaling.Rinv === null); });
  const internal: ModelFrame = {
    ...frame,
    y: response.y,
    X: fixed.columns,
    products: fixed.columns.map(() => null),
    terms: frame.terms.map((t, k) => ({ ...t, products: undefined, z: termColumnsForFit(t).map((z, c) => (z === null ? null : cache.get(z, terms[k].center[c], terms[k].scale[c]))) })),
  };
  return new Standardization(internal, { shift: response.shift, scale: response.scale }, fixed.scaling, terms);
}

// ---- checks -----------------------------------------------------------------------------------

/** A message for a column with a value that is not a finite number, naming the column and the row. */
function notFinite(frame: ModelFrame, col: Float64Array, what: string): MixedLMError {
  let i = 0;
  while (i < col.length && Number.isFinite(col[i])) i++;
  return new MixedLMError("data", `${what} is infinite in row ${frame.rowIndex[Math.min(i, col.length - 1)] + 1} of the data (${col[i]}): every value the model uses must be a finite number; check the data or the transform.`);
}

function checkResponse(frame: ModelFrame, st: ColumnStats): void {
  if (!st.finite) throw notFinite(frame, frame.y, `The response ${frame.responseName}`);
  if (frame.y.length > 0 && st.allEqual) {
    throw new MixedLMError("model", `The response ${frame.responseName} is constant (${frame.y[0]} in every row): there is no variation for a model to explain.`);
  }
}

// ---- the fixed effects ----------------------------------------------------------------------

/** X_int and its part of the map: centred and scaled columns, orthogonalised when still far from orthogonal. */
/** The internal fixed-effect columns, what is known of them, and their part of the map. */
interface FixedPart {
  columns: Float64Array[];
  /** X_int'X_int / n. */
  gram: Float64Array;
  /** The data's columns' statistics. */
  stats: ColumnStats[];
  /** Rows of each indicator column's ones (indicatorSupports). */
  supports: (Int32Array | null)[];
  /** Which internal columns are all ones (the intercept). */
  ones: boolean[];
  scaling: FixedScaling;
}

function standardizeFixed(frame: ModelFrame): FixedPart {
  const X = fixedColumnsForFit(frame);
  const p = X.length;
  const cc = centerAndScale(X);
  cc.stats.forEach((st, j) => { if (!st.finite) throw notFinite(frame, X[j], `The fixed-effects column ${frame.xNames[j]}`); });
  let logAbsDetB = 0;
  for (let j = 0; j < p; j++) logAbsDetB -= Math.log(Math.abs(cc.scale[j]));
  const B = centeringMatrix(cc);
  // indicators are kept as given (and walked on their ones); centred columns are dense
  const supports = indicatorSupports(cc.columns, cc.stats.map((st, j) => (cc.columns[j] === X[j] ? st : { ...st, indicator: false })));
  const G = gram(cc.columns, supports);
  const { fraction } = pivotFractions(G, p);
  const centering = { center: cc.center, scale: cc.scale, weights: cc.weights };
  const ones = cc.stats.map((st, j) => cc.weights !== null && cc.weights[j] !== 0 && st.constant !== null);
  const M = productMatrix(frame.products);
  const plain = { columns: cc.columns, gram: G, stats: cc.stats, supports, ones, scaling: { B: mul(M, B, p, p, p), logAbsDetB, centering, Rinv: null, products: M } };
  if (p === 0 || Math.min(...fraction) >= ORTHOGONALIZE_BELOW) return plain;
  const gs = gramSchmidt(cc.columns);
  // columns the rank check kept but Gram-Schmidt finds dependent: keep the centred ones as they are
  if (gs.kept.length < p) return plain;
  const Rinv = upperInverse(gs.R, p);
  for (let j = 0; j < p; j++) logAbsDetB -= Math.log(gs.R[j * p + j]);
  const identity = new Float64Array(p * p);
  for (let j = 0; j < p; j++) identity[j * p + j] = 1;
  const scaling = { B: mul(M, mul(B, Rinv, p, p, p), p, p, p), logAbsDetB, centering, Rinv, products: M };
  return { columns: gs.Q, gram: identity, stats: cc.stats, supports: gs.Q.map(() => null), ones: gs.Q.map(() => false), scaling };
}

/**
 * y_int: the response less its least-squares fit on X_int, divided by the root mean square of
 * what is left. One pass each for the sums X'y (an indicator column walked on its ones, the
 * constant read off y's mean), for subtracting the fit together with the sum of squares, and for
 * the scaling: on a million rows every pass counts. One projection: what rounding leaves of y
 * along X (about ε|y|) is one more shift of the response, a change of parametrisation only.
 */
function standardizeResponse(frame: ModelFrame, yStats: ColumnStats, fixed: FixedPart): { y: Float64Array; shift: Float64Array; scale: number } {
  const { columns: X, gram: G, supports, ones } = fixed;
  const p = X.length;
  const y = frame.y;
  const n = y.length;
  const r = Float64Array.from(y);
  const c = new Float64Array(p);
  if (p > 0) {
    const L = Float64Array.from(G);
    if (!cholesky(L, p)) throw new MixedLMError("model", "The fixed-effects columns are linearly dependent; remove the redundant ones.");
    for (let a = 0; a < p; a++) {
      const col = X[a], rows = supports[a];
      let s = 0;
      if (ones[a]) s = n * yStats.mean;
      else if (rows) for (let t = 0; t < rows.length; t++) s += y[rows[t]];
      else for (let i = 0; i < n; i++) s += col[i] * y[i];
      c[a] = s / n;
    }
    solveCholesky(L, p, c);
    // the indicators' parts first, on their ones; then the dense columns' in one pass below
    for (let a = 0; a < p; a++) {
      const rows = supports[a];
      if (rows && c[a] !== 0) for (let t = 0; t < rows.length; t++) r[rows[t]] -= c[a];
    }
  }
  let constant = 0;
  const dense: Float64Array[] = [], coef: number[] = [];
  for (let a = 0; a < p; a++) {
    if (ones[a]) constant += c[a];
    else if (!supports[a]) { dense.push(X[a]); coef.push(c[a]); }
  }
  // |r_i| ≤ ‖y‖: that bound keeps the squares in range
  const bound = yStats.rms * Math.sqrt(n);
  const inv = bound > 0 && Number.isFinite(bound) ? 1 / bound : 1;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    let v = r[i] - constant;
    for (let d = 0; d < dense.length; d++) v -= dense[d][i] * coef[d];
    r[i] = v;
    const w = v * inv;
    squares += w * w;
  }
  const scale = (inv === 1 ? 1 : bound) * Math.sqrt(squares / n);
  if (!(scale > EXACT_FIT * yStats.rms)) {
    throw new MixedLMError("model", `The fixed effects fit the response ${frame.responseName} exactly (no residual variation is left, to rounding); a mixed model cannot be estimated.`);
  }
  const toUnit = 1 / scale;
  for (let i = 0; i < n; i++) r[i] *= toUnit;
  return { y: r, shift: c, scale };
}

// ---- the random effects ---------------------------------------------------------------------

/**
 * Centre and scale of each effect column. A column of ones, or of zeros and ones, is left as it
 * is. Variance components that share a θ (the subterms of one vc_formula entry) share one scale,
 * so that they keep sharing it. `known` holds the statistics of columns already read (X's).
 */
function termScalings(frame: ModelFrame, known: Map<Float64Array, ColumnStats>): TermScaling[] {
  const terms = frame.terms;
  const stats = terms.map((t) => {
    // every row is in a level of an re or bar term (complete cases); a variance component's are its nonzero rows
    const rows = t.kind === "vc" ? termRows(t) : null;
    return termColumnsForFit(t).map((z, c) => {
      if (z === null) return null;
      const st = rows === null && known.has(z) ? known.get(z)! : columnStats(z, rows);
      if (!st.finite) throw notFinite(frame, z, `The random-effects column ${t.names[c]} of ${t.grouping}`);
      return { st, count: rows ? rows.length : z.length };
    });
  });
  const out = terms.map((t, k) => termScaling(t, stats[k].map((x) => (x ? x.st : null))));
  const shared = new Map<number, number[]>();
  terms.forEach((t, k) => {
    if (t.kind !== "vc") return;
    const idx = t.thetaIndex[0];
    if (!shared.has(idx)) shared.set(idx, []);
    shared.get(idx)!.push(k);
  });
  for (const members of shared.values()) {
    if (members.length < 2) continue;
    const scale = pooledScale(members.map((k) => stats[k][0]));
    for (const k of members) { out[k].scale[0] = scale; out[k].center[0] = 0; }
  }
  return out;
}

function termScaling(t: RandomTerm, stats: (ColumnStats | null)[]): TermScaling {
  const q = t.q;
  const ones = t.z.indexOf(null);
  const center = new Float64Array(q);
  const scale = new Float64Array(q).fill(1);
  // centring z_c changes the model unless the term also has an intercept and a free correlation
  const mayCenter = t.kind !== "vc" && t.correlated && ones >= 0;
  stats.forEach((st, c) => {
    if (st === null || st.indicator) return;
    let m = mayCenter ? st.mean : 0;
    let s = mayCenter ? st.sd : st.rms;
    if (!(s > 0)) { m = 0; s = st.rms; }
    if (s > 0 && Number.isFinite(s)) { center[c] = m; scale[c] = s; }
  });
  const products = t.products?.some((r) => r !== null) ? productMatrix(t.products) : null;
  return { center, scale, ones, products };
}

/** The rows in some level of the term (null: all of them). */
function termRows(t: RandomTerm): Int32Array | null {
  let k = 0;
  for (let i = 0; i < t.refs.length; i++) if (t.refs[i] >= 0) k++;
  if (k === t.refs.length) return null;
  const rows = new Int32Array(k);
  k = 0;
  for (let i = 0; i < t.refs.length; i++) if (t.refs[i] >= 0) rows[k++] = i;
  return rows;
}

/** Root mean square of the columns of terms that share a θ, over their rows; 1 when one of them is a column of ones or of zeros and ones. */
function pooledScale(members: ({ st: ColumnStats; count: number } | null)[]): number {
  if (members.some((m) => m === null || m.st.indicator)) return 1;
  let big = 0, count = 0;
  for (const m of members) { big = Math.max(big, m!.st.rms); count += m!.count; }
  if (!(big > 0) || !Number.isFinite(big)) return 1;
  let s = 0;
  for (const m of members) s += m!.count * (m!.st.rms / big) ** 2;
  return big * Math.sqrt(s / count);
}

/** Scaled copies of columns, made once per (column, centre, scale): a covariate in X and in a term shares one. */
class ScaledColumns {
  private readonly made = new Map<Float64Array, { center: number; scale: number; values: Float64Array }[]>();

  remember(src: Float64Array, center: number, scale: number, values: Float64Array, usable: boolean): void {
    if (!usable) return;
    if (!this.made.has(src)) this.made.set(src, []);
    this.made.get(src)!.push({ center, scale, values });
  }

  get(src: Float64Array, center: number, scale: number): Float64Array {
    const hit = this.made.get(src)?.find((m) => m.center === center && m.scale === scale);
    if (hit) return hit.values;
    const values = scaleColumn(src, center, scale);
    this.remember(src, center, scale, values, true);
    return values;
  }
}

function scaleColumn(z: Float64Array, center: number, scale: number): Float64Array {
  if (center === 0 && scale === 1) return z;
  const out = new Float64Array(z.length);
  const inv = 1 / scale;
  for (let i = 0; i < z.length; i++) out[i] = (z[i] - center) * inv;
  return out;
}

// ---- small dense algebra ----------------------------------------------------------------------

/** Inverse of an upper-triangular p×p matrix (column-major). */
function upperInverse(R: Float64Array, p: number): Float64Array {
  const X = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    X[j * p + j] = 1 / R[j * p + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += R[k * p + i] * X[j * p + k];
      X[j * p + i] = -s / R[i * p + i];
    }
  }
  return X;
}

/**
 * M = L Q' with L lower triangular (diagonal ≥ 0) and Q orthogonal, for a q×q M (column-major):
 * the QR factorisation of M' by Householder reflections, transposed. L L' = M M', so L is the
 * relative factor whose covariance M describes; unlike a Cholesky factor of M M', it exists
 * (and is accurate) when M is singular, at a variance of zero or a correlation of ±1.
 */
export function lowerFactor(M: Float64Array, q: number): { L: Float64Array; Q: Float64Array } {
  // A = M' (column-major), reduced to R in place; Q accumulated
  const A = new Float64Array(q * q);
  for (let c = 0; c < q; c++) for (let r = 0; r < q; r++) A[c * q + r] = M[r * q + c];
  const Q = new Float64Array(q * q);
  for (let i = 0; i < q; i++) Q[i * q + i] = 1;
  const v = new Float64Array(q);
  for (let j = 0; j < q - 1; j++) {
    let norm = 0;
    for (let r = j; r < q; r++) norm = Math.hypot(norm, A[j * q + r]);
    if (norm === 0) continue;
    const alpha = A[j * q + j] > 0 ? -norm : norm;
    v.fill(0);
    for (let r = j; r < q; r++) v[r] = A[j * q + r];
    v[j] -= alpha;
    let vv = 0;
    for (let r = j; r < q; r++) vv += v[r] * v[r];
    if (vv === 0) continue;
    // A ← H A, Q ← Q H with H = I − 2 v v' / v'v
    for (let c = 0; c < q; c++) {
      let s = 0;
      for (let r = j; r < q; r++) s += v[r] * A[c * q + r];
      const f = (2 * s) / vv;
      for (let r = j; r < q; r++) A[c * q + r] -= f * v[r];
    }
    for (let r = 0; r < q; r++) {
      let s = 0;
      for (let k = j; k < q; k++) s += Q[k * q + r] * v[k];
      const f = (2 * s) / vv;
      for (let k = j; k < q; k++) Q[k * q + r] -= f * v[k];
    }
  }
  // diagonal of R made non-negative: flip row i of R and column i of Q together
  for (let i = 0; i < q; i++) {
    if (A[i * q + i] >= 0) continue;
    for (let c = 0; c < q; c++) A[c * q + i] = -A[c * q + i];
    for (let r = 0; r < q; r++) Q[i * q + r] = -Q[i * q + r];
  }
  // L = R'
  const L = new Float64Array(q * q);
  for (let c = 0; c < q; c++) for (let r = c; r < q; r++) L[c * q + r] = A[r * q + c];
  return { L, Q };
}
