/**
 * The profile ζ functions: ζ(v) = sign(v − v̂) √(D(v) − D̂), D(v) the criterion minimised with
 * one parameter held at v. For a variance parameter (an sd, a correlation, σ) the others are
 * optimised in the coordinates of sdcorCoordinates.ts on the criterion with σ explicit
 * (lme4's devfun2); for a fixed effect β_j, the model is refitted without column j and with
 * β_j x_j taken off the response (lme4's profile, fixed effects), through fitCore.
 */
import { FitCore, ProfiledDeviance } from "../fit";
import { minimize } from "../optimizer";
import { CovBlock, VarianceParameter } from "./parameters";
import { coordinateOf, fromCoordinates, makeCoordinates, toCoordinates } from "./sdcorCoordinates";
import { criterionAt, devianceFor, frameWithoutColumn, quantities, refitResponse } from "./view";

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

/** Remembers the optimum found at each v, to start the next refit from the nearest. */
class WarmStarts<T> {
  private points: { v: number; x: T }[] = [];
  constructor(private readonly initial: T) {}
  nearest(v: number): T {
    let best = this.initial, d = Infinity;
    for (const p of this.points) if (Math.abs(p.v - v) < d) { d = Math.abs(p.v - v); best = p.x; }
    return best;
  }
  add(v: number, x: T): void { this.points.push({ v, x }); }
}

/** ζ for a variance parameter (or σ), the others optimised. */
export function varianceZeta(b: ProfileBase, param: VarianceParameter | "sigma", estimate: number): Zeta {
  const q = quantities(b.core);
  const dev: ProfiledDeviance = b.core.deviance;
  const coords = makeCoordinates(b.blocks, b.sdScale, q.sigma, param === "sigma" ? undefined : param);
  const xHat = toCoordinates(coords, q.theta, q.sigma);
  const { index, toCoordinate } = coordinateOf(coords, param);
  const free = Array.from({ length: coords.size }, (_, i) => i).filter((i) => i !== index);
  const theta = new Float64Array(q.theta.length);
  const full = new Float64Array(coords.size);
  const criterion = (u: Float64Array): number => {
    free.forEach((i, k) => { full[i] = u[k]; });
    const sigma = fromCoordinates(coords, full, theta);
    return Number.isFinite(sigma) ? criterionAt(dev, theta, sigma, b.reml) : Infinity;
  };
  const starts = new WarmStarts<Float64Array>(Float64Array.from(free, (i) => xHat[i]));
  let lowest = b.base;
  const zeta = (v: number): number => {
    full[index] = toCoordinate(v);
    const u0 = starts.nearest(v);
    let D: number;
    if (free.length === 0) D = criterion(u0);
    else {
      const r = minimize(criterion, Float64Array.from(u0), { newtonFirst: true });
      D = r.f;
      starts.add(v, r.x);
    }
    lowest = Math.min(lowest, D);
    return Math.sign(v - estimate) * Math.sqrt(Math.max(0, D - b.base));
  };
  return { zeta, lowest: () => lowest };
}

/** ζ for fixed effect j: refits of the model without column j, on y − v x_j, by ML (lme4's profile does so even for REML fits). */
export function fixedZeta(b: ProfileBase, j: number, estimate: number): Zeta {
  const reduced = frameWithoutColumn(b.core.frame, j);
  const dev = devianceFor(reduced.frame, "ML");
  const starts = new WarmStarts<Float64Array>(quantities(b.core).theta);
  let lowest = b.base;
  const zeta = (v: number): number => {
    const refit = refitResponse(dev, reduced.responseAt(v), starts.nearest(v));
    starts.add(v, refit.theta);
    const D = quantities(refit).minusTwoLogLik;
    lowest = Math.min(lowest, D);
    return Math.sign(v - estimate) * Math.sqrt(Math.max(0, D - b.base));
  };
  return { zeta, lowest: () => lowest };
}
