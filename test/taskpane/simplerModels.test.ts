/**
 * "Compare with a simpler model": the choices read from the fitted model's formula and random
 * effects. Each is one step simpler, as written, and nested in the full model as the engine's
 * likelihood-ratio test judges it (a test with df ≥ 1, not a "No test" message).
 */
import fc from "fast-check";
import { compareModels, DataTable, parseFormula } from "../../src/engine";
import type { ModelSpec } from "../../src/engine";
import { summands } from "../../src/taskpane/formulaText";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";
import { simplerModels } from "../../src/taskpane/simplerModels";

const COLS = ["Pig", "Evit", "Cu", "Litter", "Start", "Weight", "Feed", "Time"];
const choices = (spec: ModelSpec) => simplerModels(spec, COLS).map((c) => [c.label, c.text, c.boundary]);

test("lme4 terms: a fixed term, a random slope, the random intercept beside it, the correlation", () => {
  expect(choices({ formula: "Weight ~ Time + (Time | Pig)" })).toEqual([
    ["Without Time", "Weight ~ 1 + (Time | Pig)", false],
    ["Without the random slope Time (Pig)", "Weight ~ Time + (1 | Pig)", true],
    ["Without the random intercept (Pig)", "Weight ~ Time + (0 + Time | Pig)", true],
    ["Without the correlation in (Time | Pig)", "Weight ~ Time + (Time || Pig)", false],
  ]);
  // what was typed stays as typed around the change
  expect(choices({ formula: "np.log(Weight)~Time+I(Time**2)  +  (1 + Time|Pig)" }).map((c) => c[1])).toEqual([
    "np.log(Weight)~I(Time**2)  +  (1 + Time|Pig)",
    "np.log(Weight)~Time  +  (1 + Time|Pig)",
    "np.log(Weight)~Time+I(Time**2)  +  (1 | Pig)",
    "np.log(Weight)~Time+I(Time**2)  +  (0 + Time | Pig)",
    "np.log(Weight)~Time+I(Time**2)  +  (1 + Time || Pig)",
  ]);
  // a random intercept alone, a slope without intercept: nothing to drop there but the term, when another remains
  expect(choices({ formula: "Weight ~ Time + (1 | Pig)" })).toEqual([["Without Time", "Weight ~ 1 + (1 | Pig)", false]]);
  expect(choices({ formula: "Weight ~ 1 + (0 + Time | Pig) + (1 | Litter)" }).map((c) => c[0])).toEqual(["Without the random term (0 + Time | Pig)", "Without the random term (1 | Litter)"]);
  expect(simplerModels({ formula: "Weight ~ Time +" }, COLS)).toEqual([]);
});

test("products: without the highest interaction, or without the whole product", () => {
  expect(choices({ formula: "Weight ~ Time * C(Cu) + (1 | Pig)", method: "ML" }).slice(0, 2)).toEqual([
    ["Without the interaction Time:C(Cu)", "Weight ~ Time * C(Cu) - Time:C(Cu) + (1 | Pig)", false],
    ["Without Time * C(Cu)", "Weight ~ 1 + (1 | Pig)", false],
  ]);
  expect(simplerModels({ formula: "Weight ~ Time * C(Cu) + (1 | Pig)", method: "ML" }, COLS)[0].spec).toEqual({ formula: "Weight ~ Time * C(Cu) - Time:C(Cu) + (1 | Pig)", method: "ML" });
});

test("statsmodels style: the groups' slopes, intercept and variance components", () => {
  const spec: ModelSpec = { formula: "Weight ~ Time", groups: "Litter", reFormula: "~Time", vcFormula: { pig: "0 + C(Pig)" }, method: "REML" };
  const found = simplerModels(spec, COLS);
  expect(found.map((c) => c.label)).toEqual(["Without Time", "Without the random slope Time (Litter)", "Without the random intercept (Litter)", "Without the variance component pig"]);
  expect(found[1].spec).toEqual({ formula: "Weight ~ Time", groups: "Litter", reFormula: "1", vcFormula: { pig: "0 + C(Pig)" }, method: "REML" });
  expect(found[2].spec.reFormula).toBe("~0 + Time");
  expect(found[3].spec).toEqual({ formula: "Weight ~ Time", groups: "Litter", reFormula: "~Time", method: "REML" });
  expect(found[3].text).toBe("Weight ~ Time, groups Litter, re_formula ~Time");
  // without variance components, dropping the only slope leaves statsmodels' default intercept
  expect(simplerModels({ formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" }, COLS)[1].spec).toEqual({ formula: "Weight ~ Time", groups: "Pig" });
});

test("every choice is nested in the full model: the engine tests it (df ≥ 1)", () => {
  const table = DataTable.fromRows(SAMPLE_ROWS);
  const models: ModelSpec[] = [
    { formula: "Weight ~ Time + C(Cu) + (Time | Pig) + (1 | Litter)" },
    { formula: "Weight ~ Time * C(Evit) + (1 + Time | Pig)" },
    { formula: "Weight ~ Time + Feed", groups: "Litter", reFormula: "~Time", vcFormula: { pig: "0 + C(Pig)" } },
  ];
  for (const full of models) {
    const found = simplerModels(full, COLS);
    expect(found.length).toBeGreaterThan(3);
    for (const c of found) {
      const cmp = compareModels(table, full, [c.spec]);
      const test = cmp.rows[1];
      expect({ full: full.formula, reduced: c.text, message: test.message ?? null, tested: test.df !== null && test.df >= 1 }).toEqual({ full: full.formula, reduced: c.text, message: null, tested: true });
    }
  }
});

test("property: on generated formulas every choice reads, differs from the full model, and keeps the response and the rest as typed", () => {
  const fixed = fc.subarray(["Time", "C(Cu)", "Feed", "I(Time**2)", "Time * C(Evit)", "np.log(Start)"], { minLength: 0 });
  const lhs = fc.constantFrom("1", "Time", "1 + Time", "0 + Time", "Time + Feed", "0 + Time + Feed");
  const bar = fc.tuple(lhs, fc.constantFrom("|", "||"), fc.constantFrom("Pig", "Litter", "Litter/Pig"), fc.constantFrom(" ", "", "  ")).map(([l, op, g, sp]) => `(${l}${sp}${op}${sp}${g})`);
  const formula = fc.tuple(fixed, fc.array(bar, { minLength: 1, maxLength: 3 }), fc.constantFrom(" + ", "+", "  +  ")).map(([f, b, plus]) => `Weight ~ ${[...(f.length ? f : ["1"]), ...b].join(plus)}`);
  fc.assert(fc.property(formula, (f) => {
    for (const c of simplerModels({ formula: f }, COLS)) {
      expect(() => parseFormula(c.spec.formula)).not.toThrow();
      expect(c.spec.formula).not.toBe(f);
      expect(c.spec.formula.startsWith("Weight ~ ")).toBe(true);
      // one change, within one summand and the operators beside it: the rest is the full formula's, as typed
      let a = 0;
      while (a < f.length && f[a] === c.spec.formula[a]) a++;
      let b = 0;
      while (b < f.length - a && f[f.length - 1 - b] === c.spec.formula[c.spec.formula.length - 1 - b]) b++;
      const all = summands(f);
      const within = all.some((x, k) => a >= (k > 0 ? all[k - 1].end : x.start) && f.length - b <= (k < all.length - 1 ? all[k + 1].start : f.length));
      expect({ f, reduced: c.spec.formula, within }).toEqual({ f, reduced: c.spec.formula, within: true });
    }
  }), { seed: 20240611, numRuns: 300 });
});
