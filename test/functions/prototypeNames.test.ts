/**
 * The custom functions with levels, column names and variance-component names that are
 * Object.prototype's keys, in arrays shaped as Excel sends them: every level is in the tables,
 * and Object.prototype is untouched. (The functions return Promises; the fits run in a worker.)
 */
import * as F from "../../src/functions/functions";
import { parseOptions } from "../../src/functions/arguments";
import { ModelRegistry } from "../../src/functions/models";
import { setModels } from "../../src/functions/run";
import { WorkerClient } from "../../src/worker/client";
import { ClonedWorker } from "../worker/clonedWorker";
import { expectPrototypeUntouched, PROTO_LEVELS, protoRows } from "../prototypeNames";

type Loose = (...args: unknown[]) => unknown[][] | Promise<unknown[][]>;
const [ranef, varcomp, coef, anova, compare, confint, predict] = [F.ranef, F.varcomp, F.coef, F.anova, F.compare, F.confint, F.predict] as unknown as Loose[];

// a fresh fitting worker (its host behind structured-cloned messages) for each test
beforeEach(() => setModels(new ModelRegistry(new WorkerClient(() => new ClonedWorker()))));
afterAll(() => setModels(undefined));
afterEach(() => expectPrototypeUntouched());

const sorted = (xs: Iterable<unknown>) => [...xs].map(String).sort();

test("groups given as a column named __proto__: RANEF lists all 8 levels", async () => {
  const t = await ranef(protoRows(), "y ~ x", "__proto__", null);
  expect(t[0]).toEqual(["__proto__", "__proto__"]);
  expect(sorted(t.slice(1).map((r) => r[0]))).toEqual(sorted(PROTO_LEVELS));
  for (const r of t.slice(1)) expect(typeof r[1]).toBe("number");
});

test("lme4 terms on columns named __proto__ and constructor: both blocks, all levels", async () => {
  const t = await ranef(protoRows(), "y ~ x + (1 | __proto__) + (1 | constructor)", null, null);
  const blocks = t.filter((r) => r[1] === "(Intercept)").map((r) => r[0]);
  expect(sorted(blocks)).toEqual(["__proto__", "constructor"]);
  const levels = t.filter((r) => r[0] !== "" && r[1] !== "(Intercept)").map((r) => r[0]);
  expect(levels.filter((l) => l === "toString")).toHaveLength(2);
  expect(sorted(new Set(levels))).toEqual(sorted(PROTO_LEVELS));
});

test("variance components named __proto__ and constructor through the options text", async () => {
  const t = await varcomp(protoRows(), "y ~ x", [["constructor"]], "re_formula=1; vc=__proto__:0 + C(__proto__); vc=constructor:0 + x");
  const names = t.map((r) => r[1]);
  expect(names).toContain("__proto__");
  expect(names.filter((n) => n === "constructor").length).toBeGreaterThanOrEqual(1);
  const c = await coef(protoRows(), "y ~ x", [["constructor"]], "re_formula=1; vc=__proto__:0 + C(__proto__)");
  expect(c.map((r) => r[0])).toEqual(["Name", "Intercept", "x"]);
});

test("parseOptions keeps a vc named __proto__ as its own key, and refuses a name given twice", () => {
  const o = parseOptions("vc=__proto__:0 + C(g); vc=constructor:0 + x");
  expect(Object.keys(o.vcFormula!)).toEqual(["__proto__", "constructor"]);
  expect(Object.getPrototypeOf(o.vcFormula!)).toBe(Object.prototype);
  expect(o.vcFormula!["__proto__"]).toBe("0 + C(g)");
  expect(() => parseOptions("vc=__proto__:0 + x; vc=__proto__:0 + C(g)")).toThrow(/vc names "__proto__" twice/);
});

describe("the inference functions on the same names", () => {
  const lme4 = "y ~ x + constructor + (1 | __proto__)";

  test("COEF with Kenward-Roger's df and ANOVA: the factor named constructor, with its levels named as Object.prototype's keys", async () => {
    const c = await coef(protoRows(), lme4, null, "ddf=Kenward-Roger");
    expect(c[0]).toContain("df");
    const levels = c.slice(1).map((r) => String(r[0])).filter((n) => n.startsWith("constructor["));
    expect(levels.length).toBe(PROTO_LEVELS.length - 1);
    for (const r of c.slice(1)) expect(typeof r[3]).toBe("number");
    const a = await anova(protoRows(), lme4, null, "type=2");
    expect(a.slice(2).map((r) => r[0])).toEqual(["x", "constructor"]);
    expect(a[3][3]).toBe(PROTO_LEVELS.length - 1);
  });

  test("CONFINT and COMPARE: rows named after the grouping column __proto__", async () => {
    const ci = await confint(protoRows(), "y ~ x + (1 | __proto__) + (1 | constructor)", null, "ci=wald");
    expect(ci.slice(1, 4).map((r) => r[0])).toEqual(expect.arrayContaining(["sd_(Intercept)|__proto__", "sd_(Intercept)|constructor", "sigma"]));
    const lrt = await compare(protoRows(), "y ~ x + (1 | __proto__) + (1 | constructor)", [["y ~ x + (1 | __proto__)"], ["y ~ x + (1 | constructor)"]], null, null);
    expect(lrt.slice(1, 4).map((r) => r[0])).toEqual(["y ~ x + (1 | __proto__)", "y ~ x + (1 | constructor)", "y ~ x + (1 | __proto__) + (1 | constructor)"]);
    expect(typeof lrt[3][6]).toBe("number");
  });

  test("PREDICT: levels named as Object.prototype's keys are the groups they name; a new one gets the population value", async () => {
    const rows = [["x", "__proto__"], [1, "toString"], [1, "hasOwnProperty"], [1, "not a level"]];
    const t = await predict(protoRows(), "y ~ x + (1 | __proto__)", rows, null, null);
    const pop = await predict(protoRows(), "y ~ x + (1 | __proto__)", rows, null, "re=exclude");
    expect(t[1][0]).not.toBe(t[2][0]);
    expect(t[1][0]).not.toBe(pop[1][0]);
    expect(Math.abs((t[3][0] as number) - (pop[3][0] as number))).toBeLessThan(1e-12);
    const unseen = [["x", "constructor", "__proto__"], [1, "__defineGetter__", "a"]];
    await expect(predict(protoRows(), lme4, unseen, null, null)).rejects.toMatchObject({ message: expect.stringMatching(/constructor: "__defineGetter__"/) });
  });

  test("option keys named __proto__ or constructor are unknown keys, not properties", async () => {
    for (const key of ["__proto__", "constructor", "hasOwnProperty"]) {
      await expect(anova(protoRows(), lme4, null, `${key}=1`)).rejects.toMatchObject({ message: expect.stringMatching(new RegExp(`^Unknown option "${key}": the keys are method, reml, re_formula, vc, type, ddf`)) });
    }
  });
});
