/**
 * What Excel hands a custom function, turned into the engine's inputs. Kept apart from the
 * wrappers so that it can be tested with plain arrays shaped as Excel sends them:
 *  - `data`: rows, the first holding the column names; empty cells arrive as null (Excel on the
 *    web) or as 0 or "" (Excel desktop, depending on how the range is passed); error cells as
 *    error objects or as their text ("#N/A"); data-type cells as objects (see cells.ts).
 *  - `groups`: a column name, or a one-column range with or without its header.
 *  - `options`: "method=ML; re_formula=~Time; vc=cask:0 + C(cask)".
 * An omitted optional argument arrives as null or undefined.
 */
import { DataTable, MixedLMError, ModelSpec } from "../engine";
import { cellIsBlank } from "../engine/table";
import { normalizeCell } from "./cells";

export interface ModelInputs {
  table: DataTable;
  spec: ModelSpec;
  /** Number of data rows below the header (FITTED and RESID return one value per row). */
  nDataRows: number;
}

export const OPTION_KEYS = ["method", "reml", "re_formula", "vc"] as const;

export interface ParsedOptions {
  method?: "REML" | "ML";
  reFormula?: string;
  vcFormula?: Record<string, string>;
}

function isOmitted(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string" && v.trim() === "") return true;
  if (Array.isArray(v) && v.length === 1 && Array.isArray(v[0]) && v[0].length === 1) return isOmitted(v[0][0]);
  return false;
}

/** A single cell's text, from a string or a 1×1 range. */
function scalarText(v: unknown, what: string): string {
  let x = v;
  if (Array.isArray(x)) {
    if (x.length !== 1 || !Array.isArray(x[0]) || x[0].length !== 1) {
      throw new MixedLMError("option", `${what} must be text in one cell, not a range of several cells.`);
    }
    x = x[0][0];
  }
  if (typeof x !== "string") throw new MixedLMError("option", `${what} must be text, such as "Weight ~ Time".`);
  return x;
}

/** Parses the options text: `key=value` pairs separated by semicolons; `vc` may repeat. */
export function parseOptions(v: unknown): ParsedOptions {
  if (isOmitted(v)) return {};
  const text = scalarText(v, "options");
  const out: ParsedOptions = {};
  for (const raw of text.split(";")) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new MixedLMError("option", `The option "${part}" needs the form key=value (keys: ${OPTION_KEYS.join(", ")}), e.g. "method=ML; re_formula=~Time".`);
    }
    const key = part.slice(0, eq).trim().toLowerCase().replace(/-/g, "_");
    const value = part.slice(eq + 1).trim();
    switch (key) {
      case "method": {
        const m = value.toUpperCase();
        if (m !== "REML" && m !== "ML") throw new MixedLMError("option", `method must be REML or ML, not "${value}".`);
        out.method = m;
        break;
      }
      case "reml": {
        const b = value.toLowerCase();
        if (b !== "true" && b !== "false") throw new MixedLMError("option", `reml must be true or false, not "${value}".`);
        out.method = b === "true" ? "REML" : "ML";
        break;
      }
      case "re_formula":
      case "re":
        if (value === "") throw new MixedLMError("option", 're_formula is empty: write it as "~Time" (or "1" for a random intercept).');
        out.reFormula = value;
        break;
      case "vc": {
        const colon = value.indexOf(":");
        const name = colon > 0 ? value.slice(0, colon).trim() : "";
        const formula = colon > 0 ? value.slice(colon + 1).trim() : "";
        if (!name || !formula) {
          throw new MixedLMError("option", `vc needs a name and a formula, as in "vc=cask:0 + C(cask)"; got "${value}".`);
        }
        // own properties (a computed key, never the __proto__ setter): a component may be called "__proto__"
        const vcs = out.vcFormula ?? {};
        if (Object.prototype.hasOwnProperty.call(vcs, name)) {
          throw new MixedLMError("option", `vc names "${name}" twice; give each variance component a different name.`);
        }
        out.vcFormula = { ...vcs, [name]: formula };
        break;
      }
      default:
        throw new MixedLMError("option", `Unknown option "${part.slice(0, eq).trim()}": the keys are ${OPTION_KEYS.join(", ")} (e.g. "method=ML; re_formula=~Time; vc=cask:0 + C(cask)").`);
    }
  }
  return out;
}

/** Error values and blanks become null, data types their basic value (see cells.ts). */
const cellValue = normalizeCell;

/** The data range as rows (header first), with error objects made missing. */
export function dataRows(data: unknown): unknown[][] {
  if (!Array.isArray(data) || data.length === 0 || !data.every((r) => Array.isArray(r))) {
    throw new MixedLMError("data", "data must be a range whose first row holds the column names, e.g. A1:H862.");
  }
  if (data.length < 2) throw new MixedLMError("data", "The data range has only one row: it needs the header row and the data below it.");
  return (data as unknown[][]).map((r) => r.map(cellValue));
}

/**
 * The groups argument: a column name (text), or a one-column range of the data's height (its
 * first cell then being the header) or of the data's height minus the header.
 */
export function groupsArgument(groups: unknown, nRowsWithHeader: number): Pick<ModelSpec, "groups" | "groupValues"> {
  if (isOmitted(groups)) return {};
  if (typeof groups === "string") return { groups: groups.trim() };
  if (!Array.isArray(groups) || !groups.every((r) => Array.isArray(r))) {
    throw new MixedLMError("data", 'groups must be a column name such as "Pig", or a one-column range as tall as the data.');
  }
  const rows = groups as unknown[][];
  if (rows.length === 1 && rows[0].length === 1) {
    const v = rows[0][0];
    if (typeof v === "string") return { groups: v.trim() };
    throw new MixedLMError("data", 'groups must be a column name such as "Pig", or a one-column range as tall as the data.');
  }
  if (rows.some((r) => r.length !== 1)) {
    throw new MixedLMError("data", `groups must be a single column; the range given has ${rows[0].length} columns.`);
  }
  const values = rows.map((r) => cellValue(r[0]));
  if (values.length === nRowsWithHeader) return { groupValues: values.slice(1) };
  if (values.length === nRowsWithHeader - 1) return { groupValues: values };
  throw new MixedLMError("data", `groups has ${values.length} rows but the data have ${nRowsWithHeader - 1} rows below the header: give a column of the same height (with or without its header).`);
}

export function modelInputs(data: unknown, formula: unknown, groups: unknown, options: unknown): ModelInputs {
  const rows = dataRows(data);
  if (isOmitted(formula)) throw new MixedLMError("formula", 'The formula is empty: write it as "response ~ terms", e.g. "Weight ~ Time".');
  const f = scalarText(formula, "formula");
  const opts = parseOptions(options);
  const table = DataTable.fromRows(rows);
  const g = groupsArgument(groups, rows.length);
  if (g.groupValues && g.groupValues.length > table.nRows) {
    // the data range reaches below the data (blank rows, not data): so may the groups column
    const extra = g.groupValues.slice(table.nRows);
    if (extra.every(cellIsBlank)) g.groupValues = g.groupValues.slice(0, table.nRows);
  }
  const spec: ModelSpec = { formula: f, ...g, ...opts };
  return { table, spec, nDataRows: rows.length - 1 };
}
