/**
 * ANOVA tables of types I, II and III with Satterthwaite's and Kenward-Roger's df against
 * lmerTest 3.1-3 (test/fixtures/inference/lmertest): F to 1e-3 relative, DenDF to 2e-3, and the
 * sums of squares, NumDF and p as lmerTest prints them.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { fitModel } from "../../../src/engine";
import { anovaTable } from "../../../src/engine/inference/anova";
import { contrastTests } from "../../../src/engine/inference/fixedEffectTests";
import { FIXTURES, fixtureTable } from "../../helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const refOf = (id: string): any => JSON.parse(readFileSync(join(FIXTURES, "inference", "lmertest", `${id}.json`), "utf8"));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compareAnova(ours: { term: string; sumSq: number; numDF: number; denDF: number; F: number; p: number }[], ref: any[], what: string): void {
  expect(ours.map((r) => r.term)).toEqual(ref.map((r: { name: string }) => r.name));
  ref.forEach((r, i) => {
    const o = ours[i];
    const msg = `${what} ${r.name}: F ${o.F} vs ${r["F value"]}, DenDF ${o.denDF} vs ${r.DenDF}, SS ${o.sumSq} vs ${r["Sum Sq"]}, p ${o.p} vs ${r["Pr(>F)"]}`;
    const ok = rel(o.F, r["F value"]) < 1e-3 && rel(o.denDF, r.DenDF) < 2e-3 && rel(o.sumSq, r["Sum Sq"]) < 1e-3 && o.numDF === r.NumDF
      && (r["Pr(>F)"] === 0 ? o.p < 1e-300 : rel(o.p, r["Pr(>F)"]) < 1e-2);
    if (!ok) throw new Error(msg);
  });
}

describe.each(["dietox_cat", "dietox_inter", "dietox_rs", "penicillin", "pastes"])("%s", (id) => {
  const ref = refOf(id);
  const data = fixtureTable(ref.data);
  test.each([1, 2, 3] as const)("type %s, both methods", (type) => {
    const fit = fitModel(data, { formula: ref.formula });
    for (const [method, key] of [["satterthwaite", "Satterthwaite"], ["kenward-roger", "Kenward-Roger"]] as const) {
      compareAnova(anovaTable(fit.core, contrastTests(fit.core, method), type).rows, ref.anova[`type${type}_${key}`], `${key} type ${type}`);
    }
  });
  test("ML: type III with Satterthwaite", () => {
    const fit = fitModel(data, { formula: ref.formula, method: "ML" });
    compareAnova(anovaTable(fit.core, contrastTests(fit.core, "satterthwaite"), 3).rows, ref.ml.anova_type3, "ML type 3");
  });
});
