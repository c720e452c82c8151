/**
 * Last step of building a model: the checks a fit needs, on the random-effect terms as built.
 * A model that cannot be told apart from another (each row its own group, more random effects
 * than rows, the same grouping twice with overlapping effects) is refused with a message, not
 * fitted into an arbitrary answer: lme4's checks (check.nlev.gtr.1, check.nobs.vs.nlev,
 * check.nobs.vs.nRE) and ones it does not make, where lme4 or statsmodels return an arbitrary
 * number: the same partition twice; a term whose effects are dependent in every row; a variance
 * component with a level per row; a random effect within the fixed effects' span (y ~ C(g) +
 * (1|g): REML cannot see its variance); by REML, fewer residual dimensions than variance
 * parameters (p = n − 1); by ML, fixed and random effects that together reproduce every row
 * (the likelihood has no maximum: lme4 returns whatever its optimiser reached, σ² = 1.3e-15 for
 * p = n − 1). Each against lme4 in test/engine/identifiability.test.ts. */
import { columnStats } from "./columnScaling";
import { independentColumns } from "./design";
import { effectColumns, EffectColumns, effectsWithinFixed, spansEveryRow } from "./effectSpan";
import { excerpt, MixedLMError, nameList, quoted } from "./errors";
import { count, LIMITS } from "./limits";
import type { Method, RandomTerm } from "./model";

/** The term as the user wrote it, for messages. */
export function describeTerm(t: RandomTerm): string {
  if (t.kind === "bar") return excerpt(t.text ?? `(… | ${t.grouping})`);
  if (t.kind === "vc") return `vc_formula ${quoted(t.vcName ?? "")}`;
  return `re_formula (grouped by ${excerpt(t.grouping)})`;
}

function checkLevels(t: RandomTerm, n: number): void {
  if (t.kind === "vc") return checkVarianceComponentLevels(t, n);
  const nLevels = t.levels.length;
  if (nLevels < 2) {
    throw new MixedLMError("model", `The grouping factor ${excerpt(t.grouping)} has ${nLevels} level${nLevels === 1 ? "" : "s"} among the complete rows; a random effect needs at least two groups.`);
  }
  if (nLevels >= n) {
    throw new MixedLMError("model", `The grouping factor ${excerpt(t.grouping)} has as many levels (${nLevels}) as there are rows (${n}): each row is its own group, so its random effect cannot be told apart from the residual.`);
  }
  if (t.q * nLevels >= n) {
    throw new MixedLMError("model", `${describeTerm(t)} has ${count(t.q * nLevels)} random effects (${t.q} per level of ${excerpt(t.grouping)}, ${nLevels} levels) for ${count(n)} rows: with at least as many random effects as rows, their variances and the residual variance cannot be told apart (lme4 refuses this too). Use fewer random slopes, or more data.`);
  }
}

/**
 * A variance component with as many levels as rows (statsmodels' `0 + C(obs)` with a value per
 * row): its random effects are the rows, and its variance is the residual's under another name
 * (statsmodels returns an arbitrary split). One level is allowed, as statsmodels allows it.
 */
function checkVarianceComponentLevels(t: RandomTerm, n: number): void {
  const nLevels = t.levels.length;
  if (nLevels < n) return;
  throw new MixedLMError("model", `${describeTerm(t)} has ${count(nLevels)} random effects (one per level within the groups of ${excerpt(t.grouping)}) for ${count(n)} rows: with at least as many random effects as rows, its variance and the residual variance cannot be told apart. Use a variance component whose levels each hold several rows, or leave it out.`);
}

/** Whether two level assignments (-1: no level) split the rows into the same groups. */
export function samePartition(a: Int32Array, nA: number, b: Int32Array, nB: number): boolean {
  if (nA !== nB || a.length !== b.length) return false;
  const ab = new Int32Array(nA).fill(-1);
  const ba = new Int32Array(nB).fill(-1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x < 0 || y < 0) {
      if ((x < 0) !== (y < 0)) return false;
      continue;
    }
    if (ab[x] < 0 && ba[y] < 0) { ab[x] = y; ba[y] = x; }
    else if (ab[x] !== y || ba[y] !== x) return false;
  }
  return true;
}

/** Whether the effect columns of two terms (null: ones) are linearly dependent together. */
function effectsOverlap(s: RandomTerm, t: RandomTerm, n: number): boolean {
  const ones = new Float64Array(n).fill(1);
  const cols = [...s.z, ...t.z].map((z) => z ?? ones);
  return independentColumns(cols).length < cols.length;
}

/**
 * A term whose effect columns are linearly dependent over the rows (a slope on a column that is
 * constant, (k|g) with k = 2.5 everywhere; a slope on a column the term already holds): in every
 * level the same combination vanishes, so the term's covariance is seen only through a
 * projection and its variances cannot be told apart (lme4: "unable to evaluate scaled gradient").
 */
function checkTermEffects(t: RandomTerm, n: number): void {
  if (t.kind === "vc" || t.q < 2) return;
  const dependent = t.names.filter((_, c) => !independentEffects(t, n).has(c));
  if (dependent.length === 0) return;
  throw new MixedLMError("model", `In ${describeTerm(t)} the effect${dependent.length > 1 ? "s" : ""} ${nameList(dependent, 4)} ${dependent.length > 1 ? "are combinations" : "is a combination"} of the term's other effects in every row (such as a covariate that is constant), so the term's variances cannot be told apart. Remove ${dependent.length > 1 ? "them" : "it"} from the term.`);
}

/**
 * The term's effects that are independent over the rows. An intercept and one slope, the common
 * case, by the slope's spread alone (two passes over the rows: on a million rows the general
 * rank check's seven cost 3% of the fit); otherwise by design.ts's rank check.
 */
function independentEffects(t: RandomTerm, n: number): Set<number> {
  const slope = t.z.findIndex((z) => z !== null);
  if (t.q === 2 && t.z.includes(null)) {
    // constant but for the rounding of its stored values (design.ts reads a column so)
    const st = columnStats(t.z[slope]!);
    return st.allEqual || st.sd <= 64 * Number.EPSILON * st.rms ? new Set([1 - slope]) : new Set([0, 1]);
  }
  const ones = new Float64Array(n).fill(1);
  return new Set(independentColumns(t.z.map((z) => z ?? ones)));
}

/** Two terms that group the rows the same way and share an effect: their variances cannot be told apart. */
function checkSameGrouping(terms: RandomTerm[], n: number): void {
  for (let a = 0; a < terms.length; a++) {
    for (let b = a + 1; b < terms.length; b++) {
      const s = terms[a];
      const t = terms[b];
      // the subterms of one variance component share its variance: not two terms to tell apart
      if (s.kind === "vc" && t.kind === "vc" && s.vcName === t.vcName) continue;
      if (!samePartition(s.refs, s.levels.length, t.refs, t.levels.length) || !effectsOverlap(s, t, n)) continue;
      const same = s.grouping === t.grouping ? `both group by ${excerpt(s.grouping)}` : `${excerpt(s.grouping)} and ${excerpt(t.grouping)} group the rows the same way`;
      throw new MixedLMError("model", `The random-effect terms ${describeTerm(s)} and ${describeTerm(t)} cannot be told apart: ${same} and their effects overlap (such as two intercepts), so any split of the variance between them fits equally well. Remove one of them, or merge them into one term such as (1 + x | g).`);
    }
  }
}

function checkCovarianceParameters(terms: RandomTerm[], nTheta: number): void {
  if (nTheta <= LIMITS.covarianceParameters) return;
  const widest = terms.reduce((a, b) => (b.q > a.q ? b : a));
  throw new MixedLMError("model", `The random effects have ${count(nTheta)} covariance parameters, more than the limit of ${count(LIMITS.covarianceParameters)} (the largest term, ${describeTerm(widest)}, has ${widest.q} effects: ${nameList(widest.names, 6)}). Use fewer random slopes, or uncorrelated terms such as (x || g).`);
}

/** A random effect whose columns are all combinations of the fixed effects' columns. */
function withinFixedError(e: EffectColumns, xNames: string[]): MixedLMError {
  const t = e.term;
  const effect = t.z[e.effect] === null ? "intercept" : `effect ${excerpt(t.names[e.effect])}`;
  const levels = e.levels.length;
  return new MixedLMError("model", `The random ${effect} of ${describeTerm(t)} duplicates fixed effects: each of its ${count(levels)} column${levels === 1 ? "" : "s"} (one per level of ${excerpt(t.grouping)}) is a combination of the fixed-effect columns (${nameList(xNames, 3)}), so REML cannot estimate its variance (lme4 returns an arbitrary value). Remove the fixed-effect term that duplicates it (such as C(${excerpt(t.grouping)})), or the random effect.`);
}

/** By ML, the fixed and random effects together reproduce every row: σ² goes to zero and the likelihood has no maximum. */
function noMaximumError(terms: RandomTerm[], effects: EffectColumns[], p: number, n: number): MixedLMError {
  const perTerm = terms.map((t) => `${describeTerm(t)}: ${count(effects.filter((e) => e.term === t).reduce((s, e) => s + e.levels.length, 0))}`);
  const random = effects.reduce((s, e) => s + e.levels.length, 0);
  return new MixedLMError("model", `By maximum likelihood (which likelihood-ratio tests and profiles refit), the ${count(p)} fixed-effect coefficients and ${count(random)} random effects (${nameList(perTerm, 4)}) can together reproduce all ${count(n)} rows exactly: the residual variance goes to zero and the likelihood has no maximum, so any ML fit of this model (lme4's too) is arbitrary. Use fewer random or fixed effects, or more data; a REML fit is fine, with Wald intervals (profiles and likelihood-ratio tests refit by ML).`);
}

/** By REML, n − p residual dimensions carry fewer numbers than there are variance parameters. */
function remlTooFewError(n: number, p: number, nTheta: number): MixedLMError {
  const r = n - p;
  return new MixedLMError("model", `By REML only ${count(r)} of the ${count(n)} rows' dimension${r === 1 ? " is" : "s are"} left after the ${count(p)} fixed-effect coefficients, and ${r === 1 ? "it carries" : "they carry"} ${count((r * (r + 1)) / 2)} number${r === 1 ? "" : "s"} for ${count(nTheta + 1)} variance parameters (the residual's and the random effects'): the variances cannot be told apart (lme4 returns an arbitrary split). Use fewer fixed effects, or more data.`);
}

/**
 * The checks on what X and Z span together (effectSpan.ts), skipped for designs too large for
 * their dense work: a random effect within the fixed effects (REML cannot see its variance); by
 * REML, fewer residual dimensions than the variance parameters need; by ML, [X Z] of rank n with
 * Z alone of rank below n (then y − Xβ lies in Z's span for some β, and as σ² → 0 the likelihood
 * grows without bound). By REML the latter is no fault: the residual space is Z's there, and
 * V stays invertible as σ² → 0 (lme4 and the engine agree on such fits).
 */
export function checkSpan(terms: RandomTerm[], n: number, nTheta: number, X: Float64Array[], xNames: string[], method: Method): void {
  if (terms.length === 0) return;
  // the effects' columns are made only for the terms a check can concern: a term with more levels
  // than X has columns cannot lie within X, and fewer effects than rows cannot span them
  const p = X.length;
  const few = terms.filter((t) => t.levels.length <= p);
  const within = few.length > 0 ? effectsWithinFixed(X, effectColumns(few), n) : [];
  if (within && within.length > 0) throw withinFixedError(within[0], xNames);
  const r = n - p;
  if (method === "REML" && nTheta + 1 > (r * (r + 1)) / 2) throw remlTooFewError(n, p, nTheta);
  if (method !== "ML" || p + terms.reduce((s, t) => s + t.q * t.levels.length, 0) < n) return;
  const effects = effectColumns(terms);
  if (spansEveryRow(X, effects, n) === true && spansEveryRow([], effects, n) === false) throw noMaximumError(terms, effects, p, n);
}

/** `X`, `xNames`: the fixed-effect columns kept (after the rank check) and their names; `method`: the criterion the model is fitted by. */
export function checkRandomTerms(terms: RandomTerm[], n: number, nTheta: number, X: Float64Array[] = [], xNames: string[] = [], method: Method = "REML"): void {
  checkCovarianceParameters(terms, nTheta);
  for (const t of terms) checkLevels(t, n);
  for (const t of terms) checkTermEffects(t, n);
  checkSameGrouping(terms, n);
  checkSpan(terms, n, nTheta, X, xNames, method);
}
