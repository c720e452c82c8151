/**
 * Profile confidence intervals, as lme4's confint(method = "profile"): for each parameter on the
 * sd / correlation / σ scale and each fixed effect, the values where the signed root of the
 * deviance's rise, ζ, reaches ±z. lme4 profiles the ML deviance, refitting a REML fit by ML
 * first (its devfun2 calls refitML), and so do we by default; `criterion: "REML"` profiles the
 * variance parameters of a REML fit on the REML criterion instead (the fixed effects stay ML:
 * the REML criterion does not depend on β). Unlike lme4, which interpolates a spline through a
 * grid of profile points, each bound is found by root finding on exact refits (rootfind.ts).
 */
import { normalQuantile } from "../distributions";
import { FitCore } from "../fit";
import { fdHessian } from "../finiteDifferences";
import { covarianceFromDevianceHessian } from "./hessian";
import { covBlocks, sdcorValues, VarianceParameter, varianceParameters } from "./parameters";
import { Curvature, fixedZeta, ProfileBase, varianceZeta, Zeta } from "./profileZeta";
import { findBound } from "./rootfind";
import { fromCoordinates, makeCoordinates, toCoordinates } from "./sdcorCoordinates";
import { betaStdErrors, criterionAt, quantities, refitByMethod } from "./view";

export interface IntervalRow {
  name: string;
  /** The fitted model's value. */
  estimate: number;
  low: number | null;
  high: number | null;
}

export interface ProfileOptions {
  level?: number;
  /** The criterion the variance parameters are profiled on: "ML" (lme4's, the default) or "REML" (for a REML fit). */
  criterion?: "ML" | "REML";
  /** Names of the parameters to profile (default: all); the others get null bounds. */
  which?: string[];
}

export interface ProfileResult {
  rows: IntervalRow[];
  criterion: "ML" | "REML";
  notes: string[];
}

/** Parameters profiled so far, after each one (profileSteps). */
export interface ProfileProgress {
  done: number;
  total: number;
}

export function profileIntervals(core: FitCore, options: ProfileOptions = {}): ProfileResult {
  const steps = profileSteps(core, options);
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/**
 * The profile as steps, one parameter each (both its bounds): it yields the progress after each
 * parameter, and when next() is given true it profiles no more (the remaining rows keep their
 * estimates, with null bounds and a note). The fit's factor is put back at its optimum when the
 * steps end, also when the caller stops them early with return().
 */
export function* profileSteps(core: FitCore, options: ProfileOptions = {}): Generator<ProfileProgress, ProfileResult, boolean | undefined> {
  try {
    return yield* profile(core, options);
  } finally {
    // keepingOptimum's work, for a generator: profiling evaluates the fit's own deviance elsewhere
    core.deviance.update(core.internal.theta);
  }
}

function* profile(core: FitCore, options: ProfileOptions): Generator<ProfileProgress, ProfileResult, boolean | undefined> {
  const z = normalQuantile((1 + (options.level ?? 0.95)) / 2);
  const remlProfile = options.criterion === "REML" && core.deviance.reml;
  const mlBase = baseOf(refitByMethod(core, "ML"), false);
  const varBase = remlProfile ? baseOf(core, true) : mlBase;
  let stopped = 0; // rows made when the caller stopped the steps (0: not stopped)
  const chosen = (name: string) => !options.which || options.which.includes(name);
  const wanted = (name: string) => stopped === 0 && chosen(name);
  const run: Run = { z, notes: [], drop: 0 };
  const makers = [...varianceRows(core, varBase, wanted, run), ...fixedRows(core, mlBase, wanted, run)];
  const rows: IntervalRow[] = [];
  for (const make of makers) {
    rows.push(make());
    if (stopped === 0 && rows.length < makers.length && (yield { done: rows.length, total: makers.length })) {
      stopped = rows.length;
      run.notes.push(`Stopped after ${stopped} of ${makers.length} parameters: the others have no interval.`);
    }
  }
  if (run.drop > 1e-4) {
    run.notes.push(`While profiling, a deviance ${run.drop.toPrecision(3)} below the fit's was found: the fit had not reached its optimum, and the intervals may be off.`);
  }
  const profiled = stopped === 0 ? rows : rows.slice(0, stopped);
  for (const r of profiled) if ((r.low === null || r.high === null) && chosen(r.name) && !run.notes.some((n) => n.startsWith(r.name))) {
    run.notes.push(`${r.name}: the profile did not reach the bound${r.low === null && r.high === null ? "s" : ""} (a flat or irregular profile).`);
  }
  return { rows, criterion: remlProfile ? "REML" : "ML", notes: run.notes };
}

/** What the searches share: the quantile, the notes, and how far any profile went below its base. */
interface Run { z: number; notes: string[]; drop: number }

/** The sd / correlation / σ rows, each made when called: estimates of the fit, profiles of the base (ML, or the REML fit). */
function varianceRows(core: FitCore, base: ProfileBase, wanted: (name: string) => boolean, run: Run): (() => IntervalRow)[] {
  const params = varianceParameters(base.blocks);
  const fitted = quantities(core), bq = quantities(base.core);
  const estimates = sdcorValues(base.blocks, params, fitted.theta, fitted.sigma);
  const centres = sdcorValues(base.blocks, params, bq.theta, bq.sigma);
  const curvature = curvatureAt(base);
  const se = varianceStdErrors(base, params, curvature);
  return [...params.map((p) => p.name), "sigma"].map((name, k) => (): IntervalRow => {
    const p: VarianceParameter | "sigma" = k < params.length ? params[k] : "sigma";
    const centre = centres[k];
    const row: IntervalRow = { name, estimate: estimates[k], low: null, high: null };
    if (!wanted(name)) return row;
    if (!Number.isFinite(centre)) { run.notes.push(`${name}: not profiled (a standard deviation of the correlation's two effects is zero).`); return row; }
    const isSd = p === "sigma" || p.row === p.col;
    const fallback = p === "sigma" ? 0.1 * centre : isSd ? 0.5 * Math.max(centre, base.sdScale[p.block][p.row]) : 0.3;
    const step = Number.isFinite(se[k]) && se[k] > 0 ? se[k] : fallback;
    [row.low, row.high] = bothBounds(varianceZeta(base, p, centre, curvature?.H), base.base, centre, step, run, isSd ? [0, undefined] : [-1, 1]);
    return row;
  });
}

/** The fixed-effect rows, each made when called: always profiled on ML (lme4's way; the REML criterion does not involve β). */
function fixedRows(core: FitCore, mlBase: ProfileBase, wanted: (name: string) => boolean, run: Run): (() => IntervalRow)[] {
  const fitted = quantities(core), mq = quantities(mlBase.core);
  return core.frame.xNames.map((name, j) => (): IntervalRow => {
    const row: IntervalRow = { name, estimate: fitted.beta[j], low: null, high: null };
    if (!wanted(name)) return row;
    [row.low, row.high] = bothBounds(fixedZeta(mlBase, j, mq.beta[j]), mlBase.base, mq.beta[j], betaStdErrors(mlBase.core)[j], run, [undefined, undefined]);
    return row;
  });
}

/** Lower and upper bound of one profile (null where the search fails); the first step is z standard errors. */
function bothBounds(zeta: Zeta, base: number, centre: number, se: number, run: Run, limits: [number | undefined, number | undefined]): [number | null, number | null] {
  const tolerance = 1e-7 * (Math.abs(centre) + se);
  const one = (side: 1 | -1, limit: number | undefined) => {
    const room = limit === undefined ? Infinity : Math.abs(limit - centre) || Infinity;
    const b = findBound({ zeta: zeta.zeta, estimate: centre, side, z: run.z, step: Math.min(run.z * se, room), limit, tolerance });
    return b.failed ? null : b.value;
  };
  const r: [number | null, number | null] = [one(-1, limits[0]), one(1, limits[1])];
  run.drop = Math.max(run.drop, base - zeta.lowest());
  return r;
}

function baseOf(core: FitCore, reml: boolean): ProfileBase {
  const blocks = covBlocks(core.frame);
  const q = quantities(core);
  const scale = naturalThetaScales(core);
  const sdScale = blocks.map((b) => Float64Array.from({ length: b.q }, (_, a) => q.sigma * scale[b.thetaIndex[a * b.q + a]]));
  return { core, reml, blocks, sdScale, base: q.minusTwoLogLik };
}

/**
 * The natural size of each diagonal θ entry: T[c, c] turns a unit of u into σ·T[c, c] of the c-th
 * random effect, which multiplies the c-th column of Z; so it is of order 1 / (that column's size
 * as the fit measured it: transform.terms[k].scale[c], the root mean square of the column, centred
 * where the model allows). It sets the profile's step sizes in the sd coordinates.
 */
function naturalThetaScales(core: FitCore): Float64Array {
  const scale = new Float64Array(core.theta.length).fill(1);
  core.frame.terms.forEach((t, k) => {
    const s = core.transform.terms[k].scale;
    for (let c = 0; c < t.q; c++) {
      const idx = t.thetaIndex[c * t.q + c];
      if (idx >= 0 && s[c] > 0 && Number.isFinite(s[c])) scale[idx] = 1 / s[c];
    }
  });
  return scale;
}

/**
 * The criterion's Hessian at the base's optimum in the coordinates of sdcorCoordinates.ts (the
 * effects in their own order), by forward differences (n(n+3)/2 evaluations: the first steps and
 * starts it gives need no more than a few digits). Null where the criterion is not finite there.
 */
function curvatureAt(b: ProfileBase): Curvature | null {
  const q = quantities(b.core);
  const coords = makeCoordinates(b.blocks, b.sdScale, q.sigma);
  const x0 = toCoordinates(coords, q.theta, q.sigma);
  const theta = new Float64Array(q.theta.length);
  const f = (x: Float64Array): number => {
    const sigma = fromCoordinates(coords, x, theta);
    return Number.isFinite(sigma) ? criterionAt(b.core, theta, sigma, b.reml) : Infinity;
  };
  const f0 = f(x0);
  if (!Number.isFinite(f0)) return null;
  const H = fdHessian(f, x0, f0, (v) => 1e-4 * Math.max(1, Math.abs(v)));
  return H.every(Number.isFinite) ? { coords, x0, H } : null;
}

/**
 * Standard errors of the sd/cor/σ parameters from the criterion's curvature (a quadratic
 * approximation): the first step of each root search, so that it usually lands near the bound.
 * NaN where the curvature is not positive (a boundary fit).
 */
function varianceStdErrors(b: ProfileBase, params: VarianceParameter[], curvature: Curvature | null): number[] {
  const m = params.length + 1;
  const n = curvature ? curvature.coords.size : 0;
  const cov = curvature ? covarianceFromDevianceHessian(curvature.H, n) : null;
  if (!curvature || !cov) return new Array(m).fill(NaN);
  const { coords, x0 } = curvature;
  const theta = new Float64Array(quantities(b.core).theta.length);
  const values = (x: Float64Array): number[] => {
    const sigma = fromCoordinates(coords, x, theta);
    return sdcorValues(b.blocks, params, theta, sigma);
  };
  // delta method: J = ∂ values / ∂ coordinates by central differences
  const h = Array.from(x0, (v) => 1e-3 * Math.max(1, Math.abs(v)));
  const J = new Float64Array(m * n);
  for (let i = 0; i < n; i++) {
    const xp = Float64Array.from(x0), xm = Float64Array.from(x0);
    xp[i] += h[i]; xm[i] -= h[i];
    const vp = values(xp), vm = values(xm);
    for (let k = 0; k < m; k++) J[k * n + i] = (vp[k] - vm[k]) / (2 * h[i]);
  }
  return Array.from({ length: m }, (_, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += J[k * n + i] * cov[i * n + j] * J[k * n + j];
    return s > 0 ? Math.sqrt(s) : NaN;
  });
}
