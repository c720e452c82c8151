/** The preview's rendering of the summary sheet's number formats (as Excel shows them). */
import { formatCellText } from "../../src/office/numberFormat";
import { P_FORMAT } from "../../src/office/layout";

test("formats of the summary sheet", () => {
  expect(formatCellText(861, "0")).toBe("861");
  expect(formatCellText(15.72358, "0.000")).toBe("15.724");
  expect(formatCellText(40.39385, "0.0000")).toBe("40.3939");
  expect(formatCellText(-0.00001, "0.000")).toBe("0.000");
  expect(formatCellText(1.5e-88, P_FORMAT)).toBe("<0.001");
  expect(formatCellText(0.0412, P_FORMAT)).toBe("0.041");
  expect(formatCellText("4601", "@")).toBe("4601");
  expect(formatCellText(true, "General")).toBe("TRUE");
  expect(formatCellText(26.5, "General")).toBe("26.5");
  expect(formatCellText(0.1 + 0.2, "General")).toBe("0.3");
  expect(formatCellText("", "0.000")).toBe("");
  expect(formatCellText(2.5, "0")).toBe("3"); // half away from zero, as Excel
});
