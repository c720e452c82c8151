/**
 * The inference tables of the MIXEDLM functions (COEF with denominator df, ANOVA, COMPARE,
 * CONFINT, PREDICT), made in the fitting worker from a model's kept fit and the function's own
 * options (options.ts). The tables are the report's (src/report: lmerTestTables.ts,
 * inference.ts), with the engine's notes in rows below them. Nothing here refits the model:
 * the tests of the fixed effects are computed once per model and df method and kept with the
 * fit; COMPARE fits only the reduced models (and the ML refit lme4 makes); CONFINT's profile and
 * bootstrap run as steps, so that the worker reports progress and stops when Excel cancels.
 */
import { anovaOf, compareModels, confintSteps, defaultDdf, dfTests, isMixedLMError, MixedLMError, predictNew, withDfTests } from "../engine";
import type { ConfintProgress, ConfintResult, ContrastTests, DdfMethod } from "../engine";
import { anovaCells } from "../report/lmerTestTables";
import { comparisonTable, confintTable, confintTitle } from "../report/inference";
import { Cell, coefTable, rectangular, Table } from "../report/tables";
import type { Progress } from "../worker/protocol";
import { newRows, reducedFormulas } from "./inferenceArguments";
import type { ModelFit, TableSteps } from "./modelTables";
import { functionOptions } from "./options";

/** What the inference keeps with a fit: the tests by df method, and finished interval tables by options. */
interface Kept {
  tests: Map<DdfMethod, ContrastTests>;
  intervals: Map<string, Table>;
}
const kept = new WeakMap<ModelFit, Kept>();

function keptOf(f: ModelFit): Kept {
  let k = kept.get(f);
  if (!k) { k = { tests: new Map(), intervals: new Map() }; kept.set(f, k); }
  return k;
}

/** The model's tests of Lβ = 0 by `method`: the exact derivatives, computed once per model. */
function testsOf(f: ModelFit, method: DdfMethod): ContrastTests {
  const k = keptOf(f);
  let t = k.tests.get(method);
  if (!t) {
    try {
      t = dfTests(f, method);
    } catch (e) {
      // the engine words its way out for the command line (--ddf); in a cell it is an option
      if (isMixedLMError(e)) throw new MixedLMError(e.kind, e.message.replace("the z tests without --ddf", "z tests (ddf=none)"));
      throw e;
    }
    k.tests.set(method, t);
  }
  return t;
}

/** The table, a blank row, then each note in a row of its own. */
function withNotes(table: Table, notes: readonly string[]): Table {
  if (notes.length === 0) return table;
  return rectangular([...table, [""], ...notes.map((n): Cell[] => [n])]);
}

/** COEF: z tests for a statsmodels-style model, Satterthwaite's t for one with bar terms, unless `ddf` says otherwise. */
export function coefWithTests(f: ModelFit, own: unknown): Table {
  const o = functionOptions("coef", String(own ?? ""));
  const ddf = o.ddf ?? defaultDdf(f.result.style) ?? "none";
  return ddf === "none" ? coefTable(f.result) : coefTable(withDfTests(f, testsOf(f, ddf)));
}

/** ANOVA: lmerTest's table, type III with Satterthwaite's df unless the options say otherwise. */
export function anovaTableOf(f: ModelFit, own: unknown): Table {
  const o = functionOptions("anova", String(own ?? ""));
  return anovaCells(anovaOf(f, o.type ?? 3, testsOf(f, (o.ddf ?? "satterthwaite") as DdfMethod)));
}

/** COMPARE: lme4's anova(m0, m) of the reduced formulas and the model, refitted by ML unless refit=false. */
export function comparisonOf(f: ModelFit, own: unknown, reduced: unknown): Table {
  const o = functionOptions("compare", String(own ?? ""));
  const c = compareModels(f.table, f.spec, reducedFormulas(reduced), { refit: o.refit ?? true, fitted: f.core });
  const criterion = c.refitML ? [] : [c.criterion === "REML" ? "The REML fits compared as they are (refit=false)." : "Models fitted by ML."];
  return withNotes(comparisonTable(c), [...c.notes, ...criterion]);
}

/** CONFINT: lme4's confint rows; the profile and the bootstrap as steps, finished tables kept by their options. */
export function* intervalsOf(f: ModelFit, own: unknown): TableSteps {
  const o = functionOptions("confint", String(own ?? ""));
  const options = { method: o.ci ?? "profile", level: o.level ?? 0.95, nsim: o.nsim ?? 1000, seed: o.seed ?? 1 };
  const key = JSON.stringify(options);
  const k = keptOf(f);
  const done = k.intervals.get(key);
  if (done) return done;
  const ci: ConfintResult = yield* sliced(confintSteps(f, options));
  const table = withNotes(confintTable(ci), [confintTitle(ci), ...ci.notes]);
  k.intervals.set(key, table);
  return table;
}

/**
 * The steps' progress, passed on at most every `ms` milliseconds: each step given back to the
 * worker costs a message round trip, and a bootstrap refit can take a fraction of a millisecond.
 * A cancel (return()) reaches the steps, whose own cleanup then runs.
 */
export function* sliced<T>(steps: Generator<ConfintProgress, T, boolean | undefined>, ms = 20): Generator<Progress | void, T, void> {
  try {
    let last = Date.now();
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) return r.value;
      if (Date.now() - last >= ms) {
        yield { done: r.value.done, total: r.value.total };
        last = Date.now();
      }
    }
  } finally {
    steps.return(undefined as never);
  }
}

/**
 * PREDICT: one cell per row of newdata, its header row labelled; the conditional prediction
 * (re=include, the default) or the population one (re=exclude); blank where a row has no
 * prediction.
 */
export function predictionsOf(f: ModelFit, own: unknown, newdata: unknown): Table {
  const o = functionOptions("predict", String(own ?? ""));
  const withRandom = (o.re ?? "include") === "include";
  const rows = newRows(newdata, f.table.names);
  const out: Cell[][] = Array.from({ length: rows.height }, (): Cell[] => [""]);
  if (rows.header) out[0][0] = withRandom ? "Prediction" : "Prediction (population)";
  if (!rows.table) return out;
  const p = predictNew(f, rows.table);
  if (withRandom && !p.conditional) {
    const why = p.notes.find((n) => n.startsWith("No conditional predictions")) ?? "No conditional predictions on these rows.";
    throw new MixedLMError("data", `${why} ${/ lack /.test(why) ? "Add the columns to newdata, or use" : "Use"} re=exclude for the population predictions.`);
  }
  const values = withRandom ? p.conditional! : p.population;
  const first = rows.header ? 1 : 0;
  values.forEach((v, i) => { if (Number.isFinite(v)) out[first + i][0] = v; });
  return out;
}
