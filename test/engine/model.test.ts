/** Model-level behaviour: singular fits, rank deficiency, equivalence of the two styles, prediction, and bad input. */
import { DataTable, fitMixedModel, MixedLMError, ModelSpec } from "../../src/engine";
import { randomEffectsObject } from "../../src/report/json";
import { fixtureTable } from "../helpers";

describe("a singular fit (between-group variance at zero) is reported, not an error", () => {
  // Three groups with equal means: the REML estimate of the group variance is exactly 0, and the
  // fit reduces to the intercept-only linear model: mean 2, σ² = 10/5, SE = sqrt(σ²/6).
  const t = DataTable.fromRows([["y", "g"], [1, "a"], [3, "a"], [0, "b"], [4, "b"], [2, "c"], [2, "c"]]);
  const r = fitMixedModel(t, { formula: "y ~ 1", groups: "g" });

  test("estimates equal the exact solution", () => {
    expect(r.fixedEffects[0].coef).toBeCloseTo(2, 8);
    expect(r.scale).toBeCloseTo(2, 6);
    expect(r.fixedEffects[0].stdErr).toBeCloseTo(Math.sqrt(2 / 6), 6);
    expect(r.randomTerms[0].cov[0][0]).toBeLessThan(1e-7);
    // REML criterion: log det(X'X) + (n - p)(1 + log(2π r² / (n - p))), r² = 10
    const exact = -(Math.log(6) + 5 * (1 + Math.log((2 * Math.PI * 10) / 5))) / 2;
    expect(r.logLik).toBeCloseTo(exact, 8);
  });

  test("flagged singular with a warning, still converged", () => {
    expect(r.singular).toBe(true);
    expect(r.converged).toBe(true);
    expect(r.warnings.join(" ")).toMatch(/singular/);
  });
});

describe("the statsmodels and lme4 ways of writing a model give the same fit", () => {
  const dietox = fixtureTable("dietox.csv");
  test.each<[string, ModelSpec, ModelSpec]>([
    ["random intercept", { formula: "Weight ~ Time", groups: "Pig" }, { formula: "Weight ~ Time + (1 | Pig)" }],
    ["random slope", { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" }, { formula: "Weight ~ Time + (Time | Pig)" }],
    ["nested", { formula: "Weight ~ Time", groups: "Litter", reFormula: "1", vcFormula: { Pig: "0 + C(Pig)" } }, { formula: "Weight ~ Time + (1 | Litter/Pig)" }],
    ["uncorrelated", { formula: "Weight ~ Time", groups: "Pig", reFormula: "1", vcFormula: { Time: "0 + Time" } }, { formula: "Weight ~ Time + (Time || Pig)" }],
  ])("%s", (_, sm, lm) => {
    const a = fitMixedModel(dietox, sm);
    const b = fitMixedModel(dietox, lm);
    expect(Math.abs(a.logLik - b.logLik)).toBeLessThan(1e-6);
    a.fixedEffects.forEach((fe, i) => expect(fe.coef).toBeCloseTo(b.fixedEffects[i].coef, 6));
    expect(a.scale).toBeCloseTo(b.scale, 4);
  });
});

describe("(Days || Subject): two terms on one grouping factor, as lme4 makes them", () => {
  const sleep = fixtureTable("sleepstudy.csv");
  const lm = fitMixedModel(sleep, { formula: "Reaction ~ Days + (Days||Subject)" });
  const sm = fitMixedModel(sleep, { formula: "Reaction ~ Days", groups: "Subject", reFormula: "1", vcFormula: { Days: "0 + Days" } });

  test("the terms: (1 | Subject) and (0 + Days | Subject), both grouped by Subject", () => {
    expect(lm.randomTerms.map((t) => [t.grouping, t.names, t.text, t.nLevels])).toEqual([
      ["Subject", ["(Intercept)"], "(1 | Subject)", 18],
      ["Subject", ["Days"], "(0 + Days | Subject)", 18],
    ]);
    expect(lm.groupingFactors).toEqual([{ name: "Subject", nLevels: 18 }]);
    expect(lm.groups).toMatchObject({ name: "Subject", count: 18 });
    expect(lm.theta).toHaveLength(2);
  });

  test("the same fit as statsmodels' re_formula 1 + vc_formula {Days: 0 + Days}", () => {
    expect(Math.abs(lm.logLik - sm.logLik)).toBeLessThan(1e-6);
    expect(lm.scale).toBeCloseTo(sm.scale, 4);
    expect(lm.randomTerms[0].cov[0][0]).toBeCloseTo(sm.randomTerms[0].cov[0][0], 3);
    expect(lm.randomTerms[1].cov[0][0]).toBeCloseTo(sm.randomTerms[1].cov[0][0], 4);
    lm.fixedEffects.forEach((fe, i) => expect(fe.coef).toBeCloseTo(sm.fixedEffects[i].coef, 6));
  });

  test("random effects merge under Subject: (Intercept) and Days, equal to statsmodels' Subject and Days[Days]", () => {
    const a = randomEffectsObject(lm).Subject;
    const b = randomEffectsObject(sm).Subject;
    expect(Object.keys(a)).toHaveLength(18);
    for (const s of Object.keys(b)) {
      expect(Object.keys(a[s])).toEqual(["(Intercept)", "Days"]);
      expect(a[s]["(Intercept)"]).toBeCloseTo(b[s].Subject, 3);
      expect(a[s].Days).toBeCloseTo(b[s]["Days[Days]"], 4);
    }
  });
});

describe("rank-deficient fixed effects: the redundant column is dropped with a warning (as lme4 does)", () => {
  test("x2 = 2 x1", () => {
    const rows: unknown[][] = [["y", "x1", "x2", "g"]];
    const ys = [3.1, 4.2, 5.9, 8.1, 9.8, 12.2, 13.9, 16.1];
    ys.forEach((y, i) => rows.push([y, i, 2 * i, i % 2 === 0 ? "a" : "b"]));
    const r = fitMixedModel(DataTable.fromRows(rows), { formula: "y ~ x1 + x2", groups: "g" });
    expect(r.fixedEffects.map((f) => f.name)).toEqual(["Intercept", "x1"]);
    expect(r.warnings.join(" ")).toMatch(/rank deficient: dropped x2/);
  });
});

describe("covariate × covariate: a shift of x or z moves x:z within the span of x, z and the intercept, and is no reason to drop it", () => {
  // 120 rows in 12 groups; y depends on x, z and x·z
  const u = (() => { let a = 12345; return () => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a / 4294967296; }; })();
  const base = Array.from({ length: 120 }, (_, i) => ({ x: 10 * u(), z: 2 * u() - 1, g: `g${i % 12}` }));
  const ys = base.map((r, i) => 1 + 0.5 * r.x - 0.7 * r.z + 0.3 * r.x * r.z + Math.sin(i) + (i % 12) / 6);
  const table = (dx: number, dz: number, zOf: (z: number) => number = (z) => z) =>
    DataTable.fromRows([["y", "x", "z", "g"], ...base.map((r, i) => [ys[i], r.x + dx, zOf(r.z) + dz, r.g])]);
  const names = (r: { fixedEffects: { name: string }[] }) => r.fixedEffects.map((f) => f.name);

  test.each([
    ["y ~ x * z + (1|g)", ["Intercept", "x", "z", "x:z"]],
    ["y ~ x:z + x + z + (1|g)", ["Intercept", "x:z", "x", "z"]],
    ["y ~ x + z + I(x*z) + (1|g)", ["Intercept", "x", "z", "I(x * z)"]],
  ])("%s on x + 1e9 and on z + 3e5: every column kept, the fit the original one's", (formula, expected) => {
    const original = fitMixedModel(table(0, 0), { formula });
    expect(names(original)).toEqual(expected);
    for (const [dx, dz] of [[1e9, 0], [0, 3e5], [-2e8, 0]]) {
      const shifted = fitMixedModel(table(dx, dz), { formula });
      expect(names(shifted)).toEqual(expected);
      expect(shifted.warnings).toEqual([]);
      expect(shifted.converged).toBe(true);
      // the product's coefficient and the likelihood do not move; the fitted values do not either
      const k = expected.length - (formula.startsWith("y ~ x:z") ? 3 : 1);
      expect(shifted.fixedEffects[k].coef).toBeCloseTo(original.fixedEffects[k].coef, 6);
      expect(shifted.fixedEffects[k].stdErr).toBeCloseTo(original.fixedEffects[k].stdErr, 6);
      expect(shifted.logLik).toBeCloseTo(original.logLik, 5);
      expect(shifted.scale).toBeCloseTo(original.scale, 7);
      for (let i = 0; i < 120; i += 17) expect(shifted.fitted[i]).toBeCloseTo(original.fitted[i], 5);
    }
  });

  test("a product that is a combination of the columns before it is still dropped, shifted or not", () => {
    // z takes one value: z and x:z are the intercept and x over again
    for (const dx of [0, 1e9]) {
      const r = fitMixedModel(table(dx, 0, () => 2), { formula: "y ~ x * z + (1|g)" });
      expect(names(r)).toEqual(["Intercept", "x"]);
      expect(r.warnings.join(" ")).toMatch(/rank deficient: dropped z, x:z/);
    }
  });
});

describe("prediction on new rows", () => {
  const dietox = fixtureTable("dietox.csv");
  const r = fitMixedModel(dietox, { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" });

  test("with random effects, prediction on the fitting rows gives the fitted values", () => {
    const p = r.predict(dietox);
    for (let i = 0; i < 861; i += 97) expect(p[i]).toBeCloseTo(r.fitted[i], 9);
  });

  test("an lme4 nesting (1 | Block/Variety): prediction finds the levels of Variety:Block", () => {
    const oats = fixtureTable("Oats.csv");
    const n = fitMixedModel(oats, { formula: "yield ~ nitro + (1 | Block/Variety)" });
    expect(n.randomTerms.map((t) => t.grouping)).toEqual(["Variety:Block", "Block"]);
    expect(n.randomEffects[0].levels).toContain("Golden Rain:I");
    const p = n.predict(oats);
    for (let i = 0; i < oats.nRows; i += 7) expect(p[i]).toBeCloseTo(n.fitted[i], 9);
  });

  test("without random effects: X β; a new pig gets the population curve", () => {
    const t = DataTable.fromRows([["Pig", "Time"], [4601, 5], [99999, 5]]);
    const fixed = r.predict(t, { includeRandom: false });
    const b = r.fixedEffects.map((f) => f.coef);
    expect(fixed[0]).toBeCloseTo(b[0] + 5 * b[1], 12);
    const withRe = r.predict(t);
    expect(withRe[1]).toBeCloseTo(fixed[1], 12);
    const pig = r.randomEffects[0];
    const k = pig.levels.indexOf("4601");
    expect(withRe[0]).toBeCloseTo(fixed[0] + pig.values[k][0] + 5 * pig.values[k][1], 10);
  });
});

describe("bad input gets a MixedLMError that says what to fix", () => {
  const dietox = fixtureTable("dietox.csv");
  const t3 = DataTable.fromRows([["y", "x", "g", "s"], [1, 1, "a", "p"], [2, 2, "a", "q"], [3, 3, "b", "r"], [4, 5, "b", "s"], [6, 5, "c", "t"]]);
  test.each<[string, DataTable, ModelSpec, RegExp]>([
    ["unknown column in the formula", dietox, { formula: "Weight ~ Tme", groups: "Pig" }, /no column "Tme".*"Time"/],
    ["case mistake", dietox, { formula: "weight ~ Time", groups: "Pig" }, /Did you mean "Weight"\?/],
    ["unknown groups column", dietox, { formula: "Weight ~ Time", groups: "pigs" }, /no column "pigs"/],
    ["text response", dietox, { formula: "Evit ~ Time", groups: "Pig" }, /response Evit holds text; it must be numeric/],
    ["one group", t3, { formula: "y ~ x", groupValues: [1, 1, 1, 1, 1] }, /1 level .* at least two groups/],
    ["each row its own group", t3, { formula: "y ~ x", groups: "s" }, /as many levels \(5\) as there are rows/],
    ["no random effects", dietox, { formula: "Weight ~ Time" }, /no random effects: give the grouping column/],
    ["groups and bar terms", dietox, { formula: "Weight ~ Time + (1|Pig)", groups: "Pig" }, /groups must not also be given/],
    ["groups of the wrong length", t3, { formula: "y ~ x", groupValues: [1, 2] }, /2 values but the data have 5 rows/],
    ["more coefficients than rows", t3, { formula: "y ~ C(s)", groups: "g" }, /5 complete rows but 5 fixed-effects coefficients/],
    ["empty formula", dietox, { formula: " ", groups: "Pig" }, /formula is empty/],
    ["bad method", dietox, { formula: "Weight ~ Time", groups: "Pig", method: "GLS" as never }, /Unknown method "GLS"/],
    ["re_formula 0 alone", dietox, { formula: "Weight ~ Time", groups: "Pig", reFormula: "0" }, /leaves no random effects/],
  ])("%s", (_, table, spec, message) => {
    let err: unknown;
    try {
      fitMixedModel(table, spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MixedLMError);
    expect((err as Error).message).toMatch(message);
  });

  test("all rows missing in a used column", () => {
    const t = DataTable.fromRows([["y", "x", "g"], [1, null, "a"], [2, "NA", "b"]]);
    expect(() => fitMixedModel(t, { formula: "y ~ x", groups: "g" })).toThrow(/Every row has a missing value/);
  });
});
