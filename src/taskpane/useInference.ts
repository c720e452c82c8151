/**
 * Runs the pane's inference jobs on the fit shown (inferenceState.ts holds what they answer): the
 * coefficients' tests and the ANOVA table as soon as a fit arrives (Satterthwaite's df for a model
 * with lme4 terms, z tests for a statsmodels-style one, as each peer prints), again when their
 * method or type changes; the comparison and the intervals when asked. A new fit cancels what
 * still runs for the previous one. Results are announced politely.
 */
import { useEffect, useReducer, useRef } from "react";
import type { AnovaType, ModelSpec } from "../engine";
import type { PaneConfintOptions, Progress } from "../worker/protocol";
import type { FitClient } from "./fitClient";
import type { FitView } from "./fitService";
import { anovaDdf, DdfChoice, INITIAL_INFERENCE, inferenceReducer, InferenceResults, JobKind } from "./inferenceState";
import { errorText } from "./useData";

type Run<K extends JobKind> = (signal: AbortSignal, onProgress: (p: Progress) => void) => Promise<InferenceResults[K]>;

function isCancel(e: unknown): boolean {
  return (e as { kind?: unknown })?.kind === "cancelled";
}

/**
 * Runs one job of a kind at a time: a new one aborts the one still running of its kind; its
 * start, progress, answer or failure go to the reducer under a token, so a late answer never
 * replaces a newer one (inferenceState.ts); `said` announces the answer.
 */
function useJobRunner(dispatch: (a: Parameters<typeof inferenceReducer>[1]) => void, announce: (text: string) => void) {
  const tokens = useRef(0);
  const running = useRef(new Map<JobKind, AbortController>());
  function run<K extends JobKind>(kind: K, onFit: number, call: Run<K>, said?: (r: InferenceResults[K]) => string): void {
    const token = ++tokens.current;
    running.current.get(kind)?.abort();
    const controller = new AbortController();
    running.current.set(kind, controller);
    dispatch({ type: "start", kind, fit: onFit, token });
    call(controller.signal, (progress) => dispatch({ type: "progress", kind, token, progress })).then(
      (result) => {
        dispatch({ type: "done", kind, token, result });
        if (said && !controller.signal.aborted) announce(said(result));
      },
      (e: unknown) => dispatch(isCancel(e) ? { type: "cancelled", kind, token } : { type: "failed", kind, token, error: errorText(e) }),
    ).finally(() => { if (running.current.get(kind) === controller) running.current.delete(kind); });
  }
  return { run, running };
}

export function useInference(fitClient: FitClient, view: FitView, announce: (text: string) => void) {
  const [state, dispatch] = useReducer(inferenceReducer, INITIAL_INFERENCE);
  const { run, running } = useJobRunner(dispatch, announce);
  const fit = view.fitId;

  const runTests = (onFit: number, ddf: DdfChoice, anovaType: AnovaType) => {
    if (ddf !== "z") run("coef", onFit, () => fitClient.coefTests(onFit, ddf));
    run("anova", onFit, () => fitClient.anova(onFit, anovaType, anovaDdf({ ddf })));
  };

  useEffect(() => {
    const ddf: DdfChoice = view.defaultDdf ?? "z";
    dispatch({ type: "fitted", fit, ddf });
    runTests(fit, ddf, state.anovaType);
    // what still runs for this fit stops when another comes, or when the fit is no longer shown
    const jobs = running.current;
    return () => {
      for (const c of jobs.values()) c.abort();
      jobs.clear();
    };
    // only a new fit starts this
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fit]);

  const setDdf = (ddf: DdfChoice) => {
    if (ddf === state.ddf) return;
    dispatch({ type: "ddf", ddf });
    if (ddf !== "z") run("coef", fit, () => fitClient.coefTests(fit, ddf), (r) => `Coefficients tested with ${r.ddf === "satterthwaite" ? "Satterthwaite's" : "Kenward-Roger's"} df.`);
    else announce("Coefficients tested with z (no df).");
    if (anovaDdf({ ddf }) !== anovaDdf(state)) run("anova", fit, () => fitClient.anova(fit, state.anovaType, anovaDdf({ ddf })));
  };

  const setAnovaType = (anovaType: AnovaType) => {
    dispatch({ type: "anovaType", anovaType });
    run("anova", fit, () => fitClient.anova(fit, anovaType, anovaDdf(state)), (r) => `${r.title}: ${r.table.rows.length} terms.`);
  };

  const compare = (reduced: string | ModelSpec, refit: boolean) => {
    announce("Comparing the models…");
    run("compare", fit, (signal) => fitClient.compare(fit, [reduced], refit, { signal }), (c) => {
      const t = c.rows[c.rows.length - 1];
      return t.chisq === null ? `Compared: ${t.message ?? "no test"}` : `Likelihood-ratio test: chi-square ${t.chisq.toFixed(2)} on ${t.df} df, p ${t.p! < 0.001 ? "below 0.001" : t.p!.toFixed(3)}.`;
    });
  };

  const intervals = (options: PaneConfintOptions) => {
    announce(options.method === "boot" ? `Bootstrap started: ${options.nsim} simulations.` : "Computing the intervals…");
    run("intervals", fit, (signal, onProgress) => fitClient.intervals(fit, options, { signal, onProgress }), (r) => `${r.rows.length} intervals computed${r.bootstrap ? ` from ${r.bootstrap.done} simulations` : ""}. The table is under the Compute button.`);
  };

  const cancel = (kind: JobKind) => {
    running.current.get(kind)?.abort();
    if (kind === "intervals") announce("Cancelled.");
  };

  return { state, setDdf, setAnovaType, compare, intervals, cancel };
}
