/** The optimiser on functions whose minima are known exactly. */
import { minimize } from "../../src/engine/optimizer";
import { smallestEigenpair } from "../../src/engine/optimizerAlgebra";

describe("smallestEigenpair", () => {
  test("a diagonal matrix: its smallest entry and a unit axis", () => {
    const { value, vector } = smallestEigenpair(Float64Array.from([3, 0, 0, 0, -2, 0, 0, 0, 5]), 3);
    expect(value).toBeCloseTo(-2, 12);
    expect(Math.abs(vector[1])).toBeCloseTo(1, 12);
  });

  test("[[2, 1], [1, 2]]: eigenvalue 1 along (1, −1)/√2", () => {
    const { value, vector } = smallestEigenpair(Float64Array.from([2, 1, 1, 2]), 2);
    expect(value).toBeCloseTo(1, 12);
    expect(Math.abs(vector[0] + vector[1])).toBeLessThan(1e-12);
    expect(Math.hypot(vector[0], vector[1])).toBeCloseTo(1, 12);
  });
});

describe("minimize", () => {
  // f(x, y) = (x² − 1)² + 3y²: even in x like the deviance in a θ, with a saddle at x = 0 (where the
  // gradient in x is exactly zero) and minima f = 0 at (±1, 0).
  const f = (v: Float64Array) => (v[0] * v[0] - 1) ** 2 + 3 * v[1] * v[1];
  const fg = (v: Float64Array, g: Float64Array) => { g[0] = 4 * v[0] * (v[0] * v[0] - 1); g[1] = 6 * v[1]; return f(v); };

  test.each([
    ["finite differences", undefined],
    ["an analytic gradient", fg],
  ] as const)("Newton from a start on the saddle leaves it, with %s", (_, valueAndGradient) => {
    const r = minimize(f, Float64Array.from([0, 0.5]), { newtonFirst: true, valueAndGradient });
    expect(r.converged).toBe(true);
    expect(Math.abs(Math.abs(r.x[0]) - 1)).toBeLessThan(1e-4);
    expect(Math.abs(r.x[1])).toBeLessThan(1e-4);
    expect(r.f).toBeLessThan(1e-7);
  });

  test("quasi-Newton from the same start (more than four parameters' path) also reaches a minimum", () => {
    const r = minimize(f, Float64Array.from([0.01, 0.5]));
    expect(r.converged).toBe(true);
    expect(r.f).toBeLessThan(1e-7);
  });

  // a borrowed Hessian (options.hessian): what a profile's refits pass on to the next
  const atMinimum = Float64Array.from([1, 0]);
  const trueHessian = Float64Array.from([8, 0, 0, 6]);

  test("started at the minimum with the Hessian of a nearby problem, a gradient of n evaluations confirms it", () => {
    const fresh = minimize(f, atMinimum, { newtonFirst: true, f0: 0 });
    const borrowed = minimize(f, atMinimum, { newtonFirst: true, f0: 0, hessian: Float64Array.from([7, 0.5, 0.5, 6.5]) });
    expect(borrowed.converged).toBe(true);
    expect(borrowed.evaluations).toBe(2);
    expect(borrowed.evaluations).toBeLessThan(fresh.evaluations);
    expect(borrowed.f).toBeLessThan(1e-12);
  });

  test.each([
    ["a badly scaled", Float64Array.from([800, 0, 0, 0.06])],
    ["a not positive definite (ignored)", Float64Array.from([1, 2, 2, 1])],
    ["a wrongly sized (ignored)", trueHessian.slice(0, 3)],
  ])("from a start off the minimum with %s Hessian, it still reaches the minimum", (_, hessian) => {
    const r = minimize(f, Float64Array.from([1.3, 0.4]), { newtonFirst: true, hessian });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-4);
    expect(Math.abs(r.x[1])).toBeLessThan(1e-4);
    expect(r.f).toBeLessThan(1e-7);
  });
});
