/**
 * The inference results as tables: likelihood-ratio tests (lme4's anova layout), confidence
 * intervals (lme4's confint), predictions on new rows, and the standard errors of the variances.
 * Each comes as a 2-D table of cells (for the custom functions, the task pane and the summary
 * sheet), as text under the summary (the CLI), and as the JSON the CLI prints.
 */
import type { AnovaTable, Comparison, ConfintResult, Predictions, VarianceStdErrors } from "../engine";
import type { Cell, Table } from "./tables";
import { isFullVariance, needsScientific, pyExp, pyFixed, readableFixed, scientificColumn, varianceUnitsOrText } from "./format";

// ---- 2-D tables ---------------------------------------------------------------------------

const cell = (x: number | null | undefined): Cell => (x === null || x === undefined || !Number.isFinite(x) ? "" : x);

/** lme4's anova table: one row per model, fewest parameters first. */
export function comparisonTable(c: Comparison): Table {
  const rows: Cell[][] = [["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)", "Note"]];
  for (const r of c.rows) rows.push([r.model, r.npar, r.aic, r.bic, r.logLik, r.deviance, cell(r.chisq), cell(r.df), cell(r.p), r.message ?? ""]);
  return rows;
}

/** lme4's confint: name, estimate, lower and upper bound (empty where the method gives none). */
export function confintTable(ci: ConfintResult): Table {
  const [lo, hi] = boundLabels(ci.level);
  return [["Parameter", "Estimate", lo, hi], ...ci.rows.map((r): Cell[] => [r.name, r.estimate, cell(r.low), cell(r.high)])];
}

/** One row per new row: the population prediction, its standard error, the conditional prediction. */
export function predictionTable(p: Predictions): Table {
  return [["Row", "Population", "Std.Err. (population)", "Conditional"], ...Array.from(p.population, (v, i): Cell[] => [i + 1, cell(v), cell(p.seFixed[i]), p.conditional ? cell(p.conditional[i]) : ""])];
}

/** The standard errors of the variances and covariances from the observed information. */
export function varianceStdErrorTable(v: VarianceStdErrors): Table {
  // past the largest double (a response × 1e160) as text: a cell must not hold Infinity
  const [values, stdErrs] = varianceStdErrorColumns(v, 6);
  return [["Parameter", "Value", "Std.Err."], ...v.rows.map((r, i): Cell[] => [r.name, values[i] ?? "", stdErrs[i] ?? ""])];
}

/** The Value and Std.Err. columns: numbers, or text where they are not doubles of their own (format.ts). */
function varianceStdErrorColumns(v: VarianceStdErrors, digits: number): [(number | string | null)[], (number | string | null)[]] {
  return [
    v.rows.map((r) => varianceUnitsOrText(r.value, r.relative.value, v.sigma, digits)),
    v.rows.map((r) => varianceUnitsOrText(r.stdErr, r.relative.stdErr, v.sigma, digits)),
  ];
}

/** "2.5 %", "97.5 %" for a 95% level, as R labels them. */
export function boundLabels(level: number): [string, string] {
  const pct = (x: number) => `${Number((100 * x).toPrecision(3))} %`;
  return [pct((1 - level) / 2), pct((1 + level) / 2)];
}

// ---- text -----------------------------------------------------------------------------------

/** The LRT table as lme4 prints anova(m0, m). */
export function comparisonText(c: Comparison): string[] {
  const labels = c.rows.map((_, i) => `m${i + 1}`);
  const head = c.refitML ? ["refitting model(s) with ML (instead of REML)"] : [];
  const lines = [...head, "Models:", ...c.rows.map((r, i) => `${labels[i]}: ${r.model}`)];
  const p = c.rows.map((r) => r.p);
  const cols: string[][] = [
    ["", ...labels],
    ["npar", ...c.rows.map((r) => String(r.npar))],
    ...(["aic", "bic", "logLik", "deviance"] as const).map((k) => [k === "aic" ? "AIC" : k === "bic" ? "BIC" : k, ...rColumn(c.rows.map((r) => r[k]), 5)]),
    ["Chisq", ...rColumn(c.rows.map((r) => r.chisq), 5)],
    ["Df", ...c.rows.map((r) => (r.df === null ? "" : String(r.df)))],
    ["Pr(>Chisq)", ...p.map(formatP)],
    ["", ...p.map(stars)],
  ];
  lines.push(...alignColumns(cols));
  if (p.some((x) => x !== null)) lines.push("---", "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
  c.rows.forEach((r, i) => { if (r.message) lines.push(`${labels[i]}: ${r.message}`); });
  lines.push(...c.notes.filter((n) => !n.startsWith("Models refitted by ML")));
  return lines;
}

/** What the intervals are: "Profile confidence intervals (ML criterion), level 0.95". */
export function confintTitle(ci: ConfintResult): string {
  const what = ci.method === "profile" ? `Profile confidence intervals (${ci.criterion} criterion)` : ci.method === "wald" ? "Wald confidence intervals" : `Parametric bootstrap percentile intervals (${ci.bootstrap!.done} simulations, seed ${ci.bootstrap!.seed})`;
  return `${what}, level ${ci.level}`;
}

export function confintText(ci: ConfintResult): string[] {
  const [lo, hi] = boundLabels(ci.level);
  const cols = [["", ...ci.rows.map((r) => r.name)], [lo, ...rColumn(ci.rows.map((r) => r.low), 7, "NA")], [hi, ...rColumn(ci.rows.map((r) => r.high), 7, "NA")]];
  return [`${confintTitle(ci)}:`, ...alignColumns(cols), ...ci.notes];
}

export function predictionText(p: Predictions): string[] {
  const t = predictionTable(p);
  // each column in "%.6f", or in "%.6e" where that cannot show its numbers (format.ts)
  const cols = t[0].map((_, j) => {
    const values = t.slice(1).map((row) => (typeof row[j] === "number" ? (row[j] as number) : null));
    const sci = j > 0 && needsScientific(values, 5e-7);
    return t.map((row, i) => (i === 0 || j === 0 ? String(row[j]) : typeof row[j] === "number" ? (sci ? pyExp(row[j] as number, 6) : readableFixed(row[j] as number, 6)) : "NA"));
  });
  return ["Predictions on new rows:", ...alignColumns(cols), ...p.notes];
}

export function varianceStdErrorText(v: VarianceStdErrors): string[] {
  const [values, stdErrs] = varianceStdErrorColumns(v, 5);
  const cols = [["", ...v.rows.map((r) => r.name)], ["Value", ...rColumn(values, 6)], ["Std.Err.", ...rColumn(stdErrs, 6, "NA")]];
  return [`Standard errors of the variances (observed information of the ${v.criterion} criterion):`, ...alignColumns(cols)];
}

/** Columns of strings side by side: the first left-aligned, the others right-aligned, rows trimmed. */
function alignColumns(cols: string[][]): string[] {
  const widths = cols.map((c) => Math.max(...c.map((s) => s.length)));
  return cols[0].map((_, i) => cols.map((c, j) => (j === 0 ? c[i].padEnd(widths[j]) : c[i].padStart(widths[j]))).join(" ").replace(/\s+$/, ""));
}

/**
 * A column as R's format(x, digits): each number to `digits` significant digits, all with the
 * most decimals any needs; in exponent notation beyond the fixed range (format.ts), as R switches.
 */
function rColumn(values: (number | string | null)[], digits: number, missing = ""): string[] {
  // text entries (a number past the largest double, from its factors) are already in exponent form
  if (needsScientific(values, 1e-8)) return scientificColumn(values, digits, missing);
  return fixedColumn(values as (number | null)[], digits, missing);
}

function fixedColumn(values: (number | null)[], digits: number, missing: string): string[] {
  const decimalsFor = (x: number): number => {
    if (!Number.isFinite(x) || x === 0) return 0;
    const d = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
    const s = pyFixed(x, Math.min(d, 15)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
    const dot = s.indexOf(".");
    return dot < 0 ? 0 : s.length - dot - 1;
  };
  const dec = Math.min(15, Math.max(0, ...values.map((x) => (x === null ? 0 : decimalsFor(x)))));
  return values.map((x) => (x === null || !Number.isFinite(x) ? missing : pyFixed(x, dec)));
}

/** R's format.pval for anova tables: "< 2.2e-16" below machine epsilon, else 4 significant digits. */
function formatP(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "";
  if (p < 2.220446049250313e-16) return "< 2.2e-16";
  return p >= 1e-4 ? String(Number(p.toPrecision(4))) : p.toExponential(3);
}

function stars(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "";
  return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : "";
}

// ---- JSON -----------------------------------------------------------------------------------

export interface InferenceJson {
  anova?: { type: 1 | 2 | 3; ddf: "satterthwaite" | "kenward-roger"; rows: { term: string; sumSq: number; meanSq: number; numDF: number; denDF: number; F: number; p: number }[] };
  comparison?: { refitML: boolean; criterion: string; nObs: number; rows: { formula: string; model: string; npar: number; aic: number; bic: number; logLik: number; deviance: number; chisq: number | null; df: number | null; p: number | null; against: string | null; message?: string }[]; notes: string[] };
  confint?: { method: string; level: number; criterion?: string; rows: { name: string; estimate: number; low: number | null; high: number | null }[]; notes: string[]; bootstrap?: object };
  predictions?: { population: number | null; conditional: number | null; seFixed: number | null }[];
  predictionNotes?: string[];
  varianceStdErr?: { criterion: string; basis: string; rows: { name: string; statsmodelsName: string | null; value: number | null; stdErr: number | null }[] };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
/** A number in a variance's units, null where it is not a double of full precision (json.ts's varianceNumber). */
const fullVariance = (x: number): number | null => (isFullVariance(x) ? x : null);

export function inferenceJson(parts: { anova?: AnovaTable; comparison?: Comparison; confint?: ConfintResult; predictions?: Predictions; varianceSE?: VarianceStdErrors }): InferenceJson {
  const out: InferenceJson = {};
  if (parts.anova) {
    // a sum of squares past the largest double is null (JSON has no Infinity), as the fit's variances are
    const rows = parts.anova.rows.map(({ term, sumSq, meanSq, numDF, denDF, F, p }) => ({ term, sumSq: fullVariance(sumSq) ?? NaN, meanSq: fullVariance(meanSq) ?? NaN, numDF, denDF, F, p }));
    out.anova = { type: parts.anova.type, ddf: parts.anova.ddf, rows };
  }
  if (parts.comparison) out.comparison = { ...parts.comparison, rows: parts.comparison.rows.map((r) => ({ ...r })) };
  if (parts.confint) {
    const { method, level, criterion, rows, notes, bootstrap } = parts.confint;
    out.confint = { method, level, ...(criterion ? { criterion } : {}), rows: rows.map((r) => ({ ...r })), notes, ...(bootstrap ? { bootstrap } : {}) };
  }
  if (parts.predictions) {
    const p = parts.predictions;
    out.predictions = Array.from(p.population, (v, i) => ({ population: finite(v), conditional: p.conditional ? finite(p.conditional[i]) : null, seFixed: finite(p.seFixed[i]) }));
    out.predictionNotes = p.notes;
  }
  if (parts.varianceSE) {
    const v = parts.varianceSE;
    // a number past the largest double is null, as the fit's variances are (with the fit's warning)
    const rows = v.rows.map(({ name, statsmodelsName, value, stdErr }) => ({ name, statsmodelsName, value: fullVariance(value), stdErr: stdErr === null ? null : fullVariance(stdErr) }));
    out.varianceStdErr = { criterion: v.criterion, basis: `observed information of the ${v.criterion} criterion, on each parameter's own scale`, rows };
  }
  return out;
}

/** statsmodels' variance rows with the standard error of each variance beside statsmodels' number. */
export function varianceRowsWithStdErr<T extends { name: string }>(rows: T[], v: InferenceJson["varianceStdErr"] | undefined): (T & { stdErr?: number | null })[] {
  if (!v) return rows;
  const byName = new Map(v.rows.filter((r) => r.statsmodelsName !== null).map((r) => [r.statsmodelsName!, r.stdErr]));
  return rows.map((r) => (byName.has(r.name) ? { ...r, stdErr: byName.get(r.name)! } : r));
}
