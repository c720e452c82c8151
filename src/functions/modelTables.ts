/**
 * What each MIXEDLM function returns from a model's fit, by name. These run in the fitting
 * worker, beside the fit; the functions in functions.ts only name one of them. A new function is
 * a JSDoc'd wrapper in functions.ts and one entry here. A long computation (a bootstrap, a
 * profile) is written as a generator that yields its progress between steps: the worker reports
 * the progress and stops at the next step when Excel cancels the call.
 */
import type { DataTable, FitCore, MixedLMResult, ModelSpec } from "../engine";
import { ranefTable, rowAlignedColumn, statsTable, summaryTable, Table, varcompTable } from "../report/tables";
import type { Progress } from "../worker/protocol";
import { anovaTableOf, coefWithTests, comparisonOf, intervalsOf, predictionsOf } from "./inferenceTables";

/** A fitted model as the worker keeps it. */
export interface ModelFit {
  result: MixedLMResult;
  /** The fit's internals, for inference (see src/engine/index.ts, fitModel). */
  core: FitCore;
  spec: ModelSpec;
  /** Rows of the data range below its header (FITTED and RESID answer one cell per row). */
  nDataRows: number;
  /** The data as the model read them (COMPARE fits the reduced models to them). */
  table: DataTable;
}

export type TableSteps = Generator<Progress | void, Table, void>;

/**
 * `extra`: the function's own options (the part of its options text that does not define the
 * model: options.ts), then its arguments beyond data, formula, groups and options.
 */
export type TableMaker = (fit: ModelFit, extra: readonly unknown[]) => Table | TableSteps;

export const MODEL_TABLES: Readonly<Record<string, TableMaker>> = Object.assign(Object.create(null) as Record<string, TableMaker>, {
  summary: (f: ModelFit) => summaryTable(f.result),
  coef: (f: ModelFit, [own]: readonly unknown[]) => coefWithTests(f, own),
  varcomp: (f: ModelFit) => varcompTable(f.result),
  stats: (f: ModelFit) => statsTable(f.result),
  ranef: (f: ModelFit) => ranefTable(f.result),
  fitted: (f: ModelFit) => rowAlignedColumn(f.result, "fitted", f.nDataRows),
  resid: (f: ModelFit) => rowAlignedColumn(f.result, "residuals", f.nDataRows),
  anova: (f: ModelFit, [own]: readonly unknown[]) => anovaTableOf(f, own),
  compare: (f: ModelFit, [own, reduced]: readonly unknown[]) => comparisonOf(f, own, reduced),
  confint: (f: ModelFit, [own]: readonly unknown[]) => intervalsOf(f, own),
  predict: (f: ModelFit, [own, newdata]: readonly unknown[]) => predictionsOf(f, own, newdata),
});
