/**
 * The functions a formula may call on numbers, by every name under which they may be written:
 * bare as in R (log, exp, sqrt, abs, ...), and with numpy's prefixes (np.log, numpy.log).
 * A Map of exactly these names: `np.constructor` or `np.__proto__` are unknown functions, not
 * whatever an object literal would inherit under those keys.
 */
type NumberFunction = (x: number) => number;

const NUMPY: [string, NumberFunction][] = [
  ["log", Math.log], ["log10", Math.log10], ["log2", Math.log2], ["log1p", Math.log1p],
  ["exp", Math.exp], ["expm1", Math.expm1], ["sqrt", Math.sqrt], ["abs", Math.abs], ["absolute", Math.abs],
  ["square", (x) => x * x], ["sin", Math.sin], ["cos", Math.cos], ["tan", Math.tan], ["arctan", Math.atan],
  ["floor", Math.floor], ["ceil", Math.ceil],
];
/** Written without a prefix too, as R and patsy's namespace allow. */
const BARE = new Set(["log", "log10", "log2", "log1p", "exp", "expm1", "sqrt", "abs"]);

export const NUMBER_FUNCTIONS: ReadonlyMap<string, NumberFunction> = new Map(
  NUMPY.flatMap(([name, f]): [string, NumberFunction][] => [
    [`np.${name}`, f],
    [`numpy.${name}`, f],
    ...(BARE.has(name) ? [[name, f] as [string, NumberFunction]] : []),
  ]),
);

/** x ** y under its three spellings. */
export const POWER_FUNCTIONS = new Set(["np.power", "numpy.power", "pow"]);

/** Transforms whose statistics (mean, sd) are taken on the fitting data and reused for new rows. */
export const STATEFUL_FUNCTIONS = new Set(["center", "standardize", "scale"]);

/** C() and R's spellings of it. */
export const CATEGORICAL_FUNCTIONS = new Set(["C", "factor", "as.factor"]);

/** patsy's contrasts: only Treatment (T) is supported; the others are named in the message. */
export const TREATMENT = new Set(["Treatment", "T"]);
export const OTHER_CONTRASTS = new Set(["Sum", "Diff", "Helmert", "Poly"]);

export const UNKNOWN_FUNCTION_HINT = "the formula may use C(), Q(), I(), log, exp, sqrt, abs, log10, log2, center, standardize and scale (with or without np.)";
