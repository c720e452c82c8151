/**
 * Both factors of a product moved at once (issue 9): x → c·x + d and z → c'·z + d' in models with
 * x·z, as a fixed effect and in a random term. Formed as the formula writes it, (x + 1e9)(z + 3e5)
 * is a column near 3e14 whose part the data inform (x₀z₀, of order 10) is lost to rounding; the
 * design forms the product from centred factors and maps back exactly (centredProducts.ts).
 *
 * The check composes the single-covariate property (invariance.property.test.ts): the data with
 * x already moved are the original, and moving z on top of them must give that fit mapped
 * (checkTransform, mappedFit.ts). With fast-check and the suite's fixed seed.
 */
import fc from "fast-check";
import { assertProperty, caseName, caseOf, checkTransform, Data, dataParams, makeData, makeTransform, ModelCase, sd, SEED } from "./invarianceCases";

const PRODUCT_MODELS: ModelCase[] = [
  { name: "covariate × covariate", spec: { formula: "y ~ x * z + (1|g)" }, response: "y", covariates: ["x", "z"], random: [], shiftable: ["x", "z"], reduced: "y ~ x + z + (1|g)" },
  { name: "three-way with a factor", spec: { formula: "y ~ x * z * C(h) + (1|g)" }, response: "y", covariates: ["x", "z"], random: [], shiftable: ["x", "z"], reduced: "y ~ x + z + (1|g)" },
  { name: "covariate × covariate with a correlated slope", spec: { formula: "y ~ x * z + (x|g)" }, response: "y", covariates: ["x", "z"], random: ["x"], shiftable: ["x", "z"], reduced: "y ~ x + z + (x|g)" },
  { name: "a product in a random term", spec: { formula: "y ~ x * z + (x * z|g)" }, response: "y", covariates: ["x", "z"], random: ["x", "z"], shiftable: ["x", "z"], reduced: "y ~ x + z + (x * z|g)" },
  { name: "statsmodels, covariate × covariate", spec: { formula: "y ~ x * z", groups: "g", reFormula: "~x" }, response: "y", covariates: ["x", "z"], random: ["x"], shiftable: ["x", "z"], reduced: "y ~ x + z" },
];

const method = fc.constantFrom<"REML" | "ML">("REML", "ML");
const exponent = (max: number) => fc.double({ min: -max, max, noNaN: true });
const offset = fc.double({ min: 0, max: 10, noNaN: true });

describe("a product's factors moved together: the mapped fit (fast-check, seed " + SEED + ")", () => {
  test("x → c·x + d, then z → c'·z + d' on those data", () => {
    assertProperty(fc.property(
      dataParams, fc.constantFrom(...PRODUCT_MODELS), method, exponent(10), fc.boolean(), offset, fc.boolean(), exponent(10), fc.boolean(), offset, fc.boolean(),
      (p, model, m, ecx, negx, edx, dNegx, ecz, negz, edz, dNegz) => {
        const d = makeData(p);
        const tx = makeTransform("x", ecx, negx, edx, dNegx, sd(d.x), 1e9);
        const movedX: Data = { ...d, x: d.x.map((v) => tx.a * v + tx.b) };
        const tz = makeTransform("z", ecz, negz, edz, dNegz, sd(d.z), 1e9);
        const c = caseOf(model, tz);
        const problems = checkTransform(movedX, model, m, c);
        if (problems.length > 0) throw new Error(`${caseName(model, m, c)} on x → ${tx.a} x + ${tx.b}:\n${problems.slice(0, 8).join("\n")}`);
      },
    ) as never, 40);
  });
});
