/**
 * Sends fits to the worker; falls back to running them in the page when a worker cannot be
 * created or fails to load (then the pane is busy during a fit, but works).
 */
import type { ModelSpec } from "../engine";
import type { SummaryLayout } from "../office/layout";
import { FitRequest, FitResponse, FitService, FitView } from "./fitService";

type Pending = { req: FitRequest; resolve: (r: FitResponse) => void };

export class FitClient {
  private worker: Worker | null = null;
  private local: FitService | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** "worker" or "page": where fits run (shown in the pane's footer). */
  mode: "worker" | "page" = "page";

  /** `createWorker` makes the worker (see worker.ts); when it throws, fits run in the page. */
  constructor(createWorker: () => Worker) {
    try {
      this.worker = createWorker();
      this.mode = "worker";
      this.worker.onmessage = (e: MessageEvent<FitResponse>) => {
        const p = this.pending.get(e.data.id);
        if (p) { this.pending.delete(e.data.id); p.resolve(e.data); }
      };
      this.worker.onerror = (e) => {
        e.preventDefault?.();
        this.fallBack();
      };
    } catch {
      this.fallBack();
    }
  }

  /** From the worker to the page: pending requests are run here. */
  private fallBack(): void {
    if (this.worker) { this.worker.terminate(); this.worker = null; }
    this.mode = "page";
    this.local = this.local ?? new FitService();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) this.runLocal(p.req).then(p.resolve);
  }

  private runLocal(req: FitRequest): Promise<FitResponse> {
    // let the page paint the spinner before the fit takes the thread
    return new Promise((resolve) => setTimeout(() => resolve(this.local!.handle(req)), 30));
  }

  private send(req: FitRequest): Promise<FitResponse> {
    if (!this.worker) return this.runLocal(req);
    return new Promise((resolve) => {
      this.pending.set(req.id, { req, resolve });
      this.worker!.postMessage(req);
    });
  }

  async fit(rows: unknown[][], spec: ModelSpec, dataAddress: string): Promise<FitView> {
    const r = await this.send({ id: this.nextId++, type: "fit", rows, spec, dataAddress });
    if (!r.ok) throw new Error(r.error.message);
    if (r.type !== "fit") throw new Error("unexpected reply from the fitting worker");
    return r.view;
  }

  async layout(): Promise<SummaryLayout> {
    const r = await this.send({ id: this.nextId++, type: "layout" });
    if (!r.ok) throw new Error(r.error.message);
    if (r.type !== "layout") throw new Error("unexpected reply from the fitting worker");
    return r.layout;
  }
}
