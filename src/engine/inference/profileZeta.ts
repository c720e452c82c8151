/**
 * The profile ζ functions: ζ(v) = sign(v − v̂) √(D(v) − D̂), D(v) the criterion minimised with
 * one parameter held at v. For a variance parameter (an sd, a correlation, σ) the others are
 * optimised in the coordinates of sdcorCoordinates.ts on the criterion with σ explicit
 * (lme4's devfun2); for a fixed effect β_j, θ is optimised with β_j held (lme4's profile of a
 * fixed effect), on the fit's internal problem.
 */
import { FitCore } from "../fit";
import { minimize } from "../optimizer";
import { CovBlock, VarianceParameter } from "./parameters";
import { coordinateOf, fromCoordinates, makeCoordinates, toCoordinates } from "./sdcorCoordinates";
import { criterionAt, fixedEffectCriterion, quantities } from "./view";

export interface ProfileBase {
  /** The fit whose criterion is profiled (an ML fit, or the REML fit itself). */
  core: FitCore;
  reml: boolean;
  blocks: CovBlock[];
  /** Per block and effect: the natural size of its sd (σ̂ times the θ scale of fit.ts). */
  sdScale: Float64Array[];
  /** The criterion at the optimum, D̂. */
  base: number;
}

export interface Zeta {
  zeta: (v: number) => number;
  /** The lowest criterion met while profiling (below D̂ means the fit was not at its optimum). */
  lowest: () => number;
}

/**
 * Remembers the optimum found at each v, to start the next refit near it: the line through the
 * two nearest optima (the profile's trace is smooth), or the nearest one.
 */
class WarmStarts {
  private points: { v: number; x: Float64Array }[] = [];
  constructor(initial: Float64Array, estimate: number) { this.points.push({ v: estimate, x: initial }); }
  nearest(v: number, extrapolate = true): Float64Array {
    const byDistance = [...this.points].sort((a, b) => Math.abs(a.v - v) - Math.abs(b.v - v));
    const [a, b] = byDistance;
    if (!extrapolate || !b || a.v === b.v) return Float64Array.from(a.x);
    const t = (v - a.v) / (b.v - a.v);
    // extrapolate no further than the distance between the two points
    if (t < -1 || t > 2) return Float64Array.from(a.x);
    return Float64Array.from(a.x, (xa, i) => xa + t * (b.x[i] - xa));
  }
  add(v: number, x: Float64Array): void { this.points.push({ v, x }); }
}

/** The first minimisation that can start from one of the points (the criterion finite there), or null. */
function minimizeFrom(f: (u: Float64Array) => number, starts: Float64Array[]): { f: number; x: Float64Array } | null {
  for (const u0 of starts) {
    if (!Number.isFinite(f(u0))) continue;
    const r = minimize(f, u0, { newtonFirst: true });
    return { f: r.f, x: r.x };
  }
  return null;
}

/** ζ for a variance parameter (or σ), the others optimised. */
export function varianceZeta(b: ProfileBase, param: VarianceParameter | "sigma", estimate: number): Zeta {
  const q = quantities(b.core);
  const coords = makeCoordinates(b.blocks, b.sdScale, q.sigma, param === "sigma" ? undefined : param);
  const xHat = toCoordinates(coords, q.theta, q.sigma);
  const { index, toCoordinate } = coordinateOf(coords, param);
  const free = Array.from({ length: coords.size }, (_, i) => i).filter((i) => i !== index);
  const theta = new Float64Array(q.theta.length);
  const full = new Float64Array(coords.size);
  const criterion = (u: Float64Array): number => {
    free.forEach((i, k) => { full[i] = u[k]; });
    const sigma = fromCoordinates(coords, full, theta);
    return Number.isFinite(sigma) ? criterionAt(b.core, theta, sigma, b.reml) : Infinity;
  };
  const starts = new WarmStarts(Float64Array.from(free, (i) => xHat[i]), estimate);
  let lowest = b.base;
  const zeta = (v: number): number => {
    full[index] = toCoordinate(v);
    let D: number;
    if (free.length === 0) D = criterion(starts.nearest(v));
    else {
      // from the line through the two nearest optima, else (the criterion cannot be evaluated
      // there: a covariance the data cannot carry) from the nearest one; NaN when neither works
      const r = minimizeFrom(criterion, [starts.nearest(v), starts.nearest(v, false)]);
      if (!r) return NaN;
      D = r.f;
      starts.add(v, r.x);
    }
    lowest = Math.min(lowest, D);
    return Math.sign(v - estimate) * Math.sqrt(Math.max(0, D - b.base));
  };
  return { zeta, lowest: () => lowest };
}

/**
 * ζ for fixed effect j: the ML criterion with β_j held at v (fixedEffectCriterion in view.ts; lme4
 * profiles the fixed effects on ML even for REML fits) minimised over θ, as the variance
 * parameters' criterion is, from the line through the two nearest optima.
 */
export function fixedZeta(b: ProfileBase, j: number, estimate: number): Zeta {
  const constrained = fixedEffectCriterion(b.core, j);
  const starts = new WarmStarts(constrained.start, estimate);
  let lowest = b.base;
  const zeta = (v: number): number => {
    const criterion = constrained.at(v);
    const r = minimizeFrom(criterion, [starts.nearest(v), starts.nearest(v, false)]);
    if (!r) return NaN;
    starts.add(v, r.x);
    lowest = Math.min(lowest, r.f);
    return Math.sign(v - estimate) * Math.sqrt(Math.max(0, r.f - b.base));
  };
  return { zeta, lowest: () => lowest };
}
