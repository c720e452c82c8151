/** The data the pane works on: read from the workbook's selection, described as the engine reads them. */
import { useState } from "react";
import type { WorkbookGateway } from "../office/gateway";
import type { Notice } from "./components/NoticeBar";
import { shortMessage } from "./formulaModel";
import { DataInfo, describeData } from "./model";

export interface DataState {
  selection: { address: string; values: unknown[][] } | null;
  data: DataInfo | null;
  notice: Notice;
  reading: boolean;
  /** Reads the selection (or the region around the active cell). */
  read: () => Promise<void>;
}

export function errorText(e: unknown, formula?: string): string {
  return shortMessage(e instanceof Error ? e.message : String(e), formula);
}

export function useData(gateway: WorkbookGateway, onColumns: (columns: string[]) => void): DataState {
  const [selection, setSelection] = useState<DataState["selection"]>(null);
  const [data, setData] = useState<DataInfo | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [reading, setReading] = useState(false);
  const read = async () => {
    setReading(true);
    setNotice(null);
    try {
      const sel = await gateway.readSelectionOrRegion();
      const info = describeData(sel.address, sel.values);
      setSelection(sel);
      setData(info);
      onColumns(info.columns.map((c) => c.name));
    } catch (e) {
      setNotice({ intent: "error", title: "Cannot use the selection", text: errorText(e) });
    } finally {
      setReading(false);
    }
  };
  return { selection, data, notice, reading, read };
}
