/** The task pane's pure parts: the model builder, the data description, the fitting service, the sample data. */
import { execFileSync } from "child_process";
import { join } from "path";
import { MixedLMError } from "../../src/engine";
import { buildFormula, buildSpec, describeData, EMPTY_BUILDER, fitBlocker, formulaProblem, termName } from "../../src/taskpane/model";
import { SAMPLE_ROWS } from "../../src/taskpane/sampleData";

describe("model builder", () => {
  const s = { ...EMPTY_BUILDER, response: "Weight", fixed: ["Time"], groups: "Pig" };

  test("formula from the choices", () => {
    expect(buildFormula(EMPTY_BUILDER)).toBe("");
    expect(buildFormula({ ...EMPTY_BUILDER, response: "Weight" })).toBe("Weight ~ 1");
    expect(buildFormula(s)).toBe("Weight ~ Time");
    expect(buildFormula({ ...s, fixed: ["Time", "Cu"] })).toBe("Weight ~ Time + Cu");
    expect(buildFormula({ ...s, fixed: ["Time", "Cu"], interactions: true })).toBe("Weight ~ Time * Cu");
    expect(buildFormula({ ...s, groups: "", extraTerms: "(1 | Pig) + (1 | Litter)" })).toBe("Weight ~ Time + (1 | Pig) + (1 | Litter)");
    expect(buildFormula({ ...s, extraTerms: "+ (1|Litter)" })).toBe("Weight ~ Time + (1|Litter)");
    expect(termName("body weight")).toBe('Q("body weight")');
    expect(termName("x.1")).toBe("x.1");
  });

  test("spec: groups, re_formula from the slopes, vc from name and column, method", () => {
    expect(buildSpec(s, "Weight ~ Time")).toEqual({ formula: "Weight ~ Time", groups: "Pig", method: "REML" });
    expect(buildSpec({ ...s, slopes: ["Time"], vcs: [{ name: "litter", column: "Litter" }], method: "ML" }, " Weight ~ Time ")).toEqual({
      formula: "Weight ~ Time", groups: "Pig", method: "ML", reFormula: "~Time", vcFormula: { litter: "0 + C(Litter)" },
    });
    // without groups, slopes and vc have nothing to attach to
    expect(buildSpec({ ...s, groups: "", slopes: ["Time"] }, "Weight ~ Time + (1|Pig)")).toEqual({ formula: "Weight ~ Time + (1|Pig)", method: "REML" });
  });

  test("formula errors are the engine's, as you type", () => {
    expect(formulaProblem("Weight ~ Time")).toBeNull();
    expect(formulaProblem("Weight ~ Time + (Time | Pig)")).toBeNull();
    expect(formulaProblem("Weight ~ Time +")).toMatch(/position 15/);
    expect(formulaProblem("Weight Time")).toMatch(/'~'/);
    expect(formulaProblem("")).toMatch(/Write a formula/);
    const data = describeData("Sheet1!A1:H862", SAMPLE_ROWS);
    expect(fitBlocker(s, "Weight ~ Time", data)).toBeNull();
    expect(fitBlocker({ ...s, groups: "" }, "Weight ~ Time", data)).toMatch(/groups/);
    expect(fitBlocker({ ...s, groups: "" }, "Weight ~ Time + (1 | Pig)", data)).toBeNull();
    expect(fitBlocker(s, "Weight ~ Time", null)).toMatch(/Use selection/);
  });

  test("the columns of the data, typed and with missing counts", () => {
    const d = describeData("Sheet1!A1:H862", SAMPLE_ROWS);
    expect(d.rows).toBe(861);
    expect(d.columns.map((c) => [c.name, c.kind, c.missing])).toEqual([
      ["Pig", "numeric", 0], ["Evit", "categorical", 0], ["Cu", "categorical", 0], ["Litter", "numeric", 0],
      ["Start", "numeric", 0], ["Weight", "numeric", 0], ["Feed", "numeric", 72], ["Time", "numeric", 0],
    ]);
    expect(d.columns[1].levels).toBe(3);
    expect(() => describeData("A1", [["only a header"]])).toThrow(MixedLMError);
  });
});

test("src/taskpane/sampleData.ts is generated from test/fixtures/data/dietox.csv and up to date", () => {
  expect(SAMPLE_ROWS.length).toBe(862);
  expect(SAMPLE_ROWS[1]).toEqual([4601, "Evit000", "Cu000", 1, 26.5, 26.5, "NA", 1]);
  execFileSync(process.execPath, [join(__dirname, "../../scripts/sample-data.js"), "--check"]);
});
