/**
 * More models against lmerTest and pbkrtest, made by scripts/reference/inference/fit_inference_cases.R
 * with tightly converged lme4 fits: unbalanced (sleepstudy with rows removed, ChickWeight),
 * correlated slopes, crossed (Penicillin with rows removed, pig × week, ScotsSec), nested split
 * plots, factor-by-covariate interactions, statsmodels-style variance components (fitted both
 * ways), singular fits (assay_vc, dietox_vc_slope), REML and ML; all three ANOVA types with both
 * df methods. Balanced designs, where theory gives whole numbers, are checked exactly.
 */
import { readdirSync } from "fs";
import { join } from "path";
import { fitModel, ModelSpec } from "../../../src/engine";
import { anovaTable } from "../../../src/engine/inference/anova";
import { contrastTests, fixedEffectTests } from "../../../src/engine/inference/fixedEffectTests";
import { FIXTURES, fixtureTable } from "../../helpers";
import { compareAnova, compareCoefficients, referenceFile } from "./compare";

const ids = readdirSync(join(FIXTURES, "inference", "cases")).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();

describe.each(ids)("%s", (id) => {
  const ref = referenceFile("cases", `${id}.json`);
  const data = fixtureTable(ref.data);
  const specs: [string, ModelSpec][] = [["lme4", { formula: ref.formula }]];
  if (ref.statsmodels) {
    const s = ref.statsmodels;
    specs.push(["statsmodels", { formula: s.formula, groups: s.groups, reFormula: s.re_formula, vcFormula: s.vc_formula }]);
  }
  test.each(specs)("REML (%s style): t tests and ANOVA tables, both methods", (_, spec) => {
    const fit = fitModel(data, spec);
    expect(Math.abs(fit.result.logLik - ref.logLik)).toBeLessThan(1e-5);
    for (const [method, key] of [["satterthwaite", "Satterthwaite"], ["kenward-roger", "Kenward-Roger"]] as const) {
      const tests = contrastTests(fit.core, method);
      compareCoefficients(fixedEffectTests(fit.core, tests), method === "satterthwaite" ? ref.satterthwaite : ref.kenward_roger, key);
      for (const type of [1, 2, 3] as const) compareAnova(anovaTable(fit.core, tests, type).rows, ref.anova[`type${type}_${key}`], `${key} type ${type}`);
    }
  });
  test.each(specs)("ML (%s style): t tests and ANOVA tables with Satterthwaite's df", (_, spec) => {
    const fit = fitModel(data, { ...spec, method: "ML" });
    expect(Math.abs(fit.result.logLik - ref.ml.logLik)).toBeLessThan(1e-5);
    const tests = contrastTests(fit.core, "satterthwaite");
    compareCoefficients(fixedEffectTests(fit.core, tests), ref.ml.satterthwaite, "ML Satterthwaite");
    for (const type of [1, 2, 3] as const) compareAnova(anovaTable(fit.core, tests, type).rows, ref.ml.anova[`type${type}_Satterthwaite`], `ML type ${type}`);
  });
  if (ref.exact) {
    /**
     * Kenward-Roger's df of a balanced design are whole numbers exactly (any θ); Satterthwaite's
     * only at the exact optimum, so they are checked to the fit's convergence (about 1e-6).
     */
    test("balanced: the denominator df are the whole numbers of the classical analysis", () => {
      const fit = fitModel(data, { formula: ref.formula });
      for (const [method, tol] of [["kenward-roger", 1e-11], ["satterthwaite", 1e-5]] as const) {
        const tests = contrastTests(fit.core, method);
        const rows = anovaTable(fit.core, tests, 3).rows;
        const dfs = rows.length > 0 ? rows.map((r) => r.denDF) : fixedEffectTests(fit.core, tests).map((r) => r.df);
        for (const df of dfs) expect(Math.abs(df - Math.round(df))).toBeLessThan(tol * df);
      }
    });
  }
});
