/**
 * Fitting and writing: results remember the model and the data they came from (so the pane can
 * say what changed since), a fit error belongs to the model and data it was raised on (so it
 * goes when they change), and the workbook is written only with results that match the model.
 */
import { useState } from "react";
import type { ModelSpec } from "../engine";
import type { WorkbookGateway } from "../office/gateway";
import type { Notice } from "./components/NoticeBar";
import type { FitClient } from "./fitClient";
import type { FitView } from "./fitService";
import type { DataInfo } from "./model";
import { specKey } from "./modelState";
import { DataState, errorText } from "./useData";

/** A fit and what it came from. */
export interface Results {
  view: FitView;
  spec: ModelSpec;
  key: string;
  data: { address: string; fingerprint: string };
}

/** What changed between the model of the results and the model now ([] when they match). */
export function staleReasons(r: Results, spec: ModelSpec, data: DataInfo | null): string[] {
  const out: string[] = [];
  if (r.spec.formula !== spec.formula) out.push("the formula");
  if ((r.spec.method ?? "REML") !== (spec.method ?? "REML")) out.push("the method");
  if (JSON.stringify([r.spec.groups, r.spec.reFormula, r.spec.vcFormula]) !== JSON.stringify([spec.groups, spec.reFormula, spec.vcFormula])) out.push("the random effects");
  if (!data || data.fingerprint !== r.data.fingerprint) out.push("the data");
  return out;
}

/** " (with the t tests, the ANOVA table, ...)" for what the sheet gets beyond the fit. */
function inferenceWords(inf: InferenceForSheet): string {
  if (!inf) return "";
  const parts = [inf.ddf ? "the t tests" : "", inf.anova ? "the ANOVA table" : "", inf.confint ? "the intervals" : "", inf.comparison ? "the model comparison" : ""].filter((x) => x !== "");
  if (parts.length === 0) return "";
  return ` (with ${parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`})`;
}

/** At most n characters of a formula, for a message. */
export function shortFormula(f: string, n = 80): string {
  return f.length > n ? `${f.slice(0, n - 1)}…` : f;
}

/** The tables the pane computed of the fit, for the summary sheet (inferenceState.ts, paneInference). */
export type InferenceForSheet = Parameters<FitClient["layout"]>[0];

export function useFit(fitClient: FitClient, gateway: WorkbookGateway, d: DataState, spec: ModelSpec, blocker: string | null, announce: (text: string) => void) {
  const [fitting, setFitting] = useState(false);
  const [results, setResults] = useState<Results | null>(null);
  const [fitError, setFitError] = useState<{ notice: Notice; key: string } | null>(null);
  const [actionNotice, setActionNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState<"" | "sheet" | "formula">("");
  const key = `${specKey(spec)}|${d.data?.fingerprint ?? ""}`;
  const stale = results ? staleReasons(results, spec, d.data) : [];

  const fit = async () => {
    const { selection, data } = d;
    if (!selection || !data || blocker || fitting) return;
    setFitting(true);
    setFitError(null);
    setActionNotice(null);
    announce("Fitting…");
    try {
      const v = await fitClient.fit(selection.values, spec, selection.address);
      setResults({ view: v, spec, key: specKey(spec), data: { address: data.address, fingerprint: data.fingerprint } });
      announce(`Fitted by ${v.method}: ${v.nObs} observations, ${v.converged ? "converged" : "not converged"}${v.singular ? ", singular" : ""}. Results below.`);
    } catch (e) {
      // the worker no longer holds the previous fit when this one was the same model
      if (results && results.key === specKey(spec)) setResults(null);
      setFitError({ key, notice: { intent: "error", title: "The model could not be fitted", text: errorText(e, spec.formula) } });
      announce("Fit failed: the message is under the Fit button.");
    } finally {
      setFitting(false);
    }
  };

  const write = async (what: "sheet" | "formula", inference?: InferenceForSheet) => {
    if (!results || stale.length > 0) return;
    setBusy(what);
    setActionNotice(null);
    try {
      if (what === "sheet") {
        const { sheetName } = await gateway.createSummarySheet(await fitClient.layout(inference));
        const extra = inferenceWords(inference);
        setActionNotice({ intent: "success", title: "Summary sheet created", text: `Wrote the summary of ${shortFormula(results.spec.formula)} (${results.view.method}), its tables${extra} and three charts to the new sheet "${sheetName}".` });
      } else {
        const { address } = await gateway.insertFormula(results.view.sheetFormula);
        setActionNotice({ intent: "success", title: "Formula inserted", text: `${address}: ${results.view.sheetFormula}` });
      }
    } catch (e) {
      setActionNotice({ intent: "error", title: what === "sheet" ? "No summary sheet" : "No formula inserted", text: errorText(e) });
    } finally {
      setBusy("");
    }
  };

  return { fitting, results, stale, fitNotice: fitError && fitError.key === key ? fitError.notice : null, actionNotice, busy, fit, write };
}
