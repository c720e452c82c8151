/**
 * Numbers of any magnitude in the text, the tables and the summary sheet: a response × 1e160
 * (coefficients near 1e161, variances past the largest double) and × 1e-160 (everything below
 * what "%.3f" shows). Each number reads as the original fit's times the factor, in exponent
 * notation; no line runs to 160 digits, no cell holds Infinity, NaN or a run of zeros for a
 * number. Ordinary numbers keep their form: summary.test.ts checks statsmodels' printout
 * character for character.
 */
import { DataTable, dfTests, fitModel, MixedLMResult, withDfTests } from "../../src/engine";
import { productText, pyExp, squareText } from "../../src/report/format";
import { anovaCells, anovaLines } from "../../src/report/lmerTestTables";
import { rColumn, summaryTextOf } from "../../src/report/summary";
import { statsTable, summaryTable, varcompTable } from "../../src/report/tables";
import { summaryLayout } from "../../src/office/layout";
import { formatCellText } from "../../src/office/numberFormat";
import { anovaOf } from "../../src/engine";
import { fixtureTable } from "../helpers";

const dietox = fixtureTable("dietox.csv");
function scaled(a: number): DataTable {
  const rows: unknown[][] = [["Weight", "Time", "Pig"]];
  for (let i = 0; i < dietox.nRows; i++) rows.push([a * Number(dietox.label("Weight", i)), Number(dietox.label("Time", i)), dietox.label("Pig", i)]);
  return DataTable.fromRows(rows);
}

const SPECS = [{ formula: "Weight ~ Time + (Time|Pig)" }, { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" }];

describe.each([1e160, 1e-160])("y × %s", (a) => {
  test.each(SPECS)("%j: the summary text shows every number, in exponent form, none 160 digits long", (spec) => {
    const base = fitModel(scaled(1), spec).result;
    const m = fitModel(scaled(a), spec);
    const withT = withDfTests(m, dfTests(m, "satterthwaite"));
    for (const r of [m.result, withT]) {
      const text = summaryTextOf(r);
      for (const line of text.split("\n")) expect(line.length).toBeLessThan(400);
      expect(text.replace(/^Warning: .*$/m, "")).not.toMatch(/\bNaN\b|\binf\b|Infinity|0\.000 +0\.000/);
      // the coefficients, their standard errors and the variances read as the original's × a
      for (const fe of base.fixedEffects) {
        expect(text).toContain(pyExp(fe.coef * a, 3));
        expect(text).toContain(pyExp(fe.stdErr * a, 3));
      }
      expect(text).toContain(squareText(Math.sqrt(base.scale) * a, 4));
    }
  });

  test("the lme4 table of random effects shows the variances from the standard deviations, not NaN", () => {
    const base = fitModel(scaled(1), SPECS[0]).result;
    const text = summaryTextOf(fitModel(scaled(a), SPECS[0]).result);
    const line = text.split("\n").find((l) => l.startsWith(" Pig"))!;
    expect(line).toContain(squareText(base.randomTerms[0].sd[0] * a, 3));
    expect(line).toContain(pyExp(base.randomTerms[0].sd[0] * a, 3));
  });

  test("tables for the custom functions and the sheet: no cell holds a number that is not finite; an overflowed variance is its text", () => {
    const r = fitModel(scaled(a), SPECS[0]).result;
    for (const t of [summaryTable(r), varcompTable(r), statsTable(r)]) {
      for (const row of t) for (const cell of row) if (typeof cell === "number") expect(Number.isFinite(cell)).toBe(true);
    }
    const residual = varcompTable(r).find((row) => row[0] === "Residual")!;
    expect(residual[2]).toBe(a > 1 ? squareText(r.sigma, 6) : squareText(r.sigma, 6));
    expect(residual[3]).toBe(r.sigma);
  });

  test("statsmodels' variance rows in the summary's cells and text: the original's × a² as text, not Infinity (0 in Excel) or a blank", () => {
    const base = fitModel(scaled(1), SPECS[1]).result;
    const r = fitModel(scaled(a), SPECS[1]).result;
    const table = summaryTable(r);
    for (const row of table) for (const cell of row) if (typeof cell === "number") expect(Number.isFinite(cell)).toBe(true);
    const text = summaryTextOf(r);
    base.varianceRows.forEach((v) => {
      const row = table.find((x) => x[0] === v.name)!;
      expect(row[1]).toBe(productText([v.value, a, a], 6));
      expect(text).toMatch(new RegExp(`${v.name.replace(/[()]/g, "\\$&")} +${productText([v.value, a, a], 3).replace("+", "\\+")} `));
    });
  });

  test("the summary sheet gives such numbers an exponent format, and the preview shows them as Excel would", () => {
    const r = fitModel(scaled(a), SPECS[0]).result;
    const layout = summaryLayout(r, SPECS[0], "Sheet1!A1:C862");
    const block = layout.blocks.find((b) => b.id === "summary")!;
    let seen = 0;
    block.values.forEach((row, i) => row.forEach((v, j) => {
      // p-values keep their format: below 0.001 they show as "<0.001"
      if (typeof v !== "number" || v === 0 || (Math.abs(v) < 1e15 && Math.abs(v) >= 1e-8) || block.formats[i][j].startsWith("[")) return;
      seen++;
      expect(block.formats[i][j]).toMatch(/E\+00$/);
      expect(formatCellText(v, block.formats[i][j])).toMatch(/^-?\d\.\d+E[+-]\d{2,3}$/);
    }));
    expect(seen).toBeGreaterThan(0);
  });
});

test.each([1e160, 1e-160])("the ANOVA table on y × %s: sums of squares past the range of doubles (R prints Inf and 0) are text, the original's × a²; the F statistics as on y", (a) => {
  const m = fitModel(scaled(a), SPECS[0]);
  const base = fitModel(scaled(1), SPECS[0]);
  const table = anovaOf(m, 1, dfTests(m, "satterthwaite"));
  const baseTable = anovaOf(base, 1, dfTests(base, "satterthwaite"));
  const lines = anovaLines(table);
  const ref = anovaLines(baseTable);
  const sumSq = productText([baseTable.rows[0].sumSq, a, a], 4);
  expect(lines[2]).toMatch(new RegExp(`^Time +${sumSq.replace("+", "\\+")} +${sumSq.replace("+", "\\+")} `));
  expect(lines[2].split(/\s+/).slice(3)).toEqual(ref[2].split(/\s+/).slice(3));
  // as cells (the custom functions, the sheet): the same text, never a number that is not one
  const cells = anovaCells(table)[2];
  expect(cells.slice(1, 3)).toEqual([productText([baseTable.rows[0].sumSq, a, a], 6), productText([baseTable.rows[0].meanSq, a, a], 6)]);
});

test("ordinary numbers keep their fixed form (a variance at zero prints 0.000 beside ordinary ones)", () => {
  const r: MixedLMResult = fitModel(scaled(1), SPECS[1]).result;
  const text = summaryTextOf(r);
  expect(text).not.toMatch(/e[+-]\d\d/);
});

describe("a column of lme4's Random effects table as R's format(x, digits = 4) writes it", () => {
  // R 4 (Rscript -e 'format(c(...), digits = 4)'): fixed notation unless it is wider than exponent notation
  test.each([
    [[1.228023795646141, 4e-15, 1.133248192350576], ["1.228e+00", "4.000e-15", "1.133e+00"]],
    [[1722.3, 0.00012], ["1.722e+03", "1.200e-04"]],
    [[12345.6, 0.0012], ["1.235e+04", "1.200e-03"]],
    [[1.722, 0, 1.133], ["1.722", "0.000", "1.133"]],
    [[40.37, 1.5, 0.021], ["40.370", " 1.500", " 0.021"]],
  ])("%p", (values, want) => {
    expect(rColumn(values)).toEqual(want);
  });
});
