/**
 * The command line on a shifted or rescaled CSV (issue 9): the data of invarianceCases.ts are
 * written to a file as a user's would be, once as they are and once with the response or a
 * covariate transformed, then read, fitted and printed as JSON by the CLI (main, in process),
 * with --ddf, --anova 1, --confint wald and --predict on new rows transformed alike. The JSON
 * numbers of the transformed file must be the original file's mapped (mappedFit.ts):
 * coefficients and standard errors, the log-likelihood moved by its constant, σ², the random
 * effects' covariances and BLUPs, Satterthwaite's df, type I ANOVA's F and df, Wald bounds and
 * predictions. fast-check with a fixed seed (INVARIANCE_SEED, INVARIANCE_RUNS).
 */
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { main } from "../../src/cli/fit";
import type { FitJson } from "../../src/report/json";
import { ExpectedFit, expectedFit, termKey } from "../engine/mappedFit";
import {
  assertProperty, Case, caseName, caseOf, Data, dataParams, fit, identifiable, makeData, makeTransform, ModelCase, MODELS, sameRefusal, sd, SEED, storageLoss,
} from "../engine/invarianceCases";

const dir = mkdtempSync(join(tmpdir(), "mixedlm-invariance-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = ["y", "yp", "x", "z", "g", "h"] as const;

/** The data as a CSV file, the transformed column's numbers written as JavaScript prints them (they read back to the same doubles). */
function writeCsv(name: string, d: Data, c: Case | null, rows = d.y.length): string {
  const lines = [HEADER.join(",")];
  for (let i = 0; i < rows; i++) {
    lines.push(HEADER.map((h) => {
      const v = d[h][i];
      if (typeof v === "string") return i === rows - 1 && rows < d.y.length && h === "g" ? "gNEW" : v;
      return String(c && c.data.column === h ? c.data.a * v + c.data.b : v);
    }).join(","));
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function cliArgs(model: ModelCase, m: "REML" | "ML"): string[] {
  const s = model.spec;
  const args = ["--formula", s.formula, "--method", m.toLowerCase(), "--json", "--ddf", "satterthwaite", "--anova", "1", "--confint", "wald"];
  if (s.groups) args.push("--groups", s.groups);
  if (s.reFormula) args.push("--re-formula", s.reFormula);
  for (const [name, f] of Object.entries(s.vcFormula ?? {})) args.push("--vc", `${name}=${f}`);
  return args;
}

/** The CLI's JSON for a file (in process, stdout captured), or its one-line message. */
function runCli(args: string[]): { json: FitJson | null; err: string } {
  let out = "", err = "";
  const so = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const se = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const code = main(args);
    return { json: code === 0 ? (JSON.parse(out) as FitJson) : null, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

class Problems {
  readonly lines: string[] = [];
  constructor(readonly rel: number) {}
  near(what: string, got: number | null | undefined, want: number, scale: number): void {
    if (got === want || (typeof got === "number" && Math.abs(got - want) <= this.rel * scale)) return;
    this.lines.push(`${what}: got ${got}, want ${want} (|Δ| ${typeof got === "number" ? Math.abs(got - want).toExponential(2) : "?"} > ${(this.rel * scale).toExponential(2)})`);
  }
}

function compareJson(a: FitJson, b: FitJson, want: ExpectedFit, c: Case, model: ModelCase, p: Problems): void {
  p.near("logLik", b.logLik, want.logLik, 1e-3 + Math.abs(want.logLik) * 1e-3);
  p.near("scale", b.scale, want.scale, want.scale);
  b.fixedEffects.forEach((fe, j) => {
    const w = want.fixed[j];
    p.near(`coef ${fe.name}`, fe.coef, w.coef, Math.abs(w.coef) + w.se);
    // with --ddf the standard errors are lme4's whatever the style: the original's, mapped, and
    // Satterthwaite's df, for a coefficient the transform maps on its own
    if (!want.fixedMap[j].every((v, k) => k === j || v === 0)) return;
    const se = Math.abs(want.fixedMap[j][j]) * a.fixedEffects[j].stdErr;
    p.near(`SE ${fe.name}`, fe.stdErr, se, se);
    p.near(`df ${fe.name}`, fe.df, a.fixedEffects[j].df!, a.fixedEffects[j].df!);
  });
  b.randomTerms.forEach((t) => {
    const w = want.randomTerms.find((x) => x.key === termKey(t));
    if (!w) { p.lines.push(`random term ${termKey(t)} missing`); return; }
    // a variance at zero has no relative accuracy: its scale is σ² 1e-3 (square roots apart: their product underflows at y × 1e-80)
    t.cov.forEach((row, i) => row.forEach((v, k) => p.near(`cov ${termKey(t)}[${i},${k}]`, v, w.cov[i][k], Math.sqrt(w.cov[i][i] + 1e-3 * want.scale) * Math.sqrt(w.cov[k][k] + 1e-3 * want.scale))));
  });
  if (!model.spec.vcFormula) {
    for (const re of want.randomEffects) {
      const grouping = re.key.split("|")[0];
      re.levels.forEach((level, l) => re.values[l].forEach((v, e) => {
        const name = re.key.slice(grouping.length + 1).split(",")[e];
        p.near(`BLUP ${grouping} ${level} ${name}`, b.randomEffects[grouping]?.[level]?.[name], v, Math.abs(v) + Math.sqrt(want.scale));
      }));
    }
  }
  // type I rows do not move under these transforms; their sums of squares (F σ²) move with σ²
  const a2 = c.fit.column === "y" ? c.fit.a * c.fit.a : 1;
  b.anova!.rows.forEach((row, k) => {
    const r = a.anova!.rows[k];
    p.near(`ANOVA ${row.term} F`, row.F, r.F, r.F);
    p.near(`ANOVA ${row.term} DenDF`, row.denDF, r.denDF, r.denDF);
    p.near(`ANOVA ${row.term} Sum Sq`, row.sumSq === null ? null : row.sumSq / a2, r.sumSq, r.sumSq);
    p.near(`ANOVA ${row.term} Mean Sq`, row.meanSq === null ? null : row.meanSq / a2, r.meanSq, r.meanSq);
  });
  compareVarianceStdErr(a, b, c, p);
  // Wald bounds of the coefficients the transform maps on their own
  const [m, s] = c.fit.column === "y" ? [c.fit.a, c.fit.b] : [1, 0];
  b.confint!.rows.forEach((row, k) => {
    const j = b.fixedEffects.findIndex((f) => f.name === row.name);
    // a standard deviation, σ or a correlation: × |a| (correlations unchanged) under y → a y + b;
    // on a singular fit an sd at zero (1e-22 of σ) has no relative accuracy
    if (j < 0 && c.fit.column === "y" && !a.singular) {
      const r = a.confint!.rows[k];
      const want = row.name.startsWith("cor_") ? r.estimate : Math.abs(c.fit.a) * r.estimate;
      p.near(`${row.name} estimate`, row.estimate, want, Math.max(Math.abs(want), row.name.startsWith("cor_") ? 1 : 0));
    }
    if (j < 0 || !want.fixedMap[j].every((v, i) => i === j || v === 0)) return;
    const [lo, hi] = [a.confint!.rows[k].low!, a.confint!.rows[k].high!].map((v) => want.fixedMap[j][j] * v + want.shift[j]).sort((u, v) => u - v);
    p.near(`Wald ${row.name} low`, row.low, lo, Math.abs(lo) + Math.abs(hi));
    p.near(`Wald ${row.name} high`, row.high, hi, Math.abs(lo) + Math.abs(hi));
  });
  b.predictions!.forEach((row, i) => {
    const r = a.predictions![i];
    const resSd = Math.sqrt(want.scale);
    p.near(`prediction ${i}`, row.population, m * r.population! + s, resSd + 8 * Number.EPSILON * (Math.abs(s) + Math.abs(m * r.population!)) / p.rel);
    p.near(`prediction SE ${i}`, row.seFixed, Math.abs(m) * r.seFixed!, Math.abs(m) * r.seFixed!);
  });
}

/**
 * The variances' standard errors (varianceStdErr, and beside statsmodels' rows): under y → a y + b
 * each the original's × a², a number; under a covariate's change the rows that hold it move
 * (varianceSE's own suite maps them), so σ²'s only.
 */
function compareVarianceStdErr(a: FitJson, b: FitJson, c: Case, p: Problems): void {
  const a2 = c.fit.column === "y" ? c.fit.a * c.fit.a : 1;
  const rows = b.varianceStdErr!.rows;
  rows.forEach((row, k) => {
    const r = a.varianceStdErr!.rows[k];
    if (c.fit.column !== "y" && row.name !== "var_Residual") return;
    if (r.stdErr === null) { if (row.stdErr !== null) p.lines.push(`variance SE ${row.name}: got ${row.stdErr}, want null`); return; }
    // a standard error is evaluated at θ̂, determined to about 1e-6 under a shift (the fit's suite): 1e-5
    p.near(`variance SE ${row.name}`, row.stdErr === null ? null : row.stdErr / a2, r.stdErr, r.stdErr * (1 + 1e-5 / p.rel));
    p.near(`variance ${row.name}`, row.value === null ? null : row.value / a2, r.value!, Math.abs(r.value!) + r.stdErr);
  });
  b.varianceRows.forEach((row, k) => {
    const r = a.varianceRows[k];
    if (c.fit.column !== "y" || r.stdErr === undefined || r.stdErr === null) return;
    p.near(`${row.name} stdErr`, row.stdErr === null || row.stdErr === undefined ? null : row.stdErr / a2, r.stdErr, r.stdErr * (1 + 1e-5 / p.rel));
  });
}

describe("the command line on a transformed CSV gives the mapped JSON (fast-check, seed " + SEED + ")", () => {
  test("parse → fit → JSON numbers", () => {
    const models = MODELS;
    assertProperty(fc.property(
      dataParams, fc.constantFrom(...models), fc.nat(), fc.constantFrom<"REML" | "ML">("REML", "ML"),
      fc.double({ min: -8, max: 8, noNaN: true }), fc.boolean(), fc.option(fc.double({ min: -2, max: 8, noNaN: true }), { freq: 2 }), fc.boolean(),
      (params, model, pick, m, e, neg, eb, bNeg) => {
        const d = makeData(params);
        const columns = [model.response, ...model.covariates];
        const column = columns[pick % columns.length];
        const t = column === "yp" ? makeTransform("yp", e, false, null, false, 1, 0)
          // |a| from 1e-150 to 1e150: the variances' units from 1e-300 to 1e300
          : column === "y" ? makeTransform("y", e * 18.75, neg, eb, bNeg, sd(d.y), 1e12)
            : makeTransform(column, e, neg, model.shiftable.includes(column) ? eb : null, bNeg, sd(d[column]), 1e9);
        const c = caseOf(model, t);
        const refused = sameRefusal(() => fit(d, null, model, m), () => fit(d, c.data, model, m));
        if (refused !== null) { if (refused.length > 0) throw new Error(refused[0]); return; }
        const original = fit(d, null, model, m);
        fc.pre(identifiable(original));
        const args = cliArgs(model, m);
        const a = runCli([writeCsv("original.csv", d, null), ...args, "--predict", writeCsv("new-original.csv", d, null, 6)]);
        const b = runCli([writeCsv("transformed.csv", d, c), ...args, "--predict", writeCsv("new-transformed.csv", d, c, 6)]);
        if (!a.json || !b.json) throw new Error(`${caseName(model, m, c)}: the CLI refused: ${a.err}${b.err}`);
        const p = new Problems(1e-6 + 1e3 * storageLoss(d, c));
        compareJson(a.json, b.json, expectedFit(original, c.fit), c, model, p);
        if (p.lines.length > 0) throw new Error(`${caseName(model, m, c)}:\n${p.lines.slice(0, 8).join("\n")}`);
      },
    ) as never, 12);
  });
});
