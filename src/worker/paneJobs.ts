/**
 * The task pane's jobs: its fit (kept, with the data table and the fit's internals, until the
 * next one) and the inference on it: t tests of the coefficients, the ANOVA table, comparisons
 * with simpler models, confidence intervals, and the summary sheet's layout with what the pane
 * computed. Every job on the fit names it (the page numbers its fits), and fails when the worker
 * holds another: results never mix models. Statistics come from the engine's API, tables from
 * src/report; nothing is computed here.
 */
import { anovaOf, compareModels, confint, DataTable, dfTests, fitModel, MixedLMError, withDfTests } from "../engine";
import type { AnovaTable, ConfintResult, ContrastTests, DdfMethod, FitCore, MixedLMResult, ModelSpec } from "../engine";
import { sheetFormulaWarning } from "../functions/limits";
import { summaryLayout } from "../office/layout";
import { anovaTitle, coefficientTitle } from "../report/lmerTestTables";
import { viewOf } from "../taskpane/fitService";
import type { JobSteps, ReportProgress } from "./host";
import type { JobRequest, PaneConfintOptions } from "./protocol";

/** The pane's last fit, as the worker keeps it. */
export interface PaneFit {
  /** The page's number of the fit. */
  id: number;
  result: MixedLMResult;
  core: FitCore;
  /** The data the model was fitted to: comparisons fit the simpler models to them. */
  table: DataTable;
  spec: ModelSpec;
  dataAddress: string;
  /** The df methods' tests, built once per method (the costly part) and asked many questions. */
  tests: Map<DdfMethod, ContrastTests>;
}

/** Where the pane's fit is kept (WorkerState.pane). */
export interface PaneHolder {
  pane: PaneFit | null;
}

type Job<K extends JobRequest["kind"]> = Extract<JobRequest, { kind: K }>;

/** The fixed effects tested with a df method, as the pane shows them. */
export interface PaneCoefTests {
  ddf: DdfMethod;
  /** lmerTest's heading: "Fixed effects (t tests use Satterthwaite's method):". */
  title: string;
  /** Each with df; z holds t, p and the interval come from t(df). */
  rows: MixedLMResult["fixedEffects"];
}

export interface PaneAnova {
  /** lmerTest's heading: "Type III Analysis of Variance Table with Satterthwaite's method". */
  title: string;
  table: AnovaTable;
}

/** The fit the job names, or a message when the worker holds another (or none). */
function fitNamed(state: PaneHolder, id: number | undefined): PaneFit {
  const p = state.pane;
  if (!p) throw new MixedLMError("model", "The fit is no longer here (the fitting worker restarted?): fit the model again.");
  if (id !== undefined && p.id !== id) throw new MixedLMError("model", "The model was fitted again since: these results would belong to another fit.");
  return p;
}

function testsOf(p: PaneFit, method: DdfMethod): ContrastTests {
  let t = p.tests.get(method);
  if (!t) {
    t = dfTests(p, method);
    p.tests.set(method, t);
  }
  return t;
}

export function* paneFitJob(job: Job<"pane-fit">, state: PaneHolder & { uploads: { take(id: number): unknown[][] } }): JobSteps {
  state.pane = null;
  const rows = state.uploads.take(job.data);
  const t0 = Date.now();
  const table = DataTable.fromRows(rows);
  // conditional SDs for the summary sheet's caterpillar plot
  const { result, core } = fitModel(table, job.spec, { conditionalVariances: true });
  const fitMs = Date.now() - t0;
  state.pane = { id: job.fit, result, core, table, spec: job.spec, dataAddress: job.dataAddress, tests: new Map() };
  yield;
  const view = viewOf(result, job.spec, job.dataAddress, fitMs, job.fit);
  const warning = sheetFormulaWarning(rows);
  return warning ? { ...view, sheetFormulaWarning: warning } : view;
}

export function* paneCoefTestsJob(job: Job<"pane-coef-tests">, state: PaneHolder): JobSteps {
  const p = fitNamed(state, job.fit);
  const tests = testsOf(p, job.ddf);
  yield;
  const r = withDfTests(p, tests);
  const out: PaneCoefTests = { ddf: job.ddf, title: coefficientTitle(r), rows: r.fixedEffects };
  return out;
}

export function* paneAnovaJob(job: Job<"pane-anova">, state: PaneHolder): JobSteps {
  const p = fitNamed(state, job.fit);
  const tests = testsOf(p, job.ddf);
  yield;
  const table = anovaOf(p, job.type, tests);
  const out: PaneAnova = { title: anovaTitle(table), table };
  return out;
}

export function* paneCompareJob(job: Job<"pane-compare">, state: PaneHolder): JobSteps {
  const p = fitNamed(state, job.fit);
  yield;
  return compareModels(p.table, p.spec, job.reduced, { refit: job.refit, fitted: p.core });
}

function intervals(model: { result: MixedLMResult; core: FitCore }, o: PaneConfintOptions, report: ReportProgress): ConfintResult {
  // the bootstrap runs in one call: its progress is reported from inside (Cancel ends the worker, see FitClient)
  return confint(model, { method: o.method, level: o.level, nsim: o.nsim, seed: o.seed, onProgress: (done, total) => report({ done, total }) });
}

export function* paneConfintJob(job: Job<"pane-confint">, state: PaneHolder, report: ReportProgress): JobSteps {
  const p = fitNamed(state, job.fit);
  yield;
  return intervals(p, job.options, report);
}

/** The same model fitted again to the same rows (the engine is deterministic), in a worker of the job's own. */
export function* paneConfintDataJob(job: Job<"pane-confint-data">, state: { uploads: { take(id: number): unknown[][] } }, report: ReportProgress): JobSteps {
  const rows = state.uploads.take(job.data);
  const model = fitModel(DataTable.fromRows(rows), job.spec);
  yield;
  return intervals(model, job.options, report);
}

export function* paneLayoutJob(job: Job<"pane-layout">, state: PaneHolder): JobSteps {
  if (!state.pane) throw new MixedLMError("model", "Fit a model first.");
  const p = fitNamed(state, job.fit);
  const inf = job.inference;
  const tTests = inf?.ddf ? withDfTests(p, testsOf(p, inf.ddf)) : undefined;
  yield;
  return summaryLayout(p.result, p.spec, p.dataAddress, { inference: { tTests, anova: inf?.anova, comparison: inf?.comparison, confint: inf?.confint } });
}
