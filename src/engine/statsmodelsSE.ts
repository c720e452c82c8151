/**
 * The "Std.Err." statsmodels prints beside each variance parameter: sqrt(scale) × SE, where the SE
 * comes from inverting the analytic Hessian of statsmodels' scale-profiled log-likelihood
 * with respect to (β, the lower triangle of cov_re/scale, vcomp/scale). It is the standard error
 * of the variance divided by the scale, times sqrt(scale): not the standard error of the printed
 * variance. We reproduce it so that our summary reads like statsmodels', and label it for what it is.
 *
 * Everything is computed from per-group cross-products of W = [Z_g X y] (one pass over the rows):
 * for a group, with V = I + Z Λ Λ' Z' (unscaled), W'V⁻¹W = W'W − W'ZΛ (I + Λ'Z'ZΛ)⁻¹ Λ'Z'W.
 * The Hessian's terms are traces and quadratic forms in P = Z'V⁻¹Z, Q = Z'V⁻¹X and s = Z'V⁻¹r.
 *
 * It is computed on the fit's internal problem (standardize.ts) and mapped to the data's
 * parameters: the internal parameters are a linear function of the data's (β_int = B⁻¹(β − Bγ)/s,
 * Ψ_int/σ²_int = D⁻¹ (Ψ/σ²) D⁻ᵀ), the log-likelihoods differ by a constant, so the inverse
 * Hessian maps as J C J' with J the Jacobian of the data's parameters in the internal ones.
 */
import { cholesky, forwardSolve, inverseSymmetric } from "./dense";
import { FitCore } from "./fit";
import { mul, sandwich } from "./smallMatrix";
import type { ModelFrame, RandomTerm } from "./model";

export interface StatsmodelsVarianceSE {
  /** Parameter names as statsmodels: "Pig Var", "Pig x Time Cov", "cask Var". */
  names: string[];
  /** Values on the data scale (cov_re and vcomp); Infinity past the largest double (a response near 1e160). */
  values: number[];
  /** The values divided by the scale σ²: doubles where the values are not (their text is relative σ σ). */
  relativeValues: number[];
  /** statsmodels' Std.Err. column (null where its Hessian cannot be inverted). */
  stdErr: (number | null)[];
  /** statsmodels' (observed-information) standard errors of β (the full-Hessian inverse). */
  fixedStdErr: (number | null)[];
  /** The β block of that inverse (p×p, column-major): statsmodels' cov_params() of the fixed effects; null when not invertible. */
  fixedCov: Float64Array | null;
  /** The same in the fit's internal coordinates: fixedCov = transform.betaCov(fixedCovInternal). */
  fixedCovInternal: Float64Array | null;
}

/** A pivot of statsmodels' Hessian at most this fraction of its largest diagonal entry makes it singular. */
const SINGULAR_PIVOT = 1e-12;

/** The largest per-group random-effect dimension for which we build dense per-group matrices. */
const MAX_GROUP_DIM = 2000;

export function statsmodelsVarianceSE(fit: FitCore): StatsmodelsVarianceSE | null {
  if (fit.frame.style !== "statsmodels" || !fit.frame.groups) return null;
  const frame = fit.deviance.frame; // the internal problem's
  const layout = groupLayout(frame);
  if (layout.maxDim > MAX_GROUP_DIM) return null;
  const cp = groupCrossProducts(fit, layout);
  const parts = accumulateGroups(fit, layout, cp);
  const H = assembleHessian(parts, layout.m, frame);
  // The inverse is a covariance only where −H is positive definite. At a variance on its
  // boundary (a singular fit) it need not be: its inverse then has negative variances, and
  // whether those fall on the coefficients' diagonal (a fallback to lme4's) or are mixed into
  // positive garbage (x + 0.4 instead of x) depends on the coefficients' coordinates.
  const n = frame.X.length + layout.m;
  const negH = H.map((v) => -v);
  const cov = positiveDefinite(negH, n) ? inverseSymmetric(negH, n, SINGULAR_PIVOT) : null;
  return dataParameters(fit, layout, cov);
}

// ---- the groups' local columns ---------------------------------------------------------------

interface GroupLayout {
  G: number;
  reTerm: RandomTerm | null;
  kRe: number;
  vcNames: string[];
  vcTerms: RandomTerm[];
  /** Per vc term: local column of each of its levels within the level's group. */
  vcLocal: Int32Array[];
  /** Per group: vc component index of each vc column. */
  vcIndexOfLocal: number[][];
  groupDim: Int32Array;
  maxDim: number;
  /** Number of variance parameters: the re lower triangle, then one per vc name. */
  m: number;
  /** The re covariance's (i, j) pairs in statsmodels' order: (0,0), (1,0), (1,1), ... */
  rePairs: [number, number][];
}

/** Local column layout of each group: re columns, then vc columns (by vc name, then level). */
function groupLayout(frame: ModelFrame): GroupLayout {
  const G = frame.groups!.labels.length;
  const reTerm = frame.terms.find((t) => t.kind === "re") ?? null;
  const kRe = reTerm ? reTerm.q : 0;
  const vcNames = [...new Set(frame.terms.filter((t) => t.kind === "vc").map((t) => t.vcName!))];
  const vcTerms = frame.terms.filter((t) => t.kind === "vc");
  const vcLocal = vcTerms.map((t) => new Int32Array(t.levels.length));
  const vcIndexOfLocal: number[][] = Array.from({ length: G }, () => []);
  const groupDim = new Int32Array(G).fill(kRe);
  for (let v = 0; v < vcNames.length; v++) {
    vcTerms.forEach((t, k) => {
      if (t.vcName !== vcNames[v]) return;
      for (let l = 0; l < t.levels.length; l++) {
        const g = t.groupOfLevel![l];
        vcLocal[k][l] = groupDim[g]++;
        vcIndexOfLocal[g].push(v);
      }
    });
  }
  let maxDim = 0;
  for (let g = 0; g < G; g++) maxDim = Math.max(maxDim, groupDim[g]);
  const rePairs: [number, number][] = [];
  for (let i = 0; i < kRe; i++) for (let j = 0; j <= i; j++) rePairs.push([i, j]);
  return { G, reTerm, kRe, vcNames, vcTerms, vcLocal, vcIndexOfLocal, groupDim, maxDim, m: rePairs.length + vcNames.length, rePairs };
}

/**
 * Per-group cross-products Z_g'[Z_g X y] (groupDim × (groupDim + p + 1), column-major, one after
 * another), read off the blocked cross-products (every term is nested in the groups, so each
 * block belongs to one group): no second pass over the rows.
 */
function groupCrossProducts(fit: FitCore, layout: GroupLayout): { C: Float64Array; offsets: Float64Array } {
  const dev = fit.deviance;
  const frame = dev.frame;
  const cp = dev.cp;
  const { G, groupDim, vcTerms, vcLocal } = layout;
  const p1 = frame.X.length + 1;
  const offsets = new Float64Array(G + 1);
  for (let g = 0; g < G; g++) offsets[g + 1] = offsets[g] + groupDim[g] * (groupDim[g] + p1);
  const C = new Float64Array(offsets[G]);
  /** Local column of level l of frame term k within its group, and that group. */
  const local = (k: number, l: number, c: number): [number, number] => {
    const t = frame.terms[k];
    if (t.kind === "re") return [l, c];
    return [t.groupOfLevel![l], vcLocal[vcTerms.indexOf(t)][l]];
  };
  const put = (g: number, r: number, c: number, v: number) => { C[offsets[g] + c * groupDim[g] + r] += v; };
  // (level indices of the cross-products are the factor's: dev.levelOf maps them to the frame's)
  dev.order.forEach((k, j) => {
    const t = frame.terms[k];
    const q = t.q;
    const A = cp.diag[j];
    const AX = cp.xz[j];
    for (let l = 0; l < t.levels.length; l++) {
      const lv = dev.levelOf(j, l);
      for (let b = 0; b < q; b++) {
        const [g, cb] = local(k, lv, b);
        for (let a = 0; a < q; a++) put(g, local(k, lv, a)[1], cb, A[l * q * q + b * q + a]);
        for (let col = 0; col < p1; col++) put(g, cb, groupDim[g] + col, AX[(l * q + b) * p1 + col]);
      }
    }
    for (let i = j + 1; i < dev.order.length; i++) {
      const ki = dev.order[i];
      const o = cp.off[i][j]!;
      for (let c = 0; c < o.nColLevels; c++) {
        for (let s2 = o.colPtr[c]; s2 < o.colPtr[c + 1]; s2++) {
          const r = o.rowIdx[s2];
          for (let b = 0; b < o.qc; b++) for (let a = 0; a < o.qr; a++) {
            const v = o.data[s2 * o.qr * o.qc + b * o.qr + a];
            if (v === 0) continue;
            const [g, lr] = local(ki, dev.levelOf(i, r), a);
            const [, lc] = local(k, dev.levelOf(j, c), b);
            put(g, lr, lc, v);
            put(g, lc, lr, v);
          }
        }
      }
    }
  });
  return { C, offsets };
}

// ---- the Hessian's pieces, summed over groups --------------------------------------------------

/** Sums over groups of the pieces of statsmodels' Hessian (names as in its MixedLM.hessian). */
interface HessianParts {
  /** [X y]'V⁻¹[X y] ((p+1)², column-major). */
  XvX: Float64Array;
  /** Q' E_j s per parameter j (m × p). */
  hessFere: Float64Array;
  /** Q' E_j Q per parameter j (m blocks of p × p). */
  xtax: Float64Array;
  /** s' E_j s. */
  B: Float64Array;
  /** 2 s' E_k P E_j s (m × m). */
  D: Float64Array;
  /** tr(E_k P E_j P) / 2 (m × m). */
  hessRe: Float64Array;
  /** REML: Q' E_k P E_j Q + its transpose ((j, k) blocks of p × p). */
  F: Float64Array;
  beta: Float64Array;
}

/**
 * One group's matrices, sized for the largest group and reused from group to group: the loop over
 * the groups allocates nothing.
 */
interface GroupScratch {
  /** Λ_g (q × q, lower). */
  Lam: Float64Array;
  /** L⁻¹ Λ'Z'W (q × (q + p + 1)), L the Cholesky factor of S. */
  U: Float64Array;
  /** S = I + Λ'Z'ZΛ, then its Cholesky factor. */
  S: Float64Array;
  /** P = Z'V⁻¹Z, Q = Z'V⁻¹X, s = Z'V⁻¹(y − Xβ). */
  P: Float64Array;
  Q: Float64Array;
  sv: Float64Array;
  /** E_j s, E_j Q, P E_j s, P E_j Q for every parameter j. */
  Es: Float64Array;
  EQ: Float64Array;
  PEs: Float64Array;
  PEQ: Float64Array;
  /** E_j as unit entries (row, col) in the group's local columns: eStart[j]..eStart[j+1). */
  eRow: Int32Array;
  eCol: Int32Array;
  eStart: Int32Array;
}

function groupScratch(layout: GroupLayout, p: number): GroupScratch {
  const { maxDim, m, kRe } = layout;
  const maxW = maxDim + p + 1;
  return {
    Lam: new Float64Array(maxDim * maxDim), U: new Float64Array(maxDim * maxW), S: new Float64Array(maxDim * maxDim),
    P: new Float64Array(maxDim * maxDim), Q: new Float64Array(maxDim * p), sv: new Float64Array(maxDim),
    Es: new Float64Array(m * maxDim), EQ: new Float64Array(m * maxDim * p), PEs: new Float64Array(m * maxDim), PEQ: new Float64Array(m * maxDim * p),
    eRow: new Int32Array(2 * kRe * kRe + maxDim), eCol: new Int32Array(2 * kRe * kRe + maxDim), eStart: new Int32Array(m + 1),
  };
}

/** Sums over the groups of the pieces of statsmodels' Hessian, at the fit's internal estimates. */
function accumulateGroups(fit: FitCore, layout: GroupLayout, cp: { C: Float64Array; offsets: Float64Array }): HessianParts {
  const frame = fit.deviance.frame;
  const p = frame.X.length;
  const { m, kRe, groupDim } = layout;
  // the internal estimates: unscaled covariance parameters Ψ_re = T T', vc variances θ²
  const Tre = layout.reTerm ? fit.internal.T[frame.terms.indexOf(layout.reTerm)] : new Float64Array(0);
  const vcTheta = layout.vcNames.map((name) => fit.internal.theta[layout.vcTerms.find((x) => x.vcName === name)!.thetaIndex[0]]);
  const parts: HessianParts = {
    XvX: Float64Array.from(fit.deviance.cp.xx),
    hessFere: new Float64Array(m * p), xtax: new Float64Array(m * p * p), B: new Float64Array(m),
    D: new Float64Array(m * m), hessRe: new Float64Array(m * m), F: new Float64Array(m * m * p * p),
    beta: fit.internal.beta,
  };
  const w = groupScratch(layout, p);
  const reml = frame.method === "REML";
  for (let g = 0; g < layout.G; g++) {
    const q = groupDim[g];
    const Cg = cp.C.subarray(cp.offsets[g], cp.offsets[g + 1]); // q × (q + p + 1), column-major
    // Λ_g: T_re on the re block, the vc standard deviations (relative) after it
    const Lam = w.Lam;
    Lam.fill(0, 0, q * q);
    for (let c = 0; c < kRe; c++) for (let r = c; r < kRe; r++) Lam[c * q + r] = Tre[c * kRe + r];
    for (let k = kRe; k < q; k++) Lam[k * q + k] = vcTheta[layout.vcIndexOfLocal[g][k - kRe]];
    whitenGroup(w, Cg, q, p);
    groupMarginals(w, parts, Cg, q, p);
    groupEntries(w, layout, g);
    entryProducts(w, m, q, p);
    accumulateGroup(parts, w, m, q, p, reml);
  }
  return parts;
}

/** U = Λ'Z'W (q × w), S = I + Λ'Z'ZΛ and its Cholesky factor L, then U ← L⁻¹U, so that W'V⁻¹W = W'W − U'U. */
function whitenGroup(sc: GroupScratch, Cg: Float64Array, q: number, p: number): void {
  const { Lam, U, S } = sc;
  const w = q + p + 1;
  for (let col = 0; col < w; col++) for (let a = 0; a < q; a++) {
    let s2 = 0;
    for (let k = a; k < q; k++) s2 += Lam[a * q + k] * Cg[col * q + k];
    U[col * q + a] = s2;
  }
  for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
    let s2 = 0;
    for (let k = b; k < q; k++) s2 += U[k * q + a] * Lam[b * q + k];
    S[b * q + a] = s2 + (a === b ? 1 : 0);
  }
  cholesky(S, q);
  for (let col = 0; col < w; col++) forwardSolve(S, q, U, 0, col * q);
}

/** P = Z'V⁻¹Z, Q = Z'V⁻¹X, s = Z'V⁻¹(y − Xβ) of the group; its [X y]'V⁻¹[X y] added to parts.XvX (which starts as [X y]'[X y]). */
function groupMarginals(sc: GroupScratch, parts: HessianParts, Cg: Float64Array, q: number, p: number): void {
  const { U, P, Q, sv } = sc;
  const { XvX, beta } = parts;
  const p1 = p + 1, w = q + p1;
  for (let b = 0; b < w; b++) {
    for (let a = 0; a < w; a++) {
      if (b < q && a >= q) continue; // the (X, Z) blocks mirror the (Z, X) ones
      let uu = 0;
      for (let k = 0; k < q; k++) uu += U[a * q + k] * U[b * q + k];
      if (a >= q) XvX[(b - q) * p1 + (a - q)] -= uu;
      else if (b < q) P[b * q + a] = Cg[b * q + a] - uu;
      else if (b < q + p) Q[(b - q) * q + a] = Cg[b * q + a] - uu;
      else sv[a] = Cg[b * q + a] - uu;
    }
  }
  for (let a = 0; a < q; a++) for (let c = 0; c < p; c++) sv[a] -= Q[c * q + a] * beta[c];
}

/** The E_j of group g: the re covariance's pairs (both entries off the diagonal), then each vc name's diagonal entries. */
function groupEntries(sc: GroupScratch, layout: GroupLayout, g: number): void {
  const { eRow, eCol, eStart } = sc;
  const { kRe, m } = layout;
  const q = layout.groupDim[g];
  let ne = 0;
  let j0 = 0;
  for (const [i, j] of layout.rePairs) {
    eStart[j0++] = ne;
    eRow[ne] = i; eCol[ne] = j; ne++;
    if (i !== j) { eRow[ne] = j; eCol[ne] = i; ne++; }
  }
  for (let v = 0; v < layout.vcNames.length; v++) {
    eStart[j0++] = ne;
    for (let k = kRe; k < q; k++) if (layout.vcIndexOfLocal[g][k - kRe] === v) { eRow[ne] = k; eCol[ne] = k; ne++; }
  }
  eStart[m] = ne;
}

/** E_j s, E_j Q, then P E_j s, P E_j Q, for every parameter j. */
function entryProducts(sc: GroupScratch, m: number, q: number, p: number): void {
  const { P, Q, sv, Es, EQ, PEs, PEQ, eRow, eCol, eStart } = sc;
  Es.fill(0, 0, m * q);
  EQ.fill(0, 0, m * q * p);
  for (let j = 0; j < m; j++) {
    for (let e = eStart[j]; e < eStart[j + 1]; e++) {
      const r = eRow[e], c = eCol[e];
      Es[j * q + r] += sv[c];
      for (let col = 0; col < p; col++) EQ[(j * p + col) * q + r] += Q[col * q + c];
    }
    for (let a = 0; a < q; a++) {
      let s2 = 0;
      for (let c = 0; c < q; c++) s2 += P[c * q + a] * Es[j * q + c];
      PEs[j * q + a] = s2;
      for (let col = 0; col < p; col++) {
        let t = 0;
        for (let c = 0; c < q; c++) t += P[c * q + a] * EQ[(j * p + col) * q + c];
        PEQ[(j * p + col) * q + a] = t;
      }
    }
  }
}

/** The group's share of each piece of the Hessian (names as in statsmodels' MixedLM.hessian). */
function accumulateGroup(parts: HessianParts, sc: GroupScratch, m: number, q: number, p: number, reml: boolean): void {
  const { hessFere, xtax, B, D, hessRe, F } = parts;
  const { P, Q, sv, Es, EQ, PEs, PEQ, eRow, eCol, eStart } = sc;
  for (let j = 0; j < m; j++) {
    // hess_fere[j, :] += Q' E_j s ; xtax[j] += Q' E_j Q ; B[j] += s' E_j s
    for (let c = 0; c < p; c++) {
      let s2 = 0;
      for (let a = 0; a < q; a++) s2 += Q[c * q + a] * Es[j * q + a];
      hessFere[j * p + c] += s2;
      for (let d = 0; d < p; d++) {
        let t = 0;
        for (let a = 0; a < q; a++) t += Q[c * q + a] * EQ[(j * p + d) * q + a];
        xtax[j * p * p + d * p + c] += t;
      }
    }
    { let s2 = 0; for (let a = 0; a < q; a++) s2 += sv[a] * Es[j * q + a]; B[j] += s2; }
    for (let k = 0; k <= j; k++) {
      // D[j,k] += 2 s' E_k P E_j s
      let dv = 0;
      for (let a = 0; a < q; a++) dv += Es[k * q + a] * PEs[j * q + a];
      D[j * m + k] += 2 * dv;
      if (j !== k) D[k * m + j] += 2 * dv;
      // hess_re[j,k] += tr(E_k P E_j P) / 2 = Σ_{(r,c) in E_k} Σ_{(a,b) in E_j} P[c,a] P[b,r] / 2
      let tr = 0;
      for (let e1 = eStart[k]; e1 < eStart[k + 1]; e1++) {
        const r = eRow[e1], c = eCol[e1];
        for (let e2 = eStart[j]; e2 < eStart[j + 1]; e2++) tr += P[eRow[e2] * q + c] * P[r * q + eCol[e2]];
      }
      hessRe[j * m + k] += tr / 2;
      if (j !== k) hessRe[k * m + j] += tr / 2;
      if (reml) {
        // F[j][k] += V + V', V = Q' E_k P E_j Q
        const fo = (j * m + k) * p * p;
        for (let c = 0; c < p; c++) for (let d = 0; d < p; d++) {
          let t = 0;
          for (let a = 0; a < q; a++) t += EQ[(k * p + c) * q + a] * PEQ[(j * p + d) * q + a];
          F[fo + d * p + c] += t;
          F[fo + c * p + d] += t;
        }
      }
    }
  }
}

// ---- the Hessian and its inverse ----------------------------------------------------------------

/** statsmodels' Hessian of the profiled log-likelihood in (β, variance parameters), (p+m)², column-major. */
function assembleHessian(parts: HessianParts, m: number, frame: ModelFrame): Float64Array {
  const p = frame.X.length, p1 = p + 1;
  const n = frame.y.length;
  const { XvX, hessFere, xtax, B, D, hessRe, F, beta } = parts;
  const xtvix = new Float64Array(p * p);
  for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) xtvix[b * p + a] = XvX[b * p1 + a];
  let rvir = XvX[p * p1 + p];
  for (let a = 0; a < p; a++) rvir -= 2 * beta[a] * XvX[a * p1 + p];
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) rvir += beta[a] * beta[b] * XvX[b * p1 + a];
  const reml = frame.method === "REML";
  const fac = reml ? n - p : n;
  const total = p + m;
  const H = new Float64Array(total * total);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) H[b * total + a] = (-fac * xtvix[b * p + a]) / rvir;
  for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    H[(p + k) * total + p + j] = hessRe[j * m + k] - 0.5 * fac * (D[j * m + k] / rvir - (B[j] * B[k]) / (rvir * rvir));
  }
  for (let j = 0; j < m; j++) for (let c = 0; c < p; c++) {
    const v = (-fac * hessFere[j * p + c]) / rvir;
    H[c * total + p + j] = v;
    H[(p + j) * total + c] = v;
  }
  if (reml && p > 0) {
    const xi = inverseSymmetric(xtvix, p);
    if (xi) {
      const QL = Array.from({ length: m }, (_, j) => mul(xi, xtax.subarray(j * p * p, (j + 1) * p * p), p, p, p));
      for (let j = 0; j < m; j++) for (let k = 0; k <= j; k++) {
        let a = 0;
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) a += QL[j][c * p + r] * QL[k][r * p + c];
        const XF = mul(xi, F.subarray((j * m + k) * p * p, (j * m + k + 1) * p * p), p, p, p);
        let tr = 0;
        for (let r = 0; r < p; r++) tr += XF[r * p + r];
        a = 0.5 * (a - tr);
        H[(p + k) * total + p + j] += a;
        if (j !== k) H[(p + j) * total + p + k] += a;
      }
    }
  }
  return H;
}

// ---- back to the data's parameters --------------------------------------------------------------

/**
 * Names, values and standard errors on the data's scale. The inverse Hessian C of the internal
 * parameters maps as J C J': β through s B (transform.betaCov), the relative covariance
 * parameters through M, vech(D P D') = M vech(P), each vc variance through 1/s_vc².
 */
function dataParameters(fit: FitCore, layout: GroupLayout, cov: Float64Array | null): StatsmodelsVarianceSE {
  const frame = fit.frame;
  const p = frame.X.length, m = layout.m, total = p + m;
  const scale = fit.sigma2;
  const names: string[] = [];
  const values: number[] = [];
  const relativeValues: number[] = [];
  const reIndex = layout.reTerm ? fit.deviance.frame.terms.indexOf(layout.reTerm) : -1;
  const kRe = layout.kRe;
  if (reIndex >= 0) {
    const t = frame.terms[reIndex];
    const { cov: cov0, T } = fit.terms[reIndex];
    for (const [i, j] of layout.rePairs) {
      names.push(i === j ? `${t.names[i]} Var` : `${t.names[j]} x ${t.names[i]} Cov`);
      values.push(cov0[j * kRe + i]);
      let rel = 0;
      for (let c = 0; c < kRe; c++) rel += T[c * kRe + i] * T[c * kRe + j];
      relativeValues.push(rel);
    }
  }
  layout.vcNames.forEach((name) => {
    const t = frame.terms.find((x) => x.vcName === name)!;
    const th = fit.theta[t.thetaIndex[0]];
    names.push(`${name} Var`);
    values.push(scale * th * th);
    relativeValues.push(th * th);
  });
  if (!cov) return { names, values, relativeValues, stdErr: names.map(() => null), fixedStdErr: Array.from({ length: p }, () => null), fixedCov: null, fixedCovInternal: null };
  // J for the variance parameters (m × m, column-major)
  const J = new Float64Array(m * m);
  if (reIndex >= 0) {
    const Dm = fit.transform.termMatrix(reIndex);
    layout.rePairs.forEach(([i, j], row) => layout.rePairs.forEach(([a, b], col) => {
      J[col * m + row] = Dm[a * kRe + i] * Dm[b * kRe + j] + (a !== b ? Dm[b * kRe + i] * Dm[a * kRe + j] : 0);
    }));
  }
  layout.vcNames.forEach((name, v) => {
    const k = frame.terms.findIndex((x) => x.vcName === name);
    const d = 1 / fit.transform.terms[k].scale[0];
    const e = layout.rePairs.length + v;
    J[e * m + e] = d * d;
  });
  const varCov = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) varCov[b * m + a] = cov[(p + b) * total + p + a];
  const mapped = sandwich(J, varCov, m, m);
  // sqrt(scale d) as σ sqrt(d): finite where the scale itself overflows (a response near 1e160)
  const sigma = fit.transform.sigma(fit.internal.sigma2);
  const stdErr = names.map((_, j) => {
    const d = mapped[j * m + j];
    return d >= 0 ? sigma * Math.sqrt(d) : null;
  });
  const betaCov = new Float64Array(p * p);
  for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) betaCov[b * p + a] = cov[b * total + a];
  const fixedCov = fit.transform.betaCov(betaCov);
  const fixedSE = fit.transform.betaStdErr(betaCov);
  const fixedStdErr = Array.from(fixedSE, (v) => (Number.isNaN(v) ? null : v));
  return { names, values, relativeValues, stdErr, fixedStdErr, fixedCov, fixedCovInternal: betaCov };
}

/** Whether a symmetric n×n matrix is positive definite (its Cholesky factor exists, every pivot above 1e-12 of its diagonal entry). */
function positiveDefinite(A: Float64Array, n: number): boolean {
  const L = Float64Array.from(A);
  for (let j = 0; j < n; j++) {
    let d = L[j * n + j];
    for (let k = 0; k < j; k++) d -= L[k * n + j] * L[k * n + j];
    if (!(d > SINGULAR_PIVOT * Math.abs(A[j * n + j]))) return false;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = L[j * n + i];
      for (let k = 0; k < j; k++) v -= L[k * n + i] * L[k * n + j];
      L[j * n + i] = v / ljj;
    }
  }
  return true;
}
