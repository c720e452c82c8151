/**
 * ExcelWorkbook against what Excel documents and the old code tripped on (the fake models each,
 * with its page: test/office/fakeExcel.ts): a table's Total Row, a table whose header row is
 * hidden, a selection of several areas, text that Range.values would take for a formula, chart
 * and axis titles that would become references.
 */
import { DataTable, fitMixedModel } from "../../src/engine";
import type { ModelSpec } from "../../src/engine";
import { ExcelRun, ExcelWorkbook, Supports, textFormula, titleText } from "../../src/office/excelWorkbook";
import { summaryLayout } from "../../src/office/layout";
import type { SummaryLayout } from "../../src/office/layout";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import { FakeContext, FakeTable, stringLiteralFormula } from "./fakeExcel";

function setup(excelApi = "1.16") {
  const ctx = new FakeContext();
  ctx.excelApi = excelApi;
  const wb = new ExcelWorkbook(ctx.run as unknown as ExcelRun, ctx.supports as Supports);
  return { ctx, wb };
}

/** 100 rows of dietox in a table at B5 (header B5:I5, data B6:I105) with a Total Row at B106. */
function pigsTable(ctx: FakeContext, options = { showTotals: true, showHeaders: true }) {
  const sh = ctx.workbook.addSheet("Pigs");
  sh.setValues(4, 1, SAMPLE_ROWS.slice(0, 101));
  sh.setValues(105, 1, [["Total", "", "", "", "", 5521.7, "", 650]]);
  ctx.workbook.tables.push(new FakeTable(sh, "Pigs", "B5:I106", options));
  return sh;
}

describe("the fake follows the documentation", () => {
  test("Range.values: =, + and - text becomes a formula, numeric text a number, unless the cell is text", async () => {
    const { ctx } = setup();
    const sh = ctx.workbook.sheet("Sheet1");
    const r = sh.getRange("A1:E1");
    r.values = [["=SUM(1)", "-x", "+1", "001", "-0.5"]];
    expect(sh.peek(0, 0)!.formula).toBe("=SUM(1)");
    expect(sh.peek(0, 1)!.formula).toBe("=-x");
    expect([sh.valueAt("C1"), sh.valueAt("D1"), sh.valueAt("E1")]).toEqual([1, 1, -0.5]);
    const t = sh.getRange("A2:B2");
    t.numberFormat = [["@", "@"]];
    t.values = [["=SUM(1)", "001"]];
    expect(sh.valuesOf("A2:B2")).toEqual([["=SUM(1)", "001"]]);
    expect(sh.peek(1, 0)!.formula).toBeUndefined();
    // a formula of string literals is its text
    expect(stringLiteralFormula(textFormula('=say "hi"'))).toBe('=say "hi"');
    expect(stringLiteralFormula(textFormula("-".repeat(600)))).toBe("-".repeat(600));
  });

  test("getSelectedRange throws (at sync) when several areas are selected", async () => {
    const { ctx } = setup();
    ctx.workbook.select("Sheet1", "A1:B5,D1:D5");
    const r = ctx.workbook.getSelectedRange();
    r.load("address");
    await expect(ctx.sync()).rejects.toThrow(/InvalidSelection/);
  });
});

describe("tables", () => {
  test("a single cell inside a table with a Total Row: the header and the data, never the totals", async () => {
    const { ctx, wb } = setup();
    pigsTable(ctx);
    ctx.workbook.select("Pigs", "D7");
    const sel = await wb.readSelectionOrRegion();
    expect(sel.address).toBe("Pigs!B5:I105");
    expect(sel.values).toEqual(SAMPLE_ROWS.slice(0, 101));
    expect(sel.values.some((r) => r[0] === "Total")).toBe(false);
  });

  test("the whole table selected, totals included: read without the Total Row", async () => {
    const { ctx, wb } = setup();
    pigsTable(ctx);
    ctx.workbook.select("Pigs", "B5:I106");
    const sel = await wb.readSelectionOrRegion();
    expect(sel.address).toBe("Pigs!B5:I105");
    expect(sel.values.length).toBe(101);
  });

  test("a selection that runs on below a Total Row is refused with a message", async () => {
    const { ctx, wb } = setup();
    const sh = pigsTable(ctx);
    sh.setValues(106, 1, [[4700, "Evit000", "Cu000", 1, 26, 30, 4, 1]]);
    ctx.workbook.select("Pigs", "B5:I107");
    await expect(wb.readSelectionOrRegion()).rejects.toThrow(/includes the Total Row of the table "Pigs" among the data/);
  });

  test("a table without a Total Row, or an Excel without getTables: as before", async () => {
    const { ctx, wb } = setup();
    pigsTable(ctx, { showTotals: false, showHeaders: true });
    ctx.workbook.select("Pigs", "C50");
    expect((await wb.readSelectionOrRegion()).address).toBe("Pigs!B5:I106");
    const old = setup("1.8");
    pigsTable(old.ctx, { showTotals: false, showHeaders: true });
    old.ctx.workbook.select("Pigs", "C50");
    expect((await old.wb.readSelectionOrRegion()).address).toBe("Pigs!B5:I106");
  });

  test("a table whose header row is hidden: the message says how to show it", async () => {
    const { ctx, wb } = setup();
    const sh = ctx.workbook.addSheet("Bare");
    sh.setValues(0, 0, SAMPLE_ROWS.slice(1, 50));
    ctx.workbook.tables.push(new FakeTable(sh, "Bare", "A1:H49", { showHeaders: false }));
    ctx.workbook.select("Bare", "B2");
    await expect(wb.readSelectionOrRegion()).rejects.toThrow(/The table "Bare" hides its header row.*Table Design > Header Row/);
  });
});

describe("several areas selected", () => {
  test.each(["1.16", "1.8"])("reading the selection (ExcelApi %s): a message, not an exception", async (api) => {
    const { ctx, wb } = setup(api);
    ctx.workbook.sheet("Sheet1").setValues(0, 0, SAMPLE_ROWS.slice(0, 20));
    ctx.workbook.select("Sheet1", "A1:B10,D1:D10");
    await expect(wb.readSelectionOrRegion()).rejects.toThrow(api === "1.16" ? /The selection has 2 separate areas \(Sheet1!A1:B10,Sheet1!D1:D10\): select one block of cells/ : /cannot be read as one range .*select one block of cells/);
  });

  test("inserting the formula: a message too", async () => {
    const { ctx, wb } = setup();
    ctx.workbook.select("Sheet1", "J1,J5");
    await expect(wb.insertFormula("=MIXEDLM.FIT(A1:H862, \"Weight ~ Time\", \"Pig\")")).rejects.toThrow(/2 separate areas/);
  });
});

describe("text that looks like a formula stays text", () => {
  // a grouping column named "=pig" with levels "-1", "+2", "=3": level names and the caterpillar plot's axis title
  const rows: unknown[][] = [["y", "x", "=pig"]];
  for (let i = 0; i < 120; i++) rows.push([Math.sin(i) * 3 + (i % 4), i % 10, ["-1", "+2", "=3", "-x"][i % 4]]);
  const spec: ModelSpec = { formula: "y ~ x", groups: "=pig" };
  const layout = summaryLayout(fitMixedModel(DataTable.fromRows(rows), spec, { conditionalVariances: true }), spec, "Data!A1:C121");

  /** The same layout with one more block whose text cells are formatted General, not "@". */
  const withGeneral: SummaryLayout = {
    ...layout,
    blocks: [...layout.blocks, { id: "extra", row: 200, col: 0, values: [["=SUM(A1:A3)", "-note", 1.5], ["+x", "ok", ""]], formats: [["General", "General", "0.0"], ["General", "General", "General"]], boldRows: [], address: "A201:C202" }],
  };

  test.each(["1.16", "1.9"])("on the summary sheet (ExcelApi %s): every cell holds what the layout says, no formula", async (api) => {
    const { ctx, wb } = setup(api);
    await wb.createSummarySheet(withGeneral);
    const sh = ctx.workbook.sheet("MixedLM Summary");
    for (const b of withGeneral.blocks) expect(sh.valuesOf(b.address)).toEqual(b.values);
    const formulas = [...sh.cells.values()].filter((c) => c.formula !== undefined);
    if (api === "1.16") expect(formulas).toEqual([]);
    else for (const c of formulas) expect(stringLiteralFormula(c.formula!)).toBe(c.value);
    expect(sh.valuesOf("A201:B202")).toEqual([["=SUM(A1:A3)", "-note"], ["+x", "ok"]]);
  });

  test("chart titles, axis titles and series names are never taken for references", async () => {
    const { ctx, wb } = setup();
    await wb.createSummarySheet(layout);
    const charts = ctx.workbook.sheet("MixedLM Summary").chartList;
    expect(charts.length).toBe(3);
    const caterpillar = charts[2];
    expect(caterpillar.axes.categoryAxis.title.text).toBe(titleText("=pig (sorted by estimate)"));
    for (const c of charts) {
      for (const t of [c.title, c.axes.categoryAxis.title, c.axes.valueAxis.title]) expect(t.formula).toBeNull();
      for (const s of c.seriesList) expect(s.nameFormula).toBeNull();
    }
    // and they read as the layout wrote them
    expect(caterpillar.axes.categoryAxis.title.text.replace(/\u200B/g, "")).toBe("=pig (sorted by estimate)");
  });
});
