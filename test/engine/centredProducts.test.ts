/**
 * Products of numeric factors formed from centred factors (centredProducts.ts), on
 * test/fixtures/data/products.csv (scripts/invariance/products_lme4.R: 200 rows, 20 groups, x in
 * [0, 10], z ~ N(0, 1)) with lme4's fits of it (test/fixtures/invariance/products_lme4.json). With
 * x + 1e9 and z + 3e5 at once, lme4 drops x:z and another column (random intercept) or stops
 * ("Downdated VtV is not positive definite", random slope); the engine must give the original
 * fit mapped exactly: β_x:z unchanged, β_x − 3e5 β_x:z, β_z − 1e9 β_x:z, the intercept
 * β₀ − 1e9 β_x − 3e5 β_z + 3e14 β_x:z, the log-likelihood unchanged (det of the map is 1).
 */
import { readFileSync } from "fs";
import { join } from "path";
import { anovaOf, DataTable, dfTests, fitModel, FittedModel, predictNew } from "../../src/engine";
import { ProductCentres, productMatrix, productRelations } from "../../src/engine/centredProducts";
import { buildModel } from "../../src/engine/model";
import { newMemo } from "../../src/engine/formula/factor";
import { fixtureTable, FIXTURES } from "../helpers";

const lme4 = JSON.parse(readFileSync(join(FIXTURES, "invariance", "products_lme4.json"), "utf8"));
const DX = 1e9, DZ = 3e5;

function shifted(t: DataTable, dx: number, dz: number): DataTable {
  const names = ["y", "x", "z", "g"];
  const cols = names.map((n) => t.column(n));
  const rows: (string | number)[][] = [names];
  for (let i = 0; i < t.nRows; i++) {
    rows.push(cols.map((c, j) => {
      const v = c.kind === "numeric" ? c.values[i] : c.levels[c.codes[i]];
      return names[j] === "x" ? (v as number) + dx : names[j] === "z" ? (v as number) + dz : v;
    }));
  }
  return DataTable.fromRows(rows);
}

/** The coefficients (Intercept, x, z, x:z) of the data with x + dx, z + dz, from the original's. */
function mappedCoefficients(b: number[], dx: number, dz: number): number[] {
  return [b[0] - dx * b[1] - dz * b[2] + dx * dz * b[3], b[1] - dz * b[3], b[2] - dx * b[3], b[3]];
}

const data = fixtureTable("products.csv");
const moved = shifted(data, DX, DZ);

describe("the product of two shifted covariates", () => {
  test("the original data: lme4's fit (random intercept, REML; correlated slope, ML)", () => {
    for (const [key, spec] of [["original_ri", { formula: "y ~ x * z + (1|g)" }], ["original_slope_ml", { formula: "y ~ x * z + (x|g)", method: "ML" }]] as const) {
      const ref = lme4[key];
      const { result } = fitModel(data, spec);
      expect(Math.abs(result.logLik - ref.logLik)).toBeLessThan(1e-6);
      result.fixedEffects.forEach((f, j) => {
        expect(Math.abs(f.coef - ref.coef[j])).toBeLessThan(1e-5 * (Math.abs(ref.coef[j]) + ref.se[j]));
        expect(Math.abs(f.stdErr - ref.se[j])).toBeLessThan(1e-4 * ref.se[j]);
      });
    }
  });

  test("x + 1e9 and z + 3e5 at once: x:z kept, the original fit mapped (where lme4 drops columns or stops)", () => {
    expect(lme4.shifted_ri.names).not.toContain("x:z");
    expect(lme4.shifted_slope_ml.status).toBe("error");
    for (const spec of [{ formula: "y ~ x * z + (1|g)" }, { formula: "y ~ x * z + (x|g)", method: "ML" as const }]) {
      const base = fitModel(data, spec).result;
      const fit = fitModel(moved, spec).result;
      expect(fit.warnings).toEqual([]);
      expect(fit.converged).toBe(true);
      expect(fit.fixedEffects.map((f) => f.name)).toEqual(["Intercept", "x", "z", "x:z"]);
      expect(Math.abs(fit.logLik - base.logLik)).toBeLessThan(1e-6);
      const want = mappedCoefficients(base.fixedEffects.map((f) => f.coef), DX, DZ);
      // the map's rows are huge (3e14 β_x:z on the intercept): each coefficient against its own SE
      fit.fixedEffects.forEach((f, j) => expect(Math.abs(f.coef - want[j])).toBeLessThan(1e-6 * (Math.abs(want[j]) + f.stdErr)));
      expect(Math.abs(fit.fixedEffects[3].stdErr - base.fixedEffects[3].stdErr)).toBeLessThan(1e-6 * base.fixedEffects[3].stdErr);
      expect(Math.abs(fit.scale - base.scale)).toBeLessThan(1e-6 * base.scale);
    }
  });

  test("a product in a random term, (x * z | g): the same likelihood, the x:z variance unchanged", () => {
    const spec = { formula: "y ~ x * z + (x * z|g)", method: "ML" as const };
    const base = fitModel(data, spec).result;
    const fit = fitModel(moved, spec).result;
    expect(Math.abs(fit.logLik - base.logLik)).toBeLessThan(1e-6);
    const last = (r: typeof base) => r.randomTerms[0].cov[3][3];
    expect(Math.abs(last(fit) - last(base))).toBeLessThan(1e-5 * last(base) + 1e-9);
    expect(Math.abs(fit.fixedEffects[3].coef - base.fixedEffects[3].coef)).toBeLessThan(1e-6 * base.fixedEffects[3].stdErr);
  });

  test("predictions on new rows, shifted alike, equal the original's (population and conditional, with SEs)", () => {
    const spec = { formula: "y ~ x * z + (x|g)" };
    const rows = (dx: number, dz: number) => DataTable.fromRows([["x", "z", "g"], [2.5 + dx, -1 + dz, "G03"], [7 + dx, 0.5 + dz, "G11"], [12 + dx, 2 + dz, "new"]]);
    const p0 = predictNew(fitModel(data, spec), rows(0, 0));
    const p1 = predictNew(fitModel(moved, spec), rows(DX, DZ));
    p0.population.forEach((v, i) => {
      expect(Math.abs(p1.population[i] - v)).toBeLessThan(1e-6 * (1 + Math.abs(v)));
      expect(Math.abs(p1.seFixed![i] - p0.seFixed![i])).toBeLessThan(1e-5 * p0.seFixed![i]);
      expect(Math.abs(p1.conditional![i] - p0.conditional![i])).toBeLessThan(1e-6 * (1 + Math.abs(v)));
    });
  });

  test("ANOVA of types I and II: the same F tests (they do not depend on where x and z are centred)", () => {
    const spec = { formula: "y ~ x * z + (1|g)" };
    const anova = (m: FittedModel, type: 1 | 2) => anovaOf(m, type, dfTests(m, "satterthwaite")).rows;
    const m0 = fitModel(data, spec), m1 = fitModel(moved, spec);
    // type I is invariant under shifts of x and z; type II's x and z (not contained in x:z,
    // whose numeric variables differ: lmerTest) test the coefficients, which are not
    for (const [k, row] of anova(m0, 1).entries()) {
      const got = anova(m1, 1)[k];
      expect(Math.abs(got.F - row.F)).toBeLessThan(1e-6 * row.F);
      expect(Math.abs(got.denDF - row.denDF)).toBeLessThan(1e-5 * row.denDF);
    }
    const xz0 = anova(m0, 2)[2], xz1 = anova(m1, 2)[2];
    expect(Math.abs(xz1.F - xz0.F)).toBeLessThan(1e-6 * xz0.F);
  });
});

describe("the map between the formula's products and the centred ones", () => {
  // small integers with integer means: every number below is exact in doubles
  const x = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6], z = [4, 6, 2, 4, 9, 5, 1, 3, 8, 2, 7, 9], w = [2, 2, 5, 3, 3, 3, 4, 1, 6, 2, 3, 2];
  const y = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
  const table = DataTable.fromRows([["y", "x", "z", "w", "g"], ...y.map((v, i) => [v, x[i], z[i], w[i], "abc"[i % 3]])]);
  const frame = buildModel(table, { formula: "y ~ x * z * w + (1|g)" });

  test("each product column is its centred form plus the listed multiples of earlier columns, exactly", () => {
    // patsy's order: the products of x and z come before w
    expect(frame.xNames).toEqual(["Intercept", "x", "z", "x:z", "w", "x:w", "z:w", "x:z:w"]);
    frame.X.forEach((col, k) => {
      const r = frame.products[k];
      if (frame.xNames[k].split(":").length < 2) { expect(r).toBeNull(); return; }
      expect(r).not.toBeNull();
      for (let i = 0; i < col.length; i++) {
        let v = r!.centred[i];
        for (const { column, coef } of r!.lower) v += coef * frame.X[column][i];
        expect(Math.abs(v - col[i])).toBe(0);
      }
    });
    // the centres are the means: x 3.5, z 5, w 3
    expect([...frame.memo.centres.entries()].sort()).toEqual([["w", 3], ["x", 3.5], ["z", 5]]);
  });

  test("M is unit upper triangular and X M is the centred design", () => {
    const p = frame.X.length;
    const M = productMatrix(frame.products);
    for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) {
      if (l === k) expect(M[k * p + l]).toBe(1);
      if (l > k) expect(M[k * p + l]).toBe(0);
    }
    for (let k = 0; k < p; k++) {
      const want = frame.products[k]?.centred ?? frame.X[k];
      for (let i = 0; i < table.nRows; i++) {
        let v = 0;
        for (let l = 0; l < p; l++) v += frame.X[l][i] * M[k * p + l];
        expect(Math.abs(v - want[i])).toBe(0);
      }
    }
  });

  test("a product without its lower-order columns (y ~ x:z) stays as the formula writes it", () => {
    const f = buildModel(table, { formula: "y ~ x:z + (1|g)" });
    expect(f.products.every((r) => r === null)).toBe(true);
    const centres = new ProductCentres(newMemo(), true);
    expect(productRelations([{ key: { categorical: [], numeric: ["x", "z"] }, centred: new Float64Array(1) }], centres)).toEqual([null]);
  });
});
