import { readFileSync } from "fs";
import { fitModel, readCsv, dfTests, anovaOf, withDfTests } from "../src/engine";
const table = readCsv(readFileSync(process.argv[2]));
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  const lap = (what: string) => { const u = performance.now() - t; t = performance.now(); return `${what} ${u.toFixed(0)}`; };
  const fit = fitModel(table, { formula: process.argv[3] }); const f = lap("fit");
  const tests = dfTests(fit, "satterthwaite"); const a = lap("dfTests");
  withDfTests(fit, tests); const b = lap("withDfTests");
  anovaOf(fit, 3, tests); const d = lap("anova3");
  console.log(f, a, b, d);
}
