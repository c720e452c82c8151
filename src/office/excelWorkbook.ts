/// <reference types="office-js" />
/**
 * The workbook through Office.js. Reads and writes go in chunks of at most MAX_ROWS_PER_SYNC
 * rows and MAX_CELLS_PER_SYNC cells per context.sync(), so that 100,000-row outputs stay under
 * Excel's request size limit (about 5 MB on the web); small blocks share one sync.
 *
 * Text is written so that Excel keeps it as text: Range.values reads a string that starts with
 * "=", "+" or "-" as a formula (Excel.Range.values, https://learn.microsoft.com/javascript/api/excel/excel.range),
 * and no page says that the text format "@" set first prevents it through the API. So such
 * strings (a column or level named "-1" or "=x") are written as typed string values
 * (valuesAsJson, ExcelApi 1.16: https://learn.microsoft.com/office/dev/add-ins/excel/excel-data-types-concepts),
 * or, in an older Excel, as formulas that evaluate to the text (="=x"). Chart and axis titles
 * and series names never start with those characters either.
 */
import { cellAddress, parseAddress, quoteSheetName, uniqueSheetName } from "./a1";
import { DataSelection, SummaryContent, WorkbookError, WorkbookGateway } from "./gateway";
import { lookFills, TABLE_STYLE } from "./layout";
import type { ChartSpec, LayoutBlock, SummaryLayout } from "./layout";

export const MAX_ROWS_PER_SYNC = 5000;
export const MAX_CELLS_PER_SYNC = 20_000;
/** Column width cap after autofit, in points (long notes overflow into the empty cells beside them). */
export const MAX_COLUMN_WIDTH = 180;

export type ExcelRun = <T>(batch: (context: Excel.RequestContext) => Promise<T>) => Promise<T>;

/** Office.context.requirements.isSetSupported, for the ExcelApi versions the code can use when present. */
export type Supports = (set: string, version: string) => boolean;

const officeSupports: Supports = (set, version) => Office.context.requirements.isSetSupported(set, version);

/** Text Excel would read as a formula when written through Range.values. */
export function looksLikeFormula(v: unknown): v is string {
  return typeof v === "string" && /^[=+-]/.test(v);
}

/** A formula whose value is the text (string literals hold at most 255 characters: joined by &). */
export function textFormula(text: string): string {
  const s = text.length > 8000 ? `${text.slice(0, 7999)}…` : text; // formulas hold at most 8,192 characters
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += 255) parts.push(`"${s.slice(i, i + 255).replace(/"/g, '""')}"`);
  return `=${parts.length > 0 ? parts.join("&") : '""'}`;
}

/** A title or series name that Excel cannot take for a reference: a zero-width space ahead of "=", "+" or "-". */
export function titleText(text: string): string {
  return looksLikeFormula(text) ? `\u200B${text}` : text;
}

/** Rows per chunk for a block `width` cells wide. */
export function rowsPerChunk(width: number): number {
  return Math.max(1, Math.min(MAX_ROWS_PER_SYNC, Math.floor(MAX_CELLS_PER_SYNC / Math.max(1, width))));
}

/** Queues writes and syncs whenever the cells queued since the last sync would pass the cap. */
class ChunkedWriter {
  private pending = 0;
  syncs = 0;
  constructor(private readonly context: Excel.RequestContext) {}
  async reserve(cells: number): Promise<void> {
    if (this.pending > 0 && this.pending + cells > MAX_CELLS_PER_SYNC) await this.flush();
    this.pending += cells;
  }
  async flush(): Promise<void> {
    if (this.pending === 0) return;
    await this.context.sync();
    this.syncs++;
    this.pending = 0;
  }
}

/** Text cells Excel would read as formulas, as runs down each column: [row, col, length]. */
function formulaLikeRuns(values: unknown[][]): [number, number, number][] {
  const runs: [number, number, number][] = [];
  const width = values[0]?.length ?? 0;
  for (let c = 0; c < width; c++) {
    for (let r = 0; r < values.length; r++) {
      if (!looksLikeFormula(values[r][c])) continue;
      let n = 1;
      while (r + n < values.length && looksLikeFormula(values[r + n][c])) n++;
      runs.push([r, c, n]);
      r += n - 1;
    }
  }
  return runs;
}

/** Writes the rows at (row, col): plain values, then the formula-like text cells as text. */
function writeCells(sheet: Excel.Worksheet, row: number, col: number, rows: unknown[][], supports: Supports): void {
  const runs = formulaLikeRuns(rows);
  const range = sheet.getRangeByIndexes(row, col, rows.length, rows[0].length);
  if (runs.length === 0) { range.values = rows; return; }
  range.values = rows.map((r) => r.map((v) => (looksLikeFormula(v) ? "" : v)));
  const typed = supports("ExcelApi", "1.16");
  for (const [r, c, n] of runs) {
    const cells = sheet.getRangeByIndexes(row + r, col + c, n, 1);
    const texts = rows.slice(r, r + n).map((x) => x[c] as string);
    if (typed) cells.valuesAsJson = texts.map((t) => [{ type: "String", basicValue: t } as Excel.StringCellValue]);
    else cells.formulas = texts.map((t) => [textFormula(t)]);
  }
}

async function writeBlock(sheet: Excel.Worksheet, b: LayoutBlock, w: ChunkedWriter, supports: Supports): Promise<void> {
  const width = b.values[0].length;
  const step = rowsPerChunk(width);
  for (let r0 = 0; r0 < b.values.length; r0 += step) {
    const k = Math.min(step, b.values.length - r0);
    await w.reserve(k * width);
    // the format first: text cells are set to "@", so that Excel keeps them as text when edited
    sheet.getRangeByIndexes(b.row + r0, b.col, k, width).numberFormat = b.formats.slice(r0, r0 + k);
    writeCells(sheet, b.row + r0, b.col, b.values.slice(r0, r0 + k), supports);
  }
  for (const r of b.boldRows) sheet.getRangeByIndexes(b.row + r, b.col, 1, width).format.font.bold = true;
  for (const r of b.largeRows ?? []) sheet.getRangeByIndexes(b.row + r, b.col, 1, width).format.font.size = 16;
  if (b.look) applyLook(sheet, b, width);
}

/**
 * A table's look: an Excel table (Worksheet.tables.add, ExcelApi 1.1; showFilterButton 1.3) with
 * the light banded style, or the same look drawn with fills (header rows, every other row below).
 * https://learn.microsoft.com/javascript/api/excel/excel.tablecollection#excel-excel-tablecollection-add-member(1)
 */
function applyLook(sheet: Excel.Worksheet, b: LayoutBlock, width: number): void {
  const look = b.look!;
  if (look.excelTable && look.headerRows.length === 1) {
    const first = look.headerRows[0];
    const table = sheet.tables.add(sheet.getRangeByIndexes(b.row + first, b.col, b.values.length - first, width), true);
    table.style = TABLE_STYLE;
    table.showFilterButton = false;
    return;
  }
  for (const f of lookFills(b)) sheet.getRangeByIndexes(b.row + f.row, b.col, 1, width).format.fill.color = f.color;
}

function addChart(sheet: Excel.Worksheet, spec: ChartSpec): void {
  const chart = sheet.charts.add("XYScatter", sheet.getRange(spec.series[0].y), "Columns");
  chart.title.text = titleText(spec.title);
  chart.title.format.font.size = 12;
  spec.series.forEach((s, i) => {
    const series = i === 0 ? chart.series.getItemAt(0) : chart.series.add(s.name);
    series.setXAxisValues(sheet.getRange(s.x));
    series.setValues(sheet.getRange(s.y));
    series.name = titleText(s.name);
    if (s.style === "line") {
      series.chartType = "XYScatterLinesNoMarkers";
    } else {
      series.markerStyle = s.style === "dash" ? "Dash" : "Circle";
      series.markerSize = s.style === "dash" ? 5 : 3;
    }
  });
  chart.legend.visible = spec.series.length > 1;
  chart.legend.position = "Bottom";
  chart.axes.categoryAxis.title.text = titleText(spec.xTitle);
  chart.axes.valueAxis.title.text = titleText(spec.yTitle);
  chart.setPosition(spec.topLeft, spec.bottomRight);
}

/** Writes a layout onto an (empty, new) sheet: blocks in chunks, charts, column widths. Returns the number of syncs. */
export async function applyLayout(context: Excel.RequestContext, sheet: Excel.Worksheet, layout: SummaryLayout, supports: Supports = officeSupports): Promise<number> {
  const w = new ChunkedWriter(context);
  for (const b of layout.blocks) await writeBlock(sheet, b, w, supports);
  await w.flush();
  for (const c of layout.charts) addChart(sheet, c);
  const columns: Excel.Range[] = [];
  for (const spec of layout.autofitColumns) {
    const cols = sheet.getRange(spec);
    cols.format.autofitColumns();
    const p = parseAddress(spec.replace(/^([A-Z]+):([A-Z]+)$/, "$11:$21"));
    if (p) for (let c = 0; c < p.cols; c++) {
      const one = sheet.getRangeByIndexes(0, p.col + c, 1, 1).getEntireColumn();
      one.format.load("columnWidth");
      columns.push(one);
    }
  }
  await context.sync();
  let syncs = w.syncs + 1;
  let capped = false;
  for (const c of columns) if (c.format.columnWidth > MAX_COLUMN_WIDTH) { c.format.columnWidth = MAX_COLUMN_WIDTH; capped = true; }
  if (capped) { await context.sync(); syncs++; }
  return syncs;
}

const SELECT_ONE_BLOCK = "select one block of cells (the header row first), or one cell inside the data";

/**
 * The selection as one range. Several areas (Ctrl+click) cannot be read as a table: getSelectedRange
 * "will throw an error" then, which would reach the user as a bare exception; the areas are counted
 * first where getSelectedRanges exists (ExcelApi 1.9,
 * https://learn.microsoft.com/office/dev/add-ins/excel/excel-add-ins-multiple-ranges).
 */
async function selectedRange(context: Excel.RequestContext, supports: Supports): Promise<Excel.Range> {
  if (supports("ExcelApi", "1.9")) {
    const areas = context.workbook.getSelectedRanges();
    areas.load("areaCount,address");
    await context.sync();
    if (areas.areaCount > 1) throw new WorkbookError(`The selection has ${areas.areaCount} separate areas (${areas.address}): ${SELECT_ONE_BLOCK}.`);
  }
  const range = context.workbook.getSelectedRange();
  range.load("cellCount");
  try {
    await context.sync();
  } catch (e) {
    throw new WorkbookError(`The selection cannot be read as one range (${e instanceof Error ? e.message : String(e)}): ${SELECT_ONE_BLOCK}.`);
  }
  return range;
}

/** The table a single cell belongs to (ExcelApi 1.9), or null. */
async function tableAt(context: Excel.RequestContext, cell: Excel.Range, supports: Supports): Promise<Excel.Table | null> {
  if (!supports("ExcelApi", "1.9")) return null; // an older Excel: the region is what Ctrl+A would select
  const tables = cell.getTables(false);
  tables.load("items/name");
  await context.sync();
  return tables.items.length > 0 ? tables.items[0] : null;
}

/** Rows of values of a block of cells, read in chunks of at most MAX_CELLS_PER_SYNC cells. */
async function readRows(context: Excel.RequestContext, sheet: Excel.Worksheet, row: number, col: number, rows: number, cols: number): Promise<unknown[][]> {
  const values: unknown[][] = [];
  const step = rowsPerChunk(cols);
  const pieces: Excel.Range[] = [];
  for (let r0 = 0; r0 < rows; r0 += step) {
    const piece = sheet.getRangeByIndexes(row + r0, col, Math.min(step, rows - r0), cols);
    piece.load("values");
    pieces.push(piece);
    if (pieces.length * step * cols >= MAX_CELLS_PER_SYNC || r0 + step >= rows) {
      await context.sync();
      for (const p of pieces) for (const v of p.values) values.push(v);
      pieces.length = 0;
    }
  }
  return values;
}

/**
 * A table: its header row (the column names) and its data body, never its Total Row, whose
 * sums and labels are not observations (Table.getRange() includes both rows:
 * https://learn.microsoft.com/javascript/api/excel/excel.table).
 */
async function readTable(context: Excel.RequestContext, table: Excel.Table): Promise<DataSelection> {
  table.load("name,showHeaders");
  const body = table.getDataBodyRange();
  body.load("address,rowIndex,columnIndex,rowCount,columnCount");
  await context.sync();
  if (!table.showHeaders) {
    throw new WorkbookError(`The table "${table.name}" hides its header row, which holds the column names: show it (Table Design > Header Row) and try again.`);
  }
  const header = table.getHeaderRowRange();
  header.load("values");
  await context.sync();
  const rows = await readRows(context, body.worksheet, body.rowIndex, body.columnIndex, body.rowCount, body.columnCount);
  const sheet = parseAddress(body.address)?.sheet ?? "";
  const address = `${quoteSheetName(sheet)}!${cellAddress(body.rowIndex - 1, body.columnIndex, body.rowCount + 1, body.columnCount)}`;
  return { address, values: [header.values[0], ...rows] };
}

/**
 * A selection of several cells without the Total Row of a table it covers: a whole table
 * selected, totals included, is read as its header and data. A selection that runs on below a
 * Total Row is refused: the totals would sit among the data.
 */
async function withoutTotalRows(context: Excel.RequestContext, range: Excel.Range, supports: Supports): Promise<Excel.Range> {
  if (!supports("ExcelApi", "1.9")) return range;
  const tables = range.getTables(false);
  tables.load("items/name,items/showTotals");
  range.load("rowIndex,rowCount,columnIndex,columnCount");
  await context.sync();
  const totals = tables.items.filter((t) => t.showTotals).map((t) => ({ name: t.name, row: t.getTotalRowRange().load("rowIndex") }));
  if (totals.length === 0) return range;
  await context.sync();
  const last = range.rowIndex + range.rowCount - 1;
  let rows = range.rowCount;
  for (const t of totals) {
    const r = t.row.rowIndex;
    if (r < range.rowIndex || r > last) continue;
    if (r !== last || range.rowCount === 1) {
      throw new WorkbookError(`The selection includes the Total Row of the table "${t.name}" among the data: select the table's header and data, or one cell inside it.`);
    }
    rows = range.rowCount - 1;
  }
  return rows === range.rowCount ? range : range.worksheet.getRangeByIndexes(range.rowIndex, range.columnIndex, rows, range.columnCount);
}

/** A block of cells, cut to the sheet's used range (a whole-column selection reaches row 1,048,576). */
async function readBlock(context: Excel.RequestContext, range: Excel.Range): Promise<DataSelection> {
  const used = range.getIntersectionOrNullObject(range.worksheet.getUsedRange(true));
  used.load("address,rowIndex,columnIndex,rowCount,columnCount");
  await context.sync();
  if (used.isNullObject) throw new WorkbookError("The selection is empty: select the data (header row first), or a cell inside them.");
  const values = await readRows(context, used.worksheet, used.rowIndex, used.columnIndex, used.rowCount, used.columnCount);
  return { address: used.address, values };
}

export class ExcelWorkbook implements WorkbookGateway {
  readonly kind = "excel" as const;
  constructor(private readonly run: ExcelRun = (batch) => Excel.run(batch), private readonly supports: Supports = officeSupports) {}

  /** The selection; or, for a single cell, the table it is in (header and data), or the region around it. */
  readSelectionOrRegion(): Promise<DataSelection> {
    return this.run(async (context) => {
      const range = await selectedRange(context, this.supports);
      if (range.cellCount > 1) return readBlock(context, await withoutTotalRows(context, range, this.supports));
      const table = await tableAt(context, range, this.supports);
      return table ? readTable(context, table) : readBlock(context, range.getSurroundingRegion());
    });
  }

  createSummarySheet(content: SummaryContent): Promise<{ sheetName: string }> {
    return this.run(async (context) => {
      const sheets = context.workbook.worksheets;
      sheets.load("items/name");
      await context.sync();
      const name = uniqueSheetName(sheets.items.map((s) => s.name), content.sheetBaseName);
      const sheet = sheets.add(name);
      await context.sync();
      await applyLayout(context, sheet, content, this.supports);
      sheet.activate();
      sheet.getRange("A1").select();
      await context.sync();
      return { sheetName: name };
    });
  }

  insertFormula(formula: string): Promise<{ address: string }> {
    return this.run(async (context) => {
      const cell = (await selectedRange(context, this.supports)).getCell(0, 0);
      cell.load("address,values,formulas");
      await context.sync();
      const v = cell.formulas[0][0];
      if (v !== "" && v !== null && v !== undefined) {
        throw new WorkbookError(`${cell.address} is not empty: select an empty cell with room below and to the right for the results.`);
      }
      cell.formulas = [[formula]];
      await context.sync();
      return { address: cell.address };
    });
  }
}
