/** Design matrices against patsy: column names, order and values (test/fixtures/patsy_names.json, made by scripts/checks/patsy_names.py). */
import { readFileSync } from "fs";
import { join } from "path";
import { buildDesign, independentColumns } from "../../src/engine/design";
import { evaluateFactor, newMemo, parseFactorExpr } from "../../src/engine/formula/factor";
import { parseFormula } from "../../src/engine/formula/terms";
import { DataTable } from "../../src/engine";
import { fixtureTable, FIXTURES } from "../helpers";

const patsy: Record<string, { y: string[]; x: string[]; first_row: number[] }> = JSON.parse(readFileSync(join(FIXTURES, "patsy_names.json"), "utf8"));
const dietox = fixtureTable("dietox.csv");

describe.each(Object.entries(patsy))("%s", (formula, want) => {
  test("columns named and ordered as patsy, first row equal", () => {
    const d = parseFormula(formula);
    const design = buildDesign(d.rhs, dietox, formula, newMemo(), true);
    expect(design.columns.map((c) => c.name)).toEqual(want.x);
    design.columns.forEach((c, j) => expect(c.values[0]).toBeCloseTo(want.first_row[j], 10));
    expect(d.response!.code).toBe(want.y[0]);
  });
});

describe("powers inside I(): ** (Python) and ^ (R) are the same operator", () => {
  const t = DataTable.fromRows([["y", "x"], [1, 3], [2, -2], [3, 0.5]]);
  const column = (expr: string): number[] => {
    const d = parseFormula(`y ~ 0 + ${expr}`);
    return Array.from(buildDesign(d.rhs, t, d.source, newMemo(), true).columns[0].values);
  };

  test("I(x^2) is x squared, as I(x ** 2)", () => {
    expect(column("I(x^2)")).toEqual([9, 4, 0.25]);
    expect(column("I(x ** 2)")).toEqual([9, 4, 0.25]);
  });

  test("R's precedence: -x^2 = -(x^2), 2*x^2 = 2*(x^2), x^-1, and right-associative 2^x^2 = 2^(x^2)", () => {
    expect(column("I(-x^2)")).toEqual([-9, -4, -0.25]);
    expect(column("I(2*x^2)")).toEqual([18, 8, 0.5]);
    expect(column("I(x^-1)")).toEqual([1 / 3, -0.5, 2]);
    expect(column("I(2^x^2)")).toEqual([2 ** 9, 2 ** 4, 2 ** 0.25]);
    expect(column("I((x + 1)^2)")).toEqual([16, 1, 2.25]);
  });
});

describe("categorical coding", () => {
  test("a string column is categorical without C(); a numeric one in C() sorts numerically", () => {
    const t = DataTable.fromRows([["y", "g", "n"], [1, "b", 10], [2, "a", 2], [3, "c", 10], [4, "a", 2.5]]);
    const d = parseFormula("y ~ g + C(n)");
    const cols = buildDesign(d.rhs, t, d.source, newMemo(), true).columns;
    expect(cols.map((c) => c.name)).toEqual(["Intercept", "g[T.b]", "g[T.c]", "C(n)[T.2.5]", "C(n)[T.10.0]"]);
    expect(Array.from(cols[1].values)).toEqual([1, 0, 0, 0]);
    expect(Array.from(cols[4].values)).toEqual([1, 0, 1, 0]);
  });

  test("Excel booleans are a categorical with levels False < True", () => {
    const t = DataTable.fromRows([["y", "treated"], [1, true], [2, false], [3, true]]);
    const d = parseFormula("y ~ treated");
    expect(buildDesign(d.rhs, t, d.source, newMemo(), true).columns.map((c) => c.name)).toEqual(["Intercept", "treated[T.True]"]);
  });

  test("Treatment reference given as a level, a position, or a missing level", () => {
    const cases: [string, string[]][] = [
      ["y ~ C(g, Treatment('b'))", ["Intercept", "C(g, Treatment('b'))[T.a]", "C(g, Treatment('b'))[T.c]"]],
      ["y ~ C(g, Treatment(reference='c'))", ["Intercept", "C(g, Treatment(reference='c'))[T.a]", "C(g, Treatment(reference='c'))[T.b]"]],
      ["y ~ C(g, Treatment(1))", ["Intercept", "C(g, Treatment(1))[T.a]", "C(g, Treatment(1))[T.c]"]],
    ];
    const t = DataTable.fromRows([["y", "g"], [1, "a"], [2, "b"], [3, "c"]]);
    for (const [f, names] of cases) {
      const d = parseFormula(f);
      expect(buildDesign(d.rhs, t, d.source, newMemo(), true).columns.map((c) => c.name)).toEqual(names);
    }
    const bad = parseFormula("y ~ C(g, Treatment('z'))");
    expect(() => buildDesign(bad.rhs, t, bad.source, newMemo(), true)).toThrow(/'z' is not a level of this variable \(levels: a, b, c\)/);
  });

  test("unsupported contrasts and unknown functions are named", () => {
    const t = DataTable.fromRows([["y", "g", "x"], [1, "a", 1], [2, "b", 2]]);
    for (const [f, msg] of [
      ["y ~ C(g, Sum)", /Sum coding is not supported/],
      ["y ~ foo(x)", /Unknown function "foo"/],
      ["y ~ np.log(g)", /categorical variable; arithmetic needs numbers/],
      ["y ~ np.log(x - 1)", /undefined or infinite on 1 row/],
    ] as const) {
      const d = parseFormula(f);
      expect(() => buildDesign(d.rhs, t, d.source, newMemo(), true)).toThrow(msg);
    }
  });

  test("R's scale() uses the sample sd, patsy's standardize() the population sd", () => {
    const t = DataTable.fromRows([["y", "x"], [1, 1], [2, 2], [3, 3], [4, 6]]);
    const memo = newMemo();
    const ev = (code: string) => {
      const d = parseFormula(`y ~ ${code}`);
      const f = d.rhs.terms[0].factors[0];
      const v = evaluateFactor(parseFactorExpr(f.tokens, d.source), f.code, d.source, { table: t, memo, fitting: true });
      return v.kind === "numeric" ? Array.from(v.values) : [];
    };
    // mean 3, sum of squares 14: population sd sqrt(14/4), sample sd sqrt(14/3)
    expect(ev("standardize(x)")[3]).toBeCloseTo(3 / Math.sqrt(14 / 4), 12);
    expect(ev("scale(x)")[3]).toBeCloseTo(3 / Math.sqrt(14 / 3), 12);
    expect(ev("center(x)")).toEqual([-2, -1, 0, 3]);
  });
});

describe("rank deficiency", () => {
  test("a column that is a combination of earlier ones is found", () => {
    const a = Float64Array.from([1, 1, 1, 1]);
    const b = Float64Array.from([1, 2, 3, 4]);
    const c = Float64Array.from([3, 5, 7, 9]); // 1 + 2b
    const z = new Float64Array(4);
    expect(independentColumns([a, b, c])).toEqual([0, 1]);
    expect(independentColumns([a, z, b])).toEqual([0, 2]);
  });
});
