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
import { internalCriterionAt, InternalVarianceCoordinates, internalVarianceCoordinates, keepingOptimum, quantities } from "./view";

export interface VarianceStdErrorRow {
  /** `var_(Intercept)|Pig`, `cov_Time.(Intercept)|Pig`, `var_Time|Pig`, ..., `var_Residual`. */
  name: string;
  /** statsmodels' name of the same parameter ("Pig Var", "Pig x Time Cov", "cask Var"; "Scale" for σ²), for statsmodels-style models. */
  statsmodelsName: string | null;
  /** Infinity past the largest double (a response near 1e160; see `relative`). */
  value: number;
  /** Null at a boundary (a zero variance, a correlation of ±1), where the information is singular; Infinity past the largest double. */
  stdErr: number | null;
  /**
   * value / σ² and stdErr / σ²: with `sigma` a split form of the two that is a double where they
   * are not (their text is relative σ σ: format.ts's productText).
   */
  relative: { value: number; stdErr: number | null };
}

export interface VarianceStdErrors {
  criterion: Method;
  rows: VarianceStdErrorRow[];
  /** The residual standard deviation σ (finite where σ² overflows). */
  sigma: number;
}

interface Entry { block: number; row: number; col: number }

export function varianceStdErrors(core: FitCore): VarianceStdErrors {
  return keepingOptimum(core, () => stdErrors(core));
}

/**
 * The information is computed on the fit's internal problem (standardize.ts), whose covariances
 * Ψ_int are those of the data's, s² D Ψ_int D', in other coordinates: with respect to Ψ_int and
 * σ²_int, then mapped by the Jacobian J of that linear map, Cov(ψ) = s⁴ J Cov(ψ_int) J', and the
 * standard errors taken as s (s √(J C J')_jj). On the data's coordinates a response × 1e150 has
 * variances of 1e300 and Hessian entries of 1e-600 (zero in a double); a random slope on x + 1e8
 * a covariance 1e-16 from singular (held as a boundary), and a criterion carrying 2(n − p) log s
 * ≈ 1e5 swamps second differences. On the internal ones every number is of order one.
 */
function stdErrors(core: FitCore): VarianceStdErrors {
  const frame = core.frame;
  const blocks = covBlocks(frame);
  const q = quantities(core);
  const ic = internalVarianceCoordinates(core);
  const covs = blocks.map((b) => blockCovariance(b, ic.theta, ic.sigma));
  // a block at the boundary (a zero variance, a correlation of ±1) is held where it is: no standard errors for it
  const interior = blocks.map((b, k) => isPositiveDefinite(covs[k], b.q));
  const entries: Entry[] = [];
  blocks.forEach((b, k) => { for (let c = 0; c < b.q; c++) for (let r = c; r < b.q; r++) if (b.thetaIndex[c * b.q + r] >= 0) entries.push({ block: k, row: r, col: c }); });
  const free = entries.map((e, i) => i).filter((i) => interior[entries[i].block]);
  const at = (S: Float64Array[], e: Entry) => S[e.block][e.col * blocks[e.block].q + e.row];
  const psi = Float64Array.from([...free.map((i) => at(covs, entries[i])), ic.sigma * ic.sigma]);
  const steps = [...free.map((i) => { const e = entries[i], S = covs[e.block], m = blocks[e.block].q; return Math.sqrt(S[e.row * m + e.row] * S[e.col * m + e.col]); }), ic.sigma * ic.sigma];
  const covInt = information(internalCriterion(core, blocks, covs, interior, entries, free, q.reml), psi, steps);
  const mapped = covInt && sandwichRows(dataJacobian(frame, blocks, entries, free, ic), covInt, psi.length);
  const names = [...entries.map((e) => nameOf(blocks[e.block], e)), "var_Residual"];
  const smNames = frame.style === "statsmodels" ? [...entries.map((e) => statsmodelsNameOf(blocks[e.block], e)), "Scale"] : names.map(() => null);
  // the data's covariances (Infinity past the largest double), and relative to σ²
  const dataCovs = blocks.map((b) => blockCovariance(b, q.theta, q.sigma));
  const relCovs = blocks.map((b) => blockCovariance(b, q.theta, 1));
  const s = ic.responseScale, s2Int = ic.sigma * ic.sigma;
  const rows = names.map((name, i): VarianceStdErrorRow => {
    const residual = i === entries.length;
    const j = residual ? free.length : free.indexOf(i);
    const seInt = mapped && j >= 0 ? Math.sqrt(mapped[j]) : null;
    return {
      name,
      statsmodelsName: smNames[i],
      value: residual ? core.sigma2 : at(dataCovs, entries[i]),
      stdErr: seInt === null ? null : s * (s * seInt),
      relative: { value: residual ? 1 : at(relCovs, entries[i]), stdErr: seInt === null ? null : seInt / s2Int },
    };
  });
  return { criterion: q.reml ? "REML" : "ML", rows, sigma: q.sigma };
}

/**
 * J (rows: the free entries of the data's covariances, then σ²; columns: the same of the
 * internal ones), with the data's covariance s² D_k Ψ_int D_k' of the block's frame term k taken
 * without s²: vech(D Ψ D') = J_k vech(Ψ), as statsmodelsSE.ts maps its Hessian.
 */
function dataJacobian(frame: FitCore["frame"], blocks: CovBlock[], entries: Entry[], free: number[], ic: InternalVarianceCoordinates): Float64Array[] {
  const m = free.length + 1;
  const D = blocks.map((b) => ic.termMatrix(frame.terms.findIndex((t) => t.thetaIndex === b.thetaIndex)));
  const rows = free.map((i) => {
    const e = entries[i], q = blocks[e.block].q, Dk = D[e.block];
    const row = new Float64Array(m);
    free.forEach((i2, col) => {
      const f = entries[i2];
      if (f.block !== e.block) return;
      // ∂(D Ψ D')_(r,c) / ∂Ψ_(a,b) for the symmetric pair (a, b) = (f.row, f.col)
      const [r, c, a, b] = [e.row, e.col, f.row, f.col];
      row[col] = Dk[a * q + r] * Dk[b * q + c] + (a !== b ? Dk[b * q + r] * Dk[a * q + c] : 0);
    });
    return row;
  });
  const last = new Float64Array(m);
  last[m - 1] = 1;
  return [...rows, last];
}

/** diag(J C J') for J given by its rows and a symmetric m×m C (column-major). */
function sandwichRows(J: Float64Array[], C: Float64Array, m: number): Float64Array {
  return Float64Array.from(J, (row) => {
    let s = 0;
    for (let a = 0; a < m; a++) {
      if (row[a] === 0) continue;
      let t = 0;
      for (let b = 0; b < m; b++) t += C[b * m + a] * row[b];
      s += row[a] * t;
    }
    return s;
  });
}

/**
 * The criterion as a function of ψ_int, the free blocks' internal covariance entries and σ²_int;
 * a block at the boundary keeps its covariance, so its θ moves with σ.
 */
function internalCriterion(core: FitCore, blocks: CovBlock[], covs: Float64Array[], interior: boolean[], entries: Entry[], free: number[], reml: boolean): (x: Float64Array) => number {
  const theta = Float64Array.from(internalVarianceCoordinates(core).theta);
  return (x: Float64Array): number => {
    const S = covs.map((c) => Float64Array.from(c));
    free.forEach((i, j) => { const e = entries[i], m = blocks[e.block].q; S[e.block][e.col * m + e.row] = S[e.block][e.row * m + e.col] = x[j]; });
    const s2 = x[free.length];
    if (!(s2 > 0) || !blocks.every((b, k) => !interior[k] || (isPositiveDefinite(S[k], b.q) && setBlockTheta(b, S[k], Math.sqrt(s2), theta)))) return Infinity;
    blocks.forEach((b, k) => { if (!interior[k]) setBlockTheta(b, S[k], Math.sqrt(s2), theta); });
    return internalCriterionAt(core, theta, Math.sqrt(s2), reml);
  };
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
