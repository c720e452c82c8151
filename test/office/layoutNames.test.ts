/**
 * The summary sheet's layout when levels, columns and variance components are called like
 * Object.prototype's keys (__proto__, constructor, toString, ...): every level is written, the
 * specification shows every component, and Object.prototype is untouched.
 */
import { DataTable, fitMixedModel } from "../../src/engine";
import type { ModelSpec } from "../../src/engine";
import { summaryLayout } from "../../src/office/layout";
import { expectPrototypeUntouched, PROTO_LEVELS, protoRows } from "../prototypeNames";

afterEach(() => expectPrototypeUntouched());

const sorted = (xs: Iterable<unknown>) => [...xs].map(String).sort();

function blockValues(spec: ModelSpec, id: string): unknown[][] {
  const r = fitMixedModel(DataTable.fromRows(protoRows()), spec, { conditionalVariances: true });
  const layout = summaryLayout(r, spec, "Sheet1!A1:D97");
  const b = layout.blocks.find((x) => x.id === id);
  if (!b) throw new Error(`no block ${id}`);
  return b.values;
}

test("a grouping column named __proto__: the random-effects block and the caterpillar list all 8 levels", () => {
  const spec: ModelSpec = { formula: "y ~ x", groups: "__proto__" };
  const ranef = blockValues(spec, "ranef");
  expect(ranef[1]).toEqual(["__proto__", "(Intercept)"]);
  expect(sorted(ranef.slice(2).map((r) => r[0]))).toEqual(sorted(PROTO_LEVELS));
  const caterpillar = blockValues(spec, "caterpillar");
  expect(sorted(caterpillar.slice(2).map((r) => r[1]))).toEqual(sorted(PROTO_LEVELS));
});

test("variance components named __proto__ and constructor are shown in the specification", () => {
  const vcFormula = Object.fromEntries([["__proto__", "0 + C(__proto__)"], ["constructor", "0 + x"]]);
  const spec: ModelSpec = { formula: "y ~ x", groups: "constructor", reFormula: "1", vcFormula };
  const rows = blockValues(spec, "spec");
  const vc = rows.find((r) => r[0] === "Variance components (vc)")!;
  expect(vc[1]).toBe("__proto__: 0 + C(__proto__); constructor: 0 + x");
  const varcomp = blockValues(spec, "varcomp");
  expect(varcomp.map((r) => r[0])).toEqual(expect.arrayContaining([
    "constructor: __proto__ (variance component)", "constructor: constructor (variance component)",
  ]));
});

test("lme4 terms on __proto__ and constructor: both grouping factors in the statistics, all levels in the random effects", () => {
  const spec: ModelSpec = { formula: "y ~ x + (1 | __proto__) + (1 | constructor)" };
  const stats = blockValues(spec, "stats").map((r) => r[0]);
  expect(stats).toEqual(expect.arrayContaining(["Groups (__proto__)", "Groups (constructor)"]));
  const ranef = blockValues(spec, "ranef");
  const levels = ranef.slice(1).filter((r) => r[1] !== "(Intercept)" && r[0] !== "").map((r) => r[0]);
  expect(sorted(new Set(levels))).toEqual(sorted(PROTO_LEVELS));
  expect(levels).toHaveLength(16);
});
