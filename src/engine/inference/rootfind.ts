/**
 * One end of a profile interval: the value v beyond the estimate where the signed root of the
 * deviance's rise, ζ(v), reaches ±z. Each ζ(v) is an exact refit with the parameter held at v;
 * the root is bracketed by secant steps outward from the estimate, then found by Brent's method.
 */

export interface BoundSearch {
  /** ζ at v: sign(v − estimate) √(D(v) − D̂), from a refit with the parameter held at v. */
  zeta: (v: number) => number;
  estimate: number;
  /** +1 for the upper bound, −1 for the lower. */
  side: 1 | -1;
  /** The quantile z (positive): the bound is where side·ζ = z. */
  z: number;
  /** First step from the estimate (a standard error, say): positive. */
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
  /** ζ did not cross z within the search (a flat profile): value is NaN. */
  failed: boolean;
  evaluations: number;
}

const MAX_EVALUATIONS = 60;

export function findBound(s: BoundSearch): Bound {
  let evaluations = 0;
  const g = (v: number): number => { evaluations++; return s.side * s.zeta(v) - s.z; };
  const limit = s.limit ?? s.side * Infinity;
  const clamp = (v: number) => (s.side > 0 ? Math.min(v, limit) : Math.max(v, limit));
  // bracket: g < 0 inside the interval, ≥ 0 beyond the bound
  let a = s.estimate, ga = -s.z;
  let b = clamp(s.estimate + s.side * s.step);
  let gb = g(b);
  while (gb < 0) {
    if (b === limit) return { value: limit, atLimit: true, failed: false, evaluations };
    if (evaluations >= MAX_EVALUATIONS) return { value: NaN, atLimit: false, failed: true, evaluations };
    const width = Math.abs(b - a);
    const slope = (gb - ga) / width;
    // to the secant's root and a little beyond it, by at least half and at most five times the last step
    let stepOut = slope > 0 ? 1.1 * (-gb / slope) : 2 * width;
    stepOut = Math.min(Math.max(stepOut, 0.5 * width), 5 * width);
    a = b; ga = gb;
    b = clamp(b + s.side * stepOut);
    gb = g(b);
  }
  if (!Number.isFinite(gb)) {
    // beyond the range where the model can be evaluated: bisect back towards the last finite point
    while (!Number.isFinite(gb) && evaluations < MAX_EVALUATIONS && Math.abs(b - a) > s.tolerance) { b = (a + b) / 2; gb = g(b); }
    if (!Number.isFinite(gb)) return { value: NaN, atLimit: false, failed: true, evaluations };
    if (gb < 0) return findBound({ ...s, estimate: b, step: Math.abs(b - s.estimate) });
  }
  const root = brent(g, a, b, ga, gb, s.tolerance, MAX_EVALUATIONS - evaluations);
  return { value: root, atLimit: false, failed: !Number.isFinite(root), evaluations };
}

/** Brent's method on [a, b] with g(a), g(b) of opposite signs (Brent 1973, zero). */
function brent(g: (v: number) => number, a: number, b: number, fa: number, fb: number, tol: number, maxEval: number): number {
  let c = a, fc = fa, d = b - a, e = d;
  for (let k = 0; k < maxEval; k++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) { c = a; fc = fa; d = b - a; e = d; }
    if (Math.abs(fc) < Math.abs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      // inverse quadratic interpolation, or the secant when only two points differ
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) { p = 2 * m * s; q = 1 - s; }
      else {
        const r = fb / fc, t = fa / fc;
        p = s * (2 * m * t * (t - r) - (b - a) * (r - 1));
        q = (t - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q; else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol1 * q), Math.abs(e * q))) { e = d; d = p / q; }
      else { d = m; e = m; }
    } else { d = m; e = m; }
    a = b; fa = fb;
    b += Math.abs(d) > tol1 ? d : m > 0 ? tol1 : -tol1;
    fb = g(b);
  }
  return b;
}
