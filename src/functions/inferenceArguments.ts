/**
 * The arguments of COMPARE and PREDICT beyond the model's, as Excel sends them (cells already
 * read as the engine reads them, cells.ts):
 *  - `reduced`: one formula, or a range of formulas (a row or a column; blank cells skipped);
 *  - `newdata`: rows of new data, with the header row of their column names or without it (then
 *    with the data's columns, in the data's order); blank rows and rows with a missing value get
 *    no prediction. A row of zeros is blank too: it is how Excel desktop sends an empty row
 *    (empty cells arrive as 0 there), and a prediction for it would be a number the user never
 *    asked for, where a blank cell is only a missing one.
 */
import { DataTable, MixedLMError } from "../engine";
import { cellIsBlank } from "../engine/table";

/** The reduced models' formulas, in the order given. */
export function reducedFormulas(reduced: unknown): string[] {
  const cells = Array.isArray(reduced) ? (reduced as unknown[]).flatMap((r) => (Array.isArray(r) ? r : [r])) : [reduced];
  const formulas: string[] = [];
  for (const c of cells) {
    if (cellIsBlank(c)) continue;
    if (typeof c !== "string") {
      throw new MixedLMError("option", `reduced must hold formulas such as "Weight ~ Time + (1|Pig)"; one of its cells holds ${JSON.stringify(c)}.`);
    }
    formulas.push(c.trim());
  }
  if (formulas.length === 0) throw new MixedLMError("option", 'reduced is empty: give the formula of the smaller model, e.g. "Weight ~ Time + (1|Pig)", or a range of such formulas.');
  return formulas;
}

export interface NewRows {
  /** The new rows as a table; null when every row is blank. */
  table: DataTable | null;
  /** Whether the range's first row is its header (the answer then has a label there). */
  header: boolean;
  /** Rows of the range, header included: the answer has as many. */
  height: number;
}

/**
 * A first row is the header when all its cells are text and one of them names a column of the
 * data (in any case: a column the model needs but spelled otherwise is then named by
 * predictNew's message). Without a header the range must have the data's columns.
 */
export function newRows(newdata: unknown, dataNames: readonly string[]): NewRows {
  if (!Array.isArray(newdata) || newdata.length === 0 || !newdata.every((r) => Array.isArray(r))) {
    throw new MixedLMError("data", "newdata must be a range of new rows, with the header row of their column names (e.g. J1:L10) or with the data's columns in their order.");
  }
  const rows = newdata as unknown[][];
  const header = isHeader(rows[0], dataNames);
  const body = header ? rows.slice(1) : rows;
  if (!header) {
    const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
    if (width !== dataNames.length) {
      throw new MixedLMError(
        "data",
        `newdata's first row is not a header (it names none of the data's columns: ${dataNames.join(", ")}), and without one it needs the data's ${dataNames.length} columns in their order; it has ${width}. Give newdata a header row with the column names.`,
      );
    }
  }
  const cells = body.map((r) => (isEmptyRow(r) ? r.map(() => null) : r));
  if (cells.every((r) => r.every(cellIsBlank))) return { table: null, header, height: rows.length };
  const table = DataTable.fromRows([header ? rows[0] : [...dataNames], ...cells]);
  return { table, header, height: rows.length };
}

/** Blank, or all zeros (Excel desktop's empty row). */
function isEmptyRow(r: unknown[]): boolean {
  return r.every((c) => cellIsBlank(c) || c === 0);
}

function isHeader(first: unknown[], dataNames: readonly string[]): boolean {
  const cells = first.filter((c) => !cellIsBlank(c));
  if (cells.length === 0 || !cells.every((c) => typeof c === "string")) return false;
  const names = new Set(dataNames.map((n) => n.toLowerCase()));
  return cells.some((c) => names.has((c as string).trim().toLowerCase()));
}
