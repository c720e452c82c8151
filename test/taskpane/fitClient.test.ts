/**
 * FitClient, the task pane's fits: through the fitting worker (its host behind structured-cloned
 * messages, as postMessage does), or in the page when the worker cannot be created or its script
 * fails to load. The view and the layout are plain data.
 */
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import { FitClient } from "../../src/taskpane/fitClient";
import { WorkerClient } from "../../src/worker/client";
import { SLICE_CELLS } from "../../src/worker/yield";
import { ClonedWorker } from "../worker/clonedWorker";

const spec = { formula: "Weight ~ Time", groups: "Pig" };
const rows = SAMPLE_ROWS as unknown[][];

test("in the worker: the fit, then the layout of the same fit", async () => {
  const w = new ClonedWorker();
  const client = new FitClient(() => w);
  expect(client.mode).toBe("worker");
  await expect(client.layout()).rejects.toThrow("Fit a model first.");
  const view = await client.fit(rows, spec, "Sheet1!A1:H862");
  expect((view.coef[1][1] as number).toFixed(3)).toBe("15.724");
  expect(view.coef[2][0]).toBe("Time");
  expect(view.sheetFormula).toBe('=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig")');
  expect(view.sheetFormulaWarning).toBeUndefined();
  expect(view.converged).toBe(true);
  expect(view.stats.some((row) => row[0] === "Warnings")).toBe(false);
  const layout = await client.layout();
  expect(layout.charts.length).toBe(3);
  // the rows went up as one upload, and the worker kept nothing of them after the fit
  expect(w.sent.upload).toBe(1);
  expect(w.host.state.uploads.size).toBe(0);
  // a model that cannot be fitted: the engine's message; and no summary of a model not shown
  await expect(client.fit(rows, { formula: "Weight ~ Tme", groups: "Pig" }, "A1")).rejects.toThrow(/Tme/);
  await expect(client.layout()).rejects.toThrow("Fit a model first.");
});

test("a large range goes up in slices of SLICE_CELLS cells, packed", async () => {
  const w = new ClonedWorker();
  const client = new FitClient(() => w);
  const big: unknown[][] = [["y", "x", "g"]];
  for (let i = 0; i < 100_000; i++) big.push([Math.sin(i) + (i % 17) * 0.1, i % 11, `g${i % 40}`]);
  const view = await client.fit(big, { formula: "y ~ x", groups: "g" }, "Sheet1!A1:C100001");
  expect(view.nObs).toBe(100_000);
  expect(w.sent.upload).toBe(Math.ceil(100_001 / Math.floor(SLICE_CELLS / 3)));
  expect(w.uploadedCells).toBe(300_003);
});

test("a formula over data larger than Excel passes to a function comes with a warning", async () => {
  const w = new ClonedWorker();
  const client = new FitClient(() => w);
  const big: unknown[][] = [["response value", "covariate", "group label"]];
  for (let i = 0; i < 120_000; i++) big.push([Math.sin(i) * 1000 + i / 7, i / 3, `group number ${i % 300}`]);
  const view = await client.fit(big, { formula: "Q('response value') ~ covariate", groups: "group label" }, "Sheet1!A1:C120001");
  expect(view.sheetFormulaWarning).toMatch(/^The data are \d+\.\d MB as Excel sends them to a function, more than its 5\.0 MB limit/);
});

test("no worker: the same, in the page", async () => {
  const client = new FitClient(() => { throw new Error("SecurityError: workers are not allowed"); });
  expect(client.mode).toBe("page");
  const view = await client.fit(rows, spec, "Sheet1!A1:H862");
  expect(view.sheetFormula).toBe('=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig")');
  expect((await client.layout()).blocks.length).toBeGreaterThan(5);
});

test("a worker whose script fails to load: what was waiting for it runs in the page", async () => {
  const broken = new ClonedWorker(undefined, false); // never says it is ready
  const client = new FitClient(() => broken);
  const pending = client.fit(rows, spec, "Sheet1!A1:H862");
  await new Promise((r) => setTimeout(r, 5));
  broken.onerror!({ preventDefault() {}, message: "404" });
  expect(client.mode).toBe("page");
  expect((await pending).nObs).toBe(861);
  expect(broken.sent.upload ?? 0).toBe(0);
});

test("a worker that never starts: the page takes over after the timeout", async () => {
  const silent = new ClonedWorker(undefined, false);
  const client = new FitClient(new WorkerClient(() => silent, 20));
  const view = await client.fit(rows, spec, "A1:H862");
  expect(client.mode).toBe("page");
  expect(view.nObs).toBe(861);
});

test("a worker lost after it started: pending fits fail with a message, the next ones run in the page", async () => {
  const w = new ClonedWorker();
  const client = new FitClient(() => w);
  await client.fit(rows, spec, "A1:H862");
  w.hold();
  const pending = client.fit(rows, spec, "A1:H862");
  await new Promise((r) => setTimeout(r, 20));
  w.onerror!({ message: "out of memory" });
  await expect(pending).rejects.toThrow(/stopped \(out of memory\); calculate again/);
  expect(client.mode).toBe("page");
  expect((await client.fit(rows, spec, "A1:H862")).nObs).toBe(861);
});
