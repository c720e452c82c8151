/**
 * Plain-text tables laid out by the rules of statsmodels' SimpleTable and Summary (iolib), so
 * that our summary lines up character for character with statsmodels' printout: column widths
 * from the widest cell, headers centred, row labels left-aligned, data aligned left or right,
 * separators widened so that every table of the summary spans the widest one.
 */
import { padLeft, padRight, pyCenter } from "./format";

export interface TextTable {
  /** Column headers of the data columns (null: none). */
  header: string[] | null;
  /** Row labels (null: none). */
  stubs: string[] | null;
  /** Data cells, already formatted. */
  rows: string[][];
  align: "l" | "r";
}

/** The lines of one table: the rule above, [header, header rule], rows. */
function tableLines(t: TextTable, padCol: number, padIndex: number): string[] {
  const pad = " ".repeat(padIndex);
  const body: string[][] = t.rows.map((r, i) => {
    if (t.stubs) return [t.stubs[i] + pad, ...r];
    return r.map((c, j) => (j === 0 ? c + pad : c));
  });
  const header = t.header ? (t.stubs ? ["", ...t.header] : [...t.header]) : null;
  const all = header ? [header, ...body] : body;
  const ncols = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: ncols }, (_, j) => Math.max(...all.map((r) => (r[j] ?? "").length)));
  const sep = " ".repeat(padCol + 1);
  const fmtRow = (r: string[], kind: "header" | "data") =>
    widths
      .map((w, j) => {
        const c = r[j] ?? "";
        if (kind === "header") return pyCenter(c, w);
        if (t.stubs && j === 0) return padRight(c, w);
        return t.align === "l" ? padRight(c, w) : padLeft(c, w);
      })
      .join(sep);
  const lines: string[] = [];
  const dataLines = body.map((r) => fmtRow(r, "data"));
  const last = dataLines.length > 0 ? dataLines[dataLines.length - 1] : header ? fmtRow(header, "header") : "";
  lines.push("-".repeat(last.length));
  if (header) {
    const h = fmtRow(header, "header");
    lines.push(h, "-".repeat(h.length));
  }
  lines.push(...dataLines);
  return lines;
}

/** Number of separators statsmodels assumes for a table: its number of data columns minus one (at least 1). */
function separators(t: TextTable): number {
  const ncols = t.header ? t.header.length : Math.max(...t.rows.map((r) => r.length));
  return Math.max(ncols - 1, 1);
}

/**
 * A statsmodels Summary as text: the title centred over the widest table, the tables one after
 * another, "=" rules at the top and bottom, and an optional note wrapped to the width.
 */
export function summaryText(title: string, tables: TextTable[], notes: string[] = []): string {
  const lengths = tables.map((t) => tableLines(t, 0, 0)[0].length);
  const widest = Math.max(...lengths);
  const lines: string[] = [];
  tables.forEach((t, i) => {
    const nsep = separators(t);
    const padCol = Math.floor((widest - lengths[i]) / nsep);
    const padIndex = widest - (lengths[i] + nsep * padCol);
    lines.push(...tableLines(t, padCol, padIndex));
  });
  const rule = "=".repeat(widest);
  lines[0] = rule;
  lines.push(rule);
  const head = title.length < widest ? " ".repeat(Math.trunc(widest / 2 - title.length / 2)) + title : title;
  const wrapped = notes.map((n) => wrap(n, widest).join("\n"));
  return [head, lines.join("\n"), wrapped.join("\n")].join("\n");
}

/** Wraps text at word boundaries to the given width (as Python's textwrap.wrap does for plain prose). */
export function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const out: string[] = [];
  let line = "";
  for (const w of words) {
    if (line.length === 0) line = w;
    else if (line.length + 1 + w.length <= width) line += " " + w;
    else { out.push(line); line = w; }
  }
  if (line) out.push(line);
  return out;
}
