/**
 * Wald intervals, as lme4's confint(method = "Wald"): estimate ± z × standard error for the
 * fixed effects (the standard errors the model's summary shows), null for the variance
 * parameters, whose sampling distributions are too skewed for a symmetric interval.
 */
import { normalQuantile } from "../distributions";
import { FitCore } from "../fit";
import type { MixedLMResult } from "../results";
import { covBlocks, sdcorValues, varianceParameters } from "./parameters";
import type { IntervalRow } from "./profile";
import { quantities } from "./view";

export function waldIntervals(result: MixedLMResult, core: FitCore, level = 0.95): IntervalRow[] {
  const z = normalQuantile((1 + level) / 2);
  const blocks = covBlocks(core.frame);
  const params = varianceParameters(blocks);
  const q = quantities(core);
  const values = sdcorValues(blocks, params, q.theta, q.sigma);
  const names = [...params.map((p) => p.name), "sigma"];
  const rows: IntervalRow[] = names.map((name, k) => ({ name, estimate: values[k], low: null, high: null }));
  for (const fe of result.fixedEffects) {
    rows.push({ name: fe.name, estimate: fe.coef, low: fe.coef - z * fe.stdErr, high: fe.coef + z * fe.stdErr });
  }
  return rows;
}
