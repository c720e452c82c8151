/** What the workbook preview draws of a summary sheet: the cells as Excel shows them, the tables' look, the charts' data. */
import { DataTable, fitMixedModel } from "../../src/engine";
import type { ModelSpec } from "../../src/engine";
import { BAND_FILL, HEADER_FILL, summaryLayout } from "../../src/office/layout";
import { gridOfLayout, gridOfRows } from "../../src/office/sheetGrid";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";

const spec: ModelSpec = { formula: "Weight ~ Time", groups: "Pig" };
const layout = summaryLayout(fitMixedModel(DataTable.fromRows(SAMPLE_ROWS), spec, { conditionalVariances: true }), spec, "Sheet1!A1:H862");
const grid = gridOfLayout(layout);
const coef = layout.blocks.find((b) => b.id === "coef")!;

test("the summary sheet's cells as Excel shows them", () => {
  expect(grid.cell(0, 0)).toMatchObject({ text: "MixedLM Summary", large: true });
  expect(grid.cell(coef.row + 1, 1)).toMatchObject({ text: "Coef.", bold: true, fill: HEADER_FILL });
  expect(grid.cell(coef.row + 2, 1)).toMatchObject({ text: "15.724", numeric: true });
  expect(grid.cell(coef.row + 2, 4)!.text).toBe("<0.001");
  expect(grid.cell(coef.row + 3, 0)!.fill).toBe(BAND_FILL);
  const spec = layout.blocks.find((b) => b.id === "spec")!;
  expect(grid.cell(spec.row + 7, 1)!.text).toBe("861");
  expect(grid.rows).toBe(863);
  expect(grid.widths.length).toBe(grid.cols);
  expect(grid.widths.every((w) => w >= 40 && w <= 240)).toBe(true);
});

test("the charts with the values their series reference", () => {
  expect(grid.charts.map((c) => c.spec.id)).toEqual(["residuals", "qq", "caterpillar"]);
  const res = grid.charts[0];
  expect([res.row, res.col, res.rows, res.cols]).toEqual([1, 8, 17, 8]);
  expect(res.series[0].x.length).toBe(861);
  expect(res.series[0].x.every(Number.isFinite)).toBe(true);
  expect(grid.charts[2].series.map((s) => s.y.length)).toEqual([72, 72, 72]);
});

test("the data sheet", () => {
  const g = gridOfRows(SAMPLE_ROWS);
  expect([g.rows, g.cols]).toEqual([862, 8]);
  expect(g.cell(0, 5)).toMatchObject({ text: "Weight", bold: true });
  expect(g.cell(2, 5)).toMatchObject({ text: "27.59999", numeric: true });
  expect(g.cell(1, 6)!.text).toBe("NA");
});
