/// <reference types="office-js" />
/**
 * Inside Excel or not: office.js loaded and Office.onReady reporting the Excel host within the
 * time limit. Outside (a plain browser, office.js blocked or offline) the pane runs on a
 * sample workbook.
 */
export interface HostInfo {
  inExcel: boolean;
  /** Why the pane runs on the sample workbook (for the message). */
  reason?: string;
}

export async function detectHost(timeoutMs = 1500): Promise<HostInfo> {
  const office = (globalThis as { Office?: typeof Office }).Office;
  if (typeof office === "undefined" || typeof office.onReady !== "function") return { inExcel: false, reason: "office.js is not loaded" };
  const info = await Promise.race([
    office.onReady().catch(() => null),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs)),
  ]);
  if (!info) return { inExcel: false, reason: "Office did not answer" };
  const host = info.host ?? office.context?.host;
  if (!host) return { inExcel: false, reason: "not running in an Office application" };
  if (host !== office.HostType.Excel) return { inExcel: false, reason: `running in ${String(host)}, not Excel` };
  return { inExcel: true };
}
