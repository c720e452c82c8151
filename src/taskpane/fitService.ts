/**
 * The fitting side of the task pane, run in the Web Worker (fit.worker.ts) or, when no worker
 * can be created, in the page itself. It holds the last fit so that the summary sheet's layout
 * is computed only when asked for. Everything it returns is plain data (structured-clonable).
 */
import { DataTable, fitMixedModel, isMixedLMError } from "../engine";
import type { MixedLMResult, ModelSpec } from "../engine";
import { coefTable, statsTable, varcompTable } from "../report/tables";
import type { Cell } from "../report/tables";
import { plotData } from "../report/diagnostics";
import type { PlotData } from "../report/diagnostics";
import { randomEffectsSummary } from "../report/randomEffects";
import type { RandomEffectsSummary } from "../report/randomEffects";
import { parseAddress } from "../office/a1";
import { fitFormula } from "../office/fitFormula";
import { summaryLayout } from "../office/layout";
import type { SummaryLayout } from "../office/layout";

export interface FitView {
  formula: string;
  method: "REML" | "ML";
  nObs: number;
  nDropped: number;
  converged: boolean;
  singular: boolean;
  warnings: string[];
  stats: Cell[][];
  coef: Cell[][];
  varcomp: Cell[][];
  /** The worksheet formula that fits the same model. */
  sheetFormula: string;
  fitMs: number;
  /** The random-effect variances and covariances in plain words ("Pig: (Intercept)"). */
  randomEffects: RandomEffectsSummary;
  /** The points of the pane's three plots (at most 2,000 each, evenly thinned beyond). */
  plots: PlotData;
}

export type FitRequest =
  | { id: number; type: "fit"; rows: unknown[][]; spec: ModelSpec; dataAddress: string }
  | { id: number; type: "layout" };

export type FitResponse =
  | { id: number; ok: true; type: "fit"; view: FitView }
  | { id: number; ok: true; type: "layout"; layout: SummaryLayout }
  | { id: number; ok: false; error: { message: string; kind: string } };

export class FitService {
  private last: { result: MixedLMResult; spec: ModelSpec; dataAddress: string } | null = null;

  handle(req: FitRequest): FitResponse {
    try {
      if (req.type === "fit") {
        this.last = null;
        const t0 = Date.now();
        // conditional SDs for the summary sheet's caterpillar plot
        const result = fitMixedModel(DataTable.fromRows(req.rows), req.spec, { conditionalVariances: true });
        const fitMs = Date.now() - t0;
        this.last = { result, spec: req.spec, dataAddress: req.dataAddress };
        return { id: req.id, ok: true, type: "fit", view: viewOf(result, req.spec, req.dataAddress, fitMs) };
      }
      if (!this.last) return { id: req.id, ok: false, error: { kind: "state", message: "Fit a model first." } };
      return { id: req.id, ok: true, type: "layout", layout: summaryLayout(this.last.result, this.last.spec, this.last.dataAddress) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { id: req.id, ok: false, error: { kind: isMixedLMError(e) ? e.kind : "internal", message } };
    }
  }
}

export function viewOf(r: MixedLMResult, spec: ModelSpec, dataAddress: string, fitMs: number): FitView {
  return {
    formula: r.formula,
    method: r.method,
    nObs: r.nObs,
    nDropped: r.nDropped,
    converged: r.converged,
    singular: r.singular,
    warnings: [...r.warnings, ...(r.converged ? [] : ["The optimizer did not reach a proper minimum: the estimates may be unreliable."])],
    stats: statsTable(r).filter((row) => row[0] !== "Warnings"),
    coef: coefTable(r),
    varcomp: varcompTable(r),
    sheetFormula: fitFormula(dataAddress, spec),
    fitMs,
    randomEffects: randomEffectsSummary(r),
    plots: panePlots(r, dataAddress),
  };
}

/** The plots' data, each point with its row in the data sheet when the address is known. */
function panePlots(r: MixedLMResult, dataAddress: string): PlotData {
  const at = parseAddress(dataAddress);
  return at ? plotData(r, (i) => at.row + 2 + i, "Row") : plotData(r, (i) => i + 1, "Data row");
}
