/**
 * The inference tables in lmerTest's layout: the fixed effects' t tests with their df (under
 * "Fixed effects" in summary(m)) and the ANOVA table of the terms (anova(m)), as text for the
 * command line and as cells for the custom functions and the summary sheet. Numbers are
 * formatted as R prints these tables: Estimate and Std. Error to 4 significant digits of the
 * smallest, t to 3 decimals, p by format.pval ("<2e-16"), the ANOVA's columns to 5 significant
 * digits, with R's significance stars.
 */
import type { AnovaTable, MixedLMResult } from "../engine";
import { needsScientific, pyFixed, readableFixed, scientificColumn, varianceUnitsOrText } from "./format";
import type { Cell, Table } from "./tables";

const METHOD_NAME = { satterthwaite: "Satterthwaite's", "kenward-roger": "Kenward-Roger's" } as const;
const ROMAN = ["", "I", "II", "III"];
export const SIGNIF_LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1";

export function anovaTitle(t: AnovaTable): string {
  return `Type ${ROMAN[t.type]} Analysis of Variance Table with ${METHOD_NAME[t.ddf]} method`;
}

export function coefficientTitle(r: MixedLMResult): string {
  return `Fixed effects (t tests use ${METHOD_NAME[r.ddf!]} method):`;
}

/** R's significance stars. */
export function stars(p: number): string {
  if (!Number.isFinite(p)) return "";
  return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : "";
}

/** R's format.pval(p, digits): "<2e-16" below machine epsilon, else `digits` significant digits. */
export function formatPValue(p: number, digits: number): string {
  if (!Number.isFinite(p)) return "";
  if (p < 2.220446049250313e-16) return "<2e-16";
  if (p >= 1e-4) return trimFixed(Number(p.toPrecision(digits)), digits);
  const [m, e] = p.toExponential(digits - 1).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function trimFixed(x: number, digits: number): string {
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x) || 1)));
  return pyFixed(x, decimals).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** Decimals that show x to `digits` significant digits (as R's format does), at most `max`. */
function decimalsFor(x: number, digits: number, max: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  const d = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  const s = pyFixed(x, Math.min(d, max)).replace(/0+$/, "");
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

/**
 * A column as R's print.anova writes it: rounded to `digits` significant digits of its largest
 * entry (zapsmall), common decimals; in exponent notation beyond the fixed range (format.ts). A
 * sum of squares past the largest double (R prints Inf) comes as text from its factors.
 */
function zapColumn(values: (number | string)[], digits: number): string[] {
  if (needsScientific(values, 1e-8)) return scientificColumn(values, digits);
  return zapNumbers(values as number[], digits);
}

function zapNumbers(values: number[], digits: number): string[] {
  if (values.some((v) => v === Infinity || v === -Infinity)) return values.map((v) => (Number.isFinite(v) ? readableFixed(v, 2) : Number.isNaN(v) ? "" : v > 0 ? "Inf" : "-Inf"));
  const big = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  const round = big > 0 ? Math.max(0, digits - Math.ceil(Math.log10(big))) : digits;
  const dec = Math.max(0, ...values.map((v) => decimalsFor(Number(pyFixed(v, round)), digits, round)));
  return values.map((v) => (Number.isFinite(v) ? pyFixed(v, dec) : ""));
}

/** The ANOVA table's text lines: title, header, one line per term, the legend. */
export function anovaLines(t: AnovaTable): string[] {
  const rows = t.rows;
  const fDec = Math.max(0, ...rows.map((r) => decimalsFor(Number(pyFixed(r.F, 4)), 5, 4)));
  const columns = [
    ["", ...rows.map((r) => r.term)],
    ["Sum Sq", ...zapColumn(rows.map((r) => sumOfSquares(r, "sumSq", 4)), 5)],
    ["Mean Sq", ...zapColumn(rows.map((r) => sumOfSquares(r, "meanSq", 4)), 5)],
    ["NumDF", ...zapColumn(rows.map((r) => r.numDF), 5)],
    ["DenDF", ...zapColumn(rows.map((r) => r.denDF), 5)],
    ["F value", ...rows.map((r) => (Number.isFinite(r.F) ? pyFixed(r.F, fDec) : ""))],
    ["Pr(>F)", ...rows.map((r) => formatPValue(r.p, 4))],
    ["", ...rows.map((r) => stars(r.p))],
  ];
  return [anovaTitle(t), ...alignColumns(columns), ...(rows.some((r) => stars(r.p) !== "") ? ["---", SIGNIF_LEGEND] : [])];
}

/** The coefficient t tests' text lines (when the result carries df). */
export function coefficientLines(r: MixedLMResult): string[] {
  if (!r.ddf) return [];
  const fe = r.fixedEffects;
  const cs = fe.flatMap((f) => [f.coef, f.stdErr]).filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  // printCoefmat: estimates and standard errors rounded by the smallest of them, to 4 significant digits
  const csDec = cs.length > 0 ? Math.max(1, Math.min(12, 4 - (1 + Math.floor(Math.log10(Math.min(...cs)))))) : 1;
  // printCoefmat switches to exponent notation too, beyond the fixed range (format.ts)
  const sci = needsScientific(fe.flatMap((f) => [f.coef, f.stdErr]), 1e-8);
  const columns = [
    ["", ...fe.map((f) => f.name)],
    ["Estimate", ...(sci ? scientificColumn(fe.map((f) => f.coef), 4) : fe.map((f) => pyFixed(f.coef, csDec)))],
    ["Std. Error", ...(sci ? scientificColumn(fe.map((f) => f.stdErr), 4) : fe.map((f) => pyFixed(f.stdErr, csDec)))],
    ["df", ...fe.map((f) => (f.df !== undefined && Number.isFinite(f.df) ? readableFixed(f.df, 3) : ""))],
    ["t value", ...fe.map((f) => (Number.isFinite(f.z) ? readableFixed(f.z, 3) : ""))],
    ["Pr(>|t|)", ...fe.map((f) => formatPValue(f.p, 3))],
    ["", ...fe.map((f) => stars(f.p))],
  ];
  return [coefficientTitle(r), ...alignColumns(columns), ...(fe.some((f) => stars(f.p) !== "") ? ["---", SIGNIF_LEGEND] : [])];
}

/** Columns (header first) as lines: the first left-aligned, the others right-aligned, one space apart. */
function alignColumns(columns: string[][]): string[] {
  const widths = columns.map((c) => Math.max(...c.map((s) => s.length)));
  const n = columns[0].length;
  return Array.from({ length: n }, (_, i) => columns.map((c, j) => (j === 0 || j === columns.length - 1 ? c[i].padEnd(widths[j]) : c[i].padStart(widths[j]))).join(" ").replace(/\s+$/, ""));
}

function num(x: number): Cell {
  return Number.isFinite(x) ? x : "";
}

/**
 * A row's Sum Sq or Mean Sq: the number, or where it is past the largest double (a response ×
 * 1e160, whose σ² is) its text from Mean Sq / σ² and σ (format.ts).
 */
export function sumOfSquares(r: AnovaTable["rows"][number], which: "sumSq" | "meanSq", digits: number): number | string {
  const rel = r.meanSqOverSigma2 === undefined ? null : which === "sumSq" ? r.meanSqOverSigma2 * r.numDF : r.meanSqOverSigma2;
  if (rel === null || r.sigma === undefined || Number.isNaN(r[which])) return r[which];
  return varianceUnitsOrText(r[which], rel, r.sigma, digits) ?? r[which];
}

/** The ANOVA table as cells: title, header, one row per term (numbers at full precision; text past the largest double). */
export function anovaCells(t: AnovaTable): Table {
  const rows: Cell[][] = [[anovaTitle(t), "", "", "", "", "", ""], ["", "Sum Sq", "Mean Sq", "NumDF", "DenDF", "F value", "Pr(>F)"]];
  const cellOf = (v: number | string): Cell => (typeof v === "string" ? v : num(v));
  for (const r of t.rows) rows.push([r.term, cellOf(sumOfSquares(r, "sumSq", 6)), cellOf(sumOfSquares(r, "meanSq", 6)), num(r.numDF), num(r.denDF), num(r.F), num(r.p)]);
  return rows;
}

/** The coefficient t tests as cells: header and one row per fixed effect. */
export function coefficientTestCells(r: MixedLMResult): Table {
  const rows: Cell[][] = [["", "Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]];
  for (const f of r.fixedEffects) rows.push([f.name, num(f.coef), num(f.stdErr), num(f.df ?? NaN), num(f.z), num(f.p)]);
  return rows;
}
