/**
 * Second step of building a model: from the user's columns to the rows the model is fitted on.
 * The columns every formula refers to (and the grouping column) are found, and rows with a
 * missing value in any of them are dropped (listwise deletion, as statsmodels and lme4 do).
 */
import { MixedLMError, nameList } from "./errors";
import { factorColumns, parseFactorExpr } from "./formula/factor";
import { FormulaDesc } from "./formula/terms";
import type { ModelSpec } from "./model";
import type { ParsedModel } from "./modelSpec";
import { Column, DataTable, unknownColumn } from "./table";

export interface CompleteCases {
  /** The complete rows. */
  table: DataTable;
  /** Data row (0-based, below the header) of each complete row. */
  rowIndex: Int32Array;
  nDropped: number;
  /** statsmodels style: the grouping column, on the complete rows, and its name. */
  groups: { column: Column; name: string } | null;
}

/** Columns of the data a formula uses. */
function formulaColumns(desc: FormulaDesc, table: DataTable): string[] {
  const cols: string[] = [];
  const factors = [
    ...(desc.response ? [desc.response] : []),
    ...desc.rhs.terms.flatMap((t) => t.factors),
    ...desc.bars.flatMap((b) => [...b.effects.terms.flatMap((t) => t.factors), ...b.grouping.factors]),
  ];
  for (const f of factors) cols.push(...factorColumns(parseFactorExpr(f.tokens, desc.source), table, desc.source));
  return cols;
}

/** A grouping column given as values: becomes a column named "Group". */
function groupValuesColumn(values: readonly unknown[], nRows: number): Column {
  if (values.length !== nRows) {
    throw new MixedLMError("data", `The groups have ${values.length} values but the data have ${nRows} rows: give one group per data row (the same height as the data, without its header).`);
  }
  const t = DataTable.fromRows([["Group"], ...values.map((v) => [v])]);
  if (t.nRows !== nRows) {
    // trailing blanks were trimmed by fromRows: pad them back as missing
    const c = t.column("Group");
    if (c.kind === "numeric") {
      const v = new Float64Array(nRows).fill(NaN);
      v.set(c.values);
      return { ...c, values: v };
    }
    const codes = new Int32Array(nRows).fill(-1);
    codes.set(c.codes);
    return { ...c, codes };
  }
  return t.column("Group");
}

/** statsmodels style: the grouping column, by name or given as values. */
function groupColumn(input: DataTable, spec: ModelSpec): { column: Column; name: string } {
  if (spec.groups !== undefined && spec.groups !== null && spec.groups !== "") {
    if (!input.has(spec.groups)) throw unknownColumn(spec.groups, input.names);
    return { column: input.column(spec.groups), name: spec.groups };
  }
  return { column: groupValuesColumn(spec.groupValues!, input.nRows), name: "Group" };
}

function isMissingCell(c: Column, i: number): boolean {
  return c.kind === "numeric" ? Number.isNaN(c.values[i]) : c.codes[i] < 0;
}

function subsetColumn(c: Column, keep: Uint8Array): Column {
  const t = new DataTable([c], c.kind === "numeric" ? c.values.length : c.codes.length).subset(keep);
  return t.columns[0];
}

export function completeCases(input: DataTable, spec: ModelSpec, model: ParsedModel): CompleteCases {
  const groups = model.style === "statsmodels" ? groupColumn(input, spec) : null;
  const used = new Set<string>(formulaColumns(model.main, input));
  if (model.re) formulaColumns(model.re, input).forEach((c) => used.add(c));
  model.vcs.forEach((v) => formulaColumns(v.desc, input).forEach((c) => used.add(c)));
  const usedCols = [...used].map((c) => input.column(c));
  if (groups) usedCols.push(groups.column);
  const keep = new Uint8Array(input.nRows);
  let nKept = 0;
  for (let i = 0; i < input.nRows; i++) {
    let ok = 1;
    for (const c of usedCols) if (isMissingCell(c, i)) { ok = 0; break; }
    keep[i] = ok;
    nKept += ok;
  }
  const nDropped = input.nRows - nKept;
  if (nKept === 0) {
    const names = [...used, ...(groups && spec.groups ? [spec.groups] : [])];
    throw new MixedLMError("data", `Every row has a missing value in a column the model uses (${nameList(names)}): there is nothing to fit.`);
  }
  const table = nDropped > 0 ? input.subset(keep) : input;
  const rowIndex = new Int32Array(nKept);
  for (let i = 0, k = 0; i < input.nRows; i++) if (keep[i]) rowIndex[k++] = i;
  return {
    table,
    rowIndex,
    nDropped,
    groups: groups && { column: nDropped > 0 ? subsetColumn(groups.column, keep) : groups.column, name: groups.name },
  };
}
