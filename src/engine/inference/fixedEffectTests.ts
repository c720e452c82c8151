/**
 * The entry points of the df methods: the tests of a fitted model (built once, then any number
 * of contrasts at little cost), and the coefficient table with df, t-based p-values and intervals.
 */
import { MixedLMError } from "../errors";
import type { FitCore } from "../fit";
import { ContrastTests, DdfMethod } from "./contrastTests";
import { tQuantile } from "./distributions";
import { fitView } from "./fitView";
import { kenwardRogerTests } from "./kenwardRoger";
import { satterthwaiteTests } from "./satterthwaite";
import { varianceDerivatives } from "./varianceDerivatives";

/** Tests of linear hypotheses on the fixed effects of a fit with the given df method. */
export function contrastTests(core: FitCore, method: DdfMethod): ContrastTests {
  if (method !== "satterthwaite" && method !== "kenward-roger") {
    throw new MixedLMError("option", `Unknown df method "${String(method)}": use satterthwaite or kenward-roger.`);
  }
  const view = fitView(core);
  const d = varianceDerivatives(view);
  return method === "satterthwaite" ? satterthwaiteTests(view, d) : kenwardRogerTests(view, d);
}

export interface FixedEffectTest {
  name: string;
  coef: number;
  /** Kenward-Roger: from the adjusted covariance. */
  stdErr: number;
  df: number;
  t: number;
  p: number;
  ciLow: number;
  ciHigh: number;
}

/** One t test per coefficient (lmerTest's summary table), with intervals from t(df) at `level`. */
export function fixedEffectTests(core: FitCore, tests: ContrastTests, level = 0.95): FixedEffectTest[] {
  const p = core.frame.xNames.length;
  return core.frame.xNames.map((name, a) => {
    const l = new Float64Array(p);
    l[a] = 1;
    const t = tests.tTest(l);
    const half = tQuantile(1 - (1 - level) / 2, t.df) * t.stdErr;
    return { name, coef: t.estimate, stdErr: t.stdErr, df: t.df, t: t.t, p: t.p, ciLow: t.estimate - half, ciHigh: t.estimate + half };
  });
}
