/// <reference types="office-js" />
/**
 * Inside Excel or not. The page never trades the user's workbook for the built-in sample on a
 * guess: it runs on the sample only when office.js did not load (offline, blocked, a plain
 * browser without it) or when Office.onReady reports no host, which is what office.js does
 * outside Office (https://learn.microsoft.com/office/dev/add-ins/develop/initialize-add-in:
 * "resolve the promise with null for both the host and platform"). While Office has not
 * answered (the shared runtime may start hidden, when a function first calculates, and answer
 * late) the pane says "Connecting to Excel..." and switches when the answer comes, however late.
 *
 * office.js is loaded with `defer` ahead of the page's bundles (taskpane.html), so when this runs
 * it has either run or failed to load: `Office` undefined means it is not there.
 */
export type HostState =
  | { kind: "connecting" }
  | { kind: "excel" }
  /** Outside Excel: the pane runs on the sample workbook. */
  | { kind: "sample"; reason: string }
  /** Office.onReady failed: neither Excel nor the sample. */
  | { kind: "failed"; reason: string };

export interface HostDetection {
  /** What is known now. */
  initial: HostState;
  /** What Office answers (the same as `initial` when that is final). */
  settled: Promise<HostState>;
}

interface OfficeLike {
  onReady?: () => Promise<{ host?: unknown } | null | undefined>;
  HostType?: { Excel?: unknown };
}

function classify(info: { host?: unknown } | null | undefined, office: OfficeLike): HostState {
  const host = info?.host;
  if (host === null || host === undefined || host === "") return { kind: "sample", reason: "not running in an Office application" };
  if (host === office.HostType?.Excel || host === "Excel") return { kind: "excel" };
  return { kind: "sample", reason: `running in ${String(host)}, not Excel` };
}

export function detectHost(scope: { Office?: unknown } = globalThis as { Office?: unknown }): HostDetection {
  const office = scope.Office as OfficeLike | undefined;
  if (!office || typeof office.onReady !== "function") {
    const state: HostState = { kind: "sample", reason: "office.js is not loaded" };
    return { initial: state, settled: Promise.resolve(state) };
  }
  const settled = Promise.resolve()
    .then(() => office.onReady!())
    .then(
      (info) => classify(info, office),
      (e: unknown): HostState => ({ kind: "failed", reason: e instanceof Error ? e.message : String(e) }),
    );
  return { initial: { kind: "connecting" }, settled };
}
