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
  /** The β block of that inverse (p×p, column-major): statsmodels' cov_params() of the fixed effects; null when not invertible. */
  fixedCov: Float64Array | null;
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

  // Per-group cross-products Z_g'[Z_g X y], read off the blocked cross-products (every term is
  // nested in the groups, so each block belongs to one group): no second pass over the rows.
  const dev = fit.deviance;
  const cp = dev.cp;
  const p1 = p + 1;
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

  // [X y]'V⁻¹[X y] = [X y]'[X y] − Σ_g Y_g'Y_g over the X and y columns
  const XvX = Float64Array.from(cp.xx);
  const hessFere = new Float64Array(m * p);
  const xtax = new Float64Array(m * p * p); // m blocks of p × p
  const B = new Float64Array(m);
  const D = new Float64Array(m * m);
  const hessRe = new Float64Array(m * m);
  const F = new Float64Array(m * m * p * p); // (j, k) blocks of p × p
  const reml = frame.method === "REML";

  // scratch, sized for the largest group and reused: the loop allocates nothing
  const maxW = maxDim + p1;
  const Lam = new Float64Array(maxDim * maxDim);
  const U = new Float64Array(maxDim * maxW);
  const S = new Float64Array(maxDim * maxDim);
  const P = new Float64Array(maxDim * maxDim);
  const Q = new Float64Array(maxDim * p);
  const sv = new Float64Array(maxDim);
  const Es = new Float64Array(m * maxDim); // E_j s
  const EQ = new Float64Array(m * maxDim * p); // E_j Q
  const PEs = new Float64Array(m * maxDim); // P E_j s
  const PEQ = new Float64Array(m * maxDim * p); // P E_j Q
  // E_j as unit entries (row, col) in the group's local columns: eStart[j]..eStart[j+1)
  const eRow = new Int32Array(2 * kRe * kRe + maxDim);
  const eCol = new Int32Array(2 * kRe * kRe + maxDim);
  const eStart = new Int32Array(m + 1);

  for (let g = 0; g < G; g++) {
    const q = groupDim[g];
    const w = q + p1;
    const Cg = C.subarray(offsets[g], offsets[g + 1]); // q × w, column-major
    // Λ_g (q × q, lower): T_re on the re block, the vc standard deviations (relative) after it
    Lam.fill(0, 0, q * q);
    for (let c = 0; c < kRe; c++) for (let r = c; r < kRe; r++) Lam[c * q + r] = Tre[c * kRe + r];
    for (let k = kRe; k < q; k++) Lam[k * q + k] = vcTheta[vcIndexOfLocal[g][k - kRe]];
    // U = Λ' Z'W (q × w); S = I + Λ'Z'ZΛ; then U ← L⁻¹U, so that W'V⁻¹W = W'W − U'U
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
    // P = Z'V⁻¹Z, Q = Z'V⁻¹X, s = Z'V⁻¹(y − Xβ); accumulate [X y]'V⁻¹[X y]
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
    // the E_j of this group
    let ne = 0;
    let j0 = 0;
    for (const [i, j] of rePairs) {
      eStart[j0++] = ne;
      eRow[ne] = i; eCol[ne] = j; ne++;
      if (i !== j) { eRow[ne] = j; eCol[ne] = i; ne++; }
    }
    for (let v = 0; v < vcNames.length; v++) {
      eStart[j0++] = ne;
      for (let k = kRe; k < q; k++) if (vcIndexOfLocal[g][k - kRe] === v) { eRow[ne] = k; eCol[ne] = k; ne++; }
    }
    eStart[m] = ne;
    // E_j s, E_j Q, then P E_j s, P E_j Q
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
  const xtvix = new Float64Array(p * p);
  for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) xtvix[b * p + a] = XvX[b * p1 + a];
  let rvir = XvX[p * p1 + p];
  for (let a = 0; a < p; a++) rvir -= 2 * beta[a] * XvX[a * p1 + p];
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) rvir += beta[a] * beta[b] * XvX[b * p1 + a];
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
      const QL = Array.from({ length: m }, (_, j) => matMat(xi, p, xtax.subarray(j * p * p, (j + 1) * p * p), p));
      for (let j = 0; j < m; j++) for (let k = 0; k <= j; k++) {
        let a = 0;
        for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) a += QL[j][c * p + r] * QL[k][r * p + c];
        const XF = matMat(xi, p, F.subarray((j * m + k) * p * p, (j * m + k + 1) * p * p), p);
        let tr = 0;
        for (let r = 0; r < p; r++) tr += XF[r * p + r];
        a = 0.5 * (a - tr);
        H[(p + k) * total + p + j] += a;
        if (j !== k) H[(p + j) * total + p + k] += a;
      }
    }
  }
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
  let fixedCov: Float64Array | null = null;
  if (cov) {
    fixedCov = new Float64Array(p * p);
    for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) fixedCov[b * p + a] = cov[b * total + a];
  }
  return { names, values, stdErr, fixedStdErr, fixedCov };
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
