/**
 * The task pane: data, model, then what it shows of a fit (results, plots, comparison, intervals,
 * workbook: FitCards), one card each. The model lives in one reducer that the formula drives
 * (modelState.ts); results remember the model and the data they came from, so that the pane can
 * say when they are out of date. No statistics here: the engine
 * runs in the worker, the workbook is reached only through the WorkbookGateway.
 */
import { useEffect, useMemo, useReducer, useState } from "react";
import { makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, Title3, tokens } from "@fluentui/react-components";
import type { WorkbookGateway } from "../office/gateway";
import type { SampleWorkbook } from "../office/sampleWorkbook";
import { DataCard } from "./components/DataCard";
import { FitCards } from "./components/FitCards";
import { ModelCard } from "./components/ModelCard";
import { SampleWorkbookCard } from "./components/SampleWorkbookCard";
import type { FitClient } from "./fitClient";
import { readFormula } from "./formulaModel";
import { conflictOf, fitBlocker, INITIAL_MODEL, modelReducer, modelSpec } from "./modelState";
import { useData } from "./useData";
import { useFit } from "./useFit";

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

export function App({ gateway, fitClient, sample }: AppProps) {
  const styles = useStyles();
  const [model, dispatch] = useReducer(modelReducer, INITIAL_MODEL);
  const d = useData(gateway, (columns) => dispatch({ type: "data", columns }));
  const view = useMemo(() => readFormula(model.formula, model.columns), [model.formula, model.columns]);
  const spec = useMemo(() => modelSpec(model), [model]);
  const conflict = conflictOf(model, view);
  const blocker = fitBlocker(model, view, d.data !== null);
  const [announcement, announce] = useState("");
  const f = useFit(fitClient, gateway, d, spec, blocker, announce);
  const { results } = f;

  useEffect(() => {
    document.title = "MixedLM";
  }, []);

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
      {results ? (
        <FitCards fitClient={fitClient} results={results} stale={f.stale} columns={model.columns} announce={announce} workbook={{ busy: f.busy, notice: f.actionNotice, write: f.write }} />
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
