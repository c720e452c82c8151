/** The structured derivatives (no n×n matrix) against the dense formulas on small models. */
import { fitModel, DataTable } from "../../../src/engine";
import { varianceDerivatives } from "../../../src/engine/inference/varianceDerivatives";
import { fitView } from "../../../src/engine/inference/fitView";
import type { SplitOptions } from "../../../src/engine/inference/splitInverse";
import { fixtureTable } from "../../helpers";
import { denseDerivatives } from "./denseOracle";

function close(a: ArrayLike<number>, b: number[], tol: number, what: string): void {
  const scale = Math.max(1e-300, ...b.map(Math.abs));
  for (let i = 0; i < b.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= tol * scale)) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]} (scale ${scale})`);
  }
}
const flat = (A: number[][]) => A[0].map((_, j) => A.map((r) => r[j])).flat(); // column-major

/**
 * Entries of the random-effect parameters to 1e-9; those of the residual variance to 1e-6: they
 * come from the others by Σ = Σ_r γ_r G_r, which cancels digits in proportion to the variance
 * ratio times the group size (Penicillin: about 300, and 4e-8 lost in Q_σσ).
 */
function check(table: DataTable, formula: string, method: "REML" | "ML" = "REML", gradient = false, products: SplitOptions["products"] = "auto"): void {
  const fit = fitModel(table, { formula, method });
  const d = varianceDerivatives(fitView(fit.core), { products });
  const o = denseDerivatives(fit.core);
  const m = d.m;
  const tolOf = (r: number, s = 0) => (r === m - 1 || s === m - 1 ? 1e-6 : 1e-9);
  close(d.phi, flat(o.phi), 1e-10, "phi");
  d.P.forEach((P, r) => close(P, flat(o.P[r]), tolOf(r), `P${r}`));
  d.Q.forEach((Q, k) => close(Q, flat(o.Q[k]), tolOf(Math.floor(k / m), k % m), `Q${k}`));
  close(d.information2, flat(o.information2), 1e-8, "information2");
  close(d.hessian, flat(o.hessian), 1e-7, "hessian");
  // the gradient vanishes at an interior optimum (and is then all rounding); at a boundary it does not
  if (gradient) close(d.gradient, o.gradient, 1e-7, "gradient");
}

function subset(name: string, keep: (i: number) => boolean): DataTable {
  const t = fixtureTable(name);
  const mask = new Uint8Array(t.nRows);
  for (let i = 0; i < t.nRows; i++) mask[i] = keep(i) ? 1 : 0;
  return t.subset(mask);
}

test("one term, random intercept and slope", () => {
  check(subset("sleepstudy.csv", (i) => i < 60 && i % 7 !== 3), "Reaction ~ Days + (Days | Subject)");
});
test("crossed terms", () => check(fixtureTable("Penicillin.csv"), "diameter ~ 1 + (1 | plate) + (1 | sample)"));
test("nested terms", () => check(fixtureTable("Pastes.csv"), "strength ~ 1 + (1 | batch/cask)"));
test("ML fit", () => check(subset("sleepstudy.csv", (i) => i < 80), "Reaction ~ Days + (Days | Subject)", "ML"));
test("a variance at zero (boundary): the gradient too", () => {
  // Dyestuff2's batch variance is estimated at zero
  const fit = fitModel(fixtureTable("Dyestuff2.csv"), { formula: "Yield ~ 1 + (1 | Batch)" });
  expect(fit.core.theta[0]).toBe(0);
  check(fixtureTable("Dyestuff2.csv"), "Yield ~ 1 + (1 | Batch)", "REML", true);
});
test("crossed, with a correlated slope on the first term", () => {
  check(subset("sleepstudy.csv", (i) => i < 90), "Reaction ~ Days + (Days | Subject) + (1 | Days)");
});
test("both ways of forming the R blocks agree with the dense formulas", () => {
  for (const products of ["inverse", "direct"] as const) {
    check(fixtureTable("Penicillin.csv"), "diameter ~ 1 + (1 | plate) + (1 | sample)", "REML", false, products);
    check(fixtureTable("Pastes.csv"), "strength ~ 1 + (1 | batch/cask)", "REML", false, products);
    check(subset("sleepstudy.csv", (i) => i < 90), "Reaction ~ Days + (Days | Subject) + (1 | Days)", "ML", false, products);
  }
});
test("three terms: nested within a crossed one", () => {
  // pigs within litters, crossed with the week (Pastes' sample is batch:cask itself: a model that
  // cannot be identified, refused since identifiability.ts)
  check(subset("dietox.csv", (i) => i < 180), "Weight ~ Time + (1 | Litter/Pig) + (1 | Time)");
});
