/// <reference types="office-js" />
/**
 * The workbook through Office.js. Reads and writes go in chunks of at most MAX_ROWS_PER_SYNC
 * rows and MAX_CELLS_PER_SYNC cells per context.sync(), so that 100,000-row outputs stay under
 * Excel's request size limit (about 5 MB on the web); small blocks share one sync.
 */
import { parseAddress, uniqueSheetName } from "./a1";
import { DataSelection, SummaryContent, WorkbookError, WorkbookGateway } from "./gateway";
import { lookFills, TABLE_STYLE } from "./layout";
import type { ChartSpec, LayoutBlock, SummaryLayout } from "./layout";

export const MAX_ROWS_PER_SYNC = 5000;
export const MAX_CELLS_PER_SYNC = 20_000;
/** Column width cap after autofit, in points (long notes overflow into the empty cells beside them). */
export const MAX_COLUMN_WIDTH = 180;

export type ExcelRun = <T>(batch: (context: Excel.RequestContext) => Promise<T>) => Promise<T>;

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

async function writeBlock(sheet: Excel.Worksheet, b: LayoutBlock, w: ChunkedWriter): Promise<void> {
  const width = b.values[0].length;
  const step = rowsPerChunk(width);
  for (let r0 = 0; r0 < b.values.length; r0 += step) {
    const k = Math.min(step, b.values.length - r0);
    await w.reserve(k * width);
    const range = sheet.getRangeByIndexes(b.row + r0, b.col, k, width);
    // the format first: text cells are set to "@" so that Excel keeps them as typed
    range.numberFormat = b.formats.slice(r0, r0 + k);
    range.values = b.values.slice(r0, r0 + k);
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
  chart.title.text = spec.title;
  chart.title.format.font.size = 12;
  spec.series.forEach((s, i) => {
    const series = i === 0 ? chart.series.getItemAt(0) : chart.series.add(s.name);
    series.setXAxisValues(sheet.getRange(s.x));
    series.setValues(sheet.getRange(s.y));
    series.name = s.name;
    if (s.style === "line") {
      series.chartType = "XYScatterLinesNoMarkers";
    } else {
      series.markerStyle = s.style === "dash" ? "Dash" : "Circle";
      series.markerSize = s.style === "dash" ? 5 : 3;
    }
  });
  chart.legend.visible = spec.series.length > 1;
  chart.legend.position = "Bottom";
  chart.axes.categoryAxis.title.text = spec.xTitle;
  chart.axes.valueAxis.title.text = spec.yTitle;
  chart.setPosition(spec.topLeft, spec.bottomRight);
}

/** Writes a layout onto an (empty, new) sheet: blocks in chunks, charts, column widths. Returns the number of syncs. */
export async function applyLayout(context: Excel.RequestContext, sheet: Excel.Worksheet, layout: SummaryLayout): Promise<number> {
  const w = new ChunkedWriter(context);
  for (const b of layout.blocks) await writeBlock(sheet, b, w);
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

export class ExcelWorkbook implements WorkbookGateway {
  readonly kind = "excel" as const;
  constructor(private readonly run: ExcelRun = (batch) => Excel.run(batch)) {}

  readSelectionOrRegion(): Promise<DataSelection> {
    return this.run(async (context) => {
      let range = context.workbook.getSelectedRange();
      range.load("cellCount");
      await context.sync();
      if (range.cellCount === 1) {
        // a single cell: the table it belongs to, or the region around it
        let table: Excel.Table | null = null;
        try {
          const tables = range.getTables(false); // ExcelApi 1.9
          tables.load("items/name");
          await context.sync();
          table = tables.items.length > 0 ? tables.items[0] : null;
        } catch {
          table = null; // an older Excel: the region is what Ctrl+A would select
        }
        range = table ? table.getRange() : range.getSurroundingRegion();
      }
      // a whole-column selection reaches row 1,048,576: keep the used part
      const used = range.getIntersectionOrNullObject(range.worksheet.getUsedRange(true));
      used.load("address,rowIndex,columnIndex,rowCount,columnCount");
      await context.sync();
      if (used.isNullObject) throw new WorkbookError("The selection is empty: select the data (header row first), or a cell inside them.");
      const sheet = used.worksheet;
      const values: unknown[][] = [];
      const step = rowsPerChunk(used.columnCount);
      const pieces: Excel.Range[] = [];
      for (let r0 = 0; r0 < used.rowCount; r0 += step) {
        const piece = sheet.getRangeByIndexes(used.rowIndex + r0, used.columnIndex, Math.min(step, used.rowCount - r0), used.columnCount);
        piece.load("values");
        pieces.push(piece);
        if (pieces.length * step * used.columnCount >= MAX_CELLS_PER_SYNC || r0 + step >= used.rowCount) {
          await context.sync();
          for (const p of pieces) for (const row of p.values) values.push(row);
          pieces.length = 0;
        }
      }
      return { address: used.address, values };
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
      await applyLayout(context, sheet, content);
      sheet.activate();
      sheet.getRange("A1").select();
      await context.sync();
      return { sheetName: name };
    });
  }

  insertFormula(formula: string): Promise<{ address: string }> {
    return this.run(async (context) => {
      const cell = context.workbook.getSelectedRange().getCell(0, 0);
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
