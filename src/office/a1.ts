/** A1 addresses and sheet names, without Office. */

/** Column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(col: number): string {
  let s = "";
  let c = col + 1;
  while (c > 0) {
    const r = (c - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    c = Math.floor((c - 1) / 26);
  }
  return s;
}

/** 0-based column index of column letters: A → 0, AA → 26. */
export function columnIndex(letters: string): number {
  let c = 0;
  for (const ch of letters.toUpperCase()) c = c * 26 + (ch.charCodeAt(0) - 64);
  return c - 1;
}

/** The A1 address of a 0-based cell, or of a rectangle of rows × cols cells starting there. */
export function cellAddress(row: number, col: number, rows = 1, cols = 1): string {
  const a = `${columnLetters(col)}${row + 1}`;
  if (rows === 1 && cols === 1) return a;
  return `${a}:${columnLetters(col + cols - 1)}${row + rows}`;
}

/** A sheet name as it must appear in a reference: quoted when it is not a plain name. */
export function quoteSheetName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^[A-Za-z]{1,3}\d+$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

export interface ParsedAddress {
  sheet: string | null;
  row: number;
  col: number;
  rows: number;
  cols: number;
}

/** Parses "Sheet1!A1:H862", "'My sheet'!$B$2", "A1:C3". Null when it is not such an address. */
export function parseAddress(address: string): ParsedAddress | null {
  const m = /^(?:(?:'((?:[^']|'')+)'|([^!']+))!)?\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$/.exec(address.trim());
  if (!m) return null;
  const sheet = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2] !== undefined ? m[2] : null;
  const c1 = columnIndex(m[3]);
  const r1 = Number(m[4]) - 1;
  const c2 = m[5] ? columnIndex(m[5]) : c1;
  const r2 = m[6] ? Number(m[6]) - 1 : r1;
  return { sheet, row: Math.min(r1, r2), col: Math.min(c1, c2), rows: Math.abs(r2 - r1) + 1, cols: Math.abs(c2 - c1) + 1 };
}

/** "Sheet1!A1:H862" → "Sheet1!$A$1:$H$862" (a reference that stays put when the formula is copied). */
export function absoluteAddress(address: string): string {
  const p = parseAddress(address);
  if (!p) return address;
  const abs = (r: number, c: number) => `$${columnLetters(c)}$${r + 1}`;
  const rect = p.rows === 1 && p.cols === 1 ? abs(p.row, p.col) : `${abs(p.row, p.col)}:${abs(p.row + p.rows - 1, p.col + p.cols - 1)}`;
  return p.sheet === null ? rect : `${quoteSheetName(p.sheet)}!${rect}`;
}

export const SUMMARY_SHEET_NAME = "MixedLM Summary";

/**
 * The first free name among "MixedLM Summary", "MixedLM Summary (2)", "(3)"... Excel compares
 * sheet names without regard to case. An existing sheet is never reused.
 */
export function uniqueSheetName(existing: readonly string[], base = SUMMARY_SHEET_NAME): string {
  const taken = new Set(existing.map((n) => n.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let k = 2; ; k++) {
    const name = `${base} (${k})`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}
