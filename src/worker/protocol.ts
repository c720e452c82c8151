/**
 * The messages between the page (custom functions and task pane) and the fitting worker.
 *
 * Data travel apart from jobs: the page sends a range as an upload, in slices of rows (each
 * postMessage clones its slice on the page's thread, so one slice at a time keeps the page
 * answering clicks), then runs jobs that name the upload. Jobs run one at a time, in order; a
 * job is a generator whose steps run between messages, so that a long one (a bootstrap, a
 * likelihood profile) reports progress after each step and stops at the next step when the page
 * cancels it. Everything here is plain data (structured-clonable).
 */
import type { AnovaTable, AnovaType, Comparison, ConfintMethod, ConfintResult, DdfMethod, ModelSpec } from "../engine";
import type { PackedRows } from "./rowsCodec";

/** A range sent as an upload, or a value sent as it is (a name, a single cell, an argument of the wrong kind). */
export type Argument = { upload: number } | { value: unknown };

/** What a custom function names: its arguments, the ranges among them as uploads. */
export interface ModelArguments {
  /** The page's id of these inputs: the worker keeps one fit per model. */
  model: number;
  data: Argument;
  groups: Argument;
  formula: unknown;
  options: unknown;
}

export type JobRequest =
  /** A table of a custom function (MODEL_TABLES in src/functions/modelTables.ts) of a model's fit. */
  | { kind: "model-table"; args: ModelArguments; table: string; extra: unknown[] }
  /** The task pane's fit of an upload, numbered `fit` by the page: the view of its results; kept for inference and the summary sheet. */
  | { kind: "pane-fit"; data: number; spec: ModelSpec; dataAddress: string; fit: number }
  /** The summary sheet's layout of the pane's last fit, with the inference the pane shows of it. */
  | { kind: "pane-layout"; fit?: number; inference?: PaneInference }
  // The task pane's inference on its last fit (src/worker/paneJobs.ts). Each names the fit it is
  // about: a job on another fit than the worker holds fails, so that results never mix models.
  /** The fixed effects' t tests with the df method. */
  | { kind: "pane-coef-tests"; fit: number; ddf: DdfMethod }
  /** lmerTest's ANOVA table of the fixed-effect terms. */
  | { kind: "pane-anova"; fit: number; type: AnovaType; ddf: DdfMethod }
  /** Likelihood-ratio tests against simpler models (lme4's anova). */
  | { kind: "pane-compare"; fit: number; reduced: (string | ModelSpec)[]; refit: boolean }
  /** Confidence intervals of the kept fit. */
  | { kind: "pane-confint"; fit: number; options: PaneConfintOptions }
  /** Confidence intervals of the model fitted to an upload: for a worker started for this job alone, which Cancel ends. */
  | { kind: "pane-confint-data"; data: number; spec: ModelSpec; options: PaneConfintOptions };

export interface PaneConfintOptions {
  method: ConfintMethod;
  level: number;
  nsim?: number;
  seed?: number;
}

/** What the pane computed of its fit, for the summary sheet: the df method of its coefficient table (null: z tests) and the tables it shows. */
export interface PaneInference {
  ddf: DdfMethod | null;
  anova?: AnovaTable;
  comparison?: Comparison;
  confint?: ConfintResult;
}

export type ToWorker =
  /** Rows appended to upload `upload`: packed (rowsCodec.ts), or as they are. */
  | { type: "upload"; upload: number; packed: PackedRows }
  | { type: "upload"; upload: number; rows: unknown[][] }
  /** The page no longer needs these uploads and models. */
  | { type: "drop"; uploads: number[]; models: number[] }
  | { type: "run"; id: number; job: JobRequest }
  | { type: "cancel"; id: number };

export interface WireError {
  /** "cancelled", "limit" (a size limit), "internal", or the engine's ErrorKind. */
  kind: string;
  message: string;
}

export type FromWorker =
  /** The worker's script has loaded and takes messages. */
  | { type: "ready" }
  | { type: "progress"; id: number; done: number; total: number }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; error: WireError };

/** Progress of a job, reported between its steps. */
export interface Progress {
  done: number;
  total: number;
}
