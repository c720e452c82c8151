/**
 * Everything the pane shows of a fit: its results (coefficients with their tests, the ANOVA
 * table, random effects, statistics), the plots, the comparison with a simpler model, the
 * intervals, and the way to the workbook. The inference on the fit lives here (useInference), so
 * it comes and goes with the fit; while the model being edited differs from the fitted one, all
 * of it is marked out of date and nothing new is computed on it.
 */
import { memo } from "react";
import type { FitClient } from "../fitClient";
import { paneInference } from "../inferenceState";
import { randomInWords } from "../simplerModels";
import { InferenceForSheet, Results, shortFormula } from "../useFit";
import { useInference } from "../useInference";
import { AnovaTable } from "./AnovaTable";
import { CoefficientsTable } from "./CoefficientsTable";
import { CompareCard } from "./CompareCard";
import { IntervalsCard } from "./IntervalsCard";
import type { Notice } from "./NoticeBar";
import { PlotsCard } from "./PlotsCard";
import { ResultsCard } from "./ResultsCard";
import { WorkbookCard } from "./WorkbookCard";

/** The plots do not change while a job reports progress ten times a second: drawn once per fit. */
const Plots = memo(PlotsCard);

/** Why inference waits while the results are out of date. */
const FIT_AGAIN = "Fit the model as it now stands first: these belong to the results above.";

export interface FitCardsProps {
  fitClient: FitClient;
  results: Results;
  /** What changed since the fit ([] when the results are current). */
  stale: string[];
  /** The data's columns (to read the fitted formula). */
  columns: string[];
  announce: (text: string) => void;
  workbook: { busy: "" | "sheet" | "formula"; notice: Notice; write: (what: "sheet" | "formula", inference?: InferenceForSheet) => void };
}

export function FitCards({ fitClient, results, stale, columns, announce, workbook }: FitCardsProps) {
  const { view, spec } = results;
  const inf = useInference(fitClient, view, announce);
  const locked = stale.length > 0 ? FIT_AGAIN : null;
  const origin = { formula: spec.formula, method: view.method, data: results.data.address, random: randomInWords(spec) };
  return (
    <>
      <ResultsCard
        view={view}
        origin={origin}
        staleBecause={stale}
        fixedEffects={
          <>
            <CoefficientsTable coef={view.coef} ddf={inf.state.ddf} tests={inf.state.coef} onDdf={inf.setDdf} locked={locked} />
            <AnovaTable type={inf.state.anovaType} job={inf.state.anova} onType={inf.setAnovaType} locked={locked} />
          </>
        }
      />
      <Plots plots={view.plots} />
      <CompareCard key={view.fitId} spec={spec} columns={columns} job={inf.state.compare} locked={locked} stale={locked !== null} onCompare={inf.compare} />
      <IntervalsCard job={inf.state.intervals} locked={locked} stale={locked !== null} onCompute={inf.intervals} onCancel={() => inf.cancel("intervals")} />
      <WorkbookCard
        sheetFormula={view.sheetFormula}
        sheetFormulaWarning={view.sheetFormulaWarning}
        model={`${shortFormula(origin.formula)}, ${origin.method}${origin.random ? `, ${origin.random}` : ""}`}
        stale={locked !== null}
        busy={workbook.busy}
        notice={workbook.notice}
        onCreateSheet={() => workbook.write("sheet", paneInference(inf.state) ?? undefined)}
        onInsertFormula={() => workbook.write("formula")}
      />
    </>
  );
}
