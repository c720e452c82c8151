/**
 * A workbook in memory, for running the task pane outside Excel (a plain browser, the
 * end-to-end test): one data sheet, with the summary sheets and formulas the pane creates
 * recorded so that the pane can list them. Same naming rule as Excel: never overwrite a sheet.
 */
import { cellAddress, quoteSheetName, uniqueSheetName } from "./a1";
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

  async readSelectionOrRegion(): Promise<DataSelection> {
    // the active cell is A1, inside the data: the region around it is the whole table
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
