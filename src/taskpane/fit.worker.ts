/** The fitting worker: the engine off the page's thread, so that the pane stays responsive. */
import { FitRequest, FitService } from "./fitService";

const service = new FitService();
const scope = self as unknown as { onmessage: ((e: MessageEvent<FitRequest>) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e) => scope.postMessage(service.handle(e.data));
