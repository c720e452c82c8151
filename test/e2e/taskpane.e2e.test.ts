/**
 * The task pane end to end, in Chromium outside Office (so on the sample workbook): read the
 * data, build Weight ~ Time with groups Pig through the controls, fit (in the worker), see the
 * coefficients, create the summary sheet, insert the formula; saves a screenshot to
 * test-output/taskpane.png (ignored by git), and to docs/taskpane.png, the README's picture, when
 * UPDATE_SCREENSHOT=1.
 *
 * Needs /usr/bin/chromium (Debian's `chromium` package; .ci/run installs it) and fails, not
 * skips, without it. Builds dist/ with webpack when it is missing or older than the sources
 * (`npm test` builds it first). office.js's CDN request is aborted, as offline.
 */
import { execFileSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "fs";
import type { Server } from "http";
import { tmpdir } from "os";
import { join } from "path";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

const ROOT = join(__dirname, "../..");
const DIST = join(ROOT, "dist");
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join(ROOT, process.env.UPDATE_SCREENSHOT === "1" ? "docs" : "test-output", "taskpane.png");

jest.setTimeout(240_000);

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const f of readdirSync(path)) m = Math.max(m, newestMtime(join(path, f)));
  return m;
}

/** dist/ is missing or older than what it is built from. */
function distIsStale(): boolean {
  const page = join(DIST, "taskpane.js");
  if (!existsSync(join(DIST, "taskpane.html")) || !existsSync(page)) return true;
  const built = statSync(page).mtimeMs;
  const sources = Math.max(newestMtime(join(ROOT, "src")), statSync(join(ROOT, "webpack.config.js")).mtimeMs);
  return sources > built;
}

let browser: Browser | null = null;
let server: Server | null = null;
let served = "";
let url = "";
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the end-to-end test of the task pane needs Debian's Chromium. ` +
        "Install it with `apt-get install -y chromium` (.ci/run does this on CI).",
    );
  }
  if (distIsStale()) {
    execFileSync(process.execPath, [join(ROOT, "node_modules/webpack-cli/bin/cli.js"), "--mode", "production"], { cwd: ROOT, stdio: "pipe", timeout: 200_000 });
  }
  // serve a copy, so that a rebuild of dist/ meanwhile cannot pull files from under the page
  served = mkdtempSync(join(tmpdir(), "mixedlm-e2e-"));
  cpSync(DIST, served, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serve } = require("../../scripts/serve.js") as { serve: (dir: string, port: number) => Promise<{ server: Server; url: string }> };
  ({ server, url } = await serve(served, 0));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
});

afterAll(async () => {
  if (browser) await browser.close();
  if (server) await new Promise((resolve) => server!.close(resolve));
  if (served) rmSync(served, { recursive: true, force: true });
});

async function openPane(): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 1 });
  page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
  });
  // no internet here, and none needed: office.js fails fast, the pane runs on the sample workbook
  await page.route("https://appsforoffice.microsoft.com/**", (r) => r.abort());
  await page.goto(`${url}taskpane.html`);
  return page;
}

test("fit dietox in the task pane on the sample workbook, create the summary sheet, insert the formula", async () => {
  const t0 = Date.now();
  const page = await openPane();
  await page.getByText("Running outside Excel on a sample workbook (dietox)").waitFor({ timeout: 10_000 });

  // data
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862").waitFor();
  const columns = page.getByRole("table", { name: "Columns" });
  await expect(columns.getByRole("row").count()).resolves.toBe(9);
  await columns.getByRole("row", { name: /Feed numeric 72/ }).waitFor();

  // model: response, a fixed effect, a formula error as you type, groups
  await page.getByRole("combobox", { name: "Response", exact: true }).click();
  await page.getByRole("option", { name: "Weight", exact: true }).click();
  await page.getByRole("group", { name: "Fixed effects" }).getByRole("checkbox", { name: "Time", exact: true }).check();
  const formula = page.getByRole("textbox", { name: "Formula" });
  await expect(formula.inputValue()).resolves.toBe("Weight ~ Time");
  await formula.fill("Weight ~ Time +");
  await page.getByText(/Expected a term after '\+'.*position 15/).waitFor();
  await expect(page.getByRole("button", { name: "Fit", exact: true }).isDisabled()).resolves.toBe(true);
  await page.getByRole("combobox", { name: "Groups", exact: true }).click();
  await page.getByRole("option", { name: "Pig", exact: true }).click();
  await expect(formula.inputValue()).resolves.toBe("Weight ~ Time");
  await page.getByText("The formula reads well.").waitFor();

  // fit, in the worker
  await page.getByRole("button", { name: "Fit", exact: true }).click();
  const coef = page.getByRole("table", { name: "Coefficients" });
  await coef.getByText("15.724").waitFor({ timeout: 30_000 });
  await coef.getByRole("row", { name: /^Time 6\.943 0\.033/ }).waitFor();
  // lme4's optimum: 40.393952 (test/fixtures/reference/dietox_ri_reml.lme4.json); statsmodels stops at 40.39387
  await page.getByRole("table", { name: "Variance components" }).getByText("40.3940").waitFor();
  await page.getByRole("table", { name: "Fit statistics" }).getByText("-2404.7753").waitFor();
  await page.getByText("Fits run in a background worker.").waitFor();

  // summary sheet, twice: the second never overwrites the first
  await page.getByRole("button", { name: "Create summary sheet" }).click();
  await page.getByText('Wrote the summary, the tables and three charts to the new sheet "MixedLM Summary".').waitFor();
  const sheets = page.getByRole("list", { name: "Sheets" });
  await sheets.getByText("MixedLM Summary", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Create summary sheet" }).click();
  await page.getByText('to the new sheet "MixedLM Summary (2)"').waitFor();

  // the worksheet formula
  await page.getByRole("button", { name: "Insert formula" }).click();
  await page.getByText('Sheet1!J1: =MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig")').first().waitFor();

  expect(consoleErrors).toEqual([]);
  mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  // eslint-disable-next-line no-console
  console.log(`task pane e2e: ${Date.now() - t0} ms in the browser; screenshot ${SCREENSHOT}`);
  await page.close();
});

test("a model that cannot be fitted shows the engine's message", async () => {
  const page = await openPane();
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862").waitFor();
  await page.getByRole("combobox", { name: "Groups", exact: true }).click();
  await page.getByRole("option", { name: "Pig", exact: true }).click();
  await page.getByRole("textbox", { name: "Formula" }).fill("Weight ~ Tme");
  await page.getByRole("button", { name: "Fit", exact: true }).click();
  await page.getByText("The model could not be fitted").waitFor({ timeout: 30_000 });
  await page.getByText(/Tme/).first().waitFor();
  await expect(page.getByRole("button", { name: "Create summary sheet" }).count()).resolves.toBe(0);
  await page.close();
});
