/**
 * What goes where on the summary sheet, as plain data: blocks of cells (values, number formats,
 * bold rows, and how each table looks) at fixed places, and chart specifications that reference
 * them. Pure (no Office): tested on its own, computed in the fitting worker, applied to a workbook
 * by ExcelWorkbook, and drawn by the task pane's workbook preview (SampleWorkbook).
 *
 * It reads as a report, top to bottom in columns A–G: the model specification, the fixed
 * effects (t tests with their df when the task pane showed them so), the ANOVA table of the
 * fixed-effect terms, the random effects, the confidence intervals, the likelihood-ratio tests
 * against simpler models (these three when the pane computed them for the fit), the fit
 * statistics, statsmodels' summary, then the predicted random effects. Each table has a header row and light banded rows: an Excel table where one can
 * hold the block, the same look drawn with fills where not. Charts stand in columns I–P beside
 * what they illustrate: residuals against fitted values and the normal Q-Q plot beside the
 * fitted values and residuals of every observation (from column R), the caterpillar plot beside
 * the predicted random effects. Counts are whole numbers; p-values below 0.001 read "<0.001".
 */
import type { AnovaTable, Comparison, ConfintResult, MixedLMResult, ModelSpec } from "../engine";
import { caterpillarData, qqData, thinIndices } from "../report/diagnostics";
import { comparisonTable, confintTable } from "../report/inference";
import { anovaCells, coefficientTestCells, coefficientTitle } from "../report/lmerTestTables";
import { randomEffectsTable } from "../report/randomEffects";
import { coefTable, ranefTable, statsTable, summaryTable } from "../report/tables";
import type { Cell } from "../report/tables";
import { cellAddress, columnLetters, parseAddress, SUMMARY_SHEET_NAME } from "./a1";

export { caterpillarSource, plottingPosition, thinIndices } from "../report/diagnostics";
export type { Cell };

/**
 * How a table block looks: its header rows bold on a light fill, the rows below banded. As an
 * Excel table (a ListObject with the light style TABLE_STYLE, no filter buttons) over the rows
 * from the first header to the end when `excelTable`; otherwise the same look drawn with fills
 * (blocks made of several sub-tables, or with repeated header names, which a table cannot hold).
 */
export interface BlockLook {
  headerRows: number[];
  excelTable: boolean;
}

export const TABLE_STYLE = "TableStyleLight9";
/** Fills of the drawn look (and of the preview): header rows, and every other body row. */
export const HEADER_FILL = "#DDEBF7";
export const BAND_FILL = "#F2F2F2";
/** p-values: "<0.001" below 0.001, else three decimals (the number stays in the cell). */
export const P_FORMAT = '[<0.001]"<0.001";0.000';

/** The fills that draw a block's look (relative rows): header rows, then every other non-blank row below each header. */
export function lookFills(b: Pick<LayoutBlock, "values" | "look">): { row: number; color: string }[] {
  const look = b.look;
  if (!look) return [];
  const headers = new Set(look.headerRows);
  const out: { row: number; color: string }[] = [];
  let band = 0;
  for (let r = look.headerRows[0] ?? 1; r < b.values.length; r++) { // row 0 is the block's title
    if (headers.has(r)) { band = 0; out.push({ row: r, color: HEADER_FILL }); continue; }
    if (b.values[r].every((v) => v === "")) { band = 0; continue; }
    if (band++ % 2 === 1) out.push({ row: r, color: BAND_FILL });
  }
  return out;
}

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
  /** Tables: header and banded rows (see BlockLook). */
  look?: BlockLook;
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

/** What the task pane computed of the fit, written with it. */
export interface InferenceTables {
  /** The fit with its coefficients tested by a df method (the engine's withDfTests): the fixed effects table then shows df and t tests. */
  tTests?: MixedLMResult;
  anova?: AnovaTable;
  confint?: ConfintResult;
  comparison?: Comparison;
}

export interface LayoutOptions {
  /** At most this many points per chart series (evenly thinned beyond; default 10,000). */
  maxChartPoints?: number;
  /** The sheet's base name (default "MixedLM Summary"). */
  sheetBaseName?: string;
  inference?: InferenceTables;
}

export const DEFAULT_MAX_CHART_POINTS = 10_000;
/** Rows a chart takes (16 rows of 15 points: about 320 × 240 points with 8 columns). */
const CHART_ROWS = 16;
/** The charts' first column (I), and the first row (0-based) below the two charts at the top: a block reaching column I starts there. */
const CHART_COL = 8;
const BELOW_TOP_CHARTS = 2 + CHART_ROWS + 2 + CHART_ROWS;

const F3 = "0.000";
const F4 = "0.0000";
const INT = "0";
const TEXT = "@";
const GENERAL = "General";

type FormatOf = (r: number, c: number, v: Cell) => string;

/** The number format of one cell: text stays text, whole numbers show as such, others with `numberFormat`. */
function formatOf(v: Cell, numberFormat: string): string {
  if (typeof v === "string") return v === "" ? GENERAL : TEXT;
  if (typeof v === "boolean") return GENERAL;
  return Number.isInteger(v) && Math.abs(v) < 1e15 ? INT : numberFormat;
}

/**
 * A fixed format's exponent form ("0.000E+00") for a number of 1e15 or more, or below 1e-8 (a
 * response × 1e±160), which the fixed one would show as 160 digits or as zeros.
 */
function forMagnitude(v: number, format: string): string {
  return v !== 0 && (Math.abs(v) >= 1e15 || Math.abs(v) < 1e-8) && /^0(\.0+)?$/.test(format) ? `${format}E+00` : format;
}

function formatsFor(values: Cell[][], numberFormat: FormatOf): string[][] {
  return values.map((row, r) => row.map((v, c) => (typeof v === "number" ? forMagnitude(v, numberFormat(r, c, v)) : formatOf(v, GENERAL))));
}

function rect(rows: Cell[][]): Cell[][] {
  let w = 1;
  for (const r of rows) if (r.length > w) w = r.length;
  return rows.map((r) => (r.length === w ? r : [...r, ...Array<Cell>(w - r.length).fill("")]));
}

function block(id: string, row: number, col: number, rows: Cell[][], numberFormat: FormatOf, boldRows: number[], extra: { largeRows?: number[]; look?: BlockLook } = {}): LayoutBlock {
  const values = rect(rows);
  return {
    id, row, col, values,
    formats: formatsFor(values, numberFormat),
    boldRows,
    ...extra,
    address: cellAddress(row, col, values.length, values[0].length),
  };
}

/** A titled table: the title row, then the header row and the body as an Excel table (when its header names are distinct). */
function titledTable(id: string, row: number, col: number, title: string, table: Cell[][], numberFormat: FormatOf): LayoutBlock {
  const header = table[0].map(String);
  const distinct = new Set(header).size === header.length && header.every((h) => h !== "");
  return block(id, row, col, [[title], ...table], numberFormat, [0, 1], { look: { headerRows: [1], excelTable: distinct && table.length > 1 } });
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

/** statsmodels' summary grid: its numbers as statsmodels prints them (p-values as "<0.001"). */
function summaryBlock(r: MixedLMResult, row: number): LayoutBlock {
  const summary = summaryTable(r);
  const coefHeader = summary.findIndex((x) => x[1] === "Coef.");
  const format = (rr: number, c: number, v: Cell): string => {
    if (coefHeader < 0) return formatOf(v, F4);
    if (rr < coefHeader) {
      const key = c > 0 ? String(summary[rr][c - 1]) : "";
      if (/Scale|Log-Likelihood/.test(key)) return F4;
      if (/Mean group size/.test(key)) return "0.0";
      return formatOf(v, F4);
    }
    if (rr > coefHeader && rr <= coefHeader + r.fixedEffects.length && c === 4) return P_FORMAT;
    // coefficients and statsmodels' variance rows as statsmodels prints them; lme4's variance table with 4 digits
    return rr <= coefHeader + r.fixedEffects.length + r.varianceRows.length ? F3 : formatOf(v, F4);
  };
  return block("summary", row, 0, [["Summary (statsmodels layout)"], ...summary], (rr, c, v) => format(rr - 1, c, v), [0, 1, ...(coefHeader >= 0 ? [coefHeader + 1] : [])]);
}

/** The predicted random effects: a table when there is one block with distinct names, else drawn bands. */
function ranefBlock(r: MixedLMResult, row: number): LayoutBlock | null {
  const ranef = ranefTable(r);
  if (ranef.length === 0 || ranef[0].length === 0 || !ranef.some((x) => x.some((v) => v !== ""))) return null;
  // statsmodels names the intercept after the groups ("Pig", "Pig"): call it (Intercept)
  const headers = headerRowsAfterBlanks(ranef, 0);
  for (const h of headers) ranef[h] = ranef[h].map((v, c) => (c > 0 && v === ranef[h][0] ? "(Intercept)" : v));
  const rows = [["Predicted random effects (conditional modes)"], ...ranef];
  const single = headers.length === 1;
  const b = block("ranef", row, 0, rows, () => F4, [0, ...headers.map((h) => h + 1)]);
  const names = ranef[0].map(String);
  b.look = { headerRows: headers.map((h) => h + 1), excelTable: single && new Set(names).size === names.length && names.every((x) => x !== "") };
  return b;
}

/** Columns taken by the report's tables on the left (the charts' columns are not fitted: a narrow table there would narrow the charts). */
function leftWidth(blocks: LayoutBlock[]): number {
  return Math.max(7, ...blocks.filter((b) => b.col === 0).map((b) => (b.id.endsWith("Notes") || b.id === "title" ? 1 : b.values[0].length)));
}

/** "R3:R863": one column of rows r0..r0+len-1 (0-based). */
function colRange(c: number, r0: number, len: number): string {
  return `${columnLetters(c)}${r0 + 1}:${columnLetters(c)}${r0 + len}`;
}

/** The fixed effects' t tests with their df (lmerTest's columns) and the intervals from t(df). */
function tTestTable(r: MixedLMResult): Cell[][] {
  return coefficientTestCells(r).map((row, i) => (i === 0 ? ["Name", ...row.slice(1), "CI low (95%)", "CI high (95%)"] : [...row, r.fixedEffects[i - 1].ciLow, r.fixedEffects[i - 1].ciHigh]));
}

function coefBlock(r: MixedLMResult, tTests: MixedLMResult | undefined, row: number): LayoutBlock {
  if (!tTests?.ddf) return titledTable("coef", row, 0, "Fixed effects", coefTable(r), (_r, c) => (c === 4 ? P_FORMAT : F3));
  return titledTable("coef", row, 0, coefficientTitle(tTests).replace(/:$/, ""), tTestTable(tTests), (_r, c) => (c === 5 ? P_FORMAT : F3));
}

function anovaBlock(t: AnovaTable, row: number): LayoutBlock | null {
  if (t.rows.length === 0) return null;
  const [title, header, ...rows] = anovaCells(t);
  return titledTable("anova", row, 0, String(title[0]), [["Term", ...header.slice(1)], ...rows], (_r, c, v) => (c === 6 ? P_FORMAT : formatOf(v, F4)));
}

const CONFINT_METHOD = { profile: "profile likelihood", wald: "Wald", boot: "parametric bootstrap (percentile)" } as const;

function confintTitle(ci: ConfintResult): string {
  const extra = ci.method === "profile" && ci.criterion ? `, ${ci.criterion} criterion` : ci.bootstrap ? `, ${ci.bootstrap.done} simulations, seed ${ci.bootstrap.seed}` : "";
  return `Confidence intervals: ${CONFINT_METHOD[ci.method]}, level ${ci.level}${extra}`;
}

/** lme4's anova table, without the Note column when no row has a note. */
function comparisonBlock(c: Comparison, row: number): LayoutBlock {
  const table = comparisonTable(c);
  const rows = table.slice(1).every((x) => x[x.length - 1] === "") ? table.map((x) => x.slice(0, -1)) : table;
  const title = `Likelihood-ratio tests (lme4's anova): ${c.refitML ? "models refitted by ML" : `${c.criterion} fits`}, ${c.nObs} observations`;
  return titledTable("comparison", row, 0, title, rows, (_r, col, v) => (col === 8 ? P_FORMAT : formatOf(v, F4)));
}

/** Notes under a table, one per row (none: no block). */
function notesBlock(id: string, row: number, notes: string[]): LayoutBlock | null {
  return notes.length === 0 ? null : block(id, row, 0, notes.map((n) => [n]), () => F4, []);
}

/** The left column of the report: title, specification, tables one under the other. */
function reportBlocks(r: MixedLMResult, spec: ModelSpec, dataAddress: string, inf: InferenceTables = {}): LayoutBlock[] {
  const blocks: LayoutBlock[] = [];
  let row = 0;
  const put = (b: LayoutBlock | null) => { if (b) { blocks.push(b); row = b.row + b.values.length + 1; } };
  // a block as wide as the charts' columns goes below the two charts at the top
  const putWide = (make: (row: number) => LayoutBlock) => { const b = make(row); put(b.values[0].length > CHART_COL ? make(Math.max(row, BELOW_TOP_CHARTS)) : b); };
  put(block("title", 0, 0, [["MixedLM Summary"], ["Linear mixed model fitted by MixedLM for Excel"]], () => F4, [], { largeRows: [0] }));
  put(block("spec", row, 0, specRows(spec, r, dataAddress), (_r, _c, v) => formatOf(v, F4), [0], { look: { headerRows: [], excelTable: false } }));
  put(coefBlock(r, inf.tTests, row));
  if (inf.anova) put(anovaBlock(inf.anova, row));
  put(titledTable("varcomp", row, 0, "Random effects: variances and covariances", randomEffectsTable(r), (_r, c) => (c === 3 ? F3 : F4)));
  if (inf.confint) {
    put(titledTable("confint", row, 0, confintTitle(inf.confint), confintTable(inf.confint), () => F4));
    put(notesBlock("confintNotes", row - 1, inf.confint.notes));
  }
  if (inf.comparison) {
    const c = inf.comparison;
    putWide((at) => comparisonBlock(c, at));
    put(notesBlock("comparisonNotes", row - 1, c.notes));
  }
  put(titledTable("stats", row, 0, "Fit statistics", statsTable(r), (_r, _c, v) => formatOf(v, F4)));
  put(summaryBlock(r, row));
  put(ranefBlock(r, row));
  return blocks;
}

/**
 * The summary sheet of a fit. `dataAddress` is where the data came from (shown in the
 * specification, and used to give each observation its worksheet row). Left: the report's
 * blocks; right, from column R: the observations and the data the three charts plot.
 */
export function summaryLayout(r: MixedLMResult, spec: ModelSpec, dataAddress: string, options: LayoutOptions = {}): SummaryLayout {
  const maxPoints = Math.max(2, options.maxChartPoints ?? DEFAULT_MAX_CHART_POINTS);
  const blocks = reportBlocks(r, spec, dataAddress, options.inference);
  const right: ChartData = { blocks, charts: [], col: 17 }; // column R
  const obsBlock = observationsBlock(r, dataAddress, right);
  const thinned = residualsChart(r, obsBlock, maxPoints, right);
  const qqTop = qqChart(r, maxPoints, thinned, right);
  caterpillarChart(r, maxPoints, qqTop, right);
  const cellCount = blocks.reduce((s, b) => s + b.values.length * b.values[0].length, 0);
  return {
    sheetBaseName: options.sheetBaseName ?? SUMMARY_SHEET_NAME,
    blocks,
    charts: right.charts,
    autofitColumns: [`A:${columnLetters(Math.min(CHART_COL, leftWidth(blocks)) - 1)}`, `R:${columnLetters(right.col - 2)}`],
    cellCount,
  };
}

/** The blocks and charts of the sheet's right side, and the next free column there. */
interface ChartData {
  blocks: LayoutBlock[];
  charts: ChartSpec[];
  col: number;
}

const CHART_DATA_LOOK: BlockLook = { headerRows: [1], excelTable: true };

/** One row per observation used: its row in the data sheet, fitted value, residual, standardized residual. */
function observationsBlock(r: MixedLMResult, dataAddress: string, right: ChartData): LayoutBlock {
  const n = r.fitted.length;
  const sigma = Math.sqrt(r.scale);
  const parsed = parseAddress(dataAddress);
  const sheetRow = (i: number) => (parsed ? parsed.row + 2 + i : i + 1);
  const obs: Cell[][] = new Array(n + 2);
  obs[0] = ["Fitted values and residuals (one row per observation used)", "", "", ""];
  obs[1] = [parsed ? "Row in data sheet" : "Data row", "Fitted", "Residual", "Std. residual"];
  for (let k = 0; k < n; k++) obs[k + 2] = [sheetRow(r.rowIndex[k]), r.fitted[k], r.residuals[k], r.residuals[k] / sigma];
  const obsBlock = block("observations", 0, right.col, obs, (rr, c) => (c === 0 && rr >= 2 ? INT : F4), [0, 1], { look: CHART_DATA_LOOK });
  right.blocks.push(obsBlock);
  right.col += 5;
  return obsBlock;
}

/** Residuals against fitted values: the observations themselves, or an even thinning of them. Whether it thinned. */
function residualsChart(r: MixedLMResult, obsBlock: LayoutBlock, maxPoints: number, right: ChartData): boolean {
  const n = r.fitted.length;
  let resX = colRange(obsBlock.col + 1, 2, n);
  let resY = colRange(obsBlock.col + 2, 2, n);
  const thinned = n > maxPoints;
  if (thinned) {
    const idx = thinIndices(n, maxPoints);
    const col = right.col;
    const pts: Cell[][] = [[`Residuals vs fitted (chart data: ${idx.length} of ${n} points)`, ""], ["Fitted", "Residual"], ...idx.map((k) => [r.fitted[k], r.residuals[k]] as Cell[])];
    right.blocks.push(block("residualPoints", 0, col, pts, () => F4, [0, 1], { look: CHART_DATA_LOOK }));
    resX = colRange(col, 2, idx.length);
    resY = colRange(col + 1, 2, idx.length);
    right.col += 3;
  }
  right.charts.push({
    id: "residuals", type: "XYScatter", title: "Residuals vs fitted", xTitle: "Fitted value", yTitle: "Residual",
    topLeft: "I2", bottomRight: `P${2 + CHART_ROWS}`,
    series: [{ name: "Residuals", x: resX, y: resY, style: "markers" }],
  });
  return thinned;
}

/** The normal Q-Q plot of the standardized residuals, with the line y = x. Returns the chart's top row. */
function qqChart(r: MixedLMResult, maxPoints: number, thinned: boolean, right: ChartData): number {
  const n = r.fitted.length;
  const q = qqData(r, maxPoints);
  let col = right.col;
  const qq: Cell[][] = [[`Normal Q-Q plot (chart data${thinned ? `: ${q.obs.length} of ${n} points` : ""})`, ""], ["Theoretical quantile", "Std. residual (sorted)"]];
  q.theoretical.forEach((t, i) => qq.push([t, q.standardized[i]]));
  right.blocks.push(block("qq", 0, col, qq, () => F4, [0, 1], { look: CHART_DATA_LOOK }));
  const qqX = colRange(col, 2, q.obs.length);
  const qqY = colRange(col + 1, 2, q.obs.length);
  col += 3;
  const lo = q.theoretical.length > 0 ? q.theoretical[0] : -3;
  const hi = q.theoretical.length > 0 ? q.theoretical[q.theoretical.length - 1] : 3;
  right.blocks.push(block("qqLine", 0, col, [["Reference line y = x", ""], ["x", "y"], [lo, lo], [hi, hi]], () => F4, [0, 1], { look: CHART_DATA_LOOK }));
  const qqTop = 2 + CHART_ROWS + 2;
  right.charts.push({
    id: "qq", type: "XYScatter", title: "Normal Q-Q plot of standardized residuals", xTitle: "Theoretical normal quantile", yTitle: "Standardized residual",
    topLeft: `I${qqTop}`, bottomRight: `P${qqTop + CHART_ROWS}`,
    series: [
      { name: "Std. residuals", x: qqX, y: qqY, style: "markers" },
      { name: "y = x", x: colRange(col, 2, 2), y: colRange(col + 1, 2, 2), style: "line" },
    ],
  });
  right.col = col + 3;
  return qqTop;
}

/** The caterpillar plot, beside the predicted random effects: one effect per level, sorted, ±1.96 conditional SD. */
function caterpillarChart(r: MixedLMResult, maxPoints: number, qqTop: number, right: ChartData): void {
  const cat = caterpillarData(r, maxPoints);
  if (!cat) return;
  const col = right.col;
  const hasSd = cat.lower !== null && cat.upper !== null;
  const rows: Cell[][] = [[`${cat.what} (chart data${cat.levels.length < cat.total ? `: ${cat.levels.length} of ${cat.total} levels` : ""})`], ["Rank", "Level", "Estimate", ...(hasSd ? ["Lower (-1.96 SD)", "Upper (+1.96 SD)"] : [])]];
  cat.levels.forEach((level, i) => rows.push([cat.rank[i], level, cat.estimate[i], ...(hasSd ? [cat.lower![i], cat.upper![i]] : [])]));
  right.blocks.push(block("caterpillar", 0, col, rows, (rr, cc) => (cc === 0 && rr >= 2 ? INT : F4), [0, 1], { look: CHART_DATA_LOOK }));
  const x = colRange(col, 2, cat.levels.length);
  const ranef = right.blocks.find((b) => b.id === "ranef");
  const top = Math.max(qqTop + CHART_ROWS + 2, ranef ? ranef.row + 1 : 0);
  const band = (name: string, c: number) => ({ name, x, y: colRange(c, 2, cat.levels.length), style: "dash" as const });
  right.charts.push({
    id: "caterpillar", type: "XYScatter",
    title: `${cat.what}${hasSd ? ", with 95% intervals (±1.96 conditional SD)" : ""}`,
    xTitle: `${cat.grouping} (sorted by estimate)`, yTitle: cat.intercept ? "Random intercept" : cat.effect,
    topLeft: `I${top}`, bottomRight: `P${top + CHART_ROWS}`,
    series: [
      { name: "Estimate", x, y: colRange(col + 2, 2, cat.levels.length), style: "markers" },
      ...(hasSd ? [band("Lower (-1.96 SD)", col + 3), band("Upper (+1.96 SD)", col + 4)] : []),
    ],
  });
  right.col += rows[1].length + 1;
}
