/**
 * One cell as a custom function receives it, turned into what the engine reads: a number, text,
 * a boolean, or null for a missing value.
 *
 * - Blank cells arrive as null (Excel on the web) or 0 (desktop; office-js issues 4702, 5262),
 *   and an omitted argument as null or undefined.
 * - Error cells (#N/A, #DIV/0!...) reach the function only because functions.json sets
 *   `allowErrorForDataTypeAny` (https://learn.microsoft.com/office/dev/add-ins/excel/custom-functions-errors,
 *   "Errors as custom function inputs"). They arrive as error values: an ErrorCellValue object
 *   ({ type: "Error", basicValue: "#N/A", errorType }), the runtime's CustomFunctions.Error
 *   ({ code: "#N/A" }), or their text; all are missing.
 * - Cells holding data types (formatted numbers, stocks, entities) arrive as CellValue objects,
 *   because the generated metadata sets `allowCustomDataForDataTypeAny`
 *   (https://learn.microsoft.com/office/dev/add-ins/excel/custom-functions-data-types-concepts).
 *   They are read through their `basicValue`, "the value that would be returned by Range.values"
 *   (https://learn.microsoft.com/office/dev/add-ins/excel/excel-data-types-concepts), so a cell
 *   means the same to a function as to the task pane, which reads Range.values: a formatted
 *   number is its number, a stock its name, an entity an add-in made (whose basic value is
 *   #VALUE!) and an image are missing.
 */

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function isPrimitiveCell(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

export function normalizeCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (isPrimitiveCell(v)) return v;
  if (typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  if (own(o, "type") && o.type === "Error") return null;
  if (own(o, "basicValue") && isPrimitiveCell(o.basicValue)) return o.basicValue;
  // CustomFunctions.Error, and anything else that is not a value
  return null;
}
