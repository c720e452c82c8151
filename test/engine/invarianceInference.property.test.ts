/**
 * The inference does not depend on the location and unit of the response or of a covariate
 * either (issue 9), on the generated data sets and models of invarianceCases.ts, with fast-check
 * and a fixed seed (INVARIANCE_SEED, INVARIANCE_RUNS run it wider):
 *  - t tests with Satterthwaite's and Kenward-Roger's df: the transformed fit's test of β'_j is
 *    the original fit's test of the contrast that β'_j is (row j of the map β' = Mβ + shift):
 *    the same df, t and p, the standard error mapped;
 *  - lmerTest's ANOVA tables of types I, II and III: each row's F, NumDF and DenDF are the
 *    original fit's F test of the row's hypothesis mapped (L' M), and a row whose hypothesis the
 *    transform leaves alone (every row of type I; of types II and III, every row but those of a
 *    term that lacks a shifted covariate marginal to a term that has it) is the original row;
 *  - likelihood-ratio tests against a nested model: the same χ², df and p, log-likelihoods moved
 *    by their known constant;
 *  - Wald and profile intervals: the bounds mapped, for every parameter the transform maps on
 *    its own (a coefficient β'_j = M_jj β_j + shift_j; a standard deviation, a correlation, σ);
 *    a profile's bounds to 1e-5 (fixed effects) and 1e-4 (variance parameters) of the interval,
 *    what refits minimised to the optimiser's tolerance give, on models with fewer effects than
 *    rows and fits that are not singular (there the profile's inner minimum has several branches);
 *  - predictions on new rows (one in a group the fit has not seen): mapped, standard errors too.
 */
import fc from "fast-check";
import {
  anovaOf, coefficientTests, compareModels, confint, ContrastTests, DataTable, dfTests, fitModel, FittedModel, isMixedLMError, ModelSpec, predictNew, varianceStdErrors,
} from "../../src/engine";
import { anovaHypotheses, AnovaType } from "../../src/engine/inference/anovaContrasts";
import { ExpectedFit, expectedFit, nameParts } from "./mappedFit";
import {
  assertProperty, Case, caseName, caseOf, Data, dataParams, identifiable, makeData, makeTransform, ModelCase, MODELS, sameRefusal, sd, SEED, storageLoss, table,
} from "./invarianceCases";

type Method = "REML" | "ML";

/** A transform of the response or of one of the model's covariates (shifted only where the model allows). */
const caseArbitrary = fc.tuple(
  fc.constantFrom(...MODELS), fc.nat(), fc.constantFrom<Method>("REML", "ML"),
  fc.double({ min: -8, max: 8, noNaN: true }), fc.boolean(), fc.option(fc.double({ min: -2, max: 8, noNaN: true }), { freq: 2 }), fc.boolean(),
);

function pickCase(d: Data, model: ModelCase, pick: number, e: number, neg: boolean, eb: number | null, bNeg: boolean): Case {
  const columns = [model.response, ...model.covariates];
  const column = columns[pick % columns.length];
  if (column === "yp") return caseOf(model, makeTransform("yp", e, false, null, false, 1, 0));
  // y × a with |a| from 1e-150 to 1e150: the variances' units then run from 1e-300 to 1e300
  if (column === "y") return caseOf(model, makeTransform("y", e * 18.75, neg, eb, bNeg, sd(d.y), 1e12));
  const shift = model.shiftable.includes(column) ? eb : null;
  return caseOf(model, makeTransform(column, e, neg, shift, bNeg, sd(d[column]), 1e9));
}

const fitOf = (d: Data, c: Case | null, model: ModelCase, m: Method): FittedModel => fitModel(table(d, c ? c.data : null), { ...model.spec, method: m } as ModelSpec);

/** Compares two numbers against a scale; a line for the report when they differ. */
class Problems {
  readonly lines: string[] = [];
  constructor(private readonly rel: number) {}
  near(what: string, got: number, want: number, scale: number, rel = this.rel): void {
    if (got === want || Math.abs(got - want) <= rel * scale) return;
    this.lines.push(`${what}: got ${got}, want ${want} (|Δ| ${Math.abs(got - want).toExponential(2)} > ${(rel * scale).toExponential(2)})`);
  }
  same(what: string, got: unknown, want: unknown): void {
    if (JSON.stringify(got) !== JSON.stringify(want)) this.lines.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/** l' M: a contrast over the transformed coefficients as one over the original ones. */
const mapRow = (l: ArrayLike<number>, M: number[][]) => M[0].map((_, j) => M.reduce((s, row, i) => s + l[i] * row[j], 0));

/** A coefficient the transform maps on its own: β'_j = M_jj β_j + shift_j. */
const alone = (M: number[][], j: number) => M[j].every((v, k) => k === j || v === 0);

/** Runs f on the original and the transformed fit; when the original is refused, the transformed must be refused alike. */
function withFits(d: Data, model: ModelCase, m: Method, c: Case, f: (o: FittedModel, t: FittedModel, want: ExpectedFit, p: Problems) => void): string[] {
  const refused = sameRefusal(() => fitOf(d, null, model, m), () => fitOf(d, c, model, m));
  if (refused !== null) return refused;
  const o = fitOf(d, null, model, m);
  fc.pre(identifiable(o.result));
  const t = fitOf(d, c, model, m);
  const p = new Problems(1e-6 + 1e3 * storageLoss(d, c));
  f(o, t, expectedFit(o.result, c.fit), p);
  return p.lines;
}

/** t tests of every coefficient: the original's test of the contrast each transformed coefficient is. */
function checkTTests(o: FittedModel, t: FittedModel, ot: ContrastTests, tt: ContrastTests, want: ExpectedFit, p: Problems, label: string): void {
  coefficientTests(t, tt).forEach((row, j) => {
    const e = ot.tTest(want.fixedMap[j]);
    const estimate = e.estimate + want.shift[j];
    p.near(`${label} df ${row.name}`, row.df, e.df, e.df);
    p.near(`${label} SE ${row.name}`, row.stdErr, e.stdErr, e.stdErr);
    p.near(`${label} estimate ${row.name}`, row.coef, estimate, Math.abs(estimate) + e.stdErr);
    p.near(`${label} t ${row.name}`, row.t, estimate / e.stdErr, 1 + Math.abs(row.t));
  });
  void o;
}

/** Terms whose type II/III hypothesis a shift of `column` changes: those without it, marginal to a term with it. */
function movedTerms(terms: string[], column: string): Set<string> {
  const parts = (term: string) => new Set(nameParts(term).map((q) => q.replace(/^C\((.*)\)$/, "$1")));
  return new Set(terms.filter((a) => {
    const pa = parts(a);
    return !pa.has(column) && terms.some((b) => { const pb = parts(b); return pb.has(column) && [...pa].every((q) => pb.has(q)) && pb.size > pa.size; });
  }));
}

function checkAnova(o: FittedModel, t: FittedModel, ot: ContrastTests, tt: ContrastTests, want: ExpectedFit, c: Case, type: AnovaType, p: Problems, label: string): void {
  const got = anovaOf(t, type, tt), orig = anovaOf(o, type, ot);
  const hyp = anovaHypotheses(t.core, type);
  const shifted = c.fit.column !== "y" && c.fit.b !== 0;
  const moved = shifted && type !== 1 ? movedTerms(got.rows.map((r) => r.term), c.fit.column) : new Set<string>();
  p.same(`${label} type ${type} terms`, got.rows.map((r) => r.term), orig.rows.map((r) => r.term));
  got.rows.forEach((row, k) => {
    const L = hyp.find((h) => h.term === row.term)!.L.map((l) => mapRow(l, want.fixedMap));
    const e = ot.fTest(L);
    const what = `${label} type ${type} ${row.term}`;
    p.same(`${what} NumDF`, row.numDF, e.numDF);
    p.near(`${what} F`, row.F, e.F, row.F);
    // Mean Sq = F σ²: the original's × a² under y → a y + b, as it is under a covariate's change
    const a2 = c.fit.column === "y" ? c.fit.a * c.fit.a : 1;
    p.near(`${what} Mean Sq`, row.meanSq / a2, e.meanSq, e.meanSq);
    p.near(`${what} Sum Sq`, row.sumSq / a2, e.sumSq, e.sumSq);
    p.near(`${what} DenDF`, row.denDF, e.denDF, e.denDF);
    if (moved.has(row.term)) return;
    const r = orig.rows[k];
    p.same(`${what} NumDF (original)`, row.numDF, r.numDF);
    p.near(`${what} F (original)`, row.F, r.F, r.F);
    p.near(`${what} DenDF (original)`, row.denDF, r.denDF, r.denDF);
  });
}

/** Expected interval bounds of a parameter row under the transform, or null when it does not map on its own. */
function mappedBounds(name: string, low: number, high: number, want: ExpectedFit, c: Case, fixedNames: string[], model: ModelCase, allRows: string[]): [number, number] | null {
  const j = fixedNames.indexOf(name);
  const sorted = (a: number, b: number): [number, number] => (a <= b ? [a, b] : [b, a]);
  if (j >= 0) {
    if (!alone(want.fixedMap, j)) return null;
    const m = want.fixedMap[j][j], s = want.shift[j];
    return sorted(m * low + s, m * high + s);
  }
  const t = c.fit;
  if (name === "sigma") return t.column === "y" ? [Math.abs(t.a) * low, Math.abs(t.a) * high] : [low, high];
  const parsed = /^(sd|cor)_(.*)\|(.*)$/.exec(name);
  if (!parsed) return null;
  const [, kind, effects, group] = parsed;
  if (t.column === "y") return kind === "sd" ? [Math.abs(t.a) * low, Math.abs(t.a) * high] : [low, high];
  const involves = (e: string) => nameParts(model.aliases?.[e] ?? e).includes(t.column);
  // a shift moves the intercept's variance and its covariances in every term of that group that holds the covariate
  const effectsOf = (r: string) => { const m = /^(?:sd|cor)_(.*)\|(.*)$/.exec(r); return m && m[2] === group ? m[1].split(".") : []; };
  if (t.b !== 0 && allRows.some((r) => effectsOf(r).some(involves))) return null;
  if (kind === "sd") return involves(effects) ? [low / Math.abs(t.a), high / Math.abs(t.a)] : [low, high];
  const [e1, e2] = effects.split(".");
  return involves(e1) !== involves(e2) && t.a < 0 ? [-high, -low] : [low, high];
}

function checkIntervals(o: FittedModel, t: FittedModel, want: ExpectedFit, c: Case, model: ModelCase, method: "wald" | "profile", p: Problems, label: string): void {
  const fixedNames = o.result.fixedEffects.map((f) => f.name);
  const sdRows = confint(o, { method: "wald" }).rows.map((r) => r.name);
  const which = method === "profile" ? ["sigma", ...sdRows.filter((r) => r.startsWith("sd_")).slice(0, 1), ...fixedNames.filter((_, j) => alone(want.fixedMap, j)).slice(0, 2)] : undefined;
  const a = confint(o, { method, which }), b = confint(t, { method, which });
  p.same(`${label} ${method} rows`, b.rows.map((r) => r.name), a.rows.map((r) => r.name));
  b.rows.forEach((row, k) => {
    const r = a.rows[k];
    // a parameter the transform does not map on its own (an intercept's sd under a shift) has other bounds
    if (!mappedBounds(row.name, 0, 1, want, c, fixedNames, model, a.rows.map((x) => x.name))) return;
    // the estimate, mapped as a bound is; but on a singular fit, whose sds at zero (1e-22 of σ)
    // and correlations there have no relative accuracy
    const [estimate] = mappedBounds(row.name, r.estimate, r.estimate, want, c, fixedNames, model, a.rows.map((x) => x.name))!;
    const j = fixedNames.indexOf(row.name);
    if (j >= 0) p.near(`${label} ${method} ${row.name} estimate`, row.estimate, estimate, Math.abs(estimate) + want.fixed[j].se);
    else if (!o.result.singular) p.near(`${label} ${method} ${row.name} estimate`, row.estimate, estimate, Math.max(Math.abs(estimate), row.name.startsWith("cor_") ? 1 : 0));
    // a bound the profile did not reach is null on both sides; the other one is compared
    if ((r.low === null) !== (row.low === null) || (r.high === null) !== (row.high === null)) { p.same(`${label} ${method} ${row.name} bounds`, [row.low, row.high], [r.low, r.high]); return; }
    if (r.low === null && r.high === null) return;
    const bounds = mappedBounds(row.name, r.low ?? NaN, r.high ?? NaN, want, c, fixedNames, model, a.rows.map((x) => x.name));
    if (!bounds) return;
    const scale = Math.abs(bounds[0]) + Math.abs(bounds[1]);
    // a profile's refits are minimised to the optimiser's tolerance, not polished: along a flat
    // ridge (an intercept and a slope on x far from zero) a variance's bound moves by 1e-5
    const rel = method === "wald" ? undefined : fixedNames.includes(row.name) ? 1e-5 + p["rel"] : 1e-4 + p["rel"];
    const scaleOf = Number.isFinite(scale) ? scale : Math.abs(Number.isFinite(bounds[0]) ? bounds[0] : bounds[1]);
    if (Number.isFinite(bounds[0])) p.near(`${label} ${method} ${row.name} low`, row.low ?? NaN, bounds[0], scaleOf, rel);
    if (Number.isFinite(bounds[1])) p.near(`${label} ${method} ${row.name} high`, row.high ?? NaN, bounds[1], scaleOf, rel);
  });
}

function checkComparison(d: Data, o: FittedModel, c: Case, model: ModelCase, m: Method, p: Problems): void {
  const full = { ...model.spec, method: m } as ModelSpec;
  const a = compareModels(table(d, null), full, [model.reduced]);
  const b = compareModels(table(d, c.data), full, [model.reduced]);
  const n = o.result.nObs;
  // the comparison's criterion is ML (REML fits are refitted): y → a y + b moves log L by −n log|a|
  const shift = c.fit.column === "y" ? -n * Math.log(Math.abs(c.fit.a)) : 0;
  b.rows.forEach((row, k) => {
    const r = a.rows[k];
    p.near(`LRT logLik ${row.formula}`, row.logLik, r.logLik + shift, 1 + Math.abs(r.logLik), 1e-6 + p["rel"] / 10);
    if (r.chisq === null || row.chisq === null) { p.same(`LRT χ² ${row.formula}`, row.chisq, r.chisq); return; }
    p.near(`LRT χ² ${row.formula}`, row.chisq, r.chisq, 1 + r.chisq, 1e-5 + p["rel"]);
    p.same(`LRT df ${row.formula}`, row.df, r.df);
    p.near(`LRT p ${row.formula}`, row.p!, r.p!, 1, 1e-5 + p["rel"]);
  });
}

function checkPredictions(d: Data, o: FittedModel, t: FittedModel, c: Case, p: Problems): void {
  const rows = (tr: Case | null) => {
    const tab = table(d, tr ? tr.data : null);
    const header = ["y", "yp", "x", "z", "g", "h"];
    const out: (string | number)[][] = [header];
    for (let i = 0; i < Math.min(6, tab.nRows); i++) out.push(header.map((h) => (h === "g" && i === 5 ? "gNEW" : (tab.column(h).kind === "numeric" ? Number(tab.label(h, i)) : tab.label(h, i)))));
    return DataTable.fromRows(out);
  };
  const a = predictNew(o, rows(null)), b = predictNew(t, rows(c));
  const [m, s] = c.fit.column === "y" ? [c.fit.a, c.fit.b] : [1, 0];
  const resSd = Math.sqrt(o.result.scale) * Math.abs(m);
  const absolute = 8 * Number.EPSILON * (Math.abs(s) + Math.abs(m) * Math.max(...Array.from(a.population, Math.abs)));
  for (let i = 0; i < a.population.length; i++) {
    p.near(`prediction ${i}`, b.population[i], m * a.population[i] + s, resSd + absolute / p["rel"]);
    p.near(`prediction SE ${i}`, b.seFixed[i], Math.abs(m) * a.seFixed[i], Math.abs(m) * a.seFixed[i]);
    if (a.conditional && b.conditional) p.near(`conditional prediction ${i}`, b.conditional[i], m * a.conditional[i] + s, resSd + absolute / p["rel"]);
    else p.same(`conditional prediction ${i}`, b.conditional === null, a.conditional === null);
  }
}

/**
 * The variances' standard errors from the observed information (varianceSE.ts): under y → a y + b
 * every value and standard error is the original's × a², a finite number; under a covariate
 * x → c x (no shift) a row on x's variance divides by c², a covariance with x by c. Under a shift
 * of a covariate in a random term, that group's rows move together (not compared).
 */
function checkVarianceStdErrors(o: FittedModel, t: FittedModel, c: Case, model: ModelCase, p: Problems): void {
  const a = varianceStdErrors(o.core), b = varianceStdErrors(t.core);
  p.same("variance SE rows", b.rows.map((r) => r.name), a.rows.map((r) => r.name));
  const tr = c.fit;
  const involves = (e: string) => nameParts(model.aliases?.[e] ?? e).includes(tr.column);
  const effectsOf = (name: string): { effects: string[]; group: string } | null => {
    const m = /^(var|cov)_(.*)\|(.*)$/.exec(name);
    if (!m) return null;
    return { effects: m[1] === "var" ? [m[2], m[2]] : m[2].split("."), group: m[3] };
  };
  const moved = new Set(tr.column !== "y" && tr.b !== 0 ? a.rows.map((r) => effectsOf(r.name)).filter((x) => x && x.effects.some(involves)).map((x) => x!.group) : []);
  b.rows.forEach((row, k) => {
    const r = a.rows[k];
    const parts = effectsOf(row.name);
    if (parts && moved.has(parts.group)) return;
    // the factor the row is multiplied by: a² (the response), 1 / c per effect that holds x
    const factor = tr.column === "y" ? tr.a * tr.a : parts ? parts.effects.reduce((f, e) => (involves(e) ? f / tr.a : f), 1) : 1;
    const what = `variance SE ${row.name}`;
    if (!Number.isFinite(row.value) || (row.stdErr !== null && !Number.isFinite(row.stdErr))) { p.lines.push(`${what}: not a finite number (${row.value}, ${row.stdErr})`); return; }
    // (v / a) / a: a² itself can be past the range of doubles where the values are not
    const unmap = (v: number) => (tr.column === "y" ? v / tr.a / tr.a : v / factor);
    // (the values are the fit's covariances, compared on their own scale by the fit's suite)
    if (r.stdErr === null || row.stdErr === null) { p.same(`${what} null`, row.stdErr === null, r.stdErr === null); return; }
    p.near(`${what} value`, unmap(row.value), r.value, Math.abs(r.value) + r.stdErr);
    // a standard error is evaluated at θ̂, which a shift leaves determined to about 1e-6 (the fit's suite): 1e-5
    p.near(`${what}`, Math.abs(unmap(row.stdErr)), r.stdErr, r.stdErr, 1e-5 + p["rel"]);
  });
}

/** A MixedLMError in `f` on the original fit must be one on the transformed fit as well. */
function both<T>(o: () => T, t: () => T): [T, T] | null {
  try { return [o(), t()]; } catch (e) { if (!isMixedLMError(e)) throw e; return null; }
}

describe("the inference does not depend on the location and unit of the columns (fast-check, seed " + SEED + ")", () => {
  test("t tests with Satterthwaite's and Kenward-Roger's df, and the ANOVA tables of types I, II and III", () => {
    assertProperty(fc.property(dataParams, caseArbitrary, (params, [model, pick, m, e, neg, eb, bNeg]) => {
      const d = makeData(params);
      const c = pickCase(d, model, pick, e, neg, eb, bNeg);
      const lines = withFits(d, model, m, c, (o, t, want, p) => {
        const methods = m === "REML" ? (["satterthwaite", "kenward-roger"] as const) : (["satterthwaite"] as const);
        for (const ddf of methods) {
          const tests = both(() => dfTests(o, ddf), () => dfTests(t, ddf));
          if (!tests) continue;
          checkTTests(o, t, tests[0], tests[1], want, p, ddf);
          checkAnova(o, t, tests[0], tests[1], want, c, ((pick % 3) + 1) as AnovaType, p, ddf);
        }
      });
      if (lines.length > 0) throw new Error(`${caseName(model, m, c)}:\n${lines.slice(0, 8).join("\n")}`);
    }) as never, 24);
  });

  test("likelihood-ratio tests, Wald intervals, predictions and the variances' standard errors", () => {
    assertProperty(fc.property(dataParams, caseArbitrary, (params, [model, pick, m, e, neg, eb, bNeg]) => {
      const d = makeData(params);
      const c = pickCase(d, model, pick, e, neg, eb, bNeg);
      const lines = withFits(d, model, m, c, (o, t, want, p) => {
        checkComparison(d, o, c, model, m, p);
        checkIntervals(o, t, want, c, model, "wald", p, "");
        checkPredictions(d, o, t, c, p);
        checkVarianceStdErrors(o, t, c, model, p);
      });
      if (lines.length > 0) throw new Error(`${caseName(model, m, c)}:\n${lines.slice(0, 8).join("\n")}`);
    }) as never, 24);
  });

  test("profile intervals", () => {
    assertProperty(fc.property(dataParams, caseArbitrary, (params, [model, pick, m, e, neg, eb, bNeg]) => {
      const d = makeData(params);
      const c = pickCase(d, model, pick, e, neg, eb, bNeg);
      const lines = withFits(d, model, m, c, (o, t, want, p) => {
        // a model with more effects, fixed and random, than rows (a crossed slope on 19 rows) has
        // a profile with several local optima: its bounds depend on the path of the refits
        const effects = o.result.fixedEffects.length + o.result.randomTerms.reduce((s, r) => s + r.names.length * r.nLevels, 0);
        fc.pre(effects < o.result.nObs);
        // nor on a singular fit (a correlation of ±1): the other parameters' minimum along the
        // profile has several branches there, and which one a refit finds depends on its start
        fc.pre(!o.result.singular);
        checkIntervals(o, t, want, c, model, "profile", p, "");
      });
      if (lines.length > 0) throw new Error(`${caseName(model, m, c)}:\n${lines.slice(0, 8).join("\n")}`);
    }) as never, 8);
  });
});
