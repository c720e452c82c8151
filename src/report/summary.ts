/**
 * The summary of a fit in statsmodels' layout ("Mixed Linear Model Regression Results"), and,
 * for lme4-style models, lme4's table of random effects beneath it. The text is what the CLI
 * prints; the same cells fill MIXEDLM.FIT and the summary sheet (see tables.ts).
 */
import type { MixedLMResult } from "../engine";
import { cellFixed, isFullVariance, needsScientific, pyExp, pyFixed, readableFixed, scientificColumn, squareText, varianceUnitsOrText } from "./format";
import { coefficientLines } from "./lmerTestTables";
import { summaryText, TextTable } from "./textTable";

/** The key/value pairs of the summary's upper table, in statsmodels' order (left column, then right). */
export function summaryInfo(r: MixedLMResult): [string, string][] {
  const left: [string, string][] = [
    ["Model:", "MixedLM"],
    ["No. Observations:", String(r.nObs)],
  ];
  if (r.groups) {
    left.push(
      ["No. Groups:", String(r.groups.count)],
      ["Min. group size:", pyFixed(r.groups.minSize, 0)],
      ["Max. group size:", pyFixed(r.groups.maxSize, 0)],
      ["Mean group size:", pyFixed(r.groups.meanSize, 1)],
    );
  } else {
    for (const g of r.groupingFactors) left.push([`No. Groups (${g.name}):`, String(g.nLevels)]);
  }
  const right: [string, string][] = [
    ["Dependent Variable:", r.responseName],
    ["Method:", r.method],
    ["Scale:", scaleText(r, 4)],
    ["Log-Likelihood:", readableFixed(r.logLik, 4)],
    ["Converged:", r.converged ? "Yes" : "No"],
  ];
  return [...left, ...right];
}

/** σ² in "%.{digits}f" (exponent notation beyond the fixed range), from σ where σ² is not a double (a response near 1e160). */
export function scaleText(r: MixedLMResult, digits: number): string {
  if (!isFullVariance(r.scale) || (r.scale === 0 && r.sigma > 0)) return squareText(r.sigma, digits);
  return r.scale !== 0 && Math.abs(r.scale) < 1e-8 ? pyExp(r.scale, digits) : readableFixed(r.scale, digits);
}

/** statsmodels' add_dict: the pairs split into two halves side by side (padded to an even count). */
function infoTable(pairs: [string, string][]): TextTable {
  const items = [...pairs];
  if (items.length % 2 !== 0) items.push(["", ""]);
  const half = items.length / 2;
  const rows = Array.from({ length: half }, (_, i) => [items[i][0], items[i][1], items[i + half][0], items[i + half][1]]);
  return { header: null, stubs: null, rows, align: "l" };
}

export const COEF_HEADER = ["Coef.", "Std.Err.", "z", "P>|z|", "[0.025", "0.975]"];
/** With a df method the statistic is a t, and the p-value and interval come from t(df). */
export const COEF_HEADER_T = ["Coef.", "Std.Err.", "t", "P>|t|", "[0.025", "0.975]"];

export function coefHeader(r: MixedLMResult): string[] {
  return r.ddf ? COEF_HEADER_T : COEF_HEADER;
}

/**
 * The coefficient rows (and, for statsmodels-style models, the variance rows) with statsmodels'
 * "%.3f"; a column whose numbers "%.3f" cannot show (1e15 and more, or all below 5e-4: a
 * response × 1e±160) in "%.3e" (format.ts). The p-values stay "%.3f" (0.000 is the answer).
 */
export function parameterRows(r: MixedLMResult): { names: string[]; cells: string[][] } {
  const names = [...r.fixedEffects.map((fe) => fe.name), ...r.varianceRows.map((v) => v.name)];
  // a variance past the largest double (a response × 1e160) as text from its factors
  const grid: (number | string | null)[][] = [
    ...r.fixedEffects.map((fe) => [fe.coef, fe.stdErr, fe.z, fe.p, fe.ciLow, fe.ciHigh]),
    ...r.varianceRows.map((v) => [varianceUnitsOrText(v.value, v.relativeValue, r.sigma, 3), v.statsmodelsStdErr, null, null, null, null]),
  ];
  const columns = [0, 1, 2, 3, 4, 5].map((k) => {
    const values = grid.map((row) => row[k]);
    if (k === 3 || !needsScientific(values, 5e-4)) return (values as (number | null)[]).map((v) => (k === 3 ? cellFixed(v, 3) : cellFixedOrBig(v, 3)));
    return values.map((v) => (typeof v === "string" ? v : v === null || !Number.isFinite(v) ? "" : pyExp(v, 3)));
  });
  return { names, cells: grid.map((_, i) => columns.map((c) => c[i])) };
}

/** "%.{digits}f", or "%.{digits}e" for a number of 1e15 or more; "" when not finite. */
function cellFixedOrBig(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? "" : readableFixed(x, digits);
}

/** lme4's "Random effects" table: Groups, Name, Variance, Std.Dev., Corr, and the residual. */
export function varCorrLines(r: MixedLMResult): string[] {
  const groups: string[] = [];
  const names: string[] = [];
  const variances: (number | string)[] = [];
  const sds: number[] = [];
  const corrs: string[][] = [];
  // a grouping factor with several terms, as (Days || Subject) makes, is listed as lme4 lists it: Subject, Subject.1, ...
  const seen = new Map<string, number>();
  for (const t of r.randomTerms) {
    const k = seen.get(t.grouping) ?? 0;
    seen.set(t.grouping, k + 1);
    const label = k === 0 ? t.grouping : `${t.grouping}.${k}`;
    t.names.forEach((name, i) => {
      groups.push(i === 0 ? label : "");
      names.push(t.kind === "vc" ? "(Intercept)" : name);
      variances.push(varianceCell(t.cov[i][i], t.sd[i]));
      sds.push(t.sd[i]);
      corrs.push(t.corr && i > 0 ? t.corr[i].slice(0, i).map((c) => (Number.isFinite(c) ? pyFixed(c, 2) : "NaN")) : []);
    });
  }
  groups.push("Residual");
  names.push("");
  variances.push(varianceCell(r.scale, r.sigma));
  sds.push(r.sigma);
  corrs.push([]);
  const nCorr = Math.max(0, ...corrs.map((c) => c.length));
  const columns: string[][] = [
    ["Groups", ...groups],
    ["Name", ...names],
    ["Variance", ...rColumn(variances)],
    ["Std.Dev.", ...rColumn(sds)],
  ];
  for (let k = 0; k < nCorr; k++) {
    const cells = corrs.map((c) => c[k] ?? "");
    const w = Math.max(...cells.map((c) => c.length));
    columns.push([k === 0 ? "Corr" : "", ...cells.map((c) => (c ? c.padStart(w) : ""))]);
  }
  const widths = columns.map((col) => Math.max(...col.map((c) => c.length)));
  const lines: string[] = ["Random effects:"];
  for (let i = 0; i < groups.length + 1; i++) {
    lines.push((" " + columns.map((col, j) => col[i].padEnd(widths[j])).join(" ")).replace(/\s+$/, ""));
  }
  lines.push(`Number of obs: ${r.nObs}, groups:  ${r.groupingFactors.map((g) => `${g.name}, ${g.nLevels}`).join("; ")}`);
  return lines;
}

/** A variance, or its text from its standard deviation where it is not a double (overflowed, or underflowed to zero). */
function varianceCell(v: number, sd: number): number | string {
  return isFullVariance(v) && (v > 0 || sd === 0) ? v : squareText(sd, 3);
}

/**
 * A column of numbers as R's format(x, digits = 4) writes it: each number to 4 significant digits
 * (trailing zeros dropped), all with the largest number of decimals any needs, right-aligned; in
 * exponent notation when a number is beyond the fixed range (format.ts), as R switches too.
 */
export function rColumn(values: (number | string)[]): string[] {
  if (needsScientific(values, 1e-8)) {
    const cells = scientificColumn(values, 4, "NaN");
    const w = Math.max(...cells.map((c) => c.length));
    return cells.map((c) => c.padStart(w));
  }
  const nums = values as number[];
  const decimalsFor = (x: number): number => {
    if (!Number.isFinite(x) || x === 0) return 0;
    const d = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(x))));
    let s = pyFixed(x, Math.min(d, 15));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    const dot = s.indexOf(".");
    return dot < 0 ? 0 : s.length - dot - 1;
  };
  const dec = Math.min(15, Math.max(0, ...nums.map(decimalsFor)));
  const cells = nums.map((x) => (Number.isFinite(x) ? pyFixed(x, dec) : "NaN"));
  // R keeps fixed notation unless it is wider than exponent notation (1.228 beside 4e-15 needs
  // 15 decimals: R writes 1.228e+00 and 4.000e-15)
  const scientific = scientificColumn(values, 4, "NaN");
  const widest = (xs: string[]) => Math.max(...xs.map((c) => c.length));
  const chosen = widest(cells) > widest(scientific) ? scientific : cells;
  const w = widest(chosen);
  return chosen.map((c) => c.padStart(w));
}

export interface SummaryOptions {
  /** Add notes (what the variance rows' Std.Err. is, rows dropped, warnings) below the table. */
  notes?: boolean;
}

/** The whole summary as text. */
export function summaryTextOf(r: MixedLMResult, options: SummaryOptions = {}): string {
  const info = infoTable(summaryInfo(r));
  const params = parameterRows(r);
  const paramTable: TextTable = { header: coefHeader(r), stubs: params.names, rows: params.cells, align: "r" };
  const text = summaryText("Mixed Linear Model Regression Results", [info, paramTable]);
  const extra: string[] = [];
  if (r.style === "lme4") extra.push(...varCorrLines(r), "");
  if (r.ddf) extra.push(...coefficientLines(r), "");
  if (options.notes !== false) {
    for (const n of summaryNotes(r)) extra.push(n);
  }
  return extra.length > 0 ? text + extra.join("\n") + "\n" : text;
}

/** Short notes printed under the summary. */
export function summaryNotes(r: MixedLMResult): string[] {
  const notes: string[] = [];
  if (r.ddf) {
    notes.push(`t tests with ${r.ddf === "satterthwaite" ? "Satterthwaite's" : "Kenward-Roger's"} denominator df (as lmerTest): p-values and intervals from t(df); standard errors ${r.ddf === "satterthwaite" ? "σ²(X'V⁻¹X)⁻¹, lme4's" : "from Kenward-Roger's adjusted covariance"}.`);
  }
  if (r.varianceRows.length > 0) {
    notes.push("Std.Err. of a variance row is statsmodels' sqrt(scale) * SE(variance/scale), not the standard error of the variance; see the variance components for intervals.");
  }
  if (r.nDropped > 0) notes.push(`${r.nDropped} row${r.nDropped > 1 ? "s" : ""} with missing values dropped (of ${r.nInputRows}).`);
  for (const w of r.warnings) notes.push(`Warning: ${w}`);
  return notes;
}
