/**
 * The fill-reducing order of a crossed design's second term (ordering.ts) and the factor that
 * uses it: the same numbers as the plain dense factor, to rounding, and results indexed by the
 * frame's levels, not the factor's order.
 */
import { DataTable } from "../../src/engine";
import { cholesky, choleskySparseThenDense } from "../../src/engine/dense";
import { buildModel, fitCore, ProfiledDeviance } from "../../src/engine/fit";
import { buildResult } from "../../src/engine/results";
import { fillReducingPlan } from "../../src/engine/ordering";

/** Deterministic pseudo-random numbers (a linear congruential generator), so the data are the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Students rate instructors of their own department, and now and then one of another: a
 * partially crossed design whose instructor block is sparse, as in lme4's InstEval.
 */
function partiallyCrossed(students: number, departments: number, perDept: number, seed = 7): DataTable {
  const u = rng(seed);
  const rows: (string | number)[][] = [["y", "x", "s", "d"]];
  const bs = Array.from({ length: students }, () => u() - 0.5);
  const bd = Array.from({ length: departments * perDept }, () => 2 * (u() - 0.5));
  for (let s = 0; s < students; s++) {
    const dept = Math.floor(u() * departments);
    const n = 3 + Math.floor(u() * 5);
    for (let k = 0; k < n; k++) {
      const d = u() < 0.98 ? dept * perDept + Math.floor(u() * perDept) : Math.floor(u() * departments * perDept);
      const x = u() < 0.5 ? 1 : 0;
      rows.push([3 + 0.4 * x + bs[s] + bd[d] + (u() - 0.5) * 2, x, `s${s}`, `d${d}`]);
    }
  }
  return DataTable.fromRows(rows);
}

describe("fillReducingPlan", () => {
  test("a permutation, patterns below the diagonal and sorted, and a dense tail", () => {
    const n1 = 400, m = 120;
    const u = rng(3);
    const refs1: number[] = [], refs2: number[] = [];
    for (let c = 0; c < n1; c++) {
      const block = Math.floor(u() * 6);
      for (let k = 0; k < 4; k++) { refs1.push(c); refs2.push(block * 20 + Math.floor(u() * 20)); }
    }
    const plan = fillReducingPlan(Int32Array.from(refs1), n1, Int32Array.from(refs2), m)!;
    expect(plan).not.toBeNull();
    expect([...plan.perm].sort((a, b) => a - b)).toEqual(Array.from({ length: m }, (_, i) => i));
    expect(plan.nSparse).toBeGreaterThan(0);
    expect(plan.nSparse).toBeLessThan(m);
    for (let j = 0; j < plan.nSparse; j++) {
      const rows = Array.from(plan.rowIdx.subarray(plan.colPtr[j], plan.colPtr[j + 1]));
      for (let t = 0; t < rows.length; t++) {
        expect(rows[t]).toBeGreaterThan(j);
        if (t > 0) expect(rows[t]).toBeGreaterThan(rows[t - 1]);
      }
    }
  });

  test("no plan for nested levels, a complete coupling graph, or a small block", () => {
    const nestedRefs1 = Int32Array.from({ length: 400 }, (_, i) => i);
    const nestedRefs2 = Int32Array.from({ length: 400 }, (_, i) => Math.floor(i / 4));
    expect(fillReducingPlan(nestedRefs1, 400, nestedRefs2, 100)).toBeNull();
    // every first-term level meets every second-term level
    const r1: number[] = [], r2: number[] = [];
    for (let c = 0; c < 50; c++) for (let l = 0; l < 80; l++) { r1.push(c); r2.push(l); }
    expect(fillReducingPlan(Int32Array.from(r1), 50, Int32Array.from(r2), 80)).toBeNull();
    expect(fillReducingPlan(Int32Array.from([0, 0, 1, 1]), 2, Int32Array.from([0, 1, 1, 2]), 3)).toBeNull();
  });
});

describe("the factor on the fill-reducing order", () => {
  const table = partiallyCrossed(2000, 20, 15);
  const frame = buildModel(table, { formula: "y ~ x + (1|s) + (1|d)", method: "REML" });
  const ordered = new ProfiledDeviance(frame);
  const plain = new ProfiledDeviance(frame, "REML", { fillReducing: false });

  test("is used on this design", () => {
    expect(ordered.factor.plans[1]).not.toBeNull();
    expect(plain.factor.plans[1]).toBeNull();
  });

  test("gives the deviance of the dense factor at any θ", () => {
    for (const th of [[1, 1], [0.3, 0.7], [2, 0.05], [0, 0.5], [0.8, 0]]) {
      const a = ordered.deviance(Float64Array.from(th));
      const b = plain.deviance(Float64Array.from(th));
      expect(Math.abs(a - b)).toBeLessThan(1e-9 * Math.abs(b));
    }
  });

  test("the sparse-then-dense Cholesky equals the dense one on a matrix with the plan's pattern", () => {
    const plan = ordered.factor.plans[1]!;
    const m = ordered.factor.dims[1];
    ordered.update(Float64Array.from([0.6, 0.9]));
    const L = ordered.factor.Ldiag[1];
    // A = L L' has exactly the plan's pattern; factor it both ways
    const A = new Float64Array(m * m);
    for (let c = 0; c < m; c++) for (let r = c; r < m; r++) {
      let s = 0;
      for (let k = 0; k <= c; k++) s += L[k * m + r] * L[k * m + c];
      A[c * m + r] = s;
    }
    const dense = Float64Array.from(A);
    expect(cholesky(dense, m)).toBe(true);
    const hybrid = Float64Array.from(A);
    expect(choleskySparseThenDense(hybrid, m, plan, new Float64Array((m - plan.nSparse) ** 2), new Float64Array(plan.rowIdx.length))).toBe(true);
    let worst = 0;
    for (let c = 0; c < m; c++) for (let r = c; r < m; r++) worst = Math.max(worst, Math.abs(hybrid[c * m + r] - dense[c * m + r]));
    expect(worst).toBeLessThan(1e-10);
  });

  test("random effects and conditional variances come back in the frame's level order", () => {
    const a = buildResult(fitCore(frame), { conditionalVariances: true });
    const b = buildResult(fitCore(frame, { fillReducing: false }), { conditionalVariances: true });
    expect(a.converged && b.converged).toBe(true);
    expect(Math.abs(a.logLik - b.logLik)).toBeLessThan(1e-8);
    for (const grouping of ["s", "d"]) {
      const ta = a.randomEffects.find((t) => t.grouping === grouping)!;
      const tb = b.randomEffects.find((t) => t.grouping === grouping)!;
      expect(ta.levels).toEqual(tb.levels);
      const scale = Math.max(...tb.values.map((v) => Math.abs(v[0])));
      ta.values.forEach((v, l) => expect(Math.abs(v[0] - tb.values[l][0])).toBeLessThan(1e-5 * scale));
      ta.condSd!.forEach((v, l) => expect(Math.abs(v[0] - tb.condSd![l][0])).toBeLessThan(1e-5 * tb.condSd![l][0]));
    }
    for (let i = 0; i < a.fitted.length; i += 11) expect(a.fitted[i]).toBeCloseTo(b.fitted[i], 6);
  });
});
