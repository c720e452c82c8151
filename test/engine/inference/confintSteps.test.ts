/**
 * confintSteps: the intervals as steps for a caller that takes messages between them (the fitting
 * worker). The steps give confint's numbers bit for bit; progress after each refit or parameter;
 * next(true) stops them (the bootstrap's intervals from the refits done, the profile's remaining
 * rows without bounds); return() leaves the fit as confint leaves it.
 */
import { coefficientTests, confint, confintSteps, ConfintProgress, dfTests, fitModel } from "../../../src/engine";
import { fixtureTable } from "../../helpers";

const slopes = () => fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + (Time|Pig)" });

/** Runs the steps to the end, or stops them (next(true)) after `stopAfter` steps. */
function drive<T>(steps: Generator<ConfintProgress, T, boolean | undefined>, stopAfter = Infinity): { value: T; progress: ConfintProgress[] } {
  const progress: ConfintProgress[] = [];
  let r = steps.next();
  while (!r.done) {
    progress.push(r.value);
    r = steps.next(progress.length >= stopAfter);
  }
  return { value: r.value, progress };
}

test("the bootstrap's steps: one per refit, the same intervals as confint's, bit for bit", () => {
  const m = slopes();
  const { value, progress } = drive(confintSteps(m, { method: "boot", nsim: 12, seed: 3 }));
  expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => ({ method: "boot", done: i + 1, total: 12 })));
  expect(value).toEqual(confint(m, { method: "boot", nsim: 12, seed: 3 }));
});

test("next(true) stops the bootstrap: the refits done, as confint's onProgress returning false", () => {
  const m = slopes();
  const { value, progress } = drive(confintSteps(m, { method: "boot", nsim: 30, seed: 1 }), 7);
  expect(progress.length).toBe(7);
  expect(value.bootstrap).toMatchObject({ nsim: 30, done: 7, cancelled: true });
  expect(value).toEqual(confint(m, { method: "boot", nsim: 30, seed: 1, onProgress: (done) => done < 7 }));
});

test("the profile's steps: one per parameter, the same intervals as confint's", () => {
  const m = slopes();
  const { value, progress } = drive(confintSteps(m, { method: "profile" }));
  // six parameters: a step after each but the last
  expect(progress).toEqual([1, 2, 3, 4, 5].map((done) => ({ method: "profile", done, total: 6 })));
  expect(value).toEqual(confint(m, { method: "profile" }));
});

test("next(true) stops the profile: the parameters done keep their bounds, the others have none, a note says so", () => {
  const m = slopes();
  const all = confint(m, { method: "profile" });
  const { value } = drive(confintSteps(m, { method: "profile" }), 2);
  expect(value.rows.slice(0, 2)).toEqual(all.rows.slice(0, 2));
  for (const r of value.rows.slice(2)) expect([r.low, r.high]).toEqual([null, null]);
  expect(value.rows.map((r) => r.estimate)).toEqual(all.rows.map((r) => r.estimate));
  expect(value.notes).toContain("Stopped after 2 of 6 parameters: the others have no interval.");
});

test("return() in the middle of a profile leaves the fit's factor at its optimum (others read it there)", () => {
  // an ML fit: its profiles evaluate the fit's own deviance (a REML fit's, those of its ML refit)
  const m = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + (Time|Pig)", method: "ML" });
  const before = m.core.deviance.devianceFromFactor();
  const tests = coefficientTests(m, dfTests(m, "satterthwaite"));
  const steps = confintSteps(m, { method: "profile" });
  steps.next();
  steps.next(); // inside the profiles, the fit's factor evaluated elsewhere
  steps.return(undefined as never);
  expect(m.core.deviance.devianceFromFactor()).toBe(before);
  expect(coefficientTests(m, dfTests(m, "satterthwaite"))).toEqual(tests);
});

test("Wald intervals take no step; bad options are refused before any work", () => {
  const m = slopes();
  const { value, progress } = drive(confintSteps(m, { method: "wald" }));
  expect(progress).toEqual([]);
  expect(value).toEqual(confint(m, { method: "wald" }));
  expect(() => confintSteps(m, { method: "boot", nsim: 0 }).next()).toThrow(/nsim must be a whole number/);
});
