/**
 * What a fit must become when one column of the data is transformed, column → a · column + b:
 * the numbers of the original fit mapped exactly (the model is the same in other units), and a
 * comparison that lists every number that differs. Shared by the invariance tests.
 *
 * The response y → a y + b (with an intercept in the model): β → a β + b e_intercept, every
 * variance and covariance × a², standard errors, standard deviations and BLUPs × |a| or a, θ
 * unchanged, and −2 log L + 2c log|a| (c = n for ML, n − p for REML).
 * A covariate x → c x + d: X' = X A, where A puts c on each column that holds x and d on the same
 * column without x (the intercept for x itself, C(h)[T.k] for x:C(h)[T.k]); β → A⁻¹ β,
 * cov → A⁻¹ cov A⁻ᵀ; in a random term that holds x, likewise with that term's A_z (d only with an
 * intercept beside x); fitted values and residuals unchanged; REML's log-likelihood − log|det A|.
 */
import type { MixedLMResult } from "../../src/engine";

export interface Transform {
  /** "y": the response; any other name: a covariate of the model (x, z). */
  column: string;
  a: number;
  b: number;
  /**
   * Names of effects that stand for an expression of the covariate (a statsmodels variance
   * component named "xs" with formula "0 + x": { xs: "x" }).
   */
  aliases?: Record<string, string>;
}

export interface ExpectedFit {
  logLik: number;
  scale: number;
  fixed: { name: string; coef: number; se: number }[];
  vcov: number[][];
  randomTerms: { key: string; names: string[]; cov: number[][] }[];
  randomEffects: { key: string; levels: string[]; values: number[][] }[];
  fitted: Float64Array;
  residuals: Float64Array;
  theta: number[] | null;
  /** statsmodels' Std.Err. of its variance rows, where the transform maps them one by one. */
  varianceStdErr: (number | null)[] | null;
  /** β' = M β + shift: M (p×p, rows) and the shift (the response's b on the intercept). */
  fixedMap: number[][];
  shift: number[];
  /** Per random term (termKey): b' = M_k b for each level's effects. */
  termMaps: Map<string, number[][]>;
}

const INTERCEPTS = new Set(["Intercept", "(Intercept)"]);

/** Inverse of a small square matrix (rows), by Gauss-Jordan with partial pivoting. */
export function inverse(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    const v = a[c][c];
    for (let k = 0; k < 2 * n; k++) a[c][k] /= v;
    for (let r = 0; r < n; r++) {
      if (r === c || a[r][c] === 0) continue;
      const f = a[r][c];
      for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row) => row.slice(n));
}

function mul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
const transpose = (a: number[][]) => a[0].map((_, j) => a.map((row) => row[j]));
const sandwich = (a: number[][], m: number[][]) => mul(mul(a, m), transpose(a));
const apply = (a: number[][], v: number[]) => a.map((row) => row.reduce((s, x, k) => s + x * v[k], 0));

/**
 * The factors of an effect's name: "x:C(h)[T.b]" → x, C(h)[T.b]; "I(x * z)" → x, z (a product
 * written inside I(), whose column moves as x:z's does); anything else, itself.
 */
export function nameParts(name: string): string[] {
  const product = /^I\((.*)\)$/.exec(name);
  if (product && product[1].includes(" * ")) return product[1].split(" * ").map((q) => q.trim());
  return name.split(":");
}

/**
 * A with new columns = old columns · A, for effect names (fixed-effect or random-effect names)
 * under column → c column + d. `intercept` names the effect that is the constant (null when none).
 */
function covariateMatrix(names: string[], t: Transform, intercept: string | null): number[][] {
  const { column, a: c, b: d } = t;
  const A: number[][] = names.map((_, i) => names.map((__, j) => (i === j ? 1 : 0)));
  names.forEach((name, j) => {
    const parts = nameParts(t.aliases?.[name] ?? name);
    if (!parts.includes(column)) return;
    A[j][j] = c;
    if (d === 0) return;
    const rest = parts.filter((q) => q !== column);
    const restName = rest.join(":");
    const partner = rest.length === 0 ? (intercept === null ? -1 : names.indexOf(intercept)) : names.findIndex((nm) => nm === restName || nameParts(nm).join(":") === restName);
    if (partner < 0) throw new Error(`${column} → c ${column} + d with d ≠ 0 changes this model: ${name} has no partner column`);
    A[partner][j] = d;
  });
  return A;
}

export function termKey(t: { grouping: string; names: string[] }): string {
  return `${t.grouping}|${t.names.join(",")}`;
}

/** The original fit's numbers mapped through the transform (n rows, p fixed effects). */
export function expectedFit(base: MixedLMResult, t: Transform): ExpectedFit {
  const n = base.nObs;
  const p = base.fixedEffects.length;
  const reml = base.method === "REML";
  const names = base.fixedEffects.map((f) => f.name);
  const coef = base.fixedEffects.map((f) => f.coef);
  let fixedMap: number[][];
  let shift = names.map(() => 0);
  let covScale = 1;
  let logLik = base.logLik;
  const termMaps = new Map<string, number[][]>();
  if (t.column === "y") {
    fixedMap = names.map((_, i) => names.map((__, j) => (i === j ? t.a : 0)));
    const k = names.findIndex((nm) => INTERCEPTS.has(nm));
    if (t.b !== 0 && k < 0) throw new Error("y → a y + b with b ≠ 0 needs an intercept");
    if (k >= 0) shift = names.map((_, j) => (j === k ? t.b : 0));
    covScale = t.a * t.a;
    logLik -= (reml ? n - p : n) * Math.log(Math.abs(t.a));
    for (const rt of base.randomTerms) termMaps.set(termKey(rt), rt.names.map((_, i) => rt.names.map((__, j) => (i === j ? t.a : 0))));
  } else {
    const A = covariateMatrix(names, t, names.find((nm) => INTERCEPTS.has(nm)) ?? null);
    fixedMap = inverse(A);
    if (reml) logLik -= Math.log(Math.abs(determinant(A)));
    for (const rt of base.randomTerms) {
      const intercept = rt.names.find((nm) => INTERCEPTS.has(nm) || nm === rt.grouping) ?? null;
      termMaps.set(termKey(rt), inverse(covariateMatrix(rt.names, t, intercept)));
    }
  }
  const newCoef = apply(fixedMap, coef).map((v, j) => v + shift[j]);
  const vcov = sandwich(fixedMap, base.vcovFixed);
  const fixed = names.map((name, j) => ({ name, coef: newCoef[j], se: Math.sqrt(vcov[j][j]) }));
  const randomTerms = base.randomTerms.map((rt) => {
    const M = termMaps.get(termKey(rt))!;
    return { key: termKey(rt), names: rt.names, cov: sandwich(M, rt.cov) };
  });
  const randomEffects = base.randomEffects.map((re) => {
    const key = termKey(re);
    const M = termMaps.get(key) ?? re.names.map((_, i) => re.names.map((__, j) => (i === j ? (t.column === "y" ? t.a : 1) : 0)));
    return { key, levels: re.levels, values: re.values.map((v) => apply(M, v)) };
  });
  const fitted = t.column === "y" ? base.fitted.map((v) => t.a * v + t.b) : Float64Array.from(base.fitted);
  const residuals = t.column === "y" ? base.residuals.map((v) => t.a * v) : Float64Array.from(base.residuals);
  return {
    logLik,
    scale: base.scale * covScale,
    fixed,
    vcov,
    randomTerms,
    randomEffects,
    fitted,
    residuals,
    theta: t.column === "y" ? base.theta : null,
    varianceStdErr: varianceStdErr(base, t),
    fixedMap,
    shift,
    termMaps,
  };
}

/** statsmodels' variance-row Std.Err. under the transform, where each row maps on its own (no shift of a covariate). */
function varianceStdErr(base: MixedLMResult, t: Transform): (number | null)[] | null {
  if (base.varianceRows.length === 0) return null;
  if (t.column === "y") return base.varianceRows.map((r) => (r.statsmodelsStdErr === null ? null : Math.abs(t.a) * r.statsmodelsStdErr));
  if (t.b !== 0) return null;
  // Std.Err. = sqrt(scale) SE(Ψ_ij / scale): a row on x's variance divides by c², a covariance with x by |c|
  return base.varianceRows.map((r) => {
    if (r.statsmodelsStdErr === null) return null;
    const m = /^(.*) x (.*) Cov$/.exec(r.name);
    const effects = m ? [m[1], m[2]] : [r.name.replace(/ Var$/, ""), r.name.replace(/ Var$/, "")];
    const xs = effects.filter((e) => e === t.column || t.aliases?.[e] === t.column).length;
    return r.statsmodelsStdErr / Math.abs(t.a) ** xs;
  });
}

function determinant(m: number[][]): number {
  const n = m.length;
  const a = m.map((r) => [...r]);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    if (piv !== c) { [a[c], a[piv]] = [a[piv], a[c]]; det = -det; }
    det *= a[c][c];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return det;
}

export interface Tolerance {
  /** Relative tolerance of every number, on its natural scale (see compareFit). */
  rel: number;
  /** The log-likelihood, absolute. */
  logLik: number;
  /** θ, absolute (θ is of order one): only checked when the expected fit has θ. */
  theta: number;
  /** Absolute slack for fitted values: what representing a y + b in a double rounds away. */
  fittedAbs: number;
  /** The unit of each random effect (1 for an intercept, 1 / root mean square of x about its mean for x), for variances near zero. */
  unit: (name: string) => number;
}

/**
 * Every number of `got` that differs from `want` by more than the tolerance, as readable lines
 * (empty when the fits agree). Scales: a coefficient against |coef| + SE, a variance against
 * itself plus 1e-3 σ² unit² (a variance at zero has no relative accuracy), a covariance against
 * the geometric mean of its variances' scales, a BLUP against |value| + its term's SD, fitted
 * values and residuals against a |a|-scaled residual SD, the log-likelihood absolutely.
 */
export function compareFit(got: MixedLMResult, want: ExpectedFit, tol: Tolerance): string[] {
  const bad: string[] = [];
  const check = (what: string, g: number, w: number, scale: number) => {
    if (!(Math.abs(g - w) <= tol.rel * scale) && !(g === w)) bad.push(`${what}: got ${g}, want ${w} (|Δ| ${Math.abs(g - w).toExponential(2)} > ${(tol.rel * scale).toExponential(2)})`);
  };
  if (!(Math.abs(got.logLik - want.logLik) <= tol.logLik)) bad.push(`logLik: got ${got.logLik}, want ${want.logLik}`);
  check("scale", got.scale, want.scale, want.scale);
  got.fixedEffects.forEach((fe, j) => {
    const w = want.fixed[j];
    if (fe.name !== w.name) bad.push(`fixed effect ${j}: ${fe.name} vs ${w.name}`);
    check(`coef ${fe.name}`, fe.coef, w.coef, Math.abs(w.coef) + w.se);
    check(`SE ${fe.name}`, fe.stdErr, w.se, w.se);
    got.vcovFixed[j].forEach((v, k) => check(`vcov ${fe.name},${want.fixed[k].name}`, v, want.vcov[j][k], want.fixed[j].se * want.fixed[k].se));
  });
  const sigma2 = want.scale;
  const varScale = (cov: number[][], names: string[], i: number) => cov[i][i] + 1e-3 * sigma2 * tol.unit(names[i]) ** 2;
  got.randomTerms.forEach((rt) => {
    const key = termKey(rt);
    const w = want.randomTerms.find((x) => x.key === key);
    if (!w) { bad.push(`random term ${key} missing`); return; }
    rt.cov.forEach((row, i) => row.forEach((v, j) => {
      check(`cov ${key}[${i},${j}]`, v, w.cov[i][j], Math.sqrt(varScale(w.cov, w.names, i)) * Math.sqrt(varScale(w.cov, w.names, j)));
    }));
  });
  got.randomEffects.forEach((re) => {
    const key = termKey(re);
    const w = want.randomEffects.find((x) => x.key === key);
    const wt = want.randomTerms.find((x) => x.key === key) ?? want.randomTerms.find((x) => x.key.startsWith(`${re.grouping}|`));
    if (!w) { bad.push(`random effects ${key} missing`); return; }
    re.values.forEach((v, l) => v.forEach((x, c) => {
      const sd = wt ? Math.sqrt(varScale(wt.cov, wt.names, Math.min(c, wt.names.length - 1))) : 1;
      check(`BLUP ${key} ${re.levels[l]}[${c}]`, x, w.values[l][c], Math.abs(w.values[l][c]) + sd);
    }));
  });
  const resSd = Math.sqrt(want.scale);
  for (let i = 0; i < got.fitted.length; i++) {
    const slack = tol.rel * resSd + tol.fittedAbs;
    if (!(Math.abs(got.fitted[i] - want.fitted[i]) <= slack)) { bad.push(`fitted[${i}]: got ${got.fitted[i]}, want ${want.fitted[i]}`); break; }
    if (!(Math.abs(got.residuals[i] - want.residuals[i]) <= slack)) { bad.push(`residual[${i}]: got ${got.residuals[i]}, want ${want.residuals[i]}`); break; }
  }
  if (want.theta) got.theta.forEach((v, k) => { if (!(Math.abs(v - want.theta![k]) <= tol.theta * Math.max(1, Math.abs(v)))) bad.push(`theta[${k}]: got ${v}, want ${want.theta![k]}`); });
  if (want.varianceStdErr) got.varianceRows.forEach((r, j) => {
    const w = want.varianceStdErr![j];
    if (w === null || r.statsmodelsStdErr === null) { if (w !== r.statsmodelsStdErr) bad.push(`variance row ${r.name} Std.Err.: got ${r.statsmodelsStdErr}, want ${w}`); return; }
    check(`variance row ${r.name} Std.Err.`, r.statsmodelsStdErr, w, w);
  });
  return bad;
}
