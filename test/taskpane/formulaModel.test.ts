/** The formula drives the controls; the controls edit the formula minimally (src/taskpane/formulaModel.ts). */
import fc from "fast-check";
import { parseFormula } from "../../src/engine";
import { addBar, addFixed, columnRef, formulaWindow, readFormula, removeFixed, removeSummandAt, setCategorical, setCrossed, setResponse, shortMessage } from "../../src/taskpane/formulaModel";
import { summands } from "../../src/taskpane/formulaText";

const COLS = ["Pig", "Evit", "Cu", "Litter", "Start", "Weight", "Feed", "Time", "body weight"];
const read = (f: string) => readFormula(f, COLS);
const add = (f: string, c: string, cat = false) => addFixed(f, read(f), c, cat);
const remove = (f: string, c: string) => removeFixed(f, read(f), c);

describe("reading a formula", () => {
  test("columns, categorical marks, crossing, bars and custom terms", () => {
    const v = read("np.log(Weight) ~ Time * C(Evit) + I(Time**2) + (1 | Pig)");
    expect(v.status).toBe("ok");
    expect(v.response).toEqual({ column: null, text: "np.log(Weight)" });
    expect(v.fixed).toEqual(["Time", "Evit"]);
    expect(v.categorical).toEqual(["Evit"]);
    expect(v.crossed).toBe(true);
    expect(v.bars).toEqual([{ text: "(1 | Pig)", grouping: "Pig", summand: 2 }]);
    expect(v.custom).toEqual(["I(Time**2)"]);
    expect(read("Weight ~ Time + Cu").crossed).toBe(false);
    expect(read("Weight ~ Time * Cu + Litter").crossed).toBeNull();
    expect(read("Weight ~ Time:Cu").custom).toEqual(["Time:Cu"]);
    expect(read('Weight ~ Q("body weight")').fixed).toEqual(["body weight"]);
    expect(read("Weight ~ `body weight`").fixed).toEqual(["body weight"]);
    expect(read("Weight ~ Tme").custom).toEqual(["Tme"]);
  });
  test("a syntax error: the engine's message, a short window of a long formula", () => {
    const v = read("Weight ~ Time +");
    expect(v.status).toBe("invalid");
    expect(v.problem!.message).toMatch(/Expected a term after '\+'.*position 15/);
    const long = `Weight ~ ${Array.from({ length: 800 }, (_, i) => `x${i}`).join(" + ")} +`;
    const p = read(long).problem!;
    expect(p.message.length).toBeLessThan(220);
    expect(p.message).toMatch(/position 5,?\d+/);
    expect(read("").status).toBe("empty");
  });
  test("column references", () => {
    expect(columnRef("C(Pig)", COLS)).toEqual({ column: "Pig", categorical: true });
    expect(columnRef('Q("body weight")', COLS)).toEqual({ column: "body weight", categorical: false });
    expect(columnRef("C(C(Pig))", COLS)).toBeNull();
    expect(columnRef("np.log(Pig)", COLS)).toBeNull();
    expect(columnRef("Pigs", COLS)).toBeNull();
  });
});

describe("editing keeps what was typed", () => {
  test("response", () => {
    expect(setResponse("", "Weight")).toBe("Weight ~ 1");
    expect(setResponse("np.log(Weight) ~ Time + I(Time**2)", "Feed")).toBe("Feed ~ Time + I(Time**2)");
    expect(setResponse("~ Time", "Weight")).toBe("Weight ~ Time");
    expect(setResponse("body ~ x", "body weight")).toBe('Q("body weight") ~ x');
  });
  test("adding and removing fixed effects", () => {
    expect(add("Weight ~ 1", "Time")).toBe("Weight ~ Time");
    expect(add("Weight ~ Time", "Cu", true)).toBe("Weight ~ Time + C(Cu)");
    expect(add("np.log(Weight) ~ Time + I(Time**2) + (1 | Pig)", "Cu")).toBe("np.log(Weight) ~ Time + I(Time**2) + Cu + (1 | Pig)");
    expect(add("Weight ~ Time * C(Evit)", "Cu", true)).toBe("Weight ~ Time * C(Evit) * C(Cu)");
    expect(add("Weight ~ (1|Pig)", "Time")).toBe("Weight ~ Time + (1|Pig)");
    expect(remove("Weight ~ Time + Cu", "Time")).toBe("Weight ~ Cu");
    expect(remove("Weight ~ Time + Cu", "Cu")).toBe("Weight ~ Time");
    expect(remove("Weight ~ Time", "Time")).toBe("Weight ~ 1");
    expect(remove("Weight ~ Time * C(Evit) * C(Cu) + (1 | Pig)", "Evit")).toBe("Weight ~ Time * C(Cu) + (1 | Pig)");
    expect(remove("Weight ~ Time * C(Evit) * C(Cu)", "Time")).toBe("Weight ~ C(Evit) * C(Cu)");
    expect(remove("np.log(Weight) ~ Time + I(Time**2)", "Time")).toBe("np.log(Weight) ~ I(Time**2)");
    expect(remove("Weight ~ Time - 1", "Time")).toBe("Weight ~ 1 - 1");
  });
  test("categorical marks, crossing, lme4 terms", () => {
    expect(setCategorical("Weight ~ Time * Litter + (1|Pig)", read("Weight ~ Time * Litter + (1|Pig)"), "Litter", true)).toBe("Weight ~ Time * C(Litter) + (1|Pig)");
    expect(setCategorical("Weight ~ C(Litter)", read("Weight ~ C(Litter)"), "Litter", false)).toBe("Weight ~ Litter");
    const f = "Weight ~ Time + C(Evit) + I(Time**2) + C(Cu) + (1 | Pig)";
    expect(setCrossed(f, read(f), true)).toBe("Weight ~ Time * C(Evit) * C(Cu) + I(Time**2) + (1 | Pig)");
    const g = "Weight ~ Time * C(Evit) + (1 | Pig)";
    expect(setCrossed(g, read(g), false)).toBe("Weight ~ Time + C(Evit) + (1 | Pig)");
    expect(addBar("Weight ~ Time", "(1 | Pig)")).toBe("Weight ~ Time + (1 | Pig)");
    const h = "Weight ~ Time + (1 | Pig) + (1 | Litter)";
    expect(removeSummandAt(h, read(h), 1)).toBe("Weight ~ Time + (1 | Litter)");
    expect(removeSummandAt("Weight ~ (1 | Pig)", read("Weight ~ (1 | Pig)"), 0)).toBe("Weight ~ 1");
  });

  test("property: any control edit of a valid formula leaves it valid and keeps its custom terms", () => {
    const customs = ["I(Time**2)", "np.log(Start)", "Time:Cu", "center(Feed)"];
    const cols = ["Time", "Cu", "Evit", "Litter", "Start"];
    const arb = fc.record({
      resp: fc.constantFrom("Weight", "np.log(Weight)"),
      terms: fc.subarray(cols),
      cat: fc.subarray(cols),
      custom: fc.subarray(customs),
      crossed: fc.boolean(),
      bar: fc.boolean(),
      ops: fc.array(fc.tuple(fc.constantFrom("add", "remove", "cat", "plain", "cross", "uncross"), fc.constantFrom(...cols)), { maxLength: 6 }),
    });
    fc.assert(fc.property(arb, (a) => {
      const refs = a.terms.map((t) => (a.cat.includes(t) ? `C(${t})` : t));
      const rhs = [refs.join(a.crossed ? " * " : " + "), ...a.custom, ...(a.bar ? ["(1 | Pig)"] : [])].filter((s) => s !== "");
      let f = `${a.resp} ~ ${rhs.length ? rhs.join(" + ") : "1"}`;
      for (const [op, c] of a.ops) {
        const v = read(f);
        f = op === "add" ? addFixed(f, v, c, false) : op === "remove" ? removeFixed(f, v, c) : op === "cat" ? setCategorical(f, v, c, true)
          : op === "plain" ? setCategorical(f, v, c, false) : setCrossed(f, v, op === "cross");
        expect(() => parseFormula(f)).not.toThrow();
        for (const c2 of a.custom) expect(f).toContain(c2);
        expect(f.startsWith(`${a.resp} ~`)).toBe(true);
        if (a.bar) expect(f).toContain("(1 | Pig)");
        const after = read(f);
        if (op === "add") expect(after.fixed).toContain(c);
        if (op === "remove") expect(after.fixed).not.toContain(c);
      }
    }), { seed: 11, numRuns: 300 });
  });
});

test("summands split at top-level + and - only", () => {
  expect(summands('y ~ a + I(b - c) + Q("d+e") - 1 + f*g').map((s) => [s.sign, s.text])).toEqual([["", "a"], ["+", "I(b - c)"], ["+", 'Q("d+e")'], ["-", "1"], ["+", "f*g"]]);
  expect(summands("y ~ x + 1e-5").map((s) => s.text)).toEqual(["x", "1e-5"]);
  expect(formulaWindow("short", 0, 1)).toBe("short");
  expect(shortMessage("m", "y ~ x", 0, 1)).toBe("m");
});
