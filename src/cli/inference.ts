/**
 * The CLI's inference flags: --ddf satterthwaite|kenward-roger, --anova 1|2|3, --compare "REDUCED FORMULA" (repeatable) [--no-refit],
 * --confint profile|wald|boot [--level 0.95] [--nsim 1000] [--seed 1], --predict NEWDATA.csv.
 * Parsed here and run after the fit (src/cli/fit.ts calls both), so that fit.ts keeps one block.
 */
import { readFileSync } from "fs";
import { anovaOf, compareModels, confint, ConfintMethod, DataTable, dfTests, FittedModel, MixedLMError, ModelSpec, predictNew, readCsv, varianceStdErrors, withDfTests } from "../engine";
import type { AnovaTable, AnovaType, Comparison, ConfintResult, DdfMethod, MixedLMResult, Predictions, VarianceStdErrors } from "../engine";
import { comparisonText, confintText, predictionText, varianceStdErrorText } from "../report/inference";
import { anovaLines } from "../report/lmerTestTables";

export interface InferenceArgs {
  /** t tests of the fixed effects with this df method. */
  ddf: DdfMethod | null;
  /** lmerTest's ANOVA table of this type (df method: ddf, else Satterthwaite). */
  anova: AnovaType | null;
  compare: string[];
  refit: boolean;
  confint: ConfintMethod | null;
  level: number;
  nsim: number | null;
  seed: number | null;
  predict: string | null;
}

export const INFERENCE_USAGE = `[--ddf satterthwaite|kenward-roger] [--anova 1|2|3] [--compare "REDUCED FORMULA"]... [--no-refit] [--confint profile|wald|boot] [--level 0.95] [--nsim 1000] [--seed 1] [--predict NEWDATA.csv]`;

export const INFERENCE_FLAGS = new Set(["--ddf", "--anova", "--compare", "--no-refit", "--confint", "--level", "--nsim", "--seed", "--predict"]);

export function newInferenceArgs(): InferenceArgs {
  return { ddf: null, anova: null, compare: [], refit: true, confint: null, level: 0.95, nsim: null, seed: null, predict: null };
}

const ANOVA_TYPES = new Map<string, AnovaType>([["1", 1], ["2", 2], ["3", 3], ["i", 1], ["ii", 2], ["iii", 3]]);

/** Applies one inference flag (value null for --no-refit); throws a message for a bad value. */
export function applyInferenceFlag(args: InferenceArgs, flag: string, value: string | null, fail: (msg: string) => never): void {
  const whole = (v: string, what: string, min: number): number => {
    const x = Number(v);
    if (v.trim() === "" || !Number.isSafeInteger(x) || x < min) fail(`${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ""} (${what}); got "${v}".`);
    return x;
  };
  switch (flag) {
    case "--ddf": {
      const v = value!.toLowerCase();
      if (v !== "satterthwaite" && v !== "kenward-roger") fail(`--ddf must be satterthwaite or kenward-roger, not "${value}".`);
      args.ddf = v as DdfMethod;
      break;
    }
    case "--anova": {
      const t = ANOVA_TYPES.get(value!.toLowerCase());
      if (t === undefined) fail(`--anova takes the type of the table: 1, 2 or 3 (not "${value}").`);
      args.anova = t;
      break;
    }
    case "--compare": args.compare.push(value!); break;
    case "--no-refit": args.refit = false; break;
    case "--confint": {
      const m = value!.toLowerCase();
      if (m !== "profile" && m !== "wald" && m !== "boot") fail(`--confint must be profile, wald or boot, not "${value}".`);
      args.confint = m as ConfintMethod;
      break;
    }
    case "--level": {
      const x = Number(value);
      if (!(value!.trim() !== "" && x > 0 && x < 1)) fail(`--level must be a number between 0 and 1, such as 0.95; got "${value}".`);
      args.level = x;
      break;
    }
    case "--nsim": args.nsim = whole(value!, "the number of bootstrap simulations", 1); break;
    case "--seed": args.seed = whole(value!, "the bootstrap's random seed", Number.MIN_SAFE_INTEGER); break;
    case "--predict": args.predict = value; break;
  }
}

/** Flags that make no sense alone. */
export function checkInferenceArgs(args: InferenceArgs, fail: (msg: string) => never): void {
  if (!args.refit && args.compare.length === 0) fail("--no-refit applies to --compare: give the reduced model with --compare \"FORMULA\".");
  if ((args.nsim !== null || args.seed !== null) && args.confint !== "boot") fail("--nsim and --seed apply to bootstrap intervals: add --confint boot.");
  if (args.nsim !== null && args.nsim > 1_000_000) fail("--nsim must be at most 1,000,000.");
}

export function wantsInference(args: InferenceArgs): boolean {
  return args.ddf !== null || args.anova !== null || args.compare.length > 0 || args.confint !== null || args.predict !== null;
}

/**
 * Whether the flags ask for the t or F distribution (the df tests, the ANOVA table), whose
 * packages are then loaded before the timed work. Intervals and predictions use none of them
 * (the normal's quantile is the engine's own), and the χ² of --compare loads on first use: a
 * profile's process need not pay their few milliseconds of loading.
 */
export function wantsDistributions(args: InferenceArgs): boolean {
  return args.ddf !== null || args.anova !== null;
}

export interface InferenceOutput {
  /** The fit with the fixed effects' t tests (--ddf): replaces the plain result in the output. */
  result?: MixedLMResult;
  anova?: AnovaTable;
  comparison?: Comparison;
  confint?: ConfintResult;
  predictions?: Predictions;
  varianceSE?: VarianceStdErrors;
}

/**
 * Runs what the flags ask for. The standard errors of the variances (observed information) go
 * with every statsmodels-style fit (beside statsmodels' numbers, cheap with one grouping factor)
 * and with any interval request.
 */
export function runInference(args: InferenceArgs, table: DataTable, spec: ModelSpec, model: FittedModel, separator?: string): InferenceOutput {
  const out: InferenceOutput = {};
  if (args.ddf || args.anova) {
    const tests = dfTests(model, args.ddf ?? "satterthwaite");
    if (args.ddf) out.result = withDfTests(model, tests);
    if (args.anova) out.anova = anovaOf(model, args.anova, tests);
  }
  if (args.compare.length > 0) out.comparison = compareModels(table, spec, args.compare, { refit: args.refit, fitted: model.core });
  if (args.confint) out.confint = confint(model, { method: args.confint, level: args.level, nsim: args.nsim ?? undefined, seed: args.seed ?? undefined });
  if (args.predict) out.predictions = predictNew(model, readNewData(args.predict, separator));
  if (model.result.style === "statsmodels" || args.confint) out.varianceSE = varianceStdErrors(model.core);
  return out;
}

function readNewData(path: string, separator?: string): DataTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MixedLMError("data", `Cannot read the new data ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String((e as Error).message)}. Give the path of a CSV file with the model's columns.`);
  }
  return readCsv(bytes, { separator });
}

/** The tables under the summary, in lme4's layout. */
export function inferenceText(o: InferenceOutput, requested: InferenceArgs): string {
  const parts: string[][] = [];
  if (o.anova) parts.push(anovaLines(o.anova));
  if (o.comparison) parts.push(comparisonText(o.comparison));
  if (o.confint) parts.push(confintText(o.confint));
  if (o.varianceSE && requested.confint) parts.push(varianceStdErrorText(o.varianceSE));
  if (o.predictions) parts.push(predictionText(o.predictions));
  return parts.map((p) => p.join("\n") + "\n").join("\n");
}
