/**
 * The inference the pane shows of its fit, in one reducer: the coefficients' df method and
 * tests, the ANOVA table, the comparison with a simpler model, the intervals. Everything belongs
 * to one fit (its number, FitView.fitId): a new fit clears it all, and a job's answer counts only
 * when it is the latest job of its kind on the fit shown (its token), so that a late answer never
 * puts another model's numbers, or an older question's, on screen. Pure; see test/taskpane.
 */
import type { AnovaType, Comparison, ConfintResult, DdfMethod } from "../engine";
import type { PaneAnova, PaneCoefTests } from "../worker/paneJobs";
import type { PaneInference, Progress } from "../worker/protocol";

/** The coefficients' tests: t with a df method, or z (no df). */
export type DdfChoice = DdfMethod | "z";

export type Job<R> =
  | { status: "idle" }
  | { status: "running"; token: number; progress: Progress | null }
  | { status: "done"; token: number; result: R }
  | { status: "failed"; token: number; error: string }
  | { status: "cancelled"; token: number; progress: Progress | null };

export interface InferenceResults {
  coef: PaneCoefTests;
  anova: PaneAnova;
  compare: Comparison;
  intervals: ConfintResult;
}
export type JobKind = keyof InferenceResults;

export interface InferenceState {
  /** The fit these belong to (null before the first). */
  fit: number | null;
  ddf: DdfChoice;
  anovaType: AnovaType;
  coef: Job<PaneCoefTests>;
  anova: Job<PaneAnova>;
  compare: Job<Comparison>;
  intervals: Job<ConfintResult>;
}

const IDLE = { status: "idle" } as const;

export const INITIAL_INFERENCE: InferenceState = { fit: null, ddf: "z", anovaType: 3, coef: IDLE, anova: IDLE, compare: IDLE, intervals: IDLE };

export type InferenceAction =
  /** A new fit is shown: everything of the previous one goes; the tests start with the fit's default. */
  | { type: "fitted"; fit: number; ddf: DdfChoice }
  | { type: "ddf"; ddf: DdfChoice }
  | { type: "anovaType"; anovaType: AnovaType }
  | { type: "start"; kind: JobKind; fit: number; token: number }
  | { type: "progress"; kind: JobKind; token: number; progress: Progress }
  | { type: "done"; kind: JobKind; token: number; result: InferenceResults[JobKind] }
  | { type: "failed"; kind: JobKind; token: number; error: string }
  | { type: "cancelled"; kind: JobKind; token: number };

/** Whether an answer with this token is about the job now running of its kind (a cancelled job's answer is not shown). */
function current(s: InferenceState, kind: JobKind, token: number): boolean {
  const j = s[kind];
  return j.status === "running" && j.token === token;
}

export function inferenceReducer(s: InferenceState, a: InferenceAction): InferenceState {
  switch (a.type) {
    case "fitted": return { ...INITIAL_INFERENCE, fit: a.fit, ddf: a.ddf, anovaType: s.anovaType };
    case "ddf": return a.ddf === "z" ? { ...s, ddf: a.ddf, coef: IDLE } : { ...s, ddf: a.ddf };
    case "anovaType": return { ...s, anovaType: a.anovaType };
    case "start": return a.fit === s.fit ? { ...s, [a.kind]: { status: "running", token: a.token, progress: null } } : s;
    case "progress": return current(s, a.kind, a.token) ? { ...s, [a.kind]: { ...s[a.kind], progress: a.progress } } : s;
    case "done": return current(s, a.kind, a.token) ? { ...s, [a.kind]: { status: "done", token: a.token, result: a.result } } : s;
    case "failed": return current(s, a.kind, a.token) ? { ...s, [a.kind]: { status: "failed", token: a.token, error: a.error } } : s;
    case "cancelled": {
      const j = s[a.kind];
      return j.status === "running" && j.token === a.token ? { ...s, [a.kind]: { status: "cancelled", token: a.token, progress: j.progress } } : s;
    }
  }
}

/** A job's result when it is done. */
export function resultOf<R>(j: Job<R>): R | null {
  return j.status === "done" ? j.result : null;
}

/** The df method the ANOVA uses: the coefficients' (Satterthwaite when they are z tests, as lmerTest's default). */
export function anovaDdf(s: Pick<InferenceState, "ddf">): DdfMethod {
  return s.ddf === "z" ? "satterthwaite" : s.ddf;
}

/** What the summary sheet gets: the tables on screen, of the fit shown. */
export function paneInference(s: InferenceState): PaneInference & { fit: number } | null {
  if (s.fit === null) return null;
  const coef = resultOf(s.coef);
  const anova = resultOf(s.anova);
  const compare = resultOf(s.compare);
  const intervals = resultOf(s.intervals);
  return {
    fit: s.fit,
    ddf: s.ddf !== "z" && coef?.ddf === s.ddf ? s.ddf : null,
    ...(anova ? { anova: anova.table } : {}),
    ...(compare ? { comparison: compare } : {}),
    ...(intervals ? { confint: intervals } : {}),
  };
}
