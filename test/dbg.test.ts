import { fitModel } from "../src/engine";
import { anovaTable } from "../src/engine/inference/anova";
import { contrastTests } from "../src/engine/inference/fixedEffectTests";
import { fixtureTable } from "./helpers";
test("dbg", () => {
  for (const [file, f] of [["cake.csv", "angle ~ recipe * factor(temp) + (1 | recipe:replicate)"], ["Oats.csv", "yield ~ factor(nitro) * Variety + (1 | Block/Variety)"], ["ergoStool.csv", "effort ~ Type + (1 | Subject)"]]) {
    const fit = fitModel(fixtureTable(file), { formula: f });
    for (const m of ["kenward-roger", "satterthwaite"] as const) console.log(f, m, anovaTable(fit.core, contrastTests(fit.core, m), 3).rows.map((r) => r.denDF), fit.result.optimizer);
  }
});
