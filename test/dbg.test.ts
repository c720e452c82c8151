import { fitModel } from "../src/engine";
import { fixtureTable } from "./helpers";
import { readFileSync } from "fs";
test("dbg", () => {
  const ref = JSON.parse(readFileSync("test/fixtures/inference/lmertest/dietox_inter.json", "utf8"));
  const fit = fitModel(fixtureTable("dietox.csv"), { formula: ref.formula, method: "ML" });
  console.log(fit.result.logLik, ref.ml.logLik, fit.result.fixedEffects.map((f) => [f.name, f.coef, f.stdErr]), ref.ml.satterthwaite.map((r: any) => [r.name, r.Estimate, r["Std. Error"]]), fit.core.theta, fit.result.optimizer);
});
