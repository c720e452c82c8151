/**
 * t tests with Satterthwaite and Kenward-Roger df against lmerTest 3.1-3 / pbkrtest 0.5.2
 * (/work/shared/reference/inference, copied to test/fixtures/inference/lmertest): df to 2e-3
 * relative, standard errors to 1e-4, p to 1e-2.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { fitModel } from "../../../src/engine";
import { contrastTests, fixedEffectTests } from "../../../src/engine/inference/fixedEffectTests";
import { canonicalName, FIXTURES, fixtureTable } from "../../helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const refOf = (id: string): any => JSON.parse(readFileSync(join(FIXTURES, "inference", "lmertest", `${id}.json`), "utf8"));
const CASES = ["dietox_cat", "dietox_inter", "dietox_rs", "penicillin", "pastes"];
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function compareRows(ours: { name: string; stdErr: number; df: number; p: number }[], ref: any[], what: string): void {
  for (const r of ref) {
    const o = ours.find((x) => canonicalName(x.name) === canonicalName(r.name));
    if (!o) throw new Error(`${what}: no coefficient ${r.name}`);
    const msg = `${what} ${r.name}: df ${o.df} vs ${r.df}, se ${o.stdErr} vs ${r["Std. Error"]}, p ${o.p} vs ${r["Pr(>|t|)"]}`;
    if (!(rel(o.df, r.df) < 2e-3 && rel(o.stdErr, r["Std. Error"]) < 1e-4 && (r["Pr(>|t|)"] === 0 ? o.p < 1e-300 : rel(o.p, r["Pr(>|t|)"]) < 1e-2))) throw new Error(msg);
  }
}

describe.each(CASES)("%s", (id) => {
  const ref = refOf(id);
  const data = fixtureTable(ref.data);
  test("REML: Satterthwaite and Kenward-Roger t tests", () => {
    const fit = fitModel(data, { formula: ref.formula });
    compareRows(fixedEffectTests(fit.core, contrastTests(fit.core, "satterthwaite")), ref.satterthwaite, "Satterthwaite");
    compareRows(fixedEffectTests(fit.core, contrastTests(fit.core, "kenward-roger")), ref.kenward_roger, "Kenward-Roger");
  });
  test("ML: Satterthwaite t tests", () => {
    const fit = fitModel(data, { formula: ref.formula, method: "ML" });
    compareRows(fixedEffectTests(fit.core, contrastTests(fit.core, "satterthwaite")), ref.ml.satterthwaite, "ML Satterthwaite");
  });
});
