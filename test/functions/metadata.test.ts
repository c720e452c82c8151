/**
 * functions.json is generated from the JSDoc of src/functions/functions.ts (by
 * custom-functions-metadata, as the webpack plugin does): every function it lists must have an
 * implementation registered under its id, with help text for the function and each argument.
 */
import { generateCustomFunctionsMetadata } from "custom-functions-metadata";
import { join } from "path";
import * as functions from "../../src/functions/functions";

const SOURCE = join(__dirname, "../../src/functions/functions.ts");

test("the metadata generates without errors and matches the implementations", async () => {
  const generated = await generateCustomFunctionsMetadata(SOURCE);
  expect(generated.errors).toEqual([]);
  const meta = JSON.parse(generated.metadataJson) as {
    functions: { id: string; name: string; description: string; parameters: { name: string; description: string; optional?: boolean; dimensionality?: string }[]; result: { dimensionality?: string } }[];
  };
  const ids = meta.functions.map((f) => f.id).sort();
  expect(ids).toEqual(["ANOVA", "COEF", "COMPARE", "CONFINT", "FIT", "FITTED", "PREDICT", "RANEF", "RESID", "STATS", "VARCOMP"]);
  expect(ids).toEqual(Object.keys(functions.FUNCTIONS).sort());
  // COMPARE and PREDICT take one more argument (a required range) after the formula
  const extra: Record<string, string> = { COMPARE: "reduced", PREDICT: "newdata" };
  for (const f of meta.functions) {
    expect(f.name).toBe(f.id);
    expect(f.description.length).toBeGreaterThan(20);
    expect(f.result.dimensionality).toBe("matrix");
    const names = ["data", "formula", ...(extra[f.id] ? [extra[f.id]] : []), "groups", "options"];
    expect(f.parameters.map((p) => p.name)).toEqual(names);
    expect(f.parameters.map((p) => !!p.optional)).toEqual(names.map((n) => n === "groups" || n === "options"));
    // data, groups, reduced and newdata take ranges (a formula typed in the call arrives as a 1×1 range)
    for (const p of f.parameters) expect(p.dimensionality ?? "scalar").toBe(["formula", "options"].includes(p.name) ? "scalar" : "matrix");
    for (const p of f.parameters) expect(p.description.length).toBeGreaterThan(10);
  }
  for (const a of generated.associate) {
    const impl = (functions as unknown as Record<string, unknown>)[a.functionName];
    expect(typeof impl).toBe("function");
    expect(functions.FUNCTIONS[a.id]).toBe(impl);
  }
});
