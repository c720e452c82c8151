/**
 * The worker's jobs and what they keep: the uploads (rows sent by the page, until a fit has read
 * them), the custom functions' fits by model (a fit, or the error it raised, kept until the page
 * drops the model, so that FIT, COEF, ... on one model fit it once), and the task pane's last fit
 * (for its summary sheet).
 */
import { DataTable, fitModel, MixedLMError } from "../engine";
import type { MixedLMResult, ModelSpec } from "../engine";
import { modelInputs } from "../functions/arguments";
import { checkResultSize, excelCells, sheetFormulaWarning } from "../functions/limits";
import { MODEL_TABLES, ModelFit, TableSteps } from "../functions/modelTables";
import { summaryLayout } from "../office/layout";
import type { Table } from "../report/tables";
import { viewOf } from "../taskpane/fitService";
import type { JobSteps } from "./host";
import type { JobRequest, ModelArguments } from "./protocol";

export class Uploads {
  private readonly rows = new Map<number, unknown[][]>();

  append(id: number, rows: unknown[][]): void {
    const have = this.rows.get(id);
    if (!have) { this.rows.set(id, rows); return; }
    for (const r of rows) have.push(r);
  }

  /** The rows of an upload, which is then forgotten. */
  take(id: number): unknown[][] {
    const r = this.rows.get(id);
    if (!r) throw new Error(`upload ${id} is not here (the worker restarted?)`);
    this.rows.delete(id);
    return r;
  }

  drop(id: number): void {
    this.rows.delete(id);
  }

  get size(): number {
    return this.rows.size;
  }
}

type Kept = { fit: ModelFit } | { error: unknown };

export class WorkerState {
  readonly uploads = new Uploads();
  private readonly models = new Map<number, Kept>();
  /** Fits computed for the custom functions (the tests read it). */
  fits = 0;
  pane: { result: MixedLMResult; spec: ModelSpec; dataAddress: string } | null = null;

  drop(uploads: number[], models: number[]): void {
    for (const u of uploads) this.uploads.drop(u);
    for (const m of models) this.models.delete(m);
  }

  /** The model's fit, computed once (its error, rethrown, likewise). */
  modelFit(a: ModelArguments): ModelFit {
    let kept = this.models.get(a.model);
    if (!kept) {
      kept = this.fitModel(a);
      this.models.set(a.model, kept);
    }
    if ("error" in kept) throw kept.error;
    return kept.fit;
  }

  private fitModel(a: ModelArguments): Kept {
    this.fits++;
    const data = "upload" in a.data ? this.uploads.take(a.data.upload) : a.data.value;
    const groups = "upload" in a.groups ? this.uploads.take(a.groups.upload) : a.groups.value;
    try {
      const { table, spec, nDataRows } = modelInputs(data, a.formula, groups, a.options);
      const { result, core } = fitModel(table, spec);
      return { fit: { result, core, spec, nDataRows, table } };
    } catch (e) {
      return { error: e };
    }
  }
}

function* modelTableJob(job: Extract<JobRequest, { kind: "model-table" }>, state: WorkerState): JobSteps {
  const make = MODEL_TABLES[job.table];
  if (!make) throw new Error(`no table "${job.table}"`);
  const fit = state.modelFit(job.args);
  yield; // a cancel that came during the fit stops here
  const made = make(fit, job.extra);
  const table: Table = Array.isArray(made) ? made : yield* made as TableSteps;
  return checkResultSize(excelCells(table));
}

function* paneFitJob(job: Extract<JobRequest, { kind: "pane-fit" }>, state: WorkerState): JobSteps {
  state.pane = null;
  const rows = state.uploads.take(job.data);
  const t0 = Date.now();
  // conditional SDs for the summary sheet's caterpillar plot
  const { result } = fitModel(DataTable.fromRows(rows), job.spec, { conditionalVariances: true });
  const fitMs = Date.now() - t0;
  state.pane = { result, spec: job.spec, dataAddress: job.dataAddress };
  yield;
  const view = viewOf(result, job.spec, job.dataAddress, fitMs);
  const warning = sheetFormulaWarning(rows);
  return warning ? { ...view, sheetFormulaWarning: warning } : view;
}

function* paneLayoutJob(state: WorkerState): JobSteps {
  const last = state.pane;
  if (!last) throw new MixedLMError("model", "Fit a model first.");
  return summaryLayout(last.result, last.spec, last.dataAddress);
}

export function runJob(job: JobRequest, state: WorkerState): JobSteps {
  switch (job.kind) {
    case "model-table": return modelTableJob(job, state);
    case "pane-fit": return paneFitJob(job, state);
    case "pane-layout": return paneLayoutJob(state);
  }
}
