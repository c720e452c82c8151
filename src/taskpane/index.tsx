/**
 * The task pane's entry. Inside Excel it works on the workbook through Office.js; outside (a
 * plain browser, office.js blocked or offline) on a sample workbook holding the dietox data,
 * loaded only then. Until Office answers, the pane says "Connecting to Excel..." (detect.ts);
 * before any script runs, taskpane.html shows a static "Loading MixedLM...".
 */
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { FluentProvider } from "@fluentui/react-components";
import { paneTheme } from "./theme";
import { detectHost, HostState } from "../office/detect";
import { ExcelWorkbook } from "../office/excelWorkbook";
import { loadSampleWorkbook } from "../office/sampleLoader";
import { createFitWorker } from "../worker/createWorker";
import { setWorkerFactory, sharedWorkerClient } from "../worker/shared";
import { App } from "./App";
import { FitClient } from "./fitClient";
import { Connecting, NotConnected, Opening } from "./HostStatus";

setWorkerFactory(createFitWorker);

const container = document.getElementById("root") ?? document.body.appendChild(document.createElement("div"));
const root = createRoot(container);
/** Office's theme once Excel has answered; outside Excel, `?theme=dark` in the address (paneTheme). */
const officeTheme = () => (globalThis as { Office?: typeof Office }).Office?.context?.officeTheme ?? null;
const render = (node: ReactNode, inExcel = false) =>
  root.render(<FluentProvider theme={paneTheme(inExcel ? officeTheme() : null, location.search)}>{node}</FluentProvider>);
const fitClient = new FitClient(sharedWorkerClient(), createFitWorker);

function show(state: HostState): void {
  switch (state.kind) {
    case "connecting":
      render(<Connecting />);
      return;
    case "excel":
      render(<App gateway={new ExcelWorkbook()} fitClient={fitClient} />, true);
      return;
    case "failed":
      render(<NotConnected reason={state.reason} />);
      return;
    case "sample":
      render(<Opening label="Opening the sample workbook…" />);
      loadSampleWorkbook().then(
        (workbook) => render(<App gateway={workbook} fitClient={fitClient} sample={{ workbook, reason: state.reason }} />),
        (e: unknown) => render(<NotConnected title="The sample workbook did not load" reason={e instanceof Error ? e.message : String(e)} />),
      );
  }
}

const host = detectHost();
show(host.initial);
if (host.initial.kind === "connecting") void host.settled.then(show);
