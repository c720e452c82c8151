/**
 * The task pane's fits, in the page's fitting worker (src/worker), shared with the custom
 * functions. The rows go up in slices, so that the pane answers clicks while a large range is
 * sent; where no worker can be started, fits run in the page (the pane is then busy during a fit,
 * but works).
 *
 * Inference names the fit it is about (the worker refuses another: results never mix models).
 * Profile and bootstrap intervals run in a worker started for them alone, fitted to the same
 * rows again: the engine computes them in one call, which no message can interrupt, so Cancel
 * ends that worker (Worker.terminate) and the work really stops; the shared worker, its fits and
 * the custom functions go on meanwhile.
 */
import type { AnovaType, Comparison, ConfintResult, DdfMethod, ModelSpec } from "../engine";
import type { SummaryLayout } from "../office/layout";
import { WorkerClient, WorkerPort } from "../worker/client";
import type { PaneAnova, PaneCoefTests } from "../worker/paneJobs";
import type { PaneConfintOptions, PaneInference, Progress } from "../worker/protocol";
import type { FitView } from "./fitService";

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export class FitClient {
  private readonly client: WorkerClient;
  private fits = 0;
  /** The rows and model of the last fit, for the intervals' own worker. */
  private last: { fit: number; rows: unknown[][]; spec: ModelSpec } | null = null;

  /**
   * A client (the page's shared one), or the function that starts a worker of the pane's own;
   * `startWorker` starts the intervals' workers (without it they run in the shared one).
   */
  constructor(client: WorkerClient | (() => WorkerPort | Worker), private readonly startWorker?: () => WorkerPort | Worker) {
    this.client = client instanceof WorkerClient ? client : new WorkerClient(client);
  }

  /** "worker" or "page": where fits run (shown in the pane's footer). */
  get mode(): "worker" | "page" {
    return this.client.mode;
  }

  /** Fits the rows (header first); `signal` cancels, `onProgress` hears from long jobs. The view's fitId names the fit. */
  async fit(rows: unknown[][], spec: ModelSpec, dataAddress: string, options: JobOptions = {}): Promise<FitView> {
    const fit = ++this.fits;
    this.last = null;
    const data = await this.client.upload(rows, options.signal);
    const view = await this.client.run<FitView>({ kind: "pane-fit", data, spec, dataAddress, fit }, options);
    this.last = { fit, rows, spec };
    return view;
  }

  /** The coefficients' t tests with the df method. */
  coefTests(fit: number, ddf: DdfMethod): Promise<PaneCoefTests> {
    return this.client.run<PaneCoefTests>({ kind: "pane-coef-tests", fit, ddf });
  }

  /** lmerTest's ANOVA table of the fixed-effect terms. */
  anova(fit: number, type: AnovaType, ddf: DdfMethod): Promise<PaneAnova> {
    return this.client.run<PaneAnova>({ kind: "pane-anova", fit, type, ddf });
  }

  /** Likelihood-ratio tests of the fit against simpler models (ML refits when `refit`, as lme4's anova). */
  compare(fit: number, reduced: (string | ModelSpec)[], refit: boolean, options: JobOptions = {}): Promise<Comparison> {
    return this.client.run<Comparison>({ kind: "pane-compare", fit, reduced, refit }, options);
  }

  /** Confidence intervals: Wald's on the kept fit; profile and bootstrap in a worker of their own (see above). */
  async intervals(fit: number, options: PaneConfintOptions, job: JobOptions = {}): Promise<ConfintResult> {
    const last = this.last;
    if (options.method === "wald" || !this.startWorker || !last || last.fit !== fit) {
      return this.client.run<ConfintResult>({ kind: "pane-confint", fit, options }, job);
    }
    const own = new WorkerClient(this.startWorker);
    try {
      const data = await own.upload(last.rows, job.signal);
      return await own.run<ConfintResult>({ kind: "pane-confint-data", data, spec: last.spec, options }, job);
    } finally {
      own.dispose();
    }
  }

  /** The summary sheet's layout of the last fit, with what the pane computed of it (for fit `fit`). */
  layout(inference?: PaneInference & { fit: number }): Promise<SummaryLayout> {
    return this.client.run<SummaryLayout>(inference ? { kind: "pane-layout", fit: inference.fit, inference } : { kind: "pane-layout" });
  }
}
