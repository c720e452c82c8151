/**
 * The engine against statsmodels 0.13.5 and lme4 1.1-31 on every reference case
 * (test/fixtures/cases.json; fits in test/fixtures/reference). Each case is fitted twice, in the
 * statsmodels style (groups, re_formula, vc_formula) and in the lme4 style (bar terms), and both
 * fits must match the better peer's optimum (the higher log-likelihood):
 *   log-likelihood within 1e-4; fixed effects within 1e-5 relative + 1e-4 SE; variances,
 *   covariances and scale within 2e-3 relative.
 * Fixed-effect SEs (within 1e-3 relative) follow the style's convention: lme4's σ²(X'V⁻¹X)⁻¹ for an
 * lme4-style fit; for a statsmodels-style fit statsmodels' own (the inverse of its full Hessian) at
 * the optimum: its fixture's at_optimum (statsmodels' SEs at its polished optimum, made by
 * scripts/reference/fit_statsmodels.py), or its bse_fe where it reached the optimum.
 */
import { fitMixedModel, MixedLMResult, ModelSpec } from "../../src/engine";
import { randomEffectsObject } from "../../src/report/json";
import { canonicalName, dataFileOf, fixtureTable, reference, ReferenceCase, referenceCases } from "../helpers";

type VarParams = Map<string, number>;

/**
 * The grouping factor of a case's statsmodels spec, as the lme4 formula writes it: the column, or
 * for a list of columns their interaction "a:b" (statsmodels' groups are then the pasted labels,
 * named by the fixture's groups_column, and the engine is given the values).
 */
function statsmodelsGrouping(c: ReferenceCase): string {
  const g = c.statsmodels!.groups;
  return Array.isArray(g) ? g.join(":") : g;
}

/** Canonical variance-parameter keys: "<grouping>|<effect>" for variances, "<grouping>|<a>,<b>" for covariances. */
function effectName(name: string, grouping: string): string {
  return name === "(Intercept)" || name === "Intercept" || name === grouping ? "Intercept" : canonicalName(name);
}

function oursVarParams(r: MixedLMResult, c: ReferenceCase): VarParams {
  const out: VarParams = new Map();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const vcMap: Record<string, { factor: string; term?: string }> = (c as any).vc_map ?? {};
  for (const t of r.randomTerms) {
    if (t.kind === "vc") {
      const m = vcMap[t.names[0]];
      const factor = m ? m.factor : `${statsmodelsGrouping(c)}:${t.names[0]}`;
      out.set(`${factor}|${m?.term ? effectName(m.term, factor) : "Intercept"}`, t.cov[0][0]);
      continue;
    }
    // a statsmodels-style fit given group values (list groups) names its grouping "Group"
    const grouping = r.style === "statsmodels" ? statsmodelsGrouping(c) : t.grouping;
    const names = t.names.map((n) => effectName(n, t.grouping));
    names.forEach((a, i) => {
      out.set(`${grouping}|${a}`, t.cov[i][i]);
      for (let j = 0; j < i; j++) out.set(`${grouping}|${[names[j], a].sort().join(",")}`, t.cov[i][j]);
    });
  }
  out.set("Residual", r.scale);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function refVarParams(ref: any, engine: "statsmodels" | "lme4", c: ReferenceCase): VarParams {
  const out: VarParams = new Map();
  if (engine === "lme4") {
    for (const [factorKey, v] of Object.entries<any>(ref.cov_re)) {
      const factor = factorKey.replace(/\.\d+$/, "");
      const names: string[] = v.names.map((n: string) => effectName(n, factor));
      names.forEach((a, i) => {
        out.set(`${factor}|${a}`, v.matrix[i][i]);
        for (let j = 0; j < i; j++) out.set(`${factor}|${[names[j], a].sort().join(",")}`, v.matrix[i][j]);
      });
    }
  } else {
    const groups = statsmodelsGrouping(c);
    const names: string[] = ref.cov_re.names.map((n: string) => effectName(n, groups));
    names.forEach((a, i) => {
      out.set(`${groups}|${a}`, ref.cov_re.matrix[i][i]);
      for (let j = 0; j < i; j++) out.set(`${groups}|${[names[j], a].sort().join(",")}`, ref.cov_re.matrix[i][j]);
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const vcMap: Record<string, { factor: string; term?: string }> = (c as any).vc_map ?? {};
    ref.vcomp.names.forEach((n: string, k: number) => {
      const m = vcMap[n];
      const factor = m ? m.factor : `${groups}:${n}`;
      out.set(`${factor}|${m?.term ? effectName(m.term, factor) : "Intercept"}`, ref.vcomp.values[k]);
    });
  }
  out.set("Residual", ref.scale);
  return out;
}

function statsmodelsSpec(c: ReferenceCase): ModelSpec {
  const s = c.statsmodels!;
  const spec: ModelSpec = { formula: s.formula, reFormula: s.re_formula, vcFormula: s.vc_formula, method: s.reml ? "REML" : "ML" };
  const table = fixtureTable(dataFileOf(c));
  if (s.groups === "__all__") spec.groupValues = new Array(table.nRows).fill(1);
  else if (Array.isArray(s.groups)) {
    const cols = s.groups;
    spec.groupValues = Array.from({ length: table.nRows }, (_, i) => cols.map((g) => table.label(g, i)).join(":"));
  } else spec.groups = s.groups;
  return spec;
}

/** The better peer: the higher log-likelihood of the two (when they fit the same model). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function betterPeer(c: ReferenceCase): { engine: "statsmodels" | "lme4"; ref: any } {
  const sm = c.statsmodels ? reference(c.name, "statsmodels") : null;
  const lm = c.lme4 ? reference(c.name, "lme4") : null;
  const okSm = sm && sm.status === "ok";
  const okLm = lm && lm.status === "ok";
  if (okSm && okLm && c.compare !== false) return sm.llf > lm.llf ? { engine: "statsmodels", ref: sm } : { engine: "lme4", ref: lm };
  if (okLm) return { engine: "lme4", ref: lm };
  return { engine: "statsmodels", ref: sm };
}

/** The best log-likelihood known for the case: the better peer's, or statsmodels' at its polished optimum. */
function bestLlf(c: ReferenceCase): number {
  const sm = c.statsmodels ? reference(c.name, "statsmodels") : null;
  const polished = sm && sm.status === "ok" && sm.at_optimum ? sm.at_optimum.llf : -Infinity;
  return Math.max(betterPeer(c).ref.llf, polished);
}

/**
 * statsmodels' SEs at the optimum: its at_optimum record (statsmodels' SEs at its polished
 * optimum; that optimum must be the best one, to the engine's 1e-4), or its own fit's where
 * it reached the optimum (within 1e-6).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function statsmodelsAtOptimum(c: ReferenceCase): { fe: Map<string, number>; re: { names: string[]; values: (number | null)[] } } {
  const sm = reference(c.name, "statsmodels");
  const best = bestLlf(c);
  const fe = (se: number[]) => new Map<string, number>(sm.fe_names.map((n: string, i: number) => [canonicalName(n), se[i]]));
  if (sm.at_optimum) {
    expect(Math.abs(sm.at_optimum.llf - best)).toBeLessThan(1e-4);
    return { fe: fe(sm.at_optimum.bse_fe), re: sm.at_optimum.bse_re };
  }
  if (Math.abs(sm.llf - best) >= 1e-6) {
    throw new Error(`statsmodels stopped ${(best - sm.llf).toExponential(2)} short of the optimum and ${c.name}.statsmodels.json has no at_optimum record: run /usr/bin/python3 scripts/reference/fit_statsmodels.py --at-optimum-only ${c.name}`);
  }
  return { fe: fe(sm.bse_fe), re: sm.bse_re };
}

/** The fixed-effect SEs a fit must report, by canonical name: from the peer whose convention its style follows. */
function referenceSE(r: MixedLMResult, c: ReferenceCase): Map<string, number> {
  if (r.style === "statsmodels") return statsmodelsAtOptimum(c).fe;
  const lm = reference(c.name, "lme4");
  if (!lm || lm.status !== "ok") throw new Error(`no lme4 fit of ${c.name} to take lme4's standard errors from`);
  return new Map<string, number>(lm.fe_names.map((n: string, i: number) => [canonicalName(n), lm.bse_fe[i]]));
}

function expectMatchesPeer(r: MixedLMResult, c: ReferenceCase) {
  const { engine, ref } = betterPeer(c);
  // log-likelihood
  expect(Math.abs(r.logLik - ref.llf)).toBeLessThan(1e-4);
  // fixed effects, matched by name; SEs in the convention of the fit's style
  const refFe = new Map<string, { coef: number; se: number }>();
  ref.fe_names.forEach((n: string, i: number) => refFe.set(canonicalName(n), { coef: ref.fe_params[i], se: ref.bse_fe[i] }));
  const refSe = referenceSE(r, c);
  expect(r.fixedEffects.length).toBe(refFe.size);
  expect([...refSe.keys()].sort()).toEqual([...refFe.keys()].sort());
  for (const fe of r.fixedEffects) {
    const want = refFe.get(canonicalName(fe.name));
    expect(want).toBeDefined();
    expect(Math.abs(fe.coef - want!.coef)).toBeLessThanOrEqual(1e-5 * Math.abs(want!.coef) + 1e-4 * want!.se);
    const se = refSe.get(canonicalName(fe.name))!;
    expect(Math.abs(fe.stdErr - se)).toBeLessThanOrEqual(1e-3 * se);
  }
  // variance parameters
  const ours = oursVarParams(r, c);
  const theirs = refVarParams(ref, engine, c);
  expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [k, want] of theirs) {
    const got = ours.get(k)!;
    let scale = Math.abs(want);
    const m = /^(.*)\|(.*),(.*)$/.exec(k);
    if (m) scale = Math.sqrt(Math.abs(theirs.get(`${m[1]}|${m[2]}`)! * theirs.get(`${m[1]}|${m[3]}`)!));
    // a variance at zero (singular fit: below 1e-6 of the residual variance, whatever the data's
    // units) is compared on the scale of the residual variance
    const residual = theirs.get("Residual")!;
    if (scale < 1e-6 * residual) scale = residual;
    expect(Math.abs(got - want)).toBeLessThanOrEqual(2e-3 * scale);
  }
  return { engine, ref };
}

const cases = referenceCases();

/**
 * A fit made on first use and remembered, error included: a case whose fit throws fails its own
 * tests (each reports the error) instead of aborting the whole file, as a fit inside describe would.
 */
function lazyFit(fit: () => MixedLMResult): () => MixedLMResult {
  let done: { result: MixedLMResult } | { error: unknown } | null = null;
  return () => {
    if (!done) {
      try {
        done = { result: fit() };
      } catch (error) {
        done = { error };
      }
    }
    if ("error" in done) throw done.error;
    return done.result;
  };
}

describe.each(cases.filter((c) => c.statsmodels !== null).map((c) => [c.name, c] as const))("statsmodels-style fit of %s", (_, c) => {
  const result = lazyFit(() => fitMixedModel(fixtureTable(dataFileOf(c)), statsmodelsSpec(c)));

  test("matches the better peer's optimum", () => {
    expectMatchesPeer(result(), c);
  });

  test("reports converged and the method", () => {
    expect(result().converged).toBe(true);
    expect(result().method).toBe(c.statsmodels!.reml ? "REML" : "ML");
  });

  test("variance rows carry statsmodels' Std.Err. at the optimum", () => {
    const sm = reference(c.name, "statsmodels");
    const want = statsmodelsAtOptimum(c).re;
    // given a list of columns, statsmodels names the groups by the pasted column names; the engine "Group"
    const groups = c.statsmodels!.groups;
    const smNames: string[] = want.names.map((n: string) => (Array.isArray(groups) ? n.split(sm.groups_column).join("Group") : n));
    expect(result().varianceRows.map((v) => v.name)).toEqual(smNames);
    result().varianceRows.forEach((v, j) => {
      const w = want.values[j];
      // where statsmodels cannot compute one (null), neither do we
      if (w === null) expect(v.statsmodelsStdErr).toBeNull();
      else expect(Math.abs(v.statsmodelsStdErr! - w)).toBeLessThanOrEqual(2e-3 * w);
    });
  });
});

describe.each(cases.filter((c) => c.lme4 !== null).map((c) => [c.name, c] as const))("lme4-style fit of %s", (_, c) => {
  const result = lazyFit(() => fitMixedModel(fixtureTable(dataFileOf(c)), { formula: c.lme4!.formula, method: c.lme4!.REML ? "REML" : "ML" }));

  test("matches the better peer's optimum", () => {
    expectMatchesPeer(result(), c);
  });

  test("AIC and BIC are lme4's", () => {
    const lm = reference(c.name, "lme4");
    expect(Math.abs(result().aic - lm.aic)).toBeLessThan(2e-4);
    expect(Math.abs(result().bic - lm.bic)).toBeLessThan(2e-4);
  });

  test("random effects (conditional modes) match lme4's ranef", () => {
    const lm = reference(c.name, "lme4");
    const r = result();
    const ours = randomEffectsObject(r);
    // every factor, level and effect of lme4's ranef must be there: listed when missing, not thrown on
    const missing: string[] = [];
    for (const [factorKey, levels] of Object.entries<Record<string, Record<string, number>>>(lm.random_effects)) {
      const factor = factorKey.replace(/\.\d+$/, "");
      // the terms on this grouping factor (several for (x || g) or (1 | g) + (0 + x | g))
      const terms = r.randomTerms.filter((t) => t.grouping === factor);
      if (terms.length === 0 || !ours[factor]) {
        missing.push(`grouping factor ${factor} (ours: ${[...new Set(r.randomTerms.map((t) => t.grouping))].join(", ")})`);
        continue;
      }
      const sd = Math.max(...terms.flatMap((t) => t.sd));
      for (const [level, effects] of Object.entries(levels)) {
        for (const [name, want] of Object.entries(effects)) {
          const got = ours[factor][level]?.[name];
          if (got === undefined) {
            missing.push(`${factor} level ${level} effect ${name}`);
            continue;
          }
          expect(Math.abs(got - want)).toBeLessThanOrEqual(5e-3 * sd + 1e-8);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
