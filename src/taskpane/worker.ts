/**
 * Creates the fitting worker. Kept apart from FitClient: webpack turns this expression into the
 * worker's chunk, while tsc (CommonJS for the tests) does not know import.meta.
 */
export function createFitWorker(): Worker {
  // @ts-ignore: import.meta is ES module syntax, which webpack's ts-loader emits
  return new Worker(new URL("./fit.worker.ts", import.meta.url));
}
