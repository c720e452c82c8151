/**
 * What goes where on the summary sheet, as plain data: blocks of cells (values, number formats,
 * bold rows) at fixed places, and chart specifications that reference them. Pure (no Office):
 * tested on its own, computed in the fitting worker, applied to a workbook by ExcelWorkbook
 * or SampleWorkbook.
 *
 * Left, columns A–G: the model specification, statsmodels' summary, the coefficients, the
 * variance components, the fit statistics and the random effects, one under the other.
 * Middle, columns I–P: three charts. Right, from column R: the data the charts plot, and the
 * fitted values and residuals of every observation.
 */
import { normalQuantile } from "../engine";
import type { MixedLMResult, ModelSpec, RandomEffectsTable } from "../engine";
import { coefTable, ranefTable, statsTable, summaryTable, varcompTable } from "../report/tables";
import type { Cell } from "../report/tables";
import { cellAddress, columnLetters, parseAddress, SUMMARY_SHEET_NAME } from "./a1";

export type { Cell };

export interface LayoutBlock {
  /** What the block holds: "title", "spec", "summary", "coef", "varcomp", "stats", "ranef", "observations", "qq", "qqLine", "caterpillar", "residualPoints". */
  id: string;
  /** Top-left cell, 0-based. */
  row: number;
  col: number;
  /** Rectangular cells; "" = empty. */
  values: Cell[][];
  /** Number format of each cell, same shape as values ("@" keeps text as text). */
  formats: string[][];
  /** Rows (relative to the block) in bold: titles and table headers. */
  boldRows: number[];
  /** Rows (relative) set in a larger font: the sheet title. */
  largeRows?: number[];
  /** A1 address of the whole block (without sheet name). */
  address: string;
}

export interface ChartSeriesSpec {
  name: string;
  /** A1 addresses (without sheet name) of the x and y values: one column each, same length. */
  x: string;
  y: string;
  /** markers: points; dash: short dashes (interval bounds); line: a line without markers. */
  style: "markers" | "dash" | "line";
}

export interface ChartSpec {
  id: "residuals" | "qq" | "caterpillar";
  /** Excel chart type: every chart is an XY scatter. */
  type: "XYScatter";
  title: string;
  xTitle: string;
  yTitle: string;
  /** The chart's place: from the top-left cell to the bottom-right cell (A1). */
  topLeft: string;
  bottomRight: string;
  series: ChartSeriesSpec[];
}

export interface SummaryLayout {
  /** The sheet's name when free; otherwise "(2)", "(3)"... is appended (see uniqueSheetName). */
  sheetBaseName: string;
  blocks: LayoutBlock[];
  charts: ChartSpec[];
  /** Columns whose widths are fitted to their contents (then capped), e.g. ["A:G", "R:AH"]. */
  autofitColumns: string[];
  /** Cells written in all. */
  cellCount: number;
}

export interface LayoutOptions {
  /** At most this many points per chart series (evenly thinned beyond; default 10,000). */
  maxChartPoints?: number;
  /** The sheet's base name (default "MixedLM Summary"). */
  sheetBaseName?: string;
}

export const DEFAULT_MAX_CHART_POINTS = 10_000;
const Z = 1.959963984540054;

const F3 = "0.000";
const F4 = "0.0000";
const INT = "0";
const TEXT = "@";
const GENERAL = "General";

/** The number format of one cell: text stays text, whole numbers show as such, others with `digits`. */
function formatOf(v: Cell, numberFormat: string): string {
  if (typeof v === "string") return v === "" ? GENERAL : TEXT;
  if (typeof v === "boolean") return GENERAL;
  return Number.isInteger(v) && Math.abs(v) < 1e15 ? INT : numberFormat;
}

function formatsFor(values: Cell[][], numberFormat: (r: number, c: number, v: Cell) => string): string[][] {
  return values.map((row, r) => row.map((v, c) => (typeof v === "number" ? numberFormat(r, c, v) : formatOf(v, GENERAL))));
}

function rect(rows: Cell[][]): Cell[][] {
  let w = 1;
  for (const r of rows) if (r.length > w) w = r.length;
  return rows.map((r) => (r.length === w ? r : [...r, ...Array<Cell>(w - r.length).fill("")]));
}

function block(id: string, row: number, col: number, rows: Cell[][], numberFormat: (r: number, c: number, v: Cell) => string, boldRows: number[], largeRows?: number[]): LayoutBlock {
  const values = rect(rows);
  return {
    id, row, col, values,
    formats: formatsFor(values, numberFormat),
    boldRows,
    ...(largeRows ? { largeRows } : {}),
    address: cellAddress(row, col, values.length, values[0].length),
  };
}

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

function specRows(spec: ModelSpec, r: MixedLMResult, dataAddress: string): Cell[][] {
  const vc = Object.entries(spec.vcFormula ?? {}).map(([k, f]) => `${k}: ${f}`).join("; ");
  const groups = spec.groups ? spec.groups : spec.groupValues ? "(values given)" : r.groupingFactors.length > 0 ? `(in the formula: ${r.groupingFactors.map((g) => g.name).join(", ")})` : "";
  return [
    ["Model specification"],
    ["Formula", spec.formula],
    ["Groups", groups],
    ["re_formula", spec.reFormula && spec.reFormula.trim() !== "" ? spec.reFormula : r.style === "statsmodels" ? "1 (random intercept)" : ""],
    ["Variance components (vc)", vc],
    ["Method", r.method],
    ["Data", dataAddress],
    ["Observations used", r.nObs],
    ["Rows dropped (missing values)", r.nDropped],
  ];
}

/** Bold rows of a table made of sub-tables separated by blank rows: the first row of each. */
function headerRowsAfterBlanks(rows: Cell[][], offset: number): number[] {
  const out: number[] = [];
  rows.forEach((row, i) => {
    const prevBlank = i === 0 || rows[i - 1].every((v) => v === "");
    if (prevBlank && row.some((v) => v !== "")) out.push(i + offset);
  });
  return out;
}

/**
 * The summary sheet of a fit. `dataAddress` is where the data came from (shown in the
 * specification, and used to give each observation its worksheet row).
 */
export function summaryLayout(r: MixedLMResult, spec: ModelSpec, dataAddress: string, options: LayoutOptions = {}): SummaryLayout {
  const maxPoints = Math.max(2, options.maxChartPoints ?? DEFAULT_MAX_CHART_POINTS);
  const blocks: LayoutBlock[] = [];
  const charts: ChartSpec[] = [];
  const f4 = () => F4;

  // ---- left: tables, one under the other ----------------------------------------------------
  let row = 0;
  const put = (b: LayoutBlock) => { blocks.push(b); row = b.row + b.values.length + 1; return b; };
  put(block("title", 0, 0, [["MixedLM Summary"], ["Linear mixed model fitted by MixedLM for Excel"]], f4, [], [0]));
  put(block("spec", row, 0, specRows(spec, r, dataAddress), f4, [0]));

  const summary = summaryTable(r);
  const coefHeader = summary.findIndex((x) => x[1] === "Coef.");
  const infoFormat = (rr: number, c: number, v: Cell): string => {
    if (coefHeader < 0) return formatOf(v, F4);
    if (rr < coefHeader) {
      const key = c > 0 ? String(summary[rr][c - 1]) : "";
      if (/Scale|Log-Likelihood/.test(key)) return F4;
      if (/Mean group size/.test(key)) return "0.0";
      return formatOf(v, F4);
    }
    // coefficients and statsmodels' variance rows as statsmodels prints them; lme4's variance table with 4 digits
    return rr <= coefHeader + r.fixedEffects.length + r.varianceRows.length ? F3 : formatOf(v, F4);
  };
  put(block("summary", row, 0, [["Summary (statsmodels layout)"], ...summary], (rr, c, v) => infoFormat(rr - 1, c, v), [0, 1, ...(coefHeader >= 0 ? [coefHeader + 1] : [])]));
  put(block("coef", row, 0, [["Fixed effects"], ...coefTable(r)], () => F3, [0, 1]));
  put(block("varcomp", row, 0, [["Variance components"], ...varcompTable(r)], f4, [0, 1]));
  const stats = statsTable(r);
  put(block("stats", row, 0, [["Fit statistics"], ...stats], (_rr, _c, v) => formatOf(v, F4), [0, 1]));
  const ranef = ranefTable(r);
  if (ranef.length > 0 && ranef[0].length > 0 && ranef.some((x) => x.some((v) => v !== ""))) {
    put(block("ranef", row, 0, [["Random effects (conditional modes)"], ...ranef], f4, [0, ...headerRowsAfterBlanks(ranef, 1)]));
  }

  // ---- right: chart data and observations -----------------------------------------------------
  let col = 17; // column R
  const n = r.fitted.length;
  const sigma = Math.sqrt(r.scale);
  const parsed = parseAddress(dataAddress);
  const sheetRow = (i: number) => (parsed ? parsed.row + 2 + i : i + 1);
  const obs: Cell[][] = new Array(n + 2);
  obs[0] = ["Fitted values and residuals (one row per observation used)", "", "", ""];
  obs[1] = [parsed ? "Row in data sheet" : "Data row", "Fitted", "Residual", "Std. residual"];
  for (let k = 0; k < n; k++) obs[k + 2] = [sheetRow(r.rowIndex[k]), r.fitted[k], r.residuals[k], r.residuals[k] / sigma];
  const obsBlock = block("observations", 0, col, obs, (rr, c) => (c === 0 && rr >= 2 ? INT : F4), [0, 1]);
  blocks.push(obsBlock);
  col += 5;
  const colRange = (c: number, r0: number, len: number) => `${columnLetters(c)}${r0 + 1}:${columnLetters(c)}${r0 + len}`;

  // residuals vs fitted: the observations themselves, or an even thinning of them
  let resX: string;
  let resY: string;
  const thinned = n > maxPoints;
  if (!thinned) {
    resX = colRange(obsBlock.col + 1, 2, n);
    resY = colRange(obsBlock.col + 2, 2, n);
  } else {
    const idx = thinIndices(n, maxPoints);
    const pts: Cell[][] = [[`Residuals vs fitted (chart data: ${idx.length} of ${n} points)`, ""], ["Fitted", "Residual"], ...idx.map((k) => [r.fitted[k], r.residuals[k]] as Cell[])];
    const b = block("residualPoints", 0, col, pts, f4, [0, 1]);
    blocks.push(b);
    resX = colRange(col, 2, idx.length);
    resY = colRange(col + 1, 2, idx.length);
    col += 3;
  }
  charts.push({
    id: "residuals", type: "XYScatter", title: "Residuals vs fitted", xTitle: "Fitted value", yTitle: "Residual",
    topLeft: "I2", bottomRight: "P18",
    series: [{ name: "Residuals", x: resX, y: resY, style: "markers" }],
  });

  // normal Q-Q plot of the standardized residuals
  const sorted = Float64Array.from(r.residuals, (e) => e / sigma).sort();
  const qIdx = thinIndices(n, maxPoints);
  const qq: Cell[][] = [[`Normal Q-Q plot (chart data${thinned ? `: ${qIdx.length} of ${n} points` : ""})`, ""], ["Theoretical quantile", "Std. residual (sorted)"]];
  let lo = Infinity;
  let hi = -Infinity;
  for (const k of qIdx) {
    const t = normalQuantile(plottingPosition(k, n));
    qq.push([t, sorted[k]]);
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  blocks.push(block("qq", 0, col, qq, f4, [0, 1]));
  const qqX = colRange(col, 2, qIdx.length);
  const qqY = colRange(col + 1, 2, qIdx.length);
  col += 3;
  if (!Number.isFinite(lo)) { lo = -3; hi = 3; }
  blocks.push(block("qqLine", 0, col, [["Reference line y = x", ""], ["x", "y"], [lo, lo], [hi, hi]], f4, [0, 1]));
  charts.push({
    id: "qq", type: "XYScatter", title: "Normal Q-Q plot of standardized residuals", xTitle: "Theoretical normal quantile", yTitle: "Standardized residual",
    topLeft: "I20", bottomRight: "P36",
    series: [
      { name: "Std. residuals", x: qqX, y: qqY, style: "markers" },
      { name: "y = x", x: colRange(col, 2, 2), y: colRange(col + 1, 2, 2), style: "line" },
    ],
  });
  col += 3;

  // caterpillar plot: one random effect per level, sorted, with ±1.96 conditional SD
  const src = caterpillarSource(r);
  if (src) {
    const { table: t, column: c, intercept } = src;
    const m = t.levels.length;
    const order = Array.from({ length: m }, (_, l) => l).sort((a, b) => t.values[a][c] - t.values[b][c]);
    const keep = thinIndices(m, maxPoints);
    const hasSd = t.condSd !== null;
    const label = (l: number) => (t.kind === "vc" && t.groupLabel ? `${t.groupLabel[l]} / ${t.levels[l]}` : t.levels[l]);
    const what = intercept ? `Random intercepts by ${t.grouping}` : `Random effect ${t.names[c]} by ${t.grouping}`;
    const rows: Cell[][] = [[`${what} (chart data${keep.length < m ? `: ${keep.length} of ${m} levels` : ""})`], ["Rank", "Level", "Estimate", ...(hasSd ? ["Lower (-1.96 SD)", "Upper (+1.96 SD)"] : [])]];
    for (const k of keep) {
      const l = order[k];
      const v = t.values[l][c];
      const sd = hasSd ? t.condSd![l][c] : NaN;
      rows.push([k + 1, label(l), v, ...(hasSd ? [v - Z * sd, v + Z * sd] : [])]);
    }
    blocks.push(block("caterpillar", 0, col, rows, (rr, cc) => (cc === 0 && rr >= 2 ? INT : F4), [0, 1]));
    const x = colRange(col, 2, keep.length);
    charts.push({
      id: "caterpillar", type: "XYScatter",
      title: `${what}${hasSd ? ", with 95% intervals (±1.96 conditional SD)" : ""}`,
      xTitle: `${t.grouping} (sorted by estimate)`, yTitle: intercept ? "Random intercept" : t.names[c],
      topLeft: "I38", bottomRight: "P54",
      series: [
        { name: "Estimate", x, y: colRange(col + 2, 2, keep.length), style: "markers" },
        ...(hasSd
          ? [
              { name: "Lower (-1.96 SD)", x, y: colRange(col + 3, 2, keep.length), style: "dash" as const },
              { name: "Upper (+1.96 SD)", x, y: colRange(col + 4, 2, keep.length), style: "dash" as const },
            ]
          : []),
      ],
    });
    col += rows[1].length + 1;
  }

  const cellCount = blocks.reduce((s, b) => s + b.values.length * b.values[0].length, 0);
  return {
    sheetBaseName: options.sheetBaseName ?? SUMMARY_SHEET_NAME,
    blocks,
    charts,
    autofitColumns: ["A:G", `R:${columnLetters(col - 2)}`],
    cellCount,
  };
}
