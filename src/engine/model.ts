/**
 * From a model specification and a data table to everything the fit needs: complete cases,
 * the response, the fixed-effects design, and the random-effect terms with their θ layout.
 *
 * Two ways to say the same model are accepted:
 *  - statsmodels: `formula` + `groups` (+ `reFormula`, `vcFormula`): one grouping column with
 *    correlated random effects from reFormula, and independent variance components;
 *  - lme4: bar terms in the formula, `(1 + Time | Pig)`, `(1 | a/b)`, `(x || g)`, crossed or nested.
 * Both become the same internal terms: a grouping factor, q effect columns, and a covariance
 * template parameterised by lme4's relative Cholesky factor θ.
 */
import { buildDesign, independentColumns } from "./design";
import { formulaError, MixedLMError } from "./errors";
import { categoricalFromColumn, evaluateFactor, FactorMemo, factorColumns, newMemo, parseFactorExpr } from "./formula/factor";
import { FormulaDesc, parseFormula, Term, TermList } from "./formula/terms";
import { Column, DataTable, unknownColumn } from "./table";

export type Method = "REML" | "ML";

export interface ModelSpec {
  /** `response ~ terms`, optionally with lme4 bar terms. */
  formula: string;
  /** statsmodels style: the grouping column's name. */
  groups?: string | null;
  /** statsmodels style: grouping values given directly (one per data row); shown as "Group". */
  groupValues?: readonly unknown[] | null;
  /** statsmodels' re_formula: random effects within groups ("1", "~Time", "0 + x"). */
  reFormula?: string | null;
  /** statsmodels' vc_formula: name → formula of an independent variance component. */
  vcFormula?: Record<string, string> | null;
  method?: Method;
}

export interface RandomTerm {
  /** The grouping factor as written: "Pig", "Litter:Pig"; for a variance component, the groups column. */
  grouping: string;
  kind: "re" | "vc" | "bar";
  /** Variance-component name (kind "vc"). */
  vcName?: string;
  /** Level labels. For "vc": the column name within the group (e.g. "C(cask)[a]"). */
  levels: string[];
  /** For "vc": the statsmodels group of each level. */
  groupOfLevel?: Int32Array;
  /** Level of each (complete-case) row; -1 when the row is in no level. */
  refs: Int32Array;
  q: number;
  /** Effect names: statsmodels' (group name for the intercept) or lme4's ("(Intercept)"). */
  names: string[];
  /** The q effect columns; null = ones. */
  z: (Float64Array | null)[];
  correlated: boolean;
  /** θ index of each entry of the q×q lower-triangular template (column-major); -1 = fixed zero. */
  thetaIndex: Int32Array;
  /** For "bar": the lme4 term, e.g. "(Time | Pig)", or a part of lme4's expansion, e.g. "(0 + Days | Subject)". */
  text?: string;
  /** For "bar": the factors of the grouping factor, in the order of its level labels ("Variety", "Block" for Variety:Block). */
  groupingFactors?: string[];
  /** The formula of the effect columns ("re" and "bar"), to rebuild them on new rows. */
  effects?: { list: TermList; source: string };
}

export interface ModelFrame {
  spec: ModelSpec;
  style: "statsmodels" | "lme4";
  method: Method;
  table: DataTable;
  /** Index in the input table of each complete-case row. */
  rowIndex: Int32Array;
  nInputRows: number;
  nDropped: number;
  responseName: string;
  y: Float64Array;
  xNames: string[];
  X: Float64Array[];
  /** Fixed-effects columns dropped because they were linear combinations of others. */
  droppedColumns: string[];
  terms: RandomTerm[];
  nTheta: number;
  thetaLower: Float64Array;
  thetaStart: Float64Array;
  /** statsmodels style: the grouping column. */
  groups: { name: string; labels: string[]; refs: Int32Array } | null;
  /** What prediction on new rows needs. */
  memo: FactorMemo;
  fixed: TermList;
  fixedSource: string;
  warnings: string[];
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

function isMissingCell(c: Column, i: number): boolean {
  return c.kind === "numeric" ? Number.isNaN(c.values[i]) : c.codes[i] < 0;
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

/** Group labels: sorted as statsmodels sorts them (numbers numerically), whole numbers written without ".0". */
function sortedGroups(col: Column): { labels: string[]; refs: Int32Array } {
  const cat = categoricalFromColumn(col.kind === "numeric" ? { ...col, integer: true } : col);
  return { labels: cat.levels, refs: cat.codes };
}

/** Lower-triangular template layout: θ indices for a full (correlated) or diagonal q×q factor. */
function templateIndex(q: number, correlated: boolean, next: () => number): Int32Array {
  const idx = new Int32Array(q * q).fill(-1);
  for (let c = 0; c < q; c++) {
    for (let r = c; r < q; r++) {
      if (r === c || correlated) idx[c * q + r] = next();
    }
  }
  return idx;
}

export function buildModel(input: DataTable, spec: ModelSpec): ModelFrame {
  const method: Method = spec.method ?? "REML";
  if (method !== "REML" && method !== "ML") {
    throw new MixedLMError("option", `Unknown method "${String(method)}": use REML or ML.`);
  }
  if (typeof spec.formula !== "string" || spec.formula.trim() === "") {
    throw new MixedLMError("formula", 'The formula is empty: write it as "response ~ terms", for example "Weight ~ Time".');
  }
  const main = parseFormula(spec.formula);
  const hasBars = main.bars.length > 0;
  const hasGroups = (spec.groups !== undefined && spec.groups !== null && spec.groups !== "") || (spec.groupValues !== undefined && spec.groupValues !== null);
  if (hasBars && hasGroups) {
    throw new MixedLMError("model", `The formula has random-effect terms such as ${main.bars[0].text}, so groups must not also be given: remove groups, or remove the bar terms and use groups with re_formula.`);
  }
  if (hasBars && (spec.reFormula || spec.vcFormula)) {
    throw new MixedLMError("model", "re_formula and vc_formula belong to the statsmodels style (with groups); with bar terms such as (1 | g) in the formula, write every random effect there.");
  }
  if (!hasBars && !hasGroups) {
    throw new MixedLMError("model", 'The model has no random effects: give the grouping column (groups, e.g. "Pig") or add a term such as (1 | Pig) to the formula.');
  }
  const reDesc = spec.reFormula !== undefined && spec.reFormula !== null && String(spec.reFormula).trim() !== ""
    ? parseFormula(String(spec.reFormula), { oneSided: true })
    : null;
  if (reDesc && reDesc.bars.length > 0) throw formulaError("re_formula cannot hold bar terms", reDesc.source, reDesc.bars[0].start, reDesc.bars[0].end);
  const vcNames = spec.vcFormula ? Object.keys(spec.vcFormula).sort() : [];
  const vcDescs = vcNames.map((name) => {
    const d = parseFormula(spec.vcFormula![name], { oneSided: true });
    if (d.bars.length > 0) throw formulaError("vc_formula cannot hold bar terms", d.source, d.bars[0].start, d.bars[0].end);
    return { name, desc: d };
  });

  // ---- columns used, and listwise deletion -------------------------------------------------
  let groupColumn: Column | null = null;
  let groupName = "Group";
  if (!hasBars) {
    if (spec.groups !== undefined && spec.groups !== null && spec.groups !== "") {
      if (!input.has(spec.groups)) throw unknownColumn(spec.groups, input.names);
      groupColumn = input.column(spec.groups);
      groupName = spec.groups;
    } else {
      groupColumn = groupValuesColumn(spec.groupValues!, input.nRows);
    }
  }
  const used = new Set<string>(formulaColumns(main, input));
  if (reDesc) formulaColumns(reDesc, input).forEach((c) => used.add(c));
  vcDescs.forEach((v) => formulaColumns(v.desc, input).forEach((c) => used.add(c)));
  const usedCols = [...used].map((c) => input.column(c));
  if (groupColumn) usedCols.push(groupColumn);
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
    throw new MixedLMError("data", `Every row has a missing value in a column the model uses (${[...used, ...(groupColumn && spec.groups ? [spec.groups] : [])].join(", ")}): there is nothing to fit.`);
  }
  const table = nDropped > 0 ? input.subset(keep) : input;
  const rowIndex = new Int32Array(nKept);
  for (let i = 0, k = 0; i < input.nRows; i++) if (keep[i]) rowIndex[k++] = i;
  const n = nKept;
  const memo = newMemo();
  const warnings: string[] = [];

  // ---- response -----------------------------------------------------------------------------
  const resp = main.response!;
  const yv = evaluateFactor(parseFactorExpr(resp.tokens, main.source), resp.code, table, main.source, memo, true);
  if (yv.kind !== "numeric") {
    throw formulaError(`The response ${resp.code} holds text; it must be numeric`, main.source, resp.start, resp.end);
  }
  const y = yv.values;

  // ---- fixed effects --------------------------------------------------------------------------
  const design = buildDesign(main.rhs, table, main.source, memo, true);
  let xCols = design.columns;
  const keepIdx = independentColumns(xCols.map((c) => c.values));
  const droppedColumns = xCols.filter((_, k) => !keepIdx.includes(k)).map((c) => c.name);
  if (droppedColumns.length > 0) {
    warnings.push(`The fixed-effects design is rank deficient: dropped ${droppedColumns.join(", ")} (a linear combination of the columns before ${droppedColumns.length > 1 ? "them" : "it"}).`);
    xCols = keepIdx.map((k) => xCols[k]);
  }
  const p = xCols.length;
  if (n <= p) {
    throw new MixedLMError("model", `There are ${n} complete rows but ${p} fixed-effects coefficients: the model needs more rows than coefficients.`);
  }

  // ---- random effects -----------------------------------------------------------------------
  let thetaCount = 0;
  const next = () => thetaCount++;
  const terms: RandomTerm[] = [];
  let groups: ModelFrame["groups"] = null;

  if (!hasBars) {
    const g = sortedGroups(nDropped > 0 ? subsetColumn(groupColumn!, keep) : groupColumn!);
    groups = { name: groupName, labels: g.labels, refs: g.refs };
    // re_formula: absent → random intercept, unless variance components are given (statsmodels)
    let reTerms: TermList | null;
    if (reDesc) reTerms = reDesc.rhs;
    else reTerms = vcDescs.length > 0 ? null : { intercept: true, terms: [] };
    if (reTerms && (reTerms.intercept || reTerms.terms.length > 0)) {
      const reDesign = buildDesign(reTerms, table, reDesc ? reDesc.source : "1", memo, true);
      const q = reDesign.columns.length;
      terms.push({
        grouping: groupName,
        kind: "re",
        levels: g.labels,
        refs: g.refs,
        q,
        names: reDesign.columns.map((c) => c.name.replace("Intercept", groupName)),
        z: reDesign.columns.map((c) => (c.name === "Intercept" ? null : c.values)),
        correlated: true,
        thetaIndex: templateIndex(q, true, next),
        effects: { list: reTerms, source: reDesc ? reDesc.source : "1" },
      });
    }
    for (const { name, desc } of vcDescs) {
      const vd = buildDesign(desc.rhs, table, desc.source, memo, true);
      const theta = next();
      for (const sub of vd.subterms) {
        const cols = sub.columns.map((k) => vd.columns[k]);
        // a level is (group, column): rows of a group with a nonzero value in that column
        const levelOf = new Map<number, number>();
        const levels: string[] = [];
        const groupOfLevel: number[] = [];
        const refs = new Int32Array(n).fill(-1);
        const z = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let hit = -1;
          for (let c = 0; c < cols.length; c++) {
            if (cols[c].values[i] !== 0) {
              if (hit >= 0) {
                throw new MixedLMError("model", `In variance component "${name}", a row has more than one nonzero column in ${cols[hit].name} and ${cols[c].name}; write each random effect as its own component.`);
              }
              hit = c;
            }
          }
          if (hit < 0) continue;
          const key = g.refs[i] * cols.length + hit;
          let lv = levelOf.get(key);
          if (lv === undefined) {
            lv = levels.length;
            levelOf.set(key, lv);
            levels.push(cols[hit].name);
            groupOfLevel.push(g.refs[i]);
          }
          refs[i] = lv;
          z[i] = cols[hit].values[i];
        }
        // order levels by group, then column, as statsmodels lists them
        const order = levels.map((_, k) => k).sort((a, b) => groupOfLevel[a] - groupOfLevel[b] || cols.findIndex((c) => c.name === levels[a]) - cols.findIndex((c) => c.name === levels[b]));
        const rank = new Int32Array(levels.length);
        order.forEach((k, r) => { rank[k] = r; });
        for (let i = 0; i < n; i++) if (refs[i] >= 0) refs[i] = rank[refs[i]];
        const allOnes = z.every((v, i) => refs[i] < 0 || v === 1);
        terms.push({
          grouping: groupName,
          kind: "vc",
          vcName: name,
          levels: order.map((k) => levels[k]),
          groupOfLevel: Int32Array.from(order.map((k) => groupOfLevel[k])),
          refs,
          q: 1,
          names: [name],
          z: [allOnes ? null : z],
          correlated: false,
          thetaIndex: Int32Array.of(theta),
        });
      }
    }
    if (terms.length === 0) {
      throw new MixedLMError("model", 're_formula "0" leaves no random effects: give re_formula (e.g. "1") or vc_formula.');
    }
  } else {
    for (const bar of main.bars) {
      const grouping = groupingFactor(bar.grouping, bar.groupingName, table, main.source, memo);
      const ed = buildDesign(bar.effects, table, main.source, memo, true);
      const q = ed.columns.length;
      terms.push({
        grouping: grouping.name,
        kind: "bar",
        levels: grouping.labels,
        refs: grouping.refs,
        q,
        names: ed.columns.map((c) => (c.name === "Intercept" ? "(Intercept)" : c.name)),
        z: ed.columns.map((c) => (c.name === "Intercept" ? null : c.values)),
        correlated: bar.correlated,
        thetaIndex: templateIndex(q, bar.correlated, next),
        text: bar.text,
        groupingFactors: bar.grouping.factors.map((f) => f.code),
        effects: { list: bar.effects, source: main.source },
      });
    }
  }

  // ---- checks a fit needs -------------------------------------------------------------------
  for (const t of terms) {
    const nLevels = t.levels.length;
    if (t.kind !== "vc" && nLevels < 2) {
      throw new MixedLMError("model", `The grouping factor ${t.grouping} has ${nLevels} level${nLevels === 1 ? "" : "s"} among the complete rows; a random effect needs at least two groups.`);
    }
    if (t.kind !== "vc" && nLevels >= n) {
      throw new MixedLMError("model", `The grouping factor ${t.grouping} has as many levels (${nLevels}) as there are rows (${n}): each row is its own group, so its random effect cannot be told apart from the residual.`);
    }
  }
  const thetaLower = new Float64Array(thetaCount).fill(-Infinity);
  const thetaStart = new Float64Array(thetaCount);
  for (const t of terms) {
    for (let c = 0; c < t.q; c++) {
      const k = t.thetaIndex[c * t.q + c];
      if (k >= 0) { thetaLower[k] = 0; thetaStart[k] = 1; }
    }
  }

  return {
    spec,
    style: hasBars ? "lme4" : "statsmodels",
    method,
    table,
    rowIndex,
    nInputRows: input.nRows,
    nDropped,
    responseName: resp.code,
    y,
    xNames: xCols.map((c) => c.name),
    X: xCols.map((c) => c.values),
    droppedColumns,
    terms,
    nTheta: thetaCount,
    thetaLower,
    thetaStart,
    groups,
    memo,
    fixed: main.rhs,
    fixedSource: main.source,
    warnings,
  };
}

function subsetColumn(c: Column, keep: Uint8Array): Column {
  const t = new DataTable([c], c.kind === "numeric" ? c.values.length : c.codes.length).subset(keep);
  return t.columns[0];
}

/**
 * The grouping factor of a bar term, named `name` (lme4's name: "a:b" as written, "b:a" for a/b): one
 * factor, or an interaction whose levels are the combinations present, labelled "a-level:b-level"
 * in the order of the term's factors.
 */
function groupingFactor(term: Term, name: string, table: DataTable, source: string, memo: FactorMemo): { name: string; labels: string[]; refs: Int32Array } {
  const parts = term.factors.map((f) => {
    const v = evaluateFactor(parseFactorExpr(f.tokens, source), f.code, table, source, memo, true);
    if (v.kind === "categorical") return { codes: v.codes, levels: v.levels };
    const cat = categoricalFromColumn({ kind: "numeric", name: f.code, values: v.values, integer: true, missing: 0 });
    return cat;
  });
  const n = table.nRows;
  if (parts.length === 1) return { name, labels: parts[0].levels, refs: parts[0].codes };
  // combinations present, ordered by the components' own level order
  const key = new Float64Array(n);
  const seen = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (const p of parts) k = k * p.levels.length + p.codes[i];
    key[i] = k;
    if (!seen.has(k)) seen.set(k, parts.map((p) => p.codes[i]));
  }
  const combos = [...seen.keys()].sort((a, b) => a - b);
  const pos = new Map(combos.map((k, j) => [k, j]));
  const labels = combos.map((k) => seen.get(k)!.map((c, j) => parts[j].levels[c]).join(":"));
  const refs = new Int32Array(n);
  for (let i = 0; i < n; i++) refs[i] = pos.get(key[i])!;
  return { name, labels, refs };
}
