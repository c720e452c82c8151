/** The t, F and χ² tails and quantiles against R (scripts/reference/inference/distributions.R), far tails included. */
import { readFileSync } from "fs";
import { join } from "path";
import { chiSquareQuantile, chiSquareUpperP, fUpperP, tQuantile, tTwoSidedP } from "../../../src/engine/inference/distributions";
import { twoSidedNormalP } from "../../../src/engine/distributions";
import { FIXTURES } from "../../helpers";

const ref = JSON.parse(readFileSync(join(FIXTURES, "distributions", "r_tails.json"), "utf8"));
const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));

test("two-sided t p-values, to 1e-10 relative however small", () => {
  for (const c of ref.t) expect(rel(tTwoSidedP(c.t, c.df), c.p)).toBeLessThan(1e-10);
});
test("t quantiles", () => {
  for (const c of ref.tQuantile) expect(rel(tQuantile(c.p, c.df), c.q)).toBeLessThan(1e-9);
});
test("F upper tails, to 1e-10 relative however small", () => {
  for (const c of ref.f) expect(rel(fUpperP(c.f, c.d1, c.d2), c.p)).toBeLessThan(1e-10);
});
test("χ² upper tails and quantiles", () => {
  for (const c of ref.chiSquare) expect(rel(chiSquareUpperP(c.x, c.k), c.p)).toBeLessThan(1e-10);
  for (const c of ref.chiSquareQuantile) expect(rel(chiSquareQuantile(c.p, c.k), c.q)).toBeLessThan(1e-9);
});
test("limits: infinite df is the normal; F(1, d) at t² is the two-sided t", () => {
  expect(tTwoSidedP(2.5, Infinity)).toBe(twoSidedNormalP(2.5));
  for (const [t, d] of [[3.1, 7.2], [48.79, 69.2], [0.4, 2.1]]) expect(rel(fUpperP(t * t, 1, d), tTwoSidedP(t, d))).toBeLessThan(1e-12);
  expect(fUpperP(0, 2, 5)).toBe(1);
  expect(Number.isNaN(tTwoSidedP(1, 0))).toBe(true);
  expect(Number.isNaN(fUpperP(1, 2, -1))).toBe(true);
});
