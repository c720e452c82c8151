/** The CLI's inference flags: the JSON contract, the text tables, and one-line errors for bad values. */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DIETOX, runCli } from "./runCli";

const DIR = mkdtempSync(join(tmpdir(), "mixedlm-inference-"));
const NEW = join(DIR, "new.csv");
writeFileSync(NEW, "Time,Pig\n1,4601\n6,4643\n12,99999\n");

const MODEL = [DIETOX, "--formula", "Weight ~ Time + (Time|Pig)"];

test("--json carries comparison, confint, predictions and the inference's time", () => {
  const r = runCli([...MODEL, "--compare", "Weight ~ Time + (1|Pig)", "--confint", "profile", "--predict", NEW, "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect(j.comparison.refitML).toBe(true);
  expect(j.comparison.rows.map((x: { formula: string }) => x.formula)).toEqual(["Weight ~ Time + (1|Pig)", "Weight ~ Time + (Time|Pig)"]);
  expect(Object.keys(j.comparison.rows[1])).toEqual(expect.arrayContaining(["formula", "npar", "aic", "bic", "logLik", "deviance", "chisq", "df", "p"]));
  expect(Math.abs(j.comparison.rows[1].chisq - 374.359318081824)).toBeLessThan(2e-4);
  expect(j.comparison.rows[0].chisq).toBeNull();
  expect(j.confint).toMatchObject({ method: "profile", level: 0.95, criterion: "ML" });
  expect(j.confint.rows.map((x: { name: string }) => x.name)).toEqual(["sd_(Intercept)|Pig", "cor_Time.(Intercept)|Pig", "sd_Time|Pig", "sigma", "Intercept", "Time"]);
  expect(j.predictions).toHaveLength(3);
  expect(Object.keys(j.predictions[0]).sort()).toEqual(["conditional", "population", "seFixed"]);
  expect(Math.abs(j.predictions[2].population - 99.0068197842135)).toBeLessThan(1e-6);
  expect(j.predictions[2].conditional).toBe(j.predictions[2].population);
  expect(j.timing.inferenceMs).toBeGreaterThan(0);
  expect(j.varianceStdErr.rows.map((x: { name: string }) => x.name)).toEqual(["var_(Intercept)|Pig", "cov_Time.(Intercept)|Pig", "var_Time|Pig", "var_Residual"]);
});

test("a statsmodels-style fit: each variance row has its standard error beside statsmodels' number", () => {
  const r = runCli([DIETOX, "--formula", "Weight ~ Time", "--groups", "Pig", "--json"]);
  const j = JSON.parse(r.out);
  expect(j.varianceRows[0].name).toBe("Pig Var");
  expect(j.varianceRows[0].statsmodelsStdErr).toBeCloseTo(2.149, 3);
  expect(Math.abs(j.varianceRows[0].stdErr - 6.93892365777048) / 6.9389).toBeLessThan(1e-3);
  expect(j.varianceStdErr.basis).toMatch(/observed information of the REML criterion/);
  expect(j).not.toHaveProperty("comparison");
  expect(j).not.toHaveProperty("confint");
});

test("text: the tables under the summary in lme4's layout", () => {
  const r = runCli([...MODEL, "--compare", "Weight ~ Time + (1|Pig)", "--confint", "wald", "--level", "0.9", "--predict", NEW]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/refitting model\(s\) with ML \(instead of REML\)\nModels:\nm1: Weight ~ Time \+ \(1\|Pig\)\nm2: Weight ~ Time \+ \(Time\|Pig\)/);
  expect(r.out).toMatch(/ +npar +AIC +BIC +logLik deviance +Chisq Df Pr\(>Chisq\)/);
  expect(r.out).toMatch(/m2 +6 4443\.5 4472\.1 -2215\.8 +4431\.5 374\.36 +2 +< 2\.2e-16 \*\*\*/);
  expect(r.out).toMatch(/Wald confidence intervals, level 0\.9:\n +5 % +95 %\nsd_\(Intercept\)\|Pig +NA +NA/);
  expect(r.out).toMatch(/Predictions on new rows:/);
});

test("the bootstrap from the CLI: the seed reproduces the numbers", () => {
  const a = JSON.parse(runCli([...MODEL, "--confint", "boot", "--nsim", "20", "--seed", "5", "--json"]).out);
  const b = JSON.parse(runCli([...MODEL, "--confint", "boot", "--nsim", "20", "--seed", "5", "--json"]).out);
  expect(a.confint.rows).toEqual(b.confint.rows);
  expect(a.confint.bootstrap).toMatchObject({ nsim: 20, seed: 5, done: 20 });
});

test.each([
  [["--confint", "jackknife"], /--confint must be profile, wald or boot/],
  [["--confint", "wald", "--level", "95"], /--level must be a number between 0 and 1/],
  [["--confint", "boot", "--nsim", "ten"], /--nsim must be a whole number/],
  [["--confint", "profile", "--nsim", "10"], /--nsim and --seed apply to bootstrap intervals/],
  [["--no-refit"], /--no-refit applies to --compare/],
  [["--compare"], /--compare needs a value/],
  [["--predict", join(DIR, "nope.csv")], /Cannot read the new data .*nope\.csv: no such file/],
  [["--compare", "Weight ~ Nope + (1|Pig)"], /In the model "Weight ~ Nope \+ \(1\|Pig\)"/],
])("bad input %j: exit 2 and one line", (extra, message) => {
  const r = runCli([...MODEL, ...extra]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err.trim().split("\n")).toHaveLength(1);
  expect(r.out).toBe("");
});
