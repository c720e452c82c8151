/**
 * Properties of the df methods on generated data (fast-check, fixed seeds):
 *  - on random small designs (one term with a slope, crossed, nested, three terms; unbalanced,
 *    with variances at zero now and then) the structured derivatives equal the dense formulas;
 *  - the tests do not depend on the response's units or origin, nor on a covariate's units: df,
 *    t and F stay, standard errors scale.
 */
import fc from "fast-check";
import { DataTable, fitModel, ModelSpec } from "../../../src/engine";
import { anovaTable } from "../../../src/engine/inference/anova";
import { contrastTests, fixedEffectTests } from "../../../src/engine/inference/fixedEffectTests";
import { fitView } from "../../../src/engine/inference/fitView";
import { varianceDerivatives } from "../../../src/engine/inference/varianceDerivatives";
import { fixtureTable } from "../../helpers";
import { denseDerivatives } from "./denseOracle";

/** A small deterministic generator (the data of one fast-check case). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

const DESIGNS = ["slope", "crossed", "nested", "three"] as const;
type Design = (typeof DESIGNS)[number];

const FORMULA: Record<Design, string> = {
  slope: "y ~ x + f + (x | g)",
  crossed: "y ~ x + (1 | g) + (1 | h)",
  nested: "y ~ x + f + (1 | h/g)",
  three: "y ~ x + (1 | g) + (1 | h) + (1 | k)",
};

function generate(design: Design, seed: number, n: number): DataTable {
  const u = lcg(seed);
  const normal = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  const nG = 4 + Math.floor(u() * 5), nH = 3 + Math.floor(u() * 3);
  const bg = Array.from({ length: nG }, () => normal() * (u() < 0.2 ? 0 : 1.5));
  const sg = Array.from({ length: nG }, () => normal() * 0.5);
  const bh = Array.from({ length: nH }, () => normal());
  const rows: unknown[][] = [["y", "x", "f", "g", "h", "k"]];
  for (let i = 0; i < n; i++) {
    const h = Math.floor(u() * nH);
    // nested: g's levels are within h (labelled per h); otherwise crossed
    const g = Math.floor(u() * nG);
    const x = Math.round(u() * 100) / 10;
    const f = ["a", "b", "c"][Math.floor(u() * 3)];
    const k = Math.floor(u() * 3);
    const y = 2 + 0.7 * x + (f === "b" ? 1 : 0) + bg[g] + sg[g] * x * (design === "slope" ? 1 : 0) + bh[h] + normal();
    rows.push([Math.round(y * 1e4) / 1e4, x, f, `g${g}`, `h${h}`, `k${k}`]);
  }
  return DataTable.fromRows(rows);
}

function close(a: ArrayLike<number>, b: number[], tol: number): boolean {
  const scale = Math.max(1e-300, ...b.map(Math.abs));
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol * scale)) return false;
  return true;
}
const flat = (A: number[][]) => A[0].map((_, j) => A.map((r) => r[j])).flat();

test("structured derivatives equal the dense formulas on random designs", () => {
  let compared = 0;
  fc.assert(
    fc.property(fc.constantFrom(...DESIGNS), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 30, max: 70 }), fc.boolean(), (design, seed, n, ml) => {
      const table = generate(design, seed, n);
      let fit;
      try { fit = fitModel(table, { formula: FORMULA[design], method: ml ? "ML" : "REML" }); } catch { return true; } // a degenerate draw (e.g. a level with no rows)
      const d = varianceDerivatives(fitView(fit.core));
      const o = denseDerivatives(fit.core);
      const m = d.m;
      const ok = close(d.phi, flat(o.phi), 1e-9)
        && d.P.every((P, r) => close(P, flat(o.P[r]), r === m - 1 ? 1e-6 : 1e-8))
        && d.Q.every((Q, k) => close(Q, flat(o.Q[k]), Math.floor(k / m) === m - 1 || k % m === m - 1 ? 1e-6 : 1e-8))
        && close(d.information2, flat(o.information2), 1e-7)
        && close(d.hessian, flat(o.hessian), 1e-6);
      if (!ok) throw new Error(`${design} seed ${seed} n ${n} ${ml ? "ML" : "REML"}`);
      compared++;
      return true;
    }),
    { seed: 20261201, numRuns: 24 },
  );
  expect(compared).toBeGreaterThanOrEqual(20);
});

/** df and t of every coefficient, F and DenDF of every type III row. */
function summaryOf(table: DataTable, spec: ModelSpec, method: "satterthwaite" | "kenward-roger") {
  const fit = fitModel(table, spec);
  const tests = contrastTests(fit.core, method);
  return { coef: fixedEffectTests(fit.core, tests), anova: anovaTable(fit.core, tests, 3).rows };
}

/**
 * Invariance to units, on the unbalanced sleepstudy with a factor added: the fit is unit-free
 * (standardize.ts) and lands on the same optimum to about 1e-10 in θ, so over y in units
 * 1e-100..1e100 (where the variances' squares in Satterthwaite's formula once overflowed) and x
 * in units 1e-5..1e5, df, t and F agree to 1e-6. invarianceInference.property.test.ts checks more
 * models, shifts of covariates and the other inference.
 */
test("invariant to the response's units and origin and to a covariate's units", () => {
  const base = fixtureTable("sleepstudy_unbalanced.csv");
  const y = (base.column("Reaction") as { values: Float64Array }).values;
  const days = (base.column("Days") as { values: Float64Array }).values;
  const subject = base.column("Subject");
  const label = (i: number) => (subject.kind === "numeric" ? subject.values[i] : subject.levels[subject.codes[i]]);
  const spec = { formula: "y ~ x * f + (x | g)" };
  const tableOf = (a: number, b: number, c: number) =>
    DataTable.fromRows([["y", "x", "f", "g"], ...Array.from({ length: base.nRows }, (_, i) => [a * y[i] + b, c * days[i], i % 3 === 0 ? "u" : "v", label(i)])]);
  fc.assert(
    fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom("satterthwaite" as const, "kenward-roger" as const), (ea, bUnit, ec, method) => {
      const a = 10 ** ea, b = a * bUnit, c = 10 ** ec;
      const s0 = summaryOf(tableOf(1, 0, 1), spec, method);
      const s1 = summaryOf(tableOf(a, b, c), spec, method);
      s0.coef.forEach((r, i) => {
        const q = s1.coef[i];
        expect(Math.abs(q.df - r.df) / r.df).toBeLessThan(1e-6);
        // the intercept and the factor's main effect move with the origin of y and the units of x
        if (!r.name.startsWith("Intercept") && r.name !== "f[T.v]") expect(Math.abs(q.t - r.t)).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.t)));
      });
      const slope = s0.coef.findIndex((r) => r.name === "x");
      expect(Math.abs(s1.coef[slope].stdErr / s0.coef[slope].stdErr - a / c)).toBeLessThan(1e-6 * (a / c));
      s0.anova.forEach((r, i) => {
        expect(Math.abs(s1.anova[i].F - r.F) / r.F).toBeLessThan(1e-6);
        expect(Math.abs(s1.anova[i].denDF - r.denDF) / r.denDF).toBeLessThan(1e-6);
      });
      return true;
    }),
    // and at the ends, where Satterthwaite's formula squared variances of 1e±200
    { seed: 7, numRuns: 10, examples: [[100, 0, 0, "satterthwaite"], [-100, 0, 0, "satterthwaite"], [-100, 1, -5, "kenward-roger"]] },
  );
});

test("an F or t test does not depend on the scale of its hypothesis' rows (L × 1e±80: the eigen-decomposition of LΦL' once squared 1e160)", () => {
  const fit = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time + C(Cu) + (Time|Pig)" });
  for (const method of ["satterthwaite", "kenward-roger"] as const) {
    const tests = contrastTests(fit.core, method);
    const L = [Float64Array.from([0, 0, 1, 0]), Float64Array.from([0, 0, 0, 1])];
    const base = tests.fTest(L);
    for (const f of [1e80, 1e-80, -3]) {
      const r = tests.fTest(L.map((l) => l.map((v) => v * f)));
      expect(Math.abs(r.F - base.F)).toBeLessThan(1e-9 * base.F);
      expect(Math.abs(r.denDF - base.denDF)).toBeLessThan(1e-9 * base.denDF);
      const t0 = tests.tTest(L[0]), t1 = tests.tTest(L[0].map((v) => v * f));
      expect(Math.abs(t1.t - Math.sign(f) * t0.t)).toBeLessThan(1e-9 * Math.abs(t0.t));
      expect(Math.abs(t1.stdErr - Math.abs(f) * t0.stdErr)).toBeLessThan(1e-9 * Math.abs(f) * t0.stdErr);
    }
  }
});
