/**
 * `npm run build` (webpack, production) into a temporary folder with ADDIN_URL set: the files the
 * manifest names exist, its URLs are all rewritten, functions.json is the JSDoc's metadata with
 * allowErrorForDataTypeAny, the page loads office.js then the bundles, no shipped script names a
 * source map, the sample data and the engine are each in one chunk, the build reports every
 * file's size, and the built scripts, run as Excel's shared runtime runs them (the page's
 * scripts in order, here without a worker), register the eleven functions, which return Promises
 * of the engine's tables and reject with its messages. About 20 s.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as vm from "vm";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { checkManifest } from "../../scripts/manifest-check";
import { withErrorInputs } from "../../scripts/functions-metadata";
import { DataTable, fitMixedModel } from "../../src/engine";
import { coefTable, summaryTable } from "../../src/report/tables";
import { FIXTURES, reference } from "../helpers";

const ROOT = join(__dirname, "../..");
const URL = "https://example.org/mixedlm/";
let out = "";
let maps = "";
let log = "";

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "mixedlm-dist-"));
  maps = mkdtempSync(join(tmpdir(), "mixedlm-maps-"));
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/webpack-cli/bin/cli.js"), "--mode", "production", "--output-path", out], {
    cwd: ROOT,
    env: { ...process.env, ADDIN_URL: URL, SOURCEMAP_DIR: maps },
    encoding: "utf8",
  });
  log = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`webpack failed (${r.status}):\n${log}`);
  // a hang guard, not a speed test: build time belongs to `npm run bench`, and a loaded machine builds slowly
}, 600_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
  if (maps) rmSync(maps, { recursive: true, force: true });
});

/** Every file of the output, relative paths. */
function shipped(dir = out, prefix = ""): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? shipped(join(dir, f), `${prefix}${f}/`) : [`${prefix}${f}`]));
}

/** The page's scripts, in the order it loads them. */
function pageScripts(): string[] {
  const html = readFileSync(join(out, "taskpane.html"), "utf8");
  return [...html.matchAll(/<script\b[^>]*\bsrc="?([^"\s>]+)"?/g)].map((m) => m[1]);
}

test("builds without errors", () => {
  expect(log).toMatch(/compiled successfully|compiled with \d+ warning/);
});

test("dist holds the page, the bundles, the metadata, the manifest and the assets", () => {
  for (const f of ["taskpane.html", "runtime.js", "engine.js", "functions.js", "taskpane.js", "functions.json", "manifest.xml", "assets/support.html"]) {
    expect(existsSync(join(out, f))).toBe(true);
  }
  expect(readdirSync(join(out, "assets")).filter((f) => f.endsWith(".png")).sort()).toEqual(
    ["icon-128.png", "icon-16.png", "icon-32.png", "icon-64.png", "icon-80.png"],
  );
});

test("the manifest points at ADDIN_URL only, and every file it names was built", () => {
  const text = readFileSync(join(out, "manifest.xml"), "utf8");
  expect(text).not.toContain("//localhost");
  const urls = [...text.matchAll(/DefaultValue="(https?:\/\/[^"]*)"/g)].map((m) => m[1]);
  expect(urls.length).toBeGreaterThan(8);
  for (const u of urls) expect(u.startsWith(URL)).toBe(true);
  const { errors, warnings } = checkManifest(text, { baseUrl: URL, dir: out });
  expect(errors).toEqual([]);
  expect(warnings).toEqual([]);
});

test("the page loads office.js, then the runtime, the engine, the functions and the task pane, all deferred", () => {
  expect(pageScripts()).toEqual(["https://appsforoffice.microsoft.com/lib/1/hosted/office.js", "runtime.js", "engine.js", "functions.js", "taskpane.js"]);
  const html = readFileSync(join(out, "taskpane.html"), "utf8");
  for (const tag of html.match(/<script\b[^>]*>/g)!) expect(tag).toMatch(/\bdefer\b/);
  // something to see before any script has run
  expect(html).toMatch(/<div id="?root"?><div[^>]*>Loading MixedLM/);
});

test("functions.json is the metadata of functions.ts's JSDoc, with error inputs allowed", async () => {
  const generated = await generateCustomFunctionsMetadata(join(ROOT, "src/functions/functions.ts"));
  const built = JSON.parse(readFileSync(join(out, "functions.json"), "utf8"));
  expect(built.allowErrorForDataTypeAny).toBe(true);
  expect(built.allowCustomDataForDataTypeAny).toBe(true);
  expect(built).toEqual(withErrorInputs(JSON.parse(generated.metadataJson)));
  for (const f of built.functions) expect(f.options).toEqual({ cancelable: true });
  // the inference functions, with their parameters in order (metadata.test.ts checks the rest)
  const params = (id: string) => built.functions.find((f: { id: string }) => f.id === id)?.parameters.map((p: { name: string; optional?: boolean }) => `${p.name}${p.optional ? "?" : ""}`);
  expect(params("ANOVA")).toEqual(["data", "formula", "groups?", "options?"]);
  expect(params("COMPARE")).toEqual(["data", "formula", "reduced", "groups?", "options?"]);
  expect(params("CONFINT")).toEqual(["data", "formula", "groups?", "options?"]);
  expect(params("PREDICT")).toEqual(["data", "formula", "newdata", "groups?", "options?"]);
});

test("no shipped script names a source map; the maps are written outside the output", () => {
  const files = shipped();
  expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
  for (const f of files.filter((x) => x.endsWith(".js"))) expect(readFileSync(join(out, f), "utf8")).not.toMatch(/sourceMappingURL/);
  expect(readdirSync(maps).sort()).toEqual(files.filter((f) => f.endsWith(".js")).map((f) => `${f}.map`).sort());
});

test("the sample data are only in their own chunk; the engine is in one chunk, shared by the page and the worker", () => {
  const js = shipped().filter((f) => f.endsWith(".js"));
  const holding = (text: string) => js.filter((f) => readFileSync(join(out, f), "utf8").includes(text));
  expect(holding("Evit000")).toEqual([expect.stringMatching(/^sample-data\.[0-9a-f]{8}\.js$/)]);
  // an engine message, a report table header, the worker's jobs: once each, in engine.js
  expect(holding("leave no residual variation")).toEqual(["engine.js"]);
  expect(holding("Mixed Linear Model Regression Results")).toEqual(["engine.js"]);
  expect(holding("Fit a model first.")).toEqual(["engine.js"]);
  const worker = js.find((f) => f.startsWith("fit-worker."))!;
  expect(worker).toBeDefined();
  expect(readFileSync(join(out, worker), "utf8")).toMatch(/importScripts/);
  expect(statSync(join(out, worker)).size).toBeLessThan(10_000);
});

test("the build reports the size of every shipped file", () => {
  const report = log.slice(log.indexOf("Shipped files"));
  for (const f of shipped()) {
    const m = new RegExp(`^\\s+${f.replace(/[.]/g, "\\.")}\\s+(\\d+) B\\s+(\\d+) B gzip$`, "m").exec(report);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(statSync(join(out, f)).size);
  }
});

class ExcelError {
  constructor(readonly code: string, readonly message?: string) {}
}

/** The page's scripts up to functions.js, run in a fresh global as the shared runtime runs them (no DOM, no worker). */
function loadFunctionsAsExcelDoes(): Map<string, (...args: unknown[]) => unknown> {
  const associated = new Map<string, (...args: unknown[]) => unknown>();
  const context = vm.createContext({
    console, setTimeout, clearTimeout, MessageChannel, structuredClone, AbortController,
    location: { href: `${URL}taskpane.html` },
    CustomFunctions: {
      associate: (id: string, f: (...args: unknown[]) => unknown) => {
        expect(associated.has(id)).toBe(false);
        associated.set(id, f);
      },
      Error: ExcelError,
      ErrorCode: { invalidValue: "#VALUE!" },
    },
  });
  context.self = context;
  context.globalThis = context;
  const scripts = pageScripts().filter((s) => !s.startsWith("https:"));
  for (const s of scripts.slice(0, scripts.indexOf("functions.js") + 1)) vm.runInContext(readFileSync(join(out, s), "utf8"), context, { filename: s });
  return associated;
}

test("functions.js, run as Excel's runtime runs it, registers each function once; they return Promises of the engine's tables", async () => {
  const code = readFileSync(join(out, "functions.js"), "utf8");
  // the metadata plugin's unguarded CustomFunctions.associate("FIT", …) lines are not in the bundle
  expect(code).not.toMatch(/CustomFunctions\.associate\(/);
  // outside Excel the scripts load quietly
  const quiet = vm.createContext({ console, setTimeout, clearTimeout, MessageChannel, structuredClone, location: { href: `${URL}taskpane.html` } });
  quiet.self = quiet;
  for (const s of ["runtime.js", "engine.js", "functions.js"]) expect(() => vm.runInContext(readFileSync(join(out, s), "utf8"), quiet)).not.toThrow();

  const associated = loadFunctionsAsExcelDoes();
  expect([...associated.keys()].sort()).toEqual(["ANOVA", "COEF", "COMPARE", "CONFINT", "FIT", "FITTED", "PREDICT", "RANEF", "RESID", "STATS", "VARCOMP"]);

  const rows = readFileSync(join(FIXTURES, "data", "dietox.csv"), "utf8").trim().split(/\r?\n/).map((line, i) =>
    line.split(",").map((cell) => {
      const s = cell.replace(/^"|"$/g, "");
      if (i === 0) return s;
      if (s === "NA") return null;
      return cell.startsWith('"') ? s : Number(s);
    }),
  );
  const ref = reference("dietox_ri_reml", "statsmodels");
  const invocation = {};
  const pending = associated.get("COEF")!(rows, "Weight ~ Time", "Pig", null, invocation);
  expect(Object.prototype.toString.call(pending)).toBe("[object Promise]");
  const coef = (await pending) as unknown[][];
  expect(Math.abs((coef[1][1] as number) - ref.fe_params[0])).toBeLessThan(1e-4);
  expect(Math.abs((coef[2][1] as number) - ref.fe_params[1])).toBeLessThan(1e-4);
  expect(typeof (invocation as { onCanceled?: unknown }).onCanceled).toBe("function");
  // the same tables as the engine's, cell for cell
  const direct = fitMixedModel(DataTable.fromRows(rows), { formula: "Weight ~ Time", groups: "Pig" });
  expect(coef).toEqual(coefTable(direct));
  expect(await associated.get("FIT")!(rows, "Weight ~ Time", "Pig", null, {})).toEqual(summaryTable(direct));
  // a rejection carries the engine's message
  const err = await (associated.get("FIT")!(rows, "Weight ~ Tim", "Pig", null, {}) as Promise<unknown>).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ExcelError);
  expect((err as ExcelError).code).toBe("#VALUE!");
  expect((err as ExcelError).message).toMatch(/There is no column "Tim"/);
  // the inference functions resolve too, to lme4's and lmerTest's numbers
  // (test/fixtures/inference/dietox_rs.json, test/fixtures/inference/shared/dietox_rs.json)
  const slopes = "Weight ~ Time + (Time|Pig)";
  const call = (id: string, ...args: unknown[]) => associated.get(id)!(rows, slopes, ...args, {}) as Promise<unknown[][]>;
  const [anova, lrt, ci, predicted] = await Promise.all([
    call("ANOVA", null, null),
    call("COMPARE", "Weight ~ Time + (1|Pig)", null, null),
    call("CONFINT", null, "ci=wald"),
    call("PREDICT", [["Time", "Pig"], [1, 4601], [null, null]], null, null),
  ]);
  expect(anova[0][0]).toBe("Type III Analysis of Variance Table with Satterthwaite's method");
  expect(Math.abs((anova[2][4] as number) - 71.0651710221624) / 71.07).toBeLessThan(2e-3); // Time's DenDF
  expect(Math.abs((lrt[2][6] as number) - 374.359318081824)).toBeLessThan(2e-4 * 374.36);
  expect(Math.abs((ci[6][2] as number) - 6.78255921915821) / 6.78).toBeLessThan(1e-5);
  expect(predicted).toEqual([["Prediction"], [expect.closeTo(21.9579257107139, 4)], [""]]);
  const bad = await call("CONFINT", null, "ci=bootstrap").catch((e: unknown) => e);
  expect((bad as ExcelError).message).toBe('ci must be profile, wald or boot, not "bootstrap".');
});
