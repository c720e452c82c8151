/**
 * How a MIXEDLM function answers: find (or send) its model (models.ts), ask the worker for the
 * table (modelTables.ts), and turn every failure into the error Excel shows, #VALUE! with a
 * message. Nothing here runs a fit on the page's thread (unless no worker could be started),
 * and nothing writes to the workbook (a custom function must not).
 */
import { sharedWorkerClient } from "../worker/shared";
import type { Table } from "../report/tables";
import { normalizeCell } from "./cells";
import { ModelCall, ModelRegistry } from "./models";
import { splitOptions } from "./options";

/** The part of Excel's CustomFunctions runtime used here (present only inside Excel). */
interface CustomFunctionsRuntime {
  Error: new (code: string, message?: string) => unknown;
  ErrorCode: { invalidValue: string };
  associate?: (id: string, f: unknown) => void;
}

export function customFunctionsRuntime(): CustomFunctionsRuntime | undefined {
  return (globalThis as { CustomFunctions?: CustomFunctionsRuntime }).CustomFunctions;
}

/**
 * The error Excel shows: #VALUE! with the message (a plain Error outside Excel). A message needs
 * CustomFunctionsRuntime 1.2 (https://learn.microsoft.com/javascript/api/custom-functions-runtime/customfunctions.error),
 * which the manifest requires.
 */
export function excelError(message: string): unknown {
  const cf = customFunctionsRuntime();
  if (cf && cf.Error) return new cf.Error(cf.ErrorCode.invalidValue, message);
  return new Error(message);
}

/** What Excel passes last to a @cancelable function (CustomFunctions.CancelableInvocation). */
export interface Invocation {
  onCanceled?: (() => void) | null;
}

let registry: ModelRegistry | undefined;

/** The page's models (one registry, over the shared worker). */
export function models(): ModelRegistry {
  if (!registry) registry = new ModelRegistry(sharedWorkerClient());
  return registry;
}

/** Replaces the registry (tests: a new worker client, or limits). */
export function setModels(r: ModelRegistry | undefined): void {
  registry?.clear();
  registry = r;
}

function messageOf(e: unknown): string {
  const kind = (e as { kind?: string })?.kind;
  const message = e instanceof Error ? e.message : String(e);
  return kind === "internal" || kind === undefined ? `Internal error: ${message}` : message;
}

/** An argument as plain values for the job's message: cells as the engine reads them (no error objects to clone). */
function plain(v: unknown): unknown {
  return Array.isArray(v) ? v.map((r) => (Array.isArray(r) ? r.map(normalizeCell) : normalizeCell(r))) : normalizeCell(v);
}

/**
 * The table `table` (a key of MODEL_TABLES) of the model of `call`; `extra`: the function's
 * arguments after options (COMPARE's reduced formulas, PREDICT's new rows). Only the options
 * that define the model name it (options.ts): the function's own (ddf, type, ci, ...) go to the
 * worker with the job, so that functions asking different things of one model share its fit.
 * Excel's cancel (a new value for an argument, the cell cleared) stops this call's share of the
 * work: a comparison or an upload nobody else waits for, a job still queued, or a long job at
 * its next step.
 */
export async function modelTable(table: string, call: ModelCall, invocation?: Invocation | null, extra: unknown[] = []): Promise<Table> {
  const cancel = new AbortController();
  if (invocation && typeof invocation === "object") invocation.onCanceled = () => cancel.abort();
  try {
    const { model, own } = splitOptions(table, call.options);
    const reg = models();
    const lease = await reg.acquire({ ...call, options: model }, cancel.signal);
    try {
      return await reg.client.run<Table>({ kind: "model-table", args: lease.args, table, extra: [own, ...extra.map(plain)] }, { signal: cancel.signal });
    } finally {
      reg.release(lease);
    }
  } catch (e) {
    throw excelError(messageOf(e));
  }
}
