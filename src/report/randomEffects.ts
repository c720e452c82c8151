/**
 * The random-effect variances in plain words, for the task pane and the summary sheet: one row
 * per effect labelled "Pig: (Intercept)", "Pig: Time", "Pig: litter (variance component)",
 * then the covariances with their correlations ("Pig: (Intercept) × Time"), then the residual.
 * statsmodels names the intercept after the groups column ("Pig Var"); read as "Pig / Pig" it
 * says nothing, so the intercept is called (Intercept) here, as lme4 does.
 */
import type { MixedLMResult, RandomTermResult } from "../engine";
import type { Cell, Table } from "./tables";

export interface VarianceLine {
  label: string;
  variance: number;
  sd: number;
  /** statsmodels' Std.Err. of the row (statsmodels-style fits), else null. */
  statsmodelsStdErr: number | null;
}

export interface CovarianceLine {
  label: string;
  covariance: number;
  correlation: number | null;
  statsmodelsStdErr: number | null;
}

export interface RandomEffectsSummary {
  variances: VarianceLine[];
  covariances: CovarianceLine[];
  residual: { variance: number; sd: number };
}

/** The effect's plain name: (Intercept) for statsmodels' intercept (named after the groups). */
function effectName(t: RandomTermResult, i: number): string {
  if (t.kind === "vc") return `${t.names[0]} (variance component)`;
  const n = t.names[i];
  return t.kind === "re" && (n === t.grouping || n === "Group") ? "(Intercept)" : n;
}

function finite(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

export function randomEffectsSummary(r: MixedLMResult): RandomEffectsSummary {
  const smErr = new Map(r.varianceRows.map((v) => [v.name, v.statsmodelsStdErr]));
  const variances: VarianceLine[] = [];
  const covariances: CovarianceLine[] = [];
  for (const t of r.randomTerms) {
    t.names.forEach((name, i) => {
      const smName = t.kind === "vc" ? `${t.names[0]} Var` : `${name} Var`;
      variances.push({ label: `${t.grouping}: ${effectName(t, i)}`, variance: t.cov[i][i], sd: t.sd[i], statsmodelsStdErr: finite(smErr.get(smName)) });
    });
    for (let i = 1; i < t.names.length; i++) {
      for (let j = 0; j < i; j++) {
        covariances.push({
          label: `${t.grouping}: ${effectName(t, j)} × ${effectName(t, i)}`,
          covariance: t.cov[i][j],
          correlation: t.corr ? finite(t.corr[i][j]) : null,
          statsmodelsStdErr: finite(smErr.get(`${t.names[j]} x ${t.names[i]} Cov`)),
        });
      }
    }
  }
  return { variances, covariances, residual: { variance: r.scale, sd: Math.sqrt(r.scale) } };
}

/** The same as a sheet table: header, the variances, the residual, then the covariances (each with its correlation). */
export function randomEffectsTable(r: MixedLMResult): Table {
  const s = randomEffectsSummary(r);
  const hasSm = r.varianceRows.length > 0;
  const sm = (x: number | null): Cell[] => (hasSm ? [x === null ? "" : x] : []);
  const rows: Cell[][] = [["Random effect", "Variance", "Std.Dev.", "Corr.", ...(hasSm ? ["Std.Err. (statsmodels)"] : [])]];
  for (const v of s.variances) rows.push([v.label, v.variance, v.sd, "", ...sm(v.statsmodelsStdErr)]);
  rows.push(["Residual", s.residual.variance, s.residual.sd, "", ...sm(null)]);
  for (const c of s.covariances) rows.push([`${c.label} (covariance)`, c.covariance, "", c.correlation === null ? "" : c.correlation, ...sm(c.statsmodelsStdErr)]);
  return rows;
}
