/**
 * Confidence intervals for every parameter of a fit, by one of three methods (lme4's confint):
 * "wald" (fixed effects only), "profile" (profile.ts) and "boot" (a parametric bootstrap,
 * bootstrap.ts, with percentile intervals). Rows in lme4's names and order: the variance
 * parameters (`sd_(Intercept)|Pig`, `cor_Time.(Intercept)|Pig`, ...), `sigma`, then the fixed
 * effects under the engine's names.
 */
import { MixedLMError } from "../errors";
import { FitCore } from "../fit";
import type { MixedLMResult } from "../results";
import { BootstrapOptions, BootstrapSamples, bootstrapSteps } from "./bootstrap";
import { bootPercentile } from "./percentile";
import { IntervalRow, profileSteps } from "./profile";
import { waldIntervals } from "./wald";

export type ConfintMethod = "wald" | "profile" | "boot";

export interface ConfintOptions extends BootstrapOptions {
  method?: ConfintMethod;
  /** Coverage, strictly between 0 and 1 (default 0.95). */
  level?: number;
  /** Profiles only: the criterion of the variance parameters' profiles (profile.ts). */
  criterion?: "ML" | "REML";
  /** Profiles only: the parameters to profile, by name (default all; the others get null bounds). */
  which?: string[];
}

export interface ConfintResult {
  method: ConfintMethod;
  level: number;
  rows: IntervalRow[];
  notes: string[];
  /** Profiles: the criterion profiled. */
  criterion?: "ML" | "REML";
  /** Bootstrap: what was run. */
  bootstrap?: { nsim: number; seed: number; done: number; failed: number; notConverged: number; cancelled: boolean };
}

/** A fit with its internals, as fitModel returns it. */
export interface FitWithCore {
  result: MixedLMResult;
  core: FitCore;
}

export function confint(model: FitWithCore, options: ConfintOptions = {}): ConfintResult {
  const steps = confintSteps(model, options);
  let r = steps.next(false);
  while (!r.done) r = steps.next(r.value.method === "boot" && options.onProgress?.(r.value.done, r.value.total) === false);
  return r.value;
}

/** Progress of a long interval method: refits of the bootstrap, or parameters of the profile. */
export interface ConfintProgress {
  method: "boot" | "profile";
  done: number;
  total: number;
}

/**
 * confint as steps (one bootstrap refit, or one profiled parameter, each): it yields the progress
 * after each step, and stops early when next() is given true (the intervals then come from the
 * refits done, or the parameters not yet profiled have none; a note says so). For a caller that
 * must take messages between steps, such as the fitting worker, whose Cancel arrives as one: a
 * callback cannot, since nothing else runs on the thread until a synchronous loop returns. Wald
 * intervals take no step. Stopping with return() leaves the fit as it was.
 */
export function* confintSteps(model: FitWithCore, options: Omit<ConfintOptions, "onProgress"> = {}): Generator<ConfintProgress, ConfintResult, boolean | undefined> {
  const method = options.method ?? "profile";
  const level = options.level ?? 0.95;
  checkOptions(method, level, options);
  if (method === "wald") return { method, level, rows: waldIntervals(model.result, model.core, level), notes: [] };
  if (method === "profile") {
    const p = yield* tagged("profile", profileSteps(model.core, { level, criterion: options.criterion, which: options.which }));
    const notes = [...p.notes];
    if (p.criterion === "ML" && model.core.deviance.reml) notes.unshift("Profiled on the ML deviance (the model refitted by ML), as lme4 does for a REML fit.");
    return { method, level, rows: p.rows, notes, criterion: p.criterion };
  }
  const seed = options.seed ?? 1;
  const b = yield* tagged("boot", bootstrapSteps(model.core, { nsim: options.nsim, seed }));
  return bootstrapIntervals(b, level, seed);
}

/** The steps of one method, their progress tagged with it; what next() is given goes through, and so does return(). */
function* tagged<T>(method: ConfintProgress["method"], steps: Generator<{ done: number; total: number }, T, boolean | undefined>): Generator<ConfintProgress, T, boolean | undefined> {
  try {
    let r = steps.next();
    while (!r.done) r = steps.next(yield { method, done: r.value.done, total: r.value.total });
    return r.value;
  } finally {
    steps.return(undefined as never); // runs the steps' own finally (nothing when they have ended)
  }
}

/** Percentile intervals of the bootstrap's refits, and notes on what was run. */
function bootstrapIntervals(b: BootstrapSamples, level: number, seed: number): ConfintResult {
  const alpha = (1 - level) / 2;
  const rows: IntervalRow[] = b.names.map((name, k) => {
    const ok = b.samples[k].some(Number.isFinite);
    return { name, estimate: b.estimates[k], low: ok ? bootPercentile(b.samples[k], alpha) : null, high: ok ? bootPercentile(b.samples[k], 1 - alpha) : null };
  });
  const notes: string[] = [];
  if (b.cancelled) notes.push(`Cancelled after ${b.done} of ${b.nsim} simulations: the intervals are from those.`);
  if (b.failed > 0) notes.push(`${b.failed} of ${b.done} refits failed and were left out.`);
  if (b.notConverged > 0) notes.push(`${b.notConverged} of ${b.done} refits stopped before converging (kept).`);
  return { method: "boot", level, rows, notes, bootstrap: { nsim: b.nsim, seed, done: b.done, failed: b.failed, notConverged: b.notConverged, cancelled: b.cancelled } };
}

function checkOptions(method: string, level: number, o: ConfintOptions): void {
  if (!["wald", "profile", "boot"].includes(method)) throw new MixedLMError("option", `Unknown interval method "${method}": use profile, wald or boot.`);
  if (!(typeof level === "number" && level > 0 && level < 1)) throw new MixedLMError("option", `The level must be a number between 0 and 1, such as 0.95; got ${String(level)}.`);
  if (o.nsim !== undefined && !(Number.isInteger(o.nsim) && o.nsim >= 1 && o.nsim <= 1_000_000)) throw new MixedLMError("option", `nsim must be a whole number from 1 to 1,000,000; got ${String(o.nsim)}.`);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new MixedLMError("option", `The seed must be a whole number; got ${String(o.seed)}.`);
  if (o.criterion !== undefined && o.criterion !== "ML" && o.criterion !== "REML") throw new MixedLMError("option", `The profile criterion must be ML or REML; got ${String(o.criterion)}.`);
}
