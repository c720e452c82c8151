/** The summary sheet's layout (pure), the A1 helpers and the MIXEDLM.FIT formula. */
import { readFileSync } from "fs";
import { join } from "path";
import { anovaOf, compareModels, confint, DataTable, dfTests, fitMixedModel, fitModel, normalQuantile, withDfTests } from "../../src/engine";
import type { ModelSpec } from "../../src/engine";
import { absoluteAddress, cellAddress, columnIndex, columnLetters, parseAddress, uniqueSheetName } from "../../src/office/a1";
import { excelString, fitFormula, optionsText } from "../../src/office/fitFormula";
import { LayoutBlock, P_FORMAT, plottingPosition, summaryLayout, SummaryLayout, thinIndices } from "../../src/office/layout";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import { FIXTURES } from "../helpers";

const spec: ModelSpec = { formula: "Weight ~ Time", groups: "Pig" };
const result = fitMixedModel(DataTable.fromRows(SAMPLE_ROWS), spec, { conditionalVariances: true });
const layout = summaryLayout(result, spec, "Sheet1!A1:H862");

/** The cells of a layout at an A1 rectangle (throws when a cell is not in any block). */
function cellsAt(l: SummaryLayout, a1: string): unknown[][] {
  const p = parseAddress(a1)!;
  const at = (r: number, c: number) => {
    const b = l.blocks.find((x) => r >= x.row && r < x.row + x.values.length && c >= x.col && c < x.col + x.values[0].length);
    if (!b) throw new Error(`${cellAddress(r, c)} is in no block`);
    return b.values[r - b.row][c - b.col];
  };
  return Array.from({ length: p.rows }, (_, i) => Array.from({ length: p.cols }, (_, j) => at(p.row + i, p.col + j)));
}
const column = (l: SummaryLayout, a1: string) => cellsAt(l, a1).map((r) => r[0] as number);
const blockOf = (l: SummaryLayout, id: string) => l.blocks.find((b) => b.id === id) as LayoutBlock;

describe("A1 helpers", () => {
  test("column letters both ways", () => {
    for (const [i, s] of [[0, "A"], [25, "Z"], [26, "AA"], [51, "AZ"], [52, "BA"], [701, "ZZ"], [702, "AAA"], [16383, "XFD"]] as const) {
      expect(columnLetters(i)).toBe(s);
      expect(columnIndex(s)).toBe(i);
    }
    expect(cellAddress(0, 0)).toBe("A1");
    expect(cellAddress(1, 17, 862, 4)).toBe("R2:U863");
  });
  test("addresses parse, with quoted sheet names", () => {
    expect(parseAddress("Sheet1!A1:H862")).toEqual({ sheet: "Sheet1", row: 0, col: 0, rows: 862, cols: 8 });
    expect(parseAddress("'My ''data'''!$B$2")).toEqual({ sheet: "My 'data'", row: 1, col: 1, rows: 1, cols: 1 });
    expect(parseAddress("not an address")).toBeNull();
    expect(absoluteAddress("Sheet1!A1:H862")).toBe("Sheet1!$A$1:$H$862");
    expect(absoluteAddress("'Pig data'!A1:H862")).toBe("'Pig data'!$A$1:$H$862");
    expect(absoluteAddress("C3")).toBe("$C$3");
  });
  test("sheet names: the first free one, compared without case", () => {
    expect(uniqueSheetName(["Sheet1"])).toBe("MixedLM Summary");
    expect(uniqueSheetName(["Sheet1", "MixedLM Summary"])).toBe("MixedLM Summary (2)");
    expect(uniqueSheetName(["mixedlm summary", "MIXEDLM SUMMARY (2)"])).toBe("MixedLM Summary (3)");
  });
});

describe("MIXEDLM.FIT formula", () => {
  test("data, formula, groups; trailing empty arguments left out", () => {
    expect(fitFormula("Sheet1!A1:H862", spec)).toBe('=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig")');
    expect(fitFormula("Sheet1!A1:H862", { formula: "Weight ~ Time + (Time | Pig)" })).toBe('=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time + (Time | Pig)")');
    expect(fitFormula("Sheet1!A1:H862", { formula: "Weight ~ Time + (1 | Pig)", method: "ML" })).toBe('=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time + (1 | Pig)", "", "method=ML")');
  });
  test("options text and quotes doubled", () => {
    const s: ModelSpec = { formula: 'y ~ Q("a b")', groups: "g", method: "ML", reFormula: "~Time", vcFormula: { cask: "0 + C(cask)", day: "0 + C(day)" } };
    expect(optionsText(s)).toBe("method=ML; re_formula=~Time; vc=cask:0 + C(cask); vc=day:0 + C(day)");
    expect(excelString('Q("a b")')).toBe('"Q(""a b"")"');
    expect(fitFormula("A1:C9", s)).toBe('=MIXEDLM.FIT($A$1:$C$9, "y ~ Q(""a b"")", "g", "method=ML; re_formula=~Time; vc=cask:0 + C(cask); vc=day:0 + C(day)")');
    expect(optionsText({ formula: "y ~ x", method: "REML" })).toBe("");
  });
});

describe("summary layout", () => {
  test("blocks: specification, summary, coefficients, variance components, statistics, random effects, observations, chart data", () => {
    expect(layout.sheetBaseName).toBe("MixedLM Summary");
    expect(layout.blocks.map((b) => b.id)).toEqual(["title", "spec", "coef", "varcomp", "stats", "summary", "ranef", "observations", "qq", "qqLine", "caterpillar"]);
    for (const b of layout.blocks) {
      const w = b.values[0].length;
      expect(b.values.every((r) => r.length === w)).toBe(true);
      expect(b.formats.length).toBe(b.values.length);
      expect(b.formats.every((r) => r.length === w)).toBe(true);
      expect(b.address).toBe(cellAddress(b.row, b.col, b.values.length, w));
    }
    // left blocks one under another, with a blank row between, never overlapping
    const left = layout.blocks.filter((b) => b.col === 0);
    for (let i = 1; i < left.length; i++) expect(left[i].row).toBe(left[i - 1].row + left[i - 1].values.length + 1);
    const spec = blockOf(layout, "spec");
    expect(spec.values.slice(1, 8)).toEqual([
      ["Formula", "Weight ~ Time"], ["Groups", "Pig"], ["re_formula", "1 (random intercept)"], ["Variance components (vc)", ""],
      ["Method", "REML"], ["Data", "Sheet1!A1:H862"], ["Observations used", 861],
    ]);
    // counts are whole numbers on the sheet, not 861.0000
    expect(spec.formats[7][1]).toBe("0");
    expect(spec.formats[8]).toEqual(["@", "0"]);
    const stats = blockOf(layout, "stats");
    for (const label of ["Observations", "Rows dropped (missing values)", "Groups (Pig)", "Parameters (AIC df)"]) {
      const i = stats.values.findIndex((r) => r[0] === label);
      expect(stats.formats[i][1]).toBe("0");
    }
  });

  test("each table has a header row and a light banded look: an Excel table where one can hold it", () => {
    const looks = Object.fromEntries(layout.blocks.map((b) => [b.id, b.look]));
    for (const id of ["coef", "varcomp", "stats", "observations", "qq", "qqLine", "caterpillar"]) expect(looks[id]).toEqual({ headerRows: [1], excelTable: true });
    // a table's header names must be distinct and non-empty (Excel renames them otherwise)
    for (const b of layout.blocks.filter((x) => x.look?.excelTable)) {
      const header = b.values[b.look!.headerRows[0]].map(String);
      expect(new Set(header).size).toBe(header.length);
      expect(header.every((h) => h !== "")).toBe(true);
    }
    // the random effects of several grouping factors: sub-tables, drawn with fills
    const s2: ModelSpec = { formula: "Weight ~ Time + (1 | Pig) + (1 | Litter)" };
    const l2 = summaryLayout(fitMixedModel(DataTable.fromRows(SAMPLE_ROWS), s2), s2, "Sheet1!A1:H862");
    const ranef = blockOf(l2, "ranef");
    expect(ranef.look!.excelTable).toBe(false);
    expect(ranef.look!.headerRows.length).toBe(2);
    expect(looks.spec).toEqual({ headerRows: [], excelTable: false });
  });

  test("coefficients with 3 decimals, variances with 4; text kept as text; bold headers", () => {
    const coef = blockOf(layout, "coef");
    expect(coef.values[1]).toEqual(["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"]);
    expect(coef.values[2][0]).toBe("Intercept");
    expect(coef.values[2][1] as number).toBeCloseTo(15.7236, 3);
    expect(coef.formats[2]).toEqual(["@", "0.000", "0.000", "0.000", '[<0.001]"<0.001";0.000', "0.000", "0.000"]);
    expect(coef.boldRows).toEqual([0, 1]);
    const vc = blockOf(layout, "varcomp");
    expect(vc.values[1]).toEqual(["Random effect", "Variance", "Std.Dev.", "Corr.", "Std.Err. (statsmodels)"]);
    expect(vc.values[2][0]).toBe("Pig: (Intercept)");
    expect(vc.values[2][1] as number).toBeCloseTo(40.394, 2);
    expect(vc.formats[2][1]).toBe("0.0000");
    expect(vc.values[3].slice(0, 3)).toEqual(["Residual", result.scale, Math.sqrt(result.scale)]);
    const summary = blockOf(layout, "summary");
    const scaleRow = summary.values.findIndex((r) => r[3] === "Scale:");
    expect(summary.formats[scaleRow][4]).toBe("0.0000");
    const nRow = summary.values.findIndex((r) => r[0] === "No. Observations:");
    expect(summary.values[nRow][1]).toBe(861);
    expect(summary.formats[nRow][1]).toBe("0");
    expect(summary.boldRows).toContain(summary.values.findIndex((r) => r[1] === "Coef.") );
    const ranef = blockOf(layout, "ranef");
    expect(ranef.values[1]).toEqual(["Pig", "(Intercept)"]);
    expect(ranef.values.length).toBe(2 + 72);
    expect(ranef.formats[2][0]).toBe("@"); // level labels stay text ("4601" is not a number)
  });

  test("three scatter charts whose series point at equal-length numeric columns of the blocks", () => {
    expect(layout.charts.map((c) => c.id)).toEqual(["residuals", "qq", "caterpillar"]);
    for (const c of layout.charts) {
      expect(c.type).toBe("XYScatter");
      for (const s of c.series) {
        const x = column(layout, s.x);
        const y = column(layout, s.y);
        expect(x.length).toBe(y.length);
        expect(x.every((v) => typeof v === "number" && Number.isFinite(v))).toBe(true);
        expect(y.every((v) => typeof v === "number" && Number.isFinite(v))).toBe(true);
      }
    }
    // residuals vs fitted: every observation; fitted + residual = the response
    const res = layout.charts[0].series[0];
    const fitted = column(layout, res.x);
    const resid = column(layout, res.y);
    expect(fitted.length).toBe(861);
    const weight = SAMPLE_ROWS.slice(1).map((r) => r[5] as number);
    const rows = column(layout, res.x.replace(/[A-Z]+(\d+):[A-Z]+(\d+)/, "R$1:R$2")); // worksheet row of each observation
    rows.forEach((sheetRow, k) => expect(fitted[k] + resid[k]).toBeCloseTo(weight[sheetRow - 2], 8));
    // Q-Q: theoretical normal quantiles against sorted standardized residuals, and the line y = x
    const qq = layout.charts[1];
    const t = column(layout, qq.series[0].x);
    const e = column(layout, qq.series[0].y);
    expect(t[0]).toBeCloseTo(normalQuantile(0.5 / 861), 12);
    for (let i = 1; i < t.length; i++) { expect(t[i]).toBeGreaterThan(t[i - 1]); expect(e[i]).toBeGreaterThanOrEqual(e[i - 1]); }
    const sigma = Math.sqrt(result.scale);
    expect(e[0]).toBeCloseTo(Math.min(...result.residuals) / sigma, 12);
    expect(qq.series[1].style).toBe("line");
    // caterpillar: 72 pigs sorted, with ±1.96 conditional SD around each
    const cat = layout.charts[2];
    expect(cat.title).toMatch(/^Random intercepts by Pig/);
    expect(cat.series.map((s) => s.name)).toEqual(["Estimate", "Lower (-1.96 SD)", "Upper (+1.96 SD)"]);
    const est = column(layout, cat.series[0].y);
    const lo = column(layout, cat.series[1].y);
    const hi = column(layout, cat.series[2].y);
    expect(est.length).toBe(72);
    const sd = result.randomEffects[0].condSd!;
    const sorted = result.randomEffects[0].values.map((v, l) => [v[0], sd[l][0]]).sort((a, b) => a[0] - b[0]);
    est.forEach((v, k) => {
      expect(v).toBeCloseTo(sorted[k][0], 12);
      expect(hi[k] - v).toBeCloseTo(1.959963984540054 * sorted[k][1], 10);
      expect(v - lo[k]).toBeCloseTo(hi[k] - v, 10);
    });
    // charts sit beside what they illustrate: residuals and Q-Q beside the observations (from R),
    // the caterpillar plot beside the predicted random effects; never over each other
    const ranefRow = blockOf(layout, "ranef").row;
    expect(layout.charts.map((c) => [c.topLeft, c.bottomRight])).toEqual([["I2", "P18"], ["I20", "P36"], [`I${ranefRow + 1}`, `P${ranefRow + 17}`]]);
    expect(ranefRow + 1).toBeGreaterThan(36);
    expect(blockOf(layout, "observations").address.startsWith("R1:")).toBe(true);
  });

  test("charts are thinned beyond maxChartPoints; the observations are all written", () => {
    const small = summaryLayout(result, spec, "Sheet1!A1:H862", { maxChartPoints: 100 });
    expect(blockOf(small, "observations").values.length).toBe(2 + 861);
    expect(column(small, small.charts[0].series[0].x).length).toBe(100);
    expect(column(small, small.charts[1].series[0].x).length).toBe(100);
    expect(column(small, small.charts[2].series[0].x).length).toBe(72);
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(11, 3)).toEqual([0, 5, 10]);
    expect(plottingPosition(0, 5)).toBeCloseTo((1 - 3 / 8) / (5 + 1 - 3 / 4), 15);
  });

  test("an lme4-style model with a random slope and an ML fit", () => {
    const s: ModelSpec = { formula: "Weight ~ Time + (Time | Pig)", method: "ML" };
    const r = fitMixedModel(DataTable.fromRows(SAMPLE_ROWS), s);
    const l = summaryLayout(r, s, "Sheet1!A1:H862");
    expect(blockOf(l, "spec").values[2]).toEqual(["Groups", "(in the formula: Pig)"]);
    expect(blockOf(l, "spec").values[5]).toEqual(["Method", "ML"]);
    expect(l.charts[2].title).toMatch(/^Random intercepts by Pig/);
    expect(column(l, l.charts[2].series[0].y).length).toBe(72);
  });
});

describe("summary layout with the inference the task pane computed", () => {
  // lmerTest's and lme4's numbers for this model: test/fixtures/inference/shared/dietox_inter.json
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ref: any = JSON.parse(readFileSync(join(FIXTURES, "inference/shared/dietox_inter.json"), "utf8"));
  const s: ModelSpec = { formula: ref.formula };
  const table = DataTable.fromRows(SAMPLE_ROWS);
  const model = fitModel(table, s, { conditionalVariances: true });
  const tests = dfTests(model, "satterthwaite");
  const inference = {
    tTests: withDfTests(model, tests),
    anova: anovaOf(model, 3, tests),
    confint: confint(model, { method: "wald", level: 0.9 }),
    comparison: compareModels(table, s, [ref.reduced], { fitted: model.core }),
  };
  const l = summaryLayout(model.result, s, "Sheet1!A1:H862", { inference });
  const rowsOf = (a1: string) => { const p = parseAddress(a1)!; return p.row; };

  test("the tables in the report's column: t tests, ANOVA, intervals, comparison with its notes; Excel tables with p as <0.001", () => {
    const left = l.blocks.filter((b) => b.col === 0);
    expect(left.map((b) => b.id)).toEqual(["title", "spec", "coef", "anova", "varcomp", "confint", "comparison", "comparisonNotes", "stats", "summary", "ranef"]);
    for (let i = 1; i < left.length; i++) {
      const prev = left[i - 1];
      const gap = left[i].id.endsWith("Notes") ? 0 : 1; // notes stand right under their table
      expect(left[i].row).toBeGreaterThanOrEqual(prev.row + prev.values.length + gap);
    }
    const coef = blockOf(l, "coef");
    expect(coef.values[0][0]).toBe("Fixed effects (t tests use Satterthwaite's method)");
    expect(coef.values[1]).toEqual(["Name", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)", "CI low (95%)", "CI high (95%)"]);
    expect(coef.formats[2][5]).toBe(P_FORMAT);
    const anova = blockOf(l, "anova");
    expect(anova.values[0][0]).toBe("Type III Analysis of Variance Table with Satterthwaite's method");
    expect(anova.values[1]).toEqual(["Term", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]);
    expect(anova.values.slice(2).map((r) => r[0])).toEqual(ref.anova.type3_Satterthwaite.map((r: { name: string }) => r.name));
    ref.anova.type3_Satterthwaite.forEach((r: { "F value": number; DenDF: number }, i: number) => {
      expect(Math.abs((anova.values[2 + i][5] as number) / r["F value"] - 1)).toBeLessThan(1e-3);
      expect(Math.abs((anova.values[2 + i][4] as number) / r.DenDF - 1)).toBeLessThan(2e-3);
    });
    expect(anova.formats[2][6]).toBe(P_FORMAT);
    expect(anova.formats[2][3]).toBe("0"); // NumDF, a count
    const ci = blockOf(l, "confint");
    expect(ci.values[0][0]).toBe("Confidence intervals: Wald, level 0.9");
    expect(ci.values[1]).toEqual(["Parameter", "Estimate", "5 %", "95 %"]);
    expect(ci.values[2].slice(0, 1)).toEqual(["sd_(Intercept)|Pig"]);
    expect(ci.values[2].slice(2)).toEqual(["", ""]); // Wald gives no bound for a variance parameter (lme4's NA)
    const cmp = blockOf(l, "comparison");
    expect(cmp.values[0][0]).toBe("Likelihood-ratio tests (lme4's anova): models refitted by ML, 861 observations");
    expect(cmp.values[1]).toEqual(["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)"]);
    expect(Math.abs((cmp.values[3][6] as number) / ref.lrt[1].Chisq - 1)).toBeLessThan(2e-4);
    expect(cmp.formats[3][8]).toBe(P_FORMAT);
    expect(blockOf(l, "comparisonNotes").values).toEqual([["Models refitted by ML (instead of REML) for the comparison."]]);
    for (const id of ["coef", "anova", "confint", "comparison"]) expect(blockOf(l, id).look).toEqual({ headerRows: [1], excelTable: true });
    // the t tests' eighth column is fitted with the others; the charts' columns are not
    expect(l.autofitColumns[0]).toBe("A:H");
  });

  test("a table as wide as the charts' columns starts below the charts beside it", () => {
    const wide = l.blocks.filter((b) => b.col === 0 && b.values[0].length > 8);
    expect(wide.map((b) => b.id)).toEqual(["comparison"]);
    for (const b of wide) {
      for (const c of l.charts) {
        const top = rowsOf(c.topLeft);
        const bottom = rowsOf(c.bottomRight);
        const overlaps = b.row <= bottom && b.row + b.values.length - 1 >= top;
        expect({ block: b.id, chart: c.id, overlaps }).toEqual({ block: b.id, chart: c.id, overlaps: false });
      }
    }
    // a model with few rows above: the comparison still waits for the charts' end
    const s1: ModelSpec = { formula: "Weight ~ 1 + (1 | Pig)" };
    const m1 = fitModel(table, s1, { conditionalVariances: true });
    const l1 = summaryLayout(m1.result, s1, "Sheet1!A1:H862", { inference: { comparison: compareModels(table, s1, ["Weight ~ 1 + (1 | Litter)"], { fitted: m1.core }), anova: anovaOf(m1, 3, dfTests(m1, "satterthwaite")) } });
    const vc = blockOf(l1, "varcomp");
    expect(vc.row + vc.values.length + 1).toBeLessThan(30); // it would have fitted higher
    expect(blockOf(l1, "comparison").row).toBeGreaterThanOrEqual(36);
    // no fixed-effect term to test: no ANOVA block
    expect(l1.blocks.map((b) => b.id)).not.toContain("anova");
  });
});
