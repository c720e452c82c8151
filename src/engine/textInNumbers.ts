/**
 * A column of numbers with a few cells of text (a typo, "1,234", a decimal comma, "<0.5") is
 * read as text, as pandas and patsy read it: used as it is in a formula, it would silently
 * become a categorical variable with a coefficient per distinct value. When a column is used
 * as a number (the response, a term, a random slope, arithmetic) and most of its cells are
 * numbers, this names the cells at fault instead.
 */
import { MixedLMError, quoted } from "./errors";
import type { FactorValue } from "./formula/factor";
import type { Term } from "./formula/terms";
import { parseNumberText } from "./table";

/** Share of a column's cells that must read as numbers (or numbers with a comma) for it to count as "numbers but for a few cells". */
const MOSTLY = 0.8;
/** Cells a message lists by row. */
const SHOWN = 3;

/** Numbers written with a comma: a decimal comma ("12,5") or thousands separators ("1,234", "1,234.5"). */
const COMMA_NUMBER = /^[+-]?(\d+,\d+|\d{1,3}(,\d{3})+(\.\d*)?)$/;

function numberLike(text: string): boolean {
  return !Number.isNaN(parseNumberText(text)) || COMMA_NUMBER.test(text.trim());
}

export type NumberRole = "response" | "term" | "arithmetic";

/**
 * The error for a categorical value (codes into levels, -1 missing) read from column `name`
 * when most of its cells are numbers; null when it is text through and through. `rowIndex`
 * gives each row's place among the data rows (0-based), for the message.
 */
export function textAmongNumbersError(v: { codes: Int32Array; levels: string[] }, name: string, role: NumberRole, rowIndex?: Int32Array): MixedLMError | null {
  const isNumber = v.levels.map((l) => !Number.isNaN(parseNumberText(l)));
  const like = v.levels.map((l, k) => isNumber[k] || numberLike(l));
  let cells = 0;
  let likeCells = 0;
  const bad: number[] = [];
  for (let i = 0; i < v.codes.length; i++) {
    const c = v.codes[i];
    if (c < 0) continue;
    cells++;
    if (like[c]) likeCells++;
    if (!isNumber[c]) bad.push(i);
  }
  if (bad.length === 0 || likeCells < MOSTLY * cells) return null;
  const row = (i: number) => (rowIndex ? rowIndex[i] : i) + 1;
  const listed = bad.slice(0, SHOWN).map((i) => `data row ${row(i)} ${quoted(v.levels[v.codes[i]], 30)}`);
  const list = bad.length > SHOWN ? `${listed.join(", ")} and ${bad.length - SHOWN} more` : listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(", ")} and ${listed[listed.length - 1]}`;
  const cellsText = bad.length === 1 ? "1 cell is not a number" : `${bad.length} cells are not numbers`;
  const fix = `Write ${bad.length === 1 ? "it as a plain number" : "them as plain numbers"} (a decimal point, no thousands separator) or clear ${bad.length === 1 ? "it" : "them"}`;
  const col = quoted(name);
  if (role === "response") {
    return new MixedLMError("data", `The response ${col} must be numbers, but ${cellsText}: ${list}. ${fix}.`);
  }
  const what = `Column ${col} is read as text, so as a categorical variable with ${v.levels.length} levels, because ${cellsText}: ${list}.`;
  if (role === "arithmetic") return new MixedLMError("data", `${what} ${fix}.`);
  const ref = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `Q(${JSON.stringify(name)})`;
  const cWrap = ref.length <= 40 ? `write C(${ref})` : "wrap the column in C()";
  return new MixedLMError("data", `${what} ${fix}; to use the column as categorical on purpose, ${cWrap}.`);
}

/** Refuses a term list whose factors include a column of numbers but for a few cells of text, used as it is. */
export function refuseTextInNumbers(terms: Term[], values: ReadonlyMap<string, FactorValue>, rowIndex?: Int32Array): void {
  for (const t of terms) {
    for (const f of t.factors) {
      const v = values.get(f.code);
      if (v === undefined || v.kind !== "categorical" || v.column === undefined) continue;
      const e = textAmongNumbersError(v, v.column, "term", rowIndex);
      if (e) throw e;
    }
  }
}
