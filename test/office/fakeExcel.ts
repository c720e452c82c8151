/**
 * A small, faithful fake of the part of the Excel JavaScript API that src/office uses: a
 * workbook of worksheets holding cells (value, number format, formula, bold, size), ranges
 * with load()/sync() semantics (a loaded property can be read only after context.sync()), the
 * worksheets collection, charts with series, and a log of every sync with the cells written
 * since the previous one.
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

export class FakeChartSeries {
  name = "";
  x: string | null = null;
  y: string | null = null;
  markerStyle = "Automatic";
  markerSize = 5;
  chartType = "";
  setXAxisValues(r: FakeRange) { this.x = r.plainAddress; }
  setValues(r: FakeRange) { this.y = r.plainAddress; }
}

export class FakeChart {
  title = { text: "", format: { font: { size: 0 } } };
  legend = { visible: true, position: "Right" };
  axes = { categoryAxis: { title: { text: "" } }, valueAxis: { title: { text: "" } } };
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
      if (this.ctx.workbook.tables.some((x) => x.sheet === this && x.overlaps(address))) throw new Error(`InvalidArgument: a table cannot overlap another table (${address})`);
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
    v.forEach((r, i) => r.forEach((x, j) => { const s = this.sheet.cell(this.row + i, this.col + j); s.value = x; delete s.formula; }));
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
    v.forEach((r, i) => r.forEach((x, j) => { const s = this.sheet.cell(this.row + i, this.col + j); s.formula = String(x); s.value = "#BUSY!"; }));
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
    const tables = this.sheet.ctx.workbook.tables.filter((t) => t.sheet === this.sheet && t.contains(this.row, this.col));
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

export class FakeTable {
  style = "TableStyleMedium2";
  showFilterButton = true;
  constructor(readonly sheet: FakeWorksheet, readonly name: string, readonly address: string) {}
  overlaps(address: string): boolean {
    const a = parseAddress(this.address)!;
    const b = parseAddress(address)!;
    return a.row < b.row + b.rows && b.row < a.row + a.rows && a.col < b.col + b.cols && b.col < a.col + a.cols;
  }
  contains(r: number, c: number): boolean {
    const p = parseAddress(this.address)!;
    return r >= p.row && r < p.row + p.rows && c >= p.col && c < p.col + p.cols;
  }
  getRange(): FakeRange { return this.sheet.getRange(this.address); }
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
  getSelectedRange(): FakeRange {
    return this.selection.sheet.getRange(this.selection.address);
  }
  /** Test setup: select a range. */
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
  constructor() {
    this.workbook = new FakeWorkbook(this);
  }
  onSync(f: () => void) {
    this.onSyncs.push(f);
  }
  async sync(): Promise<void> {
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
