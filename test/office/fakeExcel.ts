/**
 * A small, faithful fake of the part of the Excel JavaScript API that src/office uses: a
 * workbook of worksheets holding cells (value, number format, formula, bold, size), ranges
 * with load()/sync() semantics (a loaded property can be read only after context.sync()), the
 * worksheets collection, tables (header, body, total row), single and multi-area selections,
 * charts with series, requirement sets, and a log of every sync with the cells written since the
 * previous one. What Excel documents and an add-in can trip on is modelled, each with the page
 * that says so:
 *  - a string written to Range.values that starts with "=", "+" or "-" becomes a formula
 *    (Excel.Range.values: "If the returned value starts with a plus ("+"), minus ("-"), or equal
 *    sign ("="), Excel interprets this value as a formula"), unless the cell is formatted as text
 *    ("@"), as typing into such a cell does; numeric text becomes a number, as typed;
 *  - Range.valuesAsJson writes typed values (a StringCellValue stays text: its basicValue is
 *    "the value that would be returned by Range.values"; ExcelApi 1.16,
 *    https://learn.microsoft.com/office/dev/add-ins/excel/excel-data-types-concepts);
 *  - Workbook.getSelectedRange() "will throw an error" when several ranges are selected
 *    (Excel.Workbook reference); getSelectedRanges() (ExcelApi 1.9) returns them all
 *    (https://learn.microsoft.com/office/dev/add-ins/excel/excel-add-ins-multiple-ranges);
 *  - Table.getRange() is the whole table, header row and total row included; the header, the
 *    data body and the total row each have their own range (Excel.Table reference,
 *    https://learn.microsoft.com/office/dev/add-ins/excel/excel-add-ins-tables).
 * FakeFunctionsHost, below, is Excel calling custom functions.
 */
import { cellAddress, columnLetters, parseAddress, quoteSheetName } from "../../src/office/a1";

export interface CellState {
  value: unknown;
  format?: string;
  formula?: string;
  bold?: boolean;
  size?: number;
  fill?: string;
}

export interface WriteRecord {
  sheet: string;
  address: string;
  rows: number;
  cols: number;
  what: "values" | "numberFormat" | "formulas";
}

class NotLoaded extends Error {
  constructor(what: string) {
    super(`PropertyNotLoaded: ${what} was read before load() and sync()`);
  }
}

/**
 * A chart or axis title. Its `text` is documented as the title's text; a title typed as "=..." in
 * Excel links to a cell instead, and the reference does not say that the API's text cannot:
 * the fake takes the cautious reading and records such text as a formula.
 */
export class FakeTitle {
  private value = "";
  formula: string | null = null;
  format = { font: { size: 0 } };
  get text(): string { return this.value; }
  set text(t: string) {
    this.value = t;
    this.formula = /^[=+-]/.test(t) ? t : null;
  }
}

export class FakeChartSeries {
  private value = "";
  /** As for titles: a name typed as "=..." refers to cells. */
  nameFormula: string | null = null;
  x: string | null = null;
  y: string | null = null;
  markerStyle = "Automatic";
  markerSize = 5;
  chartType = "";
  get name(): string { return this.value; }
  set name(t: string) { this.value = t; this.nameFormula = /^[=+-]/.test(t) ? t : null; }
  setXAxisValues(r: FakeRange) { this.x = r.plainAddress; }
  setValues(r: FakeRange) { this.y = r.plainAddress; }
}

export class FakeChart {
  title = new FakeTitle();
  legend = { visible: true, position: "Right" };
  axes = { categoryAxis: { title: new FakeTitle() }, valueAxis: { title: new FakeTitle() } };
  position: [string, string] | null = null;
  readonly seriesList: FakeChartSeries[] = [];
  readonly series = {
    getItemAt: (i: number) => this.seriesList[i],
    add: (name: string) => { const s = new FakeChartSeries(); s.name = name; this.seriesList.push(s); return s; },
  };
  constructor(readonly type: string, source: FakeRange, readonly seriesBy: string) {
    // like Excel: one series per column of the source
    for (let c = 0; c < source.cols; c++) {
      const s = new FakeChartSeries();
      s.y = source.plainAddress;
      this.seriesList.push(s);
    }
  }
  setPosition(a: string, b: string) { this.position = [a, b]; }
}

export class FakeWorksheet {
  readonly cells = new Map<string, CellState>();
  readonly chartList: FakeChart[] = [];
  readonly columnWidths = new Map<number, number>();
  autofitCalls: string[] = [];
  active = false;
  readonly charts = {
    add: (type: string, source: FakeRange, seriesBy: string) => {
      const c = new FakeChart(type, source, seriesBy);
      this.chartList.push(c);
      return c;
    },
  };
  readonly tables = {
    add: (range: FakeRange | string, _hasHeaders: boolean) => {
      const address = typeof range === "string" ? range : range.plainAddress;
      const t = new FakeTable(this, `Table${this.ctx.workbook.tables.length + 1}`, address);
      if (this.ctx.workbook.tables.some((x) => x.sheet === this && overlapsAddress(x, address))) throw new Error(`InvalidArgument: a table cannot overlap another table (${address})`);
      this.ctx.workbook.tables.push(t);
      return t;
    },
  };
  constructor(readonly ctx: FakeContext, public name: string) {}

  cell(r: number, c: number): CellState {
    const k = `${r},${c}`;
    let s = this.cells.get(k);
    if (!s) { s = { value: "" }; this.cells.set(k, s); }
    return s;
  }
  peek(r: number, c: number): CellState | undefined {
    return this.cells.get(`${r},${c}`);
  }
  /** The value at an A1 address ("" when empty). */
  valueAt(a1: string): unknown {
    const p = parseAddress(a1)!;
    return this.peek(p.row, p.col)?.value ?? "";
  }
  /** Values of a rectangle. */
  valuesOf(a1: string): unknown[][] {
    const p = parseAddress(a1)!;
    return Array.from({ length: p.rows }, (_, i) => Array.from({ length: p.cols }, (_, j) => this.peek(p.row + i, p.col + j)?.value ?? ""));
  }
  isEmptyCell(r: number, c: number): boolean {
    const s = this.peek(r, c);
    return !s || ((s.value === "" || s.value === null || s.value === undefined) && !s.formula);
  }

  getRange(address: string): FakeRange {
    const m = /^([A-Z]+):([A-Z]+)$/.exec(address);
    if (m) {
      const p = parseAddress(`${m[1]}1:${m[2]}1`)!;
      return new FakeRange(this, 0, p.col, 1_048_576, p.cols);
    }
    const p = parseAddress(address);
    if (!p) throw new Error(`InvalidArgument: ${address}`);
    return new FakeRange(this, p.row, p.col, p.rows, p.cols);
  }
  getRangeByIndexes(row: number, col: number, rows: number, cols: number): FakeRange {
    if (rows < 1 || cols < 1) throw new Error("InvalidArgument: empty range");
    return new FakeRange(this, row, col, rows, cols);
  }
  getUsedRange(_valuesOnly?: boolean): FakeRange {
    let r0 = Infinity, c0 = Infinity, r1 = -1, c1 = -1;
    for (const [k, s] of this.cells) {
      if (s.value === "" && !s.formula) continue;
      const [r, c] = k.split(",").map(Number);
      r0 = Math.min(r0, r); c0 = Math.min(c0, c); r1 = Math.max(r1, r); c1 = Math.max(c1, c);
    }
    if (r1 < 0) return new FakeRange(this, 0, 0, 1, 1);
    return new FakeRange(this, r0, c0, r1 - r0 + 1, c1 - c0 + 1);
  }
  activate() { this.ctx.workbook.activeSheet = this; }
  load() { return this; }
  /** Puts rows of values at a cell (test setup; not counted as writes). */
  setValues(row: number, col: number, values: unknown[][]) {
    values.forEach((r, i) => r.forEach((v, j) => { this.cell(row + i, col + j).value = v; }));
  }
}

/** What typing `x` into the cell leaves there (see the file's comment). */
function enterValue(cell: CellState, x: unknown): void {
  delete cell.formula;
  if (typeof x !== "string" || cell.format === "@") { cell.value = x; return; }
  if (/^[=+-]/.test(x) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(x)) {
    cell.formula = x.startsWith("=") ? x : `=${x}`;
    cell.value = stringLiteralFormula(cell.formula) ?? "#NAME?";
    return;
  }
  const n = x.trim() === "" ? NaN : Number(x);
  cell.value = Number.isFinite(n) ? n : x;
}

/** The text of a formula made of string literals joined by &: ="a""b"&"c" is a"bc; null for any other formula. */
export function stringLiteralFormula(f: string): string | null {
  const m = /^=\s*("(?:[^"]|"")*"(?:\s*&\s*"(?:[^"]|"")*")*)\s*$/.exec(f);
  if (!m) return null;
  return [...m[1].matchAll(/"((?:[^"]|"")*)"/g)].map((p) => p[1].replace(/""/g, '"')).join("");
}

export class FakeRange {
  private loaded = new Set<string>();
  private requested = new Set<string>();
  isNullObject = false;
  readonly format: {
    font: { bold: boolean; size: number };
    fill: { color: string };
    autofitColumns: () => void;
    columnWidth: number;
    load: (p: string) => void;
  };
  constructor(readonly sheet: FakeWorksheet, readonly row: number, readonly col: number, readonly rows: number, readonly cols: number) {
    const self = this;
    const font = {
      set bold(b: boolean) { self.each((s) => { s.bold = b; }); },
      get bold() { return self.sheet.peek(self.row, self.col)?.bold ?? false; },
      set size(n: number) { self.each((s) => { s.size = n; }); },
      get size() { return self.sheet.peek(self.row, self.col)?.size ?? 11; },
    };
    let widthRequested = false;
    let widthLoaded = false;
    const fill = {
      set color(c: string) { self.each((s) => { s.fill = c; }); },
      get color() { return self.sheet.peek(self.row, self.col)?.fill ?? "#FFFFFF"; },
    };
    this.format = {
      font,
      fill,
      autofitColumns: () => {
        this.sheet.autofitCalls.push(this.plainAddress);
        // width from the longest text in each column, about 6 points a character
        const widths = new Map<number, number>();
        for (const [k, s] of this.sheet.cells) {
          const [r, c] = k.split(",").map(Number);
          if (c < this.col || c >= this.col + this.cols || r < this.row || r >= this.row + this.rows) continue;
          widths.set(c, Math.max(widths.get(c) ?? 0, String(s.value ?? "").length * 6 + 6));
        }
        for (const [c, w] of widths) this.sheet.columnWidths.set(c, w);
      },
      get columnWidth() {
        if (!widthLoaded) throw new NotLoaded("format.columnWidth");
        return self.sheet.columnWidths.get(self.col) ?? 48;
      },
      set columnWidth(w: number) {
        for (let c = self.col; c < self.col + self.cols; c++) self.sheet.columnWidths.set(c, w);
      },
      load: (p: string) => {
        if (p === "columnWidth") { widthRequested = true; this.sheet.ctx.onSync(() => { if (widthRequested) widthLoaded = true; }); }
      },
    };
  }

  get plainAddress(): string {
    return cellAddress(this.row, this.col, this.rows, this.cols);
  }
  private each(f: (s: CellState) => void) {
    for (let i = 0; i < this.rows; i++) for (let j = 0; j < this.cols; j++) f(this.sheet.cell(this.row + i, this.col + j));
  }
  private need(p: string) {
    if (!this.loaded.has(p)) throw new NotLoaded(p);
  }
  load(props: string): this {
    for (const p of props.split(",").map((s) => s.trim())) this.requested.add(p);
    this.sheet.ctx.onSync(() => { for (const p of this.requested) this.loaded.add(p); });
    return this;
  }
  private check2d(v: unknown[][], what: string) {
    if (!Array.isArray(v) || v.length !== this.rows || v.some((r) => !Array.isArray(r) || r.length !== this.cols)) {
      throw new Error(`InvalidArgument: ${what} of ${v.length}×${v[0]?.length} for range ${this.plainAddress} (${this.rows}×${this.cols})`);
    }
  }
  private record(what: WriteRecord["what"]) {
    this.sheet.ctx.writes.push({ sheet: this.sheet.name, address: this.plainAddress, rows: this.rows, cols: this.cols, what });
    this.sheet.ctx.cellsSinceSync += what === "values" || what === "formulas" ? this.rows * this.cols : 0;
  }

  set values(v: unknown[][]) {
    this.check2d(v, "values");
    this.record("values");
    v.forEach((r, i) => r.forEach((x, j) => enterValue(this.sheet.cell(this.row + i, this.col + j), x)));
  }
  /** Typed values (ExcelApi 1.16): taken as they are, never read as formulas or numbers. */
  set valuesAsJson(v: { type: string; basicValue?: unknown }[][]) {
    if (!this.sheet.ctx.supports("ExcelApi", "1.16")) throw new Error("ApiNotFound: Range.valuesAsJson needs ExcelApi 1.16");
    this.check2d(v, "valuesAsJson");
    this.record("values");
    v.forEach((r, i) => r.forEach((x, j) => {
      const s = this.sheet.cell(this.row + i, this.col + j);
      s.value = x.type === "Empty" ? "" : x.basicValue;
      delete s.formula;
    }));
  }
  get values(): unknown[][] {
    this.need("values");
    return Array.from({ length: this.rows }, (_, i) => Array.from({ length: this.cols }, (_, j) => this.sheet.peek(this.row + i, this.col + j)?.value ?? ""));
  }
  set numberFormat(v: string[][]) {
    this.check2d(v, "numberFormat");
    this.record("numberFormat");
    v.forEach((r, i) => r.forEach((x, j) => { this.sheet.cell(this.row + i, this.col + j).format = x; }));
  }
  set formulas(v: unknown[][]) {
    this.check2d(v, "formulas");
    this.record("formulas");
    v.forEach((r, i) => r.forEach((x, j) => {
      const s = this.sheet.cell(this.row + i, this.col + j);
      if (typeof x !== "string" || !x.startsWith("=")) { enterValue(s, x); return; }
      s.formula = x;
      // a formula of string literals joined by & calculates to its text; others are left calculating
      const text = stringLiteralFormula(x);
      s.value = text ?? "#BUSY!";
    }));
  }
  get formulas(): unknown[][] {
    this.need("formulas");
    return Array.from({ length: this.rows }, (_, i) => Array.from({ length: this.cols }, (_, j) => { const s = this.sheet.peek(this.row + i, this.col + j); return s?.formula ?? s?.value ?? ""; }));
  }
  get address(): string { this.need("address"); return `${quoteSheetName(this.sheet.name)}!${this.plainAddress}`; }
  get cellCount(): number { this.need("cellCount"); return this.rows * this.cols; }
  get rowIndex(): number { this.need("rowIndex"); return this.row; }
  get columnIndex(): number { this.need("columnIndex"); return this.col; }
  get rowCount(): number { this.need("rowCount"); return this.rows; }
  get columnCount(): number { this.need("columnCount"); return this.cols; }
  get worksheet(): FakeWorksheet { return this.sheet; }

  getCell(r: number, c: number): FakeRange { return new FakeRange(this.sheet, this.row + r, this.col + c, 1, 1); }
  getEntireColumn(): FakeRange { return new FakeRange(this.sheet, 0, this.col, 1_048_576, this.cols); }
  getTables(_fullyContained?: boolean) {
    if (!this.sheet.ctx.supports("ExcelApi", "1.9")) throw new Error("ApiNotFound: Range.getTables needs ExcelApi 1.9");
    const tables = this.sheet.ctx.workbook.tables.filter((t) => t.sheet === this.sheet && t.overlaps(this.row, this.col, this.rows, this.cols));
    const out = { items: [] as FakeTable[], load: (_p: string) => { this.sheet.ctx.onSync(() => { out.items = tables; }); return out; } };
    return out;
  }
  /** The contiguous block of non-empty cells around this range (Ctrl+A in Excel). */
  getSurroundingRegion(): FakeRange {
    let r0 = this.row, c0 = this.col, r1 = this.row + this.rows - 1, c1 = this.col + this.cols - 1;
    const rowHas = (r: number, a: number, b: number) => { for (let c = Math.max(0, a); c <= b; c++) if (!this.sheet.isEmptyCell(r, c)) return true; return false; };
    const colHas = (c: number, a: number, b: number) => { for (let r = Math.max(0, a); r <= b; r++) if (!this.sheet.isEmptyCell(r, c)) return true; return false; };
    for (let grew = true; grew;) {
      grew = false;
      while (r0 > 0 && rowHas(r0 - 1, c0 - 1, c1 + 1)) r0--;
      while (rowHas(r1 + 1, c0 - 1, c1 + 1)) r1++;
      while (c0 > 0 && colHas(c0 - 1, r0 - 1, r1 + 1)) { c0--; grew = true; }
      while (colHas(c1 + 1, r0 - 1, r1 + 1)) { c1++; grew = true; }
    }
    return new FakeRange(this.sheet, r0, c0, r1 - r0 + 1, c1 - c0 + 1);
  }
  getIntersectionOrNullObject(other: FakeRange): FakeRange {
    const r0 = Math.max(this.row, other.row), c0 = Math.max(this.col, other.col);
    const r1 = Math.min(this.row + this.rows, other.row + other.rows) - 1, c1 = Math.min(this.col + this.cols, other.col + other.cols) - 1;
    if (r1 < r0 || c1 < c0 || other.sheet !== this.sheet) {
      const n = new FakeRange(this.sheet, 0, 0, 1, 1);
      n.isNullObject = true;
      return n;
    }
    return new FakeRange(this.sheet, r0, c0, r1 - r0 + 1, c1 - c0 + 1);
  }
  select() { this.sheet.ctx.workbook.selection = { sheet: this.sheet, address: this.plainAddress }; }
}

export interface TableOptions {
  showHeaders?: boolean;
  showTotals?: boolean;
}

/**
 * An Excel table over `address`, which holds its header row (when shown), its data body and its
 * total row (when shown), as Table.getRange() does.
 */
function overlapsAddress(t: FakeTable, address: string): boolean {
  const b = parseAddress(address)!;
  return t.overlaps(b.row, b.col, b.rows, b.cols);
}

export class FakeTable {
  style = "TableStyleMedium2";
  showFilterButton = true;
  showHeaders: boolean;
  showTotals: boolean;
  constructor(readonly sheet: FakeWorksheet, readonly name: string, readonly address: string, options: TableOptions = {}) {
    this.showHeaders = options.showHeaders ?? true;
    this.showTotals = options.showTotals ?? false;
  }
  private get p() { return parseAddress(this.address)!; }
  contains(r: number, c: number): boolean {
    const p = this.p;
    return r >= p.row && r < p.row + p.rows && c >= p.col && c < p.col + p.cols;
  }
  overlaps(row: number, col: number, rows: number, cols: number): boolean {
    const p = this.p;
    return row < p.row + p.rows && p.row < row + rows && col < p.col + p.cols && p.col < col + cols;
  }
  load(_p?: string): this { return this; }
  getRange(): FakeRange { return this.sheet.getRange(this.address); }
  getHeaderRowRange(): FakeRange {
    // the header row's range, even when hidden (it is then not in `address`)
    const p = this.p;
    return new FakeRange(this.sheet, this.showHeaders ? p.row : p.row - 1, p.col, 1, p.cols);
  }
  getDataBodyRange(): FakeRange {
    const p = this.p;
    const top = this.showHeaders ? 1 : 0;
    return new FakeRange(this.sheet, p.row + top, p.col, p.rows - top - (this.showTotals ? 1 : 0), p.cols);
  }
  getTotalRowRange(): FakeRange {
    const p = this.p;
    if (!this.showTotals) this.sheet.ctx.failNextSync(new Error(`ItemNotFound: the table ${this.name} shows no total row`));
    return new FakeRange(this.sheet, p.row + p.rows - 1, p.col, 1, p.cols);
  }
}

/** The areas of a selection (Excel.RangeAreas). */
export class FakeRangeAreas {
  constructor(private readonly sheet: FakeWorksheet, private readonly addresses: string[]) {}
  private loaded = false;
  load(_p?: string): this {
    this.sheet.ctx.onSync(() => { this.loaded = true; });
    return this;
  }
  get areaCount(): number { if (!this.loaded) throw new NotLoaded("areaCount"); return this.addresses.length; }
  get address(): string { if (!this.loaded) throw new NotLoaded("address"); return this.addresses.map((a) => `${quoteSheetName(this.sheet.name)}!${a}`).join(","); }
  readonly areas = { items: [] as FakeRange[] };
}

export class FakeWorkbook {
  readonly sheets: FakeWorksheet[] = [];
  readonly tables: FakeTable[] = [];
  activeSheet: FakeWorksheet;
  selection: { sheet: FakeWorksheet; address: string };
  readonly worksheets: {
    items: FakeWorksheet[];
    load: (p: string) => void;
    add: (name: string) => FakeWorksheet;
    getItem: (name: string) => FakeWorksheet;
  };
  constructor(readonly ctx: FakeContext, firstSheet = "Sheet1") {
    const s = new FakeWorksheet(ctx, firstSheet);
    this.sheets.push(s);
    this.activeSheet = s;
    this.selection = { sheet: s, address: "A1" };
    let items: FakeWorksheet[] | null = null;
    const wb = this;
    this.worksheets = {
      get items() { if (!items) throw new NotLoaded("worksheets.items"); return items; },
      load: (_p: string) => { ctx.onSync(() => { items = [...wb.sheets]; }); },
      add: (name: string) => {
        if (wb.sheets.some((x) => x.name.toLowerCase() === name.toLowerCase())) throw new Error(`ItemAlreadyExists: a sheet named "${name}" exists`);
        if (name.length > 31 || /[\\/?*[\]:]/.test(name)) throw new Error(`InvalidArgument: sheet name "${name}"`);
        const sh = new FakeWorksheet(ctx, name);
        wb.sheets.push(sh);
        return sh;
      },
      getItem: (name: string) => {
        const sh = wb.sheets.find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!sh) throw new Error(`ItemNotFound: ${name}`);
        return sh;
      },
    };
  }
  sheet(name: string): FakeWorksheet {
    return this.worksheets.getItem(name);
  }
  addSheet(name: string): FakeWorksheet {
    return this.worksheets.add(name);
  }
  /** "If there are multiple ranges selected, this method will throw an error": at the next sync, as Office.js reports errors. */
  getSelectedRange(): FakeRange {
    const areas = this.selection.address.split(",");
    if (areas.length > 1) this.ctx.failNextSync(new Error("InvalidSelection: the current selection is invalid for this operation"));
    return this.selection.sheet.getRange(areas[0]);
  }
  getSelectedRanges(): FakeRangeAreas {
    if (!this.ctx.supports("ExcelApi", "1.9")) throw new Error("ApiNotFound: Workbook.getSelectedRanges needs ExcelApi 1.9");
    return new FakeRangeAreas(this.selection.sheet, this.selection.address.split(","));
  }
  /** Test setup: select a range, or several ("A1:B5,D1:D5"). */
  select(sheet: string, address: string) {
    this.selection = { sheet: this.sheet(sheet), address };
  }
}

export class FakeContext {
  readonly workbook: FakeWorkbook;
  syncs = 0;
  /** Cells written (values, formulas) in each batch, one entry per sync. */
  readonly cellsPerSync: number[] = [];
  cellsSinceSync = 0;
  readonly writes: WriteRecord[] = [];
  private onSyncs: (() => void)[] = [];
  /** The newest ExcelApi version this Excel has (Office.context.requirements.isSetSupported). */
  excelApi = "1.16";
  private failure: Error | null = null;
  constructor() {
    this.workbook = new FakeWorkbook(this);
  }
  supports = (set: string, version: string): boolean => {
    if (set !== "ExcelApi") return false;
    const [a, b] = version.split(".").map(Number), [x, y] = this.excelApi.split(".").map(Number);
    return a < x || (a === x && b <= y);
  };
  onSync(f: () => void) {
    this.onSyncs.push(f);
  }
  /** An error of a queued command: the next sync rejects with it, and the batch's other commands are dropped. */
  failNextSync(e: Error) {
    this.failure = this.failure ?? e;
  }
  async sync(): Promise<void> {
    if (this.failure) {
      const e = this.failure;
      this.failure = null;
      this.onSyncs = [];
      throw e;
    }
    this.syncs++;
    this.cellsPerSync.push(this.cellsSinceSync);
    this.cellsSinceSync = 0;
    const fs = this.onSyncs;
    this.onSyncs = [];
    for (const f of fs) f();
  }
  /** What Excel.run does: the batch with this context. */
  run = async <T>(batch: (context: never) => Promise<T>): Promise<T> => {
    const out = await batch(this as never);
    await this.sync();
    return out;
  };
}

export { columnLetters };

// ---- custom functions: Excel calling them ---------------------------------------------------

/** An error value in a cell (#N/A, #DIV/0!...), as the fake's cells hold it. */
export class CellError {
  constructor(readonly code: string) {}
}

/** functions.json, the part Excel reads before calling a function. */
export interface FunctionsMetadata {
  allowErrorForDataTypeAny?: boolean;
  allowCustomDataForDataTypeAny?: boolean;
  functions: { id: string; parameters: { name: string; type?: string; dimensionality?: string; optional?: boolean }[]; options?: { cancelable?: boolean } }[];
}

export type Platform = "web" | "desktop";

/** What a formula's cell shows once Excel has calculated it. */
export type CellResult =
  | { kind: "spill"; values: unknown[][] }
  | { kind: "error"; code: string; message?: string }
  /** Calculating forever: the request or the answer was over Excel's payload limit. */
  | { kind: "busy" };

/** "Excel on the web has a payload size limit for requests and responses of 5MB" (resource-limits-and-performance-optimization). */
export const PAYLOAD_LIMIT = 5_000_000;

const ERROR_TYPES: Record<string, string> = { "#N/A": "NotAvailable", "#DIV/0!": "Div0", "#VALUE!": "Value", "#REF!": "Ref", "#NAME?": "Name", "#NUM!": "Num", "#NULL!": "Null" };

function payloadBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v) ?? "null", "utf8");
}

/**
 * Excel calculating =NS.ID(args): it reads functions.json and calls the implementation as the
 * documentation says it does.
 *  - A range holding an error value reaches the function only when the metadata sets
 *    allowErrorForDataTypeAny (https://learn.microsoft.com/office/dev/add-ins/excel/custom-functions-errors,
 *    "Errors as custom function inputs"); otherwise the function is not called and the cell shows
 *    the error. With it, the error arrives as an ErrorCellValue.
 *  - Data-type cells (formatted numbers, entities) arrive as CellValue objects when the metadata
 *    sets allowCustomDataForDataTypeAny (custom-functions-data-types-concepts), as their basic
 *    value otherwise.
 *  - An empty cell arrives as null on the web and as 0 on the desktop (office-js issues 4702, 5262);
 *    an omitted optional argument as null (custom-functions-parameter-options).
 *  - A cancelable function gets an invocation last (custom-functions-web-reqs).
 *  - Arguments and answers travel as JSON within 5 MB (resource-limits-and-performance-optimization;
 *    for custom functions on every platform, office-js issue 4654): over it the cell stays
 *    #BUSY! (office-js issues 2222, 2786). Calls calculated together share one request.
 *  - In the answer, null shows as 0 (office-js issue 1503), and JSON has no NaN or Infinity
 *    (they become null, so 0).
 */
export class FakeFunctionsHost {
  /** Calls that reached an implementation. */
  calls = 0;
  constructor(
    private readonly metadata: FunctionsMetadata,
    private readonly implementations: Record<string, (...args: unknown[]) => unknown>,
    readonly platform: Platform = "web",
  ) {}

  private cell(v: unknown, p: { type?: string }): { value: unknown } | { error: string } {
    const any = (p.type ?? "any") === "any";
    if (v === undefined) return { value: this.platform === "web" ? null : 0 };
    if (v instanceof CellError) {
      if (!(this.metadata.allowErrorForDataTypeAny && any)) return { error: v.code };
      return { value: { type: "Error", basicType: "Error", basicValue: v.code, errorType: ERROR_TYPES[v.code] ?? "Value" } };
    }
    if (v !== null && typeof v === "object") {
      if (this.metadata.allowCustomDataForDataTypeAny && any) return { value: v };
      return { value: (v as { basicValue?: unknown }).basicValue ?? "#VALUE!" };
    }
    return { value: v };
  }

  /** The arguments as the function receives them, or the error the cell shows instead. */
  private argumentsFor(id: string, args: unknown[]): { args: unknown[] } | { error: string } {
    const f = this.metadata.functions.find((x) => x.id === id);
    if (!f) return { error: "#NAME?" };
    const out: unknown[] = [];
    for (let i = 0; i < f.parameters.length; i++) {
      const p = f.parameters[i];
      const a = args[i];
      if (a === undefined && p.optional) { out.push(null); continue; }
      if (Array.isArray(a)) {
        const rows: unknown[][] = [];
        for (const r of a as unknown[][]) {
          const row: unknown[] = [];
          for (const v of r) {
            const c = this.cell(v, p);
            if ("error" in c) return { error: c.error };
            row.push(c.value);
          }
          rows.push(row);
        }
        out.push(rows);
      } else {
        const c = this.cell(a, p);
        if ("error" in c) return { error: c.error };
        out.push(c.value);
      }
    }
    if (f.options?.cancelable) out.push({ onCanceled: null });
    return { args: out };
  }

  /** What the cell shows: each formula of `formulas` calculated together, as in one recalculation. */
  async calculateTogether(formulas: [string, ...unknown[]][]): Promise<CellResult[]> {
    const prepared = formulas.map(([id, ...args]) => ({ id, p: this.argumentsFor(id, args) }));
    const request = prepared.map((x) => ("args" in x.p ? x.p.args.filter((a) => !(a !== null && typeof a === "object" && "onCanceled" in (a as object))) : null));
    if (payloadBytes(request) > PAYLOAD_LIMIT) return formulas.map(() => ({ kind: "busy" }));
    return Promise.all(prepared.map(async ({ id, p }): Promise<CellResult> => {
      if ("error" in p) return { kind: "error", code: p.error };
      this.calls++;
      let answer: unknown;
      try {
        answer = await this.implementations[id](...p.args);
      } catch (e) {
        const code = (e as { code?: unknown })?.code;
        return typeof code === "string" ? { kind: "error", code, message: (e as { message?: string }).message } : { kind: "error", code: "#VALUE!" };
      }
      const json = JSON.stringify(answer);
      if (Buffer.byteLength(json, "utf8") > PAYLOAD_LIMIT) return { kind: "busy" };
      const shown = JSON.parse(json) as unknown;
      const grid = Array.isArray(shown) ? (shown as unknown[]).map((r) => (Array.isArray(r) ? r : [r])) : [[shown]];
      return { kind: "spill", values: grid.map((r) => r.map((v) => (v === null ? 0 : v))) };
    }));
  }

  async calculate(id: string, ...args: unknown[]): Promise<CellResult> {
    return (await this.calculateTogether([[id, ...args]]))[0];
  }
}
