/**
 * The model builder's state and what it generates: the formula text and the ModelSpec. Pure,
 * tested in test/taskpane. No statistics here: the engine parses and fits.
 */
import { DataTable, parseFormula } from "../engine";
import type { Method, ModelSpec } from "../engine";

export interface ColumnInfo {
  name: string;
  kind: "numeric" | "categorical";
  missing: number;
  /** Number of distinct values (categorical columns). */
  levels?: number;
}

export interface DataInfo {
  address: string;
  /** Data rows below the header. */
  rows: number;
  columns: ColumnInfo[];
}

/** The columns of a selection, as the engine reads them (throws MixedLMError on an unusable range). */
export function describeData(address: string, values: readonly (readonly unknown[])[]): DataInfo {
  const t = DataTable.fromRows(values);
  return {
    address,
    rows: t.nRows,
    columns: t.columns.map((c) => (c.kind === "numeric" ? { name: c.name, kind: c.kind, missing: c.missing } : { name: c.name, kind: c.kind, missing: c.missing, levels: c.levels.length })),
  };
}

export interface VarianceComponent {
  name: string;
  column: string;
}

export interface BuilderState {
  response: string;
  fixed: string[];
  /** Fixed effects crossed with "*" (main effects and all interactions) instead of "+". */
  interactions: boolean;
  /** statsmodels' groups column; "" for none (lme4 bar terms carry their own). */
  groups: string;
  /** Random slopes within groups: re_formula "~x1 + x2". */
  slopes: string[];
  vcs: VarianceComponent[];
  /** lme4 terms appended to the formula, e.g. "(1 | item)". */
  extraTerms: string;
  method: Method;
}

export const EMPTY_BUILDER: BuilderState = { response: "", fixed: [], interactions: false, groups: "", slopes: [], vcs: [], extraTerms: "", method: "REML" };

/** A column as a formula term: the plain name when it is an identifier, else Q("name"). */
export function termName(column: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(column) ? column : `Q("${column.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}")`;
}

/** "Weight ~ Time + Cu", "Weight ~ Time * Cu", "Weight ~ 1", plus the extra lme4 terms. */
export function buildFormula(s: BuilderState): string {
  if (!s.response) return "";
  const fixed = s.fixed.map(termName);
  let rhs = fixed.length === 0 ? "1" : fixed.join(s.interactions ? " * " : " + ");
  const extra = s.extraTerms.trim().replace(/^\+\s*/, "");
  if (extra !== "") rhs += ` + ${extra}`;
  return `${termName(s.response)} ~ ${rhs}`;
}

/** The engine's model specification for the builder and the formula as typed. */
export function buildSpec(s: BuilderState, formula: string): ModelSpec {
  const spec: ModelSpec = { formula: formula.trim(), method: s.method };
  if (s.groups) spec.groups = s.groups;
  if (s.groups && s.slopes.length > 0) spec.reFormula = `~${s.slopes.map(termName).join(" + ")}`;
  const vcs = s.vcs.filter((v) => v.name.trim() !== "" && v.column !== "");
  if (s.groups && vcs.length > 0) spec.vcFormula = Object.fromEntries(vcs.map((v) => [v.name.trim(), `0 + C(${termName(v.column)})`]));
  return spec;
}

/** The formula's syntax error (the engine's message), or null when it parses. */
export function formulaProblem(formula: string): string | null {
  if (formula.trim() === "") return "Write a formula, as in \"Weight ~ Time\", or choose a response.";
  try {
    parseFormula(formula);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Whether the formula has lme4 bar terms, "(1 | g)" (then no groups column is needed). */
export function hasBarTerms(formula: string): boolean {
  return /\|/.test(formula);
}

/** What keeps the Fit button disabled, or null. */
export function fitBlocker(s: BuilderState, formula: string, data: DataInfo | null): string | null {
  if (!data) return "Read the data first (Use selection).";
  const p = formulaProblem(formula);
  if (p) return p;
  if (!s.groups && !hasBarTerms(formula)) return "Choose the groups column, or add an lme4 term such as (1 | Pig) to the formula.";
  return null;
}
