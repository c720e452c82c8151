/**
 * The page as Excel's shared runtime runs it, in Chromium (test/e2e/harness.ts):
 *  - before office.js has loaded the page shows "Loading MixedLM..."; an Excel that answers late
 *    is Excel ("Connecting to Excel..." meanwhile), never the sample workbook;
 *  - the custom functions, loaded by the page and registered with a CustomFunctions object as
 *    office.js would provide it, return Promises of the tables, reject with the engine's messages,
 *    and fit in the page's worker; the inference functions answer with lmerTest's and lme4's
 *    numbers, and a bootstrap stops when Excel cancels its call;
 *  - while a 1,000,000-row fit runs from a custom function, the task pane answers every click
 *    within 100 ms.
 */
import { readFileSync } from "fs";
import { join } from "path";
import type { Page } from "playwright-core";
import { FIXTURES, reference } from "../helpers";
import { serveDistToChromium, Served } from "./harness";

jest.setTimeout(240_000);

let served: Served;
beforeAll(async () => { served = await serveDistToChromium(); });
afterAll(async () => { if (served) await served.close(); });

/** CustomFunctions as office.js provides it in the shared runtime: associate() and Error. */
function fakeCustomFunctions() {
  const w = window as unknown as Record<string, unknown>;
  const registered: Record<string, unknown> = {};
  w.__functions = registered;
  class ExcelError {
    constructor(readonly code: string, readonly message?: string) {}
  }
  w.CustomFunctions = { associate: (id: string, f: unknown) => { registered[id] = f; }, Error: ExcelError, ErrorCode: { invalidValue: "#VALUE!" } };
}

async function openOffline(withFunctions: boolean): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await served.browser.newPage({ viewport: { width: 420, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  page.on("request", (r) => requests.push(r.url()));
  if (withFunctions) await page.addInitScript(fakeCustomFunctions);
  await page.route("https://appsforoffice.microsoft.com/**", (r) => r.abort());
  await page.goto(`${served.url}taskpane.html`);
  await page.getByText("Running outside Excel on a sample workbook (dietox)").waitFor({ timeout: 15_000 });
  return { page, errors, requests };
}

function dietoxRows(): unknown[][] {
  return readFileSync(join(FIXTURES, "data", "dietox.csv"), "utf8").trim().split(/\r?\n/).map((line, i) =>
    line.split(",").map((cell) => {
      const s = cell.replace(/^"|"$/g, "");
      if (i === 0) return s;
      if (s === "NA") return null;
      return cell.startsWith('"') ? s : Number(s);
    }),
  );
}

test("a slow office.js: 'Loading MixedLM' at once, then 'Connecting to Excel', then Excel, never the sample", async () => {
  const page = await served.browser.newPage({ viewport: { width: 420, height: 700 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // office.js takes 3 s to arrive, and Office.onReady answers 2.5 s after that (past the 1.5 s the old code waited)
  await page.route("https://appsforoffice.microsoft.com/**", async (r) => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await r.fulfill({
      contentType: "text/javascript",
      body: `window.Office = { HostType: { Excel: "Excel" }, context: { requirements: { isSetSupported: () => true } },
        onReady: () => new Promise((resolve) => setTimeout(() => resolve({ host: "Excel", platform: "PC" }), 2500)) };`,
    });
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __sawSample: boolean };
    w.__sawSample = false;
    new MutationObserver(() => { if (/sample workbook/i.test(document.body?.innerText ?? "")) w.__sawSample = true; })
      .observe(document, { subtree: true, childList: true, characterData: true });
  });
  const t0 = Date.now();
  void page.goto(`${served.url}taskpane.html`, { waitUntil: "commit" });
  await page.getByText("Loading MixedLM…").waitFor({ state: "visible", timeout: 2500 });
  expect(Date.now() - t0).toBeLessThan(2500); // well before office.js arrives (3 s)
  await page.getByText("Connecting to Excel…").waitFor({ timeout: 10_000 });
  expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
  await page.getByRole("button", { name: "Use selection" }).waitFor({ timeout: 10_000 });
  expect(Date.now() - t0).toBeGreaterThanOrEqual(5500);
  expect(await page.getByText("Connecting to Excel…").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __sawSample: boolean }).__sawSample)).toBe(false);
  expect(errors).toEqual([]);
  await page.close();
});

test("the functions, loaded by the page as Excel loads them: Promises of the tables, the engine's messages, fits in the worker", async () => {
  const { page, errors, requests } = await openOffline(true);
  const rows = dietoxRows();
  const out = await page.evaluate(async (data) => {
    const f = (window as unknown as { __functions: Record<string, (...a: unknown[]) => Promise<unknown[][]>> }).__functions;
    const pending = f.COEF(data, "Weight ~ Time", "Pig", null, {});
    const isPromise = pending instanceof Promise;
    const [coef, stats, fitted] = await Promise.all([pending, f.STATS(data, "Weight ~ Time", "Pig", null, {}), f.FITTED(data, "Weight ~ Time", "Pig", null, {})]);
    const error = await f.FIT(data, "Weight ~ Tim", "Pig", null, {}).then(() => null, (e: { code: string; message: string }) => ({ code: e.code, message: e.message }));
    return { ids: Object.keys(f).sort(), isPromise, coef, stats, fittedRows: fitted.length, error };
  }, rows);
  const ref = reference("dietox_ri_reml", "statsmodels");
  expect(out.ids).toEqual(["ANOVA", "COEF", "COMPARE", "CONFINT", "FIT", "FITTED", "PREDICT", "RANEF", "RESID", "STATS", "VARCOMP"]);
  expect(out.isPromise).toBe(true);
  expect(out.coef[0]).toEqual(["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"]);
  expect(Math.abs((out.coef[1][1] as number) - ref.fe_params[0])).toBeLessThan(1e-4);
  expect(Math.abs((out.coef[2][1] as number) - ref.fe_params[1])).toBeLessThan(1e-4);
  expect(out.stats.find((r) => r[0] === "Observations")![1]).toBe(861);
  expect(out.fittedRows).toBe(861);
  expect(out.error).toEqual({ code: "#VALUE!", message: expect.stringMatching(/^There is no column "Tim"/) });
  // the worker was started, and loaded the engine's chunk
  expect(requests.some((u) => /\/fit-worker\.[0-9a-f]{8}\.js$/.test(u))).toBe(true);
  await page.getByText("Fits run in a background worker.").waitFor();
  expect(errors).toEqual([]);
  await page.close();
});

test("the inference functions in the page's worker: lmerTest's and lme4's numbers; a bootstrap stops when Excel cancels it", async () => {
  const { page, errors } = await openOffline(true);
  const rows = dietoxRows();
  const out = await page.evaluate(async (data) => {
    const f = (window as unknown as { __functions: Record<string, (...a: unknown[]) => Promise<unknown[][]>> }).__functions;
    const slopes = "Weight ~ Time + (Time|Pig)";
    const [coef, anova, lrt, profile, predicted] = await Promise.all([
      f.COEF(data, slopes, null, "ddf=Kenward-Roger", {}),
      f.ANOVA(data, slopes, null, null, {}),
      f.COMPARE(data, slopes, [["Weight ~ Time + (1|Pig)"]], null, null, {}),
      f.CONFINT(data, slopes, null, null, {}),
      f.PREDICT(data, slopes, [["Time", "Pig"], [1, 4601], [null, null], [12, 99999]], null, null, {}),
    ]);
    // a bootstrap of 100,000 refits, cancelled by Excel after half a second: the cell's call ends,
    // and the worker is free for the next call at once
    const invocation: { onCanceled?: () => void } = {};
    const boot = f.CONFINT(data, slopes, null, "ci=boot; nsim=100000", invocation).then(() => "finished", (e: { message: string }) => e.message);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    invocation.onCanceled!();
    const cancelled = await boot;
    const next = await f.STATS(data, slopes, null, null, {});
    return { coef, anova, lrt, profile, predicted, cancelled, afterCancelMs: performance.now() - t0, observations: next.find((r) => r[0] === "Observations")![1] };
  }, rows);
  // pbkrtest (test/fixtures/inference/shared/dietox_rs.json): Time's df 71.0003, adjusted SE 0.0806
  const ref = JSON.parse(readFileSync(join(FIXTURES, "inference", "shared", "dietox_rs.json"), "utf8"));
  const kr = ref.kenward_roger.find((r: { name: string }) => r.name === "Time");
  const time = out.coef.find((r) => r[0] === "Time")!;
  expect(Math.abs((time[3] as number) - kr.df) / kr.df).toBeLessThan(2e-3);
  expect(Math.abs((time[2] as number) - kr["Std. Error"]) / kr["Std. Error"]).toBeLessThan(1e-4);
  expect(Math.abs((out.anova[2][5] as number) - ref.anova.type3_Satterthwaite[0]["F value"]) / ref.anova.type3_Satterthwaite[0]["F value"]).toBeLessThan(1e-3);
  const rs = JSON.parse(readFileSync(join(FIXTURES, "inference", "dietox_rs.json"), "utf8"));
  expect(Math.abs((out.lrt[2][6] as number) - rs.lrt[1].Chisq)).toBeLessThan(2e-4 * rs.lrt[1].Chisq);
  rs.confint_profile.forEach((r: { "2.5 %": number; "97.5 %": number }, i: number) => {
    const width = r["97.5 %"] - r["2.5 %"];
    expect(Math.abs((out.profile[i + 1][2] as number) - r["2.5 %"])).toBeLessThan(2e-2 * width);
    expect(Math.abs((out.profile[i + 1][3] as number) - r["97.5 %"])).toBeLessThan(2e-2 * width);
  });
  expect(out.predicted.map((r) => r[0])).toEqual(["Prediction", expect.closeTo(rs.tight.predict_conditional[0], 4), "", expect.closeTo(rs.tight.predict_conditional[2], 4)]);
  expect(out.cancelled).toBe("Cancelled.");
  // the worker stopped the bootstrap: the next call is answered from the kept fit in well under the bootstrap's time
  expect(out.observations).toBe(861);
  expect(out.afterCancelMs).toBeLessThan(1000);
  expect(errors).toEqual([]);
  await page.close();
});

test("while a 1,000,000-row fit runs from a custom function, the task pane answers every click within 100 ms", async () => {
  const { page, errors } = await openOffline(true);
  await page.getByRole("button", { name: "Use selection" }).click();
  // the fixed effects can be ticked once the formula has a response
  await page.getByRole("textbox", { name: "Formula" }).fill("Weight ~ Time");
  const time = page.getByRole("group", { name: "Fixed effects" }).getByRole("checkbox", { name: "Time", exact: true });
  await time.waitFor();
  const box = (await time.boundingBox())!;
  const before = await time.isChecked();

  // the data, made in the page before the clock starts; the click's latency: from the input
  // event to the first frame after its handlers (input delay + handling + rendering)
  await page.evaluate(() => {
    const rows: unknown[][] = [["y", "x", "g"]];
    let s = 1;
    for (let i = 0; i < 1_000_000; i++) {
      s = (s * 16807) % 2147483647;
      const g = i % 5000;
      rows.push([1 + 0.5 * (i % 10) + Math.sin(g) + (s / 2147483647 - 0.5), i % 10, `g${g}`]);
    }
    (window as unknown as Record<string, unknown>).__rows = rows;
  });
  // the data's own making is not the call's work: let the page's idle-time garbage collection run
  await page.waitForTimeout(1500);
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown> & { __functions: Record<string, (...a: unknown[]) => Promise<unknown[][]>> };
    const latencies: number[] = [];
    w.__latencies = latencies;
    document.addEventListener("click", (e) => {
      const t0 = e.timeStamp;
      requestAnimationFrame(() => setTimeout(() => latencies.push(performance.now() - t0), 0));
    }, true);
    const longTasks: number[] = [];
    w.__longTasks = longTasks;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ type: "longtask" });
    w.__done = false;
    w.__start = performance.now();
    w.__functions.STATS(w.__rows, "y ~ x", "g", null, {}).then(
      (t) => { w.__result = t; w.__done = true; w.__ms = performance.now() - (w.__start as number); },
      (e: { message: string }) => { w.__result = e.message; w.__done = true; },
    );
  });
  let clicks = 0;
  let clicksWhileFitting = 0;
  for (;;) {
    const done = await page.evaluate(() => (window as unknown as { __done: boolean }).__done);
    if (done && clicks >= 6) break;
    if (!done) clicksWhileFitting++;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    clicks++;
    await new Promise((r) => setTimeout(r, 100));
    if (clicks > 600) throw new Error("the fit did not finish");
  }
  const r = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return { result: w.__result as unknown[][] | string, ms: w.__ms as number, latencies: w.__latencies as number[], longTasks: w.__longTasks as number[] };
  });
  // eslint-disable-next-line no-console
  console.log(`1,000,000-row STATS: ${Math.round(r.ms)} ms; ${clicksWhileFitting} clicks during it; click latencies (ms) max ${Math.max(...r.latencies).toFixed(1)}, all ${r.latencies.map((x) => x.toFixed(0)).join(" ")}; long tasks ${r.longTasks.map((x) => x.toFixed(0)).join(" ") || "none"}`);
  expect(Array.isArray(r.result)).toBe(true);
  expect((r.result as unknown[][]).find((row) => row[0] === "Observations")![1]).toBe(1_000_000);
  expect(clicksWhileFitting).toBeGreaterThanOrEqual(4);
  expect(r.latencies.length).toBe(clicks);
  for (const l of r.latencies) expect(l).toBeLessThan(100);
  // every click was taken: the box ends checked or not as the count says
  expect(await time.isChecked()).toBe(clicks % 2 === 0 ? before : !before);
  expect(errors).toEqual([]);
  await page.close();
});
