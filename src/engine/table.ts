/**
 * The data table: named columns, each numeric (Float64Array, NaN = missing) or categorical
 * (dictionary-encoded strings, code -1 = missing). Built from a 2-D array whose first row is
 * the header (what Excel hands a custom function) or from CSV text (see csv.ts).
 *
 * A column is numeric when every non-missing value is a number (or text that reads as one,
 * as pandas reads CSV); otherwise it is categorical and every value is kept as text.
 */
import { MixedLMError, quoted, quotedList } from "./errors";

export interface NumericColumn {
  kind: "numeric";
  name: string;
  values: Float64Array;
  /** Every value is a whole number and (for CSV) none is missing: patsy then names levels "2", not "2.0". */
  integer: boolean;
  missing: number;
}

export interface CategoricalColumn {
  kind: "categorical";
  name: string;
  /** Level index per row into `levels`; -1 = missing. */
  codes: Int32Array;
  /** Distinct values in order of first appearance. */
  levels: string[];
  /** Set when the column held Excel booleans: patsy's levels are then False < True. */
  boolean: boolean;
  missing: number;
}

export type Column = NumericColumn | CategoricalColumn;

/** Text that stands for a missing value anywhere: pandas' NA strings and Excel's error values. */
const MISSING_TEXT = new Set([
  "", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "<NA>",
  "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN",
  "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!",
  "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
]);

/**
 * Words pandas also reads as missing but that are ordinary levels of a text column ("None": no
 * treatment, as in nlme's Alfalfa): missing in a column of numbers (a None or NULL exported from
 * Python or SQL), a level in a column of text, as R's read.csv keeps them.
 */
const MISSING_IF_NUMERIC = new Set(["None", "NULL", "null"]);

/** Missing in any column. */
export function isMissingText(s: string): boolean {
  return MISSING_TEXT.has(s.trim());
}

/** Missing in a column of numbers (isMissingText, or a word such as None or NULL). */
export function isMissingInNumbers(s: string): boolean {
  const t = s.trim();
  return MISSING_TEXT.has(t) || MISSING_IF_NUMERIC.has(t);
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER_RE = /^[+-]?\d+$/;

/** Reads text as a number the way pandas does for CSV fields; NaN when it is not one. */
export function parseNumberText(s: string): number {
  const t = s.trim();
  if (!NUMBER_RE.test(t)) return NaN;
  return Number(t);
}

export function isIntegerText(s: string): boolean {
  return INTEGER_RE.test(s.trim());
}

export class DataTable {
  readonly columns: Column[];
  readonly nRows: number;
  private readonly byName: Map<string, Column>;

  constructor(columns: Column[], nRows: number) {
    this.columns = columns;
    this.nRows = nRows;
    this.byName = new Map(columns.map((c) => [c.name, c]));
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  column(name: string): Column {
    const c = this.byName.get(name);
    if (!c) throw unknownColumn(name, this.names);
    return c;
  }

  /** Missing-value mask of one column. */
  isMissing(name: string, row: number): boolean {
    const c = this.column(name);
    return c.kind === "numeric" ? Number.isNaN(c.values[row]) : c.codes[row] < 0;
  }

  /** The value of a cell as text (for labels), "" when missing. */
  label(name: string, row: number): string {
    const c = this.column(name);
    if (c.kind === "categorical") return c.codes[row] < 0 ? "" : c.levels[c.codes[row]];
    const v = c.values[row];
    return Number.isNaN(v) ? "" : formatNumberLabel(v, c.integer);
  }

  /**
   * Builds a table from rows whose first row is the header, as Excel passes a range:
   * numbers, strings, booleans, null / undefined (empty cells), and error values.
   */
  static fromRows(rows: readonly (readonly unknown[])[]): DataTable {
    if (!rows || rows.length === 0) {
      throw new MixedLMError("data", "The data range is empty: select a range whose first row holds the column names.");
    }
    const header = rows[0];
    // a loop, not Math.max(...rows): a spread of a 100,000-row range overflows the stack
    let width = 0;
    for (const r of rows) if (r && r.length > width) width = r.length;
    if (width === 0) {
      throw new MixedLMError("data", "The data range has no columns: select a range whose first row holds the column names.");
    }
    const names = headerNames(Array.from({ length: width }, (_, j) => header[j]));
    // Trailing rows that are entirely empty (a range selected larger than the data) are not data.
    let last = rows.length - 1;
    while (last >= 1 && rows[last].every((v) => cellIsBlank(v))) last--;
    const n = last;
    if (n < 1) {
      throw new MixedLMError("data", "The data range has a header row but no data rows below it.");
    }
    const columns: Column[] = [];
    for (let j = 0; j < width; j++) {
      columns.push(buildColumn(names[j], n, (i) => rows[i + 1][j]));
    }
    return new DataTable(columns, n);
  }

  /** A new table holding only the rows where keep[i] is true. */
  subset(keep: Uint8Array): DataTable {
    let n = 0;
    for (let i = 0; i < keep.length; i++) if (keep[i]) n++;
    const cols: Column[] = this.columns.map((c) => {
      if (c.kind === "numeric") {
        const v = new Float64Array(n);
        let k = 0;
        let missing = 0;
        for (let i = 0; i < keep.length; i++) if (keep[i]) { v[k] = c.values[i]; if (Number.isNaN(v[k])) missing++; k++; }
        return { ...c, values: v, missing };
      }
      const codes = new Int32Array(n);
      let k = 0;
      let missing = 0;
      for (let i = 0; i < keep.length; i++) if (keep[i]) { codes[k] = c.codes[i]; if (codes[k] < 0) missing++; k++; }
      return { ...c, codes, missing };
    });
    return new DataTable(cols, n);
  }
}

export function cellIsBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "string" && v.trim() === "");
}

/** Excel error values reach a custom function as objects (or as "#N/A"-style text); all are missing. */
function cellIsMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "number") return !Number.isFinite(v);
  if (typeof v === "string") return isMissingText(v);
  if (typeof v === "boolean") return false;
  return true; // error objects and anything else Excel may send
}

/** Missing in a column of numbers: also None and NULL (levels in a column of text). */
function cellIsMissingInNumbers(v: unknown): boolean {
  return cellIsMissing(v) || (typeof v === "string" && isMissingInNumbers(v));
}

function buildColumn(name: string, n: number, get: (i: number) => unknown): Column {
  // Pass 1: decide the type (None, NULL: missing among numbers, a level among text).
  let numeric = true;
  let booleans = 0;
  let integer = true;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (cellIsMissingInNumbers(v)) continue;
    if (typeof v === "number") {
      if (!Number.isInteger(v)) integer = false;
    } else if (typeof v === "string") {
      const x = parseNumberText(v);
      if (Number.isNaN(x)) { numeric = false; break; }
      if (!Number.isInteger(x)) integer = false;
    } else if (typeof v === "boolean") {
      booleans++;
      numeric = false;
      break;
    }
  }
  if (numeric) {
    const values = new Float64Array(n);
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const v = get(i);
      let x = NaN;
      if (!cellIsMissingInNumbers(v)) x = typeof v === "number" ? v : parseNumberText(String(v));
      values[i] = x;
      if (Number.isNaN(x)) missing++;
    }
    return { kind: "numeric", name, values, integer, missing };
  }
  const codes = new Int32Array(n);
  const levels: string[] = [];
  const index = new Map<string, number>();
  let missing = 0;
  let nonBoolean = 0;
  for (let i = 0; i < n; i++) {
    const v = get(i);
    if (cellIsMissing(v)) { codes[i] = -1; missing++; continue; }
    let s: string;
    if (typeof v === "boolean") { s = v ? "True" : "False"; booleans++; }
    else if (typeof v === "number") { s = formatNumberLabel(v, Number.isInteger(v)); nonBoolean++; }
    else { s = String(v).trim(); nonBoolean++; }
    let k = index.get(s);
    if (k === undefined) { k = levels.length; levels.push(s); index.set(s, k); }
    codes[i] = k;
  }
  return { kind: "categorical", name, codes, levels, boolean: booleans > 0 && nonBoolean === 0, missing };
}

/** Column names from a header row: blanks become "Unnamed: j" and repeats "x.1", as pandas does. */
export function headerNames(cells: readonly unknown[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  cells.forEach((c, j) => {
    let name = cellIsBlank(c) ? `Unnamed: ${j}` : typeof c === "number" ? formatNumberLabel(c, Number.isInteger(c)) : String(c).trim();
    if (seen.has(name)) {
      let k = seen.get(name)!;
      let candidate: string;
      do { k++; candidate = `${name}.${k}`; } while (seen.has(candidate));
      seen.set(name, k);
      name = candidate;
    }
    seen.set(name, 0);
    out.push(name);
  });
  return out;
}

/**
 * How a number is written as a level or group label: whole numbers of an integer column as
 * "4601"; other numbers as Python writes a float ("2.0", "0.5", "1e-05"), which is what
 * patsy and statsmodels print.
 */
export function formatNumberLabel(v: number, integerColumn: boolean): string {
  if (integerColumn && Number.isInteger(v)) return String(v);
  return pythonFloatRepr(v);
}

/** Python's repr() of a float: shortest round-trip digits, ".0" on whole numbers, exponent outside [1e-4, 1e16). */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(v);
  if (abs >= 1e16 || abs < 1e-4) {
    // JS: "1e-7", "1.5e+20"; Python: "1e-07", "1.5e+20"
    const [m, e] = v.toExponential().split("e");
    const sign = e[0] === "-" ? "-" : "+";
    const digits = e.replace(/^[+-]/, "");
    return `${m}e${sign}${digits.length < 2 ? "0" + digits : digits}`;
  }
  const s = String(v);
  return s.includes(".") || s.includes("e") ? s : s + ".0";
}

export function unknownColumn(name: string, names: string[]): MixedLMError {
  const lower = name.toLowerCase();
  const close = names.find((n) => n.toLowerCase() === lower);
  const hint = close
    ? ` Did you mean ${quoted(close)}? Column names are case-sensitive.`
    : ` The columns are: ${quotedList(names)}.`;
  return new MixedLMError("data", `There is no column ${quoted(name)} in the data.${hint}`);
}
