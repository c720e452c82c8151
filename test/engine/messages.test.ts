/**
 * Messages that say what happened, naming the column, the row or the value at fault (issue 9):
 * text among numbers, values that are infinite or not a number, models whose random effects
 * cannot be told apart, and the limits of the model's size.
 */
import { DataTable, fitMixedModel, MixedLMError, ModelSpec } from "../../src/engine";

function messageOf(table: DataTable, spec: ModelSpec): string {
  try {
    fitMixedModel(table, spec);
  } catch (e) {
    if (e instanceof MixedLMError) return e.message;
    throw e;
  }
  throw new Error(`no error for ${spec.formula}`);
}

/** 40 rows, 8 groups g of 5 rows, h = g under other names, b nested in g, x and z numbers, t a text factor. */
function rows(edit: (row: unknown[], i: number) => void = () => {}): DataTable {
  const out: unknown[][] = [["y", "x", "z", "g", "h", "b", "t"]];
  for (let i = 0; i < 40; i++) {
    const g = i % 8;
    const x = (i * 3) % 7;
    const row: unknown[] = [1 + 0.5 * x + [0.3, -0.2, 0.5, -0.6, 0.1, 0.4, -0.3, 0.2][g] + Math.sin(i * 2.1), x, Math.cos(i), `g${g}`, `other${g}`, `b${g}`, ["p", "q"][i % 2]];
    edit(row, i);
    out.push(row);
  }
  return DataTable.fromRows(out);
}

describe("a column of numbers with a few cells of text is named, cell by cell", () => {
  // data row 7 holds "1,234" in x; data row 3 has no response, so the complete rows skip it
  const typo = rows((r, i) => { if (i === 6) r[1] = "1,234"; if (i === 2) r[0] = null; });

  test("as a fixed effect: the cell, its row, the fix, and C() for a categorical on purpose", () => {
    expect(messageOf(typo, { formula: "y ~ x", groups: "g" })).toBe(
      'Column "x" is read as text, so as a categorical variable with 8 levels, because 1 cell is not a number: data row 7 "1,234". Write it as a plain number (a decimal point, no thousands separator) or clear it; to use the column as categorical on purpose, write C(x).',
    );
  });

  test("as the response, a random slope, inside arithmetic, in an interaction", () => {
    const y = rows((r, i) => { if (i === 4) r[0] = "12,5"; if (i === 30) r[0] = "n/a?"; });
    expect(messageOf(y, { formula: "y ~ x", groups: "g" })).toBe(
      'The response "y" must be numbers, but 2 cells are not numbers: data row 5 "12,5" and data row 31 "n/a?". Write them as plain numbers (a decimal point, no thousands separator) or clear them.',
    );
    expect(messageOf(typo, { formula: "y ~ z + (x | g)" })).toMatch(/^Column "x" is read as text.*data row 7 "1,234"/);
    expect(messageOf(typo, { formula: "y ~ z", groups: "g", reFormula: "~x" })).toMatch(/^Column "x" is read as text.*data row 7 "1,234"/);
    expect(messageOf(typo, { formula: "y ~ I(x * 2)", groups: "g" })).toMatch(/^Column "x" is read as text.*data row 7 "1,234"\. Write it as a plain number .* or clear it\.$/);
    expect(messageOf(typo, { formula: "y ~ z:x", groups: "g" })).toMatch(/data row 7 "1,234"/);
  });

  test("more than three cells: the first three and how many more", () => {
    const many = rows((r, i) => { if (i % 9 === 0) r[1] = `${i}..`; });
    expect(messageOf(many, { formula: "y ~ x", groups: "g" })).toMatch(/because 5 cells are not numbers: data row 1 "0\.\.", data row 10 "9\.\.", data row 19 "18\.\." and 2 more\./);
  });

  test("a decimal comma throughout (read with ';' as separator) is named too", () => {
    const t = DataTable.fromRows([["y", "x", "g"], ...Array.from({ length: 12 }, (_, i) => [i % 5, `${i},5`, `g${i % 3}`])]);
    expect(messageOf(t, { formula: "y ~ x", groups: "g" })).toMatch(/^Column "x" is read as text, so as a categorical variable with 12 levels, because 12 cells are not numbers: data row 1 "0,5"/);
  });

  test("as a grouping factor, inside C(), or a column of real text: categorical, no message", () => {
    expect(fitMixedModel(typo, { formula: "y ~ C(x)", groups: "g" }).fixedEffects.map((f) => f.name)).toContain("C(x)[T.1,234]");
    expect(fitMixedModel(typo, { formula: "y ~ z + (1 | x)" }).groupingFactors[0]).toEqual({ name: "x", nLevels: 8 });
    expect(fitMixedModel(typo, { formula: "y ~ t", groups: "g" }).fixedEffects.map((f) => f.name)).toEqual(["Intercept", "t[T.q]"]);
  });
});

describe("values that are infinite or not a number name the term and a row", () => {
  const t = rows();
  const x = Array.from({ length: 40 }, (_, i) => (i * 3) % 7);
  /** How many rows give a value that is not finite, and the first (1-based). */
  const bad = (f: (v: number) => number): [number, number] => {
    const rowsBad = x.map((v, i) => (Number.isFinite(f(v)) ? -1 : i + 1)).filter((i) => i > 0);
    return [rowsBad.length, rowsBad[0]];
  };
  test.each<[string, (v: number) => number, string]>([
    ["y ~ I(x/0)", (v) => v / 0, "not a number (NaN)"], // 0/0 in data row 1, then ±Infinity
    ["y ~ I(x**1000)", (v) => v ** 1000, "infinite (Infinity)"],
    ["y ~ I((x - 1)/(x - 1))", (v) => (v - 1) / (v - 1), "not a number (NaN)"],
    ["y ~ z + I(x * 1e308 * 10)", (v) => v * 1e308 * 10, "infinite (Infinity)"],
  ])("%s", (formula, f, what) => {
    const [count, first] = bad(f);
    expect(count).toBeGreaterThan(0);
    expect(messageOf(t, { formula, groups: "g" })).toMatch(new RegExp(`^This term is ${what.replace(/[()]/g, "\\$&")} on ${count} rows \\(the first is data row ${first}\\): a division by zero, a power too large for a number, or a function outside its domain\\. Change the term or leave those rows out \\("I\\(`));
  });

  test("np.log of values <= 0: the function, the count, the first row and its argument", () => {
    const [count, first] = bad((v) => Math.log(v - 1));
    expect(messageOf(t, { formula: "y ~ np.log(x - 1)", groups: "g" })).toMatch(new RegExp(`^np\\.log\\(\\) is undefined or infinite on ${count} rows of the data \\(first in data row ${first}, where its argument is ${x[first - 1] - 1};`));
  });
});

describe("random effects that cannot be told apart are refused, not split arbitrarily", () => {
  const t = rows();
  test.each<[string, ModelSpec, RegExp]>([
    ["the same term twice", { formula: "y ~ x + (1|g) + (1|g)" }, /^The random-effect terms \(1\|g\) and \(1\|g\) cannot be told apart: both group by g and their effects overlap/],
    ["a nesting whose inner factor is the outer one", { formula: "y ~ x + (1|g/b)" }, /\(1 \| b:g\) and \(1 \| g\) cannot be told apart: b:g and g group the rows the same way/],
    ["two names for one grouping", { formula: "y ~ x + (1|g) + (1|h)" }, /\(1\|g\) and \(1\|h\) cannot be told apart: g and h group the rows the same way/],
    ["an intercept in both", { formula: "y ~ x + (1|g) + (x|g)" }, /\(1\|g\) and \(x\|g\) cannot be told apart/],
    ["statsmodels: a variance component on the groups themselves", { formula: "y ~ x", groups: "g", reFormula: "1", vcFormula: { v: "0 + C(h)" } }, /re_formula \(grouped by g\) and vc_formula "v" cannot be told apart/],
  ])("%s", (_, spec, message) => {
    expect(messageOf(t, spec)).toMatch(message);
  });

  test("terms on one grouping with different effects are a model, as (x || g) makes them", () => {
    const r = fitMixedModel(t, { formula: "y ~ x + (x || g)" });
    expect(r.randomTerms.map((x) => x.text)).toEqual(["(1 | g)", "(0 + x | g)"]);
  });

  test("as many random effects as rows (lme4's check.nobs.vs.nRE)", () => {
    const small = DataTable.fromRows([["y", "x", "g"], ...Array.from({ length: 20 }, (_, i) => [Math.sin(i), i % 4, `g${i % 10}`])]);
    expect(messageOf(small, { formula: "y ~ 1 + (x | g)" })).toBe(
      "(x | g) has 20 random effects (2 per level of g, 10 levels) for 20 rows: with at least as many random effects as rows, their variances and the residual variance cannot be told apart (lme4 refuses this too). Use fewer random slopes, or more data.",
    );
  });
});

describe("the size of a model has limits, each a message naming it", () => {
  // patsy codes 1 + a:b on 60 × 60 levels in 3,600 columns, 3,599 of them a:b's
  test("more design columns than the limit, refused before they are made", () => {
    const n = 60;
    const t = DataTable.fromRows([["y", "a", "b", "g"], ...Array.from({ length: n }, (_, i) => [i, `a${i}`, `b${(i * 7) % n}`, `g${i % 3}`])]);
    expect(messageOf(t, { formula: "y ~ a:b", groups: "g" })).toMatch(/^These terms make 3,600 columns, more than the limit of 2,000 \(the widest, a:b, makes 3,599\)/);
  });

  test("more covariance parameters than the limit", () => {
    const t = DataTable.fromRows([["y", "k", "g"], ...Array.from({ length: 400 }, (_, i) => [Math.sin(i), `k${i % 32}`, `g${i % 4}`])]);
    expect(messageOf(t, { formula: "y ~ 1 + (0 + k | g)" })).toMatch(/^The random effects have 528 covariance parameters, more than the limit of 500 \(the largest term, \(0 \+ k \| g\), has 32 effects: k\[k0\], k\[k1\]/);
  });
});

describe("function names are looked up among the functions, never on an object's prototype", () => {
  const t = rows();
  test.each(["np.__proto__(x)", "np.valueOf(x)", "numpy.hasOwnProperty(x)", "np.constructor(x)", "toString(x)", "np.toString(x)", "__proto__(x)"])("%s", (f) => {
    expect(messageOf(t, { formula: `y ~ ${f}`, groups: "g" })).toMatch(/^Unknown function "[^"]+"; the formula may use C\(\)/);
  });
});
