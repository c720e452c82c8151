/**
 * The task pane: data, model, results, plots, workbook, one card each. The model lives in one
 * reducer that the formula drives (modelState.ts); results remember the model and the data they
 * came from, so that the pane can say when they are out of date. No statistics here: the engine
 * runs in the worker, the workbook is reached only through the WorkbookGateway.
 */
import { useEffect, useMemo, useReducer, useState } from "react";
import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, Title3, tokens } from "@fluentui/react-components";
import type { ModelSpec } from "../engine";
import type { WorkbookGateway } from "../office/gateway";
import type { SampleWorkbook } from "../office/sampleWorkbook";
import { DataCard } from "./components/DataCard";
import { ModelCard } from "./components/ModelCard";
import type { Notice } from "./components/NoticeBar";
import { PlotsCard } from "./components/PlotsCard";
import { ResultsCard } from "./components/ResultsCard";
import { SampleWorkbookCard } from "./components/SampleWorkbookCard";
import { WorkbookCard } from "./components/WorkbookCard";
import type { FitClient } from "./fitClient";
import type { FitView } from "./fitService";
import { readFormula, shortMessage } from "./formulaModel";
import { DataInfo, describeData } from "./model";
import { conflictOf, fitBlocker, INITIAL_MODEL, modelReducer, modelSpec, specKey } from "./modelState";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: "12px", padding: "12px", maxWidth: "560px", margin: "0 auto", boxSizing: "border-box", minWidth: 0 },
  header: { display: "flex", flexDirection: "column", gap: "2px" },
  small: { color: tokens.colorNeutralForeground3 },
  hidden: { position: "absolute", width: "1px", height: "1px", overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" },
});

/** A fit and what it came from. */
interface Results {
  view: FitView;
  spec: ModelSpec;
  key: string;
  data: { address: string; fingerprint: string };
}

export interface AppProps {
  gateway: WorkbookGateway;
  fitClient: FitClient;
  /** Set when running outside Excel: the sample workbook (shown) and why. */
  sample?: { workbook: SampleWorkbook; reason?: string };
}

/** What changed between the model of the results and the model now. */
function staleReasons(r: Results, spec: ModelSpec, data: DataInfo | null): string[] {
  const out: string[] = [];
  if (r.spec.formula !== spec.formula) out.push("the formula");
  if ((r.spec.method ?? "REML") !== (spec.method ?? "REML")) out.push("the method");
  if (JSON.stringify([r.spec.groups, r.spec.reFormula, r.spec.vcFormula]) !== JSON.stringify([spec.groups, spec.reFormula, spec.vcFormula])) out.push("the random effects");
  if (!data || data.fingerprint !== r.data.fingerprint) out.push("the data");
  return out;
}

/** The statsmodels-style random effects of a spec in a few words ("" for lme4 terms, which the formula shows). */
function randomInWords(spec: ModelSpec): string {
  if (!spec.groups) return "";
  const parts = [`groups ${spec.groups}`];
  if (spec.reFormula) parts.push(`re_formula ${spec.reFormula}`);
  const vc = Object.keys(spec.vcFormula ?? {});
  if (vc.length > 0) parts.push(`variance components ${vc.join(", ")}`);
  return parts.join(", ");
}

function errorText(e: unknown, formula?: string): string {
  const message = e instanceof Error ? e.message : String(e);
  return shortMessage(message, formula);
}

export function App({ gateway, fitClient, sample }: AppProps) {
  const styles = useStyles();
  const [model, dispatch] = useReducer(modelReducer, INITIAL_MODEL);
  const [selection, setSelection] = useState<{ address: string; values: unknown[][] } | null>(null);
  const [data, setData] = useState<DataInfo | null>(null);
  const [dataNotice, setDataNotice] = useState<Notice>(null);
  const [reading, setReading] = useState(false);
  const [fitting, setFitting] = useState(false);
  const [results, setResults] = useState<Results | null>(null);
  // a fit error belongs to the model and data it was raised on: it goes when they change
  const [fitError, setFitError] = useState<{ notice: Notice; key: string } | null>(null);
  const [actionNotice, setActionNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState<"" | "sheet" | "formula">("");
  const [announcement, setAnnouncement] = useState("");

  const view = useMemo(() => readFormula(model.formula, model.columns), [model.formula, model.columns]);
  const spec = useMemo(() => modelSpec(model), [model]);
  const currentKey = `${specKey(spec)}|${data?.fingerprint ?? ""}`;
  const conflict = conflictOf(model, view);
  const blocker = fitBlocker(model, view, data !== null);
  const stale = results ? staleReasons(results, spec, data) : [];

  const useSelection = async () => {
    setReading(true);
    setDataNotice(null);
    try {
      const sel = await gateway.readSelectionOrRegion();
      const info = describeData(sel.address, sel.values);
      setSelection(sel);
      setData(info);
      dispatch({ type: "data", columns: info.columns.map((c) => c.name) });
    } catch (e) {
      setDataNotice({ intent: "error", title: "Cannot use the selection", text: errorText(e) });
    } finally {
      setReading(false);
    }
  };

  const fit = async () => {
    if (!selection || !data || blocker || fitting) return;
    setFitting(true);
    setFitError(null);
    setActionNotice(null);
    setAnnouncement("Fitting…");
    try {
      const v = await fitClient.fit(selection.values, spec, selection.address);
      setResults({ view: v, spec, key: specKey(spec), data: { address: data.address, fingerprint: data.fingerprint } });
      setAnnouncement(`Fitted by ${v.method}: ${v.nObs} observations, ${v.converged ? "converged" : "not converged"}${v.singular ? ", singular" : ""}. Results below.`);
    } catch (e) {
      // the worker no longer holds the previous fit when this one was the same model
      if (results && results.key === specKey(spec)) setResults(null);
      setFitError({ key: currentKey, notice: { intent: "error", title: "The model could not be fitted", text: errorText(e, spec.formula) } });
      setAnnouncement("Fit failed: the message is under the Fit button.");
    } finally {
      setFitting(false);
    }
  };

  const write = async (what: "sheet" | "formula") => {
    if (!results || stale.length > 0) return;
    setBusy(what);
    setActionNotice(null);
    try {
      if (what === "sheet") {
        const { sheetName } = await gateway.createSummarySheet(await fitClient.layout());
        setActionNotice({ intent: "success", title: "Summary sheet created", text: `Wrote the summary of ${results.spec.formula} (${results.view.method}), its tables and three charts to the new sheet "${sheetName}".` });
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

  useEffect(() => {
    document.title = "MixedLM";
  }, []);

  const origin = results ? { formula: results.spec.formula, method: results.view.method, data: results.data.address, random: randomInWords(results.spec) } : null;
  return (
    <main className={styles.root}>
      <header className={styles.header}>
        <Title3 as="h1">MixedLM</Title3>
        <Text size={200} className={styles.small}>
          Linear mixed models, with the numbers of statsmodels and lme4.
        </Text>
      </header>
      {sample ? (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Running outside Excel on a sample workbook (dietox)</MessageBarTitle>
            Open the add-in in Excel to fit your own data{sample.reason ? ` (${sample.reason})` : ""}.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <DataCard data={data} reading={reading} notice={dataNotice} categorical={model.categorical} onUseSelection={useSelection} onCategorical={(column, on) => dispatch({ type: "categorical", column, on })} />
      <ModelCard
        state={model}
        view={view}
        data={data}
        conflict={conflict}
        blocker={blocker}
        fitting={fitting}
        fitNotice={fitError && fitError.key === currentKey ? fitError.notice : null}
        dispatch={dispatch}
        onFit={fit}
      />
      {results && origin ? <ResultsCard view={results.view} origin={origin} staleBecause={stale} /> : null}
      {results ? <PlotsCard plots={results.view.plots} /> : null}
      {results && origin ? (
        <WorkbookCard
          sheetFormula={results.view.sheetFormula}
          model={`${origin.formula.length > 80 ? `${origin.formula.slice(0, 77)}…` : origin.formula}, ${origin.method}${results.spec.groups ? `, groups ${results.spec.groups}` : ""}`}
          stale={stale.length > 0}
          busy={busy}
          notice={actionNotice}
          onCreateSheet={() => write("sheet")}
          onInsertFormula={() => write("formula")}
        />
      ) : null}
      {sample ? <SampleWorkbookCard workbook={sample.workbook} /> : null}
      <Text size={100} className={styles.small}>
        Fits run {fitClient.mode === "worker" ? "in a background worker" : "in the page"}.
      </Text>
      <div role="status" aria-live="polite" className={styles.hidden}>
        {announcement}
      </div>
    </main>
  );
}
