/**
 * The worker's side of the protocol (protocol.ts): it keeps the uploads and the fits, and runs
 * the jobs one at a time. It runs in the Web Worker (fit.worker.ts) or, where no worker can be
 * started, in the page itself (client.ts, LocalPort): the same code either way.
 */
import { isMixedLMError } from "../engine";
import type { FromWorker, JobRequest, Progress, ToWorker, WireError } from "./protocol";
import { runJob, WorkerState } from "./jobs";
import { unpackRows } from "./rowsCodec";

/** A job's steps: it yields progress (or nothing) between steps and returns its result. */
export type JobSteps = Generator<Progress | void, unknown, void>;

/**
 * Reports progress from inside a step: for work that runs in one synchronous call with a
 * callback (the engine's bootstrap), where the job cannot yield. Sent at most every
 * PROGRESS_INTERVAL ms, as yielded progress is.
 */
export type ReportProgress = (p: Progress) => void;

interface Queued {
  id: number;
  job: JobRequest;
  cancelled: boolean;
}

/** Progress messages at most this often, in ms. */
const PROGRESS_INTERVAL = 100;

export function wireError(e: unknown): WireError {
  if (isMixedLMError(e)) return { kind: e.kind, message: e.message };
  const kind = (e as { kind?: unknown })?.kind;
  if (kind === "limit" || kind === "cancelled") return { kind, message: (e as Error).message };
  return { kind: "internal", message: e instanceof Error ? e.message : String(e) };
}

export class WorkerHost {
  readonly state = new WorkerState();
  private readonly queue: Queued[] = [];
  private current: Queued | null = null;
  private pumping = false;

  /**
   * `nextTask`: how the host lets messages in between a job's steps; `run`: the jobs (jobs.ts;
   * the tests pass others).
   */
  constructor(
    private readonly post: (m: FromWorker) => void,
    private readonly nextTask: () => Promise<void>,
    private readonly run: (job: JobRequest, state: WorkerState, report: ReportProgress) => JobSteps = runJob,
  ) {}

  receive(m: ToWorker): void {
    switch (m.type) {
      case "upload":
        this.state.uploads.append(m.upload, "packed" in m ? unpackRows(m.packed) : m.rows);
        return;
      case "drop":
        this.state.drop(m.uploads, m.models);
        return;
      case "run":
        this.queue.push({ id: m.id, job: m.job, cancelled: false });
        void this.pump();
        return;
      case "cancel": {
        if (this.current?.id === m.id) { this.current.cancelled = true; return; }
        const i = this.queue.findIndex((q) => q.id === m.id);
        if (i >= 0) {
          this.queue.splice(i, 1);
          this.post({ type: "error", id: m.id, error: { kind: "cancelled", message: "Cancelled." } });
        }
      }
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let q = this.queue.shift(); q; q = this.queue.shift()) {
        this.current = q;
        await this.runSteps(q);
        this.current = null;
      }
    } finally {
      this.pumping = false;
    }
  }

  private async runSteps(q: Queued): Promise<void> {
    let steps: JobSteps;
    let lastProgress = 0;
    const report = (p: Progress): void => {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_INTERVAL) return;
      lastProgress = now;
      this.post({ type: "progress", id: q.id, done: p.done, total: p.total });
    };
    try {
      steps = this.run(q.job, this.state, report);
    } catch (e) {
      this.post({ type: "error", id: q.id, error: wireError(e) });
      return;
    }
    for (;;) {
      if (q.cancelled) {
        steps.return(undefined);
        this.post({ type: "error", id: q.id, error: { kind: "cancelled", message: "Cancelled." } });
        return;
      }
      let r: IteratorResult<Progress | void, unknown>;
      try {
        r = steps.next();
      } catch (e) {
        this.post({ type: "error", id: q.id, error: wireError(e) });
        return;
      }
      if (r.done) {
        this.post({ type: "result", id: q.id, value: r.value });
        return;
      }
      if (r.value) report(r.value);
      await this.nextTask();
    }
  }
}
