/**
 * The engine's public face. Everything outside src/engine (custom functions, task pane, CLI,
 * report) uses only what is exported here.
 */
import { fitCore, FitCore } from "./fit";
import { buildModel, ModelSpec } from "./model";
import { buildResult, MixedLMResult } from "./results";
import { DataTable } from "./table";

export { DataTable, pythonFloatRepr, formatNumberLabel } from "./table";
export type { Column, NumericColumn, CategoricalColumn } from "./table";
export { readCsv } from "./csv";
export type { CsvOptions } from "./csv";
export { MixedLMError, isMixedLMError } from "./errors";
export type { ErrorKind } from "./errors";
export type { ModelSpec, Method } from "./model";
export type { FitCore } from "./fit";
export type { MixedLMResult, FixedEffect, RandomTermResult, VarianceRow, RandomEffectsTable } from "./results";
export { parseFormula } from "./formula/terms";
export { normalCdf, normalQuantile, twoSidedNormalP } from "./distributions";
export { dfTests, coefficientTests, anovaOf, withDfTests, defaultDdf } from "./inference/ddf";
export type { DdfMethod, TTest, FTest, ContrastTests } from "./inference/contrastTests";
export type { AnovaType } from "./inference/anovaContrasts";
export type { AnovaRow, AnovaTable } from "./inference/anova";
export type { FixedEffectTest } from "./inference/fixedEffectTests";
export { tTwoSidedP, tQuantile, fUpperP, chiSquareUpperP, chiSquareQuantile, loadDistributions } from "./inference/distributions";

export interface FitOptions {
  /**
   * Compute conditional standard deviations of the random effects (default false): the summary
   * sheet's caterpillar plot needs them, the tables and the CLI do not. On a crossed design they
   * need the inverse of the dense part of the factor, which on InstEval costs more than the fit.
   */
  conditionalVariances?: boolean;
}

/**
 * A fit with the internals behind it: the inference layer (src/engine/inference) reads the
 * blocked factor and the frame of `core`; everything outside the engine uses `result` only.
 */
export interface FittedModel {
  result: MixedLMResult;
  core: FitCore;
}

/** Fits a linear mixed model and keeps its internals for inference. Throws MixedLMError on input the user can fix. */
export function fitModel(table: DataTable, spec: ModelSpec, options: FitOptions = {}): FittedModel {
  const core = fitCore(buildModel(table, spec));
  return { result: buildResult(core, options), core };
}

/** Fits a linear mixed model to the table. Throws MixedLMError on input the user can fix. */
export function fitMixedModel(table: DataTable, spec: ModelSpec, options: FitOptions = {}): MixedLMResult {
  return fitModel(table, spec, options).result;
}

// ---- inference: likelihood-ratio tests, confidence intervals, variance SEs, predictions ----
// (src/engine/inference; each takes a FittedModel from fitModel, or the table and specs). Loaded
// on first use: twenty modules that a plain fit does not need, about 8 ms of every CLI start.
import type * as InferenceApi from "./inference/api";
let inferenceApi: typeof InferenceApi | null = null;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const inference = (): typeof InferenceApi => (inferenceApi ??= require("./inference/api") as typeof InferenceApi);
export const confint: typeof InferenceApi.confint = (model, options) => inference().confint(model, options);
/** confint as steps, for a caller that takes messages between them (the fitting worker's Cancel). */
export const confintSteps: typeof InferenceApi.confintSteps = (model, options) => inference().confintSteps(model, options);
export const compareModels: typeof InferenceApi.compareModels = (table, full, reduced, options) => inference().compareModels(table, full, reduced, options);
export const reducedSpec: typeof InferenceApi.reducedSpec = (full, formula) => inference().reducedSpec(full, formula);
export const predictNew: typeof InferenceApi.predictNew = (model, newdata) => inference().predictNew(model, newdata);
export const varianceStdErrors: typeof InferenceApi.varianceStdErrors = (core) => inference().varianceStdErrors(core);
export const parametricBootstrap: typeof InferenceApi.parametricBootstrap = (core, options) => inference().parametricBootstrap(core, options);
export type { ConfintMethod, ConfintOptions, ConfintProgress, ConfintResult, FitWithCore } from "./inference/confint";
export type { IntervalRow } from "./inference/profile";
export type { CompareOptions, Comparison, ComparisonRow } from "./inference/lrt";
export type { Predictions } from "./inference/predict";
export type { VarianceStdErrors, VarianceStdErrorRow } from "./inference/varianceSE";
export type { BootstrapOptions, BootstrapSamples } from "./inference/bootstrap";
