/**
 * The task pane end to end, in Chromium outside Office (so on the sample workbook), as a user
 * would use it, at 320, 350 and 500 px: a typed formula survives every control; results are
 * flagged out of date after a formula, method or data change; the three plots are there, named;
 * nothing scrolls sideways at 320 px with 18 coefficients; a summary sheet opens in the preview
 * with its tables and charts; axe-core finds no serious or critical violation in any state; no
 * console errors (but the blocked office.js). At 320 and 350 px, the inference: Satterthwaite's
 * df beside the coefficients, the ANOVA table, a comparison with the model without the random
 * slope (lme4's χ², from test/fixtures/inference), profile intervals, a bootstrap started and
 * cancelled (its worker ends, the pane answers meanwhile), and the summary sheet with those tables. Screenshots go to test-output/ (ignored by git),
 * and the README's pictures (docs/taskpane.png, docs/summary-sheet.png) with UPDATE_SCREENSHOT=1.
 *
 * Needs /usr/bin/chromium (Debian's `chromium` package; .ci/run installs it) and fails, not
 * skips, without it. Builds dist/ with webpack when it is missing or older than the sources
 * (`npm test` builds it first). office.js's CDN request is aborted, as offline.
 */
import { execFileSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import type { Server } from "http";
import { tmpdir } from "os";
import { join } from "path";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

const ROOT = join(__dirname, "../..");
const DIST = join(ROOT, "dist");
const CHROMIUM = "/usr/bin/chromium";
const OUT = join(ROOT, "test-output");
const DOCS = process.env.UPDATE_SCREENSHOT === "1" ? join(ROOT, "docs") : null;
const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");

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

async function openPane(width: number, search = ""): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  page.on("pageerror", (e) => consoleErrors.push(`${width}px pageerror: ${e.message}`));
  page.on("console", (m) => {
    // the one expected error: office.js, blocked below, fails to load
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) consoleErrors.push(`${width}px: ${m.text()}`);
  });
  // no internet here, and none needed: office.js fails fast, the pane runs on the sample workbook
  await page.route("https://appsforoffice.microsoft.com/**", (r) => r.abort());
  await page.goto(`${url}taskpane.html${search}`);
  await page.getByText("Running outside Excel on a sample workbook (dietox)").waitFor({ timeout: 15_000 });
  return page;
}

/** axe-core's serious and critical violations in the page as it is. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  return found;
}

async function expectAxeClean(page: Page, state: string): Promise<void> {
  expect({ state, violations: await axeViolations(page) }).toEqual({ state, violations: [] });
}

/** Elements that scroll sideways (their content wider than their box, and scrollable), and the page itself. */
async function sidewaysScrollers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`page ${doc.scrollWidth} > ${doc.clientWidth}`);
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const style = getComputedStyle(el);
      if (!/(auto|scroll)/.test(style.overflowX)) continue;
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return out;
  });
}

async function shot(page: Page, width: number, name: string, fullPage = true): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // a full-page screenshot resizes the viewport; a Fluent dropdown that has the focus then
  // scrolls itself into view on the next mouse press, moving what was pressed: blur it first
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(OUT, `taskpane-${width}-${name}.png`), fullPage });
}

const formulaBox = (page: Page) => page.getByRole("textbox", { name: "Formula" });
const fitButton = (page: Page) => page.getByRole("button", { name: "Fit", exact: true });
const staleNote = (page: Page) => page.getByText("Results out of date: Fit again");

async function chooseGroups(page: Page, column: string): Promise<void> {
  await page.getByRole("combobox", { name: "Groups", exact: true }).click();
  await page.getByRole("option", { name: column === "" ? /^\(none/ : new RegExp(`^${column}( |$)`) }).click();
}

async function fitAndWait(page: Page): Promise<void> {
  await fitButton(page).click();
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Fit"); // focus stays on Fit
  await page.getByRole("status").filter({ hasText: /^Fitted by/ }).waitFor({ timeout: 60_000 });
}

async function typedFormulaSurvives(page: Page, width: number): Promise<void> {
  const typed = "np.log(Weight) ~ Time + I(Time**2)";
  await formulaBox(page).fill(typed);
  await page.getByText("The formula reads well.").waitFor();
  const same = async (what: string) => expect({ what, formula: await formulaBox(page).inputValue() }).toEqual({ what, formula: typed });
  await page.getByRole("radio", { name: "ML", exact: true }).check();
  await same("ML");
  await page.getByRole("radio", { name: "REML", exact: true }).check();
  await same("REML");
  await chooseGroups(page, "Pig");
  await same("groups");
  await page.getByRole("switch", { name: "Random intercept per group" }).click();
  await same("random intercept off");
  await page.getByRole("switch", { name: "Random intercept per group" }).click();
  await page.getByRole("combobox", { name: "Random slopes per group" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Time", exact: true }).click();
  await page.keyboard.press("Escape");
  await same("slope");
  await page.getByRole("textbox", { name: "Variance component name" }).fill("litter");
  await page.getByRole("combobox", { name: "Variance component column" }).click();
  await page.getByRole("option", { name: "Litter", exact: true }).click();
  await page.getByRole("group", { name: "Variance components within groups" }).getByRole("button", { name: "Add" }).click();
  await page.getByText("litter: 0 + C(Litter)").waitFor();
  await page.getByRole("switch", { name: "Random intercept per group" }).isChecked().then((on) => expect(on).toBe(true));
  await same("variance component");
  await page.getByRole("checkbox", { name: /Treat Litter as categorical/ }).check();
  await same("Litter marked categorical");
  await page.getByRole("button", { name: "Use selection" }).click();
  await same("data read again");
  // the term controls change their term only
  const fixed = page.getByRole("group", { name: "Fixed effects" });
  await expect(fixed.getByRole("checkbox", { name: "Pig", exact: true }).count()).resolves.toBe(0); // the groups column is no fixed effect
  await fixed.getByRole("checkbox", { name: "Cu", exact: true }).check();
  await expect(formulaBox(page).inputValue()).resolves.toBe(`${typed} + Cu`);
  await fixed.getByRole("checkbox", { name: "Litter", exact: true }).check();
  await expect(formulaBox(page).inputValue()).resolves.toBe(`${typed} + Cu + C(Litter)`);
  await fixed.getByRole("checkbox", { name: "Cu", exact: true }).uncheck();
  await fixed.getByRole("checkbox", { name: "Litter", exact: true }).uncheck();
  await same("terms added and removed");
  await page.getByText("Also in the formula (custom):").waitFor();
  await page.getByRole("combobox", { name: "Response", exact: true }).click();
  await page.getByRole("option", { name: "Weight", exact: true }).click();
  await expect(formulaBox(page).inputValue()).resolves.toBe("Weight ~ Time + I(Time**2)");
  // a conflict is shown while typing, with both ways out; taking one keeps the rest as typed
  await formulaBox(page).fill("Weight ~ Time + I(Time**2) + (1 | Pig)");
  await page.getByText(/has the lme4 term \(1 \| Pig\) and the groups column Pig is chosen/).waitFor();
  await expect(fitButton(page).getAttribute("aria-disabled")).resolves.toBe("true");
  await shot(page, width, "1-conflict");
  await expectAxeClean(page, `${width}px: a conflict`);
  await page.getByRole("button", { name: "Remove (1 | Pig)", exact: true }).click();
  await expect(formulaBox(page).inputValue()).resolves.toBe("Weight ~ Time + I(Time**2)");
  await page.getByRole("button", { name: "Remove variance component litter" }).click();
  await page.getByRole("combobox", { name: "Random slopes per group" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Time", exact: true }).click();
  await page.keyboard.press("Escape");
}

async function staleAfterChanges(page: Page, width: number): Promise<void> {
  const create = page.getByRole("button", { name: "Create summary sheet" });
  await expect(staleNote(page).count()).resolves.toBe(0);
  await expect(create.getAttribute("aria-disabled")).resolves.not.toBe("true");
  // formula
  const formula = await formulaBox(page).inputValue();
  await formulaBox(page).fill(`${formula} + Feed`);
  await staleNote(page).waitFor();
  await page.getByText(/the formula changed since/).waitFor();
  await expect(create.getAttribute("aria-disabled")).resolves.toBe("true");
  await shot(page, width, "3-stale");
  await expectAxeClean(page, `${width}px: results out of date`);
  await formulaBox(page).fill(formula);
  await staleNote(page).waitFor({ state: "detached" });
  // method
  await page.getByRole("radio", { name: "ML", exact: true }).check();
  await page.getByText(/the method changed since/).waitFor();
  await page.getByRole("radio", { name: "REML", exact: true }).check();
  await staleNote(page).waitFor({ state: "detached" });
  // data: select part of the data in the sheet (the preview's Name Box), read it
  await page.getByRole("group", { name: "Sheets" }).getByRole("button", { name: "Sheet1", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox", { name: "Name Box" }).fill("A1:H400");
  await dialog.getByRole("button", { name: "Select range" }).click();
  await dialog.getByText("Selected A1:H400").waitFor();
  await shot(page, width, "4-name-box", false);
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H400", { exact: true }).waitFor();
  await page.getByText(/the data changed since/).waitFor();
  await expect(create.getAttribute("aria-disabled")).resolves.toBe("true");
  // back to all of it: the results are current again
  await page.getByRole("group", { name: "Sheets" }).getByRole("button", { name: "Sheet1", exact: true }).click();
  await dialog.getByRole("textbox", { name: "Name Box" }).fill("A1");
  await dialog.getByRole("button", { name: "Select range" }).click();
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862", { exact: true }).waitFor();
  await staleNote(page).waitFor({ state: "detached" });
}

async function plotsAreThere(page: Page): Promise<void> {
  for (const name of ["Residuals against fitted values", "Normal Q-Q plot of the residuals", "Predicted random effects"]) {
    await expect(page.getByRole("img", { name, exact: true }).count()).resolves.toBe(1);
  }
  // focus a plot, step through its points with the keyboard: the readout names the row
  const plot = page.getByRole("group", { name: /^Residuals against fitted values: arrow keys/ });
  await plot.focus();
  await page.keyboard.press("ArrowRight");
  await page.getByText(/^Row \d+: fitted [\d.]+, residual [−\d.]+$/).waitFor();
  // hover a caterpillar point: its pig and interval
  const cat = page.getByRole("img", { name: "Predicted random effects", exact: true });
  await cat.scrollIntoViewIfNeeded();
  const box = (await cat.boundingBox())!;
  const dot = await cat.locator("circle").nth(36).boundingBox();
  await page.mouse.move(dot!.x + dot!.width / 2, dot!.y + dot!.height / 2);
  await page.getByText(/^Pig \d+: [−\d.]+, 95% interval [−\d.]+ to [−\d.]+$/).waitFor();
  expect(box.width).toBeGreaterThan(150);
}

async function summarySheetInPreview(page: Page, width: number): Promise<void> {
  await formulaBox(page).fill("Weight ~ Time");
  await chooseGroups(page, "Pig");
  await fitAndWait(page);
  await page.getByRole("button", { name: "Create summary sheet" }).click();
  await page.getByText(/to the new sheet "MixedLM Summary( \(\d\))?"/).waitFor();
  const name = (await page.getByText(/to the new sheet "MixedLM Summary/).textContent())!.match(/"(MixedLM Summary[^"]*)"/)![1];
  await page.getByRole("group", { name: "Sheets" }).getByRole("button", { name, exact: true }).click();
  const dialog = page.getByRole("dialog");
  const cells = dialog.getByRole("table", { name, exact: true });
  await cells.getByText("15.724", { exact: true }).waitFor();
  await cells.getByText("Pig: (Intercept)", { exact: true }).waitFor();
  await cells.getByText("<0.001", { exact: true }).first().waitFor();
  for (const chart of ["Residuals vs fitted", "Normal Q-Q plot of standardized residuals", /^Random intercepts by Pig/]) {
    await expect(dialog.getByRole("img", { name: chart }).count()).resolves.toBe(1);
  }
  await shot(page, width, "5-summary-sheet", false); // a dialog over the pane: the window, not the page
  await expectAxeClean(page, `${width}px: the summary sheet in the preview`);
  await dialog.getByRole("button", { name: "Close" }).click();
}

async function journey(width: number): Promise<void> {
  const t0 = Date.now();
  const page = await openPane(width);
  await expectAxeClean(page, `${width}px: start`);
  await expect(fitButton(page).getAttribute("aria-disabled")).resolves.toBe("true");
  await page.getByText("Read the data first: select them in the sheet and press Use selection.").waitFor();

  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862", { exact: true }).waitFor();
  await page.getByRole("table", { name: "Columns" }).getByRole("row", { name: /Feed numeric 72/ }).waitFor();
  await typedFormulaSurvives(page, width);

  await formulaBox(page).fill("Weight ~ Time * C(Evit) * C(Cu) + (1 | Pig)");
  await chooseGroups(page, "");
  await shot(page, width, "2-model");
  await fitAndWait(page);
  // an lme4-style model: t tests with Satterthwaite's df first, as lmerTest prints them
  const coef = page.getByRole("table", { name: "Coefficients (t tests with Satterthwaite's df)" });
  await coef.waitFor({ timeout: 30_000 });
  await expect(coef.getByRole("row").count()).resolves.toBe(19);
  await coef.getByRole("row", { name: /^Time 7\.038 0\.106 \d+\.\d <0\.001$/ }).waitFor();
  await page.getByRole("switch", { name: "Show t and 95% intervals" }).check();
  await coef.getByText(/^t 66\.\d\d · 95% CI/).waitFor();
  await page.getByRole("table", { name: /^Type III Analysis of Variance Table/ }).getByRole("row", { name: /^Time:C\(Evit\):C\(Cu\) / }).waitFor();
  await expect(sidewaysScrollers(page)).resolves.toEqual([]);
  await shot(page, width, "2-results");
  await expectAxeClean(page, `${width}px: 18 coefficients with intervals`);
  await plotsAreThere(page);
  await staleAfterChanges(page, width);
  await summarySheetInPreview(page, width);
  expect(await sidewaysScrollers(page)).toEqual([]);
  await shot(page, width, "6-end");
  expect(consoleErrors).toEqual([]);
  // eslint-disable-next-line no-console
  console.log(`task pane journey at ${width} px: ${Date.now() - t0} ms`);
  await page.close();
}

for (const width of [320, 350, 500]) {
  test(`a statistician's journey at ${width} px`, () => journey(width));
}

// lmerTest's and lme4's numbers for Weight ~ Time + (Time | Pig) (../shared/reference/inference, copied)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const RS: any = JSON.parse(readFileSync(join(ROOT, "test/fixtures/inference/shared/dietox_rs.json"), "utf8"));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The pane's numbers in a row's accessible name, in order (the true minus sign read as "-"). */
const numbersIn = (text: string) => (text.replace(/\u2212/g, "-").match(/-?\d+\.\d+/g) ?? []).map(Number);

async function testsAndAnova(page: Page): Promise<void> {
  const coef = page.getByRole("table", { name: "Coefficients (t tests with Satterthwaite's df)" });
  await coef.waitFor({ timeout: 30_000 });
  await expect(page.getByRole("combobox", { name: "Tests" }).inputValue()).resolves.toBe("satterthwaite");
  const t = RS.satterthwaite[1];
  await coef.getByRole("row", { name: new RegExp(`^Time ${esc(t.Estimate.toFixed(3))} ${esc(t["Std. Error"].toFixed(3))} ${esc(t.df.toFixed(1))} <0\\.001$`) }).waitFor();
  const a = RS.anova.type3_Satterthwaite[0];
  const anova = page.getByRole("table", { name: "Type III Analysis of Variance Table with Satterthwaite's method" });
  await anova.getByRole("row", { name: `Time ${a["F value"].toFixed(1)} 1, ${a.DenDF.toFixed(1)} <0.001` }).waitFor();
  // Kenward-Roger, then back
  await page.getByRole("combobox", { name: "Tests" }).selectOption("kenward-roger");
  await page.getByRole("table", { name: "Coefficients (t tests with Kenward-Roger's df)" }).getByRole("row", { name: new RegExp(`^Time .* ${esc(RS.kenward_roger[1].df.toFixed(1))} <0\\.001$`) }).waitFor();
  await page.getByRole("table", { name: "Type III Analysis of Variance Table with Kenward-Roger's method" }).waitFor();
  await page.getByRole("combobox", { name: "Tests" }).selectOption("satterthwaite");
  await anova.waitFor();
}

async function compareWithoutSlope(page: Page): Promise<void> {
  const card = page.getByRole("region", { name: "Compare with a simpler model" });
  await card.getByRole("combobox", { name: "Simpler model" }).selectOption({ label: "Without the random slope Time (Pig)" });
  await card.getByText("Weight ~ Time + (1 | Pig)", { exact: true }).waitFor();
  await card.getByText(/tests a variance against zero/).waitFor();
  await card.getByRole("button", { name: "Compare", exact: true }).click();
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Compare"); // focus stays
  const lrt = card.getByRole("table", { name: "Likelihood-ratio test" });
  await lrt.waitFor({ timeout: 30_000 });
  const m2 = RS.lrt[1];
  // lme4's χ² (refitted by ML), to the two decimals shown
  await lrt.getByRole("row", { name: `m2 6 ${m2.AIC.toFixed(1)} ${m2.Chisq.toFixed(2)} 2 <0.001` }).waitFor();
  await card.getByText("m1: Weight ~ Time + (1 | Pig)", { exact: true }).waitFor();
  await card.getByText("Models refitted by ML (instead of REML) for the comparison.").waitFor();
  await page.getByRole("status").filter({ hasText: `Likelihood-ratio test: chi-square ${m2.Chisq.toFixed(2)} on 2 df, p below 0.001.` }).waitFor();
}

async function bootstrapCancelled(page: Page, width: number): Promise<void> {
  const card = page.getByRole("region", { name: "Confidence intervals" });
  await card.getByRole("radio", { name: "Bootstrap" }).check();
  await card.getByRole("spinbutton", { name: "Simulations" }).fill("100000");
  await card.getByRole("spinbutton", { name: "Seed" }).fill("1");
  const started = page.waitForEvent("worker"); // the bootstrap's own worker
  await card.getByRole("button", { name: "Compute intervals" }).click();
  const worker = await started;
  const ended = new Promise<void>((resolve) => worker.on("close", () => resolve()));
  const bar = card.getByRole("progressbar", { name: "Bootstrap" });
  await card.getByText(/^[\d,]+ of 100,000 simulations$/).waitFor({ timeout: 30_000 });
  const before = Number(await bar.getAttribute("aria-valuenow"));
  // the pane answers while the bootstrap runs: each click's latency, from its input event to the
  // first frame after its handlers (as runtime.e2e.test.ts measures it), and the switch turns
  await page.evaluate(() => {
    const latencies: number[] = [];
    (window as unknown as { __latencies: number[] }).__latencies = latencies;
    document.addEventListener("click", (e) => {
      const t0 = e.timeStamp;
      requestAnimationFrame(() => setTimeout(() => latencies.push(performance.now() - t0), 0));
    }, true);
  });
  const details = page.getByRole("switch", { name: "Show t and 95% intervals" });
  for (let i = 0; i < 6; i++) {
    await details.click();
    await page.waitForTimeout(150);
  }
  await details.click();
  await page.getByText(/^t 86\.\d\d · 95% CI/).waitFor();
  const latencies = await page.evaluate(() => (window as unknown as { __latencies: number[] }).__latencies);
  expect(latencies.length).toBe(7);
  for (const l of latencies) expect(l).toBeLessThan(100);
  for (let waited = 0; Number(await bar.getAttribute("aria-valuenow")) <= before; waited += 100) {
    if (waited > 20_000) throw new Error("the bootstrap's progress bar did not move");
    await page.waitForTimeout(100);
  }
  await shot(page, width, "8-bootstrap-running");
  await expectAxeClean(page, `${width}px: a bootstrap under way`);
  const progressText = await card.getByText(/ of 100,000 simulations$/).textContent();
  await card.getByRole("button", { name: "Cancel" }).click();
  await card.getByText("Cancelled", { exact: true }).waitFor();
  await expect(bar.count()).resolves.toBe(0); // the bar is gone, not frozen under way
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Compute intervals");
  await ended; // Cancel ended the worker: the work really stopped
  const stopped = Number((await card.getByText(/Stopped after [\d,]+ of/).textContent())!.match(/after ([\d,]+)/)![1].replace(/,/g, ""));
  expect(stopped).toBeGreaterThanOrEqual(Number(progressText!.split(" ")[0].replace(/,/g, "")));
  expect(stopped).toBeLessThan(100_000);
  await page.getByRole("switch", { name: "Show t and 95% intervals" }).click();
  // eslint-disable-next-line no-console
  console.log(`${width} px: click latencies during the bootstrap (ms) ${latencies.map((x) => x.toFixed(0)).join(" ")}; cancelled after ${stopped} simulations`);
}

async function profileIntervals(page: Page): Promise<void> {
  const card = page.getByRole("region", { name: "Confidence intervals" });
  await card.getByRole("radio", { name: "Profile" }).check();
  await card.getByRole("button", { name: "Compute intervals" }).click();
  const table = card.getByRole("table", { name: "Profile likelihood intervals, 95% (ML criterion)" });
  await table.waitFor({ timeout: 60_000 });
  // lme4's profile bounds, within 5e-3 of each interval's width (2e-2 for the correlation) and the three decimals shown
  for (const r of RS.confint_profile as { name: string; "2.5 %": number; "97.5 %": number }[]) {
    const name = r.name === "(Intercept)" ? "Intercept" : r.name;
    const cells = await table.getByRole("row", { name: new RegExp(`^${esc(name)} `) }).getByRole("cell").allTextContents();
    const [, low, high] = cells.map((c) => numbersIn(c)[0]);
    const tol = (name.startsWith("cor_") ? 2e-2 : 5e-3) * (r["97.5 %"] - r["2.5 %"]) + 5e-4;
    expect({ name, low: Math.abs(low - r["2.5 %"]) < tol, high: Math.abs(high - r["97.5 %"]) < tol }).toEqual({ name, low: true, high: true });
  }
  await card.getByText(/Profiled on the ML deviance/).waitFor();
}

async function staleInference(page: Page): Promise<void> {
  const formula = await formulaBox(page).inputValue();
  await formulaBox(page).fill(`${formula} + Feed`);
  await staleNote(page).waitFor();
  for (const name of ["Compare", "Compute intervals"]) await expect(page.getByRole("button", { name, exact: true }).getAttribute("aria-disabled")).resolves.toBe("true");
  await expect(page.getByRole("combobox", { name: "Tests" }).isDisabled()).resolves.toBe(true);
  await page.getByRole("region", { name: "Confidence intervals" }).getByText(/^Fit the model as it now stands first/).waitFor();
  await formulaBox(page).fill(formula);
  await staleNote(page).waitFor({ state: "detached" });
  await expect(page.getByRole("button", { name: "Compare", exact: true }).getAttribute("aria-disabled")).resolves.not.toBe("true");
}

async function inferenceInSummarySheet(page: Page, width: number): Promise<void> {
  await page.getByRole("button", { name: "Create summary sheet" }).click();
  const done = page.getByText(/with the t tests, the ANOVA table, the intervals and the model comparison\) and three charts to the new sheet "MixedLM Summary/);
  await done.waitFor();
  const name = (await done.textContent())!.match(/"(MixedLM Summary[^"]*)"/)![1];
  await page.getByRole("group", { name: "Sheets" }).getByRole("button", { name, exact: true }).click();
  const dialog = page.getByRole("dialog");
  const cells = dialog.getByRole("table", { name, exact: true });
  await cells.getByText("Fixed effects (t tests use Satterthwaite's method)", { exact: true }).waitFor();
  await cells.getByText("Type III Analysis of Variance Table with Satterthwaite's method", { exact: true }).waitFor();
  await cells.getByText("Confidence intervals: profile likelihood, level 0.95, ML criterion", { exact: true }).waitFor();
  // the comparison stands below the charts: scroll the grid to it
  await dialog.getByRole("region", { name: `Cells of ${name}` }).evaluate((el) => { el.scrollTop = 30 * 20; });
  await cells.getByText("Likelihood-ratio tests (lme4's anova): models refitted by ML, 861 observations", { exact: true }).waitFor();
  await cells.getByText(RS.lrt[1].Chisq.toFixed(4), { exact: true }).waitFor();
  await shot(page, width, "9-summary-inference", false);
  await page.setViewportSize({ width: 1400, height: 900 });
  await dialog.getByRole("region", { name: `Cells of ${name}` }).evaluate((el) => { el.scrollTop = 12 * 20; });
  await page.waitForTimeout(300); // the charts measure their boxes
  await shot(page, 1400, `summary-inference-from-${width}`, false);
  await expectAxeClean(page, `${width}px: the summary sheet with the inference tables`);
  await page.setViewportSize({ width, height: 900 });
  await dialog.getByRole("button", { name: "Close" }).click();
}

async function inferenceJourney(width: number): Promise<void> {
  const t0 = Date.now();
  const page = await openPane(width);
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862", { exact: true }).waitFor();
  await formulaBox(page).fill("Weight ~ Time + (Time | Pig)");
  await fitAndWait(page);
  await testsAndAnova(page);
  await compareWithoutSlope(page);
  await bootstrapCancelled(page, width);
  await profileIntervals(page);
  await shot(page, width, "7-inference");
  if (width === 350) {
    // the README's picture of the inference: the comparison and the intervals
    const top = await page.getByRole("region", { name: "Compare with a simpler model" }).evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    const bottom = await page.getByRole("region", { name: "Confidence intervals" }).evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
    const clip = { x: 0, y: top - 12, width, height: bottom - top + 24 };
    await page.screenshot({ path: join(OUT, "readme-taskpane-inference.png"), fullPage: true, clip });
    if (DOCS) await page.screenshot({ path: join(DOCS, "taskpane-inference.png"), fullPage: true, clip });
  }
  await expectAxeClean(page, `${width}px: tests, ANOVA, comparison, intervals`);
  await expect(sidewaysScrollers(page)).resolves.toEqual([]);
  await staleInference(page);
  await inferenceInSummarySheet(page, width);
  expect(consoleErrors).toEqual([]);
  // eslint-disable-next-line no-console
  console.log(`inference journey at ${width} px: ${Date.now() - t0} ms`);
  await page.close();
}

for (const width of [320, 350]) {
  test(`inference at ${width} px: df, ANOVA, a simpler model, intervals, a bootstrap cancelled, the summary sheet`, () => inferenceJourney(width));
}

test("errors: the engine's message, cleared when its cause changes; a long formula quoted as a short window; dark theme", async () => {
  const page = await openPane(350, "?theme=dark");
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862", { exact: true }).waitFor();
  await chooseGroups(page, "Pig");
  await formulaBox(page).fill("Weight ~ Tme");
  await fitButton(page).click();
  await page.getByText("The model could not be fitted").waitFor({ timeout: 30_000 });
  await page.getByText(/Tme/).first().waitFor();
  await expectAxeClean(page, "350px dark: a fit error");
  await formulaBox(page).fill("Weight ~ Time +");
  await page.getByText("The model could not be fitted").waitFor({ state: "detached" });
  await page.getByText(/Expected a term after '\+'.*position 15/).waitFor();
  const long = `Weight ~ ${Array.from({ length: 700 }, (_, i) => `Time${i}`).join(" + ")} +`;
  expect(long.length).toBeGreaterThan(5000);
  await formulaBox(page).fill(long);
  const message = page.getByText(/Expected a term after '\+'/);
  await message.waitFor();
  expect(((await message.textContent()) ?? "").length).toBeLessThan(250);
  await expect(page.getByRole("button", { name: "Create summary sheet" }).count()).resolves.toBe(0);
  await shot(page, 350, "dark-errors");
  expect(consoleErrors).toEqual([]);
  await page.close();
});

test("README pictures: the pane at 350 px with results and plots, a summary sheet in the preview", async () => {
  const page = await openPane(350);
  await page.getByRole("button", { name: "Use selection" }).click();
  await page.getByText("Sheet1!A1:H862", { exact: true }).waitFor();
  await page.getByRole("combobox", { name: "Response", exact: true }).click();
  await page.getByRole("option", { name: "Weight", exact: true }).click();
  await page.getByRole("group", { name: "Fixed effects" }).getByRole("checkbox", { name: "Time", exact: true }).check();
  await chooseGroups(page, "Pig");
  await page.getByRole("combobox", { name: "Random slopes per group" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Time", exact: true }).click();
  await page.keyboard.press("Escape");
  await expect(formulaBox(page).inputValue()).resolves.toBe("Weight ~ Time");
  await fitAndWait(page);
  await page.getByText("Pig: (Intercept) × Time").waitFor();
  // a statsmodels-style model: z tests (as statsmodels prints), the ANOVA with Satterthwaite's df
  await page.getByRole("table", { name: "Coefficients (z tests)" }).waitFor();
  await page.getByRole("table", { name: "Type III Analysis of Variance Table with Satterthwaite's method" }).waitFor();
  const results = page.getByRole("region", { name: "Results" });
  const plots = page.getByRole("region", { name: "Plots" });
  // page coordinates (a full-page clip is in those, not in the viewport's)
  const top = await results.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
  const bottom = await plots.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
  const clip = { x: 0, y: top - 12, width: 350, height: bottom - top + 24 };
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, "readme-taskpane.png"), fullPage: true, clip });
  if (DOCS) await page.screenshot({ path: join(DOCS, "taskpane.png"), fullPage: true, clip });
  await page.getByRole("button", { name: "Create summary sheet" }).click();
  await page.getByRole("button", { name: "MixedLM Summary", exact: true }).click();
  await page.setViewportSize({ width: 1720, height: 900 });
  await page.getByRole("dialog").getByText("Pig: (Intercept) × Time (covariance)").waitFor();
  await page.waitForTimeout(300); // the charts measure their boxes
  await page.screenshot({ path: join(OUT, "readme-summary-sheet.png") });
  if (DOCS) await page.screenshot({ path: join(DOCS, "summary-sheet.png") });
  expect(consoleErrors).toEqual([]);
  await page.close();
});
