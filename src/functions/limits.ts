/**
 * What Excel takes from and gives to a custom function, measured as it measures it: the
 * serialized size of the values.
 *
 * - Excel on the web "has a payload size limit for requests and responses of 5MB"
 *   (https://learn.microsoft.com/office/dev/add-ins/concepts/resource-limits-and-performance-optimization,
 *   "Excel add-ins"). A custom function's arguments travel in such a payload, those of all the
 *   functions calculated together in one, and Microsoft calls the 5 MB a limit of custom-function
 *   payloads in general (office-js issue 4654). Over it, the function never runs, or its answer
 *   never arrives and the cell stays #BUSY! (office-js issues 2222, 2786).
 * - `null` in a returned array shows as 0 (office-js issue 1503, "by design"), and JSON, the
 *   payload's format, writes NaN and ±Infinity as null: a result holds no such values.
 *
 * A result over the limit is refused here with a message (a #VALUE! the user can read, instead of
 * a #BUSY! that never ends). An argument over the limit cannot be refused here: Excel does not
 * send it. The task pane, which reads ranges in chunks of 20,000 cells, has no such limit; it
 * warns when the formula it would insert passes data this large (see sheetFormulaWarning).
 */
import type { Cell, Table } from "../report/tables";

/** 5 MB, with MB read as 10^6 bytes (the smaller reading). */
export const EXCEL_PAYLOAD_LIMIT = 5_000_000;

export class LimitError extends Error {
  readonly kind = "limit";
  constructor(message: string) {
    super(message);
    this.name = "LimitError";
  }
}

/** UTF-8 length of a string. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/** Bytes of the JSON text of rows of cells, a row at a time (no string of the whole range is built). */
export function jsonBytes(rows: readonly (readonly unknown[])[]): number {
  let n = 2 + Math.max(0, rows.length - 1); // [ ] and the commas between rows
  for (const r of rows) n += utf8Length(JSON.stringify(r) ?? "null");
  return n;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A table as Excel should receive it: null, undefined, NaN and ±Infinity (which would show as 0) as empty cells. */
export function excelCells(table: unknown[][]): Table {
  return table.map((row) => row.map((v): Cell => (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? "" : (v as Cell))));
}

/** The table, or a LimitError naming the limit and the way around it. */
export function checkResultSize(table: Table): Table {
  const bytes = jsonBytes(table);
  if (bytes > EXCEL_PAYLOAD_LIMIT) {
    throw new LimitError(
      `The result is ${megabytes(bytes)}, more than the ${megabytes(EXCEL_PAYLOAD_LIMIT)} Excel takes back from a custom function ` +
        "(a larger answer never arrives): use the task pane's Create summary sheet, which writes it in chunks, or the command line.",
    );
  }
  return table;
}

/** Why a worksheet formula over these data would not calculate everywhere (null when it would). */
export function sheetFormulaWarning(rows: readonly (readonly unknown[])[]): string | null {
  let cells = 0;
  for (const r of rows) cells += r.length;
  // every cell takes at least 2 bytes ("0,"), and rarely more than 30: measure only when it may be over
  if (cells * 30 < EXCEL_PAYLOAD_LIMIT) return null;
  const bytes = jsonBytes(rows);
  if (bytes <= EXCEL_PAYLOAD_LIMIT) return null;
  return `The data are ${megabytes(bytes)} as Excel sends them to a function, more than its ${megabytes(EXCEL_PAYLOAD_LIMIT)} limit: ` +
    "a MIXEDLM formula over them would not calculate (it stays #BUSY!). Use Create summary sheet instead, which has no such limit.";
}
