/**
 * The page's side of the fitting worker, shared by the custom functions and the task pane (one
 * worker per page: shared.ts). Ranges go up in slices with the page's thread given back between
 * them; jobs can be cancelled and report progress. Where no worker can be started, or its script
 * does not load, the same host runs in the page (LocalPort): everything works, but a fit then
 * holds the page while it runs.
 */
import { normalizeCell } from "../functions/cells";
import { WorkerHost } from "./host";
import { RowPacker } from "./rowsCodec";
import type { FromWorker, JobRequest, Progress, ToWorker } from "./protocol";
import { CancelledError, nextTask, SLICE_CELLS, throwIfAborted } from "./yield";

export class WorkerError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = "WorkerError";
  }
}

/** What the client needs of a Worker. */
export interface WorkerPort {
  postMessage(m: ToWorker, transfer?: Transferable[]): void;
  onmessage: ((e: { data: FromWorker }) => void) | null;
  onerror: ((e: { preventDefault?: () => void; message?: string }) => void) | null;
  terminate(): void;
}

/** The worker's host in the page: messages are delivered as a task later, as postMessage does. */
export class LocalPort implements WorkerPort {
  onmessage: WorkerPort["onmessage"] = null;
  onerror: WorkerPort["onerror"] = null;
  readonly host = new WorkerHost((m) => setTimeout(() => this.onmessage?.({ data: m }), 0), nextTask);
  constructor() {
    setTimeout(() => this.onmessage?.({ data: { type: "ready" } }), 0);
  }
  postMessage(m: ToWorker): void {
    setTimeout(() => this.host.receive(m), 0);
  }
  terminate(): void {}
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: (p: Progress) => void;
  done: () => void;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export class WorkerClient {
  /** Where jobs run (the task pane shows it). */
  mode: "worker" | "page" = "page";
  /** Increases when the worker is lost: uploads and fits it held are gone. */
  generation = 0;
  private port!: WorkerPort;
  private ready!: Promise<void>;
  private markReady: () => void = () => {};
  private isReady = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextUpload = 1;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly packer = new RowPacker();

  /** `createWorker` starts the worker (createWorker.ts); without it, or when it throws, jobs run in the page. */
  constructor(createWorker?: () => WorkerPort | Worker, readyTimeoutMs = 15_000) {
    let port: WorkerPort | null = null;
    try {
      port = createWorker ? (createWorker() as unknown as WorkerPort) : null;
    } catch {
      port = null;
    }
    this.connect(port ?? new LocalPort(), port ? "worker" : "page");
    if (port) this.readyTimer = setTimeout(() => { if (!this.isReady) this.lost("the fitting worker did not start"); }, readyTimeoutMs);
  }

  private connect(port: WorkerPort, mode: "worker" | "page"): void {
    this.port = port;
    this.mode = mode;
    this.isReady = false;
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
    port.onmessage = (e) => this.receive(e.data);
    port.onerror = (e) => {
      e?.preventDefault?.();
      this.lost(e?.message || "the fitting worker failed");
    };
  }

  private receive(m: FromWorker): void {
    if (m.type === "ready") {
      this.isReady = true;
      if (this.readyTimer) clearTimeout(this.readyTimer);
      this.markReady();
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return; // cancelled meanwhile
    if (m.type === "progress") { p.onProgress?.({ done: m.done, total: m.total }); return; }
    this.pending.delete(m.id);
    p.done();
    if (m.type === "result") p.resolve(m.value);
    else p.reject(m.error.kind === "cancelled" ? new CancelledError() : new WorkerError(m.error.kind, m.error.message));
  }

  /**
   * The worker failed. Before it started, nothing was sent to it: the page takes over. After, what
   * it held is lost: pending jobs fail, and the page takes over for the next ones.
   */
  private lost(reason: string): void {
    if (this.mode === "page") return;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    const started = this.isReady;
    this.port.terminate();
    const markOld = this.markReady;
    this.connect(new LocalPort(), "page");
    if (!started) { void this.ready.then(markOld); return; }
    this.generation++;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) { p.done(); p.reject(new WorkerError("internal", `The fitting worker stopped (${reason}); calculate again.`)); }
  }

  private async whenReady(): Promise<void> {
    // the port may be replaced while waiting: wait for the current one
    for (let port = this.port; ; port = this.port) {
      await this.ready;
      if (port === this.port || this.isReady) return;
    }
  }

  /** Sends rows to the worker in slices, giving the thread back between them; resolves to the upload's id. */
  async upload(rows: readonly unknown[][], signal?: AbortSignal): Promise<number> {
    await this.whenReady();
    const id = this.nextUpload++;
    const generation = this.generation;
    const first = rows[0];
    const width = Math.max(1, Array.isArray(first) ? first.length : 1);
    const step = Math.max(1, Math.floor(SLICE_CELLS / width));
    try {
      let i = 0;
      do {
        throwIfAborted(signal);
        if (generation !== this.generation) throw new WorkerError("internal", "The fitting worker stopped while the data were sent to it; calculate again.");
        this.postRows(id, rows, i, Math.min(rows.length, i + step));
        i += step;
        if (i < rows.length) await nextTask();
      } while (i < rows.length);
    } catch (e) {
      this.drop([id], []);
      throw e;
    }
    return id;
  }

  /**
   * Rows start..end to the worker, packed (rowsCodec.ts: a millisecond or two of the page's time
   * instead of tens) and copied, so that the packer's buffers serve the next slice. In the page,
   * or when a row is not an array, as they are; and when they hold something that cannot be
   * cloned, as the values the engine would read.
   */
  private postRows(upload: number, all: readonly unknown[][], start: number, end: number): void {
    const packed = this.mode === "worker" ? this.packer.pack(all, start, end) : null;
    if (packed) {
      this.port.postMessage({ type: "upload", upload, packed });
      return;
    }
    const rows = all.slice(start, end) as unknown[][];
    try {
      this.port.postMessage({ type: "upload", upload, rows });
    } catch (e) {
      if ((e as Error)?.name !== "DataCloneError") throw e;
      this.port.postMessage({ type: "upload", upload, rows: rows.map((r) => (Array.isArray(r) ? r.map(normalizeCell) : [normalizeCell(r)])) });
    }
  }

  drop(uploads: number[], models: number[]): void {
    if (uploads.length === 0 && models.length === 0) return;
    void this.whenReady().then(() => this.port.postMessage({ type: "drop", uploads, models }));
  }

  /**
   * Ends the worker at once (Worker.terminate: whatever it is computing stops, even inside one
   * long step) and rejects what was pending as cancelled. For a worker started for one long job
   * (the task pane's bootstrap), so that Cancel really stops the work; the shared worker is never
   * disposed.
   */
  dispose(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.port.onmessage = null;
    this.port.onerror = null;
    this.port.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) { p.done(); p.reject(new CancelledError()); }
  }

  /** Runs a job; a signal that aborts rejects at once and stops the job at its next step. */
  async run<T>(job: JobRequest, options: RunOptions = {}): Promise<T> {
    const { signal, onProgress } = options;
    throwIfAborted(signal);
    await this.whenReady();
    throwIfAborted(signal);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        signal?.removeEventListener("abort", onAbort);
        this.port.postMessage({ type: "cancel", id });
        reject(new CancelledError());
      };
      signal?.addEventListener("abort", onAbort);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress, done: () => signal?.removeEventListener("abort", onAbort) });
      this.port.postMessage({ type: "run", id, job });
    });
  }
}
