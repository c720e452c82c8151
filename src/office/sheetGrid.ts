/**
 * A sheet as the workbook preview draws it: the text of each cell as Excel shows it (number
 * formats applied), bold and large rows, the fills of the tables' look, fitted column widths,
 * and the charts with the values their series reference. Pure, so that what the preview shows
 * of a summary sheet is tested (test/office/sheetGrid.test.ts) without a browser.
 */
import { parseAddress } from "./a1";
import type { ChartSpec, SummaryLayout } from "./layout";
import { HEADER_FILL, lookFills } from "./layout";
import { formatCellText } from "./numberFormat";

export interface GridCell {
  text: string;
  numeric: boolean;
  bold?: boolean;
  large?: boolean;
  fill?: string;
}

export interface GridChart {
  spec: ChartSpec;
  series: { name: string; x: number[]; y: number[]; style: "markers" | "dash" | "line" }[];
  /** Where it stands: 0-based first row and column, and how many of each it spans. */
  row: number;
  col: number;
  rows: number;
  cols: number;
}

export interface SheetGrid {
  rows: number;
  cols: number;
  cell(r: number, c: number): GridCell | undefined;
  /** Column widths in pixels: fitted to the text (40–240 px, as the sheet caps them); empty columns keep Excel's default 64 px. */
  widths: number[];
  charts: GridChart[];
}

const CHAR_PX = 7;

function fitWidths(cols: number, each: (visit: (c: number, text: string, bold: boolean) => void) => void): number[] {
  const longest = new Array<number>(cols).fill(0);
  each((c, text, bold) => { longest[c] = Math.max(longest[c], text.length * (bold ? 1.1 : 1)); });
  return longest.map((n) => (n === 0 ? 64 : Math.round(Math.min(240, Math.max(40, n * CHAR_PX + 12)))));
}

/** The data sheet: the cells as they are (Excel's General format). */
export function gridOfRows(rows: readonly (readonly unknown[])[]): SheetGrid {
  const cols = rows.reduce((w, r) => Math.max(w, r.length), 0);
  const cell = (r: number, c: number): GridCell | undefined => {
    const v = rows[r]?.[c];
    if (v === undefined || v === null || v === "") return undefined;
    return { text: formatCellText(v), numeric: typeof v === "number", bold: r === 0 || undefined, fill: r === 0 ? HEADER_FILL : undefined };
  };
  const widths = fitWidths(cols, (visit) => rows.slice(0, 200).forEach((row, r) => row.forEach((v, c) => visit(c, formatCellText(v), r === 0))));
  return { rows: rows.length, cols, cell, widths, charts: [] };
}

/** A summary sheet, from the layout written to it. */
export function gridOfLayout(layout: SummaryLayout): SheetGrid {
  const cells = new Map<number, GridCell>();
  let rows = 0;
  let cols = 0;
  for (const b of layout.blocks) {
    rows = Math.max(rows, b.row + b.values.length);
    cols = Math.max(cols, b.col + b.values[0].length);
  }
  for (const ch of layout.charts) {
    const end = parseAddress(ch.bottomRight)!;
    rows = Math.max(rows, end.row + 1);
    cols = Math.max(cols, end.col + 1);
  }
  const key = (r: number, c: number) => r * cols + c;
  for (const b of layout.blocks) {
    const fills = new Map(lookFills(b).map((f) => [f.row, f.color]));
    const bold = new Set(b.boldRows);
    const large = new Set(b.largeRows ?? []);
    b.values.forEach((row, i) => row.forEach((v, j) => {
      const fill = fills.get(i);
      if (v === "" && !fill) return;
      cells.set(key(b.row + i, b.col + j), { text: formatCellText(v, b.formats[i][j]), numeric: typeof v === "number", bold: bold.has(i) || undefined, large: large.has(i) || undefined, fill });
    }));
  }
  const widths = fitWidths(cols, (visit) => {
    for (const [k, cell] of cells) if (!cell.large && !(cell.bold && cell.text.length > 30)) visit(k % cols, cell.text, cell.bold === true);
  });
  const valuesAt = (a1: string): number[] => {
    const p = parseAddress(a1);
    if (!p) return [];
    return Array.from({ length: p.rows }, (_, i) => {
      const b = layout.blocks.find((x) => p.row + i >= x.row && p.row + i < x.row + x.values.length && p.col >= x.col && p.col < x.col + x.values[0].length);
      const v = b ? b.values[p.row + i - b.row][p.col - b.col] : NaN;
      return typeof v === "number" ? v : NaN;
    });
  };
  const charts = layout.charts.map((spec): GridChart => {
    const tl = parseAddress(spec.topLeft)!;
    const br = parseAddress(spec.bottomRight)!;
    return {
      spec,
      series: spec.series.map((s) => ({ name: s.name, x: valuesAt(s.x), y: valuesAt(s.y), style: s.style })),
      row: tl.row, col: tl.col, rows: br.row - tl.row + 1, cols: br.col - tl.col + 1,
    };
  });
  return { rows, cols, cell: (r, c) => cells.get(key(r, c)), widths, charts };
}

