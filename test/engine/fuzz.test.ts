/**
 * Fuzzing the formula parser and the model builder with generated and mutated formulas (fixed
 * seed): whatever is typed, the engine answers with a result or its own MixedLMError (never a
 * TypeError, a stack overflow or a hang), each in well under a second; and the adversarial
 * inputs of issue 9 (powers, deep nesting, very long formulas) are answered in milliseconds.
 *
 * Times are measured with performance.now() around each call, after the code has been compiled
 * by a warm-up, and a call over half its bound is timed once more, keeping the faster: a pause for
 * garbage collection or compilation on a loaded machine is not the formula's cost, while a
 * blow-up is slow both times. The bounds (200 ms per formula, 100 ms per adversarial input) are
 * far above the milliseconds these take and far below what an exponential blow-up costs (the
 * powers took 40 s and 4.6 GB before the parser combined terms as it generated them).
 */
import fc from "fast-check";
import { readFileSync } from "fs";
import { join } from "path";
import { performance } from "perf_hooks";
import { DataTable, fitMixedModel, MixedLMError, ModelSpec, parseFormula } from "../../src/engine";
import { LIMITS } from "../../src/engine/limits";

const SEED = 9_2026;
const PER_CALL_MS = 200;
const ADVERSARIAL_MS = 100;
/** Longest message: a window of the formula, never the formula itself. */
const MAX_MESSAGE = 1_000;

/** Runs f, returning its time; only MixedLMError (with a short message) may escape it. */
function timedOnce(f: () => unknown): { ms: number; error: MixedLMError | null } {
  const t0 = performance.now();
  let error: MixedLMError | null = null;
  try {
    f();
  } catch (e) {
    if (!(e instanceof MixedLMError)) throw e;
    if (e.message.length > MAX_MESSAGE) throw new Error(`a message of ${e.message.length} characters: ${e.message.slice(0, 200)}…`);
    error = e;
  }
  return { ms: performance.now() - t0, error };
}

/** timedOnce, and once more when it took over half of `bound` ms: the faster time. */
function timed(f: () => unknown, bound = PER_CALL_MS): { ms: number; error: MixedLMError | null } {
  const first = timedOnce(f);
  if (first.ms <= bound / 2) return first;
  const second = timedOnce(f);
  return second.ms < first.ms ? second : first;
}

// ---- generated formulas ---------------------------------------------------------------------

const NAMES = ["x0", "x1", "x2", "f", "g", "h", "y", "__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "prototype", "np", "Q", "I", "C", "nope"];
const FUNCTIONS = ["C", "I", "Q", "np.log", "np.exp", "log", "sqrt", "center", "scale", "factor", "np.power", "np.__proto__", "np.valueOf", "numpy.hasOwnProperty", "np.constructor", "toString", "Treatment", "foo.bar"];
const OPERATORS = [" + ", "+", " - ", "*", " * ", "/", ":", "**", "^", " | ", "||", "~", " == ", "<", "%", "//"];

const atom = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.constantFrom("0", "1", "2", "-1", "1e400", "0.5", ".5"),
  fc.constantFrom('Q("x0")', 'Q("__proto__")', "Q('constructor')", "`x 0`", "`__proto__`", '"text"', "True", "None"),
);

const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.tuple(tie("expr"), fc.constantFrom(...OPERATORS), tie("expr")).map(([a, op, b]) => a + op + b),
    tie("expr").map((t) => `(${t})`),
    fc.tuple(fc.constantFrom(...FUNCTIONS), tie("expr"), fc.option(tie("expr"))).map(([f, a, b]) => `${f}(${a}${b === null ? "" : `, ${b}`})`),
    fc.tuple(tie("expr"), fc.constantFrom("|", "||"), tie("expr")).map(([a, bar, b]) => `(${a} ${bar} ${b})`),
    fc.tuple(tie("expr"), fc.integer({ min: 0, max: 12 })).map(([t, k]) => `(${t})**${k}`),
  ),
}));

const formula = fc.tuple(fc.option(expr, { freq: 4 }), fc.constantFrom(" ~ ", "~", ""), expr).map(([lhs, tilde, rhs]) => `${lhs ?? ""}${tilde}${rhs}`);

/** Edits that break a formula the way typing does: characters in, characters out, a piece repeated. */
type Mutation = { kind: "insert" | "delete" | "repeat"; at: number; text: string; length: number; times: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("insert" as const, "delete" as const, "repeat" as const),
  at: fc.nat(),
  text: fc.string({ unit: fc.constantFrom(..."()[]{}|~+-*/:^.,'\"`#$=<>!@&% \t\n019azx_", "__proto__", "np.", "**", "é", "\ud800", "I(", "C("), maxLength: 6 }),
  length: fc.integer({ min: 1, max: 8 }),
  times: fc.integer({ min: 2, max: 300 }),
});

function mutate(text: string, edits: Mutation[]): string {
  let s = text;
  for (const m of edits) {
    const at = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.kind === "insert") s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.kind === "delete") s = s.slice(0, at) + s.slice(at + m.length);
    else s = s.slice(0, at) + s.slice(at, at + m.length).repeat(m.times) + s.slice(at + m.length);
  }
  return s;
}

const mutated = fc.tuple(formula, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([f, edits]) => mutate(f, edits));

describe("the parser answers every formula with terms or a MixedLMError, quickly", () => {
  test("5,000 generated and 5,000 mutated formulas", () => {
    let runs = 0;
    let slowest = 0;
    const check = (f: string) => {
      runs++;
      for (const oneSided of [false, true]) {
        const { ms } = timed(() => parseFormula(f, { oneSided }));
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(PER_CALL_MS);
      }
    };
    // compile the parser's code on formulas like those timed
    fc.sample(fc.oneof(formula, mutated), { seed: SEED - 1, numRuns: 300 }).forEach((f) => timedOnce(() => parseFormula(f)));
    fc.assert(fc.property(formula, check), { seed: SEED, numRuns: 5_000 });
    fc.assert(fc.property(mutated, check), { seed: SEED + 1, numRuns: 5_000 });
    expect(runs).toBeGreaterThanOrEqual(10_000);
    expect(slowest).toBeLessThan(PER_CALL_MS);
  });
});

// ---- full fits ------------------------------------------------------------------------------

/** 48 rows: 6 groups g crossed with 4 levels of h, numbers x0..x2, a text factor f, and columns named like Object.prototype's keys. */
function smallData(): DataTable {
  const rows: unknown[][] = [["y", "x0", "x1", "x2", "f", "g", "h", "__proto__", "constructor"]];
  const protoNames = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];
  for (let i = 0; i < 48; i++) {
    const g = i % 6;
    const h = Math.floor(i / 12);
    const x0 = (i * 7) % 11;
    const x1 = Math.sin(i) * 3;
    const x2 = (i % 5) - 2;
    // a deterministic response with group effects and noise from a fixed sequence
    const noise = Math.sin(i * 12.9898) * 43758.5453 % 1;
    const y = 3 + 0.5 * x0 - 0.2 * x1 + [0.8, -0.4, 0.1, 1.2, -0.9, 0.3][g] + 0.3 * h + noise;
    rows.push([y, x0, x1, x2, ["a", "b", "c"][i % 3], `g${g}`, h, x2 * 2 + 1, protoNames[g]]);
  }
  return DataTable.fromRows(rows);
}

const FIXED = ["x0", "x1", "x2", "f", "C(h)", "__proto__", "I(x0**2)", "np.log(x0 + 1)", "center(x1)", "x0:f", "x0*x1", "C(f, Treatment('b'))", "Q(\"x2\")", "(x0 + x1 + x2)**2", "I(x0/0)", "constructor", "toString"];
const RANDOM = ["(1|g)", "(x0|g)", "(1|h)", "(x0||g)", "(1|g/h)", "(1|g:h)", "(0 + x1|h)", "(1|constructor)", "(1|__proto__)", "(f|g)", "(1|g) + (1|g)", "(x0 + x1|g)"];

const fitSpec: fc.Arbitrary<ModelSpec> = fc.oneof(
  // lme4 style: fixed terms and bar terms
  fc.tuple(fc.constantFrom("y", "np.log(y)", "x0", "f", "__proto__"), fc.subarray(FIXED, { maxLength: 4 }), fc.subarray(RANDOM, { minLength: 1, maxLength: 2 }), fc.constantFrom("REML" as const, "ML" as const))
    .map(([lhs, fixed, random, method]): ModelSpec => ({ formula: `${lhs} ~ ${[...fixed, ...random].join(" + ") || "1"}`, method })),
  // statsmodels style: groups, re_formula, vc_formula
  fc.tuple(fc.subarray(FIXED, { maxLength: 3 }), fc.constantFrom("g", "h", "constructor", "__proto__", "f"), fc.constantFrom(null, "1", "~x0", "0", "~f"), fc.option(fc.constantFrom("0 + C(h)", "0 + x1", "0 + C(__proto__)")), fc.constantFrom("__proto__", "constructor", "toString", "v"))
    .map(([fixed, groups, re, vc, vcName]): ModelSpec => ({
      formula: `y ~ ${fixed.join(" + ") || "1"}`,
      groups,
      reFormula: re,
      vcFormula: vc === null ? null : Object.fromEntries([[vcName, vc]]),
    })),
);

const mutatedFitSpec = fc.oneof(
  { arbitrary: fitSpec, weight: 2 },
  { arbitrary: fc.tuple(fitSpec, fc.array(mutation, { minLength: 1, maxLength: 2 })).map(([spec, edits]): ModelSpec => ({ ...spec, formula: mutate(spec.formula, edits) })), weight: 1 },
);

describe("full fits of generated models answer with a fit or a MixedLMError, each in under 200 ms", () => {
  const data = smallData();
  // the first fits compile the engine's code: not among the timed ones
  beforeAll(() => {
    fc.sample(fitSpec, { seed: SEED - 2, numRuns: 30 }).forEach((spec) => timedOnce(() => fitMixedModel(data, spec)));
  });

  test("300 generated and mutated models on 48 rows", () => {
    let runs = 0;
    let fitted = 0;
    let slowest = 0;
    fc.assert(
      fc.property(mutatedFitSpec, (spec) => {
        runs++;
        const { ms, error } = timed(() => fitMixedModel(data, spec));
        if (!error) fitted++;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(PER_CALL_MS);
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
    expect(runs).toBe(300);
    // the generator is not all errors: a good share of its models are fitted
    expect(fitted).toBeGreaterThan(100);
    expect(slowest).toBeLessThan(PER_CALL_MS);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

// ---- the adversarial inputs of issue 9 ------------------------------------------------------

describe("adversarial formulas are answered in milliseconds", () => {
  const data = smallData();
  beforeAll(() => {
    // compile the parser and the model builder before timing them
    for (let i = 0; i < 20; i++) {
      timedOnce(() => parseFormula(`y ~ (a + b + c + d + e + f)**6 + I(x${i}) + (1|g)`));
      timedOnce(() => parseFormula(`y ~ (${Array.from({ length: 12 }, (_, k) => `z${k}`).join("+")})**4`));
    }
    timedOnce(() => fitMixedModel(data, { formula: "y ~ x0 + (1|g)" }));
  });

  const eight = Array.from({ length: 8 }, (_, i) => `x${i}`).join("+");
  const ten = Array.from({ length: 10 }, (_, i) => `x${i}`).join("+");
  test.each<[string, string, RegExp | null]>([
    ["(x0+...+x7)**8: 255 terms", `y ~ (${eight})**8`, null],
    ["(x0+...+x9)**10: more terms than the limit", `y ~ (${ten})**10`, /more than 1,000 terms, the limit/],
    ["(x0+...+x9)**3 * (x0+...+x9)**3: 847 terms", `y ~ (${ten})**3 * (${ten})**3`, null],
    ["(x0+...+x9)**4 * (x0+...+x9)**4: too many products", `y ~ (${ten})**4 * (${ten})**4`, /interaction multiplies 385 terms by 385/],
    ["3,000 nested parentheses", `y ~ ${"(".repeat(3000)}x${")".repeat(3000)}`, /nested more than 100 deep/],
    ["100,000 nested parentheses", `y ~ ${"(".repeat(100_000)}x${")".repeat(100_000)}`, /characters long; the limit is 10,000/],
    ["3,000 '+' terms", `y ~ ${Array(3000).fill("x").join(" + ")}`, /characters long; the limit is 10,000/],
    ["3,000 '+' within the length limit", `y ~ ${Array(3000).fill("x").join("+")}`, null],
    ["3,000 nested I(", `y ~ ${"I(".repeat(3000)}x${")".repeat(3000)}`, /nested more than 100 deep/],
    ["3,000 nested C(", `y ~ ${"C(".repeat(3000)}x${")".repeat(3000)}`, /nested more than 100 deep/],
    ["3,000 nested np.log(", `y ~ ${"np.log(".repeat(1000)}x${")".repeat(1000)}`, /nested more than 100 deep/],
    ["3,000 signs", `y ~ ${"- ".repeat(3000)}1`, /nested more than 100 deep/],
    ["a 100,000-character formula", `y ~ ${"x+".repeat(50_000)}x`, /characters long; the limit is 10,000/],
    ["a 100,000-character name", `y ~ ${"x".repeat(100_000)}`, /characters long/],
    ["(1 | a/b/c/...) 3,000 deep", `y ~ (1 | ${Array.from({ length: 3000 }, (_, i) => `g${i}`).join("/")})`, /characters long|nested with '\/' more than 100 deep/],
  ])("%s", (_, f, message) => {
    const { ms, error } = timed(() => parseFormula(f), ADVERSARIAL_MS);
    expect(ms).toBeLessThan(ADVERSARIAL_MS);
    if (message === null) expect(error).toBeNull();
    else {
      expect(error).not.toBeNull();
      expect(error!.message).toMatch(message);
      expect(error!.message.length).toBeLessThan(400);
    }
  });

  test("the limits are the README's", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const row = (label: string) => {
      const m = new RegExp(`^\\| ${label} \\| ([\\d,]+) `, "m").exec(readme);
      return m ? Number(m[1].replace(/,/g, "")) : NaN;
    };
    expect(row("length of a formula")).toBe(LIMITS.formulaLength);
    expect(row("nesting")).toBe(LIMITS.nesting);
    expect(row("terms")).toBe(LIMITS.terms);
    expect(row("interactions tried")).toBe(LIMITS.termProducts);
    expect(row("design columns")).toBe(LIMITS.designColumns);
    expect(row("covariance parameters")).toBe(LIMITS.covarianceParameters);
  });

  test.each<[string, string, RegExp]>([
    ["(x0+x1+x2+f+C(h))**5 on 48 rows: more coefficients than rows", "y ~ (x0+x1+x2+f+C(h))**5 + (1|g)", /48 complete rows but .* fixed-effects coefficients/],
    ["3,000 nested I( inside a fit", `y ~ ${"I(".repeat(3000)}x0${")".repeat(3000)} + (1|g)`, /nested more than 100 deep/],
    ["a long chain inside I()", `y ~ I(${Array(3000).fill("x0").join("+")}) + (1|g)`, /^(?!)/],
    ["np.log( 90 deep: a message about the values, not the depth", `y ~ ${"np.log(".repeat(90)}x0${")".repeat(90)} + (1|g)`, /undefined or infinite/],
  ])("%s", (_, f, message) => {
    const { ms, error } = timed(() => fitMixedModel(data, { formula: f }), ADVERSARIAL_MS);
    expect(ms).toBeLessThan(ADVERSARIAL_MS);
    if (message.source === "^(?!)") expect(error).toBeNull();
    else expect(error?.message).toMatch(message);
  });
});
