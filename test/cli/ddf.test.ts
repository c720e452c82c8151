/** The command line's --ddf and --anova: the JSON contract, the text tables, and one-line errors. */
import { referenceFile, rel } from "../engine/inference/compare";
import { DIETOX, runCli } from "./runCli";

const ref = referenceFile("shared", "dietox_inter.json");

test("--ddf kenward-roger --anova 2 --json: df on the fixed effects, the ANOVA table, the inference's time", () => {
  const r = runCli([DIETOX, "--formula", ref.formula, "--ddf", "kenward-roger", "--anova", "2", "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect(j.ddf).toBe("kenward-roger");
  const time = j.fixedEffects.find((f: { name: string }) => f.name === "Time");
  const rTime = ref.kenward_roger.find((x: { name: string }) => x.name === "Time");
  expect(rel(time.df, rTime.df)).toBeLessThan(2e-3);
  expect(rel(time.stdErr, rTime["Std. Error"])).toBeLessThan(1e-4);
  expect(time.z).toBeCloseTo(time.coef / time.stdErr, 12);
  expect(j.anova.type).toBe(2);
  expect(j.anova.ddf).toBe("kenward-roger");
  expect(j.anova.rows.map((x: { term: string }) => x.term)).toEqual(["Time", "factor(Cu)", "Time:factor(Cu)"]);
  expect(Object.keys(j.anova.rows[0]).sort()).toEqual(["F", "denDF", "meanSq", "numDF", "p", "sumSq", "term"]);
  j.anova.rows.forEach((row: { F: number; denDF: number }, i: number) => {
    expect(rel(row.F, ref.anova["type2_Kenward-Roger"][i]["F value"])).toBeLessThan(1e-3);
    expect(rel(row.denDF, ref.anova["type2_Kenward-Roger"][i].DenDF)).toBeLessThan(2e-3);
  });
  expect(j.timing.inferenceMs).toBeGreaterThan(0);
});

test("--anova alone: Satterthwaite's table, the fixed effects keep their z tests", () => {
  const r = runCli([DIETOX, "--formula", ref.formula, "--anova", "III", "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect(j.anova.ddf).toBe("satterthwaite");
  expect(j.fixedEffects[0].df).toBeUndefined();
  expect(j.ddf).toBeUndefined();
});

test("text: lmerTest's tables under the summary", () => {
  const r = runCli([DIETOX, "--formula", ref.formula, "--ddf", "satterthwaite", "--anova", "3"]);
  expect(r.code).toBe(0);
  expect(r.out).toContain("Fixed effects (t tests use Satterthwaite's method):");
  expect(r.out).toMatch(/Estimate Std\. Error +df t value Pr\(>\|t\|\)/);
  expect(r.out).toContain("Type III Analysis of Variance Table with Satterthwaite's method");
  expect(r.out).toMatch(/Sum Sq Mean Sq NumDF +DenDF +F value Pr\(>F\)/);
  expect(r.out).toMatch(/\nfactor\(Cu\) +15 +7 +2 69\.05\d +1\.2297 0\.2987/);
  expect(r.out).toContain("P>|t|");
});

test("statsmodels style: --ddf with groups and re_formula", () => {
  const r = runCli([DIETOX, "--formula", "Weight ~ Time", "--groups", "Pig", "--re-formula", "~Time", "--ddf", "satterthwaite", "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  const rs = referenceFile("shared", "dietox_rs.json").satterthwaite;
  expect(rel(j.fixedEffects[1].df, rs[1].df)).toBeLessThan(2e-3);
  expect(rel(j.fixedEffects[1].stdErr, rs[1]["Std. Error"])).toBeLessThan(1e-4);
});

test("bad input: one line on stderr, exit status 2", () => {
  for (const [args, says] of [
    [["--ddf", "bogus"], /--ddf must be satterthwaite or kenward-roger/],
    [["--anova", "4"], /--anova takes the type of the table: 1, 2 or 3/],
    [["--ddf", "kenward-roger", "--method", "ml"], /Kenward-Roger's method is defined for REML fits/],
  ] as const) {
    const r = runCli([DIETOX, "--formula", "Weight ~ Time + (1|Pig)", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(says);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  }
});
