/**
 * The sample workbook, with its data (dietox) loaded only when the pane runs outside Excel: the
 * data are a chunk of their own (sample-data.js), not part of taskpane.js.
 */
import type { SampleWorkbook } from "./sampleWorkbook";

export async function loadSampleWorkbook(): Promise<SampleWorkbook> {
  const [{ SampleWorkbook: Workbook }, { SAMPLE_ROWS, SAMPLE_SHEET }] = await Promise.all([
    import(/* webpackChunkName: "sample-data" */ "./sampleWorkbook"),
    import(/* webpackChunkName: "sample-data" */ "../taskpane/sampleData"),
  ]);
  return new Workbook(SAMPLE_ROWS, SAMPLE_SHEET);
}
