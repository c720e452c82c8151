/**
 * Giving the thread back between slices of work. A MessageChannel message is a new task, so
 * input events waiting in the page run before the next slice; it is not clamped to 4 ms after
 * nested timeouts, nor throttled to once a second as timers are in a hidden page (the shared
 * runtime's page is hidden while the task pane is closed). Falls back to setTimeout where there
 * is no MessageChannel.
 */
export function nextTask(): Promise<void> {
  if (typeof MessageChannel === "undefined") return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Cells handled per slice of page work: under a millisecond of packing or comparing (scripts/page-costs.js), so that the page answers input between slices even on a loaded machine. */
export const SLICE_CELLS = 20_000;

/** The abort reason as an Error (AbortSignal.throwIfAborted is missing in older WebViews). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export class CancelledError extends Error {
  readonly kind = "cancelled";
  constructor() {
    super("Cancelled.");
    this.name = "CancelledError";
  }
}
