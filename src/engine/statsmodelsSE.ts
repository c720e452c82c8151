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
 */
import { cholesky, forwardSolve, inverseSymmetric } from "./dense";
import { FitCore } from "./fit";

export interface StatsmodelsVarianceSE {
  /** Parameter names as statsmodels: "Pig Var", "Pig x Time Cov", "cask Var". */
  names: string[];
  /** Values on the data scale (cov_re and vcomp). */
  values: number[];
  /** statsmodels' Std.Err. column (null where its Hessian cannot be inverted). */
  stdErr: (number | null)[];
  /** statsmodels' (observed-information) standard errors of β (the full-Hessian inverse). */
  fixedStdErr: (number | null)[];
}

/** The largest per-group random-effect dimension for which we build dense per-group matrices. */
const MAX_GROUP_DIM = 2000;

export function statsmodelsVarianceSE(fit: FitCore): StatsmodelsVarianceSE | null {
  const frame = fit.frame;
  if (frame.style !== "statsmodels" || !frame.groups) return null;
  const groups = frame.groups;
  const G = groups.labels.length;
  const n = frame.y.length;
  const p = frame.X.length;
  const reTerm = frame.terms.find((t) => t.kind === "re") ?? null;
  const kRe = reTerm ? reTerm.q : 0;
  const vcNames = [...new Set(frame.terms.filter((t) => t.kind === "vc").map((t) => t.vcName!))];
  const vcTerms = frame.terms.filter((t) => t.kind === "vc");

  // local column layout of each group: re columns, then vc columns (by vc name, then level)
  const vcLocal = vcTerms.map((t) => new Int32Array(t.levels.length));
  const vcIndexOfLocal: number[][] = Array.from({ length: G }, () => []); // per group: vc component index of each vc column
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
  if (maxDim > MAX_GROUP_DIM) return null;

  // per-group cross-products of W = [Z_g X y]
  const offsets = new Float64Array(G + 1);
  for (let g = 0; g < G; g++) { const w = groupDim[g] + p + 1; offsets[g + 1] = offsets[g] + w * w; }
  const C = new Float64Array(offsets[G]);
  const refs = groups.refs;
  for (let i = 0; i < n; i++) {
    const g = refs[i];
    const q = groupDim[g];
    const w = q + p + 1;
    const base = offsets[g];
    // sparse row of W: indices and values
    const idx: number[] = [];
    const val: number[] = [];
    if (reTerm && reTerm.refs[i] >= 0) for (let c = 0; c < kRe; c++) { idx.push(c); val.push(reTerm.z[c] === null ? 1 : reTerm.z[c]![i]); }
    vcTerms.forEach((t, k) => {
      const lv = t.refs[i];
      if (lv < 0) return;
      idx.push(vcLocal[k][lv]);
      val.push(t.z[0] === null ? 1 : t.z[0]![i]);
    });
    for (let a = 0; a < p; a++) { idx.push(q + a); val.push(frame.X[a][i]); }
    idx.push(q + p);
    val.push(frame.y[i]);
    for (let a = 0; a < idx.length; a++) for (let b = 0; b < idx.length; b++) C[base + idx[b] * w + idx[a]] += val[a] * val[b];
  }

  // unscaled covariance parameters: Ψ_re = T T', vc variances θ²
  const theta = fit.theta;
  const Tre = reTerm ? fit.terms[frame.terms.indexOf(reTerm)].T : new Float64Array(0);
  const vcTheta = vcNames.map((name) => {
    const t = vcTerms.find((x) => x.vcName === name)!;
    return theta[t.thetaIndex[0]];
  });
  const beta = fit.beta;
  const kRe2 = (kRe * (kRe + 1)) / 2;
  const m = kRe2 + vcNames.length;
  // parameter (i, j) pairs for the re covariance, statsmodels order: (0,0), (1,0), (1,1), ...
  const rePairs: [number, number][] = [];
  for (let i = 0; i < kRe; i++) for (let j = 0; j <= i; j++) rePairs.push([i, j]);

  let xtvix = new Float64Array(p * p);
  let rvir = 0;
  const hessFere = new Float64Array(m * p);
  const xtax: Float64Array[] = Array.from({ length: m }, () => new Float64Array(p * p));
  const B = new Float64Array(m);
  const D = new Float64Array(m * m);
  const hessRe = new Float64Array(m * m);
  const F: Float64Array[][] = Array.from({ length: m }, () => Array.from({ length: m }, () => new Float64Array(p * p)));

  for (let g = 0; g < G; g++) {
    const q = groupDim[g];
    const w = q + p + 1;
    const Cg = C.subarray(offsets[g], offsets[g + 1]);
    // Λ_g (q × q, lower): T_re on the re block, sqrt of the vc variance on the diagonal after it
    const Lam = new Float64Array(q * q);
    for (let c = 0; c < kRe; c++) for (let r = c; r < kRe; r++) Lam[c * q + r] = Tre[c * kRe + r];
    for (let k = kRe; k < q; k++) Lam[k * q + k] = vcTheta[vcIndexOfLocal[g][k - kRe]];
    // U = Λ' Z'W (q × w), S = I + Λ'Z'ZΛ = I + U[:, Z] Λ
    const U = new Float64Array(q * w);
    for (let col = 0; col < w; col++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let k = a; k < q; k++) s += Lam[a * q + k] * Cg[col * w + k];
      U[col * q + a] = s;
    }
    const S = new Float64Array(q * q);
    for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
      let s = 0;
      for (let k = b; k < q; k++) s += U[k * q + a] * Lam[b * q + k];
      S[b * q + a] = s + (a === b ? 1 : 0);
    }
    cholesky(S, q);
    // Y = L⁻¹ U, so that W'V⁻¹W = W'W − Y'Y
    for (let col = 0; col < w; col++) forwardSolve(S, q, U, 0, col * q);
    const Wv = new Float64Array(w * w);
    for (let b = 0; b < w; b++) for (let a = 0; a < w; a++) {
      let s = 0;
      for (let k = 0; k < q; k++) s += U[a * q + k] * U[b * q + k];
      Wv[b * w + a] = Cg[b * w + a] - s;
    }
    // blocks: P = Z'V⁻¹Z, Q = Z'V⁻¹X, s = Z'V⁻¹r, X'V⁻¹X, r'V⁻¹r with r = y − Xβ
    const P = new Float64Array(q * q);
    for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) P[b * q + a] = Wv[b * w + a];
    const Q = new Float64Array(q * p);
    for (let c = 0; c < p; c++) for (let a = 0; a < q; a++) Q[c * q + a] = Wv[(q + c) * w + a];
    const sv = new Float64Array(q);
    for (let a = 0; a < q; a++) {
      let s = Wv[(q + p) * w + a];
      for (let c = 0; c < p; c++) s -= Q[c * q + a] * beta[c];
      sv[a] = s;
    }
    for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) xtvix[b * p + a] += Wv[(q + b) * w + q + a];
    {
      let s = Wv[(q + p) * w + q + p];
      for (let a = 0; a < p; a++) s -= 2 * beta[a] * Wv[(q + p) * w + q + a];
      for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) s += beta[a] * beta[b] * Wv[(q + b) * w + q + a];
      rvir += s;
    }
    // E_j as lists of (row, col) unit entries in the group's local columns
    const E: [number, number][][] = [];
    for (const [i, j] of rePairs) E.push(i === j ? [[i, i]] : [[i, j], [j, i]]);
    for (let v = 0; v < vcNames.length; v++) {
      const list: [number, number][] = [];
      for (let k = kRe; k < q; k++) if (vcIndexOfLocal[g][k - kRe] === v) list.push([k, k]);
      E.push(list);
    }
    // helpers: E_j x for a vector x (length q); x' E_j y
    const applyE = (j: number, x: ArrayLike<number>, out: Float64Array) => { out.fill(0); for (const [r, c] of E[j]) out[r] += x[c]; };
    const Es = E.map((_, j) => { const o = new Float64Array(q); applyE(j, sv, o); return o; });
    // E_j Q (q × p)
    const EQ = E.map((_, j) => {
      const o = new Float64Array(q * p);
      for (const [r, c] of E[j]) for (let col = 0; col < p; col++) o[col * q + r] += Q[col * q + c];
      return o;
    });
    // P E_j s, P E_j Q
    const PEs = Es.map((v) => matVec(P, q, v));
    const PEQ = EQ.map((M) => matMat(P, q, M, p));
    for (let j = 0; j < m; j++) {
      // hess_fere[j, :] += Q' E_j s
      for (let c = 0; c < p; c++) { let s = 0; for (let a = 0; a < q; a++) s += Q[c * q + a] * Es[j][a]; hessFere[j * p + c] += s; }
      // xtax[j] += Q' E_j Q
      const xt = xtax[j];
      for (let c = 0; c < p; c++) for (let d = 0; d < p; d++) { let s = 0; for (let a = 0; a < q; a++) s += Q[c * q + a] * EQ[j][d * q + a]; xt[d * p + c] += s; }
      // B[j] += s' E_j s
      { let s = 0; for (let a = 0; a < q; a++) s += sv[a] * Es[j][a]; B[j] += s; }
      for (let k = 0; k <= j; k++) {
        // D[j,k] += 2 s' E_k P E_j s
        let dv = 0;
        for (let a = 0; a < q; a++) dv += Es[k][a] * PEs[j][a];
        D[j * m + k] += 2 * dv;
        if (j !== k) D[k * m + j] += 2 * dv;
        // hess_re[j,k] += tr(E_k P E_j P) / 2
        let tr = 0;
        for (const [r, c] of E[k]) {
          // (E_k P E_j P)[r, r] summed over the diagonal: entry (r,c) of E_k times (P E_j P)[c, r]
          tr += pejp(P, q, E[j], c, r);
        }
        hessRe[j * m + k] += tr / 2;
        if (j !== k) hessRe[k * m + j] += tr / 2;
        if (frame.method === "REML") {
          // F[j][k] += U + U', U = Q' E_k P E_j Q
          const Fm = F[j][k];
          for (let c = 0; c < p; c++) for (let d = 0; d < p; d++) {
            let s = 0;
            for (let a = 0; a < q; a++) s += EQ[k][c * q + a] * PEQ[j][d * q + a];
            Fm[d * p + c] += s;
            Fm[c * p + d] += s;
          }
        }
      }
    }
  }
  const fac = frame.method === "REML" ? n - p : n;
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
  if (frame.method === "REML" && p > 0) {
    const xi = inverseSymmetric(xtvix, p);
    if (xi) {
      const QL = xtax.map((M) => matMat(xi, p, M, p));
      for (let j = 0; j < m; j++) for (let k = 0; k <= j; k++) {
        let a = 0;
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) a += QL[j][c * p + r] * QL[k][r * p + c];
        const XF = matMat(xi, p, F[j][k], p);
        let tr = 0;
        for (let r = 0; r < p; r++) tr += XF[r * p + r];
        a = 0.5 * (a - tr);
        H[(p + k) * total + p + j] += a;
        if (j !== k) H[(p + j) * total + p + k] += a;
      }
    }
  }
  xtvix = new Float64Array(0);
  const negH = H.map((v) => -v);
  const cov = inverseSymmetric(negH, total);
  const scale = fit.sigma2;
  const names: string[] = [];
  const values: number[] = [];
  if (reTerm) {
    const cov0 = fit.terms[frame.terms.indexOf(reTerm)].cov;
    for (const [i, j] of rePairs) {
      names.push(i === j ? `${reTerm.names[i]} Var` : `${reTerm.names[j]} x ${reTerm.names[i]} Cov`);
      values.push(cov0[j * kRe + i]);
    }
  }
  vcNames.forEach((name, v) => { names.push(`${name} Var`); values.push(scale * vcTheta[v] * vcTheta[v]); });
  const stdErr = names.map((_, j) => {
    if (!cov) return null;
    const d = cov[(p + j) * total + p + j];
    return d >= 0 ? Math.sqrt(scale * d) : null;
  });
  const fixedStdErr = Array.from({ length: p }, (_, a) => {
    if (!cov) return null;
    const d = cov[a * total + a];
    return d >= 0 ? Math.sqrt(d) : null;
  });
  return { names, values, stdErr, fixedStdErr };
}

/** (P E P)[c, r] for E given as unit entries. */
function pejp(P: Float64Array, q: number, E: [number, number][], c: number, r: number): number {
  let s = 0;
  for (const [a, b] of E) s += P[a * q + c] * P[r * q + b];
  return s;
}

function matVec(M: Float64Array, q: number, v: Float64Array): Float64Array {
  const o = new Float64Array(q);
  for (let c = 0; c < q; c++) { const x = v[c]; if (x === 0) continue; for (let a = 0; a < q; a++) o[a] += M[c * q + a] * x; }
  return o;
}

/** (q×q) × (q×k), column-major. */
function matMat(M: Float64Array, q: number, N: Float64Array, k: number): Float64Array {
  const o = new Float64Array(q * k);
  for (let col = 0; col < k; col++) for (let c = 0; c < q; c++) {
    const x = N[col * q + c];
    if (x === 0) continue;
    for (let a = 0; a < q; a++) o[col * q + a] += M[c * q + a] * x;
  }
  return o;
}
