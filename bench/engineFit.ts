/**
 * Times the engine in one process: reads the CSV once, then fits the model `repeats` times (the
 * first fit is the cold one, as a fresh CLI run sees it). For bench.ts.
 * Usage: node build/cli/bench/engineFit.js DATA.csv SPEC_JSON REPEATS
 */
import { readFileSync } from "fs";
import { fitMixedModel, ModelSpec, readCsv } from "../src/engine";

const [path, specJson, repeatsText] = process.argv.slice(2);
const spec = JSON.parse(specJson) as ModelSpec;
const t0 = performance.now();
const table = readCsv(readFileSync(path));
const t1 = performance.now();
const fitMs: number[] = [];
let logLik = NaN;
let converged = false;
for (let k = 0; k < Number(repeatsText); k++) {
  const s = performance.now();
  const r = fitMixedModel(table, spec);
  fitMs.push(performance.now() - s);
  logLik = r.logLik;
  converged = r.converged;
}
process.stdout.write(JSON.stringify({ readMs: t1 - t0, fitMs, logLik, converged, peakRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n");
