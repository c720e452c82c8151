/**
 * The worker protocol's mechanics, on jobs made for the test: jobs run one at a time in order,
 * report progress between steps, stop at the next step when cancelled (a queued job never
 * starts), and fail with the engine's kind and message; uploads arrive in slices and are
 * dropped on request.
 */
import { MixedLMError } from "../../src/engine";
import { WorkerClient, WorkerError } from "../../src/worker/client";
import type { JobSteps, ReportProgress } from "../../src/worker/host";
import type { WorkerState } from "../../src/worker/jobs";
import type { JobRequest, Progress } from "../../src/worker/protocol";
import { CancelledError, SLICE_CELLS } from "../../src/worker/yield";
import { ClonedWorker } from "./clonedWorker";

/** Test jobs, named by the `table` field of a model-table request. */
const log: string[] = [];
function* counted(name: string, steps: number): JobSteps {
  log.push(`start ${name}`);
  for (let i = 0; i < steps; i++) {
    log.push(`${name} ${i}`);
    yield { done: i + 1, total: steps };
  }
  log.push(`end ${name}`);
  return `${name} done`;
}
/** One long synchronous step that reports its progress from inside (as the engine's bootstrap does), for `ms` milliseconds. */
function* inner(ms: number, report: ReportProgress): JobSteps {
  const t0 = Date.now();
  let n = 0;
  while (Date.now() - t0 < ms) report({ done: ++n, total: 0 });
  return n;
}
function testJobs(job: JobRequest, state: WorkerState, report: ReportProgress): JobSteps {
  if (job.kind !== "model-table") throw new Error("unexpected job");
  const [name, steps] = job.extra as [string, number];
  if (name === "inner") return inner(steps, report);
  if (name === "engine") throw new MixedLMError("formula", "Expected a term after '+'.");
  if (name === "bug") throw new TypeError("x is undefined");
  if (name === "rows") return (function* () { return state.uploads.take(steps).length; })();
  return counted(name, steps);
}
const job = (name: string, steps = 3): JobRequest => ({ kind: "model-table", args: { model: 0, data: { value: null }, groups: { value: null }, formula: "", options: "" }, table: "t", extra: [name, steps] });

beforeEach(() => { log.length = 0; });

test("jobs run one at a time, in order, with their progress", async () => {
  const client = new WorkerClient(() => new ClonedWorker(testJobs));
  const progress: Progress[] = [];
  const a = client.run(job("a", 3), { onProgress: (p) => progress.push(p) });
  const b = client.run(job("b", 2));
  await expect(a).resolves.toBe("a done");
  await expect(b).resolves.toBe("b done");
  expect(log).toEqual(["start a", "a 0", "a 1", "a 2", "end a", "start b", "b 0", "b 1", "end b"]);
  // at most one progress message per 100 ms: the first step's at least
  expect(progress[0]).toEqual({ done: 1, total: 3 });
});

test("a cancelled job stops at its next step; a queued one never starts", async () => {
  const w = new ClonedWorker(testJobs);
  const client = new WorkerClient(() => w);
  const running = new AbortController();
  const queued = new AbortController();
  let seen = 0;
  const a = client.run(job("long", 1000), { signal: running.signal, onProgress: () => { seen++; } });
  const b = client.run(job("next", 2), { signal: queued.signal });
  const c = client.run(job("last", 1));
  // cancel once the long job is under way and has reported progress
  while (!log.includes("long 3") || seen === 0) await new Promise((r) => setTimeout(r, 1));
  queued.abort();
  running.abort();
  await expect(a).rejects.toBeInstanceOf(CancelledError);
  await expect(b).rejects.toBeInstanceOf(CancelledError);
  await expect(c).resolves.toBe("last done");
  expect(log.filter((l) => l.startsWith("long ")).length).toBeLessThan(1000);
  expect(log).not.toContain("end long");
  expect(log).not.toContain("start next");
  expect(w.sent.cancel).toBe(2);
  expect(seen).toBeGreaterThan(0);
});

test("a job that fails: the engine's kind and message, or an internal error", async () => {
  const client = new WorkerClient(() => new ClonedWorker(testJobs));
  await expect(client.run(job("engine"))).rejects.toMatchObject({ kind: "formula", message: "Expected a term after '+'." });
  const e = await client.run(job("bug")).catch((x) => x);
  expect(e).toBeInstanceOf(WorkerError);
  expect(e).toMatchObject({ kind: "internal", message: "x is undefined" });
  // the worker goes on
  await expect(client.run(job("after", 1))).resolves.toBe("after done");
});

test("progress reported from inside one long step: sent as it goes, at most every 100 ms", async () => {
  const client = new WorkerClient(() => new ClonedWorker(testJobs));
  const progress: Progress[] = [];
  const calls = (await client.run<number>(job("inner", 350), { onProgress: (p) => progress.push(p) }));
  expect(calls).toBeGreaterThan(1000);
  expect(progress[0]).toEqual({ done: 1, total: 0 });
  expect(progress.length).toBeGreaterThanOrEqual(3);
  expect(progress.length).toBeLessThanOrEqual(5);
});

test("an upload arrives whole, in slices, and a dropped one is gone", async () => {
  const w = new ClonedWorker(testJobs);
  const client = new WorkerClient(() => w);
  const rows = Array.from({ length: 250_001 }, (_, i) => [i, `r${i}`]);
  const id = await client.upload(rows);
  expect(w.sent.upload).toBe(Math.ceil(250_001 / Math.floor(SLICE_CELLS / 2)));
  await expect(client.run(job("rows", id))).resolves.toBe(250_001);
  const other = await client.upload(rows.slice(0, 10));
  client.drop([other], []);
  await expect(client.run(job("rows", other))).rejects.toThrow(/not here/);
});

test("an upload cancelled half way stops sending and is dropped", async () => {
  const w = new ClonedWorker(testJobs);
  const client = new WorkerClient(() => w);
  const rows = Array.from({ length: 1_000_000 }, (_, i) => [i]);
  const stop = new AbortController();
  const sending = client.upload(rows, stop.signal);
  await new Promise((r) => setTimeout(r, 0));
  stop.abort();
  await expect(sending).rejects.toBeInstanceOf(CancelledError);
  await new Promise((r) => setTimeout(r, 10));
  expect(w.sent.upload).toBeLessThan(10);
  expect(w.sent.drop).toBe(1);
  expect(w.host.state.uploads.size).toBe(0);
});
