/**
 * Fourth step of building a model: the random-effect terms, from evaluated factors. Both styles
 * become the same internal terms: a grouping factor (levels and each row's level), q effect
 * columns, and a covariance template parameterised by lme4's relative Cholesky factor θ.
 *  - statsmodels: one grouping column with correlated effects from re_formula, and independent
 *    variance components from vc_formula (one level per group and column);
 *  - lme4: one term per bar term, `(1 + Time | Pig)`, `(1 | a/b)`, `(x || g)`, crossed or nested.
 */
import { ProductCentres, productRelations } from "./centredProducts";
import { designFromFactors, evaluateTermFactors, FactorValues, sparseDesign, SparseSubterm } from "./design";
import { MixedLMError } from "./errors";
import { categoricalFromColumn, FactorContext } from "./formula/factor";
import { BarTerm, Term, TermList } from "./formula/terms";
import type { ModelFrame, RandomTerm } from "./model";
import type { ParsedModel } from "./modelSpec";
import { Column } from "./table";
import { refuseTextInNumbers } from "./textInNumbers";

/** Hands out θ indices in order. */
export class ThetaCounter {
  count = 0;
  next = (): number => this.count++;
}

/** Lower-triangular template layout: θ indices for a full (correlated) or diagonal q×q factor. */
function templateIndex(q: number, correlated: boolean, theta: ThetaCounter): Int32Array {
  const idx = new Int32Array(q * q).fill(-1);
  for (let c = 0; c < q; c++) {
    for (let r = c; r < q; r++) {
      if (r === c || correlated) idx[c * q + r] = theta.next();
    }
  }
  return idx;
}

/** Group labels: sorted as statsmodels sorts them (numbers numerically), whole numbers written without ".0". */
function sortedGroups(col: Column): { labels: string[]; refs: Int32Array } {
  const cat = categoricalFromColumn(col.kind === "numeric" ? { ...col, integer: true } : col);
  return { labels: cat.levels, refs: cat.codes };
}

/** Evaluated factors of a term list, its text columns checked (a column of numbers but for a few cells is named). */
function effectFactors(list: TermList, source: string, ctx: FactorContext, cache: FactorValues): FactorValues {
  const values = evaluateTermFactors(list.terms, source, ctx, cache);
  refuseTextInNumbers(list.terms, values, ctx.rowIndex);
  return values;
}

// ---- statsmodels: groups, re_formula, vc_formula ----------------------------------------------

/** One variance component's subterm: a level per (group, column) pair that has rows, in statsmodels' order. */
function vcTerm(name: string, sub: SparseSubterm, groups: { refs: Int32Array }, groupName: string, theta: number, n: number): RandomTerm {
  const ncol = sub.names.length;
  const levelOf = new Map<number, number>();
  const columnOfLevel: number[] = [];
  const groupOfLevel: number[] = [];
  const refs = new Int32Array(n).fill(-1);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hit = sub.hit[i];
    const value = sub.value ? sub.value[i] : 1;
    if (hit < 0 || value === 0) continue;
    const key = groups.refs[i] * ncol + hit;
    let lv = levelOf.get(key);
    if (lv === undefined) {
      lv = columnOfLevel.length;
      levelOf.set(key, lv);
      columnOfLevel.push(hit);
      groupOfLevel.push(groups.refs[i]);
    }
    refs[i] = lv;
    z[i] = value;
  }
  // order levels by group, then column, as statsmodels lists them
  const order = columnOfLevel.map((_, k) => k).sort((a, b) => groupOfLevel[a] - groupOfLevel[b] || columnOfLevel[a] - columnOfLevel[b]);
  const rank = new Int32Array(order.length);
  order.forEach((k, r) => { rank[k] = r; });
  for (let i = 0; i < n; i++) if (refs[i] >= 0) refs[i] = rank[refs[i]];
  const allOnes = z.every((v, i) => refs[i] < 0 || v === 1);
  return {
    grouping: groupName,
    kind: "vc",
    vcName: name,
    levels: order.map((k) => sub.names[columnOfLevel[k]]),
    groupOfLevel: Int32Array.from(order.map((k) => groupOfLevel[k])),
    refs,
    q: 1,
    names: [name],
    z: [allOnes ? null : z],
    correlated: false,
    thetaIndex: Int32Array.of(theta),
  };
}

export interface RandomPart {
  terms: RandomTerm[];
  /** statsmodels style: the grouping column. */
  groups: ModelFrame["groups"];
}

export function statsmodelsTerms(model: ParsedModel, groupColumn: { column: Column; name: string }, ctx: FactorContext, cache: FactorValues, theta: ThetaCounter): RandomPart {
  const n = ctx.table.nRows;
  const groupName = groupColumn.name;
  const g = sortedGroups(groupColumn.column);
  const terms: RandomTerm[] = [];
  // re_formula: absent → random intercept, unless variance components are given (statsmodels)
  const reTerms: TermList | null = model.re ? model.re.rhs : model.vcs.length > 0 ? null : { intercept: true, terms: [] };
  if (reTerms && (reTerms.intercept || reTerms.terms.length > 0)) {
    const source = model.re ? model.re.source : "1";
    const centres = new ProductCentres(ctx.memo, ctx.fitting);
    const design = designFromFactors(reTerms, effectFactors(reTerms, source, ctx, cache), source, n, centres);
    const q = design.columns.length;
    terms.push({
      grouping: groupName,
      kind: "re",
      levels: g.labels,
      refs: g.refs,
      q,
      names: design.columns.map((c) => c.name.replace("Intercept", groupName)),
      z: design.columns.map((c) => (c.name === "Intercept" ? null : c.values)),
      correlated: true,
      thetaIndex: templateIndex(q, true, theta),
      effects: { list: reTerms, source },
      products: productRelations(design.columns, centres),
    });
  }
  for (const { name, desc } of model.vcs) {
    const values = effectFactors(desc.rhs, desc.source, ctx, cache);
    const k = theta.next();
    for (const sub of sparseDesign(desc.rhs, values, desc.source, n)) terms.push(vcTerm(name, sub, g, groupName, k, n));
  }
  if (terms.length === 0) {
    throw new MixedLMError("model", 're_formula "0" leaves no random effects: give re_formula (e.g. "1") or vc_formula.');
  }
  return { terms, groups: { name: groupName, labels: g.labels, refs: g.refs } };
}

// ---- lme4: bar terms ------------------------------------------------------------------------

/**
 * The grouping factor of a bar term, named `name` (lme4's name: "a:b" as written, "b:a" for a/b): one
 * factor, or an interaction whose levels are the combinations present, labelled "a-level:b-level"
 * in the order of the term's factors.
 */
function groupingFactor(term: Term, name: string, source: string, ctx: FactorContext, cache: FactorValues): { name: string; labels: string[]; refs: Int32Array } {
  const values = evaluateTermFactors([term], source, ctx, cache);
  const parts = term.factors.map((f) => {
    const v = values.get(f.code)!;
    if (v.kind === "categorical") return { codes: v.codes, levels: v.levels };
    return categoricalFromColumn({ kind: "numeric", name: f.code, values: v.values, integer: true, missing: 0 });
  });
  const n = ctx.table.nRows;
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

function barTerm(bar: BarTerm, source: string, ctx: FactorContext, cache: FactorValues, theta: ThetaCounter): RandomTerm {
  const grouping = groupingFactor(bar.grouping, bar.groupingName, source, ctx, cache);
  const centres = new ProductCentres(ctx.memo, ctx.fitting);
  const design = designFromFactors(bar.effects, effectFactors(bar.effects, source, ctx, cache), source, ctx.table.nRows, centres);
  const q = design.columns.length;
  return {
    grouping: grouping.name,
    kind: "bar",
    levels: grouping.labels,
    refs: grouping.refs,
    q,
    names: design.columns.map((c) => (c.name === "Intercept" ? "(Intercept)" : c.name)),
    z: design.columns.map((c) => (c.name === "Intercept" ? null : c.values)),
    correlated: bar.correlated,
    thetaIndex: templateIndex(q, bar.correlated, theta),
    text: bar.text,
    groupingFactors: bar.grouping.factors.map((f) => f.code),
    effects: { list: bar.effects, source },
    // a product's centred form is the same model only when the term's covariance is free
    ...(bar.correlated ? { products: productRelations(design.columns, centres) } : {}),
  };
}

export function lme4Terms(model: ParsedModel, ctx: FactorContext, cache: FactorValues, theta: ThetaCounter): RandomPart {
  return { terms: model.main.bars.map((bar) => barTerm(bar, model.main.source, ctx, cache, theta)), groups: null };
}
