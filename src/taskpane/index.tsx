/**
 * The task pane's entry: inside Excel it works on the workbook through Office.js; outside (a
 * plain browser, office.js blocked or offline) on a sample workbook holding the dietox data.
 */
import { createRoot } from "react-dom/client";
import { FluentProvider, Spinner, webLightTheme } from "@fluentui/react-components";
import { paneTheme } from "./theme";
import { detectHost } from "../office/detect";
import { ExcelWorkbook } from "../office/excelWorkbook";
import { SampleWorkbook } from "../office/sampleWorkbook";
import { App } from "./App";
import { FitClient } from "./fitClient";
import { SAMPLE_ROWS, SAMPLE_SHEET } from "./sampleData";
import { createFitWorker } from "./worker";

const container = document.getElementById("root") ?? document.body.appendChild(document.createElement("div"));
const root = createRoot(container);

root.render(
  <FluentProvider theme={webLightTheme}>
    <Spinner label="Starting…" style={{ marginTop: 40 }} />
  </FluentProvider>,
);

detectHost(1500).then((host) => {
  const fitClient = new FitClient(createFitWorker);
  const sampleWorkbook = host.inExcel ? null : new SampleWorkbook(SAMPLE_ROWS, SAMPLE_SHEET);
  const gateway = sampleWorkbook ?? new ExcelWorkbook();
  const officeTheme = host.inExcel ? (globalThis as { Office?: typeof Office }).Office?.context?.officeTheme : null;
  root.render(
    <FluentProvider theme={paneTheme(officeTheme, location.search)}>
      <App gateway={gateway} fitClient={fitClient} sample={sampleWorkbook ? { workbook: sampleWorkbook, reason: host.reason } : undefined} />
    </FluentProvider>,
  );
});
