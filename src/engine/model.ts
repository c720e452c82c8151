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
import { completeCases } from "./completeCases";
import { CentredProduct, fixedColumnsForFit, ProductCentres, productRelations, termColumnsForFit } from "./centredProducts";
import { DesignColumn, designFromFactors, evaluateTermFactors, FactorValues, independentColumns, marginalityOf, termColumnSets } from "./design";
import { excerpt, formulaError, MixedLMError } from "./errors";
import { evaluateFactor, FactorContext, FactorMemo, newMemo, parseFactorExpr } from "./formula/factor";
import { FormulaDesc, TermList } from "./formula/terms";
import { checkRandomTerms } from "./identifiability";
import { parseModel } from "./modelSpec";
import { lme4Terms, statsmodelsTerms, ThetaCounter } from "./randomTerms";
import { DataTable } from "./table";
import { refuseTextInNumbers, textAmongNumbersError } from "./textInNumbers";

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
  /** Per effect column of a correlated term: a product of numeric factors in its centred form (centredProducts.ts), or null. */
  products?: (CentredProduct | null)[];
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
  /**
   * Per column of X: a product of numeric factors held as its centred form plus multiples of
   * earlier columns (centredProducts.ts), or null. The fit uses the centred form (standardize.ts).
   */
  products: (CentredProduct | null)[];
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

/**
 * The model's frame, built in one direction: the spec parsed (modelSpec.ts), the complete rows
 * of the columns it uses (completeCases.ts), its factors evaluated once each on those rows
 * (formula/factor.ts), the designs made from the factors (design.ts), the random-effect terms
 * (randomTerms.ts), and the checks a fit needs (identifiability.ts).
 */
export function buildModel(input: DataTable, spec: ModelSpec): ModelFrame {
  const model = parseModel(spec);
  const rows = completeCases(input, spec, model);
  const ctx: FactorContext = { table: rows.table, memo: newMemo(), fitting: true, rowIndex: rows.rowIndex };
  const factors: FactorValues = new Map();
  const n = rows.table.nRows;
  const y = responseValues(model.main, ctx);
  const fixed = fixedEffects(model.main, ctx, factors, n);
  const theta = new ThetaCounter();
  const random = model.style === "lme4" ? lme4Terms(model, ctx, factors, theta) : statsmodelsTerms(model, rows.groups!, ctx, factors, theta);
  // the checks see products of covariates as the fit takes them, centred (centredProducts.ts)
  const fitTerms = random.terms.map((t) => ({ ...t, z: termColumnsForFit(t) }));
  checkRandomTerms(fitTerms, n, theta.count, fixedColumnsForFit({ X: fixed.columns.map((c) => c.values), products: fixed.products }), fixed.columns.map((c) => c.name), model.method);
  const { lower, start } = thetaBounds(random.terms, theta.count);
  return {
    spec,
    style: model.style,
    method: model.method,
    table: rows.table,
    rowIndex: rows.rowIndex,
    nInputRows: input.nRows,
    nDropped: rows.nDropped,
    responseName: model.main.response!.code,
    y,
    xNames: fixed.columns.map((c) => c.name),
    X: fixed.columns.map((c) => c.values),
    products: fixed.products,
    droppedColumns: fixed.dropped,
    terms: random.terms,
    nTheta: theta.count,
    thetaLower: lower,
    thetaStart: start,
    groups: random.groups,
    memo: ctx.memo,
    fixed: model.main.rhs,
    fixedSource: model.main.source,
    warnings: fixed.warnings,
  };
}

/** The response: numbers (a column of numbers but for a few cells of text is named cell by cell). */
function responseValues(main: FormulaDesc, ctx: FactorContext): Float64Array {
  const resp = main.response!;
  const yv = evaluateFactor(parseFactorExpr(resp.tokens, main.source), resp.code, main.source, ctx);
  if (yv.kind === "numeric") return yv.values;
  const typo = yv.column !== undefined ? textAmongNumbersError(yv, yv.column, "response", ctx.rowIndex) : null;
  if (typo) throw typo;
  throw formulaError(`The response ${excerpt(resp.code)} holds text; it must be numeric`, main.source, resp.start, resp.end);
}

/** The fixed-effects design, without the columns that are linear combinations of earlier ones (as lme4 drops them). */
function fixedEffects(main: FormulaDesc, ctx: FactorContext, factors: FactorValues, n: number): FixedColumns {
  const values = evaluateTermFactors(main.rhs.terms, main.source, ctx, factors);
  refuseTextInNumbers(main.rhs.terms, values, ctx.rowIndex);
  const centres = new ProductCentres(ctx.memo, ctx.fitting);
  const all = designFromFactors(main.rhs, values, main.source, n, centres).columns;
  const relations = productRelations(all, centres);
  // the rank check sees each product as its centred form: x·z near 3e14 has lost what x₀·z₀ holds
  const checked = all.map((c, k) => relations[k]?.centred ?? c.values);
  const keepIdx = independentColumns(checked, undefined, marginalityOf(all, () => termColumnSets(main.rhs, main.source, ctx.table)));
  const kept = new Set(keepIdx);
  const dropped = all.filter((_, k) => !kept.has(k)).map((c) => c.name);
  const warnings: string[] = [];
  if (dropped.length > 0) {
    warnings.push(`The fixed-effects design is rank deficient: dropped ${dropped.join(", ")} (a linear combination of the columns before ${dropped.length > 1 ? "them" : "it"}).`);
  }
  const columns = keepIdx.map((k) => all[k]);
  if (n <= columns.length) {
    throw new MixedLMError("model", `There are ${n} complete rows but ${columns.length} fixed-effects coefficients: the model needs more rows than coefficients.`);
  }
  return { columns, dropped, warnings, products: keptRelations(relations, keepIdx) };
}

interface FixedColumns {
  columns: DesignColumn[];
  dropped: string[];
  warnings: string[];
  products: (CentredProduct | null)[];
}

/** The centred products among the kept columns, renumbered; a product whose lower-order column was dropped stays as written. */
function keptRelations(relations: (CentredProduct | null)[], keepIdx: number[]): (CentredProduct | null)[] {
  const position = new Map(keepIdx.map((k, j) => [k, j]));
  return keepIdx.map((k) => {
    const r = relations[k];
    if (!r || !r.lower.every((l) => position.has(l.column))) return null;
    return { centred: r.centred, lower: r.lower.map((l) => ({ column: position.get(l.column)!, coef: l.coef })) };
  });
}

/** θ's bounds and start: diagonal entries of the relative factors at least 0, starting at 1; the others free, starting at 0. */
function thetaBounds(terms: RandomTerm[], nTheta: number): { lower: Float64Array; start: Float64Array } {
  const lower = new Float64Array(nTheta).fill(-Infinity);
  const start = new Float64Array(nTheta);
  for (const t of terms) {
    for (let c = 0; c < t.q; c++) {
      const k = t.thetaIndex[c * t.q + c];
      if (k >= 0) { lower[k] = 0; start[k] = 1; }
    }
  }
  return { lower, start };
}
