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
  expect(ids).toEqual(["COEF", "FIT", "FITTED", "RANEF", "RESID", "STATS", "VARCOMP"]);
  expect(ids).toEqual(Object.keys(functions.FUNCTIONS).sort());
  for (const f of meta.functions) {
    expect(f.name).toBe(f.id);
    expect(f.description.length).toBeGreaterThan(20);
    expect(f.result.dimensionality).toBe("matrix");
    expect(f.parameters.map((p) => p.name)).toEqual(["data", "formula", "groups", "options"]);
    expect(f.parameters.map((p) => !!p.optional)).toEqual([false, false, true, true]);
    // data and groups take ranges
    expect(f.parameters[0].dimensionality).toBe("matrix");
    expect(f.parameters[2].dimensionality).toBe("matrix");
    for (const p of f.parameters) expect(p.description.length).toBeGreaterThan(10);
  }
  for (const a of generated.associate) {
    const impl = (functions as unknown as Record<string, unknown>)[a.functionName];
    expect(typeof impl).toBe("function");
    expect(functions.FUNCTIONS[a.id]).toBe(impl);
  }
});
