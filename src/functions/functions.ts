/**
 * The MIXEDLM custom functions: thin wrappers from what Excel passes to the engine and back to a
 * 2-D table (the layouts of src/report/tables.ts, shared with the task pane's summary sheet).
 * Every failure becomes #VALUE! with a message saying what to fix; nothing here throws anything
 * else, and nothing writes to the workbook (a custom function must not).
 */
import { fitMixedModel, isMixedLMError, MixedLMResult } from "../engine";
import { coefTable, ranefTable, rowAlignedColumn, statsTable, summaryTable, Table, varcompTable } from "../report/tables";
import { modelInputs } from "./arguments";
import { contentKey, FitCache } from "./cache";


/** Largest table returned, in cells: Excel caps a function's result near 5 MB. */
export const MAX_CELLS = 250_000;

interface CachedFit { result: MixedLMResult; nDataRows: number }

export const fitCache = new FitCache<CachedFit>(16);

/** The part of Excel's CustomFunctions runtime used here (present only inside Excel). */
interface CustomFunctionsRuntime {
  Error: new (code: string, message?: string) => unknown;
  ErrorCode: { invalidValue: string };
  associate?: (id: string, f: unknown) => void;
}

function runtime(): CustomFunctionsRuntime | undefined {
  return (globalThis as { CustomFunctions?: CustomFunctionsRuntime }).CustomFunctions;
}

/** The error Excel shows: #VALUE! with the message (a plain Error outside Excel). */
export function excelError(message: string): unknown {
  const cf = runtime();
  if (cf && cf.Error) return new cf.Error(cf.ErrorCode.invalidValue, message);
  return new Error(message);
}

function fitOf(data: unknown, formula: unknown, groups: unknown, options: unknown): CachedFit {
  const key = contentKey(data, formula, groups ?? null, options ?? null);
  return fitCache.get(key, () => {
    const { table, spec, nDataRows } = modelInputs(data, formula, groups, options);
    return { result: fitMixedModel(table, spec), nDataRows };
  });
}

function run(data: unknown, formula: unknown, groups: unknown, options: unknown, layout: (f: CachedFit) => Table): Table {
  let table: Table;
  try {
    table = layout(fitOf(data, formula, groups, options));
  } catch (e) {
    if (isMixedLMError(e)) throw excelError(e.message);
    throw excelError(`Internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cells = table.length * (table[0]?.length ?? 0);
  if (cells > MAX_CELLS) {
    throw excelError(`The result has ${cells} cells, more than Excel takes from a function (about ${MAX_CELLS}): use the task pane's summary sheet or the command line for data this large.`);
  }
  return table;
}

/**
 * Fits a linear mixed model and spills the statsmodels-style summary.
 * @customfunction FIT
 * @param {any[][]} data The data range; its first row holds the column names (e.g. A1:H862).
 * @param {string} formula The model, e.g. "Weight ~ Time", or lme4 style "Weight ~ Time + (Time | Pig)".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data. Not needed when the formula has (… | g) terms.
 * @param {string} [options] Options separated by semicolons: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column) (repeatable).
 * @returns {any[][]} The summary table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fit(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => summaryTable(f.result));
}

/**
 * The fixed effects: name, coefficient, std. error, z, p-value and 95% interval, with a header row.
 * @customfunction COEF
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {any[][]} The coefficient table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function coef(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => coefTable(f.result));
}

/**
 * The variance components: variances, standard deviations, covariances with correlations, and the residual variance.
 * @customfunction VARCOMP
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {any[][]} The variance-component table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function varcomp(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => varcompTable(f.result));
}

/**
 * Fit statistics: method, observations, groups, group sizes, rows dropped, log-likelihood, AIC, BIC, scale, converged.
 * @customfunction STATS
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {any[][]} Statistic and value, one per row.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function stats(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => statsTable(f.result));
}

/**
 * The predicted random effects (BLUPs): one row per group, the level then each random effect.
 * @customfunction RANEF
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {any[][]} The random effects.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ranef(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => ranefTable(f.result));
}

/**
 * Fitted values (fixed effects plus predicted random effects), one per data row, blank where a row was dropped for a missing value.
 * @customfunction FITTED
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {any[][]} One column aligned with the data rows.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fitted(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => rowAlignedColumn(f.result, "fitted", f.nDataRows));
}

/**
 * Residuals (response minus fitted value), one per data row, blank where a row was dropped for a missing value.
 * @customfunction RESID
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {any[][]} One column aligned with the data rows.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resid(data: any[][], formula: string, groups?: any[][], options?: string): any[][] {
  return run(data, formula, groups, options, (f) => rowAlignedColumn(f.result, "residuals", f.nDataRows));
}

/** Function ids (as in functions.json) and their implementations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const FUNCTIONS: Record<string, (...args: any[]) => any[][]> = {
  FIT: fit,
  COEF: coef,
  VARCOMP: varcomp,
  STATS: stats,
  RANEF: ranef,
  FITTED: fitted,
  RESID: resid,
};

// In Excel's runtime, register the implementations under their ids (absent elsewhere: tests, a plain browser).
const cf = runtime();
if (cf && typeof cf.associate === "function") {
  for (const [id, f] of Object.entries(FUNCTIONS)) cf.associate(id, f);
}
