/**
 * The ANOVA table of the fixed-effect terms as lmerTest's anova(model, type, ddf) gives it: one
 * F test per term (types in anovaContrasts.ts) with the df method's denominator df, terms in
 * R's order (by degree, then as written).
 */
import type { FitCore } from "../fit";
import { anovaHypotheses, AnovaType } from "./anovaContrasts";
import type { ContrastTests, DdfMethod, FTest } from "./contrastTests";

/** One row of the table: a term's F test. */
export interface AnovaRow extends FTest {
  term: string;
}

export interface AnovaTable {
  type: AnovaType;
  ddf: DdfMethod;
  rows: AnovaRow[];
}

export function anovaTable(core: FitCore, tests: ContrastTests, type: AnovaType): AnovaTable {
  const rows = anovaHypotheses(core, type).map(({ term, L }) => {
    if (L.length === 0) return { term, sumSq: NaN, meanSq: NaN, numDF: NaN, denDF: NaN, F: NaN, p: NaN };
    return { term, ...tests.fTest(L) };
  });
  return { type, ddf: tests.method, rows };
}
