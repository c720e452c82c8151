/**
 * The data behind the diagnostic plots, from a fit: residuals against fitted values, the normal
 * Q-Q plot of the standardized residuals, and the caterpillar plot of the predicted random
 * effects with ±1.96 conditional SD. Shared by the summary sheet (src/office/layout.ts) and the
 * task pane's plots (sent by the worker), so that both show the same points.
 */
import { normalQuantile } from "../engine";
import type { MixedLMResult, RandomEffectsTable } from "../engine";

export const Z975 = 1.959963984540054;

/** Plotting positions of R's ppoints: (i - a) / (n + 1 - 2a), a = 3/8 for n ≤ 10, else 1/2. */
export function plottingPosition(i: number, n: number): number {
  const a = n <= 10 ? 3 / 8 : 0.5;
  return (i + 1 - a) / (n + 1 - 2 * a);
}

/** Indices 0..n-1 thinned evenly to at most m (all of them when n ≤ m); first and last kept. */
export function thinIndices(n: number, m: number): number[] {
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  if (m <= 1) return [0];
  return Array.from({ length: m }, (_, k) => Math.round((k * (n - 1)) / (m - 1)));
}

/** The random-effects table and column the caterpillar plot shows: the first intercept, else the first effect. */
export function caterpillarSource(r: MixedLMResult): { table: RandomEffectsTable; column: number; intercept: boolean } | null {
  const tables = r.randomEffects.filter((t) => t.levels.length > 0);
  if (tables.length === 0) return null;
  const isIntercept = (t: RandomEffectsTable, c: number) => t.kind !== "vc" && (t.names[c] === "(Intercept)" || t.names[c] === t.grouping || t.names[c] === "Group");
  for (const t of tables) for (let c = 0; c < t.names.length; c++) if (isIntercept(t, c)) return { table: t, column: c, intercept: true };
  const t = tables.find((x) => x.kind !== "vc") ?? tables[0];
  return { table: t, column: 0, intercept: false };
}

/** Normal Q-Q points: observation k (sorted by standardized residual) at the normal quantile of its plotting position. */
export interface QQData {
  /** Observation index (into fitted/residuals) of each point, sorted by standardized residual. */
  obs: number[];
  theoretical: number[];
  standardized: number[];
  /** Points in all (before thinning). */
  total: number;
}

/** The Q-Q data of the standardized residuals (residual / σ), thinned evenly to at most maxPoints. */
export function qqData(r: MixedLMResult, maxPoints: number): QQData {
  const n = r.residuals.length;
  const sigma = Math.sqrt(r.scale);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => r.residuals[a] - r.residuals[b]);
  const keep = thinIndices(n, maxPoints);
  return {
    obs: keep.map((k) => order[k]),
    theoretical: keep.map((k) => normalQuantile(plottingPosition(k, n))),
    standardized: keep.map((k) => r.residuals[order[k]] / sigma),
    total: n,
  };
}

/** The caterpillar plot: one random effect per level, sorted, with ±1.96 conditional SD when known. */
export interface CaterpillarData {
  /** "Random intercepts by Pig", "Random effect Time by Pig". */
  what: string;
  grouping: string;
  /** The effect's name as the engine gives it, "(Intercept)" for an intercept. */
  effect: string;
  intercept: boolean;
  /** Levels sorted by estimate (thinned evenly beyond maxPoints). */
  levels: string[];
  estimate: number[];
  lower: number[] | null;
  upper: number[] | null;
  /** Rank (1-based, in the sorted order) of each level shown. */
  rank: number[];
  total: number;
}

export function caterpillarData(r: MixedLMResult, maxPoints: number): CaterpillarData | null {
  const src = caterpillarSource(r);
  if (!src) return null;
  const { table: t, column: c, intercept } = src;
  const m = t.levels.length;
  const order = Array.from({ length: m }, (_, l) => l).sort((a, b) => t.values[a][c] - t.values[b][c]);
  const keep = thinIndices(m, maxPoints);
  const sd = t.condSd;
  const label = (l: number) => (t.kind === "vc" && t.groupLabel ? `${t.groupLabel[l]} / ${t.levels[l]}` : t.levels[l]);
  const est = keep.map((k) => t.values[order[k]][c]);
  return {
    what: intercept ? `Random intercepts by ${t.grouping}` : `Random effect ${t.names[c]} by ${t.grouping}`,
    grouping: t.grouping,
    effect: intercept ? "(Intercept)" : t.names[c],
    intercept,
    levels: keep.map((k) => label(order[k])),
    estimate: est,
    lower: sd ? keep.map((k, i) => est[i] - Z975 * sd[order[k]][c]) : null,
    upper: sd ? keep.map((k, i) => est[i] + Z975 * sd[order[k]][c]) : null,
    rank: keep.map((k) => k + 1),
    total: m,
  };
}

/** What the task pane plots, as plain data (sent from the worker). Rows are the data sheet's rows. */
export interface PlotData {
  residuals: { row: number[]; fitted: number[]; residual: number[]; total: number };
  qq: { row: number[]; theoretical: number[]; standardized: number[]; total: number };
  caterpillar: CaterpillarData | null;
  /** What `row` counts: "Row" (a worksheet row) or "Data row" (1-based, below the header). */
  rowLabel: string;
}

/** The pane's plot data; `sheetRow(i)` is the worksheet row of data row i (0-based, below the header). */
export function plotData(r: MixedLMResult, sheetRow: (i: number) => number, rowLabel: string, maxPoints = 2000): PlotData {
  const n = r.fitted.length;
  const keep = thinIndices(n, maxPoints);
  const qq = qqData(r, maxPoints);
  return {
    residuals: {
      row: keep.map((k) => sheetRow(r.rowIndex[k])),
      fitted: keep.map((k) => r.fitted[k]),
      residual: keep.map((k) => r.residuals[k]),
      total: n,
    },
    qq: { row: qq.obs.map((k) => sheetRow(r.rowIndex[k])), theoretical: qq.theoretical, standardized: qq.standardized, total: n },
    caterpillar: caterpillarData(r, maxPoints),
    rowLabel,
  };
}
