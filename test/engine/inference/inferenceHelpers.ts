/** Shared by the inference tests: the reference files of lme4 and the engine's names in R's spelling. */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { DataTable, fitModel, FittedModel, Method } from "../../../src/engine";
import { fixtureTable, FIXTURES } from "../../helpers";

const DIR = join(FIXTURES, "inference");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ref = any;

/** The five cases of ../shared/reference/inference (copied verbatim into test/fixtures/inference/shared). */
export function sharedCases(): Ref[] {
  return readdirSync(join(DIR, "shared")).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(readFileSync(join(DIR, "shared", f), "utf8")));
}

/** Our own cases, made by scripts/reference/inference/fit_inference_lme4.R (the five above among them, with more fields). */
export function ownCases(): Ref[] {
  return readdirSync(DIR).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")));
}

const fits = new Map<string, FittedModel>();
/** The reference's model fitted by the engine (once per test file). */
export function fitOf(ref: Ref, method: Method = ref.method ?? "REML"): FittedModel {
  const key = `${ref.id}|${method}`;
  let m = fits.get(key);
  if (!m) { m = fitModel(fixtureTable(ref.data), { formula: ref.formula, method }); fits.set(key, m); }
  return m;
}

/** The engine's coefficient name as R spells it: "Intercept" → "(Intercept)", "factor(Cu)[T.Cu035]" → "factor(Cu)Cu035". */
export function rName(name: string): string {
  if (name === "Intercept") return "(Intercept)";
  return name.split(":").map((part) => part.replace(/\[T\.(.*)\]$/, "$1")).join(":");
}

/** The reference's new rows as a table. */
export function newData(ref: Ref): DataTable {
  const cols = Object.keys(ref.newdata[0]);
  return DataTable.fromRows([cols, ...ref.newdata.map((r: Record<string, unknown>) => cols.map((k) => r[k]))]);
}

export function reducedOf(ref: Ref): string[] {
  return Array.isArray(ref.reduced) ? ref.reduced : [ref.reduced];
}

/** Relative difference, against 1 for small numbers. */
export function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}
