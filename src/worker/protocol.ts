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
import type { ModelSpec } from "../engine";
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
  /** The task pane's fit of an upload: the view of its results; kept for the summary sheet. */
  | { kind: "pane-fit"; data: number; spec: ModelSpec; dataAddress: string }
  /** The summary sheet's layout of the pane's last fit. */
  | { kind: "pane-layout" };

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
