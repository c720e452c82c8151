/** The formula parser: patsy's term algebra, lme4's bar terms, and errors that say where. */
import { MixedLMError, parseFormula } from "../../src/engine";
import { termKey } from "../../src/engine/formula/terms";

/** The right side as [intercept, term names] (factors joined with ':'), like patsy's own tests. */
function rhs(formula: string): [boolean, string[]] {
  const d = parseFormula(`y ~ ${formula}`);
  return [d.rhs.intercept, d.rhs.terms.map((t) => t.factors.map((f) => f.code).join(":"))];
}

describe("term algebra (cases from patsy's own test table)", () => {
  test.each<[string, boolean, string[]]>([
    ["1", true, []],
    ["0", false, []],
    ["- 1", false, []],
    ["- 0", true, []],
    ["0 + 1", true, []],
    ["1 + 0", false, []],
    ["0 + a", false, ["a"]],
    ["a - 1", false, ["a"]],
    ["a - 0", true, ["a"]],
    ["1 - a", true, []],
    ["a + b", true, ["a", "b"]],
    ["(a + b)", true, ["a", "b"]],
    ["a + ((((b))))", true, ["a", "b"]],
    ["a + (b - a)", true, ["a", "b"]],
    ["a + a + a", true, ["a"]],
    ["a + I(b + c)", true, ["a", "I(b + c)"]],
    ["a + np.log(a, base=10)", true, ["a", "np.log(a, base=10)"]],
    ["a:b", true, ["a:b"]],
    ["a:b:a", true, ["a:b"]],
    ["a:(b + c)", true, ["a:b", "a:c"]],
    ["(a + b):c", true, ["a:c", "b:c"]],
    ["a:(b - c)", true, ["a:b"]],
    ["c + a:c + a:(b - c)", true, ["c", "a:c", "a:b"]],
    ["a:b - b:a", true, []],
    ["1 - (a + b)", true, []],
    ["a * b", true, ["a", "b", "a:b"]],
    ["a * b * a", true, ["a", "b", "a:b"]],
    ["a * (b + c)", true, ["a", "b", "c", "a:b", "a:c"]],
    ["a / b", true, ["a", "a:b"]],
    ["(a + b) / c", true, ["a", "b", "a:b:c"]],
    ["a / (b + c)", true, ["a", "a:b", "a:c"]],
    ["(a + b) ** 2", true, ["a", "b", "a:b"]],
    ["(a + b + c) ** 2", true, ["a", "b", "c", "a:b", "a:c", "b:c"]],
    ["(a + b) ** 3", true, ["a", "b", "a:b"]],
    // R's spelling of the same operator (patsy has no ^): outside I() it is the interaction power
    ["(a + b)^2", true, ["a", "b", "a:b"]],
    ["(a + b + c) ^ 2", true, ["a", "b", "c", "a:b", "a:c", "b:c"]],
    ["a^2", true, ["a"]],
    ["a + b^2", true, ["a", "b"]],
    ["-1 + a", false, ["a"]],
  ])("%s", (formula, intercept, terms) => {
    expect(rhs(formula)).toEqual([intercept, terms]);
  });

  test("a term is a set of factors: a:b equals b:a", () => {
    const d = parseFormula("y ~ a:b + b:a");
    expect(d.rhs.terms).toHaveLength(1);
    expect(termKey(d.rhs.terms[0])).toBe(termKey(parseFormula("y ~ b:a").rhs.terms[0]));
  });

  test("Python expressions are factors named with patsy's spacing", () => {
    expect(rhs("np.log( x ) + I(x**2) + C(Evit,Treatment('Evit100')) + Q(\"odd name\")")[1]).toEqual([
      "np.log(x)", "I(x ** 2)", "C(Evit, Treatment('Evit100'))", 'Q("odd name")',
    ]);
    expect(rhs("I(-x) + I(a*-b)")[1]).toEqual(["I(-x)", "I(a * -b)"]);
  });

  test("R's ^ inside I() is a power, named as R writes it (lme4's coefficient I(day^2))", () => {
    expect(rhs("I(day^2) + I(day ^ 3) + I(day ** 2)")[1]).toEqual(["I(day^2)", "I(day^3)", "I(day ** 2)"]);
    expect(rhs("day + I(day^2) + (day | Dog)")[1]).toEqual(["day", "I(day^2)"]);
  });

  test("the response may be a transform", () => {
    expect(parseFormula("np.log(Weight) ~ Time").response!.code).toBe("np.log(Weight)");
  });

  test("one-sided formulas for re_formula and vc_formula", () => {
    expect(parseFormula("~Time", { oneSided: true }).rhs).toMatchObject({ intercept: true });
    expect(parseFormula("0 + C(cask)", { oneSided: true }).rhs.intercept).toBe(false);
    expect(parseFormula("1", { oneSided: true }).rhs.terms).toEqual([]);
  });
});

describe("lme4 bar terms", () => {
  test("(Days | Subject): correlated intercept and slope", () => {
    const d = parseFormula("Reaction ~ Days + (Days | Subject)");
    expect(d.rhs.terms.map((t) => t.factors[0].code)).toEqual(["Days"]);
    expect(d.bars).toHaveLength(1);
    const b = d.bars[0];
    expect(b.effects.intercept).toBe(true);
    expect(b.effects.terms.map((t) => t.factors[0].code)).toEqual(["Days"]);
    expect(b.grouping.factors.map((f) => f.code)).toEqual(["Subject"]);
    expect(b.correlated).toBe(true);
    expect(b.text).toBe("(Days | Subject)");
  });

  test("(0 + x | g), (1 | g)", () => {
    expect(parseFormula("y ~ (0 + x | g)").bars[0].effects).toMatchObject({ intercept: false });
    expect(parseFormula("y ~ (1 | g)").bars[0].effects).toEqual({ intercept: true, terms: [] });
  });

  /** Each bar term as [effects (intercept flag, term names), grouping name, grouping factors in label order, text]. */
  function bars(formula: string): [boolean, string[], string, string[], string][] {
    return parseFormula(formula).bars.map((b) => [
      b.effects.intercept,
      b.effects.terms.map((t) => t.factors.map((f) => f.code).join(":")),
      b.groupingName,
      b.grouping.factors.map((f) => f.code),
      b.text,
    ]);
  }

  // the expansions below are those of lme4 1.1-31's findbars (checked with Rscript)
  test("(x || g) is lme4's (1 | g) + (0 + x | g): one uncorrelated term per variable", () => {
    expect(bars("y ~ Days + (Days||Subject)")).toEqual([
      [true, [], "Subject", ["Subject"], "(1 | Subject)"],
      [false, ["Days"], "Subject", ["Subject"], "(0 + Days | Subject)"],
    ]);
    // findbars(y ~ (x*z || g)): 1 | g, 0 + x | g, 0 + z | g, 0 + x:z | g
    expect(bars("y ~ (x*z || g)").map((b) => b[4])).toEqual(["(1 | g)", "(0 + x | g)", "(0 + z | g)", "(0 + x:z | g)"]);
    // without the intercept: findbars(y ~ (0 + x || g)) is 0 + x | g
    expect(bars("y ~ (0 + x || g)")).toEqual([[false, ["x"], "g", ["g"], "(0 + x | g)"]]);
    // a factor stays one term (all its levels, correlated): findbars(y ~ (x + f || g)) is 1 | g, 0 + x | g, 0 + f | g
    expect(bars("y ~ (x + C(f) || g)").map((b) => b[4])).toEqual(["(1 | g)", "(0 + x | g)", "(0 + C(f) | g)"]);
    expect(parseFormula("y ~ (x || g)").bars.every((b) => b.correlated)).toBe(true);
  });

  test("(1 | a/b) is lme4's (1 | b:a) + (1 | a); (1 | a:b) is one term named as written", () => {
    expect(bars("y ~ 1 + (1 | a/b)")).toEqual([
      [true, [], "b:a", ["b", "a"], "(1 | b:a)"],
      [true, [], "a", ["a"], "(1 | a)"],
    ]);
    expect(bars("y ~ (1 | a:b)")).toEqual([[true, [], "a:b", ["a", "b"], "(1 | a:b)"]]);
    // findbars(y ~ (1|a/b/c)): 1 | c:(b:a), 1 | b:a, 1 | a
    expect(bars("y ~ (1 | a/b/c)").map((b) => [b[2], b[3]])).toEqual([["c:(b:a)", ["c", "b", "a"]], ["b:a", ["b", "a"]], ["a", ["a"]]]);
    // findbars(y ~ (x || a/b)): 1 | b:a, 1 | a, 0 + x | b:a, 0 + x | a
    expect(bars("y ~ (x || a/b)").map((b) => b[4])).toEqual(["(1 | b:a)", "(1 | a)", "(0 + x | b:a)", "(0 + x | a)"]);
    expect(bars("y ~ (Days | Subject)").map((b) => b[4])).toEqual(["(Days | Subject)"]);
  });

  test("a sum nested with '/' in a bar term is an error", () => {
    expect(() => parseFormula("y ~ (1 | (a + b)/c)")).toThrow(/A sum cannot be nested/);
  });

  test("crossed terms and factor() as C()", () => {
    const d = parseFormula("y ~ factor(x) + (1 | plate) + (1 | sample)");
    expect(d.bars.map((b) => b.grouping.factors[0].code)).toEqual(["plate", "sample"]);
    expect(d.rhs.terms[0].factors[0].code).toBe("factor(x)");
  });
});

describe("errors say what is wrong and where", () => {
  function errorOf(f: string, oneSided = false): MixedLMError {
    try {
      parseFormula(f, { oneSided });
    } catch (e) {
      return e as MixedLMError;
    }
    throw new Error(`no error for ${f}`);
  }

  test.each<[string, string, number]>([
    ["y ~ x +", "Expected a term after '+'", 7],
    ["y ~ (x", "Unclosed '('", 5],
    ["y ~ x)", "Unmatched ')'", 6],
    ["y ~ np.log(x", "Unclosed bracket", 5],
    ["y ~ x $ z", "Unexpected character '$'", 7],
    ["y ~ (x |)", "Expected a term after '|'", 8],
    ["y ~ x | g", "must stand in parentheses", 5],
    ["y ~ (1 | g):x", "can only be added to the formula with '+'", 5],
    ["y ~ a ** 0", "positive whole number", 10],
    ["y ~ (a + b)^x", "'^' needs a positive whole number on its right", 13],
    ["y ~ a^0.5", "write I(x^2) for a power of x", 7],
    ["y ~ 3", "Numbers other than 0 and 1", 5],
    ["y ~ x ~ z", "'~' may appear only once", 7],
    ["y ~ 1:a", "intercept cannot interact", 5],
    ["y ~ 'x", "no closing quote", 5],
  ])("%s", (formula, message, position) => {
    const e = errorOf(formula);
    expect(e).toBeInstanceOf(MixedLMError);
    expect(e.kind).toBe("formula");
    expect(e.message).toContain(message);
    expect(e.start! + 1).toBe(position);
    expect(e.message).toContain(`position ${position}`);
  });

  test("a formula without '~' or without a response", () => {
    expect(errorOf("x + z").message).toContain("needs '~'");
    expect(errorOf("~ x").message).toContain("no response");
    expect(errorOf("y ~ x", true).message).toContain("one-sided");
  });
});

describe("bounded work: limits that are messages", () => {
  function errorOf(f: string): MixedLMError {
    try {
      parseFormula(f);
    } catch (e) {
      if (e instanceof MixedLMError) return e;
      throw e;
    }
    throw new Error(`no error for ${f.slice(0, 50)}`);
  }

  test("(a+b+...+h)**8 is every product of the 8 terms once: 2^8 - 1 = 255 terms", () => {
    const d = parseFormula("y ~ (a+b+c+d+e+f+g+h)**8");
    expect(d.rhs.terms).toHaveLength(255);
    expect(new Set(d.rhs.terms.map(termKey)).size).toBe(255);
    // sizes: C(8, k) terms of k factors
    const bySize = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const t of d.rhs.terms) bySize[t.factors.length]++;
    expect(bySize).toEqual([0, 8, 28, 56, 70, 56, 28, 8, 1]);
  });

  test("(a+b+c+d)**3 lists terms in patsy's order (degree, then order of appearance)", () => {
    expect(rhs("(a + b + c + d)**3")[1]).toEqual(["a", "b", "c", "d", "a:b", "a:c", "a:d", "b:c", "b:d", "c:d", "a:b:c", "a:b:d", "a:c:d", "b:c:d"]);
  });

  test("more terms than the limit: a message naming it", () => {
    const ten = Array.from({ length: 10 }, (_, i) => `x${i}`).join(" + ");
    expect(errorOf(`y ~ (${ten})**10`).message).toMatch(/more than 1,000 terms, the limit/);
    // 1,023 would be made: the limit is reached while generating, not after
    expect(() => parseFormula(`y ~ (${ten})**9`)).toThrow(/more than 1,000 terms/);
    expect(parseFormula(`y ~ (${ten})**3`).rhs.terms).toHaveLength(175);
  });

  test("a formula longer than the limit", () => {
    const e = errorOf(`y ~ ${"x + ".repeat(5000)}x`);
    expect(e.message).toMatch(/^The formula is 20,005 characters long; the limit is 10,000/);
    expect(e.message.length).toBeLessThan(300);
  });

  test.each<[string, string]>([
    ["parentheses", `y ~ ${"(".repeat(101)}x${")".repeat(101)}`],
    ["I()", `y ~ ${"I(".repeat(101)}x${")".repeat(101)}`],
    ["signs", `y ~ ${"- ".repeat(101)}1`],
  ])("nesting deeper than the limit: %s", (_, f) => {
    expect(errorOf(f).message).toMatch(/nested more than 100 deep/);
  });

  test("nesting at the limit still parses; chains of any length are not nesting", () => {
    expect(parseFormula(`y ~ ${"(".repeat(99)}x${")".repeat(99)}`).rhs.terms).toHaveLength(1);
    expect(parseFormula(`y ~ ${Array(3000).fill("x").join("+")}`).rhs.terms).toHaveLength(1);
    expect(parseFormula(`y ~ ${Array.from({ length: 900 }, (_, i) => `x${i}`).join("+")}`).rhs.terms).toHaveLength(900);
  });

  test("an error in a long formula quotes a short window around its position", () => {
    const f = `y ~ ${"x + ".repeat(2000)}$ + z`;
    const e = errorOf(f);
    expect(e.message).toBe(`Unexpected character '$' ("$" at position 8005 of "…${"+ x ".repeat(7)}+ $ + z")`);
    expect(e.message.length).toBeLessThan(200);
    // the whole formula stays on the error for the task pane to mark
    expect(e.source).toBe(f);
    expect(e.start).toBe(8004);
  });

  test("a short formula is quoted whole", () => {
    expect(errorOf("y ~ x $ z").message).toBe(`Unexpected character '$' ("$" at position 7 of "y ~ x $ z")`);
  });
});
