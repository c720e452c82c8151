/**
 * The fixed-effect terms as R's terms() lists them, for the ANOVA tables: in the formula's order
 * sorted by degree (main effects, then two-way interactions, ...), each with its columns of X
 * (the engine orders columns as patsy does; the tests do not depend on the order of columns),
 * its variables, and which of them are numeric (lmerTest's containment compares those).
 */
import { buildDesign } from "../design";
import { evaluateFactor, FactorValue, parseFactorExpr } from "../formula/factor";
import { termName } from "../formula/terms";
import type { ModelFrame } from "../model";

export interface FixedTerm {
  label: string;
  codes: string[];
  values: FactorValue[];
  numeric: Set<string>;
  /** Indices into the model's coefficients (frame.xNames). */
  columns: number[];
}

export interface FixedTerms {
  /** Index of the intercept among the coefficients, −1 without one. */
  intercept: number;
  terms: FixedTerm[];
}

export function fixedTerms(frame: ModelFrame): FixedTerms {
  const design = buildDesign(frame.fixed, frame.table, frame.fixedSource, frame.memo, false);
  const columnOf = new Map(frame.xNames.map((name, k) => [name, k]));
  const all = frame.fixed.intercept ? [{ factors: [] }, ...frame.fixed.terms] : frame.fixed.terms;
  const columns = all.map(() => [] as number[]);
  for (const c of design.columns) {
    const k = columnOf.get(c.name);
    if (k !== undefined) columns[c.term].push(k);
  }
  const offset = frame.fixed.intercept ? 1 : 0;
  const terms = frame.fixed.terms.map((t, i) => {
    const values = t.factors.map((f) => evaluateFactor(parseFactorExpr(f.tokens, frame.fixedSource), f.code, frame.fixedSource, { table: frame.table, memo: frame.memo, fitting: false }));
    const codes = t.factors.map((f) => f.code);
    return { label: termName(t), codes, values, numeric: new Set(codes.filter((_, j) => values[j].kind === "numeric")), columns: columns[i + offset] };
  });
  // R sorts terms by degree, keeping the formula's order within a degree (a stable sort)
  const ordered = terms.map((t, i) => ({ t, i })).sort((a, b) => a.t.codes.length - b.t.codes.length || a.i - b.i).map((x) => x.t);
  return { intercept: frame.fixed.intercept && columns[0].length > 0 ? columns[0][0] : -1, terms: ordered };
}

/** lmerTest's containment: T1 is contained in T2 when T2 has all of T1's variables and more, and the same numeric ones. */
export function containedIn(t1: FixedTerm, t2: FixedTerm): boolean {
  if (t1 === t2 || !t1.codes.every((c) => t2.codes.includes(c)) || t2.codes.length <= t1.codes.length) return false;
  return t1.numeric.size === t2.numeric.size && [...t1.numeric].every((c) => t2.numeric.has(c));
}
