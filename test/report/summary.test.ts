/** The statsmodels summary layout, checked against statsmodels' own printouts. */
import { fitMixedModel, MixedLMResult } from "../../src/engine";
import { pyCenter, pyFixed } from "../../src/report/format";
import { summaryTextOf, varCorrLines } from "../../src/report/summary";
import { fixtureTable, reference, referenceCases } from "../helpers";

/** A result holding statsmodels' own numbers, to check the layout alone. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function fromStatsmodels(d: any): MixedLMResult {
  const gs = Object.values<{ min: number; max: number; mean: number }>(d.group_size)[0];
  const q = d.cov_re.matrix.length;
  const covRows: number[] = [];
  for (let i = 0; i < q; i++) for (let j = 0; j <= i; j++) covRows.push(d.cov_re.matrix[i][j]);
  const values = [...covRows, ...d.vcomp.values];
  return {
    style: "statsmodels",
    method: d.method,
    responseName: /Dependent Variable: +(\S+)/.exec(d.summary)![1],
    nObs: d.n_obs,
    groups: { name: d.groups_column, count: Object.values<number>(d.n_groups)[0], minSize: gs.min, maxSize: gs.max, meanSize: gs.mean },
    scale: d.scale,
    logLik: d.llf,
    converged: d.converged,
    fixedEffects: d.fe_names.map((name: string, i: number) => ({ name, coef: d.fe_params[i], stdErr: d.bse_fe[i], z: d.tvalues[i], p: d.pvalues[i], ciLow: d.conf_int[i][0], ciHigh: d.conf_int[i][1] })),
    varianceRows: d.bse_re.names.map((name: string, j: number) => ({ name, value: values[j], statsmodelsStdErr: d.bse_re.values[j] })),
    warnings: [],
    nDropped: 0,
  } as unknown as MixedLMResult;
}

describe.each(referenceCases().filter((c) => c.statsmodels).map((c) => [c.name] as const))("layout of %s", (name) => {
  test("statsmodels' numbers give statsmodels' printout, character for character", () => {
    const d = reference(name, "statsmodels");
    expect(summaryTextOf(fromStatsmodels(d), { notes: false })).toBe(d.summary);
  });
});

test("the dietox example prints what statsmodels prints, from our own fit", () => {
  const r = fitMixedModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time", groups: "Pig" });
  const d = reference("dietox_ri_reml", "statsmodels");
  expect(summaryTextOf(r, { notes: false })).toBe(d.summary);
  const withNotes = summaryTextOf(r);
  expect(withNotes.startsWith(d.summary)).toBe(true);
  expect(withNotes).toContain("sqrt(scale) * SE(variance/scale)");
});

test("bare group values are named 'Group', as statsmodels names them", () => {
  const t = fixtureTable("dietox.csv");
  const pigs = Array.from({ length: t.nRows }, (_, i) => t.label("Pig", i));
  const r = fitMixedModel(t, { formula: "Weight ~ Time", groupValues: pigs });
  const text = summaryTextOf(r, { notes: false });
  expect(text).toContain("Group Var    40.394    2.149");
  expect(text).toContain("Intercept    15.724    0.788  19.952 0.000 14.179 17.268");
});

test("lme4-style models add lme4's random-effects table", () => {
  const r = fitMixedModel(fixtureTable("Pastes.csv"), { formula: "strength ~ 1 + (1|batch) + (1|batch:cask)" });
  expect(varCorrLines(r)).toEqual([
    "Random effects:",
    " Groups     Name        Variance Std.Dev.",
    " batch:cask (Intercept) 8.434    2.9041",
    " batch      (Intercept) 1.657    1.2874",
    " Residual               0.678    0.8234",
    "Number of obs: 60, groups:  batch:cask, 30; batch, 10",
  ]);
});

/** lme4's "Random effects:" block, from its summary printout in the reference fixture, lines trimmed. */
function lme4VarCorr(caseName: string): string[] {
  const lines: string[] = reference(caseName, "lme4").summary.split("\n");
  const from = lines.indexOf("Random effects:");
  const to = lines.findIndex((l) => l.startsWith("Number of obs:"));
  return lines.slice(from, to + 1).map((l) => l.replace(/\s+$/, ""));
}

test.each([
  // (Days||Subject): two terms on Subject, listed Subject and Subject.1 as lme4 lists them
  ["sleepstudy_dblbar_reml", "sleepstudy.csv", "Reaction ~ Days + (Days||Subject)"],
  // (1|Block/Variety): lme4's nested factor Variety:Block
  ["oats_slash_reml", "Oats.csv", "yield ~ nitro + factor(Variety) + (1|Block/Variety)"],
])("lme4's random-effects table of %s, line for line", (caseName, data, formula) => {
  const r = fitMixedModel(fixtureTable(data), { formula });
  const ours = varCorrLines(r);
  const theirs = lme4VarCorr(caseName);
  expect(ours).toHaveLength(theirs.length);
  // the Groups and Name columns character for character; the numbers (printed to 4-5 digits) to 1e-3
  const numbersAt = theirs[1].indexOf("Variance");
  ours.forEach((line, i) => {
    expect(line.slice(0, numbersAt)).toBe(theirs[i].slice(0, numbersAt));
    const a = line.slice(numbersAt).trim().split(/\s+/);
    const b = theirs[i].slice(numbersAt).trim().split(/\s+/);
    expect(a.length).toBe(b.length);
    a.forEach((x, k) => {
      if (Number.isFinite(Number(b[k])) && b[k] !== "") expect(Math.abs(Number(x) - Number(b[k]))).toBeLessThanOrEqual(1e-3 * Math.abs(Number(b[k])));
      else expect(x).toBe(b[k]);
    });
  });
});

test("Python's rounding and centring", () => {
  expect(pyFixed(0.125, 2)).toBe("0.12"); // exact tie: to even
  expect(pyFixed(0.375, 2)).toBe("0.38");
  expect(pyFixed(2.675, 2)).toBe("2.67"); // binary value below the tie
  expect(pyFixed(-0.0001, 3)).toBe("-0.000");
  expect(pyFixed(1e22, 1)).toBe("10000000000000000000000.0");
  expect(pyCenter("z", 8)).toBe("   z    ");
  expect(pyCenter("ab", 7)).toBe("   ab  ");
  expect(pyCenter("abc", 8)).toBe("  abc   ");
});
