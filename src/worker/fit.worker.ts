/** The fitting worker's entry: the engine off the page's thread (see host.ts and protocol.ts). */
import type { FromWorker, ToWorker } from "./protocol";
import { WorkerHost } from "./host";
import { nextTask } from "./yield";

const scope = self as unknown as { onmessage: ((e: MessageEvent<ToWorker>) => void) | null; postMessage(m: FromWorker): void };
const host = new WorkerHost((m) => scope.postMessage(m), nextTask);
scope.onmessage = (e) => host.receive(e.data);
scope.postMessage({ type: "ready" });
