/**
 * The task pane's inference jobs through FitClient and the worker protocol (structured-cloned
 * messages, as postMessage): lmerTest's and lme4's numbers for dietox's random-slope model
 * (test/fixtures/inference/shared/dietox_rs.json), jobs refused on another fit than the one the
 * worker holds, the intervals' own worker (the same numbers as the engine called directly, the
 * bootstrap's progress, Cancel ending that worker), and the summary sheet with what was computed.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { confint, DataTable, fitModel } from "../../src/engine";
import { FitClient } from "../../src/taskpane/fitClient";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import type { Progress } from "../../src/worker/protocol";
import { CancelledError } from "../../src/worker/yield";
import { FIXTURES } from "../helpers";
import { ClonedWorker } from "./clonedWorker";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ref: any = JSON.parse(readFileSync(join(FIXTURES, "inference/shared/dietox_rs.json"), "utf8"));
const rows = SAMPLE_ROWS as unknown[][];
const lme4Spec = { formula: "Weight ~ Time + (Time | Pig)" };
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** A FitClient on a cloned worker, with the intervals' workers it starts. */
function newClient() {
  const own: ClonedWorker[] = [];
  const client = new FitClient(() => new ClonedWorker(), () => { const w = new ClonedWorker(); own.push(w); return w; });
  return { client, own };
}

test("t tests with Satterthwaite's and Kenward-Roger's df, and the ANOVA table, as lmerTest gives them", async () => {
  const { client } = newClient();
  const view = await client.fit(rows, lme4Spec, "Sheet1!A1:H862");
  expect(view).toMatchObject({ fitId: 1, style: "lme4", defaultDdf: "satterthwaite" });
  for (const [ddf, key] of [["satterthwaite", "satterthwaite"], ["kenward-roger", "kenward_roger"]] as const) {
    const t = await client.coefTests(view.fitId, ddf);
    expect(t.ddf).toBe(ddf);
    expect(t.title).toBe(`Fixed effects (t tests use ${ddf === "satterthwaite" ? "Satterthwaite's" : "Kenward-Roger's"} method):`);
    t.rows.forEach((row, i) => {
      const r = ref[key][i];
      expect(rel(row.df!, r.df)).toBeLessThan(2e-3);
      expect(rel(row.stdErr, r["Std. Error"])).toBeLessThan(1e-4);
      expect(rel(row.z, r["t value"])).toBeLessThan(1e-4);
      expect(rel(row.p, r["Pr(>|t|)"])).toBeLessThan(1e-2);
    });
  }
  for (const type of [1, 2, 3] as const) {
    const a = await client.anova(view.fitId, type, "kenward-roger");
    const r = ref.anova[`type${type}_Kenward-Roger`][0];
    expect(a.title).toBe(`Type ${"I".repeat(type)} Analysis of Variance Table with Kenward-Roger's method`);
    expect(a.table.rows.map((x) => x.term)).toEqual(["Time"]);
    expect(rel(a.table.rows[0].F, r["F value"])).toBeLessThan(1e-3);
    expect(rel(a.table.rows[0].denDF, r.DenDF)).toBeLessThan(2e-3);
  }
});

test("a statsmodels-style model: z tests first (as statsmodels prints), the same t tests on demand", async () => {
  const { client } = newClient();
  const view = await client.fit(rows, { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" }, "Sheet1!A1:H862");
  expect(view).toMatchObject({ style: "statsmodels", defaultDdf: null });
  const t = await client.coefTests(view.fitId, "satterthwaite");
  // the same model as lme4's (Time | Pig): lmerTest's df
  expect(rel(t.rows[1].df!, ref.satterthwaite[1].df)).toBeLessThan(2e-3);
});

test("compare with a simpler model: lme4's likelihood-ratio test, ML refits by default, and without", async () => {
  const { client } = newClient();
  const { fitId } = await client.fit(rows, lme4Spec, "Sheet1!A1:H862");
  const c = await client.compare(fitId, ["Weight ~ Time + (1 | Pig)"], true);
  expect(c.refitML).toBe(true);
  expect(c.notes[0]).toMatch(/refitted by ML/);
  expect(c.rows.map((r) => r.formula)).toEqual(["Weight ~ Time + (1 | Pig)", "Weight ~ Time + (Time | Pig)"]);
  expect(rel(c.rows[1].chisq!, ref.lrt[1].Chisq)).toBeLessThan(2e-4);
  expect(c.rows[1].df).toBe(2);
  expect(rel(c.rows[0].aic, ref.lrt[0].AIC)).toBeLessThan(1e-6);
  // REML fits compared as they are (only the random effects differ)
  const reml = await client.compare(fitId, ["Weight ~ Time + (1 | Pig)"], false);
  expect(reml).toMatchObject({ refitML: false, criterion: "REML" });
  expect(reml.rows[1].chisq!).toBeGreaterThan(0);
  expect(Math.abs(reml.rows[1].chisq! - c.rows[1].chisq!)).toBeGreaterThan(0.01);
  // a formula that does not read: the engine's message
  await expect(client.compare(fitId, ["Weight ~ Time +"], true)).rejects.toThrow(/Expected a term/);
});

test("jobs on a fit the worker no longer holds are refused: results never mix models", async () => {
  const { client, own } = newClient();
  const first = await client.fit(rows, lme4Spec, "Sheet1!A1:H862");
  const second = await client.fit(rows, { formula: "Weight ~ Time + (1 | Pig)" }, "Sheet1!A1:H862");
  expect(second.fitId).toBe(first.fitId + 1);
  await expect(client.coefTests(first.fitId, "satterthwaite")).rejects.toThrow("The model was fitted again since");
  await expect(client.anova(first.fitId, 3, "satterthwaite")).rejects.toThrow("The model was fitted again since");
  await expect(client.compare(first.fitId, ["Weight ~ 1 + (1 | Pig)"], true)).rejects.toThrow("The model was fitted again since");
  await expect(client.intervals(first.fitId, { method: "profile", level: 0.95 })).rejects.toThrow("The model was fitted again since");
  expect(own.length).toBe(0); // no worker started for a fit that is gone
  await expect(client.layout({ fit: first.fitId, ddf: null })).rejects.toThrow("The model was fitted again since");
  // a failed fit leaves none
  await expect(client.fit(rows, { formula: "Weight ~ Tme + (1 | Pig)" }, "A1")).rejects.toThrow(/Tme/);
  await expect(client.coefTests(second.fitId, "satterthwaite")).rejects.toThrow(/fit the model again/);
});

test("intervals: Wald on the kept fit, profile in a worker of its own, both as lme4 gives them", async () => {
  const { client, own } = newClient();
  const { fitId } = await client.fit(rows, lme4Spec, "Sheet1!A1:H862");
  const wald = await client.intervals(fitId, { method: "wald", level: 0.95 });
  expect(own.length).toBe(0);
  ref.confint_wald.forEach((r: { name: string; "2.5 %": number | null; "97.5 %": number | null }, i: number) => {
    if (r["2.5 %"] === null) { expect(wald.rows[i].low).toBeNull(); return; }
    expect(rel(wald.rows[i].low!, r["2.5 %"])).toBeLessThan(1e-5);
    expect(rel(wald.rows[i].high!, r["97.5 %"]!)).toBeLessThan(1e-5);
  });
  const profile = await client.intervals(fitId, { method: "profile", level: 0.95 });
  expect(own.length).toBe(1);
  expect(own[0].terminated).toBe(true); // ended when done
  expect(profile.rows.map((r) => r.name)).toEqual(["sd_(Intercept)|Pig", "cor_Time.(Intercept)|Pig", "sd_Time|Pig", "sigma", "Intercept", "Time"]);
  ref.confint_profile.forEach((r: { name: string; "2.5 %": number; "97.5 %": number }, i: number) => {
    const width = r["97.5 %"] - r["2.5 %"];
    const tol = (r.name.startsWith("cor_") ? 2e-2 : 5e-3) * width;
    expect(Math.abs(profile.rows[i].low! - r["2.5 %"])).toBeLessThan(tol);
    expect(Math.abs(profile.rows[i].high! - r["97.5 %"])).toBeLessThan(tol);
  });
  expect(profile.notes.join(" ")).toMatch(/ML deviance/);
});

test("the bootstrap in its own worker: the engine's numbers for the seed, progress as it goes; Cancel ends the worker", async () => {
  const { client, own } = newClient();
  const { fitId } = await client.fit(rows, lme4Spec, "Sheet1!A1:H862");
  const progress: Progress[] = [];
  const boot = await client.intervals(fitId, { method: "boot", level: 0.9, nsim: 40, seed: 7 }, { onProgress: (p) => progress.push(p) });
  const direct = confint(fitModel(DataTable.fromRows(rows), lme4Spec), { method: "boot", level: 0.9, nsim: 40, seed: 7 });
  expect(boot).toEqual(direct);
  expect(boot.bootstrap).toMatchObject({ nsim: 40, seed: 7, done: 40, cancelled: false });
  expect(progress[0]).toEqual({ done: 1, total: 40 });
  // Cancel at the first progress: the job's promise rejects at once and its worker is ended
  const controller = new AbortController();
  const cancelled = client.intervals(fitId, { method: "boot", level: 0.95, nsim: 200, seed: 1 }, { signal: controller.signal, onProgress: () => controller.abort() });
  await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
  expect(own.length).toBe(2);
  expect(own[1].terminated).toBe(true);
  // the shared worker still holds the fit
  await expect(client.coefTests(fitId, "satterthwaite")).resolves.toMatchObject({ ddf: "satterthwaite" });
});

test("Kenward-Roger on an ML fit: the engine's message, not a number", async () => {
  const { client } = newClient();
  const { fitId } = await client.fit(rows, { ...lme4Spec, method: "ML" }, "Sheet1!A1:H862");
  await expect(client.coefTests(fitId, "kenward-roger")).rejects.toThrow(/REML/);
});

test("the summary sheet carries what the pane computed of the fit", async () => {
  const { client } = newClient();
  const { fitId } = await client.fit(rows, lme4Spec, "Sheet1!A1:H862");
  const anova = (await client.anova(fitId, 3, "satterthwaite")).table;
  const comparison = await client.compare(fitId, ["Weight ~ Time + (1 | Pig)"], true);
  const ci = await client.intervals(fitId, { method: "wald", level: 0.95 });
  const plain = await client.layout();
  expect(plain.blocks.map((b) => b.id)).not.toContain("anova");
  const layout = await client.layout({ fit: fitId, ddf: "satterthwaite", anova, comparison, confint: ci });
  const ids = layout.blocks.filter((b) => b.col === 0).map((b) => b.id);
  expect(ids).toEqual(["title", "spec", "coef", "anova", "varcomp", "confint", "comparison", "comparisonNotes", "stats", "summary", "ranef"]);
  const coef = layout.blocks.find((b) => b.id === "coef")!;
  expect(coef.values[0][0]).toBe("Fixed effects (t tests use Satterthwaite's method)");
  expect(coef.values[1]).toEqual(["Name", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)", "CI low (95%)", "CI high (95%)"]);
  expect(rel(coef.values[3][3] as number, ref.satterthwaite[1].df)).toBeLessThan(2e-3);
});
