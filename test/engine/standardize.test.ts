/**
 * The internal problem and its map (standardize.ts), the columns' footing (columnScaling.ts) and
 * the dense gradient (gradient.ts), checked against direct calculation: the deviance of the data's
 * own problem (a ProfiledDeviance on the untransformed frame) at the mapped θ, finite
 * differences, and the one-term analytic gradient.
 */
import { DataTable } from "../../src/engine";
import { centerAndScale, centeringMatrix, constantWeights, gramSchmidt } from "../../src/engine/columnScaling";
import { buildModel, fitCore, ProfiledDeviance } from "../../src/engine/fit";
import { denseGradient } from "../../src/engine/gradient";
import { lowerFactor, standardize } from "../../src/engine/standardize";
import { fixtureTable } from "../helpers";

describe("the map between the data's problem and the internal one", () => {
  test.each([
    ["sleepstudy.csv", "Reaction ~ Days + (Days|Subject)", "REML"],
    ["sleepstudy.csv", "Reaction ~ Days + (Days||Subject)", "ML"],
    ["Penicillin.csv", "diameter ~ 1 + (1|plate) + (1|sample)", "REML"],
    ["dietox.csv", "Weight ~ Time + I(Time**2) + (Time|Pig)", "REML"],
    ["offsets.csv", "y ~ x + (x|g)", "ML"],
  ] as const)("%s %s (%s): −2 log L of the data's problem at θ equals the mapped internal one", (file, formula, method) => {
    const frame = buildModel(fixtureTable(file), { formula, method });
    const core = fitCore(frame);
    const onData = new ProfiledDeviance(frame);
    const direct = onData.deviance(core.theta);
    expect(Math.abs(direct - core.minusTwoLogLik)).toBeLessThan(1e-8 * Math.abs(direct));
    // and at another θ, through internalTheta
    const other = Float64Array.from(core.theta, (v, k) => v * (1.1 + 0.05 * k));
    const mapped = core.transform.minusTwoLogLik(core.deviance.deviance(core.transform.internalTheta(other)));
    expect(Math.abs(onData.deviance(other) - mapped)).toBeLessThan(1e-8 * Math.abs(mapped));
  });

  test("θ round-trips through internalTheta and theta; β, the response and the factor's state agree", () => {
    const frame = buildModel(fixtureTable("sleepstudy.csv"), { formula: "Reaction ~ Days + (Days|Subject)" });
    const core = fitCore(frame);
    const tr = core.transform;
    Array.from(tr.theta(core.internal.T)).forEach((v, k) => expect(v).toBeCloseTo(core.theta[k], 12));
    Array.from(tr.internalTheta(core.theta)).forEach((v, k) => expect(v).toBeCloseTo(core.internal.theta[k], 12));
    expect(Array.from(tr.beta(core.internal.beta))).toEqual(Array.from(core.beta));
    const yInt = tr.internalResponse(frame.y);
    yInt.forEach((v, i) => expect(v).toBeCloseTo(tr.internal.y[i], 12));
  });

  test("a constant response is a message", () => {
    const t = DataTable.fromRows([["y", "x", "g"], ...Array.from({ length: 12 }, (_, i) => [7, i, `g${i % 3}`])]);
    expect(() => standardize(buildModel(t, { formula: "y ~ x + (1|g)" }))).toThrow(/constant \(7 in every row\)/);
  });
});

describe("lowerFactor: M = L Q' with L lower triangular and Q orthogonal", () => {
  test.each([
    [[2, 1, 0.5, 3], 2],
    [[1, 2, 2, 4], 2], // singular (rank one)
    [[0, 0, 0, 5], 2],
    [[1, 0.2, -0.3, 0.5, 2, 0.1, 0.7, -1, 3], 3],
  ])("%j", (m, q) => {
    const M = Float64Array.from(m);
    const { L, Q } = lowerFactor(M, q);
    for (let c = 0; c < q; c++) for (let r = 0; r < c; r++) expect(L[c * q + r]).toBe(0);
    for (let i = 0; i < q; i++) expect(L[i * q + i]).toBeGreaterThanOrEqual(0);
    for (let r = 0; r < q; r++) for (let c = 0; c < q; c++) {
      let lq = 0, qq = 0;
      for (let k = 0; k < q; k++) { lq += L[k * q + r] * Q[k * q + c]; qq += Q[r * q + k] * Q[c * q + k]; }
      expect(lq).toBeCloseTo(M[c * q + r], 12);
      expect(qq).toBeCloseTo(r === c ? 1 : 0, 12);
    }
  });
});

describe("columns on a unit-free footing", () => {
  const n = 50;
  const ones = new Float64Array(n).fill(1);
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3 + 3e5);
  const a = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const b = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));

  test("the constant is found as a column or as indicators that partition the rows", () => {
    expect(Array.from(constantWeights([x, ones])!)).toEqual([0, 1]);
    expect(Array.from(constantWeights([a, b, x])!)).toEqual([1, 1, 0]);
    expect(constantWeights([a, x])).toBeNull();
  });

  test("centred and scaled columns are X B, with B from centeringMatrix", () => {
    const cc = centerAndScale([ones, x, a]);
    const B = centeringMatrix(cc);
    const cols = [ones, x, a];
    for (let j = 0; j < 3; j++) for (let i = 0; i < n; i += 7) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += cols[k][i] * B[j * 3 + k];
      expect(v).toBeCloseTo(cc.columns[j][i], 6);
    }
    // x + 3e5 became a column of unit root mean square about zero
    const xs = cc.columns[1];
    expect(xs.reduce((s, v) => s + v, 0) / n).toBeCloseTo(0, 10);
    expect(Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / n)).toBeCloseTo(1, 12);
  });

  test("Gram-Schmidt gives orthogonal columns with cols = Q R", () => {
    const { Q, R, kept } = gramSchmidt([ones, x, a]);
    expect(kept).toEqual([0, 1, 2]);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const dot = Q[i].reduce((s, v, r) => s + v * Q[j][r], 0) / n;
      expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
    }
    for (let r = 0; r < n; r += 9) {
      const rebuilt = Q[0][r] * R[3] + Q[1][r] * R[4];
      expect(rebuilt).toBeCloseTo(x[r], 6);
    }
  });
});

describe("the dense gradient of the deviance (several terms)", () => {
  test.each([
    ["Penicillin.csv", "diameter ~ 1 + (1|plate) + (1|sample)", "REML"],
    ["Penicillin.csv", "diameter ~ 1 + (1|plate) + (1|sample)", "ML"],
    ["sleepstudy.csv", "Reaction ~ Days + (Days||Subject)", "REML"],
    ["sleepstudy.csv", "Reaction ~ Days + (Days|Subject)", "REML"],
    ["Pastes.csv", "strength ~ 1 + (1|batch/cask)", "ML"],
  ] as const)("%s %s (%s) equals central differences (and the one-term gradient)", (file, formula, method) => {
    const frame = buildModel(fixtureTable(file), { formula, method });
    const dev = new ProfiledDeviance(standardize(frame).internal);
    const theta = Float64Array.from({ length: frame.nTheta }, (_, k) => 0.4 + 0.3 * k * (k % 2 ? -1 : 1));
    expect(dev.update(theta)).toBe(true);
    const g = new Float64Array(theta.length);
    denseGradient(dev, theta, g);
    theta.forEach((_, k) => {
      const h = 1e-5;
      const up = Float64Array.from(theta), down = Float64Array.from(theta);
      up[k] += h; down[k] -= h;
      const fd = (dev.deviance(up) - dev.deviance(down)) / (2 * h);
      expect(Math.abs(g[k] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    });
    if (dev.hasGradient) {
      dev.update(theta);
      const g1 = new Float64Array(theta.length);
      dev.gradient(g1);
      g1.forEach((v, k) => expect(Math.abs(v - g[k])).toBeLessThan(1e-9 * Math.max(1, Math.abs(v))));
    }
  });
});
