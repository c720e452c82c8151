/** FitClient: fits through a worker, or in the page when the worker cannot be created or fails to load. */
import { FitClient } from "../../src/taskpane/fitClient";
import { FitRequest, FitService } from "../../src/taskpane/fitService";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";

const spec = { formula: "Weight ~ Time", groups: "Pig" };

/** A worker that runs the service asynchronously, as the real one does (structured clone included). */
class FakeWorker {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  private service = new FitService();
  messages = 0;
  postMessage(req: FitRequest) {
    this.messages++;
    const data = structuredClone(this.service.handle(structuredClone(req)));
    setTimeout(() => this.onmessage?.({ data } as MessageEvent), 0);
  }
  terminate() {}
}

test("in the worker: the fit, then the layout of the same fit", async () => {
  const w = new FakeWorker();
  const client = new FitClient(() => w as unknown as Worker);
  expect(client.mode).toBe("worker");
  const view = await client.fit(SAMPLE_ROWS, spec, "Sheet1!A1:H862");
  expect((view.coef[1][1] as number).toFixed(3)).toBe("15.724");
  expect((await client.layout()).charts.length).toBe(3);
  expect(w.messages).toBe(2);
  await expect(client.fit(SAMPLE_ROWS, { formula: "Weight ~", groups: "Pig" }, "A1")).rejects.toThrow(/Expected|term|formula/i);
});

test("no worker: the same, in the page", async () => {
  const client = new FitClient(() => { throw new Error("SecurityError: workers are not allowed"); });
  expect(client.mode).toBe("page");
  const view = await client.fit(SAMPLE_ROWS, spec, "Sheet1!A1:H862");
  expect(view.sheetFormula).toBe('=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig")');
  expect((await client.layout()).blocks.length).toBeGreaterThan(5);
});

test("a worker whose script fails to load: pending fits move to the page", async () => {
  const broken = { onmessage: null, onerror: null as ((e: unknown) => void) | null, postMessage() {}, terminate() {} };
  const client = new FitClient(() => broken as unknown as Worker);
  const pending = client.fit(SAMPLE_ROWS, spec, "Sheet1!A1:H862");
  broken.onerror!({ preventDefault() {} });
  expect(client.mode).toBe("page");
  expect((await pending).nObs).toBe(861);
});
