/**
 * The inference layer against lme4 1.1-31: the five cases of ../shared/reference/inference
 * (copied into test/fixtures/inference/shared) and our own (scripts/reference/inference/fit_inference_lme4.R):
 * likelihood-ratio tests, profile and Wald intervals, predictions, of REML and ML fits.
 */
import { compareModels, confint, DataTable, FittedModel, IntervalRow, predictNew } from "../../../src/engine";
import { buildDesign } from "../../../src/engine/design";
import { fixtureTable } from "../../helpers";
import { fitOf, newData, ownCases, Ref, reducedOf, rel, rName, sharedCases } from "./inferenceHelpers";

/** Σ_a |x_a β_a| for each new row: the scale of the sum that makes a population prediction. */
function termSizes(m: FittedModel, data: DataTable): number[] {
  const f = m.core.frame;
  const d = buildDesign(f.fixed, data, f.fixedSource, f.memo, false);
  const cols = f.xNames.map((name) => d.columns.find((c) => c.name === name)!.values);
  return Array.from({ length: data.nRows }, (_, i) => cols.reduce((s, c, a) => s + Math.abs(c[i] * m.core.beta[a]), 0));
}

/** Our row for an R row name ("sd_(Intercept)|Pig", "sigma", "factor(Cu)Cu035"). */
function rowFor(rows: IntervalRow[], name: string): IntervalRow {
  const r = rows.find((x) => x.name === name || rName(x.name) === name);
  if (!r) throw new Error(`no row ${name} among ${rows.map((x) => x.name).join(", ")}`);
  return r;
}

/** Profile bounds within `tol` of the interval's width (2e-2 for correlations, whose profiles lme4's spline follows less well). */
function expectProfile(rows: IntervalRow[], ref: { name: string; "2.5 %": number | null; "97.5 %": number | null }[], tol = 5e-3): void {
  for (const e of ref) {
    const r = rowFor(rows, e.name);
    const width = e["97.5 %"]! - e["2.5 %"]!;
    const t = (e.name.startsWith("cor_") ? Math.max(tol, 2e-2) : tol) * width;
    expect(Math.abs(r.low! - e["2.5 %"]!)).toBeLessThanOrEqual(t);
    expect(Math.abs(r.high! - e["97.5 %"]!)).toBeLessThanOrEqual(t);
  }
}

function expectWald(rows: IntervalRow[], ref: { name: string; "2.5 %": number | null; "97.5 %": number | null }[], tol = 1e-5): void {
  for (const e of ref) {
    const r = rowFor(rows, e.name);
    if (e["2.5 %"] === null) { expect(r.low).toBeNull(); expect(r.high).toBeNull(); continue; }
    expect(rel(r.low!, e["2.5 %"]!)).toBeLessThan(tol);
    expect(rel(r.high!, e["97.5 %"]!)).toBeLessThan(tol);
  }
}

function expectLrt(rows: ReturnType<typeof compareModels>["rows"], lrt: Ref[]): void {
  expect(rows.map((r) => r.npar)).toEqual(lrt.map((r) => r.npar));
  rows.forEach((r, i) => {
    expect(rel(r.deviance, lrt[i].deviance)).toBeLessThan(1e-7);
    expect(rel(r.aic, lrt[i].AIC)).toBeLessThan(1e-7);
    expect(rel(r.bic, lrt[i].BIC)).toBeLessThan(1e-7);
    if (lrt[i].Chisq === null) { expect(r.chisq).toBeNull(); return; }
    expect(Math.abs(r.chisq! - lrt[i].Chisq)).toBeLessThanOrEqual(2e-4 * Math.max(1, lrt[i].Chisq));
    expect(r.df).toBe(lrt[i].Df);
    const p = lrt[i]["Pr(>Chisq)"];
    if (p === 0) expect(r.p!).toBeLessThan(1e-300);
    else expect(Math.abs(r.p! - p) / p).toBeLessThan(1e-3);
  });
}

describe.each(sharedCases().map((c) => [c.id, c] as [string, Ref]))("shared reference %s", (_, ref) => {
  test("LRT against the reduced model, both refitted by ML", () => {
    const c = compareModels(fixtureTable(ref.data), { formula: ref.formula }, [ref.reduced]);
    expect(c.refitML).toBe(true);
    expectLrt(c.rows, ref.lrt);
  });
  test("profile intervals (lme4 profiles the ML deviance, also for a REML fit)", () => {
    const ci = confint(fitOf(ref), { method: "profile" });
    expect(ci.criterion).toBe("ML");
    expectProfile(ci.rows, ref.confint_profile);
  });
  test("Wald intervals", () => expectWald(confint(fitOf(ref), { method: "wald" }).rows, ref.confint_wald));
  test("predictions on new rows, population and conditional (new levels get 0)", () => {
    const p = predictNew(fitOf(ref), newData(ref));
    ref.predict_population.forEach((v: number, i: number) => expect(rel(p.population[i], v)).toBeLessThan(1e-6));
    ref.predict_conditional.forEach((v: number, i: number) => expect(rel(p.conditional![i], v)).toBeLessThan(1e-6));
  });
  test("ML fit: log-likelihood and profile intervals", () => {
    const m = fitOf(ref, "ML");
    expect(Math.abs(m.result.logLik - ref.ml.logLik)).toBeLessThan(1e-6);
    expectProfile(confint(m, { method: "profile" }).rows, ref.ml.confint_profile);
  });
});

describe.each(ownCases().map((c) => [c.id, c] as [string, Ref]))("own reference %s", (_, ref) => {
  const table = () => fixtureTable(ref.data);
  test("LRT, refitted by ML (models fewest parameters first, each against the one above)", () => {
    const c = compareModels(table(), { formula: ref.formula, method: ref.method }, reducedOf(ref));
    expectLrt(c.rows, ref.lrt);
    if (ref.nCommonRows) {
      expect(c.nObs).toBe(ref.nCommonRows);
      expect(c.notes.join(" ")).toMatch(/different rows/);
    }
  });
  if (ref.lrt_norefit) {
    test("LRT of REML fits, not refitted (only where the fixed effects are the same)", () => {
      const c = compareModels(table(), { formula: ref.formula, method: ref.method }, reducedOf(ref), { refit: false });
      expect(c.refitML).toBe(false);
      c.rows.forEach((r, i) => {
        expect(rel(r.deviance, ref.lrt_norefit[i].deviance)).toBeLessThan(1e-7);
        if (i === 0) return;
        // lme4 computes a χ² for any pair; REML criteria of different fixed effects are not comparable
        if (r.message) expect(r.message).toMatch(/fixed effects are the same/);
        else expect(Math.abs(r.chisq! - ref.lrt_norefit[i].Chisq)).toBeLessThanOrEqual(2e-4 * Math.max(1, ref.lrt_norefit[i].Chisq));
      });
    });
  }
  test("profile intervals of the fit", () => expectProfile(confint(fitOf(ref), { method: "profile" }).rows, ref.confint_profile));
  if (ref.confint_profile_90) {
    test("profile intervals at level 0.90", () => expectProfile(confint(fitOf(ref), { method: "profile", level: 0.9 }).rows, ref.confint_profile_90.map((e: Ref) => ({ name: e.name, "2.5 %": e["5 %"], "97.5 %": e["95 %"] }))));
  }
  // lme4's default optimiser can stop where these numbers are still 1e-6 (sleepstudy, ML) to 4%
  // (ChickWeight's slope, a correlation of -0.98: the conditional predictions) from the optimum,
  // and the engine's log-likelihood is then the higher one. The same fit by lme4 with a tight
  // optimiser (ref.tight) is the reference for Wald intervals and predictions.
  test("the fit reaches lme4's optimum (tight optimiser) or beyond it", () => {
    expect(fitOf(ref).result.logLik).toBeGreaterThan(ref.tight.logLik - 1e-8);
  });
  test("Wald intervals", () => expectWald(confint(fitOf(ref), { method: "wald" }).rows, ref.tight.confint_wald));
  test("predictions and the population prediction's standard error", () => {
    const m = fitOf(ref);
    const p = predictNew(m, newData(ref));
    const t = ref.tight;
    // relative to the size of the terms x_a β_a that make the prediction (airquality's -5.9 is 74 - 80)
    const size = termSizes(m, newData(ref));
    t.predict_population.forEach((v: number, i: number) => expect(Math.abs(p.population[i] - v) / Math.max(1, size[i])).toBeLessThan(1e-6));
    t.predict_conditional.forEach((v: number, i: number) => expect(Math.abs(p.conditional![i] - v) / Math.max(1, size[i])).toBeLessThan(1e-6));
    t.predict_se.forEach((v: number, i: number) => expect(Math.abs(p.seFixed[i] - v) / v).toBeLessThan(1e-5));
  });
  if (ref.ml) {
    test("ML fit: log-likelihood and profile intervals", () => {
      const m = fitOf(ref, "ML");
      expect(Math.abs(m.result.logLik - ref.ml.logLik)).toBeLessThan(1e-6);
      // lme4's profile of ChickWeight's ML fit stops with an error (its REML profile is there)
      if (Array.isArray(ref.ml.confint_profile)) expectProfile(confint(m, { method: "profile" }).rows, ref.ml.confint_profile);
    });
  }
  if (ref.ml?.confint_profile_fine) {
    test("where lme4's default grid misses the bound, a ten times finer grid agrees with the root finding", () => {
      expectProfile(confint(fitOf(ref, "ML"), { method: "profile" }).rows, ref.ml.confint_profile_fine, 2e-4);
    });
  }
});
