/** Comparison of the engine's tests with lmerTest's tables (shared by the reference tests). */
import { readFileSync } from "fs";
import { join } from "path";
import { canonicalName, FIXTURES } from "../../helpers";

export const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const referenceFile = (...path: string[]): any => JSON.parse(readFileSync(join(FIXTURES, "inference", ...path), "utf8"));

/** "factor(Cu):Time", "Time:C(Cu)" → "Cu:Time": a term label both R and patsy spellings map to. */
export function termKey(label: string): string {
  return label.split(":").map((f) => f.replace(/^(?:factor|C)\((.*)\)$/, "$1").trim()).sort().join(":");
}

export interface Tolerances { df: number; se: number; p: number }
export const ISSUE_TOLERANCES: Tolerances = { df: 2e-3, se: 1e-4, p: 1e-2 };

/** p-values: relative, except that R's 0 (underflow) asks for an underflow too. */
function pClose(ours: number, ref: number, tol: number): boolean {
  return ref === 0 ? ours < 1e-300 : rel(ours, ref) < tol;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compareCoefficients(ours: { name: string; stdErr: number; df: number; p: number }[], ref: any[], what: string, tol: Tolerances = ISSUE_TOLERANCES, checkP = true): void {
  expect(ours).toHaveLength(ref.length);
  for (const r of ref) {
    const o = ours.find((x) => canonicalName(x.name) === canonicalName(r.name));
    if (!o) throw new Error(`${what}: no coefficient ${r.name}`);
    const ok = rel(o.df, r.df) < tol.df && rel(o.stdErr, r["Std. Error"]) < tol.se && (!checkP || pClose(o.p, r["Pr(>|t|)"], tol.p));
    if (!ok) throw new Error(`${what} ${r.name}: df ${o.df} vs ${r.df}, se ${o.stdErr} vs ${r["Std. Error"]}, p ${o.p} vs ${r["Pr(>|t|)"]}`);
  }
}

export function compareAnova(
  ours: { term: string; sumSq: number; numDF: number; denDF: number; F: number; p: number }[],
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ref: any[],
  what: string,
  checkP = true,
): void {
  ref = ref ?? []; // R writes no rows for an intercept-only model
  expect(ours.map((r) => termKey(r.term))).toEqual(ref.map((r: { name: string }) => termKey(r.name)));
  ref.forEach((r, i) => {
    const o = ours[i];
    const ok = rel(o.F, r["F value"]) < 1e-3 && rel(o.denDF, r.DenDF) < 2e-3 && rel(o.sumSq, r["Sum Sq"]) < 1e-3 && o.numDF === r.NumDF
      && (!checkP || pClose(o.p, r["Pr(>F)"], 1e-2));
    if (!ok) throw new Error(`${what} ${r.name}: F ${o.F} vs ${r["F value"]}, DenDF ${o.denDF} vs ${r.DenDF}, Sum Sq ${o.sumSq} vs ${r["Sum Sq"]}, NumDF ${o.numDF} vs ${r.NumDF}, p ${o.p} vs ${r["Pr(>F)"]}`);
  });
}
