/**
 * ProfiledDeviance.gradient for one term of one or two effects (random intercepts, a random
 * slope: most models people fit, and the ML refit of their profiles): one pass over the levels
 * with each level's numbers in locals, in place of the general gradient's small loops over q.
 * The same operations in the same order as the general code (fit.ts, which says what they
 * compute), so the same numbers to the last bit; a fresh process runs this code in V8's
 * interpreter and baseline tiers, where each of those loops' steps costs (as
 * BlockedFactor.updateOneSmallTerm).
 */
import type { BlockedFactor } from "./blocked";

/** What the gradient reads: the factor at θ, its templates, and the criterion's constants. */
export interface SmallTermGradientInput {
  factor: BlockedFactor;
  /** T (q×q column-major) of the term, as the factor was updated with. */
  T: Float64Array;
  /** θ index of each entry of T (−1: fixed at zero). */
  thetaIndex: Int32Array | number[];
  reml: boolean;
  /** n (ML) or n − p (REML). */
  c: number;
}

/** ∂f/∂θ into out, for a term with q ≤ 2 (the caller checks). */
export function smallTermGradient(s: SmallTermGradientInput, out: Float64Array): void {
  const f = s.factor;
  const q = f.cp.terms[0].q;
  const G = q === 1 ? oneEffect(s) : twoEffects(s);
  // ∂f/∂T = 2 G T, summed onto θ
  out.fill(0);
  const T = s.T;
  for (let col = 0; col < q; col++) for (let r = col; r < q; r++) {
    const idx = s.thetaIndex[col * q + r];
    if (idx < 0) continue;
    let v = 0;
    for (let k = 0; k < q; k++) v += G[k * q + r] * T[col * q + k];
    out[idx] += 2 * v;
  }
}

/** G = ∂f/∂Ψ for a scalar term. */
function oneEffect(s: SmallTermGradientInput): Float64Array {
  const f = s.factor, cp = f.cp, nl = cp.terms[0].nLevels, p1 = f.p1, p = p1 - 1;
  const L = f.Ldiag[0], LX = f.LX[0], A = cp.diag[0], AX = cp.xz[0];
  const t = s.T[0], w = s.c / f.pwrss(), beta = f.beta(), reml = s.reml && p > 0;
  const Zv = new Float64Array(p1), U = new Float64Array(p), S = new Float64Array(1);
  let G = 0;
  for (let g = 0; g < nl; g++) {
    const m = A[g];
    const b = (0 + t * m) / L[g];
    G += m - b * b;
    const o = g * p1;
    for (let col = 0; col < p1; col++) Zv[col] = AX[o + col] - b * LX[o + col];
    let sv = Zv[p];
    for (let k = 0; k < p; k++) sv -= Zv[k] * beta[k];
    G -= w * sv * sv;
    if (reml) {
      remlProducts(f, Zv, 1, U, S);
      G -= S[0];
    }
  }
  return Float64Array.of(G);
}

/** G = ∂f/∂Ψ (2×2, column-major) for a term of two effects. */
function twoEffects(s: SmallTermGradientInput): Float64Array {
  const f = s.factor, cp = f.cp, nl = cp.terms[0].nLevels, p1 = f.p1, p = p1 - 1;
  const L = f.Ldiag[0], LX = f.LX[0], A = cp.diag[0], AX = cp.xz[0];
  const t00 = s.T[0], t10 = s.T[1], t11 = s.T[3];
  const w = s.c / f.pwrss(), beta = f.beta(), reml = s.reml && p > 0;
  const Zv = new Float64Array(2 * p1), U = new Float64Array(2 * p), S = new Float64Array(4);
  let G0 = 0, G1 = 0, G2 = 0, G3 = 0;
  for (let g = 0; g < nl; g++) {
    const mo = 4 * g;
    const m00 = A[mo], m10 = A[mo + 1], m01 = A[mo + 2], m11 = A[mo + 3];
    const l00 = L[mo], l10 = L[mo + 1], l11 = L[mo + 3];
    // B = L_g⁻¹ T' M_g, column by column ("0 +": the general code's sums start from 0)
    const b0 = (0 + t00 * m00 + t10 * m10) / l00;
    const b1 = (0 + t11 * m10 - l10 * b0) / l11;
    const b2 = (0 + t00 * m01 + t10 * m11) / l00;
    const b3 = (0 + t11 * m11 - l10 * b2) / l11;
    G0 += m00 - b0 * b0 - b1 * b1;
    G1 += m10 - b2 * b0 - b3 * b1;
    G2 += m01 - b0 * b2 - b1 * b3;
    G3 += m11 - b2 * b2 - b3 * b3;
    // Z_g'V⁻¹[X y] = Z_g'[X y] − B'Y_g, then s_g = its y column minus its X columns times β
    const o0 = 2 * g * p1, o1 = o0 + p1;
    for (let col = 0; col < p1; col++) {
      const y0 = LX[o0 + col], y1 = LX[o1 + col];
      Zv[2 * col] = AX[o0 + col] - b0 * y0 - b1 * y1;
      Zv[2 * col + 1] = AX[o1 + col] - b2 * y0 - b3 * y1;
    }
    let sv0 = Zv[2 * p], sv1 = Zv[2 * p + 1];
    for (let k = 0; k < p; k++) sv0 -= Zv[2 * k] * beta[k];
    for (let k = 0; k < p; k++) sv1 -= Zv[2 * k + 1] * beta[k];
    G0 -= w * sv0 * sv0;
    G1 -= w * sv1 * sv0;
    G2 -= w * sv0 * sv1;
    G3 -= w * sv1 * sv1;
    if (reml) {
      remlProducts(f, Zv, 2, U, S);
      G0 -= S[0]; G1 -= S[1]; G2 -= S[2]; G3 -= S[3];
    }
  }
  return Float64Array.of(G0, G1, G2, G3);
}

/** REML's term of one level: U = R_X⁻¹ Q' (p × q) on L[X][X], and S = U'U (q × q), as the general code forms them. */
function remlProducts(f: BlockedFactor, Zv: Float64Array, q: number, U: Float64Array, S: Float64Array): void {
  const LXX = f.LXX, p1 = f.p1, p = p1 - 1;
  for (let a = 0; a < q; a++) {
    for (let r = 0; r < p; r++) {
      let v = Zv[r * q + a];
      for (let k = 0; k < r; k++) v -= LXX[k * p1 + r] * U[a * p + k];
      U[a * p + r] = v / LXX[r * p1 + r];
    }
  }
  for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
    let v = 0;
    for (let k = 0; k < p; k++) v += U[a * p + k] * U[b * p + k];
    S[b * q + a] = v;
  }
}
