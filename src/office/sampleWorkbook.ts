/**
 * A workbook in memory, for running the task pane outside Excel (a plain browser, the
 * end-to-end test): one data sheet, with the summary sheets and formulas the pane creates
 * recorded so that the pane can list them. Same naming rule as Excel: never overwrite a sheet.
 */
import { cellAddress, parseAddress, quoteSheetName, uniqueSheetName } from "./a1";
import { DataSelection, SummaryContent, WorkbookError, WorkbookGateway } from "./gateway";

export interface SampleSheet {
  name: string;
  /** "data": the sample data; "summary": a sheet the pane created. */
  kind: "data" | "summary";
  /** Used range (A1). */
  usedRange: string;
  /** For summary sheets: the layout written, with its chart titles. */
  content?: SummaryContent;
}

export interface SampleFormula {
  address: string;
  formula: string;
}

export class SampleWorkbook implements WorkbookGateway {
  readonly kind = "sample" as const;
  readonly sheets: SampleSheet[];
  readonly formulas: SampleFormula[] = [];
  /** The selected range of the data sheet (A1), as the preview's Name Box sets it; null: the cell A1. */
  selection: string | null = null;
  private readonly listeners = new Set<() => void>();

  /** `rows`: the data sheet's cells, header first, placed at A1. The formula cells go down column J. */
  constructor(private readonly rows: readonly (readonly unknown[])[], readonly dataSheetName = "Sheet1", private readonly formulaColumn = 9) {
    const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
    this.sheets = [{ name: dataSheetName, kind: "data", usedRange: cellAddress(0, 0, rows.length, Math.max(1, width)) }];
  }

  /** Called after every change (for a view of the workbook). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** The data sheet's cells, header first (for the preview). */
  dataRows(): readonly (readonly unknown[])[] {
    return this.rows;
  }

  /** Selects a range of the data sheet, as Excel's Name Box does ("A1:H400"); throws on an address outside it. */
  select(address: string): void {
    const p = parseAddress(address);
    const used = parseAddress(this.sheets[0].usedRange)!;
    if (!p || (p.sheet !== null && p.sheet !== this.dataSheetName)) throw new WorkbookError(`"${address}" is not a range of ${this.dataSheetName}: type one such as A1:H400.`);
    if (p.row + p.rows > used.rows || p.col + p.cols > used.cols) throw new WorkbookError(`${address} reaches beyond the data (${this.sheets[0].usedRange}).`);
    this.selection = cellAddress(p.row, p.col, p.rows, p.cols);
    this.changed();
  }

  async readSelectionOrRegion(): Promise<DataSelection> {
    const p = this.selection ? parseAddress(this.selection) : null;
    if (p && p.rows * p.cols > 1) {
      // a range: that range, as Excel would read it
      return {
        address: `${quoteSheetName(this.dataSheetName)}!${this.selection}`,
        values: this.rows.slice(p.row, p.row + p.rows).map((r) => Array.from({ length: p.cols }, (_, j) => r[p.col + j] ?? "")),
      };
    }
    // one cell inside the data: the region around it is the whole table
    return {
      address: `${quoteSheetName(this.dataSheetName)}!${this.sheets[0].usedRange}`,
      values: this.rows.map((r) => [...r]),
    };
  }

  async createSummarySheet(content: SummaryContent): Promise<{ sheetName: string }> {
    if (content.blocks.length === 0) throw new WorkbookError("Nothing to write: fit a model first.");
    const name = uniqueSheetName(this.sheets.map((s) => s.name), content.sheetBaseName);
    let rows = 0;
    let cols = 0;
    for (const b of content.blocks) {
      rows = Math.max(rows, b.row + b.values.length);
      cols = Math.max(cols, b.col + b.values[0].length);
    }
    this.sheets.push({ name, kind: "summary", usedRange: cellAddress(0, 0, rows, cols), content });
    this.changed();
    return { sheetName: name };
  }

  async insertFormula(formula: string): Promise<{ address: string }> {
    // each formula gets its own empty cell in column J, 25 rows apart (room for its spill)
    const address = `${quoteSheetName(this.dataSheetName)}!${cellAddress(this.formulas.length * 25, this.formulaColumn)}`;
    this.formulas.push({ address, formula });
    this.changed();
    return { address };
  }
}
