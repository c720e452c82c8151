/**
 * The page's one fitting worker, shared by the custom functions and the task pane (they run in
 * the same page: the shared runtime). The entries pass the function that starts it
 * (createWorker.ts); until then, and in the tests, jobs run in the page.
 */
import { WorkerClient, WorkerPort } from "./client";

let factory: (() => WorkerPort | Worker) | undefined;
let client: WorkerClient | undefined;

export function setWorkerFactory(f: () => WorkerPort | Worker): void {
  factory = f;
}

export function sharedWorkerClient(): WorkerClient {
  if (!client) client = new WorkerClient(factory);
  return client;
}
