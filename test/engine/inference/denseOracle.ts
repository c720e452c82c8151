/**
 * The derivatives of varianceDerivatives.ts the slow way, with n×n matrices as pbkrtest forms
 * them (its vcovAdj_internal and lmerTest's formulas written out densely): the oracle for small
 * models.
 */
import { FitCore } from "../../../src/engine/fit";
import { covarianceParameters } from "../../../src/engine/inference/covarianceParameters";
import { fitView } from "../../../src/engine/inference/fitView";
import { unitEntries } from "../../../src/engine/inference/traces";

type Mat = number[][];

const zeros = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array(c).fill(0));
function mm(A: Mat, B: Mat): Mat {
  const C = zeros(A.length, B[0].length);
  for (let i = 0; i < A.length; i++) for (let k = 0; k < B.length; k++) { const a = A[i][k]; if (a !== 0) for (let j = 0; j < B[0].length; j++) C[i][j] += a * B[k][j]; }
  return C;
}
const tr = (A: Mat) => A.reduce((s, r, i) => s + r[i], 0);
const t = (A: Mat): Mat => A[0].map((_, j) => A.map((r) => r[j]));
function inv(A: Mat): Mat {
  const n = A.length;
  const M = A.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    const d = M[c][c];
    for (let j = 0; j < 2 * n; j++) M[c][j] /= d;
    for (let r = 0; r < n; r++) if (r !== c) { const f = M[r][c]; if (f !== 0) for (let j = 0; j < 2 * n; j++) M[r][j] -= f * M[c][j]; }
  }
  return M.map((r) => r.slice(n));
}

export interface DenseDerivatives {
  phi: Mat;
  P: Mat[];
  Q: Mat[];
  ktrace: Mat;
  information2: Mat;
  gradient: number[];
  hessian: Mat;
}

/** Z (n × Σ levels·q) in the factor's order of terms and levels. */
function denseZ(core: FitCore): Mat {
  const dev = core.deviance;
  const frame = core.deviance.frame; // the internal problem the fit and the structured derivatives work on
  const n = frame.y.length;
  const cols: number[][] = [];
  dev.order.forEach((k, j) => {
    const term = frame.terms[k];
    const perm = dev.levelPerm[j];
    const pos = new Int32Array(term.levels.length);
    if (perm) perm.forEach((old, l) => { pos[old] = l; }); else pos.forEach((_, l) => { pos[l] = l; });
    for (let l = 0; l < term.levels.length; l++) for (let c = 0; c < term.q; c++) {
      const col = new Array(n).fill(0);
      for (let i = 0; i < n; i++) if (term.refs[i] >= 0 && pos[term.refs[i]] === l) col[i] = term.z[c] === null ? 1 : term.z[c]![i];
      cols.push(col);
    }
  });
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
}

export function denseDerivatives(core: FitCore): DenseDerivatives {
  const view = fitView(core);
  const cov = covarianceParameters(view);
  const Z = denseZ(core);
  const n = Z.length, p = view.p, s2 = view.sigma2;
  const X: Mat = Array.from({ length: n }, (_, i) => core.deviance.frame.X.map((c) => c[i]));
  const y: Mat = Array.from({ length: n }, (_, i) => [core.deviance.frame.y[i]]);
  // block offsets of the terms in Z
  const offsets: number[] = [];
  let off = 0;
  view.cp.terms.forEach((tm) => { offsets.push(off); off += tm.nLevels * tm.q; });
  const G = cov.params.map((entries) => {
    if (entries.length === 0) return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    const E = zeros(off, off);
    for (const e of entries) {
      const entry = cov.entries[e];
      const tm = view.cp.terms[entry.term];
      for (let l = 0; l < tm.nLevels; l++) for (const [a, b] of unitEntries(entry)) E[offsets[entry.term] + l * tm.q + a][offsets[entry.term] + l * tm.q + b] = 1;
    }
    return mm(mm(Z, E), t(Z));
  });
  const gamma = cov.params.map((entries) => (entries.length === 0 ? s2 : s2 * cov.psi[entries[0]]));
  const Sigma = zeros(n, n);
  G.forEach((g, r) => { for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Sigma[i][j] += gamma[r] * g[i][j]; });
  const Si = inv(Sigma);
  const SiX = mm(Si, X);
  const phi = inv(mm(t(X), SiX));
  const Pproj = Si.map((row, i) => row.map((v, j) => v - mm([SiX[i]], mm(phi, t([SiX[j]])))[0][0]));
  const m = G.length;
  const SiG = G.map((g) => mm(Si, g));
  const P = G.map((g) => mm(mm(t(SiX), g), SiX));
  const Q: Mat[] = [];
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) Q.push(mm(mm(mm(t(SiX), G[r]), SiG[s]), SiX));
  const ktrace = zeros(m, m), information2 = zeros(m, m), hessian = zeros(m, m);
  const PG = G.map((g) => mm(Pproj, g));
  const Py = mm(Pproj, y);
  const gradient = G.map((g, r) => (tr(SiG[r]) - (view.reml ? tr(mm(phi, P[r])) : 0)) - mm(mm(t(Py), g), Py)[0][0]);
  for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) {
    ktrace[r][s] = tr(mm(SiG[r], SiG[s]));
    information2[r][s] = view.reml ? tr(mm(PG[r], PG[s])) : ktrace[r][s];
    hessian[r][s] = -information2[r][s] + 2 * mm(mm(mm(t(Py), G[r]), PG[s]), Py)[0][0];
  }
  void p;
  return { phi, P, Q, ktrace, information2, gradient, hessian };
}
