/**
 * Finding the model of a call (src/functions/models.ts): correct (an edited cell, anywhere, is a
 * new model; equal values in new arrays are the same model) and cheap (the probe reads a bounded
 * number of rows however large the range; the same array object is not read at all).
 */
import fc from "fast-check";
import { ModelCall, ModelRegistry, probeKey } from "../../src/functions/models";
import { WorkerClient } from "../../src/worker/client";
import { CancelledError } from "../../src/worker/yield";
import { ClonedWorker } from "../worker/clonedWorker";

function registry(maxModels?: number, maxCells?: number) {
  const worker = new ClonedWorker();
  return { worker, models: new ModelRegistry(new WorkerClient(() => worker), maxModels, maxCells) };
}

const call = (data: unknown[][], formula = "y ~ x", groups: unknown = "g", options: unknown = null): ModelCall => ({ data, formula, groups, options });
const clone = (rows: unknown[][]) => rows.map((r) => [...r]);

function table(n: number, seed = 1): unknown[][] {
  const rows: unknown[][] = [["y", "x", "g"]];
  for (let i = 0; i < n; i++) rows.push([Math.sin(i * seed), i % 7, `g${i % 13}`]);
  return rows;
}

async function modelOf(models: ModelRegistry, c: ModelCall): Promise<number> {
  const lease = await models.acquire(c);
  models.release(lease);
  return lease.args.model;
}

test("the probe reads at most about 1,200 rows, however large the range", () => {
  for (const n of [10, 1_000, 100_000, 1_000_000]) {
    const rows = Array.from({ length: n }, (_, i) => [i, i * 2]);
    let reads = 0;
    const counted = new Proxy(rows, { get(t, k, r) { if (typeof k === "string" && /^\d+$/.test(k)) reads++; return Reflect.get(t, k, r); } });
    probeKey(call(counted));
    expect(reads).toBeLessThanOrEqual(Math.min(n, 1_200));
  }
});

test("equal values in new arrays are one model, uploaded once; the same arrays are not even compared", async () => {
  const { worker, models } = registry();
  const rows = table(5_000);
  const ids = await Promise.all(Array.from({ length: 7 }, () => modelOf(models, call(clone(rows)))));
  expect(new Set(ids).size).toBe(1);
  expect(models.stats.uploads).toBe(1);
  expect(worker.sent.upload).toBe(1);
  const compared = models.stats.comparisons;
  const same = call(rows);
  await modelOf(models, same);
  await modelOf(models, same);
  expect(models.stats.comparisons).toBe(compared + 1); // the first is compared with the kept copy, then kept by identity
});

test("an edit anywhere, even in a row the probe does not read, is a new model", async () => {
  const { models } = registry();
  const rows = table(20_000);
  const first = await modelOf(models, call(clone(rows)));
  const edited = clone(rows);
  edited[12_345][0] = (edited[12_345][0] as number) + 1e-12; // row 12,345 is between sampled rows
  expect(probeKey(call(edited))).toBe(probeKey(call(rows)));
  const second = await modelOf(models, call(edited));
  expect(second).not.toBe(first);
  expect(await modelOf(models, call(clone(rows)))).toBe(first);
});

test("property: a call is the model of another exactly when its cells hold the same values", async () => {
  const cell = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: false }), fc.constantFrom("a", "b", "", "#N/A", "-0"), fc.boolean(), fc.constant(null), fc.constantFrom(0, -0),
    fc.record({ type: fc.constant("Error"), basicValue: fc.constantFrom("#N/A", "#DIV/0!") }), fc.record({ type: fc.constant("FormattedNumber"), basicValue: fc.integer({ min: -3, max: 3 }), numberFormat: fc.constant("0.0") }));
  const grid = fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 300 });
  const { models } = registry(1000, 1e9);
  await fc.assert(
    fc.asyncProperty(grid, fc.nat(), cell, async (rows, at, v) => {
      const a = await modelOf(models, call(rows));
      const edited = clone(rows);
      const i = at % rows.length, j = at % 3;
      edited[i][j] = v;
      const b = await modelOf(models, call(edited));
      const norm = (x: unknown) => (x !== null && typeof x === "object" ? ((x as { type: string }).type === "Error" ? null : (x as { basicValue: unknown }).basicValue) : x ?? null);
      expect(b === a).toBe(Object.is(norm(rows[i][j]), norm(v)));
    }),
    { seed: 20261201, numRuns: 300 },
  );
});

test("formula, groups and options are part of the model", async () => {
  const { models } = registry();
  const rows = table(100);
  const base = await modelOf(models, call(rows));
  expect(await modelOf(models, call(clone(rows), "y ~ x + 1"))).not.toBe(base);
  expect(await modelOf(models, call(clone(rows), "y ~ x", "x"))).not.toBe(base);
  expect(await modelOf(models, call(clone(rows), "y ~ x", "g", "method=ML"))).not.toBe(base);
  expect(await modelOf(models, call(clone(rows), "y ~ x", [["g"]], null))).not.toBe(base);
  const col = rows.map((r) => [r[2]]);
  const byColumn = await modelOf(models, call(clone(rows), "y ~ x", col));
  expect(await modelOf(models, call(clone(rows), "y ~ x", clone(col)))).toBe(byColumn);
});

test("a call cancelled while its range goes up stops the upload when no other call waits for it", async () => {
  const { worker, models } = registry();
  const rows = table(200_000);
  const alone = new AbortController();
  const p = models.acquire(call(rows), alone.signal);
  await new Promise((r) => setTimeout(r, 0));
  alone.abort();
  await expect(p).rejects.toBeInstanceOf(CancelledError);
  await new Promise((r) => setTimeout(r, 20));
  expect(worker.uploadedCells).toBeLessThan(200_001 * 3);
  expect(models.size).toBe(0);
  // two calls share an upload: one cancelled, the other still gets the model
  const one = new AbortController();
  const a = models.acquire(call(clone(rows)), one.signal);
  const b = models.acquire(call(clone(rows)));
  await new Promise((r) => setTimeout(r, 0));
  one.abort();
  await expect(a).rejects.toBeInstanceOf(CancelledError);
  const lease = await b;
  expect(lease.args.data).toHaveProperty("upload");
  models.release(lease);
});

test("models beyond the limits are dropped, least recently used first, in the page and in the worker", async () => {
  const { worker, models } = registry(3, 500_000);
  const ids: number[] = [];
  for (let k = 1; k <= 5; k++) ids.push(await modelOf(models, call(table(100, k))));
  expect(models.size).toBe(3);
  await new Promise((r) => setTimeout(r, 0));
  expect(worker.sent.drop).toBe(2);
  // the cells kept count too: one big range pushes the others out, but stays itself
  const big = table(200_000, 9);
  const bigId = await modelOf(models, call(big));
  expect(models.size).toBe(1);
  expect(await modelOf(models, call(clone(big)))).toBe(bigId);
  // a dropped model is uploaded again when asked for
  expect(await modelOf(models, call(table(100, 1)))).not.toBe(ids[0]);
});
