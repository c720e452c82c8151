/**
 * What the task pane asks of a workbook. Every Office.js call lives behind this interface:
 * ExcelWorkbook talks to Excel, SampleWorkbook holds the dietox data in memory for a plain
 * browser (and the end-to-end test).
 */
import type { SummaryLayout } from "./layout";

export interface DataSelection {
  /** Where the data are, with the sheet name: "Sheet1!A1:H862". */
  address: string;
  /** The cells, header row first, as Excel's range.values holds them ("" = empty cell). */
  values: unknown[][];
}

/** What goes on a summary sheet: the pure layout computed from the fit (see summaryLayout). */
export type SummaryContent = SummaryLayout;

export interface WorkbookGateway {
  readonly kind: "excel" | "sample";
  /** The selected range, or, when a single cell is selected, the table or region around it. */
  readSelectionOrRegion(): Promise<DataSelection>;
  /** Adds a new sheet ("MixedLM Summary", or "(2)", "(3)"... when taken) and writes the summary; never touches an existing sheet. */
  createSummarySheet(content: SummaryContent): Promise<{ sheetName: string }>;
  /** Writes a formula into the selected cell, which must be empty. */
  insertFormula(formula: string): Promise<{ address: string }>;
}

/** A problem the user can fix in the workbook (shown as is). */
export class WorkbookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkbookError";
  }
}
