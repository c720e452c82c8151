/**
 * A Web Worker as the page sees one, in the test's process: the worker's host (src/worker/host.ts)
 * behind messages that are structured-cloned and delivered as later tasks, as postMessage does.
 * `hold()` keeps messages to the host back until `release()` (to cancel a job that is queued).
 */
import type { WorkerPort } from "../../src/worker/client";
import { WorkerHost } from "../../src/worker/host";
import type { JobSteps, ReportProgress } from "../../src/worker/host";
import type { WorkerState } from "../../src/worker/jobs";
import type { FromWorker, JobRequest, ToWorker } from "../../src/worker/protocol";
import { nextTask } from "../../src/worker/yield";

export class ClonedWorker implements WorkerPort {
  onmessage: WorkerPort["onmessage"] = null;
  onerror: WorkerPort["onerror"] = null;
  readonly host: WorkerHost;
  /** Messages the page sent, by type. */
  readonly sent: Record<string, number> = {};
  /** Cells the page sent in uploads. */
  uploadedCells = 0;
  private held: ToWorker[] | null = null;
  terminated = false;

  constructor(run?: (job: JobRequest, state: WorkerState, report: ReportProgress) => JobSteps, ready = true) {
    this.host = new WorkerHost((m: FromWorker) => {
      const copy = structuredClone(m);
      setTimeout(() => { if (!this.terminated) this.onmessage?.({ data: copy }); }, 0);
    }, nextTask, run);
    if (ready) setTimeout(() => this.onmessage?.({ data: { type: "ready" } }), 0);
  }

  postMessage(m: ToWorker, transfer: Transferable[] = []): void {
    this.sent[m.type] = (this.sent[m.type] ?? 0) + 1;
    if (m.type === "upload") this.uploadedCells += "packed" in m ? m.packed.kinds.length : m.rows.reduce((n, r) => n + (Array.isArray(r) ? r.length : 1), 0);
    const copy = structuredClone(m, { transfer });
    if (this.held) { this.held.push(copy); return; }
    setTimeout(() => this.host.receive(copy), 0);
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const m of held) setTimeout(() => this.host.receive(m), 0);
  }

  terminate(): void {
    this.terminated = true;
  }
}
