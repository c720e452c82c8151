/**
 * The generated data sets, models and transforms of the invariance properties (issue 9), shared
 * by the fit's suite (invariance.property.test.ts), the inference's (invarianceInference.property
 * .test.ts) and the command line's (test/cli/invariance.property.test.ts).
 *
 * Data: groups g (regular sizes, small groups of 1 to 3 rows, or very unequal sizes), a factor h
 * crossed with them, two covariates x and z, a response y with random intercepts, slopes on x, h
 * effects and an x·z interaction, and a positive response yp = exp(y / 10) for np.log(yp).
 *
 * What storage loses. A double holding a·v + b keeps v only to about ε|b|/|a| (ε = 2.2e-16): the
 * transformed data are the original data plus that rounding, which no fit can undo. So the exact
 * claim is checked against the data the stored values represent (the preimage, (v' − b)/a, which
 * floating point computes to a unit in the last place of v: the subtraction of nearby numbers is
 * exact): its mapped fit must agree to 1e-6 relative. Against the original data the tolerance
 * adds what the rounding can move a fit by: a relative change ℓ of the data's variation
 * (ℓ = ε|b| / (|a| sd(v))) moves the estimates by at most κℓ, κ the problem's condition;
 * generation keeps ℓ below about 2e-6 and the tolerance is 1e-6 + 1e3 ℓ (a condition of 1,000).
 */
import fc from "fast-check";
import { DataTable, fitMixedModel, isMixedLMError, MixedLMResult, ModelSpec } from "../../src/engine";
import { compareFit, expectedFit, nameParts, Tolerance, Transform } from "./mappedFit";

/** Fixed for CI; INVARIANCE_SEED and INVARIANCE_RUNS (cases per property, instead of each one's own) run the suites wider by hand. */
export const SEED = Number(process.env.INVARIANCE_SEED ?? 20240909);
const RUNS = process.env.INVARIANCE_RUNS ? Number(process.env.INVARIANCE_RUNS) : null;
export const EPS = Number.EPSILON;
/** The sensitivity allowed between the transformed fit and the original's (see above). */
export const CONDITION = 1e3;

export type Covariate = "x" | "z";
export type Sizes = "regular" | "small" | "unbalanced";

export interface DataParams {
  seed: number;
  groups: number;
  sizes: Sizes;
  perGroup: number;
  crossLevels: number;
  xMean: number;
  xSpread: number;
  zMean: number;
  zSpread: number;
  sdInt: number;
  sdSlope: number;
  sdCross: number;
  sdRes: number;
  slope: number;
  slopeZ: number;
  interaction: number;
}

export interface Data { y: number[]; yp: number[]; x: number[]; z: number[]; g: string[]; h: string[] }
export type Column = keyof Data;

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function groupSize(p: DataParams, u: () => number): number {
  // 1 to 5 rows, 3 on average: a random slope (2 effects per group) still has fewer effects than rows
  if (p.sizes === "small") return 1 + Math.floor(5 * u());
  if (p.sizes === "unbalanced") return 1 + Math.floor(u() * u() * 3 * p.perGroup);
  return Math.max(3, p.perGroup - 2 + Math.floor(5 * u()));
}

export function makeData(p: DataParams): Data {
  const u = prng(p.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const hEffect = Array.from({ length: p.crossLevels }, () => p.sdCross * normal());
  const d: Data = { y: [], yp: [], x: [], z: [], g: [], h: [] };
  for (let g = 0; g < p.groups; g++) {
    const a = p.sdInt * normal();
    const b = (p.sdSlope / p.xSpread) * normal();
    const rows = groupSize(p, u);
    for (let k = 0; k < rows; k++) {
      const x = p.xMean + p.xSpread * (2 * u() - 1) * 1.7;
      const z = p.zMean + p.zSpread * normal();
      const h = Math.floor(u() * p.crossLevels);
      const xc = (x - p.xMean) / p.xSpread, zc = (z - p.zMean) / p.zSpread;
      const y = 10 + p.slope * xc + p.slopeZ * zc + p.interaction * xc * zc + a + b * (x - p.xMean) + hEffect[h] + p.sdRes * normal();
      d.x.push(x);
      d.z.push(z);
      d.g.push(`g${g}`);
      d.h.push(`h${h}`);
      d.y.push(y);
      d.yp.push(Math.exp(y / 10));
    }
  }
  return d;
}

/** A double spread evenly over [min, max] (fc.double favours the ends and special values: -0, 5e-324). */
const uniform = (min: number, max: number) => fc.integer({ min: 0, max: 1 << 30 }).map((k) => min + ((max - min) * k) / (1 << 30));

export const dataParams: fc.Arbitrary<DataParams> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  groups: fc.integer({ min: 8, max: 20 }),
  sizes: fc.constantFrom<Sizes>("regular", "regular", "small", "unbalanced"),
  perGroup: fc.integer({ min: 4, max: 12 }),
  crossLevels: fc.integer({ min: 4, max: 8 }),
  xMean: uniform(-20, 20),
  xSpread: uniform(0.5, 5),
  zMean: uniform(-5, 5),
  zSpread: uniform(0.2, 3),
  sdInt: uniform(0.5, 3),
  sdSlope: uniform(0.2, 1),
  sdCross: uniform(0.3, 1.5),
  sdRes: uniform(0.5, 2),
  slope: uniform(-2, 2),
  slopeZ: uniform(-2, 2),
  interaction: uniform(-1, 1),
});

export interface ModelCase {
  name: string;
  spec: Omit<ModelSpec, "method">;
  /** The response column: y, or yp under np.log (y' = a·yp moves np.log(yp) by log a). */
  response: "y" | "yp";
  /** The covariates the model uses. */
  covariates: Covariate[];
  /** Covariates in a random term. */
  random: Covariate[];
  /** Covariates whose shift leaves the model unchanged (none in an uncorrelated term or a variance component of its own). */
  shiftable: Covariate[];
  /** Effect names that stand for a covariate (a variance component's name). */
  aliases?: Record<string, string>;
  /** A model nested in this one that a shift of the covariates leaves unchanged too, for likelihood-ratio tests. */
  reduced: string;
  /** Smallest group size the model can be fitted with (slopes need two rows in some group). */
  sizes?: Sizes[];
}

export const MODELS: ModelCase[] = [
  { name: "random intercept", spec: { formula: "y ~ x + (1|g)" }, response: "y", covariates: ["x"], random: [], shiftable: ["x"], reduced: "y ~ 1 + (1|g)" },
  { name: "crossed random intercepts", spec: { formula: "y ~ x + (1|g) + (1|h)" }, response: "y", covariates: ["x"], random: [], shiftable: ["x"], reduced: "y ~ x + (1|g)" },
  { name: "factor × covariate", spec: { formula: "y ~ x * C(h) + (1|g)" }, response: "y", covariates: ["x"], random: [], shiftable: ["x"], reduced: "y ~ x + C(h) + (1|g)" },
  { name: "covariate × covariate", spec: { formula: "y ~ x * z + (1|g)" }, response: "y", covariates: ["x", "z"], random: [], shiftable: ["x", "z"], reduced: "y ~ x + z + (1|g)" },
  { name: "covariate × covariate in patsy's order", spec: { formula: "y ~ x:z + x + z + (1|g)" }, response: "y", covariates: ["x", "z"], random: [], shiftable: ["x", "z"], reduced: "y ~ x + z + (1|g)" },
  { name: "product in I() beside its factors", spec: { formula: "y ~ x + z + I(x*z) + (1|g)" }, response: "y", covariates: ["x", "z"], random: [], shiftable: ["x", "z"], reduced: "y ~ x + z + (1|g)" },
  { name: "log response", spec: { formula: "np.log(yp) ~ x + (1|g)" }, response: "yp", covariates: ["x"], random: [], shiftable: ["x"], reduced: "np.log(yp) ~ 1 + (1|g)" },
  { name: "statsmodels random intercept", spec: { formula: "y ~ x", groups: "g" }, response: "y", covariates: ["x"], random: [], shiftable: ["x"], reduced: "y ~ 1" },
  { name: "statsmodels variance component", spec: { formula: "y ~ x", groups: "g", vcFormula: { h: "0 + C(h)" } }, response: "y", covariates: ["x"], random: [], shiftable: ["x"], reduced: "y ~ 1" },
  { name: "statsmodels variance component on a covariate", spec: { formula: "y ~ x * z", groups: "g", vcFormula: { zs: "0 + z" } }, response: "y", covariates: ["x", "z"], random: ["z"], shiftable: ["x"], aliases: { zs: "z" }, reduced: "y ~ x + z" },
  { name: "correlated random slope", spec: { formula: "y ~ x + (x|g)" }, response: "y", covariates: ["x"], random: ["x"], shiftable: ["x"], reduced: "y ~ 1 + (x|g)" },
  { name: "uncorrelated random slope", spec: { formula: "y ~ x + (x||g)" }, response: "y", covariates: ["x"], random: ["x"], shiftable: [], reduced: "y ~ 1 + (x||g)" },
  { name: "statsmodels correlated slope", spec: { formula: "y ~ x", groups: "g", reFormula: "~x" }, response: "y", covariates: ["x"], random: ["x"], shiftable: ["x"], reduced: "y ~ 1" },
  { name: "crossed terms with a slope", spec: { formula: "y ~ x * z + (x|g) + (1|h)" }, response: "y", covariates: ["x", "z"], random: ["x"], shiftable: ["x", "z"], reduced: "y ~ x + z + (x|g) + (1|h)" },
];

/** The data as a table, with one column transformed (v → a v + b). */
export function table(d: Data, t: Transform | null): DataTable {
  const cols: Column[] = ["y", "yp", "x", "z", "g", "h"];
  const rows: (string | number)[][] = [cols];
  for (let i = 0; i < d.y.length; i++) rows.push(cols.map((c) => (t && t.column === c ? t.a * (d[c][i] as number) + t.b : d[c][i])));
  return DataTable.fromRows(rows);
}

/** The data the stored transformed values stand for: (v' − b) / a, exact to a unit in the last place of v. */
export function preimage(d: Data, t: Transform): Data {
  const back = (v: number) => ((t.a * v + t.b) - t.b) / t.a;
  const c = t.column as Column;
  return { ...d, [c]: (d[c] as number[]).map(back) };
}

export function sd(v: number[]): number {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
}

/** A transform of the generated kind: |a| = 10^ea, |b| = |a| spread 10^eb capped at bMax, b = 0 when eb is null. */
export function makeTransform(column: string, ea: number, negative: boolean, eb: number | null, bNegative: boolean, spread: number, bMax: number): Transform {
  const a = (negative ? -1 : 1) * 10 ** ea;
  const b = eb === null ? 0 : (bNegative ? -1 : 1) * Math.min(bMax, Math.abs(a) * spread * 10 ** eb);
  return { column, a, b };
}

/** The transform of the data (column of the data) and the one the fit's numbers follow (on the model's response or covariate). */
export interface Case { data: Transform; fit: Transform }

/** A transform of the data as the model sees it: yp → a·yp under np.log is a shift of the response by log a. */
export function caseOf(model: ModelCase, t: Transform): Case {
  if (t.column === "yp") return { data: t, fit: { column: "y", a: 1, b: Math.log(t.a) } };
  return { data: t, fit: { ...t, aliases: model.aliases } };
}

/** What storage of the transformed column loses, relative to its variation (see the file's comment). */
export function storageLoss(d: Data, c: Case): number {
  if (c.data.column === "yp") {
    const logs = d.yp.map(Math.log);
    return (EPS * (Math.abs(Math.log(c.data.a)) + Math.max(...logs.map(Math.abs)))) / sd(logs);
  }
  const col = d[c.data.column as Column] as number[];
  return (EPS * Math.abs(c.data.b)) / (Math.abs(c.data.a) * sd(col));
}

export function tolerance(d: Data, c: Case, lost: number): Tolerance {
  const t = c.fit;
  const rms = (name: Covariate) => sd(t.column === name ? d[name].map((v) => t.a * v + t.b) : d[name]);
  const response = c.data.column === "yp" ? d.yp.map(Math.log) : d.y;
  const maxY = Math.max(...response.map(Math.abs));
  return {
    rel: 1e-6 + CONDITION * lost,
    logLik: 1e-6 + 1e-7 + CONDITION * lost * d.y.length,
    // θ does not depend on y's unit: y × a gives it to 1e-10; with a shift the data's rounding
    // moves the optimum too, and where the likelihood is flat (σ² 1e-4 of the random variances,
    // θ near 80) the gradient's rounding leaves θ determined to 1e-8: there the variances' 1e-6
    theta: (t.column === "y" && t.b === 0 ? 1e-10 : 1e-6) + CONDITION * lost,
    // a fitted value near a y + b is a double: it rounds by ε(|b| + |a| max|y|)
    fittedAbs: t.column === "y" ? 8 * EPS * (Math.abs(t.b) + Math.abs(t.a) * maxY) : 8 * EPS * maxY,
    unit: (name) => nameParts(t.aliases?.[name] ?? name).reduce((u, q) => (q === "x" || q === "z" ? u / rms(q) : u), 1),
  };
}

export function fit(d: Data, t: Transform | null, model: ModelCase, method: "REML" | "ML"): MixedLMResult {
  return fitMixedModel(table(d, t), { ...model.spec, method } as ModelSpec);
}

/** Warnings with their numbers taken out (an optimiser's "could still decrease by 1.2e-7" differs in the digits only). */
export const shape = (w: string[]) => w.map((s) => s.replace(/[-+]?\d[\d.]*(e[-+]?\d+)?/g, "#"));

/**
 * The fit of the transformed data against the mapped fits of its preimage and of the original
 * data: every number, convergence, the same warnings. Returns what failed, for fast-check.
 */
export function checkTransform(d: Data, model: ModelCase, method: "REML" | "ML", c: Case): string[] {
  const refused = sameRefusal(() => fit(d, null, model, method), () => fit(d, c.data, model, method));
  if (refused !== null) return refused;
  const original = fit(d, null, model, method);
  fc.pre(identifiable(original));
  const transformed = fit(d, c.data, model, method);
  const pre = fit(preimage(d, c.data), null, model, method);
  const problems: string[] = [];
  // converged, unless the original data leave a variance unidentified (a variance component with
  // one row per level, say): then the same message on the transformed data
  if (transformed.converged !== original.converged) problems.push(`converged: ${transformed.converged} vs the original's ${original.converged} (${transformed.warnings.join(" ")})`);
  if (pre.converged !== original.converged) problems.push(`the preimage's fit converged: ${pre.converged} vs the original's ${original.converged}`);
  if (JSON.stringify(shape(transformed.warnings)) !== JSON.stringify(shape(pre.warnings))) problems.push(`warnings ${JSON.stringify(transformed.warnings)} vs ${JSON.stringify(pre.warnings)}`);
  // a variance the data do not identify (one row per level of a variance component) has no
  // value to map: the same message is the whole answer
  if (!original.converged) return problems;
  const lost = storageLoss(d, c);
  const tol = tolerance(d, c, lost);
  problems.push(...compareFit(transformed, expectedFit(pre, c.fit), tol).map((s) => `vs preimage (storage loss ${lost.toExponential(1)}): ${s}`));
  problems.push(...compareFit(transformed, expectedFit(original, c.fit), tol).map((s) => `vs original (storage loss ${lost.toExponential(1)}): ${s}`));
  return problems;
}

/**
 * A model the original data cannot fit (too few rows for its random effects, say) must be
 * refused on the transformed data with the same message: null when the original fits, else what
 * differs (nothing: []).
 */
export function sameRefusal(original: () => unknown, transformed: () => unknown): string[] | null {
  const message = (f: () => unknown): string | null => {
    try { f(); return null; } catch (e) { if (isMixedLMError(e)) return e.message; throw e; }
  };
  const a = message(original);
  if (a === null) return null;
  const b = message(transformed);
  return b !== null && JSON.stringify(shape([a])) === JSON.stringify(shape([b])) ? [] : [`the original data are refused (${a}), the transformed ${b === null ? "fitted" : `refused otherwise (${b})`}`];
}

/**
 * A residual variance that is not negligible beside the random effects' variances. Where the
 * random effects and the fixed ones together can fit every row (a crossed model on small groups,
 * each term below the rows on its own, by ML), σ² goes to zero and the likelihood has no maximum:
 * there is no fit to map, the optimiser stops where its path ends (see the report's limits).
 */
export function identifiable(r: MixedLMResult): boolean {
  const random = r.randomTerms.reduce((s, t) => s + t.cov.reduce((u, row, c) => u + row[c], 0), 0);
  return r.scale > 1e-6 * (r.scale + random);
}

/** The models that can be fitted on data of these sizes (a slope needs groups with two rows or more). */
export function fits(model: ModelCase, p: DataParams): boolean {
  return !model.sizes || model.sizes.includes(p.sizes);
}

/** fc.assert with the suite's seed and `runs` cases (INVARIANCE_RUNS when set), stopping at the first failure. */
export function assertProperty(prop: fc.IProperty<never>, runs: number): void {
  fc.assert(prop, { seed: SEED, numRuns: RUNS ?? runs, endOnFailure: true });
}

/** A transform of the response or of a covariate of the model, with its case. */
export function caseName(model: ModelCase, m: string, c: Case): string {
  return `${model.name}, ${m}, ${c.data.column} → ${c.data.a} ${c.data.column} + ${c.data.b}`;
}
