/** The command line: the summary, the JSON contract, and exit status 2 with one line on stderr for bad input. */
import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { FIXTURES, reference } from "../helpers";
import { DIETOX, runCli } from "./runCli";

const ONE_GROUP = join(mkdtempSync(join(tmpdir(), "mixedlm-cli-")), "one-group.csv");
writeFileSync(ONE_GROUP, "y,x,g\n1,1,a\n2,2,a\n3,3.5,a\n5,4,a\n");

test("prints statsmodels' summary for the dietox example", () => {
  const r = runCli([DIETOX, "--formula", "Weight ~ Time", "--groups", "Pig"]);
  expect(r.code).toBe(0);
  expect(r.out.startsWith(reference("dietox_ri_reml", "statsmodels").summary)).toBe(true);
});

test("--json follows the contract", () => {
  const r = runCli([DIETOX, "--formula=Weight ~ Time", "--groups", "Pig", "--re-formula", "~Time", "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  for (const k of ["method", "nObs", "nGroups", "converged", "logLik", "aic", "bic", "scale", "fixedEffects", "randomTerms", "randomEffects", "warnings", "timing"]) {
    expect(j).toHaveProperty(k);
  }
  expect(j.method).toBe("REML");
  expect(j.nObs).toBe(861);
  expect(j.nGroups).toBe(72);
  expect(j.converged).toBe(true);
  expect(Math.abs(j.logLik - reference("dietox_rs_reml", "lme4").llf)).toBeLessThan(1e-4);
  expect(Object.keys(j.fixedEffects[0]).sort()).toEqual(["ciHigh", "ciLow", "coef", "name", "p", "stdErr", "z"]);
  expect(j.randomTerms[0]).toMatchObject({ grouping: "Pig", names: ["Pig", "Time"] });
  expect(j.randomTerms[0].cov).toHaveLength(2);
  expect(Object.keys(j.randomEffects.Pig)).toHaveLength(72);
  expect(Object.keys(j.randomEffects.Pig["4601"])).toEqual(["Pig", "Time"]);
  expect(j.timing.parseMs).toBeGreaterThanOrEqual(0);
  expect(j.timing.fitMs).toBeGreaterThan(0);
  expect(Array.isArray(j.warnings)).toBe(true);
});

test("variance components: --vc, a term of their own with one name, BLUPs under the group", () => {
  const r = runCli([join(FIXTURES, "data", "Pastes.csv"), "--formula", "strength ~ 1", "--groups", "batch", "--re-formula", "1", "--vc", "cask=0 + C(cask)", "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect(j.randomTerms.map((t: { names: string[] }) => t.names)).toEqual([["batch"], ["cask"]]);
  expect(Object.keys(j.randomEffects.batch.A)).toEqual(["batch", "cask[C(cask)[a]]", "cask[C(cask)[b]]", "cask[C(cask)[c]]"]);
  const sm = reference("pastes_nested_reml", "statsmodels");
  expect(Math.abs(j.logLik - sm.llf)).toBeLessThan(1e-4);
});

test("--method ml", () => {
  const j = JSON.parse(runCli([DIETOX, "--formula", "Weight ~ Time", "--groups", "Pig", "--method", "ml", "--json"]).out);
  expect(j.method).toBe("ML");
  const lm = reference("dietox_ri_ml", "lme4");
  expect(Math.abs(j.aic - lm.aic)).toBeLessThan(2e-4);
});

test.each<[string, string[], RegExp]>([
  ["unknown column", [DIETOX, "--formula", "Weight ~ Tme", "--groups", "Pig"], /no column "Tme"/],
  ["text response", [DIETOX, "--formula", "Evit ~ Time", "--groups", "Pig"], /must be numeric/],
  ["no random effects left", [DIETOX, "--formula", "Weight ~ Time", "--groups", "Evit", "--re-formula", "0"], /leaves no random effects/],
  ["fewer than two groups", [ONE_GROUP, "--formula", "y ~ x", "--groups", "g"], /grouping factor g has 1 level .* at least two groups/],
  ["non-numeric response", [ONE_GROUP, "--formula", "g ~ x", "--groups", "x"], /response g holds text/],
  ["formula error with its position", [DIETOX, "--formula", "Weight ~ Time +", "--groups", "Pig"], /Expected a term after '\+' \("\+" at position 15/],
  ["missing file", ["/nonexistent.csv", "--formula", "y ~ x", "--groups", "g"], /Cannot read \/nonexistent.csv: no such file/],
  ["unknown option", [DIETOX, "--formula", "y ~ x", "--frobnicate"], /Unknown option --frobnicate/],
  ["no formula", [DIETOX, "--groups", "Pig"], /No --formula given/],
  ["bad method", [DIETOX, "--formula", "y ~ x", "--method", "gls"], /--method must be reml or ml/],
  ["bad --vc", [DIETOX, "--formula", "Weight ~ Time", "--vc", "oops"], /--vc takes NAME=FORMULA/],
])("%s: exit 2, one line on stderr", (_, args, message) => {
  const r = runCli(args);
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err).toMatch(message);
  expect(r.err.trimEnd().split("\n")).toHaveLength(1);
});

test("npm run --silent fit works end to end (the built CLI)", () => {
  const root = join(__dirname, "..", "..");
  const out = execFileSync("npm", ["run", "--silent", "fit", "--", DIETOX, "--formula", "Weight ~ Time", "--groups", "Pig", "--json"], { cwd: root, encoding: "utf8" });
  expect(JSON.parse(out).nGroups).toBe(72);
  const bad = spawnSync("npm", ["run", "--silent", "fit", "--", DIETOX, "--formula", "Weight ~ Tme", "--groups", "Pig"], { cwd: root, encoding: "utf8" });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^error: There is no column "Tme"/);
});

describe("names of Object.prototype's keys are names like any other (levels, columns, vc names)", () => {
  const PROTO = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];
  const dir = mkdtempSync(join(tmpdir(), "mixedlm-proto-"));
  const file = join(dir, "proto.csv");
  // 8 groups (the six names, a and b) of 12 rows in a column named __proto__, crossed with a column named constructor
  const levels = [...PROTO, "a", "b"];
  const lines = ["y,x,__proto__,constructor,g"];
  for (let i = 0; i < 96; i++) {
    const x = (i * 5) % 11;
    const y = 2 + 0.5 * x + (levels.indexOf(levels[i % 8]) - 3.5) * 0.6 + Math.sin(i * 1.7);
    lines.push(`${y},${x},${levels[i % 8]},${levels[Math.floor(i / 12)]},${levels[i % 8]}`);
  }
  writeFileSync(file, lines.join("\n") + "\n");
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  afterEach(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
    expect(({} as Record<string, unknown>).g).toBeUndefined();
    expect(({} as Record<string, unknown>)["2"]).toBeUndefined();
  });

  function json(args: string[]) {
    const r = runCli([file, ...args, "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.out);
  }

  test("levels named __proto__, constructor, ... in the groups column: all present in randomEffects", () => {
    const j = json(["--formula", "y ~ x", "--groups", "g"]);
    expect(Object.keys(j.randomEffects.g).sort()).toEqual([...levels].sort());
    for (const l of levels) expect(typeof j.randomEffects.g[l].g).toBe("number");
    expect(j.groupingFactors).toEqual({ g: 8 });
  });

  test("a grouping column named __proto__ (statsmodels style and lme4 style)", () => {
    const sm = json(["--formula", "y ~ x", "--groups", "__proto__"]);
    expect(Object.keys(sm.randomEffects)).toEqual(["__proto__"]);
    expect(Object.keys(sm.randomEffects.__proto__).sort()).toEqual([...levels].sort());
    expect(sm.groupingFactors).toEqual(JSON.parse('{"__proto__": 8}'));
    const lm = json(["--formula", "y ~ x + (1 | __proto__) + (1 | constructor)"]);
    expect(Object.keys(lm.randomEffects).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.keys(lm.randomEffects.__proto__).sort()).toEqual([...levels].sort());
    expect(Object.keys(lm.randomEffects.constructor).sort()).toEqual([...levels].sort());
    expect(Object.keys(lm.groupingFactors).sort()).toEqual(["__proto__", "constructor"]);
    expect(lm.nGroups).toEqual(JSON.parse('{"__proto__": 8, "constructor": 8}'));
  });

  test("a variance component named __proto__, beside one named constructor", () => {
    const j = json(["--formula", "y ~ x", "--groups", "constructor", "--re-formula", "1", "--vc", "__proto__=0 + C(g)", "--vc", "constructor=0 + x"]);
    expect(j.randomTerms.map((t: { names: string[] }) => t.names[0]).sort()).toEqual(["__proto__", "constructor", "constructor"].sort());
    const entries = Object.keys(j.randomEffects.constructor.toString);
    expect(entries).toContain("__proto__[C(g)[valueOf]]");
    expect(entries).toContain("constructor[x]");
  });

  test("the same vc name twice is refused as a duplicate, __proto__ too", () => {
    const r = runCli([file, "--formula", "y ~ x", "--groups", "g", "--vc", "__proto__=0 + x", "--vc", "__proto__=0 + C(constructor)"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--vc names "__proto__" twice/);
  });
});

test("a UTF-16 file and a separator that cannot be one", () => {
  const dir = mkdtempSync(join(tmpdir(), "mixedlm-utf16-"));
  const file = join(dir, "utf16.csv");
  const text = readFileSync(DIETOX, "utf8").replace("Weight", "Gewicht_kg_ä");
  writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
  const j = JSON.parse(runCli([file, "--formula", "Gewicht_kg_ä ~ Time", "--groups", "Pig", "--json"]).out);
  expect(Math.abs(j.logLik - reference("dietox_ri_reml", "statsmodels").llf)).toBeLessThan(1e-4);
  for (const sep of ["", '"']) {
    const r = runCli([DIETOX, "--formula", "Weight ~ Time", "--groups", "Pig", "--sep", sep]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: (The separator must be one character|"\\"" cannot separate fields)/);
  }
});
