/**
 * V₀⁻¹ = (I + ZΛΛ'Z')⁻¹, the marginal covariance of y on the scale of σ², applied through the
 * block structure of the model, never as an n×n matrix.
 *
 * The first term (the one with most levels, the factor's first block) is taken level by level:
 * V₁ = I + Z₀Ψ₀Z₀' is block-diagonal by its levels, so that for any columns A, B
 *   A'V₁⁻¹B = A'B − (Z₀'A)' F (Z₀'B),   F = Λ₀(Λ₀'Z₀'Z₀Λ₀ + I)⁻¹Λ₀' (one q₀×q₀ block per level).
 * The other terms ("R") enter by Woodbury through S = I + Λ_R'GΛ_R, G = Z_R'V₁⁻¹Z_R (the Schur
 * complement the fit factors too), dense per connected component of R's levels (one component
 * for a crossed design, one per top-level group of a nested one):
 *   A'V₀⁻¹B = A'V₁⁻¹B − (Λ_R'Z_R'V₁⁻¹A)' S⁻¹ (Λ_R'Z_R'V₁⁻¹B).
 * With A = B = Z this is M = Z'V₀⁻¹Z = Mbd − Ŷ'S⁻¹Ŷ, Mbd = Z'V₁⁻¹Z, Ŷ = Λ_R'·Mbd[R, :]: the
 * first term's columns of Ŷ are sparse (the pattern of Z_R'Z₀), its R columns dense within a
 * component. splitInverse keeps these pieces; traces.ts contracts them.
 */
import type { CrossProducts } from "../crossprod";
import { backSolveTransposed, choleskyBlocked } from "../dense";
import { inverseFromFactor } from "./spdInverse";
import { MixedLMError } from "../errors";
import { mul, transpose } from "../smallMatrix";
import type { FitView } from "./fitView";
import { firstTermBlocks, FirstTermBlocks } from "./firstTerm";
import { neighbourBlocks, NeighbourBlocks, subtractFirstTerm } from "./neighbours";
import { ComponentLevels, rComponents, RComponents } from "./rComponents";

/** One connected component of the R terms' levels, with its dense blocks (size × size, column-major). */
export interface ComponentBlocks {
  size: number;
  /** Its levels: term (factorisation order, ≥ 1), level, offset within the component. */
  levelTerm: Int32Array;
  levelIndex: Int32Array;
  levelOffset: Int32Array;
  /** S⁻¹. */
  K: Float64Array;
  /** (S⁻¹Ŷ_R)' stored row by row: KYt[i·size + j] = (S⁻¹Ŷ_R)[i, j]. */
  KYt: Float64Array;
  /** Z_R'V₀⁻¹Z_R restricted to the component. */
  MRR: Float64Array;
  /** Whether S⁻¹Ŷ_R = (I − S⁻¹)Λ⁻¹ (then a first-term level's row of M_0R is (S⁻¹Ŷ_l)'Λ⁻¹). */
  inverse: boolean;
}

export interface SplitInverse {
  cp: CrossProducts;
  T: Float64Array[];
  first: FirstTermBlocks;
  components: ComponentBlocks[];
  rIndex: RComponents;
  neighbours: NeighbourBlocks;
}

/** The largest component of R levels held as dense matrices (each of its blocks takes size² numbers). */
export const MAX_COMPONENT = 4000;

export interface SplitOptions {
  /**
   * How to form S⁻¹Ŷ_R and Z_R'V₀⁻¹Z_R: "auto" by the rule in componentBlocks, or always one way
   * (for tests: the two must agree).
   */
  products?: "auto" | "inverse" | "direct";
}

export function splitInverse(view: FitView, options: SplitOptions = {}): SplitInverse {
  const { cp, T } = view;
  const first = firstTermBlocks(cp, T[0]);
  const rIndex = rComponents(cp);
  for (const c of rIndex.sizes) {
    if (c > MAX_COMPONENT) {
      throw new MixedLMError("model", `The degrees of freedom need a dense matrix of the ${c} random effects of the crossed or multi-level terms (beyond the first), more than the ${MAX_COMPONENT} supported; use the z tests without --ddf.`);
    }
  }
  const neighbours = neighbourBlocks(cp, first, rIndex, T);
  // G = Z_R'V₁⁻¹Z_R of every component, in one pass over the cross-products, when needed: not
  // when the fit's own factor of S serves (one dense block, Λ_R invertible)
  let G: Float64Array[] | null = null;
  const gOf = (c: number): Float64Array => {
    if (!G) {
      G = rIndex.sizes.map((size) => new Float64Array(size * size));
      fillZRZR(G, cp, rIndex);
      subtractFirstTerm(G, rIndex.sizes, neighbours, first, rIndex.firstComp, cp);
    }
    return G[c];
  };
  const given = view.restFactor && rIndex.sizes.length === 1 && rIndex.sizes[0] ** 2 === view.restFactor.length ? view.restFactor : null;
  const components = rIndex.sizes.map((size, c) => componentBlocks(cp, T, rIndex.levelsOf(c), size, options.products ?? "auto", c === 0 ? given : null, () => gOf(c)));
  return { cp, T, first, components, rIndex, neighbours };
}

/**
 * S = I + Λ'GΛ's inverse and the two products the contractions need. `factor`: S's lower Cholesky
 * factor when the fit has it (it factors S at every evaluation), else formed here from G.
 */
function componentBlocks(cp: CrossProducts, T: Float64Array[], levels: ComponentLevels, size: number, products: "auto" | "inverse" | "direct", factor: Float64Array | null, gOf: () => Float64Array): ComponentBlocks {
  let L = factor;
  let leastGain = Infinity; // min over i of (Λ'GΛ)_ii = S_ii − 1
  if (L) {
    for (let i = 0; i < size; i++) { let s = -1; for (let k = 0; k <= i; k++) s += L[k * size + i] ** 2; leastGain = Math.min(leastGain, s); }
  } else {
    const S = Float64Array.from(gOf());
    scaleRows(S, size, size, levels, cp, T, false);
    scaleColumns(S, size, levels, cp, T, false);
    for (let i = 0; i < size; i++) { leastGain = Math.min(leastGain, S[i * size + i]); S[i * size + i] += 1; }
    if (!choleskyBlocked(S, size)) throw new MixedLMError("model", "The random-effects covariance could not be factorised for the degrees of freedom.");
    L = S;
  }
  const K = inverseFromFactor(L, size);
  // Every direction of Λ carries information (Λ'GΛ well away from 0): S⁻¹Ŷ_R = (I − S⁻¹)Λ⁻¹ and
  // Z_R'V₀⁻¹Z_R = Λ⁻ᵀ(I − S⁻¹)Λ⁻¹ cost no product of size³; otherwise (a variance at or near
  // zero) they are formed as S⁻¹Λ'G and G − GΛS⁻¹Λ'G.
  let KY: Float64Array;
  let MRR: Float64Array;
  const inverse = products === "inverse" || (products === "auto" && leastGain >= U_SPACE_MIN_GAIN);
  if (inverse) {
    KY = new Float64Array(size * size);
    for (let e = 0; e < size * size; e++) KY[e] = -K[e];
    for (let i = 0; i < size; i++) KY[i * size + i] += 1;
    scaleColumns(KY, size, levels, cp, T, true);
    MRR = Float64Array.from(KY);
    scaleRows(MRR, size, size, levels, cp, T, true);
  } else {
    const G = gOf();
    const LG = Float64Array.from(G); // Λ'G
    scaleRows(LG, size, size, levels, cp, T, false);
    KY = mul(K, LG, size, size, size);
    MRR = Float64Array.from(G);
    subtractTransposeProduct(LG, KY, MRR, size);
  }
  return { size, levelTerm: levels.term, levelIndex: levels.index, levelOffset: levels.offset, K, KYt: transpose(KY, size, size), MRR, inverse };
}

/** Below this least diagonal of Λ'GΛ, (I − S⁻¹)Λ⁻¹ would lose digits to cancellation. */
const U_SPACE_MIN_GAIN = 1e-3;

/** Z_R'Z_R into the components' G: the terms' own blocks and the blocks between pairs of terms. */
function fillZRZR(G: Float64Array[], cp: CrossProducts, r: RComponents): void {
  for (let i = 1; i < cp.terms.length; i++) {
    const q = cp.terms[i].q, D = cp.diag[i];
    for (let m = 0; m < cp.terms[i].nLevels; m++) {
      const g = G[r.compOf[i][m]], size = r.sizes[r.compOf[i][m]], o = r.localOf[i][m];
      for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) g[(o + b) * size + o + a] = D[m * q * q + b * q + a];
    }
    for (let k = 1; k < i; k++) {
      const pat = cp.off[i][k]!;
      const qi = pat.qr, qk = pat.qc;
      for (let col = 0; col < pat.nColLevels; col++) {
        const c = r.compOf[k][col], ok = r.localOf[k][col];
        const g = G[c], size = r.sizes[c];
        for (let t = pat.colPtr[col]; t < pat.colPtr[col + 1]; t++) {
          const oi = r.localOf[i][pat.rowIdx[t]];
          for (let b = 0; b < qk; b++) for (let a = 0; a < qi; a++) {
            const v = pat.data[t * qi * qk + b * qi + a];
            g[(ok + b) * size + oi + a] = v;
            g[(oi + a) * size + ok + b] = v;
          }
        }
      }
    }
  }
}

/** Rows of M (rows × cols) by level blocks: M ← T_i'·M (inverse: T_i⁻¹·M... as Λ⁻ᵀ: T_i⁻ᵀ·M). */
export function scaleRows(M: Float64Array, rows: number, cols: number, levels: { term: Int32Array; offset: Int32Array }, cp: CrossProducts, T: Float64Array[], inverse: boolean): void {
  const tmp = new Float64Array(16);
  for (let k = 0; k < levels.term.length; k++) {
    const q = cp.terms[levels.term[k]].q, o = levels.offset[k], Tk = T[levels.term[k]];
    if (q === 1) {
      const s = inverse ? 1 / Tk[0] : Tk[0];
      for (let j = 0; j < cols; j++) M[j * rows + o] *= s;
      continue;
    }
    const buf = tmp.length >= q ? tmp : new Float64Array(q);
    for (let j = 0; j < cols; j++) {
      for (let a = 0; a < q; a++) buf[a] = M[j * rows + o + a];
      if (inverse) backSolveTransposed(Tk, q, buf); // T'x = b, T' upper triangular
      else for (let a = 0; a < q; a++) { let s = 0; for (let t = a; t < q; t++) s += Tk[a * q + t] * buf[t]; M[j * rows + o + a] = s; }
      if (inverse) for (let a = 0; a < q; a++) M[j * rows + o + a] = buf[a];
    }
  }
}

/** Columns of a size×size M by level blocks: M ← M·T_k (or M·T_k⁻¹). */
export function scaleColumns(M: Float64Array, size: number, levels: { term: Int32Array; offset: Int32Array }, cp: CrossProducts, T: Float64Array[], inverse: boolean): void {
  // M·T = (T'·M')': scale the rows of the transpose
  const Mt = transpose(M, size, size);
  scaleRows(Mt, size, size, levels, cp, T, inverse);
  M.set(transpose(Mt, size, size));
}

/** C −= A'·B for n×n column-major A, B, in place (C is as large as the component: no temporary of its size). */
function subtractTransposeProduct(A: Float64Array, B: Float64Array, C: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    let s = 0;
    const ai = i * n, bj = j * n;
    for (let t = 0; t < n; t++) s += A[ai + t] * B[bj + t];
    C[j * n + i] -= s;
  }
}
