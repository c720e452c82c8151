/**
 * The data as the pane describes them: each column's type, missing values and distinct values,
 * and which columns make good groups. Pure, tested in test/taskpane. No statistics here: the
 * engine reads the table, the pane only counts.
 */
import { DataTable } from "../engine";

export interface ColumnInfo {
  name: string;
  kind: "numeric" | "categorical";
  missing: number;
  /** Number of distinct values (levels of a categorical column). */
  distinct: number;
  /** Numeric columns holding whole numbers only (codes such as Pig or Litter may be). */
  integer: boolean;
  /** Kept for the categorical columns' description. */
  levels?: number;
}

export interface DataInfo {
  address: string;
  /** Data rows below the header. */
  rows: number;
  columns: ColumnInfo[];
  /** Changes whenever the values or the address change (results carry it to know their data). */
  fingerprint: string;
}

/** A cheap fingerprint of the cells (FNV-1a over their text): equal data give equal fingerprints. */
export function dataFingerprint(address: string, values: readonly (readonly unknown[])[]): string {
  let h = 0x811c9dc5;
  const add = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  };
  add(address);
  for (const row of values) for (const v of row) add(String(v));
  return `${values.length}:${(h >>> 0).toString(16)}`;
}

/** The columns of a selection, as the engine reads them (throws MixedLMError on an unusable range). */
export function describeData(address: string, values: readonly (readonly unknown[])[]): DataInfo {
  const t = DataTable.fromRows(values);
  return {
    address,
    rows: t.nRows,
    fingerprint: dataFingerprint(address, values),
    columns: t.columns.map((c): ColumnInfo => {
      if (c.kind === "categorical") return { name: c.name, kind: c.kind, missing: c.missing, distinct: c.levels.length, integer: false, levels: c.levels.length };
      const seen = new Set<number>();
      for (const v of c.values) if (!Number.isNaN(v)) seen.add(v);
      return { name: c.name, kind: c.kind, missing: c.missing, distinct: seen.size, integer: c.integer };
    }),
  };
}

/** A column proposed as groups, with what it would give. */
export interface GroupsProposal {
  column: string;
  groups: number;
  /** Rows per group on average. */
  perGroup: number;
  /** Repeated values in text or whole numbers: what a grouping column looks like. */
  likely: boolean;
}

/**
 * Columns ordered as groups: first those whose values repeat (at least two rows a group on
 * average) and are text or whole numbers, most groups first (more groups estimate a variance
 * better); then other repeated columns; columns without repeats last.
 */
export function groupsProposals(data: DataInfo, exclude: readonly string[] = []): GroupsProposal[] {
  const out = data.columns
    .filter((c) => !exclude.includes(c.name))
    .map((c): GroupsProposal => {
      const n = data.rows - c.missing;
      const perGroup = c.distinct > 0 ? n / c.distinct : 0;
      return { column: c.name, groups: c.distinct, perGroup, likely: c.distinct >= 2 && perGroup >= 2 && (c.kind === "categorical" || c.integer) };
    });
  const rank = (p: GroupsProposal) => (p.likely ? 0 : p.groups >= 2 && p.perGroup >= 2 ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b) || (rank(a) === 2 ? 0 : b.groups - a.groups));
}

/** Numeric columns that may be codes (whole numbers with repeats): offered to be marked categorical. */
export function mayBeCodes(c: ColumnInfo, rows: number): boolean {
  return c.kind === "numeric" && c.integer && c.distinct >= 2 && c.distinct < rows - c.missing;
}
