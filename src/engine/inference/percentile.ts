/**
 * Percentile intervals of bootstrap replicates as lme4's confint(method = "boot") makes them,
 * through boot.ci(type = "perc"): the order statistic of rank (R + 1) α, interpolated between
 * neighbours on the normal quantile scale when that rank is not whole (boot's norm.inter).
 */
import { normalQuantile } from "../distributions";

/** The α-quantile of the finite values among xs (NaN when there are none). */
export function bootPercentile(xs: ArrayLike<number>, alpha: number): number {
  const t = Array.from(xs).filter(Number.isFinite).sort((a, b) => a - b);
  const R = t.length;
  if (R === 0) return NaN;
  const rk = (R + 1) * alpha;
  const k = Math.trunc(rk);
  if (k === rk && k >= 1 && k <= R) return t[k - 1];
  if (k <= 0) return t[0];
  if (k >= R) return t[R - 1];
  const z = normalQuantile(alpha), zk = normalQuantile(k / (R + 1)), zk1 = normalQuantile((k + 1) / (R + 1));
  return t[k - 1] + ((z - zk) / (zk1 - zk)) * (t[k] - t[k - 1]);
}
