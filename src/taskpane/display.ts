/**
 * Numbers as the pane shows them: fixed decimals for estimates, "<0.001" for tiny p-values,
 * a true minus sign so that columns of numbers line up (with tabular figures). Display only.
 */
import type { Cell } from "../report/tables";

const MINUS = "\u2212";

/** A number with `digits` decimals (very large or tiny ones in exponent form); "" when not finite. */
export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  const a = Math.abs(v);
  const s = a !== 0 && (a >= 1e7 || a < 10 ** -digits) ? a.toExponential(2) : a.toFixed(digits);
  return v < 0 && Number(s) !== 0 ? MINUS + s : s;
}

/** A p-value: "<0.001" below 0.001, else three decimals. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "";
  return p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** A cell of a report table: whole numbers as they are, other numbers with `digits` decimals, Yes/No for booleans. */
export function cellText(v: Cell, digits = 4): string {
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "number") return Number.isInteger(v) ? num(v, 0) : num(v, digits);
  return v;
}
