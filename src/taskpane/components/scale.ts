/**
 * A linear scale and "nice" ticks (steps of 1, 2 or 5 times a power of ten), written here rather
 * than taken from d3-scale: the pane needs only these two functions, and they cost about 1 KB of
 * bundle against d3-scale's (see the README, "The task pane").
 */
export interface LinearScale {
  (v: number): number;
  ticks: number[];
  domain: [number, number];
}

/** Tick step for about `count` ticks over [lo, hi]. */
export function niceStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f >= 7.5 ? 10 : f >= 3.5 ? 5 : f >= 1.5 ? 2 : 1) * p;
}

/** Maps [lo, hi] (widened to whole ticks) onto [r0, r1]. */
export function linearScale(values: readonly number[], r0: number, r1: number, count = 5, include: number[] = []): LinearScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...values, ...include]) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (lo === hi) { lo -= 1; hi += 1; }
  const step = niceStep(lo, hi, count);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Math.abs(t) < step / 1e6 ? 0 : Number(t.toPrecision(12)));
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as LinearScale;
  f.ticks = ticks;
  f.domain = [lo, hi];
  return f;
}

/** A tick label: no more decimals than the step needs. */
export function tickLabel(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const s = Math.abs(v).toFixed(digits);
  return v < 0 && Number(s) !== 0 ? `\u2212${s}` : s;
}
