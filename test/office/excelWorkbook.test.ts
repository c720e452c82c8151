/**
 * ExcelWorkbook against a fake of the Excel API (fakeExcel.ts): the summary sheet with its
 * tables and three charts, the sheet naming that never overwrites, chunked writes and reads,
 * the selection or the region around the active cell, and the formula insertion.
 */
import { DataTable, fitMixedModel } from "../../src/engine";
import type { ModelSpec } from "../../src/engine";
import { cellAddress, parseAddress } from "../../src/office/a1";
import { ExcelRun, ExcelWorkbook, MAX_CELLS_PER_SYNC, MAX_COLUMN_WIDTH, MAX_ROWS_PER_SYNC, Supports } from "../../src/office/excelWorkbook";
import { BAND_FILL, summaryLayout, TABLE_STYLE } from "../../src/office/layout";
import { SampleWorkbook } from "../../src/office/sampleWorkbook";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import { FakeContext } from "./fakeExcel";

const spec: ModelSpec = { formula: "Weight ~ Time", groups: "Pig" };
const result = fitMixedModel(DataTable.fromRows(SAMPLE_ROWS), spec, { conditionalVariances: true });
const layout = summaryLayout(result, spec, "Sheet1!A1:H862");

function setup() {
  const ctx = new FakeContext();
  ctx.workbook.sheet("Sheet1").setValues(0, 0, SAMPLE_ROWS);
  const wb = new ExcelWorkbook(ctx.run as unknown as ExcelRun, ctx.supports as Supports);
  return { ctx, wb };
}

/** A generated data set: `groups` groups of `size` rows, y = 1 + 0.5 x + u + e (deterministic). */
function generated(groups: number, size: number): unknown[][] {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const rows: unknown[][] = [["g", "x", "y"]];
  for (let g = 0; g < groups; g++) {
    const u = gauss();
    for (let i = 0; i < size; i++) {
      const x = i / size;
      rows.push([`G${g}`, x, 1 + 0.5 * x + u + 0.5 * gauss()]);
    }
  }
  return rows;
}

describe("ExcelWorkbook.createSummarySheet", () => {
  test('writes "MixedLM Summary": specification, tables with formats and bold headers, three charts, fitted widths', async () => {
    const { ctx, wb } = setup();
    const before = ctx.workbook.sheet("Sheet1").cells.size;
    const { sheetName } = await wb.createSummarySheet(layout);
    expect(sheetName).toBe("MixedLM Summary");
    const sh = ctx.workbook.sheet("MixedLM Summary");
    expect(ctx.workbook.activeSheet).toBe(sh);
    expect(ctx.workbook.sheet("Sheet1").cells.size).toBe(before);
    // every block's values and formats are on the sheet
    for (const b of layout.blocks) {
      const vals = sh.valuesOf(b.address);
      expect(vals).toEqual(b.values);
      const p = parseAddress(b.address)!;
      expect(sh.peek(p.row + b.values.length - 1, p.col)!.format).toBe(b.formats[b.values.length - 1][0]);
      for (const r of b.boldRows) expect(sh.peek(b.row + r, b.col)!.bold).toBe(true);
    }
    expect(sh.valueAt("A1")).toBe("MixedLM Summary");
    expect(sh.peek(0, 0)!.size).toBe(16);
    const coef = layout.blocks.find((b) => b.id === "coef")!;
    expect(sh.valueAt(`B${coef.row + 3}`)).toBeCloseTo(15.7236, 3);
    expect(sh.peek(coef.row + 2, 1)!.format).toBe("0.000");
    expect(sh.peek(coef.row + 2, 0)!.format).toBe("@");
    // tables: Excel tables with the light style and no filter buttons; the others drawn with fills
    const tables = ctx.workbook.tables.filter((t) => t.sheet === sh);
    const asTables = layout.blocks.filter((b) => b.look?.excelTable);
    expect(tables.map((t) => t.address)).toEqual(asTables.map((b) => cellAddress(b.row + 1, b.col, b.values.length - 1, b.values[0].length)));
    for (const t of tables) expect([t.style, t.showFilterButton]).toEqual([TABLE_STYLE, false]);
    const spec = layout.blocks.find((b) => b.id === "spec")!;
    expect([1, 2, 3].map((r) => sh.peek(spec.row + r, 0)!.fill)).toEqual([undefined, BAND_FILL, undefined]);
    // three XY scatter charts with their series, titles, axis titles and places
    expect(sh.chartList.length).toBe(3);
    layout.charts.forEach((spec, i) => {
      const c = sh.chartList[i];
      expect(c.type).toBe("XYScatter");
      expect(c.title.text).toBe(spec.title);
      expect(c.axes.categoryAxis.title.text).toBe(spec.xTitle);
      expect(c.axes.valueAxis.title.text).toBe(spec.yTitle);
      expect(c.position).toEqual([spec.topLeft, spec.bottomRight]);
      expect(c.seriesList.map((s) => [s.name, s.x, s.y])).toEqual(spec.series.map((s) => [s.name, s.x, s.y]));
    });
    expect(sh.chartList[1].seriesList[1].chartType).toBe("XYScatterLinesNoMarkers");
    expect(sh.chartList[2].seriesList[1].markerStyle).toBe("Dash");
    // autofit, then long columns capped
    expect(sh.autofitCalls.length).toBe(layout.autofitColumns.length);
    expect(Math.max(...sh.columnWidths.values())).toBeLessThanOrEqual(MAX_COLUMN_WIDTH);
    expect(sh.columnWidths.get(0)).toBe(MAX_COLUMN_WIDTH); // column A holds the long notes
    // a small summary goes in few round trips
    expect(ctx.syncs).toBeLessThanOrEqual(8);
  });

  test("an existing sheet is never overwritten: the new one is named (2), then (3)", async () => {
    const { ctx, wb } = setup();
    const mine = ctx.workbook.addSheet("MixedLM Summary");
    mine.setValues(0, 0, [["my notes"], [42]]);
    ctx.workbook.addSheet("mixedlm summary (2)");
    const { sheetName } = await wb.createSummarySheet(layout);
    expect(sheetName).toBe("MixedLM Summary (3)");
    expect(mine.valuesOf("A1:A2")).toEqual([["my notes"], [42]]);
    expect(mine.cells.size).toBe(2);
    expect(mine.chartList.length).toBe(0);
    expect(ctx.workbook.sheet("MixedLM Summary (3)").valueAt("A1")).toBe("MixedLM Summary");
    const again = await wb.createSummarySheet(layout);
    expect(again.sheetName).toBe("MixedLM Summary (4)");
    expect(ctx.workbook.sheets.map((s) => s.name)).toEqual(["Sheet1", "MixedLM Summary", "mixedlm summary (2)", "MixedLM Summary (3)", "MixedLM Summary (4)"]);
  });

  test("large outputs go in blocks: at most 5,000 rows and 20,000 cells per sync", async () => {
    const rows = generated(500, 60); // 30,000 observations
    const s: ModelSpec = { formula: "y ~ x", groups: "g" };
    const r = fitMixedModel(DataTable.fromRows(rows), s);
    const big = summaryLayout(r, s, "Data!A1:C30001");
    const obs = big.blocks.find((b) => b.id === "observations")!;
    expect(obs.values.length).toBe(30_002);
    const { ctx, wb } = setup();
    await wb.createSummarySheet(big);
    const sh = ctx.workbook.sheet("MixedLM Summary");
    // every write is one chunk of a block; none is larger than the caps
    const valueWrites = ctx.writes.filter((w) => w.what === "values" && w.sheet === "MixedLM Summary");
    expect(Math.max(...valueWrites.map((w) => w.rows))).toBeLessThanOrEqual(MAX_ROWS_PER_SYNC);
    expect(Math.max(...ctx.cellsPerSync)).toBeLessThanOrEqual(MAX_CELLS_PER_SYNC);
    const obsWrites = valueWrites.filter((w) => parseAddress(w.address)!.col === obs.col);
    expect(obsWrites.length).toBe(Math.ceil(30_002 / 5000));
    expect(ctx.syncs).toBeGreaterThanOrEqual(Math.ceil((big.cellCount) / MAX_CELLS_PER_SYNC));
    // and the sheet holds all of it
    expect(sh.valuesOf(`S30002:U30002`)[0]).toEqual(obs.values[30_001].slice(1));
    // the charts are thinned to 10,000 points
    expect(big.charts[0].series[0].x).toMatch(/:\w+10002$/);
  });
});

describe("ExcelWorkbook.readSelectionOrRegion", () => {
  test("one cell selected inside the data: the region around it", async () => {
    const { ctx, wb } = setup();
    ctx.workbook.sheet("Sheet1").setValues(0, 12, [["notes far away"]]); // M1, not adjacent
    ctx.workbook.select("Sheet1", "C10");
    const sel = await wb.readSelectionOrRegion();
    expect(sel.address).toBe("Sheet1!A1:H862");
    expect(sel.values).toEqual(SAMPLE_ROWS);
  });

  test("one cell in an Excel table: the table", async () => {
    const { ctx, wb } = setup();
    const sh = ctx.workbook.addSheet("Pigs and more");
    sh.setValues(4, 1, SAMPLE_ROWS.slice(0, 101));
    sh.setValues(105, 1, [["a total row, adjacent"]]);
    const { FakeTable } = await import("./fakeExcel");
    ctx.workbook.tables.push(new FakeTable(sh, "Pigs", "B5:I105"));
    ctx.workbook.select("Pigs and more", "D7");
    const sel = await wb.readSelectionOrRegion();
    expect(sel.address).toBe("'Pigs and more'!B5:I105");
    expect(sel.values.length).toBe(101);
  });

  test("a range selected: that range; whole columns: their used part", async () => {
    const { ctx, wb } = setup();
    ctx.workbook.select("Sheet1", "A1:B20");
    expect((await wb.readSelectionOrRegion()).values).toEqual(SAMPLE_ROWS.slice(0, 20).map((r) => r.slice(0, 2)));
    ctx.workbook.select("Sheet1", "F:H");
    const sel = await wb.readSelectionOrRegion();
    expect(sel.address).toBe("Sheet1!F1:H862");
    expect(sel.values[0]).toEqual(["Weight", "Feed", "Time"]);
  });

  test("large data are read in chunks", async () => {
    const rows = generated(400, 60);
    const ctx = new FakeContext();
    ctx.workbook.sheet("Sheet1").setValues(0, 0, rows);
    const wb = new ExcelWorkbook(ctx.run as unknown as ExcelRun, ctx.supports as Supports);
    const sel = await wb.readSelectionOrRegion();
    expect(sel.values).toEqual(rows);
    expect(ctx.syncs).toBeGreaterThanOrEqual(Math.ceil(rows.length / MAX_ROWS_PER_SYNC) + 2);
  });

  test("an empty selection says so", async () => {
    const ctx = new FakeContext();
    const wb = new ExcelWorkbook(ctx.run as unknown as ExcelRun, ctx.supports as Supports);
    ctx.workbook.addSheet("Empty");
    ctx.workbook.select("Empty", "B2:C3");
    await expect(wb.readSelectionOrRegion()).rejects.toThrow(/selection is empty/);
  });
});

describe("ExcelWorkbook.insertFormula", () => {
  test("into the selected (empty) cell; a cell with content is refused", async () => {
    const { ctx, wb } = setup();
    ctx.workbook.select("Sheet1", "J2");
    const f = '=MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig")';
    expect(await wb.insertFormula(f)).toEqual({ address: "Sheet1!J2" });
    expect(ctx.workbook.sheet("Sheet1").peek(1, 9)!.formula).toBe(f);
    await expect(wb.insertFormula(f)).rejects.toThrow(/J2 is not empty/);
    ctx.workbook.select("Sheet1", "B3");
    await expect(wb.insertFormula(f)).rejects.toThrow(/B3 is not empty/);
    expect(ctx.workbook.sheet("Sheet1").valueAt("B3")).toBe("Evit000");
  });
});

describe("SampleWorkbook", () => {
  test("the dietox region, summary sheets named like Excel's, formulas recorded", async () => {
    const wb = new SampleWorkbook(SAMPLE_ROWS);
    let changes = 0;
    wb.subscribe(() => changes++);
    const sel = await wb.readSelectionOrRegion();
    expect(sel.address).toBe("Sheet1!A1:H862");
    expect(sel.values).toEqual(SAMPLE_ROWS);
    expect((await wb.createSummarySheet(layout)).sheetName).toBe("MixedLM Summary");
    expect((await wb.createSummarySheet(layout)).sheetName).toBe("MixedLM Summary (2)");
    expect(wb.sheets.map((s) => [s.name, s.kind])).toEqual([["Sheet1", "data"], ["MixedLM Summary", "summary"], ["MixedLM Summary (2)", "summary"]]);
    expect(wb.sheets[1].content!.charts.length).toBe(3);
    expect(await wb.insertFormula("=MIXEDLM.FIT(1)")).toEqual({ address: "Sheet1!J1" });
    expect(await wb.insertFormula("=MIXEDLM.FIT(2)")).toEqual({ address: "Sheet1!J26" });
    expect(changes).toBe(4);
  });
});
