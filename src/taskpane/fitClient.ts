/**
 * The task pane's fits, in the page's fitting worker (src/worker), shared with the custom
 * functions. The rows go up in slices, so that the pane answers clicks while a large range is
 * sent; where no worker can be started, fits run in the page (the pane is then busy during a fit,
 * but works).
 */
import type { ModelSpec } from "../engine";
import type { SummaryLayout } from "../office/layout";
import { WorkerClient, WorkerPort } from "../worker/client";
import type { Progress } from "../worker/protocol";
import type { FitView } from "./fitService";

export class FitClient {
  private readonly client: WorkerClient;

  /** A client (the page's shared one), or the function that starts a worker of the pane's own. */
  constructor(client: WorkerClient | (() => WorkerPort | Worker)) {
    this.client = client instanceof WorkerClient ? client : new WorkerClient(client);
  }

  /** "worker" or "page": where fits run (shown in the pane's footer). */
  get mode(): "worker" | "page" {
    return this.client.mode;
  }

  /** Fits the rows (header first); `signal` cancels, `onProgress` hears from long jobs. */
  async fit(rows: unknown[][], spec: ModelSpec, dataAddress: string, options: { signal?: AbortSignal; onProgress?: (p: Progress) => void } = {}): Promise<FitView> {
    const data = await this.client.upload(rows, options.signal);
    return this.client.run<FitView>({ kind: "pane-fit", data, spec, dataAddress }, options);
  }

  /** The summary sheet's layout of the last fit. */
  layout(): Promise<SummaryLayout> {
    return this.client.run<SummaryLayout>({ kind: "pane-layout" });
  }
}
