/**
 * Issue 9's "wrong numbers", case by case, on its data set (test/fixtures/data/offsets.csv, made
 * by scripts/invariance/make-data.js: 200 rows, 20 groups): the response plus 1e6, 1e8, 1e12 and
 * times 1e8 and 1e160; the covariate plus 1e5, 3e5, 1e9; a random slope on the covariate times
 * 1e3 ... 1e8 and 1e-6, 1e-8, and plus 1e4. Each fit must be the original fit mapped exactly
 * (mappedFit.ts), converged and with no warning; the original fit must be lme4's. lme4's own fits
 * of the transformed data (test/fixtures/invariance/lme4.json, scripts/invariance/lme4_transformed.R)
 * fail on several of them; where lme4 succeeds, the engine's log-likelihood is at least as high.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { DataTable, fitMixedModel, MixedLMError, MixedLMResult } from "../../src/engine";
import { fixtureTable, FIXTURES } from "../helpers";
import { caseOf, checkTransform, fit, makeData, MODELS } from "./invarianceCases";
import { compareFit, expectedFit, Transform } from "./mappedFit";

interface Lme4Case {
  name: string;
  formula: string;
  column?: "y" | "x";
  a?: number;
  b?: number;
  status: "ok" | "error";
  llf?: number | null;
  fe_names?: string[];
  fe_params?: (number | null)[];
  bse_fe?: (number | null)[];
  vc_values?: (number | null)[];
  scale?: number | null;
  theta?: number[];
  singular?: boolean;
  notes: string[];
}

const lme4: Lme4Case[] = JSON.parse(readFileSync(join(FIXTURES, "invariance", "lme4.json"), "utf8")).cases;
const base = fixtureTable("offsets.csv");

/** The data set with column → a · column + b, computed in doubles as R computed it. */
function transformed(t: Transform | null): DataTable {
  const rows: (string | number)[][] = [["y", "x", "g"]];
  for (let i = 0; i < base.nRows; i++) {
    let y = Number(base.label("y", i)), x = Number(base.label("x", i));
    if (t && t.column === "y") y = t.a * y + t.b;
    if (t && t.column === "x") x = t.a * x + t.b;
    rows.push([y, x, base.label("g", i)]);
  }
  return DataTable.fromRows(rows);
}

const fits = new Map<string, MixedLMResult>();
function fitOf(formula: string, t: Transform | null): MixedLMResult {
  const key = `${formula} ${JSON.stringify(t)}`;
  if (!fits.has(key)) fits.set(key, fitMixedModel(transformed(t), { formula }));
  return fits.get(key)!;
}

describe("the untransformed data: lme4's fit", () => {
  test.each(lme4.filter((c) => !c.column).map((c) => [c.name, c] as const))("%s", (_, c) => {
    const r = fitOf(c.formula, null);
    expect(r.converged).toBe(true);
    expect(r.warnings).toEqual([]);
    // lme4 stops at its own tolerance (a gradient of 2e-3): agreement to about 1e-5, and a
    // log-likelihood at least as high as lme4's
    expect(Math.abs(r.logLik - c.llf!)).toBeLessThan(1e-6);
    expect(r.logLik).toBeGreaterThan(c.llf! - 1e-8);
    r.fixedEffects.forEach((fe, j) => {
      expect(Math.abs(fe.coef - c.fe_params![j]!)).toBeLessThan(1e-4 * c.bse_fe![j]!);
      expect(Math.abs(fe.stdErr - c.bse_fe![j]!)).toBeLessThan(1e-4 * c.bse_fe![j]!);
    });
    expect(Math.abs(r.scale - c.scale!)).toBeLessThan(1e-4 * c.scale!);
    r.theta.forEach((v, k) => expect(Math.abs(v - c.theta![k])).toBeLessThan(1e-4));
  });
});

describe("each transform of issue 9 gives the mapped fit, converged, without warnings", () => {
  const transformedCases = lme4.filter((c) => c.column && !(c.column === "y" && c.a === 1e160));
  test.each(transformedCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const t: Transform = { column: c.column!, a: c.a!, b: c.b! };
    const original = fitOf(c.formula, null);
    const r = fitOf(c.formula, t);
    expect(r.converged).toBe(true);
    expect(r.singular).toBe(false);
    expect(r.warnings).toEqual([]);
    // what storage of a · v + b loses of v (see invariance.property.test.ts), times a condition of 1,000
    const col = c.column === "y" ? "y" : "x";
    const values = Array.from({ length: base.nRows }, (_, i) => Number(base.label(col, i)));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const spread = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    const lost = (Number.EPSILON * Math.abs(t.b)) / (Math.abs(t.a) * spread);
    const xRms = c.column === "x" ? spread * Math.abs(t.a) : spread;
    const problems = compareFit(r, expectedFit(original, t), {
      rel: 1e-6 + 1e3 * lost,
      logLik: 1e-6 + 1e3 * lost * base.nRows,
      theta: 1e-10 + 1e3 * lost,
      fittedAbs: 8 * Number.EPSILON * (Math.abs(t.b) + Math.abs(t.a) * 30),
      unit: (name) => (name === "x" ? 1 / xRms : 1),
    });
    expect(problems).toEqual([]);
    // where lme4 reached a fit of its own, ours is at least as good (lme4 stops short on several)
    if (c.status === "ok" && c.llf !== null && c.llf !== undefined) expect(r.logLik).toBeGreaterThan(c.llf - 1e-6);
  });

  test("lme4 itself fails on several of them (the fixture records what it said)", () => {
    const troubled = lme4.filter((c) => c.status === "error" || c.notes.some((n) => /converge|singular|rank deficient|degenerate|non-finite|NA/i.test(n)));
    expect(troubled.map((c) => c.name)).toEqual(expect.arrayContaining(["intercept x+1e9", "slope x*1e6", "slope x*1e8", "slope x*1e-6", "slope x*1e-8"]));
  });
});

describe("a response near 1e160, whose variances exceed the largest double", () => {
  const t: Transform = { column: "y", a: 1e160, b: 0 };
  const original = fitOf("y ~ x + (1|g)", null);
  const r = fitOf("y ~ x + (1|g)", t);

  test("coefficients, standard errors, standard deviations, θ and log-likelihood are the mapped ones", () => {
    expect(r.converged).toBe(true);
    r.fixedEffects.forEach((fe, j) => {
      expect(fe.coef / 1e160).toBeCloseTo(original.fixedEffects[j].coef, 9);
      expect(fe.stdErr / 1e160).toBeCloseTo(original.fixedEffects[j].stdErr, 9);
    });
    expect(r.randomTerms[0].sd[0] / 1e160).toBeCloseTo(original.randomTerms[0].sd[0], 9);
    r.theta.forEach((v, k) => expect(Math.abs(v - original.theta[k])).toBeLessThan(1e-10));
    expect(r.logLik).toBeCloseTo(original.logLik - (200 - 2) * Math.log(1e160), 6);
    r.randomEffects[0].values.forEach((v, l) => expect(v[0] / 1e160).toBeCloseTo(original.randomEffects[0].values[l][0], 9));
  });

  test("the variances show as Infinity, with a warning that says why", () => {
    expect(r.scale).toBe(Infinity);
    expect(r.warnings.join(" ")).toMatch(/larger than the largest number a double holds/);
  });
});

describe("messages instead of fits", () => {
  const rows = (f: (i: number) => number) => DataTable.fromRows([["y", "x", "g"], ...Array.from({ length: 40 }, (_, i) => [f(i), i % 7, `g${i % 5}`])]);

  test("a constant response says so", () => {
    expect(() => fitMixedModel(rows(() => 3.5), { formula: "y ~ x", groups: "g" })).toThrow(MixedLMError);
    expect(() => fitMixedModel(rows(() => 3.5), { formula: "y ~ x", groups: "g" })).toThrow(/The response y is constant \(3\.5 in every row\)/);
  });

  test("a response the fixed effects fit exactly says so", () => {
    expect(() => fitMixedModel(rows((i) => 2 * (i % 7) + 1), { formula: "y ~ x + (1|g)" })).toThrow(/fit the response y exactly/);
  });
});

describe("the rank check does not depend on a column's offset or unit", () => {
  test("x + 3e5 and x + 1e9 are kept beside the intercept; x + 1e9 beside x is dropped (it repeats x to rounding)", () => {
    const r1 = fitOf("y ~ x + (1|g)", { column: "x", a: 1, b: 3e5 });
    expect(r1.fixedEffects.map((f) => f.name)).toEqual(["Intercept", "x"]);
    const r2 = fitOf("y ~ x + (1|g)", { column: "x", a: 1, b: 1e9 });
    expect(r2.fixedEffects.map((f) => f.name)).toEqual(["Intercept", "x"]);
    const rows: (string | number)[][] = [["y", "x", "x2", "g"]];
    for (let i = 0; i < base.nRows; i++) {
      const x = Number(base.label("x", i));
      rows.push([Number(base.label("y", i)), x, x + 1e9, base.label("g", i)]);
    }
    const r3 = fitMixedModel(DataTable.fromRows(rows), { formula: "y ~ x + x2 + (1|g)" });
    expect(r3.fixedEffects.map((f) => f.name)).toEqual(["Intercept", "x"]);
    expect(r3.warnings.join(" ")).toMatch(/dropped x2/);
  });
});

describe("predictions on new rows follow the transform", () => {
  // new rows: every group at x = 0, 2.5, 5, 7.5, 10, and an unseen group
  const newRows = (t: Transform | null) => {
    const rows: (string | number)[][] = [["x", "g"]];
    const groups = [...new Set(Array.from({ length: base.nRows }, (_, i) => base.label("g", i))), "Gnew"];
    for (const g of groups) {
      for (const x of [0, 2.5, 5, 7.5, 10]) rows.push([t && t.column === "x" ? t.a * x + t.b : x, g]);
    }
    return DataTable.fromRows(rows);
  };
  test.each([
    ["y ~ x + (1|g)", { column: "x", a: 1, b: 1e9 }],
    ["y ~ x + (x|g)", { column: "x", a: 1e6, b: 0 }],
    ["y ~ x + (x|g)", { column: "x", a: 1e-8, b: 0 }],
    ["y ~ x + (x|g)", { column: "x", a: 1, b: 1e4 }],
    ["y ~ x + (x|g)", { column: "y", a: 1e8, b: 1e10 }],
  ] as [string, Transform][])("%s with %j", (formula, t) => {
    const original = fitOf(formula, null);
    const r = fitOf(formula, t);
    for (const includeRandom of [true, false]) {
      const want = original.predict(newRows(null), { includeRandom });
      const got = r.predict(newRows(t), { includeRandom });
      const a = t.column === "y" ? t.a : 1, b = t.column === "y" ? t.b : 0;
      // 1e-9 of the response's spread (about 3), plus what x + b and a·y + b lose in storage
      const slack = 3e-9 * Math.abs(a) + 8 * Number.EPSILON * (Math.abs(b) + (t.column === "x" ? Math.abs(t.b) / Math.abs(t.a) : 0));
      want.forEach((w, i) => expect(Math.abs(got[i] - (a * w + b))).toBeLessThan(slack + 1e-9 * Math.abs(a * w)));
    }
  });
});

describe("cases the property suite found (invariance.property.test.ts), kept as examples", () => {
  // ML, an uncorrelated slope on x = −20 ± 0.85: the two effects nearly collinear, the
  // optimiser's Hessian 10% off along that direction; one unchecked polishing step left θ 1e-7
  // short of the optimum, and y × a stopped elsewhere
  test("y ~ x + (x||g) with x far from zero: y × a gives the same θ to 1e-11", () => {
    const d = makeData({ seed: 1, groups: 19, sizes: "unbalanced", perGroup: 6, crossLevels: 4, xMean: -19.999999590218067, xSpread: 0.5000000167638063, zMean: 1.9863052945584059, zSpread: 2.818334627151489, sdInt: 2.645182262174785, sdSlope: 0.6065236769616604, sdCross: 1.4121764000505208, sdRes: 1.2919484749436378, slope: -1.999999899417162, slopeZ: 1.0992522574961185, interaction: 0.551031555980444 });
    const model = MODELS.find((m) => m.name === "uncorrelated random slope")!;
    const original = fit(d, null, model, "ML");
    for (const a of [3, 1e-7, -0.1, 1e150]) {
      const r = fit(d, { column: "y", a, b: 0 }, model, "ML");
      r.theta.forEach((v, k) => expect(Math.abs(v - original.theta[k])).toBeLessThan(1e-11 * Math.abs(original.theta[k])));
    }
  });

  // ML, a correlated slope in groups of 1 to 5 rows, its variance near zero: x → −x took the
  // optimiser another way, and one unchecked step left the slope's sd 4e-5 apart
  test("y ~ x + (x|g) in small groups: x → −x gives the mapped fit", () => {
    const d = makeData({ seed: 2098254718, groups: 20, sizes: "small", perGroup: 12, crossLevels: 6, xMean: -9.359141662716866, xSpread: 4.341991670895368, zMean: -4.999999841675162, zSpread: 2.9719391498714685, sdInt: 0.500000037252903, sdSlope: 0.8559826835989952, sdCross: 0.7793499078601598, sdRes: 1.9384967000223696, slope: -1.9999999105930328, slopeZ: -0.7495435662567616, interaction: -0.6941898390650749 });
    const model = MODELS.find((m) => m.name === "correlated random slope")!;
    for (const a of [-1, -1.0000000000000002]) {
      const c = caseOf(model, { column: "x", a, b: 0 });
      expect(checkTransform(d, model, "ML", c)).toEqual([]);
    }
  });

  // ML, a slope in small groups beside a crossed term, the optimum singular (a correlation of ±1):
  // on −x + 4.1 the optimiser left the slope's θ above the snapping range, the polish brought it
  // to 0.033 and nobody tried it at zero again: a deviance 2.7e-6 short and no "singular"
  test("y ~ x * z + (x|g) + (1|h) at a singular optimum: x → −x + 4.1 gives the mapped fit, singular too", () => {
    const d = makeData({ seed: 1210616766, groups: 14, sizes: "small", perGroup: 7, crossLevels: 6, xMean: -0.8666887134313583, xSpread: 4.79571423586458, zMean: 2.561814980581403, zSpread: 1.3209448866546152, sdInt: 0.5128428242169321, sdSlope: 0.9999999798834325, sdCross: 1.1400580968707799, sdRes: 1.8131221076473594, slope: -1.1434175223112106, slopeZ: 0.02098744362592697, interaction: -0.26494760625064373 });
    const model = MODELS.find((m) => m.name === "crossed terms with a slope")!;
    expect(fit(d, null, model, "ML").singular).toBe(true);
    expect(checkTransform(d, model, "ML", caseOf(model, { column: "x", a: -1, b: 4.137810688643655 }))).toEqual([]);
  });

  // ML, a variance component on z: the moment start put θ at 36.7, Newton steps cut back to the
  // point's own scale halved it down to exactly 0, where the deviance (even in θ) is flat and at
  // a maximum; the fit stopped there, 1.28 below the optimum in log-likelihood
  test("a variance component on a covariate: a zero the optimiser landed on is left when the deviance falls away from it", () => {
    const d = makeData({ seed: 2147483642, groups: 19, sizes: "unbalanced", perGroup: 4, crossLevels: 8, xMean: 14.367401115596294, xSpread: 4.18991956859827, zMean: 1.601363755762577, zSpread: 2.924679270014167, sdInt: 2.671188243664801, sdSlope: 0.999999998509884, sdCross: 1.1699862923473119, sdRes: 0.5000000321306288, slope: -1.0992247052490711, slopeZ: -1.9837460108101368, interaction: -0.4324250016361475 });
    const model = MODELS.find((m) => m.name === "statsmodels variance component on a covariate")!;
    const r = fit(d, null, model, "ML");
    expect(r.converged).toBe(true);
    expect(r.logLik).toBeCloseTo(-152.95484479981155, 8);
    expect(checkTransform(d, model, "ML", caseOf(model, { column: "z", a: 1e-10, b: 0 }))).toEqual([]);
  });

  // REML, a crossed model whose optimum has the slope's θ at zero (a correlation of ±1): at zero
  // with the other θ where the optimiser left them the deviance rose by 6e-6, so the variance was
  // not snapped, and the fits stopped 1.4e-6 above the optimum, each where its path ended
  test("a variance put at zero with the others re-optimised for it: the singular optimum, the same for y × 1e-150 − 3e-150", () => {
    const d = makeData({ seed: 2031386872, groups: 11, sizes: "small", perGroup: 7, crossLevels: 8, xMean: -7.431437037885189, xSpread: 2.827819785103202, zMean: -4.999999888241291, zSpread: 0.7416142299771309, sdInt: 0.5000000139698386, sdSlope: 0.2869607783854008, sdCross: 0.36323842182755467, sdRes: 1.5013504941016436, slope: 1.9999999515712261, slopeZ: 1.9999999552965164, interaction: 0.7698889560997486 });
    const model = MODELS.find((m) => m.name === "crossed terms with a slope")!;
    const r = fit(d, null, model, "REML");
    expect(r.singular).toBe(true);
    expect(r.theta[2]).toBe(0);
    expect(r.logLik).toBeGreaterThan(-80.7706002204);
    expect(checkTransform(d, model, "REML", caseOf(model, { column: "y", a: 1.0000000000004582e-150, b: -2.9647228823554395e-150 }))).toEqual([]);
  });

  // REML, the same model on other data: a checked polishing step of 1e-8 raised the deviance by
  // 4.4e-11, its rounding, and was refused; the fit of y ± one unit in the last place stopped there
  test("a polishing step too small to move the deviance past its rounding is judged by the gradient it leaves", () => {
    const d = makeData({ seed: 1630744565, groups: 14, sizes: "regular", perGroup: 5, crossLevels: 4, xMean: -19.999999068677425, xSpread: 1.0572048583999276, zMean: 1.0239579156041145, zSpread: 2.8149969652295113, sdInt: 2.852863431442529, sdSlope: 0.21066545248031618, sdCross: 0.39743832796812056, sdRes: 0.5000000391155481, slope: 1.7394657209515572, slopeZ: 1.9999999850988388, interaction: 0.9999999757856131 });
    const model = MODELS.find((m) => m.name === "crossed terms with a slope")!;
    expect(checkTransform(d, model, "REML", caseOf(model, { column: "y", a: -1, b: -3.6022917958314262 }))).toEqual([]);
  });

  // ML, a slope beside a crossed term on x = 20 ± 6: the optimiser's BFGS Hessian was far off,
  // its first polishing step left a larger gradient and the second raised the deviance; a
  // fresh Hessian from the exact gradient takes θ to the optimum (σ² had been 2.5e-5 off)
  test("a polish whose Hessian fails starts again from a fresh one: x → −x + 3.1 gives the mapped fit", () => {
    const d = makeData({ seed: 1124734127, groups: 16, sizes: "small", perGroup: 9, crossLevels: 5, xMean: 19.99999888241291, xSpread: 3.399171158671379, zMean: 4.999999748542905, zSpread: 0.20000000260770323, sdInt: 1.5097489529289305, sdSlope: 0.3424442932009697, sdCross: 1.0731696289032697, sdRes: 0.6354043637402356, slope: -1.5662518329918385, slopeZ: -0.5590891987085342, interaction: 0.562887517735362 });
    const model = MODELS.find((m) => m.name === "crossed terms with a slope")!;
    expect(checkTransform(d, model, "ML", caseOf(model, { column: "x", a: -1, b: 3.1248190760663306 }))).toEqual([]);
  });

  // ML, statsmodels' variance component at zero on 40 rows: its observed Hessian is indefinite
  // there; its inverse's negative variance fell on x's diagonal for x (a fallback to lme4's
  // standard errors) but was mixed into positive garbage for x + 0.43 (x's SE 0.25 for 0.59)
  test("statsmodels' standard errors only from a positive definite Hessian: x and x + 0.43 agree", () => {
    const d = makeData({ seed: 1512747468, groups: 13, sizes: "small", perGroup: 6, crossLevels: 7, xMean: 0.20691979676485062, xSpread: 0.5000001173466444, zMean: 3.193574622273445, zSpread: 2.6142027489840984, sdInt: 0.500000053551048, sdSlope: 0.8634766913950445, sdCross: 0.8458872746676207, sdRes: 0.9165604640729725, slope: -0.20094627887010574, slopeZ: 0.656937800347805, interaction: -0.43419720605015755 });
    const model = MODELS.find((m) => m.name === "statsmodels variance component")!;
    expect(checkTransform(d, model, "ML", caseOf(model, { column: "x", a: 1, b: 0.4317662700500198 }))).toEqual([]);
  });
});
