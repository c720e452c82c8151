/**
 * Last step of building a model: the checks a fit needs, on the random-effect terms as built.
 * A model that cannot be told apart from another (each row its own group, more random effects
 * than rows, the same grouping twice with overlapping effects) is refused with a message, not
 * fitted into an arbitrary answer; lme4's checks (check.nlev.gtr.1, check.nobs.vs.nlev,
 * check.nobs.vs.nRE) and one it does not make (the same partition twice).
 */
import { independentColumns } from "./design";
import { excerpt, MixedLMError, nameList, quoted } from "./errors";
import { count, LIMITS } from "./limits";
import type { RandomTerm } from "./model";

/** The term as the user wrote it, for messages. */
export function describeTerm(t: RandomTerm): string {
  if (t.kind === "bar") return excerpt(t.text ?? `(… | ${t.grouping})`);
  if (t.kind === "vc") return `vc_formula ${quoted(t.vcName ?? "")}`;
  return `re_formula (grouped by ${excerpt(t.grouping)})`;
}

function checkLevels(t: RandomTerm, n: number): void {
  if (t.kind === "vc") return;
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

export function checkRandomTerms(terms: RandomTerm[], n: number, nTheta: number): void {
  checkCovarianceParameters(terms, nTheta);
  for (const t of terms) checkLevels(t, n);
  checkSameGrouping(terms, n);
}
