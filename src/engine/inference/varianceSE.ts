/**
 * Standard errors of the variances and covariances on their own scale, from the observed
 * information: the inverse of half the Hessian of the criterion the model was fitted with (REML
 * or ML; β profiled out) with respect to the covariance entries on the data's scale and the
 * residual variance σ². This is the standard error of the number printed as a variance. It is
 * not what statsmodels prints beside its variance rows, sqrt(scale) × SE(variance / scale)
 * (statsmodelsSE.ts): for the dietox random-intercept model statsmodels prints 2.149 beside
 * "Pig Var 40.394", whose standard error is about 6.9. A term at the boundary (a variance of
 * zero, a correlation of ±1) has no standard errors (null); the others are computed with it held.
 */
import { FitCore } from "../fit";
import type { Method } from "../model";
import { centralHessian, covarianceFromDevianceHessian } from "./hessian";
import { blockCovariance, covBlocks, CovBlock, setBlockTheta } from "./parameters";
import { criterionAt, keepingOptimum, quantities } from "./view";

export interface VarianceStdErrorRow {
  /** `var_(Intercept)|Pig`, `cov_Time.(Intercept)|Pig`, `var_Time|Pig`, ..., `var_Residual`. */
  name: string;
  /** statsmodels' name of the same parameter ("Pig Var", "Pig x Time Cov", "cask Var"; "Scale" for σ²), for statsmodels-style models. */
  statsmodelsName: string | null;
  value: number;
  /** Null at a boundary (a zero variance, a correlation of ±1), where the information is singular. */
  stdErr: number | null;
}

export interface VarianceStdErrors {
  criterion: Method;
  rows: VarianceStdErrorRow[];
}

interface Entry { block: number; row: number; col: number }

export function varianceStdErrors(core: FitCore): VarianceStdErrors {
  return keepingOptimum(core, () => stdErrors(core));
}

function stdErrors(core: FitCore): VarianceStdErrors {
  const frame = core.frame;
  const blocks = covBlocks(frame);
  const q = quantities(core);
  const covs = blocks.map((b) => blockCovariance(b, q.theta, q.sigma));
  // a block at the boundary (a zero variance, a correlation of ±1) is held where it is: no standard errors for it
  const interior = blocks.map((b, k) => isPositiveDefinite(covs[k], b.q));
  const entries: Entry[] = [];
  blocks.forEach((b, k) => { for (let c = 0; c < b.q; c++) for (let r = c; r < b.q; r++) if (b.thetaIndex[c * b.q + r] >= 0) entries.push({ block: k, row: r, col: c }); });
  const free = entries.map((e, i) => i).filter((i) => interior[entries[i].block]);
  const valueOf = (e: Entry) => covs[e.block][e.col * blocks[e.block].q + e.row];
  const psi = Float64Array.from([...free.map((i) => valueOf(entries[i])), q.sigma * q.sigma]);
  const scale = [...free.map((i) => { const e = entries[i], S = covs[e.block], m = blocks[e.block].q; return Math.sqrt(S[e.row * m + e.row] * S[e.col * m + e.col]); }), q.sigma * q.sigma];
  const theta = Float64Array.from(q.theta);
  const f = (x: Float64Array): number => {
    const S = covs.map((c) => Float64Array.from(c));
    free.forEach((i, j) => { const e = entries[i], m = blocks[e.block].q; S[e.block][e.col * m + e.row] = S[e.block][e.row * m + e.col] = x[j]; });
    const s2 = x[free.length];
    if (!(s2 > 0) || !blocks.every((b, k) => !interior[k] || (isPositiveDefinite(S[k], b.q) && setBlockTheta(b, S[k], Math.sqrt(s2), theta)))) return Infinity;
    // a block held at the boundary keeps its covariance, so its θ moves with σ
    blocks.forEach((b, k) => { if (!interior[k]) setBlockTheta(b, S[k], Math.sqrt(s2), theta); });
    return criterionAt(core, theta, Math.sqrt(s2), q.reml);
  };
  const cov = information(f, psi, scale);
  const names = [...entries.map((e) => nameOf(blocks[e.block], e)), "var_Residual"];
  const smNames = frame.style === "statsmodels" ? [...entries.map((e) => statsmodelsNameOf(blocks[e.block], e)), "Scale"] : names.map(() => null);
  const se = (j: number) => (cov ? Math.sqrt(cov[j * psi.length + j]) : null);
  const rows = names.map((name, i) => {
    const j = i === entries.length ? free.length : free.indexOf(i);
    return { name, statsmodelsName: smNames[i], value: i === entries.length ? q.sigma * q.sigma : valueOf(entries[i]), stdErr: j >= 0 ? se(j) : null };
  });
  return { criterion: q.reml ? "REML" : "ML", rows };
}

/**
 * The covariance of ψ from the Hessian of f. Steps of 1% of each entry's size, with Richardson
 * extrapolation: the criterion carries rounding noise of up to about 1e-10 of its value on data
 * far from zero (Oxboys' heights), which smaller steps would amplify. Smaller steps only where a
 * step leaves the positive definite covariances.
 */
function information(f: (x: Float64Array) => number, psi: Float64Array, scale: number[]): Float64Array | null {
  for (const rel of [1e-2, 1e-3, 1e-4]) {
    const H = centralHessian(f, psi, scale.map((s) => rel * s));
    if (H) return covarianceFromDevianceHessian(H, psi.length);
  }
  return null;
}

function nameOf(b: CovBlock, e: Entry): string {
  return e.row === e.col ? `var_${b.names[e.row]}|${b.group}` : `cov_${b.names[e.row]}.${b.names[e.col]}|${b.group}`;
}

/** statsmodels' names: the intercept of the groups' random effects is named after the groups column. */
function statsmodelsNameOf(b: CovBlock, e: Entry): string {
  const n = (a: number) => (b.names[a] === "(Intercept)" ? b.group : b.names[a]);
  return e.row === e.col ? `${n(e.row)} Var` : `${n(e.col)} x ${n(e.row)} Cov`;
}

/** Cholesky test with a relative margin (dense.ts's cholesky accepts any positive pivot): a singular covariance is a boundary, not an interior point. */
function isPositiveDefinite(S: Float64Array, q: number): boolean {
  const L = Float64Array.from(S);
  for (let j = 0; j < q; j++) {
    let d = L[j * q + j];
    for (let k = 0; k < j; k++) d -= L[k * q + j] ** 2;
    if (!(d > 1e-10 * S[j * q + j])) return false;
    const ljj = Math.sqrt(d);
    L[j * q + j] = ljj;
    for (let i = j + 1; i < q; i++) {
      let s = L[j * q + i];
      for (let k = 0; k < j; k++) s -= L[k * q + i] * L[k * q + j];
      L[j * q + i] = s / ljj;
    }
  }
  return true;
}
