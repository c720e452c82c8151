/**
 * The pane's inference state (src/taskpane/inferenceState.ts): results belong to one fit, a late
 * answer never replaces a newer question's, and the summary sheet gets what is on screen.
 */
import fc from "fast-check";
import type { Comparison, ConfintResult } from "../../src/engine";
import { INITIAL_INFERENCE, inferenceReducer, InferenceAction, InferenceState, JobKind, paneInference } from "../../src/taskpane/inferenceState";
import type { PaneAnova, PaneCoefTests } from "../../src/worker/paneJobs";

const apply = (actions: InferenceAction[], s: InferenceState = INITIAL_INFERENCE) => actions.reduce(inferenceReducer, s);
const coef = (ddf: "satterthwaite" | "kenward-roger"): PaneCoefTests => ({ ddf, title: ddf, rows: [] });
const anova: PaneAnova = { title: "Type III", table: { type: 3, ddf: "satterthwaite", rows: [] } };
const comparison = { refitML: true, criterion: "ML", nObs: 861, rows: [], notes: [] } as unknown as Comparison;
const intervals = { method: "wald", level: 0.95, rows: [], notes: [] } as unknown as ConfintResult;

test("a new fit clears what belonged to the previous one, keeps the ANOVA type, starts with the fit's df method", () => {
  const s = apply([
    { type: "fitted", fit: 1, ddf: "satterthwaite" },
    { type: "anovaType", anovaType: 2 },
    { type: "start", kind: "compare", fit: 1, token: 1 },
    { type: "done", kind: "compare", token: 1, result: comparison },
    { type: "fitted", fit: 2, ddf: "z" },
  ]);
  expect(s).toEqual({ ...INITIAL_INFERENCE, fit: 2, ddf: "z", anovaType: 2 });
});

test("answers count only for the latest job of their kind on the fit shown", () => {
  let s = apply([{ type: "fitted", fit: 1, ddf: "satterthwaite" }, { type: "start", kind: "coef", fit: 1, token: 1 }, { type: "start", kind: "coef", fit: 1, token: 2 }]);
  s = inferenceReducer(s, { type: "done", kind: "coef", token: 1, result: coef("satterthwaite") }); // the older question
  expect(s.coef).toEqual({ status: "running", token: 2, progress: null });
  s = inferenceReducer(s, { type: "done", kind: "coef", token: 2, result: coef("kenward-roger") });
  expect(s.coef).toEqual({ status: "done", token: 2, result: coef("kenward-roger") });
  // a job started for another fit, and answers after a new fit: ignored
  expect(inferenceReducer(s, { type: "start", kind: "anova", fit: 7, token: 3 })).toBe(s);
  const next = apply([{ type: "fitted", fit: 2, ddf: "satterthwaite" }], s);
  expect(inferenceReducer(next, { type: "done", kind: "coef", token: 2, result: coef("satterthwaite") })).toBe(next);
  expect(inferenceReducer(next, { type: "failed", kind: "coef", token: 2, error: "x" })).toBe(next);
});

test("progress and cancellation of the running job; z tests drop the t tests", () => {
  let s = apply([{ type: "fitted", fit: 1, ddf: "satterthwaite" }, { type: "start", kind: "intervals", fit: 1, token: 5 }]);
  s = inferenceReducer(s, { type: "progress", kind: "intervals", token: 5, progress: { done: 10, total: 100 } });
  expect(inferenceReducer(s, { type: "progress", kind: "intervals", token: 4, progress: { done: 99, total: 100 } })).toBe(s);
  s = inferenceReducer(s, { type: "cancelled", kind: "intervals", token: 5 });
  expect(s.intervals).toEqual({ status: "cancelled", token: 5, progress: { done: 10, total: 100 } });
  // an answer that comes after Cancel is not shown
  expect(inferenceReducer(s, { type: "done", kind: "intervals", token: 5, result: intervals })).toBe(s);
  s = apply([{ type: "start", kind: "coef", fit: 1, token: 6 }, { type: "done", kind: "coef", token: 6, result: coef("satterthwaite") }, { type: "ddf", ddf: "z" }], s);
  expect(s.coef).toEqual({ status: "idle" });
});

test("the summary sheet gets the tables on screen, with the df method of the t tests shown", () => {
  expect(paneInference(INITIAL_INFERENCE)).toBeNull();
  let s = apply([{ type: "fitted", fit: 3, ddf: "satterthwaite" }, { type: "start", kind: "coef", fit: 3, token: 1 }, { type: "start", kind: "anova", fit: 3, token: 2 }]);
  expect(paneInference(s)).toEqual({ fit: 3, ddf: null });
  s = apply([
    { type: "done", kind: "coef", token: 1, result: coef("satterthwaite") },
    { type: "done", kind: "anova", token: 2, result: anova },
    { type: "start", kind: "compare", fit: 3, token: 3 },
    { type: "done", kind: "compare", token: 3, result: comparison },
    { type: "start", kind: "intervals", fit: 3, token: 4 },
  ], s);
  expect(paneInference(s)).toEqual({ fit: 3, ddf: "satterthwaite", anova: anova.table, comparison });
  s = apply([{ type: "done", kind: "intervals", token: 4, result: intervals }, { type: "ddf", ddf: "kenward-roger" }], s);
  // the t tests shown are Satterthwaite's until Kenward-Roger's arrive: the sheet gets z tests meanwhile
  expect(paneInference(s)).toEqual({ fit: 3, ddf: null, anova: anova.table, comparison, confint: intervals });
});

test("property: whatever order answers arrive in, what is shown is the latest job's of each kind on the current fit", () => {
  const kinds: JobKind[] = ["coef", "anova", "compare", "intervals"];
  const step = fc.oneof(
    fc.record({ type: fc.constant("fitted" as const), fit: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ type: fc.constant("start" as const), kind: fc.constantFrom(...kinds), fit: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ type: fc.constantFrom("done" as const, "failed" as const, "cancelled" as const), kind: fc.constantFrom(...kinds), token: fc.integer({ min: 1, max: 40 }) }),
  );
  fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
    let s = INITIAL_INFERENCE;
    let token = 0;
    const latest = new Map<JobKind, number>();
    for (const st of steps) {
      if (st.type === "fitted") { s = inferenceReducer(s, { type: "fitted", fit: st.fit, ddf: "satterthwaite" }); latest.clear(); continue; }
      if (st.type === "start") {
        const t = ++token;
        s = inferenceReducer(s, { type: "start", kind: st.kind, fit: st.fit, token: t });
        if (st.fit === s.fit) latest.set(st.kind, t);
        continue;
      }
      const result = { coef: coef("satterthwaite"), anova, compare: comparison, intervals }[st.kind];
      s = inferenceReducer(s, st.type === "done" ? { type: "done", kind: st.kind, token: st.token, result } : st.type === "failed" ? { type: "failed", kind: st.kind, token: st.token, error: "e" } : { type: "cancelled", kind: st.kind, token: st.token });
    }
    for (const k of kinds) {
      const j = s[k];
      if (j.status === "idle") expect(latest.has(k)).toBe(false);
      else expect(j.token).toBe(latest.get(k));
    }
  }), { seed: 11, numRuns: 500 });
});
