/**
 * Likelihood-ratio tests: which pairs get a test and which a message (nestedness decided on the
 * designs), across model styles, and invariance of the statistic to the response's units.
 */
import fc from "fast-check";
import { compareModels, DataTable, isMixedLMError } from "../../../src/engine";
import { buildModel } from "../../../src/engine/model";
import { inSpanForTest, nestedIn, samePartition } from "./nestingAccess";
import { fixtureTable } from "../../helpers";

const sleep = () => fixtureTable("sleepstudy.csv");
const dietox = () => fixtureTable("dietox.csv");

test("a model whose fixed effects are not in the other's: a message naming the effect, no test", () => {
  const c = compareModels(sleep(), { formula: "Reaction ~ 1 + (Days|Subject)" }, ["Reaction ~ Days + (1|Subject)"]);
  expect(c.rows.map((r) => r.npar)).toEqual([4, 5]);
  expect(c.rows[1].chisq).toBeNull();
  expect(c.rows[1].p).toBeNull();
  expect(c.rows[1].message).toMatch(/not nested.*fixed effect Days/);
});

test("different responses: a message", () => {
  const c = compareModels(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" }, ["log(Reaction) ~ Days + (1|Subject)"]);
  expect(c.rows[1].message).toMatch(/different responses/);
  expect(c.rows[1].chisq).toBeNull();
});

test("the same model written twice (Days and I(Days + 1) with an intercept span the same columns): same number of parameters, no test", () => {
  const c = compareModels(sleep(), { formula: "Reaction ~ Days + (1|Subject)" }, ["Reaction ~ I(Days + 1) + (1|Subject)"]);
  expect(c.rows[1].message).toMatch(/same number of parameters/);
  expect(Math.abs(c.rows[0].deviance - c.rows[1].deviance)).toBeLessThan(1e-6);
});

test("uncorrelated random effects are nested in correlated ones, not the reverse", () => {
  const t = sleep();
  const corr = buildModel(t, { formula: "Reaction ~ Days + (Days|Subject)" });
  const uncorr = buildModel(t, { formula: "Reaction ~ Days + (Days||Subject)" });
  const intercept = buildModel(t, { formula: "Reaction ~ Days + (1|Subject)" });
  expect(nestedIn(uncorr, corr)).toEqual({ nested: true });
  expect(nestedIn(intercept, uncorr)).toEqual({ nested: true });
  const reverse = nestedIn(corr, uncorr);
  expect(reverse.nested).toBe(false);
  expect(!reverse.nested && reverse.why).toMatch(/random term \(Days\|Subject\)/);
});

test("a random term on another grouping is not nested, even with the same number of levels", () => {
  const rows: (string | number)[][] = [["y", "a", "b"]];
  for (let i = 0; i < 40; i++) rows.push([Math.sin(i) + (i % 4), `a${i % 4}`, `b${Math.floor(i / 10)}`]);
  const t = DataTable.fromRows(rows);
  const n = nestedIn(buildModel(t, { formula: "y ~ 1 + (1|a)" }), buildModel(t, { formula: "y ~ 1 + (1|b)" }));
  expect(n.nested).toBe(false);
});

test("statsmodels style and lme4 style compare as the same models: the random slope of dietox (lme4: χ² = 374.359318, 2 df)", () => {
  const c = compareModels(dietox(), { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" }, ["Weight ~ Time + (1|Pig)"]);
  expect(Math.abs(c.rows[1].chisq! - 374.359318081824)).toBeLessThan(2e-4);
  expect(c.rows[1].df).toBe(2);
  const fixed = compareModels(dietox(), { formula: "Weight ~ Time + C(Cu)", groups: "Pig" }, ["Weight ~ Time"]);
  const lme4 = compareModels(dietox(), { formula: "Weight ~ Time + C(Cu) + (1|Pig)" }, ["Weight ~ Time + (1|Pig)"]);
  expect(Math.abs(fixed.rows[1].chisq! - lme4.rows[1].chisq!)).toBeLessThan(1e-6);
});

test("variance components: statsmodels' cask within batch against lme4's (1|batch) (lme4's (1|batch/cask): χ² = 54.604665)", () => {
  const pastes = fixtureTable("Pastes.csv");
  const c = compareModels(pastes, { formula: "strength ~ 1", groups: "batch", reFormula: "1", vcFormula: { cask: "0 + C(cask)" } }, ["strength ~ 1 + (1|batch)"]);
  expect(Math.abs(c.rows[1].chisq! - 54.604664877497)).toBeLessThan(2e-4);
  // without the batch intercept (statsmodels' default when vc_formula is given), (1|batch) is not part of it
  const noIntercept = buildModel(pastes, { formula: "strength ~ 1", groups: "batch", vcFormula: { cask: "0 + C(cask)" } });
  const batch = buildModel(pastes, { formula: "strength ~ 1 + (1|batch)" });
  const n = nestedIn(batch, noIntercept);
  expect(n.nested).toBe(false);
  expect(!n.nested && n.why).toMatch(/random term \(1\|batch\)/);
  expect(nestedIn(batch, buildModel(pastes, { formula: "strength ~ 1", groups: "batch", reFormula: "1", vcFormula: { cask: "0 + C(cask)" } }))).toEqual({ nested: true });
});

test("a REML comparison of different fixed effects is refused; of random effects alone it is made", () => {
  const c = compareModels(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" }, ["Reaction ~ 1 + (1|Subject)"], { refit: false });
  expect(c.criterion).toBe("REML");
  expect(c.rows[1].message).toMatch(/fixed effects are the same/);
  const ok = compareModels(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" }, ["Reaction ~ Days + (1|Subject)"], { refit: false });
  expect(ok.rows[1].chisq).toBeGreaterThan(0);
  expect(ok.refitML).toBe(false);
});

test("bad input: a message saying which model, never a crash", () => {
  for (const bad of ["__proto__", "Reaction ~ Nope + (1|Subject)", "((((((((((", "Reaction ~ Days"]) {
    let err: unknown = null;
    try { compareModels(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" }, [bad]); } catch (e) { err = e; }
    expect(isMixedLMError(err)).toBe(true);
  }
  expect(() => compareModels(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" }, ["Reaction ~ Nope + (1|Subject)"])).toThrow(/In the model "Reaction ~ Nope \+ \(1\|Subject\)"/);
  expect(() => compareModels(sleep(), { formula: "Reaction ~ Days + (1|Subject)" }, [])).toThrow(/at least one reduced model/);
});

test("helpers: a partition up to relabelling; a column in a span", () => {
  expect(samePartition(Int32Array.of(0, 0, 1, 2, -1), Int32Array.of(5, 5, 3, 4, -1))).toBe(true);
  expect(samePartition(Int32Array.of(0, 0, 1), Int32Array.of(0, 1, 1))).toBe(false);
  expect(samePartition(Int32Array.of(0, 1), Int32Array.of(0, -1))).toBe(false);
  const one = Float64Array.of(1, 1, 1, 1), x = Float64Array.of(1, 2, 3, 4);
  expect(inSpanForTest([one, x], Float64Array.of(3, 5, 7, 9))).toBe(true);
  expect(inSpanForTest([one, x], Float64Array.of(1, 4, 9, 16))).toBe(false);
  expect(inSpanForTest([one, x], new Float64Array(4))).toBe(true);
});

test("property: χ² does not change with the response's units (y → a·y + b)", () => {
  const base = sleep();
  const reference = compareModels(base, { formula: "Reaction ~ Days + (Days|Subject)" }, ["Reaction ~ Days + (1|Subject)"]).rows[1].chisq!;
  fc.assert(fc.property(fc.double({ min: 1e-2, max: 1e2, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (a, b) => {
    const y = base.column("Reaction") as { values: Float64Array };
    const rows: (string | number)[][] = [["y", "Days", "Subject"]];
    const days = base.column("Days") as { values: Float64Array };
    const subj = base.column("Subject");
    for (let i = 0; i < base.nRows; i++) rows.push([a * y.values[i] + b, days.values[i], subj.kind === "categorical" ? subj.levels[subj.codes[i]] : subj.values[i]]);
    const c = compareModels(DataTable.fromRows(rows), { formula: "y ~ Days + (Days|Subject)" }, ["y ~ Days + (1|Subject)"]);
    return Math.abs(c.rows[1].chisq! - reference) < 1e-5 * reference;
  }), { seed: 7, numRuns: 8 });
});

test("models on different rows are compared on the rows complete for all, also with groups given as values", () => {
  const rows: (string | number)[][] = [["y", "x", "w"]];
  const groups: string[] = [];
  for (let i = 0; i < 60; i++) { rows.push([Math.sin(i) * 3 + (i % 6) + 0.1 * i, i % 5, i % 7 === 0 ? "" : i / 3]); groups.push(`g${i % 6}`); }
  const t = DataTable.fromRows(rows);
  const c = compareModels(t, { formula: "y ~ x + w", groupValues: groups }, ["y ~ x"]);
  expect(c.nObs).toBe(51);
  expect(c.notes.join(" ")).toMatch(/\(60, 51 of 60: missing values in a column only some of them use\); all are compared on the 51 rows/);
  expect(c.rows[1].chisq).not.toBeNull();
});

test("nesting on a covariate far from zero: y ~ Time + Start vs y ~ Time * Start with Start + 2e8 is tested (the columns' Gram matrix was singular to rounding)", () => {
  const t = dietox();
  const shifted = DataTable.fromRows([["Weight", "Time", "Start", "Pig"], ...Array.from({ length: t.nRows }, (_, i) => [Number(t.label("Weight", i)), Number(t.label("Time", i)), Number(t.label("Start", i)) + 2e8, t.label("Pig", i)])]);
  const plain = DataTable.fromRows([["Weight", "Time", "Start", "Pig"], ...Array.from({ length: t.nRows }, (_, i) => [Number(t.label("Weight", i)), Number(t.label("Time", i)), Number(t.label("Start", i)), t.label("Pig", i)])]);
  const a = compareModels(plain, { formula: "Weight ~ Time * Start + (1|Pig)" }, ["Weight ~ Time + Start + (1|Pig)"]);
  const b = compareModels(shifted, { formula: "Weight ~ Time * Start + (1|Pig)" }, ["Weight ~ Time + Start + (1|Pig)"]);
  expect(b.rows[1].chisq).not.toBeNull();
  expect(Math.abs(b.rows[1].chisq! - a.rows[1].chisq!)).toBeLessThan(1e-6 * (1 + a.rows[1].chisq!));
});
