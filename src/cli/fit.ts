/**
 * Command line: fit a CSV file with the engine.
 *
 *   npm run --silent fit -- FILE.csv --formula "Weight ~ Time" --groups Pig
 *        [--re-formula "~Time"] [--vc "NAME=0 + C(col)"]... [--method reml|ml] [--json] [--sep ";"]
 *        [--ddf satterthwaite|kenward-roger] [--anova 1|2|3]
 *        [--compare "REDUCED FORMULA"]... [--no-refit] [--confint profile|wald|boot] [--level 0.95]
 *        [--nsim 1000] [--seed 1] [--predict NEWDATA.csv]
 *
 * Prints the statsmodels-style summary (with the inference flags, lmerTest's and lme4's tables
 * under it), or with --json one JSON object (see src/report/json.ts). --ddf gives the fixed
 * effects t tests with that df method (lmerTest's); --anova adds lmerTest's ANOVA table of that
 * type, with the --ddf method (Satterthwaite when not given); see src/cli/inference.ts.
 * Bad input: exit status 2 and one line on stderr saying what to fix.
 */
import { readFileSync } from "fs";
import { performance } from "perf_hooks";
import { setFlagsFromString } from "v8";
import { fitModel, isMixedLMError, loadDistributions, Method, ModelSpec, readCsv } from "../engine";
import { inferenceJson } from "../report/inference";
import { fitToJson, stringifyFit } from "../report/json";
import { summaryTextOf } from "../report/summary";
import { applyInferenceFlag, checkInferenceArgs, INFERENCE_FLAGS, INFERENCE_USAGE, InferenceArgs, inferenceText, newInferenceArgs, runInference, wantsDistributions, wantsInference } from "./inference";

const USAGE = `Usage: npm run --silent fit -- FILE.csv --formula "y ~ x" [--groups COLUMN] [--re-formula "~x"] [--vc "NAME=0 + C(col)"]... [--method reml|ml] [--json] [--sep ","] ${INFERENCE_USAGE}`;

export class UsageError extends Error {}

export interface CliArgs {
  file: string;
  spec: ModelSpec;
  json: boolean;
  separator?: string;
  /** Likelihood-ratio tests, intervals, predictions (src/cli/inference.ts). */
  inference: InferenceArgs;
}

/** Files below this size (about 20,000 rows) are read and fitted in milliseconds, before optimised code would pay for itself. */
const SMALL_FILE_BYTES = 1 << 20;

/**
 * On small data a fit runs each of the engine's functions a handful of times: V8's default is to
 * start optimising them (TurboFan) after a few calls, and compiling then costs more than it saves
 * (the dietox random-slope fit: about 22 ms fresh by default, 16 ms with a 7× larger budget).
 * Set before the file is read, so that no optimising compile of the reader is still running on
 * the second core when the fit starts. On large data the hot loops must be optimised early, so
 * the default stays. On a Node.js that refuses flags at run time nothing changes.
 */
function tuneForSize(fileBytes: number): void {
  if (fileBytes < SMALL_FILE_BYTES) setInterruptBudget(1_000_000);
}

/**
 * After a fit of small data, profile intervals and the bootstrap run the same few functions (the
 * criterion, the factor's update, the optimiser) hundreds to thousands of times: optimising
 * those pays, though not from their first calls, as V8's default budget (67,584) would have it.
 * A budget in between, set once the fit is done (the reader and the fit keep theirs). Dietox's
 * random-slope model, whole processes on this 2-core machine (shared, load about 1.3), medians
 * of interleaved runs, with 67,584 / 250,000 / 1,000,000 after the fit: profile intervals 84 /
 * 79 / 82 ms, 1,000 bootstrap refits 311 / 300 / 319 ms (150,000 to 400,000 measure alike).
 * Comparisons refit a model or two, a handful of evaluations each: they keep the small-data
 * budget (under load, 80 ms against 86 with 300,000).
 */
function tuneForInference(a: InferenceArgs, fileBytes: number): void {
  if (fileBytes < SMALL_FILE_BYTES && (a.confint === "profile" || a.confint === "boot")) setInterruptBudget(INFERENCE_BUDGET);
}

const INFERENCE_BUDGET = 250_000;

function setInterruptBudget(budget: number): void {
  try {
    setFlagsFromString(`--interrupt-budget=${budget}`);
  } catch {
    // not supported here: the budget stays as it was
  }
}

/** `--vc NAME=FORMULA`, into a Map by name (a component may be called "__proto__" or "constructor"). */
function addVarianceComponent(vc: Map<string, string>, v: string): void {
  const k = v.indexOf("=");
  if (k <= 0) throw new UsageError(`--vc takes NAME=FORMULA, as in --vc "cask=0 + C(cask)"; got "${v}".`);
  const name = v.slice(0, k).trim();
  if (vc.has(name)) throw new UsageError(`--vc names "${name}" twice; give each variance component a different name.`);
  vc.set(name, v.slice(k + 1).trim());
}

/** What the command line has said so far. */
interface ParsedFlags {
  file: string | null;
  formula: string | null;
  groups: string | null;
  reFormula: string | null;
  vc: Map<string, string>;
  method: Method;
  json: boolean;
  separator?: string;
  inference: InferenceArgs;
}

export function parseArgs(argv: string[]): CliArgs | "help" {
  const flags: ParsedFlags = { file: null, formula: null, groups: null, reFormula: null, vc: new Map(), method: "REML", json: false, inference: newInferenceArgs() };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    if (eq > 0) { inline = a.slice(eq + 1); a = a.slice(0, eq); }
    if (a === "-h" || a === "--help") return "help";
    // the flag's value: after "=", else the next argument (which it consumes)
    const take = (name: string) => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith("--") && v.length > 2)) throw new UsageError(`${name} needs a value. ${USAGE}`);
      i++;
      return v;
    };
    applyArgument(flags, a, take);
  }
  const { file, formula, vc, inference } = flags;
  if (file === null) throw new UsageError(`No data file given. ${USAGE}`);
  if (formula === null) throw new UsageError(`No --formula given. ${USAGE}`);
  checkInferenceArgs(inference, (msg) => { throw new UsageError(msg); });
  // Object.fromEntries defines own properties: "__proto__" stays a name, not the object's prototype
  const spec: ModelSpec = { formula, groups: flags.groups, reFormula: flags.reFormula, vcFormula: vc.size > 0 ? Object.fromEntries(vc) : null, method: flags.method };
  return { file, spec, json: flags.json, separator: flags.separator, inference };
}

/** One argument: a flag (its value from `take`) or the data file. */
function applyArgument(flags: ParsedFlags, a: string, take: (name: string) => string): void {
  switch (a) {
    case "--formula": flags.formula = take(a); break;
    case "--groups": flags.groups = take(a); break;
    case "--re-formula": flags.reFormula = take(a); break;
    case "--vc": addVarianceComponent(flags.vc, take(a)); break;
    case "--method": {
      const m = take(a).toUpperCase();
      if (m !== "REML" && m !== "ML") throw new UsageError(`--method must be reml or ml, not "${m.toLowerCase()}".`);
      flags.method = m;
      break;
    }
    case "--json": flags.json = true; break;
    case "--sep": {
      const s = take(a);
      flags.separator = s === "\\t" || s.toLowerCase() === "tab" ? "\t" : s;
      break;
    }
    default:
      if (INFERENCE_FLAGS.has(a)) {
        applyInferenceFlag(flags.inference, a, a === "--no-refit" ? null : take(a), (msg) => { throw new UsageError(msg); });
        break;
      }
      if (a.startsWith("-") && a.length > 1) throw new UsageError(`Unknown option ${a}. ${USAGE}`);
      if (flags.file !== null) throw new UsageError(`Only one data file can be given (got "${flags.file}" and "${a}"). Quote formulas that contain spaces.`);
      flags.file = a;
  }
}

export function main(argv: string[]): number {
  let args: CliArgs | "help";
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`error: ${e.message}\n`); return 2; }
    throw e;
  }
  if (args === "help") { process.stdout.write(USAGE + "\n"); return 0; }
  try {
    // the t and F distributions' packages load once, before the timed work (src/engine/inference/distributions.ts)
    if (wantsDistributions(args.inference)) loadDistributions();
    const t0 = performance.now();
    let bytes: Buffer;
    try {
      bytes = readFileSync(args.file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String((e as Error).message);
      process.stderr.write(`error: Cannot read ${args.file}: ${why}. Give the path of a CSV file.\n`);
      return 2;
    }
    tuneForSize(bytes.length);
    const table = readCsv(bytes, { separator: args.separator });
    const t1 = performance.now();
    const model = fitModel(table, args.spec);
    const t2 = performance.now();
    // inference (src/cli/inference.ts): its tables under the summary, its fields in the JSON
    tuneForInference(args.inference, bytes.length);
    const inference = runInference(args.inference, table, args.spec, model, args.separator);
    const result = inference.result ?? model.result;
    const ran = wantsInference(args.inference) || inference.varianceSE !== undefined;
    const t3 = performance.now();
    if (args.json) {
      const timing = { parseMs: round(t1 - t0), fitMs: round(t2 - t1), ...(ran ? { inferenceMs: round(t3 - t2) } : {}) };
      process.stdout.write(stringifyFit(fitToJson(result, timing, inferenceJson(inference))) + "\n");
    } else {
      process.stdout.write(summaryTextOf(result));
      const tables = inferenceText(inference, args.inference);
      if (tables) process.stdout.write("\n" + tables);
    }
    return 0;
  } catch (e) {
    if (isMixedLMError(e)) {
      process.stderr.write(`error: ${e.message.replace(/\s*\n\s*/g, " ")}\n`);
      return 2;
    }
    throw e;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
