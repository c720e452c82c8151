/**
 * `npm run build` (webpack, production) into a temporary folder with ADDIN_URL set: the files the
 * manifest names exist, its URLs are all rewritten, functions.json is the JSDoc's metadata, the
 * page loads office.js then the functions then the task pane, and the built functions.js, run as
 * Excel's runtime would run it, registers the seven functions and fits dietox to the reference.
 * About 10 s.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { checkManifest } from "../../scripts/manifest-check";
import { FIXTURES, reference } from "../helpers";

const ROOT = join(__dirname, "../..");
const URL = "https://example.org/mixedlm/";
let out = "";
let buildMs = 0;
let log = "";

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "mixedlm-dist-"));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/webpack-cli/bin/cli.js"), "--mode", "production", "--output-path", out], {
    cwd: ROOT,
    env: { ...process.env, ADDIN_URL: URL },
    encoding: "utf8",
  });
  buildMs = Date.now() - t0;
  log = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`webpack failed (${r.status}):\n${log}`);
}, 180_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

test("builds without errors, in under a minute", () => {
  expect(log).toMatch(/compiled successfully|compiled with \d+ warning/);
  expect(buildMs).toBeLessThan(60_000);
});

test("dist holds the page, both bundles, the metadata, the manifest and the assets", () => {
  for (const f of ["taskpane.html", "functions.js", "taskpane.js", "functions.json", "manifest.xml", "assets/support.html"]) {
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

test("the page loads office.js, then the functions, then the task pane", () => {
  const html = readFileSync(join(out, "taskpane.html"), "utf8");
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="?([^"\s>]+)"?/g)].map((m) => m[1]);
  expect(scripts.slice(0, 3)).toEqual(["https://appsforoffice.microsoft.com/lib/1/hosted/office.js", "functions.js", "taskpane.js"]);
});

test("functions.json is the metadata of functions.ts's JSDoc", async () => {
  const generated = await generateCustomFunctionsMetadata(join(ROOT, "src/functions/functions.ts"));
  expect(JSON.parse(readFileSync(join(out, "functions.json"), "utf8"))).toEqual(JSON.parse(generated.metadataJson));
});

test("functions.js registers each function once and fits dietox as statsmodels does", () => {
  const code = readFileSync(join(out, "functions.js"), "utf8");
  // the metadata plugin's unguarded CustomFunctions.associate("FIT", …) lines are not in the bundle
  expect(code).not.toMatch(/CustomFunctions\.associate\(/);

  const g = globalThis as Record<string, unknown>;
  // outside Excel the bundle loads quietly
  expect(() => new Function(code)()).not.toThrow();

  const associated = new Map<string, (...args: unknown[]) => unknown[][]>();
  class ExcelError {
    constructor(readonly code: string, readonly message?: string) {}
  }
  g.CustomFunctions = {
    associate: (id: string, f: (...args: unknown[]) => unknown[][]) => {
      expect(associated.has(id)).toBe(false);
      associated.set(id, f);
    },
    Error: ExcelError,
    ErrorCode: { invalidValue: "#VALUE!" },
  };
  try {
    new Function(code)();
    expect([...associated.keys()].sort()).toEqual(["COEF", "FIT", "FITTED", "RANEF", "RESID", "STATS", "VARCOMP"]);

    const rows = readFileSync(join(FIXTURES, "data", "dietox.csv"), "utf8").trim().split(/\r?\n/).map((line, i) =>
      line.split(",").map((cell) => {
        const s = cell.replace(/^"|"$/g, "");
        if (i === 0) return s;
        if (s === "NA") return null;
        return cell.startsWith('"') ? s : Number(s);
      }),
    );
    const ref = reference("dietox_ri_reml", "statsmodels");
    const coef = associated.get("COEF")!(rows, "Weight ~ Time", "Pig", null);
    expect(Math.abs((coef[1][1] as number) - ref.fe_params[0])).toBeLessThan(1e-4);
    expect(Math.abs((coef[2][1] as number) - ref.fe_params[1])).toBeLessThan(1e-4);
    let err: unknown;
    try {
      associated.get("FIT")!(rows, "Weight ~ Tim", "Pig", null);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExcelError);
    expect((err as ExcelError).code).toBe("#VALUE!");
    expect((err as ExcelError).message).toMatch(/Tim/);
  } finally {
    delete g.CustomFunctions;
  }
});
