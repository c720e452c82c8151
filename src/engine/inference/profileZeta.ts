/**
 * The profile ζ functions: ζ(v) = sign(v − v̂) √(D(v) − D̂), D(v) the criterion minimised with
 * one parameter held at v. For a variance parameter (an sd, a correlation, σ) the others are
 * optimised in the coordinates of sdcorCoordinates.ts on the criterion with σ explicit
 * (lme4's devfun2); for a fixed effect β_j, θ is optimised with β_j held (lme4's profile of a
 * fixed effect), on the fit's internal problem.
 */
import { FitCore } from "../fit";
import { minimize } from "../optimizer";
import { choleskyInPlace, cholSolve } from "../optimizerAlgebra";
import { CovBlock, VarianceParameter } from "./parameters";
import { coordinateOf, Coordinates, fromCoordinates, makeCoordinates, toCoordinates } from "./sdcorCoordinates";
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

/** The criterion's Hessian H (row-major) at the base's optimum x0, in coordinates with every block's effects in their own order. */
export interface Curvature {
  coords: Coordinates;
  x0: Float64Array;
  H: Float64Array;
}

export interface Zeta {
  zeta: (v: number) => number;
  /** The lowest criterion met while profiling (below D̂ means the fit was not at its optimum). */
  lowest: () => number;
}

/** Where a refit starts, and whether an optimum on its side of the estimate is at hand (then the start is close to its optimum). */
interface Start { x: Float64Array; close: boolean }

/**
 * Remembers the optimum found at each v, to start the next refit near it: the line through the
 * two nearest optima (the profile's trace is smooth), or the nearest one. On a side of the
 * estimate with no optimum yet, the tangent of the trace at the estimate when it is known.
 */
class WarmStarts {
  private points: { v: number; x: Float64Array }[] = [];
  /** `tangent`: where the optimum moves to first order from the estimate's. */
  constructor(initial: Float64Array, private readonly estimate: number, private readonly tangent?: (v: number) => Float64Array) { this.points.push({ v: estimate, x: initial }); }
  start(v: number): Start {
    const side = Math.sign(v - this.estimate);
    const onSide = (p: { v: number }) => Math.sign(p.v - this.estimate) === side;
    if (side !== 0 && !this.points.some(onSide)) {
      const other = this.points.filter((p) => p.v !== this.estimate).sort((p, r) => Math.abs(p.v - v) - Math.abs(r.v - v));
      const x = other.length >= 2 && other[0].v !== other[1].v ? quadratic(this.points[0], other[0], other[1], v) : this.tangent?.(v);
      if (x && x.every(Number.isFinite)) return { x, close: false };
    }
    const [a, b] = [...this.points].sort((p, r) => Math.abs(p.v - v) - Math.abs(r.v - v));
    if (!b || a.v === b.v) return { x: Float64Array.from(a.x), close: false };
    const t = (v - a.v) / (b.v - a.v);
    // extrapolate no further than the distance between the two points
    if (t < -1 || t > 2) return { x: Float64Array.from(a.x), close: false };
    const close = a.v !== this.estimate && onSide(a);
    return { x: Float64Array.from(a.x, (xa, i) => xa + t * (b.x[i] - xa)), close };
  }
  /** The optimum at the estimate (the fit's). */
  initial(): Float64Array { return Float64Array.from(this.points[0].x); }
  /** The optimum nearest to v on the estimate's side of it (between the estimate and v; the estimate's own when none). */
  inward(v: number): Float64Array {
    const d = Math.abs(v - this.estimate), side = Math.sign(v - this.estimate);
    let best = this.points[0];
    for (const p of this.points) {
      const dp = Math.abs(p.v - this.estimate);
      if (Math.sign(p.v - this.estimate) === side && dp < d && dp > Math.abs(best.v - this.estimate)) best = p;
    }
    return Float64Array.from(best.x);
  }
  nearest(v: number): Float64Array {
    const [a] = [...this.points].sort((p, r) => Math.abs(p.v - v) - Math.abs(r.v - v));
    return Float64Array.from(a.x);
  }
  add(v: number, x: Float64Array): void { this.points.push({ v, x }); }
}

/** The quadratic through three points of the trace, at v (Lagrange's weights as products of ratios: a product of differences underflows for a parameter near 1e-160). */
function quadratic(a: { v: number; x: Float64Array }, b: { v: number; x: Float64Array }, c: { v: number; x: Float64Array }, v: number): Float64Array {
  const la = ((v - b.v) / (a.v - b.v)) * ((v - c.v) / (a.v - c.v));
  const lb = ((v - a.v) / (b.v - a.v)) * ((v - c.v) / (b.v - c.v));
  const lc = ((v - a.v) / (c.v - a.v)) * ((v - b.v) / (c.v - b.v));
  return Float64Array.from(a.x, (xa, i) => la * xa + lb * b.x[i] + lc * c.x[i]);
}

/**
 * The minimisations of one profile: from the start, and from the nearest optimum found when the
 * criterion is lower there than where the first minimisation ended (one evaluation to know): a
 * start extrapolated along the trace can fall where a variance is zero, a stationary point the
 * minimisation does not leave, and ζ would jump to that point's height (a correlation's profile
 * then never got past its estimate). Null when the criterion cannot be evaluated at either (a
 * covariance the data cannot carry).
 * A close start takes the Hessian of the minimisation before (the profile's inner problems change
 * slowly along it): when it is already at its optimum, a gradient of n evaluations confirms it,
 * in place of a fresh Hessian's n(n+3)/2 (optimizer.ts, options.hessian). Others, whose optimum
 * is further, take a fresh one, with which Newton's steps converge quadratically.
 */
function profileMinimizer(f: (u: Float64Array) => number, starts: WarmStarts): (v: number) => { f: number; x: Float64Array } | null {
  let hessian: Float64Array | undefined;
  return (v) => {
    const first = starts.start(v);
    const nearest = starts.nearest(v);
    let best: { f: number; x: Float64Array } | null = null;
    const inward = starts.inward(v);
    for (const [k, u0] of [first.x, nearest, inward, starts.initial()].entries()) {
      if (k > 0 && best && u0.every((x, i) => x === first.x[i])) continue;
      const f0 = f(u0);
      if (!Number.isFinite(f0) || (best && !(f0 < best.f))) continue;
      const r = minimize(f, u0, { newtonFirst: true, f0, hessian: k === 0 && first.close ? hessian : undefined });
      hessian = r.hessian ?? hessian;
      if (!best || r.f < best.f) best = { f: r.f, x: r.x };
    }
    if (best) best = leaveZeros(f, best, [nearest, inward, starts.initial()]);
    if (best) starts.add(v, best.x);
    return best;
  };
}

/**
 * A minimisation that ended with a coordinate at zero where a reference optimum has it away from
 * zero (an sd at its boundary) may stand on a stationary point rather than a minimum: the
 * criterion is even in each sd, so its slope there is zero whichever way it falls. Minimised
 * again with that coordinate put back where the reference has it; the lowest. The references: the
 * nearest optimum, and the fit's own, since a trace that has fallen onto the zero branch carries
 * it along (Soybean's 3 × 3 term: sd_(Intercept)'s upper bound stopped where sd_I(Time^2) had
 * gone to zero, 2.9 deviance units above the minimum with it away from zero).
 */
function leaveZeros(f: (u: Float64Array) => number, best: { f: number; x: Float64Array }, references: Float64Array[]): { f: number; x: Float64Array } {
  // the whole reference as a start too, where the minimisation's zero is not the reference's: the
  // other coordinates of a stationary point can be far from the minimum's (Soybean: a correlation's
  // angle moved by 1.8 with the sd)
  const atZero = (x: Float64Array, ref: Float64Array) => x.some((xk, k) => Math.abs(xk) <= 1e-6 && Math.abs(ref[k]) > 1e-3);
  for (const ref of references) {
    if (!atZero(best.x, ref)) continue;
    const f0 = f(ref);
    if (!Number.isFinite(f0)) continue;
    const r = minimize(f, Float64Array.from(ref), { newtonFirst: true, f0 });
    if (r.f < best.f) best = { f: r.f, x: r.x };
  }
  for (let k = 0; k < best.x.length; k++) {
    if (!(Math.abs(best.x[k]) <= 1e-6)) continue;
    const tried: number[] = [];
    for (const ref of references) {
      if (!(Math.abs(ref[k]) > 1e-3) || tried.includes(ref[k])) continue;
      tried.push(ref[k]);
      const u0 = Float64Array.from(best.x);
      u0[k] = ref[k];
      const f0 = f(u0);
      if (!Number.isFinite(f0)) continue;
      const r = minimize(f, u0, { newtonFirst: true, f0 });
      if (r.f < best.f) best = { f: r.f, x: r.x };
    }
  }
  return best;
}

/**
 * ζ for a variance parameter (or σ), the others optimised. `H`: the criterion's Hessian at the
 * optimum (Curvature); where the parameter's coordinates are those it was taken in, it gives the
 * first refit on each side its start: the optimum's tangent, to first order (traceTangent).
 */
export function varianceZeta(b: ProfileBase, param: VarianceParameter | "sigma", estimate: number, H?: Float64Array): Zeta {
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
  const trace = H && inOwnOrder(coords) ? traceTangent(H, coords.size, index) : null;
  const tangent = trace ? (v: number) => Float64Array.from(free, (i, k) => xHat[i] + trace.slope[k] * (toCoordinate(v) - xHat[index])) : undefined;
  const starts = new WarmStarts(Float64Array.from(free, (i) => xHat[i]), estimate, tangent);
  const refit = profileMinimizer(criterion, starts);
  let lowest = b.base;
  const zeta = (v: number): number => {
    full[index] = toCoordinate(v);
    let D: number;
    if (free.length === 0) D = criterion(new Float64Array(0));
    else {
      const r = refit(v);
      if (!r) return NaN;
      D = r.f;
    }
    lowest = Math.min(lowest, D);
    return Math.sign(v - estimate) * Math.sqrt(Math.max(0, D - b.base));
  };
  return { zeta, lowest: () => lowest };
}

/** Whether every block's effects are in their own order (the coordinates of Curvature). */
function inOwnOrder(c: Coordinates): boolean {
  return c.perms.every((perm) => perm.every((e, i) => e === i));
}

/**
 * With coordinate i held, the others' optimum moves by slope · Δx_i to first order: slope =
 * −H_ff⁻¹ H_fi, f the free coordinates, from the full Hessian H (m × m, row-major). Null where
 * H_ff is not positive definite.
 */
function traceTangent(H: Float64Array, m: number, i: number): { slope: Float64Array } | null {
  const free = Array.from({ length: m }, (_, a) => a).filter((a) => a !== i);
  const n = free.length;
  const inner = new Float64Array(n * n);
  free.forEach((a, r) => free.forEach((b, c) => { inner[r * n + c] = H[a * m + b]; }));
  const L = Float64Array.from(inner);
  if (n === 0 || !choleskyInPlace(L, n)) return null;
  const slope = Float64Array.from(cholSolve(L, n, free.map((a) => -H[a * m + i])));
  return slope.every(Number.isFinite) ? { slope } : null;
}

/**
 * ζ for fixed effect j: the ML criterion with β_j held at v (fixedEffectCriterion in view.ts; lme4
 * profiles the fixed effects on ML even for REML fits) minimised over θ, as the variance
 * parameters' criterion is, from the line through the two nearest optima.
 */
export function fixedZeta(b: ProfileBase, j: number, estimate: number): Zeta {
  const constrained = fixedEffectCriterion(b.core, j);
  const starts = new WarmStarts(constrained.start, estimate);
  let held = NaN;
  const criterion = (thetaInt: Float64Array) => constrained.at(held, thetaInt);
  const refit = profileMinimizer(criterion, starts);
  let lowest = b.base;
  const zeta = (v: number): number => {
    held = v;
    const r = refit(v);
    if (!r) return NaN;
    // minimised on the internal problem's scale, compared on the data's
    const D = r.f + constrained.offset;
    lowest = Math.min(lowest, D);
    return Math.sign(v - estimate) * Math.sqrt(Math.max(0, D - b.base));
  };
  return { zeta, lowest: () => lowest };
}
