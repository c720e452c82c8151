/// <reference types="custom-functions-runtime" />
/**
 * The MIXEDLM custom functions: each names a table of its model's fit (modelTables.ts) and
 * returns a Promise of it. The fit runs in the fitting worker, off the page's thread (run.ts);
 * every failure is #VALUE! with a message saying what to fix. Each function is @cancelable:
 * when Excel cancels a call, its share of the work stops (see modelTable).
 *
 * The metadata (functions.json) is generated from the JSDoc below by
 * custom-functions-metadata-plugin; webpack.config.js adds `allowErrorForDataTypeAny` to it, so
 * that ranges holding #N/A reach the functions (cells.ts). To add a function: a wrapper here,
 * with its JSDoc, an entry in FUNCTIONS, and its table in MODEL_TABLES (its own option keys, if
 * any, in FUNCTION_KEYS of options.ts).
 */
import { customFunctionsRuntime, Invocation, modelTable } from "./run";

/**
 * Fits a linear mixed model and spills the statsmodels-style summary.
 * @customfunction FIT
 * @param {any[][]} data The data range; its first row holds the column names (e.g. A1:H862).
 * @param {string} formula The model, e.g. "Weight ~ Time", or lme4 style "Weight ~ Time + (Time | Pig)".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data. Not needed when the formula has (… | g) terms.
 * @param {string} [options] Options separated by semicolons: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column) (repeatable).
 * @returns {Promise<any[][]>} The summary table.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fit(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("summary", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * The fixed effects with a header row: name, coefficient, std. error, z (or df and t), p-value and 95% interval.
 * @customfunction COEF
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column); ddf=Satterthwaite|Kenward-Roger|none (default: Satterthwaite for a formula with (… | g) terms, none (z tests) otherwise).
 * @returns {Promise<any[][]>} The coefficient table.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function coef(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("coef", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * The variance components: variances, standard deviations, covariances with correlations, and the residual variance.
 * @customfunction VARCOMP
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {Promise<any[][]>} The variance-component table.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function varcomp(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("varcomp", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * Fit statistics: method, observations, groups, group sizes, rows dropped, log-likelihood, AIC, BIC, scale, converged.
 * @customfunction STATS
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {Promise<any[][]>} Statistic and value, one per row.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function stats(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("stats", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * The predicted random effects (BLUPs): one row per group, the level then each random effect.
 * @customfunction RANEF
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {Promise<any[][]>} The random effects.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ranef(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("ranef", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * Fitted values (fixed effects plus predicted random effects), one per data row, blank where a row was dropped for a missing value.
 * @customfunction FITTED
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {Promise<any[][]>} One column aligned with the data rows.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fitted(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("fitted", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * Residuals (response minus fitted value), one per data row, blank where a row was dropped for a missing value.
 * @customfunction RESID
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: method=REML|ML; re_formula=~Time; vc=NAME:0 + C(column).
 * @returns {Promise<any[][]>} One column aligned with the data rows.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resid(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("resid", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * lmerTest's ANOVA table of the fixed-effect terms: Sum Sq, Mean Sq, NumDF, DenDF, F value and p-value per term, under a title row.
 * @customfunction ANOVA
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time * factor(Cu) + (Time | Pig)".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: the model's (method, re_formula, vc), type=1|2|3 (default 3); ddf=Satterthwaite|Kenward-Roger (default Satterthwaite).
 * @returns {Promise<any[][]>} The ANOVA table.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function anova(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("anova", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * Likelihood-ratio tests of smaller models against the model, as lme4's anova(m0, m): npar, AIC, BIC, logLik, deviance, Chisq, Df, p; models refitted by ML unless refit=false.
 * @customfunction COMPARE
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The full model, e.g. "Weight ~ Time + (Time | Pig)".
 * @param {any[][]} reduced The smaller model's formula, e.g. "Weight ~ Time + (1 | Pig)", or a range of such formulas.
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: the model's (method, re_formula, vc); refit=true|false (false compares the REML fits as they are).
 * @returns {Promise<any[][]>} One row per model, fewest parameters first, then notes.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compare(data: any[][], formula: string, reduced: any[][], groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("compare", { data, formula, groups, options }, invocation as Invocation, [reduced]);
}

/**
 * Confidence intervals of every parameter as lme4's confint: the standard deviations, correlations and sigma, then the fixed effects.
 * @customfunction CONFINT
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time + (Time | Pig)".
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: the model's (method, re_formula, vc); ci=profile|wald|boot (default profile); level=0.95; nsim=1000; seed=1 (the bootstrap's).
 * @returns {Promise<any[][]>} Parameter, estimate, lower and upper bound, then notes.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function confint(data: any[][], formula: string, groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("confint", { data, formula, groups, options }, invocation as Invocation);
}

/**
 * Predictions on new rows, one per row of newdata to spill beside them: with the predicted random effects (a group not in the data gets none), or without them (re=exclude).
 * @customfunction PREDICT
 * @param {any[][]} data The data range; its first row holds the column names.
 * @param {string} formula The model, e.g. "Weight ~ Time + (Time | Pig)".
 * @param {any[][]} newdata The new rows: with the header row of their column names, or with the data's columns in their order.
 * @param {any[][]} [groups] The grouping column: a header name such as "Pig", or a one-column range as tall as the data.
 * @param {string} [options] Options: the model's (method, re_formula, vc); re=include|exclude (default include).
 * @returns {Promise<any[][]>} One column as tall as newdata; blank where a row has no prediction.
 * @cancelable
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function predict(data: any[][], formula: string, newdata: any[][], groups?: any[][], options?: string, invocation?: CustomFunctions.CancelableInvocation): Promise<any[][]> {
  return modelTable("predict", { data, formula, groups, options }, invocation as Invocation, [newdata]);
}

/** Function ids (as in functions.json) and their implementations. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const FUNCTIONS: Record<string, (...args: any[]) => Promise<any[][]>> = {
  FIT: fit,
  COEF: coef,
  VARCOMP: varcomp,
  STATS: stats,
  RANEF: ranef,
  FITTED: fitted,
  RESID: resid,
  ANOVA: anova,
  COMPARE: compare,
  CONFINT: confint,
  PREDICT: predict,
};

// In Excel's runtime, register the implementations under their ids (absent elsewhere: tests, a plain browser).
const cf = customFunctionsRuntime();
if (cf && typeof cf.associate === "function") {
  for (const [id, f] of Object.entries(FUNCTIONS)) cf.associate(id, f);
}
