/**
 * A fit as 2-D tables: the layouts shared by the custom functions (MIXEDLM.FIT, COEF, VARCOMP,
 * STATS, RANEF, FITTED, RESID), the task pane's summary sheet, and the pane's result view.
 * Numbers stay numbers at full precision (a cell can be referenced); "" is an empty cell.
 * Every table is rectangular, as an Excel spill must be.
 */
import type { MixedLMResult, RandomEffectsTable } from "../engine";
import { isFullVariance, productText, squareText, varianceUnitsOrText } from "./format";
import { coefHeader, parameterRows, summaryInfo, summaryNotes } from "./summary";

export type Cell = string | number | boolean;
export type Table = Cell[][];

/** Pads rows to the widest one with "" so that the table is rectangular. */
export function rectangular(rows: Cell[][]): Table {
  let w = 1; // a loop, not a spread: a random-effects table can have 100,000 rows
  for (const r of rows) if (r.length > w) w = r.length;
  return rows.map((r) => (r.length === w ? r : [...r, ...Array<Cell>(w - r.length).fill("")]));
}

function num(x: number | null | undefined): Cell {
  return x === null || x === undefined || !Number.isFinite(x) ? "" : x;
}

/**
 * A variance σ_a σ_b ρ as a number, or as text ("1.234568e+320") where it is not a double (past
 * the largest, or below the smallest: a response × 1e±160) but its factors are: a cell must not
 * hold Infinity (a spilled array sends it as null, which Excel shows as 0).
 */
function varianceCell(v: number, sdA: number, sdB = sdA, corr = 1): Cell {
  if (isFullVariance(v) && (v !== 0 || sdA === 0 || sdB === 0 || corr === 0)) return v;
  if (!Number.isFinite(sdA) || !Number.isFinite(sdB) || Number.isNaN(corr)) return "";
  return sdA === sdB && corr === 1 ? squareText(sdA, 6) : productText([corr, sdA, sdB], 6);
}

/** statsmodels' summary as a grid: title, the info pairs side by side, the coefficient header and rows, notes. */
export function summaryTable(r: MixedLMResult): Table {
  const info = summaryInfo(r).map(([k, v]): [string, Cell] => [k, infoValue(k, v, r)]);
  const items = info.length % 2 === 0 ? info : [...info, ["", ""] as [string, Cell]];
  const half = items.length / 2;
  const rows: Cell[][] = [["Mixed Linear Model Regression Results"]];
  for (let i = 0; i < half; i++) rows.push([items[i][0], items[i][1], "", items[i + half][0], items[i + half][1]]);
  rows.push([]);
  rows.push(["", ...coefHeader(r)]);
  for (const fe of r.fixedEffects) rows.push([fe.name, fe.coef, fe.stdErr, fe.z, fe.p, fe.ciLow, fe.ciHigh]);
  for (const v of r.varianceRows) rows.push([v.name, varianceUnitsOrText(v.value, v.relativeValue, r.sigma, 6) ?? "", num(v.statsmodelsStdErr)]);
  if (r.style === "lme4") {
    rows.push([]);
    rows.push(...varcompTable(r));
  }
  const notes = summaryNotes(r);
  if (notes.length > 0) {
    rows.push([]);
    for (const n of notes) rows.push([n]);
  }
  return rectangular(rows);
}

/** Info values as numbers where they are numbers, so that they can be referenced. */
function infoValue(key: string, text: string, r: MixedLMResult): Cell {
  switch (key) {
    case "No. Observations:": return r.nObs;
    case "No. Groups:": return r.groups ? r.groups.count : text;
    case "Min. group size:": return r.groups ? r.groups.minSize : text;
    case "Max. group size:": return r.groups ? r.groups.maxSize : text;
    case "Mean group size:": return r.groups ? r.groups.meanSize : text;
    case "Scale:": return varianceCell(r.scale, r.sigma);
    case "Log-Likelihood:": return r.logLik;
    default: {
      const g = /^No\. Groups \((.*)\):$/.exec(key);
      if (g) return Number(text);
      return text;
    }
  }
}

/**
 * The fixed effects: name, coef, std. err., z, p, CI low, CI high. A result tested with
 * denominator df (withDfTests) gains a df column after the standard error, and its statistic is
 * a t, its p and interval from t(df).
 */
export function coefTable(r: MixedLMResult): Table {
  if (r.ddf) {
    return [
      ["Name", "Coef.", "Std.Err.", "df", "t", "P>|t|", "CI low (95%)", "CI high (95%)"],
      ...r.fixedEffects.map((f): Cell[] => [f.name, f.coef, f.stdErr, num(f.df), f.z, f.p, f.ciLow, f.ciHigh]),
    ];
  }
  return [
    ["Name", "Coef.", "Std.Err.", "z", "P>|z|", "CI low (95%)", "CI high (95%)"],
    ...r.fixedEffects.map((f): Cell[] => [f.name, f.coef, f.stdErr, f.z, f.p, f.ciLow, f.ciHigh]),
  ];
}

/**
 * Variance components: for each term its variances and standard deviations, then the covariances
 * with their correlations, then the residual. statsmodels' Std.Err. column is filled for
 * statsmodels-style models (see the README for what it is).
 */
export function varcompTable(r: MixedLMResult): Table {
  const hasSm = r.varianceRows.length > 0;
  const header: Cell[] = ["Group", "Name", "Variance", "Std.Dev.", "Covariance", "Corr.", ...(hasSm ? ["Std.Err. (statsmodels)"] : [])];
  const rows: Cell[][] = [header];
  const smErr = new Map(r.varianceRows.map((v) => [v.name, v.statsmodelsStdErr]));
  for (const t of r.randomTerms) {
    const smName = (i: number) => (t.kind === "vc" ? `${t.names[0]} Var` : `${t.names[i]} Var`);
    t.names.forEach((name, i) => {
      rows.push([t.kind === "vc" ? `${t.grouping} (${name})` : t.grouping, name, varianceCell(t.cov[i][i], t.sd[i]), t.sd[i], "", "", ...(hasSm ? [num(smErr.get(smName(i)))] : [])]);
    });
    for (let i = 1; i < t.names.length; i++) {
      for (let j = 0; j < i; j++) {
        const c = t.corr ? t.corr[i][j] : NaN;
        rows.push([t.grouping, `${t.names[j]} x ${t.names[i]}`, "", "", varianceCell(t.cov[i][j], t.sd[i], t.sd[j], c), num(c), ...(hasSm ? [num(smErr.get(`${t.names[j]} x ${t.names[i]} Cov`))] : [])]);
      }
    }
  }
  rows.push(["Residual", "", varianceCell(r.scale, r.sigma), r.sigma, "", "", ...(hasSm ? [""] : [])]);
  return rectangular(rows);
}

/** Fit statistics, one per row: statistic, value. */
export function statsTable(r: MixedLMResult): Table {
  const rows: Cell[][] = [
    ["Statistic", "Value"],
    ["Method", r.method],
    ["Observations", r.nObs],
    ["Rows dropped (missing values)", r.nDropped],
  ];
  if (r.groups && r.style === "statsmodels") {
    rows.push([`Groups (${r.groups.name})`, r.groups.count]);
  } else {
    for (const g of r.groupingFactors) rows.push([`Groups (${g.name})`, g.nLevels]);
  }
  if (r.groups) {
    rows.push(["Min. group size", r.groups.minSize], ["Max. group size", r.groups.maxSize], ["Mean group size", r.groups.meanSize]);
  }
  const basis = r.method === "REML" ? " (REML criterion, as lme4)" : "";
  rows.push(
    [r.method === "REML" ? "Log-likelihood (REML)" : "Log-likelihood", r.logLik],
    [`AIC${basis}`, r.aic],
    [`BIC${basis}`, r.bic],
    ["Parameters (AIC df)", r.df],
    ["Scale (residual variance)", varianceCell(r.scale, r.sigma)],
    ["Residual Std.Dev.", r.sigma],
    ["Converged", r.converged],
    ["Singular fit", r.singular],
  );
  if (r.warnings.length > 0) rows.push(["Warnings", r.warnings.join(" ")]);
  return rows;
}

/**
 * Random effects (conditional modes): for each grouping factor, a header row (the grouping factor,
 * then the effect names) and one row per level. Terms on the same grouping factor, as (x || g)
 * makes, share one block (as lme4's ranef shows them); blocks are separated by a blank row.
 */
export function ranefTable(r: MixedLMResult): Table {
  const rows: Cell[][] = [];
  const vcDone = new Set<string>();
  // lme4-style terms on one grouping factor: the later ones' columns join the first one's block
  const merged = new Map<string, { names: string[]; levels: string[]; values: number[][] }>();
  const order: (RandomEffectsTable | { grouping: string; merged: true })[] = [];
  for (const t of r.randomEffects) {
    const m = t.kind === "vc" ? undefined : merged.get(t.grouping);
    if (m && m.levels.length === t.levels.length && m.levels.every((l, i) => l === t.levels[i])) {
      m.names.push(...t.names);
      m.values.forEach((row, l) => row.push(...t.values[l]));
      continue;
    }
    if (t.kind !== "vc" && !m) {
      merged.set(t.grouping, { names: [...t.names], levels: t.levels, values: t.values.map((v) => [...v]) });
      order.push({ grouping: t.grouping, merged: true });
    } else order.push(t);
  }
  for (const item of order) {
    if ("merged" in item) {
      const m = merged.get(item.grouping)!;
      if (rows.length > 0) rows.push([]);
      rows.push([item.grouping, ...m.names]);
      m.levels.forEach((level, l) => rows.push([level, ...m.values[l]]));
      continue;
    }
    const t = item;
    if (t.kind === "vc") {
      // statsmodels variance components: one row per (group, column) level
      const key = `${t.grouping}|${t.names[0]}`;
      if (vcDone.has(key)) {
        for (let l = 0; l < t.levels.length; l++) rows.push([t.groupLabel![l], t.levels[l], t.values[l][0]]);
        continue;
      }
      vcDone.add(key);
      if (rows.length > 0) rows.push([]);
      rows.push([t.grouping, t.names[0], "Value"]);
      for (let l = 0; l < t.levels.length; l++) rows.push([t.groupLabel![l], t.levels[l], t.values[l][0]]);
      continue;
    }
    // a term on an already used grouping factor whose levels differ (not possible for one data set): its own block
    if (rows.length > 0) rows.push([]);
    rows.push([t.grouping, ...t.names]);
    t.levels.forEach((level, l) => rows.push([level, ...t.values[l]]));
  }
  return rectangular(rows);
}

/** Fitted values or residuals in one column aligned with the data rows ("" where a row was dropped). */
export function rowAlignedColumn(r: MixedLMResult, which: "fitted" | "residuals", nDataRows = r.nInputRows): Table {
  const out: Cell[][] = Array.from({ length: nDataRows }, () => [""]);
  const v = which === "fitted" ? r.fitted : r.residuals;
  for (let k = 0; k < r.rowIndex.length; k++) {
    const i = r.rowIndex[k];
    if (i < nDataRows) out[i][0] = v[k];
  }
  return out;
}
