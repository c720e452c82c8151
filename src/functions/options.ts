/**
 * The options text of a MIXEDLM function ("method=ML; ddf=Kenward-Roger"), split into what
 * defines the model (method, reml, re_formula, vc: arguments.ts reads them in the worker) and
 * what the function asks of the fit (ddf, type, refit, ci, level, nsim, seed, re). Only the
 * model's part names the model (models.ts), so COEF with `ddf=none`, ANOVA with `type=1` and
 * CONFINT with `ci=boot` on the same data and formula share one fit. The page splits the text
 * before it looks the model up (an unknown key or a bad value is refused before anything is sent
 * to the worker); the worker reads the function's part again (functionOptions) for its table.
 */
import { MixedLMError } from "../engine";
import type { ConfintMethod, DdfMethod } from "../engine";

/** The model's keys (arguments.ts; `re` is an alias of re_formula, except for PREDICT). */
export const MODEL_KEYS = ["method", "reml", "re_formula", "vc"] as const;

/** Each function's own keys, by its name in MODEL_TABLES. */
export const FUNCTION_KEYS: Readonly<Record<string, readonly string[]>> = Object.assign(Object.create(null) as Record<string, readonly string[]>, {
  coef: ["ddf"],
  anova: ["type", "ddf"],
  compare: ["refit"],
  confint: ["ci", "level", "nsim", "seed"],
  predict: ["re"],
});

const EXAMPLES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  coef: "method=ML; ddf=Kenward-Roger",
  anova: "type=2; ddf=Kenward-Roger",
  compare: "refit=false",
  confint: "ci=boot; nsim=500; seed=7",
  predict: "re=exclude",
});

export interface FunctionOptions {
  /** COEF: "none" for z tests; undefined for the default by style. */
  ddf?: DdfMethod | "none";
  type?: 1 | 2 | 3;
  refit?: boolean;
  ci?: ConfintMethod;
  level?: number;
  nsim?: number;
  seed?: number;
  re?: "include" | "exclude";
}

export interface SplitOptions {
  /** The model's options as text in a canonical form (null when none), or the argument as it came when it is not text. */
  model: unknown;
  /** The function's own pairs, as text. */
  own: string;
}

function ownKeys(table: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(FUNCTION_KEYS, table) ? FUNCTION_KEYS[table] : [];
}

function keyList(table: string): string {
  return [...MODEL_KEYS, ...ownKeys(table)].join(", ");
}

function example(table: string): string {
  return Object.prototype.hasOwnProperty.call(EXAMPLES, table) ? EXAMPLES[table] : "method=ML; re_formula=~Time; vc=cask:0 + C(cask)";
}

/** The options as text: a string or a single cell; anything else is left to the worker's checks. */
function optionsText(v: unknown): string | null | undefined {
  const x = Array.isArray(v) && v.length === 1 && Array.isArray(v[0]) && v[0].length === 1 ? v[0][0] : v;
  if (x === null || x === undefined) return null;
  return typeof x === "string" ? x : undefined;
}

/** key=value pairs, keys lower-cased with - as _ (and as written, for messages); throws on a part without a key. */
function pairs(text: string, table: string): [key: string, value: string, written: string][] {
  const out: [string, string, string][] = [];
  for (const raw of text.split(";")) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new MixedLMError("option", `The option "${part}" needs the form key=value (keys: ${keyList(table)}), e.g. "${example(table)}".`);
    const written = part.slice(0, eq).trim();
    out.push([written.toLowerCase().replace(/-/g, "_"), part.slice(eq + 1).trim(), written]);
  }
  return out;
}

/** Splits the options of function `table` (a key of MODEL_TABLES); an unknown key is an error listing the function's keys. */
export function splitOptions(table: string, options: unknown): SplitOptions {
  const text = optionsText(options);
  if (text === undefined) return { model: options, own: "" };
  if (text === null) return { model: null, own: "" };
  const own = ownKeys(table);
  const modelPairs: string[] = [], ownPairs: string[] = [];
  for (const [key, value, written] of pairs(text, table)) {
    if (own.includes(key)) ownPairs.push(`${key}=${value}`);
    else if ((MODEL_KEYS as readonly string[]).includes(key) || key === "re") modelPairs.push(`${key}=${value}`);
    else throw new MixedLMError("option", `Unknown option "${written}": the keys are ${keyList(table)} (e.g. "${example(table)}").`);
  }
  const ownText = ownPairs.join("; ");
  functionOptions(table, ownText); // its values checked here, before anything goes to the worker
  return { model: modelPairs.length > 0 ? modelPairs.join("; ") : null, own: ownText };
}

const ANOVA_TYPES = new Map<string, 1 | 2 | 3>([["1", 1], ["2", 2], ["3", 3], ["i", 1], ["ii", 2], ["iii", 3]]);

const bad = (key: string, allowed: string, value: string) => new MixedLMError("option", `${key} must be ${allowed}, not "${value}".`);

/** The function's own options, read from splitOptions' `own` text. */
export function functionOptions(table: string, own: string): FunctionOptions {
  const out: FunctionOptions = {};
  for (const [key, value, written] of pairs(own, table)) {
    const v = value.toLowerCase();
    switch (key) {
      case "ddf": out.ddf = ddfOption(table, value); break;
      case "type": {
        const t = ANOVA_TYPES.get(v);
        if (t === undefined) throw bad("type", "1, 2 or 3 (I, II or III)", value);
        out.type = t;
        break;
      }
      case "refit":
        if (v !== "true" && v !== "false") throw bad("refit", "true (refit REML fits by ML, as lme4) or false (compare the REML fits)", value);
        out.refit = v === "true";
        break;
      case "ci":
        if (v !== "profile" && v !== "wald" && v !== "boot") throw bad("ci", "profile, wald or boot", value);
        out.ci = v;
        break;
      case "level": out.level = levelOption(value); break;
      case "nsim": out.nsim = wholeOption("nsim", value, 1, 1_000_000); break;
      case "seed": out.seed = wholeOption("seed", value, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER); break;
      case "re":
        if (v !== "include" && v !== "exclude") throw bad("re", "include (with the predicted random effects) or exclude (the population prediction)", value);
        out.re = v;
        break;
      default:
        throw new MixedLMError("option", `Unknown option "${written}": the keys are ${keyList(table)} (e.g. "${example(table)}").`);
    }
  }
  return out;
}

function ddfOption(table: string, value: string): DdfMethod | "none" {
  const v = value.toLowerCase().replace(/[\s_]+/g, "-");
  if (v === "satterthwaite") return "satterthwaite";
  if (v === "kenward-roger" || v === "kenwardroger") return "kenward-roger";
  if (v === "none" && table !== "anova") return "none";
  if (table === "anova") throw bad("ddf", "Satterthwaite or Kenward-Roger (the F tests need denominator df)", value);
  throw bad("ddf", "Satterthwaite, Kenward-Roger or none (z tests)", value);
}

function levelOption(value: string): number {
  const x = value === "" ? NaN : Number(value);
  if (!(x > 0 && x < 1)) throw new MixedLMError("option", `level must be a number between 0 and 1, such as 0.95; not "${value}".`);
  return x;
}

function wholeOption(key: string, value: string, min: number, max: number): number {
  const x = value === "" ? NaN : Number(value);
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new MixedLMError("option", `${key} must be a whole number${min === 1 ? ` from 1 to ${max.toLocaleString("en-US")}` : ""}, not "${value}".`);
  }
  return x;
}
