/**
 * src/functions/arguments.ts: what Excel passes to a custom function, turned into the engine's
 * inputs. The arrays are shaped as Excel sends them: a range is rows of cells; an omitted
 * optional argument is null or undefined; a blank cell is null (Excel on the web) or 0 / ""
 * (Excel desktop); an error cell is an object (CustomFunctions.Error-like) or its text.
 */
import { isMixedLMError } from "../../src/engine";
import { dataRows, groupsArgument, modelInputs, OPTION_KEYS, parseOptions } from "../../src/functions/arguments";

/** An error cell as a custom function receives it on some platforms. */
class ErrorCell {
  constructor(readonly code: string, readonly message?: string) {}
}

function mixedLMMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isMixedLMError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("expected a MixedLMError");
}

const SMALL: unknown[][] = [
  ["y", "x", "g"],
  [1.5, 1, "a"],
  [2.5, 2, "a"],
  [3.1, 3, "b"],
  [4.2, 4, "b"],
  [2.2, 5, "c"],
  [5.9, 6, "c"],
];

describe("options", () => {
  test("omitted: null, undefined, empty text, a blank 1×1 range", () => {
    for (const v of [null, undefined, "", "   ", [[null]], [[""]]]) expect(parseOptions(v)).toEqual({});
  });

  test("keys are case-insensitive, spaces and empty parts ignored, - and _ alike", () => {
    expect(parseOptions(" Method = ml ;; RE_Formula = ~Time ; ")).toEqual({ method: "ML", reFormula: "~Time" });
    expect(parseOptions("re-formula=1")).toEqual({ reFormula: "1" });
    expect(parseOptions("METHOD=reml")).toEqual({ method: "REML" });
  });

  test("reml=true|false is the method the statsmodels way; the last one given wins", () => {
    expect(parseOptions("reml=false")).toEqual({ method: "ML" });
    expect(parseOptions("reml=TRUE")).toEqual({ method: "REML" });
    expect(parseOptions("method=ML; reml=true")).toEqual({ method: "REML" });
  });

  test("vc repeats, NAME:FORMULA, formulas may hold colons", () => {
    expect(parseOptions("vc=cask:0 + C(cask); vc=other: 0 + C(x):z")).toEqual({
      vcFormula: { cask: "0 + C(cask)", other: "0 + C(x):z" },
    });
  });

  test("a 1×1 range holding the text works like the text", () => {
    expect(parseOptions([["method=ML"]])).toEqual({ method: "ML" });
  });

  test("unknown keys and bad values are errors that say what is valid", () => {
    const unknown = mixedLMMessage(() => parseOptions("groups=Pig"));
    for (const k of OPTION_KEYS) expect(unknown).toContain(k);
    expect(unknown).toContain('"groups"');
    expect(mixedLMMessage(() => parseOptions("method=OLS"))).toMatch(/REML or ML/);
    expect(mixedLMMessage(() => parseOptions("reml=yes"))).toMatch(/true or false/);
    expect(mixedLMMessage(() => parseOptions("re_formula="))).toMatch(/empty/);
    expect(mixedLMMessage(() => parseOptions("vc=cask"))).toMatch(/name and a formula/);
    expect(mixedLMMessage(() => parseOptions("=ML"))).toMatch(/key=value/);
    expect(mixedLMMessage(() => parseOptions(3))).toMatch(/must be text/);
    expect(mixedLMMessage(() => parseOptions([["a"], ["b"]]))).toMatch(/one cell/);
  });
});

describe("data", () => {
  test("error objects become missing; numbers, text, booleans and 0 are kept", () => {
    const rows = dataRows([
      ["y", "x"],
      [new ErrorCell("#N/A"), 0],
      [{ type: "Error", errorType: "Value" }, "#DIV/0!"],
      [true, null],
    ]);
    expect(rows).toEqual([
      ["y", "x"],
      [null, 0],
      [null, "#DIV/0!"],
      [true, null],
    ]);
  });

  test("a range needs a header row and data below it", () => {
    expect(mixedLMMessage(() => dataRows(null))).toMatch(/range whose first row/);
    expect(mixedLMMessage(() => dataRows("A1:H862"))).toMatch(/range whose first row/);
    expect(mixedLMMessage(() => dataRows([]))).toMatch(/range whose first row/);
    expect(mixedLMMessage(() => dataRows([["y", "x"]]))).toMatch(/header row/);
  });

  test("a blank sent as 0 (Excel desktop) is a real 0, not a missing value", () => {
    const rows = SMALL.map((r) => [...r]);
    rows[2][1] = 0;
    const { table } = modelInputs(rows, "y ~ x", "g", null);
    expect(table.nRows).toBe(6);
    expect(table.isMissing("x", 1)).toBe(false);
  });

  test("missing markers: null, '', NA, #N/A text and error objects; trailing blank rows are not data", () => {
    const rows = [...SMALL.map((r) => [...r]), [null, null, null], ["", "", ""], [null, "", null]];
    rows[1][0] = "NA";
    rows[2][1] = "#N/A";
    rows[3][0] = new ErrorCell("#VALUE!");
    rows[4][1] = null;
    const { table, nDataRows } = modelInputs(rows, "y ~ x", "g", null);
    expect(table.nRows).toBe(6);
    expect(nDataRows).toBe(9); // FITTED and RESID still answer one cell per row of the range
    expect([0, 1, 2, 3, 4, 5].map((i) => table.isMissing("y", i) || table.isMissing("x", i))).toEqual([true, true, true, true, false, false]);
  });

  test("trailing rows of zeros (Excel desktop's blanks) are data: they are not trimmed", () => {
    const rows = [...SMALL.map((r) => [...r]), [0, 0, 0]];
    expect(modelInputs(rows, "y ~ x", "g", null).table.nRows).toBe(7);
  });
});

describe("groups", () => {
  test("omitted, a name, or a 1×1 range holding a name", () => {
    expect(groupsArgument(null, 7)).toEqual({});
    expect(groupsArgument(undefined, 7)).toEqual({});
    expect(groupsArgument("", 7)).toEqual({});
    expect(groupsArgument([[null]], 7)).toEqual({});
    expect(groupsArgument(" g ", 7)).toEqual({ groups: "g" });
    expect(groupsArgument([["g"]], 7)).toEqual({ groups: "g" });
  });

  test("a column as tall as the data (header first) or one row shorter (values only)", () => {
    const col = SMALL.map((r) => [r[2]]);
    expect(groupsArgument(col, 7)).toEqual({ groupValues: ["a", "a", "b", "b", "c", "c"] });
    expect(groupsArgument(col.slice(1), 7)).toEqual({ groupValues: ["a", "a", "b", "b", "c", "c"] });
    const withError = col.slice(1);
    withError[0] = [new ErrorCell("#N/A")];
    expect(groupsArgument(withError, 7).groupValues![0]).toBeNull();
  });

  test("wrong shapes say what is expected", () => {
    const col = SMALL.map((r) => [r[2]]);
    expect(mixedLMMessage(() => groupsArgument(col.slice(3), 7))).toMatch(/4 rows .* 6 rows below the header/);
    expect(mixedLMMessage(() => groupsArgument(SMALL, 7))).toMatch(/single column/);
    expect(mixedLMMessage(() => groupsArgument([[3]], 7))).toMatch(/column name/);
    expect(mixedLMMessage(() => groupsArgument(42, 7))).toMatch(/column name/);
  });

  test("an oversized data range with an equally oversized groups column", () => {
    const rows = [...SMALL.map((r) => [...r]), [null, null, null], [null, null, null]];
    const col = rows.map((r) => [r[2]]);
    const { table, spec, nDataRows } = modelInputs(rows, "y ~ x", col, null);
    expect(table.nRows).toBe(6);
    expect(nDataRows).toBe(8);
    expect(spec.groupValues).toEqual(["a", "a", "b", "b", "c", "c"]);
  });
});

describe("modelInputs", () => {
  test("the spec carries the formula, the groups and the options", () => {
    const { spec } = modelInputs(SMALL, [["y ~ x"]], "g", "method=ML; re_formula=~x; vc=v:0 + C(g)");
    expect(spec).toEqual({ formula: "y ~ x", groups: "g", method: "ML", reFormula: "~x", vcFormula: { v: "0 + C(g)" } });
  });

  test("the formula must be text", () => {
    expect(mixedLMMessage(() => modelInputs(SMALL, null, "g", null))).toMatch(/formula is empty/);
    expect(mixedLMMessage(() => modelInputs(SMALL, [[""]], "g", null))).toMatch(/formula is empty/);
    expect(mixedLMMessage(() => modelInputs(SMALL, 12, "g", null))).toMatch(/must be text/);
  });
});
