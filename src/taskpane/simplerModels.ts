/**
 * "Compare with a simpler model": the models one step simpler than the fitted one, read from its
 * formula (formulaModel.ts) and its statsmodels-style random effects. Each drops one thing: a
 * fixed-effect term as written, the highest interaction of a product, a random slope, a random
 * intercept beside slopes, the correlation of a term's random effects (lme4's ||), a whole random
 * term when others remain, a variance component. Pure text work on the specification; the test
 * itself is the engine's (compareModels, in the worker).
 */
import type { ModelSpec } from "../engine";
import { readFormula } from "./formulaModel";
import type { ReadSummand } from "./formulaModel";
import { removeSummand, splice, summands, topLevelIndex } from "./formulaText";
import type { Summand } from "./formulaText";

export interface SimplerModel {
  /** What is dropped, in words: "Without the random slope Time (Pig)". */
  label: string;
  spec: ModelSpec;
  /** The simpler model as text: its formula, and the random effects when not in it. */
  text: string;
  /** A variance is tested against zero, the edge of its range: the χ² p-value is then conservative. */
  boundary: boolean;
}

/** The statsmodels-style random effects of a spec in a few words ("" for lme4 terms, which the formula shows). */
export function randomInWords(spec: ModelSpec): string {
  if (!spec.groups) return "";
  const parts = [`groups ${spec.groups}`];
  if (spec.reFormula) parts.push(`re_formula ${spec.reFormula}`);
  const vc = Object.keys(spec.vcFormula ?? {});
  if (vc.length > 0) parts.push(`variance components ${vc.join(", ")}`);
  return parts.join(", ");
}

export function modelText(spec: ModelSpec): string {
  const random = randomInWords(spec);
  return random ? `${spec.formula}, ${random}` : spec.formula;
}

function simpler(label: string, spec: ModelSpec, boundary: boolean): SimplerModel {
  return { label, spec, text: modelText(spec), boundary };
}

/** The parts of "(lhs | rhs)" or "(lhs || rhs)" (null for another shape). */
function barParts(text: string): { lhs: string; op: "|" | "||"; rhs: string } | null {
  const inner = /^\((.*)\)$/s.exec(text.trim())?.[1];
  if (inner === undefined) return null;
  const at = topLevelIndex(inner, { start: 0, end: inner.length }, /\|/);
  if (at < 0) return null;
  const op = inner[at + 1] === "|" ? "||" : "|";
  return { lhs: inner.slice(0, at).trim(), op, rhs: inner.slice(at + op.length).trim() };
}

interface Effects {
  /** "~" and the effects as written. */
  text: string;
  all: Summand[];
  slopes: Summand[];
  intercept: boolean;
}

/** The effects of a random part (a bar's left side, or re_formula): its slopes and whether it has an intercept. */
function effectsOf(lhs: string): Effects {
  const text = `~${lhs.replace(/^\s*~/, "")}`;
  const all = summands(text);
  const zero = all.some((s) => (s.text === "0" && s.sign !== "-") || (s.text === "1" && s.sign === "-"));
  return { text, all, slopes: all.filter((s) => s.sign !== "-" && !/^[01]$/.test(s.text)), intercept: !zero };
}

/** The effects without slope k, as written ("1" when only the intercept is left; null when nothing is). */
function withoutSlope(e: Effects, k: number): string | null {
  if (e.slopes.length === 1) return e.intercept ? "1" : null;
  return removeSummand(e.text, e.all, e.all.indexOf(e.slopes[k])).slice(1).trim();
}

function omit<K extends keyof ModelSpec>(spec: ModelSpec, key: K): ModelSpec {
  const out = { ...spec };
  delete out[key];
  return out;
}

function fixedChoices(spec: ModelSpec, summandsRead: ReadSummand[], formula: string): SimplerModel[] {
  const out: SimplerModel[] = [];
  const fixedOnes = summandsRead.filter((s) => s.sign !== "-" && (s.kind === "column" || s.kind === "product" || s.kind === "custom"));
  for (const s of fixedOnes) {
    const k = summandsRead.indexOf(s);
    // the last fixed term leaves the intercept, written out: "y ~ 1 + (1 | g)"
    const others = summandsRead.filter((x, j) => j !== k && x.sign !== "-" && x.kind !== "bar");
    const reduced = others.length === 0 ? splice(formula, s, "1") : removeSummand(formula, summands(formula), k);
    if (s.kind === "product" && s.refs.length >= 2) {
      const interaction = s.refs.map((r) => formula.slice(r.start, r.end)).join(":");
      out.push(simpler(`Without the interaction ${interaction}`, { ...spec, formula: splice(formula, { start: s.end, end: s.end }, ` - ${interaction}`) }, false));
    }
    out.push(simpler(`Without ${s.text}`, { ...spec, formula: reduced }, false));
  }
  return out;
}

function barChoices(spec: ModelSpec, summandsRead: ReadSummand[], formula: string): SimplerModel[] {
  const out: SimplerModel[] = [];
  const bars = summandsRead.filter((s) => s.kind === "bar");
  for (const s of bars) {
    const parts = barParts(s.text);
    if (!parts) continue;
    const e = effectsOf(parts.lhs);
    const bar = (lhs: string, op = parts.op) => ({ ...spec, formula: splice(formula, s, `(${lhs} ${op} ${parts.rhs})`) });
    e.slopes.forEach((slope, k) => {
      const lhs = withoutSlope(e, k);
      if (lhs !== null) out.push(simpler(`Without the random slope ${slope.text} (${parts.rhs})`, bar(lhs), true));
    });
    if (e.intercept && e.slopes.length > 0) out.push(simpler(`Without the random intercept (${parts.rhs})`, bar(`0 + ${e.slopes.map((x) => x.text).join(" + ")}`), true));
    if (parts.op === "|" && e.slopes.length + (e.intercept ? 1 : 0) >= 2) out.push(simpler(`Without the correlation in ${s.text}`, bar(parts.lhs, "||"), false));
    if (bars.length >= 2) out.push(simpler(`Without the random term ${s.text}`, { ...spec, formula: removeSummand(formula, summands(formula), summandsRead.indexOf(s)) }, true));
  }
  return out;
}

/** statsmodels' random effects: slopes and the intercept in re_formula, variance components. */
function groupsChoices(spec: ModelSpec): SimplerModel[] {
  const out: SimplerModel[] = [];
  const hasVc = Object.keys(spec.vcFormula ?? {}).length > 0;
  const e = effectsOf(spec.reFormula && spec.reFormula.trim() !== "" ? spec.reFormula : "1");
  e.slopes.forEach((slope, k) => {
    const lhs = withoutSlope(e, k);
    if (lhs === null && !hasVc) return;
    const reFormula = lhs === null ? "0" : lhs === "1" ? (hasVc ? "1" : undefined) : `~${lhs}`;
    const rest = omit(spec, "reFormula");
    out.push(simpler(`Without the random slope ${slope.text} (${spec.groups})`, reFormula === undefined ? rest : { ...rest, reFormula }, true));
  });
  if (e.intercept && e.slopes.length > 0) out.push(simpler(`Without the random intercept (${spec.groups})`, { ...spec, reFormula: `~0 + ${e.slopes.map((x) => x.text).join(" + ")}` }, true));
  for (const name of Object.keys(spec.vcFormula ?? {})) {
    const vc = Object.fromEntries(Object.entries(spec.vcFormula!).filter(([k]) => k !== name));
    const rest = omit(spec, "vcFormula");
    const left = Object.keys(vc).length > 0;
    if (!left && !e.intercept && e.slopes.length === 0) continue;
    out.push(simpler(`Without the variance component ${name}`, left ? { ...rest, vcFormula: vc } : rest, true));
  }
  return out;
}

/** The models one step simpler than `spec` (the fitted model's), fixed effects first. */
export function simplerModels(spec: ModelSpec, columns: readonly string[]): SimplerModel[] {
  const v = readFormula(spec.formula, columns);
  if (v.status !== "ok") return [];
  const formula = spec.formula;
  return [...fixedChoices(spec, v.summands, formula), ...barChoices(spec, v.summands, formula), ...(spec.groups ? groupsChoices(spec) : [])];
}
