/**
 * First step of building a model: the specification read and checked, before any data is
 * touched. Its formulas are parsed; its style (statsmodels: groups + re_formula + vc_formula;
 * lme4: bar terms in the formula) decided; the two not mixed.
 */
import { excerpt, formulaError, MixedLMError, quoted } from "./errors";
import { FormulaDesc, parseFormula } from "./formula/terms";
import type { Method, ModelSpec } from "./model";

export interface ParsedModel {
  method: Method;
  style: "statsmodels" | "lme4";
  main: FormulaDesc;
  /** statsmodels' re_formula (null when not given). */
  re: FormulaDesc | null;
  /** statsmodels' variance components, sorted by name as statsmodels sorts them. */
  vcs: { name: string; desc: FormulaDesc }[];
}

function given(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && String(v).trim() !== "";
}

/** The variance components of the spec by name: its own keys only (a vc may be called "__proto__" or "constructor"). */
export function vcEntries(vcFormula: ModelSpec["vcFormula"]): [string, string][] {
  if (!vcFormula) return [];
  return Object.keys(vcFormula).map((name) => [name, String(vcFormula[name])]);
}

function parseMethod(spec: ModelSpec): Method {
  const method: Method = spec.method ?? "REML";
  if (method !== "REML" && method !== "ML") {
    throw new MixedLMError("option", `Unknown method ${quoted(String(method))}: use REML or ML.`);
  }
  return method;
}

function oneSided(text: string, what: string): FormulaDesc {
  const d = parseFormula(text, { oneSided: true });
  if (d.bars.length > 0) throw formulaError(`${what} cannot hold bar terms`, d.source, d.bars[0].start, d.bars[0].end);
  return d;
}

export function parseModel(spec: ModelSpec): ParsedModel {
  const method = parseMethod(spec);
  if (typeof spec.formula !== "string" || spec.formula.trim() === "") {
    throw new MixedLMError("formula", 'The formula is empty: write it as "response ~ terms", for example "Weight ~ Time".');
  }
  const main = parseFormula(spec.formula);
  const hasBars = main.bars.length > 0;
  const hasGroups = given(spec.groups) || (spec.groupValues !== undefined && spec.groupValues !== null);
  if (hasBars && hasGroups) {
    throw new MixedLMError("model", `The formula has random-effect terms such as ${excerpt(main.bars[0].text)}, so groups must not also be given: remove groups, or remove the bar terms and use groups with re_formula.`);
  }
  if (hasBars && (spec.reFormula || spec.vcFormula)) {
    throw new MixedLMError("model", "re_formula and vc_formula belong to the statsmodels style (with groups); with bar terms such as (1 | g) in the formula, write every random effect there.");
  }
  if (!hasBars && !hasGroups) {
    throw new MixedLMError("model", 'The model has no random effects: give the grouping column (groups, e.g. "Pig") or add a term such as (1 | Pig) to the formula.');
  }
  const re = given(spec.reFormula) ? oneSided(String(spec.reFormula), "re_formula") : null;
  const vcs = vcEntries(spec.vcFormula)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, text]) => ({ name, desc: oneSided(text, "vc_formula") }));
  return { method, style: hasBars ? "lme4" : "statsmodels", main, re, vcs };
}
