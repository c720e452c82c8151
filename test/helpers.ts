/** Shared by the tests: fixture loading, the reference cases, and name matching between patsy and R. */
import { readFileSync } from "fs";
import { join } from "path";
import { DataTable, readCsv } from "../src/engine";

export const FIXTURES = join(__dirname, "fixtures");

const tables = new Map<string, DataTable>();
/** A data set from test/fixtures/data, read once per test file. */
export function fixtureTable(name: string): DataTable {
  let t = tables.get(name);
  if (!t) {
    t = readCsv(readFileSync(join(FIXTURES, "data", name)));
    tables.set(name, t);
  }
  return t;
}

export interface ReferenceCase {
  name: string;
  data: string;
  statsmodels: { formula: string; groups: string | string[]; re_formula: string | null; vc_formula: Record<string, string> | null; reml: boolean } | null;
  lme4: { formula: string; REML: boolean } | null;
  compare?: boolean;
}

export function referenceCases(): ReferenceCase[] {
  return JSON.parse(readFileSync(join(FIXTURES, "cases.json"), "utf8")).cases;
}

export function dataFileOf(c: ReferenceCase): string {
  return c.data.split("/").pop()!;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reference(caseName: string, engine: "statsmodels" | "lme4"): any | null {
  try {
    return JSON.parse(readFileSync(join(FIXTURES, "reference", `${caseName}.${engine}.json`), "utf8"));
  } catch {
    return null;
  }
}

/**
 * A name both patsy's and R's coefficient names map to: "C(Cu)[T.Cu035]" and "factor(Cu)Cu035"
 * become "Cu=Cu035"; interaction parts are sorted; the intercepts become "Intercept".
 */
export function canonicalName(name: string): string {
  if (name === "(Intercept)" || name === "Intercept") return "Intercept";
  return name
    .split(":")
    .map((part) => {
      let m = /^(?:C|factor)\(([^,)]+)(?:,[^)]*\))?\)\[(?:T\.)?(.+)\]$/.exec(part);
      if (m) return `${m[1].trim()}=${m[2]}`;
      m = /^factor\(([^)]+)\)(.+)$/.exec(part);
      if (m) return `${m[1]}=${m[2]}`;
      return part.replace(/\s+/g, "").replace(/\*\*/g, "^");
    })
    .sort()
    .join(":");
}
