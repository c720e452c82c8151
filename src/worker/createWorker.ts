/**
 * Starts the fitting worker. Kept apart: webpack turns this expression into the worker's chunk,
 * while tsc (CommonJS for the tests) does not know import.meta, so nothing the tests load
 * imports this file; the entries (src/functions/entry.ts, src/taskpane/index.tsx) pass it to
 * setWorkerFactory.
 */
export function createFitWorker(): Worker {
  // @ts-ignore: import.meta is ES module syntax, which webpack's ts-loader emits
  return new Worker(/* webpackChunkName: "fit-worker" */ new URL("./fit.worker.ts", import.meta.url));
}
