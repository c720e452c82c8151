/**
 * What the task pane shows of a fit: a plain-data view (structured-clonable), made in the
 * fitting worker (src/worker/jobs.ts) from the engine's result.
 */
import { defaultDdf } from "../engine";
import type { DdfMethod, MixedLMResult, ModelSpec } from "../engine";
import { coefTable, statsTable, varcompTable } from "../report/tables";
import type { Cell } from "../report/tables";
import { plotData } from "../report/diagnostics";
import type { PlotData } from "../report/diagnostics";
import { randomEffectsSummary } from "../report/randomEffects";
import type { RandomEffectsSummary } from "../report/randomEffects";
import { parseAddress } from "../office/a1";
import { fitFormula } from "../office/fitFormula";

export interface FitView {
  /** The page's number of this fit: inference on it names it (src/worker/paneJobs.ts). */
  fitId: number;
  /** lme4's (bar terms) or statsmodels' (a groups column). */
  style: MixedLMResult["style"];
  /** The coefficient tests shown first: Satterthwaite's df for the lme4 style (as lmerTest prints), null (z tests) for statsmodels' (as statsmodels prints). */
  defaultDdf: DdfMethod | null;
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
  /**
   * Set when that formula would not calculate in Excel: its data are over the 5 MB Excel passes to
   * a custom function (src/functions/limits.ts). The pane should show it beside Insert formula.
   */
  sheetFormulaWarning?: string;
  fitMs: number;
  /** The random-effect variances and covariances in plain words ("Pig: (Intercept)"). */
  randomEffects: RandomEffectsSummary;
  /** The points of the pane's three plots (at most 2,000 each, evenly thinned beyond). */
  plots: PlotData;
}

export function viewOf(r: MixedLMResult, spec: ModelSpec, dataAddress: string, fitMs: number, fitId = 0): FitView {
  return {
    fitId,
    style: r.style,
    defaultDdf: defaultDdf(r.style),
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
