/** lmerTest's tables as text and cells: R's p-value format, stars, and the columns' layout. */
import { anovaCells, anovaLines, formatPValue, stars } from "../../src/report/lmerTestTables";

test("p-values as R's format.pval writes them", () => {
  // R: format.pval(c(0.29871, 0.8198, 1.23456e-10, 1e-300), digits = 4, eps = .Machine$double.eps)
  expect(formatPValue(0.2987114, 4)).toBe("0.2987");
  expect(formatPValue(0.81981, 4)).toBe("0.8198");
  expect(formatPValue(1.23456e-10, 4)).toBe("1.235e-10");
  expect(formatPValue(1e-300, 4)).toBe("<2e-16");
  expect(formatPValue(0.5, 3)).toBe("0.5");
  expect(formatPValue(NaN, 3)).toBe("");
});

test("significance stars at R's cut points", () => {
  expect([0.0009, 0.009, 0.049, 0.09, 0.2, NaN].map(stars)).toEqual(["***", "**", "*", ".", "", ""]);
});

const table = {
  type: 3 as const,
  ddf: "satterthwaite" as const,
  rows: [
    // lmerTest's numbers for dietox_inter (test/fixtures/inference/shared)
    { term: "Time", sumSq: 44556.5734532443, meanSq: 44556.5734532443, numDF: 1, denDF: 69.0597833112488, F: 7380.07444613753, p: 6.1316057010966e-72 },
    { term: "factor(Cu)", sumSq: 14.8480469152104, meanSq: 7.4240234576052, numDF: 2, denDF: 69.0498856699242, F: 1.22966919492792, p: 0.298711457569645 },
    { term: "Time:factor(Cu)", sumSq: 2.40594786473816, meanSq: 1.20297393236908, numDF: 2, denDF: 69.0575692986394, F: 0.199253140212024, p: 0.819811835898103 },
  ],
};

test("the ANOVA table in lmerTest's layout (R 4.2's print of lmerTest's anova)", () => {
  expect(anovaLines(table)).toEqual([
    "Type III Analysis of Variance Table with Satterthwaite's method",
    "                Sum Sq Mean Sq NumDF  DenDF   F value Pr(>F)",
    "Time             44557   44557     1 69.060 7380.0744 <2e-16 ***",
    "factor(Cu)          15       7     2 69.050    1.2297 0.2987",
    "Time:factor(Cu)      2       1     2 69.058    0.1993 0.8198",
    "---",
    "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1",
  ]);
});

test("the ANOVA table as cells: numbers stay numbers, rectangular", () => {
  const cells = anovaCells(table);
  expect(cells).toHaveLength(5);
  expect(cells.every((r) => r.length === 7)).toBe(true);
  expect(cells[2]).toEqual(["Time", 44556.5734532443, 44556.5734532443, 1, 69.0597833112488, 7380.07444613753, 6.1316057010966e-72]);
});
