/**
 * Products of numeric factors formed from centred factors, and the exact map back to the
 * products the formula names.
 *
 * Why: x·z for x near 1e9 and z near 3e5 is a column near 3e14 whose part that the data inform
 * (x₀·z₀, of order 10) sits in the last few bits of each double: formed as the formula writes it,
 * the column has lost its information before any algebra sees it, and the rank check drops it as
 * "a linear combination" of x, z and the intercept. The product of the centred factors,
 * ∏ (x_j − m_j), keeps every digit the stored x_j have. It is the same model whenever the
 * design also holds each lower-order product (x, z and the intercept for x:z), since
 *
 *   ∏_{j∈J} x_j = ∏_{j∈J} (x_j − m_j) − Σ_{S⊊J} ∏_{j∈J∖S} (−m_j) · ∏_{j∈S} x_j
 *
 * (each side times the column's categorical indicator): the formula's column is the centred one
 * plus known multiples of columns before it. The fit works on the centred columns (X_sub = X M,
 * M unit upper triangular) and reports the formula's coefficients through M (standardize.ts);
 * a product whose lower-order columns are not all in the design (y ~ x:z alone) is left as written.
 */
import type { FactorMemo } from "./formula/factor";
import type { ModelFrame, RandomTerm } from "./model";

/** Which factors make a design column: the categorical parts' names (e.g. `C(a)[T.b]`) and the numeric factors' codes. */
export interface ColumnKey {
  categorical: string[];
  numeric: string[];
}

/** A formula column written as its centred product plus multiples of other columns: raw = centred + Σ coef · raw[column]. */
export interface CentredProduct {
  centred: Float64Array;
  lower: { column: number; coef: number }[];
}

/**
 * The centres m_j of the numeric factors that enter products: their means on the fitted rows,
 * remembered in the memo so that new rows (predictions) are centred at the same points.
 */
export class ProductCentres {
  constructor(private readonly memo: FactorMemo, private readonly fitting: boolean) {}

  centre(code: string, values: Float64Array): number {
    const known = this.memo.centres.get(code);
    if (known !== undefined) return known;
    // new rows: a factor the fit did not centre is not centred (its products stay as written)
    if (!this.fitting) return 0;
    let m = 0;
    for (let i = 0; i < values.length; i++) m += values[i];
    m = values.length > 0 ? m / values.length : 0;
    // a second pass: the mean of what is left, so that m is the mean to rounding even near 1e9
    let r = 0;
    for (let i = 0; i < values.length; i++) r += values[i] - m;
    m += values.length > 0 ? r / values.length : 0;
    const centre = Number.isFinite(m) ? m : 0;
    this.memo.centres.set(code, centre);
    return centre;
  }

  known(code: string): number {
    return this.memo.centres.get(code) ?? 0;
  }
}

function keyString(categorical: readonly string[], numeric: readonly string[]): string {
  return `${[...categorical].sort().join("\u0001")}\u0002${[...numeric].sort().join("\u0001")}`;
}

/** The proper subsets of a list (as index masks 0 .. 2^k − 2). */
function properSubsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 0; mask < (1 << items.length) - 1; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out;
}

/**
 * For each column that is a product of two or more numeric factors and has its centred form,
 * the lower-order columns and coefficients that turn the centred product into the formula's
 * (null where any lower-order column is missing or comes after it: that column stays as written).
 */
export function productRelations(columns: readonly { key?: ColumnKey; centred?: Float64Array }[], centres: ProductCentres): (CentredProduct | null)[] {
  const index = new Map<string, number>();
  columns.forEach((c, k) => { if (c.key) index.set(keyString(c.key.categorical, c.key.numeric), k); });
  return columns.map((c, k) => {
    if (!c.key || !c.centred || c.key.numeric.length < 2) return null;
    const J = c.key.numeric;
    const lower: { column: number; coef: number }[] = [];
    for (const S of properSubsets(J)) {
      const l = index.get(keyString(c.key.categorical, S));
      if (l === undefined || l >= k) return null;
      let coef = -1;
      for (const j of J) if (!S.includes(j)) coef *= -centres.known(j);
      if (coef !== 0) lower.push({ column: l, coef });
    }
    return { centred: c.centred, lower };
  });
}

/** M (p×p, column-major, unit upper triangular) with X_sub = X M, X_sub holding the centred products. */
export function productMatrix(relations: readonly (CentredProduct | null)[]): Float64Array {
  const p = relations.length;
  const M = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    M[k * p + k] = 1;
    for (const { column, coef } of relations[k]?.lower ?? []) M[k * p + column] -= coef;
  }
  return M;
}

/**
 * The fixed-effect columns the fit works on: the data's, with each product of numeric factors
 * in its centred form where the frame has one (X_sub = X M, det M = 1).
 */
export function fixedColumnsForFit(frame: Pick<ModelFrame, "X" | "products">): Float64Array[] {
  return frame.X.map((c, j) => frame.products[j]?.centred ?? c);
}

/** A random term's effect columns as the fit takes them: products of numeric factors centred where the term has them. */
export function termColumnsForFit(t: Pick<RandomTerm, "z" | "products">): (Float64Array | null)[] {
  return t.z.map((z, c) => (z === null ? null : t.products?.[c]?.centred ?? z));
}
