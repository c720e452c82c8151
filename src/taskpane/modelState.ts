/**
 * The model the pane is building, in one reducer that the formula drives. The formula holds the
 * response, the fixed effects and any lme4 terms; beside it live what a formula cannot say in
 * statsmodels' style (the groups column, the random intercept and slopes within groups,
 * variance components) and the method. Every control is an action that edits its piece; typed
 * text is only ever changed where the control's term stands. Pure; see test/taskpane.
 */
import type { Method, ModelSpec } from "../engine";
import { addBar, addFixed, FormulaView, readFormula, removeFixed, removeSummandAt, setCategorical, setCrossed, setResponse, termName } from "./formulaModel";

export interface VarianceComponent {
  name: string;
  column: string;
}

export interface ModelState {
  formula: string;
  method: Method;
  /** statsmodels' groups column; "" for none (lme4 terms carry their own). */
  groups: string;
  /** A random intercept per group (on by default, and kept when variance components are added). */
  intercept: boolean;
  /** Random slopes within groups (re_formula). */
  slopes: string[];
  vcs: VarianceComponent[];
  /** Numeric columns the user marked categorical: written C(col) when added to the formula. */
  categorical: string[];
  /** The data's column names (for reading the formula). */
  columns: string[];
}

export const INITIAL_MODEL: ModelState = { formula: "", method: "REML", groups: "", intercept: true, slopes: [], vcs: [], categorical: [], columns: [] };

export type ModelAction =
  | { type: "formula"; text: string }
  | { type: "response"; column: string }
  | { type: "fixed"; column: string; on: boolean }
  | { type: "crossed"; on: boolean }
  | { type: "categorical"; column: string; on: boolean }
  | { type: "addBar"; text: string }
  | { type: "removeTerm"; summand: number }
  | { type: "groups"; column: string }
  | { type: "intercept"; on: boolean }
  | { type: "slopes"; columns: string[] }
  | { type: "addVc"; name: string; column: string }
  | { type: "removeVc"; name: string }
  | { type: "method"; method: Method }
  | { type: "data"; columns: string[] };

function toggled(list: string[], item: string, on: boolean): string[] {
  return on ? (list.includes(item) ? list : [...list, item]) : list.filter((x) => x !== item);
}

function editFormula(s: ModelState, edit: (formula: string, v: FormulaView) => string): ModelState {
  return { ...s, formula: edit(s.formula, readFormula(s.formula, s.columns)) };
}

export function modelReducer(s: ModelState, a: ModelAction): ModelState {
  switch (a.type) {
    case "formula": return { ...s, formula: a.text };
    case "response": return { ...s, formula: setResponse(s.formula, a.column) };
    case "fixed":
      return editFormula(s, (f, v) => (a.on ? addFixed(f, v, a.column, s.categorical.includes(a.column)) : removeFixed(f, v, a.column)));
    case "crossed": return editFormula(s, (f, v) => setCrossed(f, v, a.on));
    case "categorical":
      return { ...editFormula(s, (f, v) => setCategorical(f, v, a.column, a.on)), categorical: toggled(s.categorical, a.column, a.on) };
    case "addBar": return { ...s, formula: addBar(s.formula, a.text) };
    case "removeTerm": return editFormula(s, (f, v) => removeSummandAt(f, v, a.summand));
    case "groups": return { ...s, groups: a.column, slopes: s.slopes.filter((c) => c !== a.column), vcs: s.vcs.filter((v) => v.column !== a.column) };
    case "intercept": return { ...s, intercept: a.on };
    case "slopes": return { ...s, slopes: a.columns };
    case "addVc": {
      const name = a.name.trim() || a.column;
      return { ...s, vcs: [...s.vcs.filter((v) => v.name !== name), { name, column: a.column }] };
    }
    case "removeVc": return { ...s, vcs: s.vcs.filter((v) => v.name !== a.name) };
    case "method": return { ...s, method: a.method };
    case "data": {
      // the formula stays as typed (an unknown column is the engine's message at Fit); the other choices keep only columns that exist
      const has = (c: string) => a.columns.includes(c);
      return {
        ...s,
        columns: a.columns,
        groups: has(s.groups) ? s.groups : "",
        slopes: s.slopes.filter(has),
        vcs: s.vcs.filter((v) => has(v.column)),
        categorical: s.categorical.filter(has),
      };
    }
  }
}

/** statsmodels' re_formula: written out whenever variance components are present (else they would remove the intercept). */
export function reFormulaOf(s: ModelState): string | undefined {
  const slopes = s.slopes.map(termName).join(" + ");
  if (!s.intercept) return slopes ? `~0 + ${slopes}` : "0";
  if (slopes) return `~${slopes}`;
  return s.vcs.length > 0 ? "1" : undefined;
}

/** The engine's specification of the model as the pane shows it. */
export function modelSpec(s: ModelState): ModelSpec {
  const spec: ModelSpec = { formula: s.formula.trim(), method: s.method };
  if (!s.groups) return spec;
  spec.groups = s.groups;
  const re = reFormulaOf(s);
  if (re !== undefined) spec.reFormula = re;
  if (s.vcs.length > 0) spec.vcFormula = Object.fromEntries(s.vcs.map((v) => [v.name, `0 + C(${termName(v.column)})`]));
  return spec;
}

/** A key that changes whenever the model changes (results remember the key of their model). */
export function specKey(spec: ModelSpec): string {
  return JSON.stringify([spec.formula, spec.method ?? "REML", spec.groups ?? "", spec.reFormula ?? "", Object.entries(spec.vcFormula ?? {})]);
}

/** A conflict between the formula and the other choices, shown as the user types, with the ways out. */
export interface Conflict {
  message: string;
  /** The lme4 terms that clash (summand indices), for a "Remove" action. */
  bars: { text: string; summand: number }[];
}

export function conflictOf(s: ModelState, v: FormulaView): Conflict | null {
  if (v.status !== "ok" || v.bars.length === 0 || !s.groups) return null;
  const terms = v.bars.map((b) => b.text).join(", ");
  return {
    message: `The formula has the lme4 term${v.bars.length > 1 ? "s" : ""} ${terms} and the groups column ${s.groups} is chosen: a model takes one or the other.`,
    bars: v.bars.map((b) => ({ text: b.text, summand: b.summand })),
  };
}

/** What keeps Fit disabled, said as what to do; null when the model can be fitted. */
export function fitBlocker(s: ModelState, v: FormulaView, hasData: boolean): string | null {
  if (!hasData) return "Read the data first: select them in the sheet and press Use selection.";
  if (v.status === "empty") return "Choose a response, or write a formula such as Weight ~ Time.";
  if (v.status === "invalid") return "Fix the formula first (see the message under it).";
  if (conflictOf(s, v)) return "Resolve the conflict above: no groups column, or no lme4 terms.";
  if (!s.groups && v.bars.length === 0) return "Choose the groups column, or add an lme4 term such as (1 | Pig) to the formula.";
  if (s.groups && !s.intercept && s.slopes.length === 0 && s.vcs.length === 0) return "The model has no random effects: keep the random intercept, or add a slope or a variance component.";
  return null;
}
