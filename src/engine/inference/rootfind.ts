/**
 * One end of a profile interval: the value v beyond the estimate where the signed root of the
 * deviance's rise, ζ(v), reaches ±z. Each ζ(v) is an exact refit with the parameter held at v.
 * ζ is close to linear in v near the bound, and the first step (z standard errors) usually lands
 * close to it, so secant steps find it in two or three refits; once the root is bracketed, a step
 * that would leave the bracket (or gain too little) is replaced by bisection, so the search always
 * ends (regula falsi safeguarded by bisection).
 */

export interface BoundSearch {
  /** ζ at v: sign(v − estimate) √(D(v) − D̂), from a refit with the parameter held at v. */
  zeta: (v: number) => number;
  estimate: number;
  /** +1 for the upper bound, −1 for the lower. */
  side: 1 | -1;
  /** The quantile z (positive): the bound is where side·ζ = z. */
  z: number;
  /** First step from the estimate (z standard errors, say): positive. */
  step: number;
  /** The end of the parameter's range on this side (0 for a standard deviation, ±1 for a correlation). */
  limit?: number;
  /** Absolute tolerance on v. */
  tolerance: number;
}

export interface Bound {
  value: number;
  /** The profile stays below z up to the limit: the bound is the limit. */
  atLimit: boolean;
  /** ζ did not reach z within the search (a flat or broken profile): value is NaN. */
  failed: boolean;
  evaluations: number;
}

const MAX_EVALUATIONS = 60;
/** |side·ζ − z| below this ends the search: the bound is then within about 1e-5 standard errors (1e-6 of the interval's width), above the noise of ζ from the refits' tolerance. */
const ZETA_TOLERANCE = 1e-5;

export function findBound(s: BoundSearch): Bound {
  let evaluations = 0;
  const limit = s.limit ?? s.side * Infinity;
  const clamp = (v: number) => (s.side > 0 ? Math.min(v, limit) : Math.max(v, limit));
  // g < 0 inside the interval, > 0 beyond the bound; +∞ where the model cannot be evaluated
  const g = (v: number): number => { evaluations++; const x = s.side * s.zeta(v) - s.z; return Number.isNaN(x) ? Infinity : x; };
  let inside = { v: s.estimate, g: -s.z };
  let beyond: { v: number; g: number } | null = null;
  let last = inside;
  let v = clamp(s.estimate + s.side * s.step);
  while (evaluations < MAX_EVALUATIONS) {
    const gv = g(v);
    if (Math.abs(gv) < ZETA_TOLERANCE) return { value: v, atLimit: false, failed: false, evaluations };
    const point = { v, g: gv };
    if (gv < 0) {
      if (v === limit) return { value: limit, atLimit: true, failed: false, evaluations };
      inside = point;
    } else beyond = point;
    if (beyond && Math.abs(beyond.v - inside.v) <= s.tolerance) return { value: Number.isFinite(beyond.g) ? beyond.v : inside.v, atLimit: false, failed: false, evaluations };
    v = nextPoint(inside, beyond, last, point, s, clamp);
    last = point;
  }
  return { value: NaN, atLimit: false, failed: true, evaluations };
}

type Point = { v: number; g: number };

/** The next v: the secant through the last two points, kept inside the bracket once there is one. */
function nextPoint(inside: Point, beyond: Point | null, prev: Point, cur: Point, s: BoundSearch, clamp: (v: number) => number): number {
  const secant = (a: Point, b: Point) => (Number.isFinite(a.g) && Number.isFinite(b.g) && a.g !== b.g ? b.v - (b.g * (b.v - a.v)) / (b.g - a.g) : NaN);
  if (!beyond) {
    // still inside: the secant's root (ζ is nearly linear there), at most five times the last
    // step out; twice the last step where the profile does not rise
    const width = Math.abs(cur.v - prev.v);
    const t = secant(prev, cur);
    const out = s.side * (t - cur.v);
    return clamp(Number.isFinite(t) && out > 0 ? cur.v + s.side * Math.min(out, 5 * width) : cur.v + s.side * 2 * width);
  }
  // bracketed: the secant of the last two points when it falls inside the bracket, else that of
  // the bracket's ends (regula falsi), else bisection (a point beyond the model's range has g = ∞)
  const lo = Math.min(inside.v, beyond.v), hi = Math.max(inside.v, beyond.v);
  for (const t of [secant(prev, cur), secant(inside, beyond)]) if (Number.isFinite(t) && t > lo && t < hi) return t;
  return (lo + hi) / 2;
}
