/**
 * The worker's jobs and what they keep: the uploads (rows sent by the page, until a fit has read
 * them), the custom functions' fits by model (a fit, or the error it raised, kept until the page
 * drops the model, so that FIT, COEF, ... on one model fit it once), and the task pane's last fit
 * (for its inference and summary sheet; its jobs are in paneJobs.ts).
 */
import { fitModel } from "../engine";
import { modelInputs } from "../functions/arguments";
import { checkResultSize, excelCells } from "../functions/limits";
import { MODEL_TABLES, ModelFit, TableSteps } from "../functions/modelTables";
import type { Table } from "../report/tables";
import type { JobSteps, ReportProgress } from "./host";
import { paneAnovaJob, paneCoefTestsJob, paneCompareJob, paneConfintDataJob, paneConfintJob, PaneFit, paneFitJob, paneLayoutJob } from "./paneJobs";
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
  /** The task pane's last fit, for its inference and summary sheet (paneJobs.ts). */
  pane: PaneFit | null = null;

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

export function runJob(job: JobRequest, state: WorkerState, report: ReportProgress = () => {}): JobSteps {
  switch (job.kind) {
    case "model-table": return modelTableJob(job, state);
    case "pane-fit": return paneFitJob(job, state);
    case "pane-layout": return paneLayoutJob(job, state);
    case "pane-coef-tests": return paneCoefTestsJob(job, state);
    case "pane-anova": return paneAnovaJob(job, state);
    case "pane-compare": return paneCompareJob(job, state);
    case "pane-confint": return paneConfintJob(job, state, report);
    case "pane-confint-data": return paneConfintDataJob(job, state, report);
  }
}
