/**
 * The pane's inference cards and the workbook card as they render (react-dom/server, static
 * markup): what each state shows, and the names and links that assistive technology reads. The
 * e2e journeys (test/e2e) drive them in Chromium; these cover states a journey does not reach.
 */
import { renderToStaticMarkup } from "react-dom/server";
import type { ReactElement } from "react";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import type { ConfintResult } from "../../src/engine";
import { CoefficientsTable } from "../../src/taskpane/components/CoefficientsTable";
import { CompareCard } from "../../src/taskpane/components/CompareCard";
import { IntervalsCard } from "../../src/taskpane/components/IntervalsCard";
import { WorkbookCard } from "../../src/taskpane/components/WorkbookCard";

const html = (el: ReactElement) => renderToStaticMarkup(<FluentProvider theme={webLightTheme}>{el}</FluentProvider>);
const none = () => {};
/** The markup's text, as read: no styles, no tags, entities decoded, spaces collapsed. */
const text = (markup: string) =>
  markup.replace(/<style[^>]*>[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");

test("Insert formula: the warning that the formula's data are over Excel's 5 MB, beside the button and in its description", () => {
  const warning = "The data are 6.1 MB as Excel sends them to a function, more than its 5.0 MB limit.";
  const card = html(<WorkbookCard sheetFormula="=MIXEDLM.FIT(A1:C120001, &quot;y ~ x&quot;)" sheetFormulaWarning={warning} model="y ~ x, REML" stale={false} busy="" notice={null} onCreateSheet={none} onInsertFormula={none} />);
  expect(text(card)).toContain(`This formula may not calculate in Excel ${warning}`);
  expect(card).toMatch(/<button[^>]*aria-describedby="workbook-model formula-warning"[^>]*>Insert formula<\/button>/);
  expect(card).toMatch(/id="formula-warning"/);
  // out of date: no formula, no warning about it
  const stale = html(<WorkbookCard sheetFormula="=X()" sheetFormulaWarning={warning} model="m" stale busy="" notice={null} onCreateSheet={none} onInsertFormula={none} />);
  expect(stale).not.toContain(warning);
  const small = html(<WorkbookCard sheetFormula="=X()" model="m" stale={false} busy="" notice={null} onCreateSheet={none} onInsertFormula={none} />);
  expect(small).not.toContain("may not calculate");
});

test("coefficients: a df column with t tests, none with z tests", () => {
  const coef = [["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"], ["Time", 6.939, 0.0798, 86.9, 0, 6.78, 7.09]];
  const tests = { status: "done" as const, token: 1, result: { ddf: "satterthwaite" as const, title: "", rows: [{ name: "Time", coef: 6.939, stdErr: 0.0798, z: 86.93, p: 1e-70, ciLow: 6.78, ciHigh: 7.1, df: 71.0652 }] } };
  const t = text(html(<CoefficientsTable coef={coef} ddf="satterthwaite" tests={tests} onDdf={none} locked={null} />));
  expect(t).toContain("Coefficients (t tests with Satterthwaite's df)");
  expect(t).toMatch(/Term Estimate SE df p Time 6\.939 0\.080 71\.1 <0\.001/);
  const z = text(html(<CoefficientsTable coef={coef} ddf="z" tests={{ status: "idle" }} onDdf={none} locked={null} />));
  expect(z).toMatch(/Coefficients \(z tests\) .*Term Estimate SE p Time 6\.939 0\.080 <0\.001/);
  // a method that failed: its message, and the z tests meanwhile
  const failed = text(html(<CoefficientsTable coef={coef} ddf="kenward-roger" tests={{ status: "failed", token: 2, error: "Kenward-Roger needs a REML fit." }} onDdf={none} locked={null} />));
  expect(failed).toContain("Kenward-Roger needs a REML fit. The table shows z tests.");
  expect(failed).toContain("Coefficients (z tests)");
});

test("intervals: a labelled progress bar and Cancel while a bootstrap runs; Wald's table says what it leaves out", () => {
  const running = html(<IntervalsCard job={{ status: "running", token: 1, progress: { done: 250, total: 1000 } }} locked={null} stale={false} onCompute={none} onCancel={none} />);
  const bar = /<div[^>]*role="progressbar"[^>]*>/.exec(running)![0];
  expect(bar).toMatch(/aria-valuenow="0.25"/);
  const labelledBy = /aria-labelledby="([^"]+)"/.exec(bar)![1];
  expect(running).toMatch(new RegExp(`<label[^>]*id="${labelledBy}"[^>]*>Bootstrap</label>`));
  expect(text(running)).toContain("250 of 1,000 simulations");
  expect(running).toMatch(/<button[^>]*>Cancel<\/button>/);
  const wald: ConfintResult = { method: "wald", level: 0.9, notes: [], rows: [{ name: "sd_(Intercept)|Pig", estimate: 4.4, low: null, high: null }, { name: "Time", estimate: 6.939, low: 6.807, high: 7.071 }] };
  const done = text(html(<IntervalsCard job={{ status: "done", token: 2, result: wald }} locked={null} stale={false} onCompute={none} onCancel={none} />));
  expect(done).toContain("Wald intervals, 90%");
  expect(done).toContain("Parameter Estimate 5 % 95 % Time 6.939 6.807 7.071");
  expect(done).not.toContain("sd_(Intercept)|Pig");
  expect(done).toContain("Wald intervals cover the fixed effects only");
  const locked = html(<IntervalsCard job={{ status: "idle" }} locked="Fit the model as it now stands first." stale onCompute={none} onCancel={none} />);
  expect(locked).toMatch(/<button[^>]*aria-disabled="true"[^>]*aria-describedby="intervals-why"|<button[^>]*aria-describedby="intervals-why"[^>]*aria-disabled="true"/);
  expect(locked).not.toContain(">Cancel<");
});

test("compare: the simpler models read from the fitted formula, the first chosen, and the boundary caution", () => {
  const card = html(<CompareCard spec={{ formula: "Weight ~ Time + (Time | Pig)" }} columns={["Weight", "Time", "Pig"]} job={{ status: "idle" }} locked={null} stale={false} onCompare={none} />);
  const options = [...card.matchAll(/<option[^>]*>([^<]*)<\/option>/g)].map((m) => m[1]);
  expect(options).toEqual(["Without Time", "Without the random slope Time (Pig)", "Without the random intercept (Pig)", "Without the correlation in (Time | Pig)", "Type a formula…"]);
  expect(text(card)).toContain("Weight ~ 1 + (Time | Pig)");
  expect(text(card)).toContain("Refit both models by ML (as lme4's anova)");
});
