/**
 * Host detection: the sample workbook only when office.js is not there or reports no host; an
 * Excel that answers late is Excel (the pane waits, "Connecting to Excel..."), never the sample.
 */
import { detectHost, HostState } from "../../src/office/detect";

/** office.js's Office object, whose onReady answers when the test says. */
function office() {
  let answer: (info: { host: unknown; platform?: unknown } | null) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<{ host: unknown } | null>((resolve, reject) => { answer = resolve; fail = reject; });
  return { Office: { onReady: () => ready, HostType: { Excel: "Excel", Word: "Word" } }, answer: (h: unknown) => answer({ host: h, platform: h ? "PC" : null }), fail };
}

test("no office.js: the sample, at once", async () => {
  const d = detectHost({});
  expect(d.initial).toEqual({ kind: "sample", reason: "office.js is not loaded" });
  await expect(d.settled).resolves.toEqual(d.initial);
});

test("Excel answering late (10 s here) is Excel: connecting until then, never the sample", async () => {
  jest.useFakeTimers();
  try {
    const o = office();
    const d = detectHost({ Office: o.Office });
    expect(d.initial).toEqual({ kind: "connecting" });
    let settled: HostState | null = null;
    void d.settled.then((s) => { settled = s; });
    await jest.advanceTimersByTimeAsync(10_000);
    expect(settled).toBeNull();
    o.answer("Excel");
    await jest.advanceTimersByTimeAsync(0);
    expect(settled).toEqual({ kind: "excel" });
  } finally {
    jest.useRealTimers();
  }
});

test("office.js outside Office reports no host: the sample", async () => {
  const o = office();
  const d = detectHost({ Office: o.Office });
  o.answer(null);
  await expect(d.settled).resolves.toEqual({ kind: "sample", reason: "not running in an Office application" });
});

test("another Office application: the sample, saying which", async () => {
  const o = office();
  const d = detectHost({ Office: o.Office });
  o.answer("Word");
  await expect(d.settled).resolves.toEqual({ kind: "sample", reason: "running in Word, not Excel" });
});

test("onReady failing is neither Excel nor the sample", async () => {
  const o = office();
  const d = detectHost({ Office: o.Office });
  o.fail(new Error("host handshake failed"));
  await expect(d.settled).resolves.toEqual({ kind: "failed", reason: "host handshake failed" });
});
