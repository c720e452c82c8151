/**
 * The task pane: data, model, results, plots, workbook, one card each. The model lives in one
 * reducer that the formula drives (modelState.ts); results remember the model and the data they
 * came from, so that the pane can say when they are out of date. No statistics here: the engine
 * runs in the worker, the workbook is reached only through the WorkbookGateway.
 */
import { useEffect, useMemo, useReducer } from "react";
import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, Title3, tokens } from "@fluentui/react-components";
import type { ModelSpec } from "../engine";
import type { WorkbookGateway } from "../office/gateway";
import type { SampleWorkbook } from "../office/sampleWorkbook";
import { DataCard } from "./components/DataCard";
import { ModelCard } from "./components/ModelCard";
import { PlotsCard } from "./components/PlotsCard";
import { ResultsCard } from "./components/ResultsCard";
import { SampleWorkbookCard } from "./components/SampleWorkbookCard";
import { WorkbookCard } from "./components/WorkbookCard";
import type { FitClient } from "./fitClient";
import { readFormula } from "./formulaModel";
import { conflictOf, fitBlocker, INITIAL_MODEL, modelReducer, modelSpec } from "./modelState";
import { useData } from "./useData";
import { shortFormula, useFit } from "./useFit";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", gap: "12px", padding: "12px", maxWidth: "560px", margin: "0 auto", boxSizing: "border-box", minWidth: 0 },
  header: { display: "flex", flexDirection: "column", gap: "2px" },
  small: { color: tokens.colorNeutralForeground3 },
  hidden: { position: "absolute", width: "1px", height: "1px", overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" },
});

export interface AppProps {
  gateway: WorkbookGateway;
  fitClient: FitClient;
  /** Set when running outside Excel: the sample workbook (shown) and why. */
  sample?: { workbook: SampleWorkbook; reason?: string };
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

export function App({ gateway, fitClient, sample }: AppProps) {
  const styles = useStyles();
  const [model, dispatch] = useReducer(modelReducer, INITIAL_MODEL);
  const d = useData(gateway, (columns) => dispatch({ type: "data", columns }));
  const view = useMemo(() => readFormula(model.formula, model.columns), [model.formula, model.columns]);
  const spec = useMemo(() => modelSpec(model), [model]);
  const conflict = conflictOf(model, view);
  const blocker = fitBlocker(model, view, d.data !== null);
  const f = useFit(fitClient, gateway, d, spec, blocker);
  const { results } = f;

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
      <DataCard data={d.data} reading={d.reading} notice={d.notice} categorical={model.categorical} onUseSelection={d.read} onCategorical={(column, on) => dispatch({ type: "categorical", column, on })} />
      <ModelCard
        state={model}
        view={view}
        data={d.data}
        conflict={conflict}
        blocker={blocker}
        fitting={f.fitting}
        fitNotice={f.fitNotice}
        dispatch={dispatch}
        onFit={f.fit}
      />
      {results && origin ? <ResultsCard view={results.view} origin={origin} staleBecause={f.stale} /> : null}
      {results ? <PlotsCard plots={results.view.plots} /> : null}
      {results && origin ? (
        <WorkbookCard
          sheetFormula={results.view.sheetFormula}
          model={`${shortFormula(origin.formula)}, ${origin.method}${origin.random ? `, ${origin.random}` : ""}`}
          stale={f.stale.length > 0}
          busy={f.busy}
          notice={f.actionNotice}
          onCreateSheet={() => f.write("sheet")}
          onInsertFormula={() => f.write("formula")}
        />
      ) : null}
      {sample ? <SampleWorkbookCard workbook={sample.workbook} /> : null}
      <Text size={100} className={styles.small}>
        Fits run {fitClient.mode === "worker" ? "in a background worker" : "in the page"}.
      </Text>
      <div role="status" aria-live="polite" className={styles.hidden}>
        {f.announcement}
      </div>
    </main>
  );
}
