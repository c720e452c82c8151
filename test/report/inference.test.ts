/** The inference tables as cells (for the custom functions, the task pane and the summary sheet). */
import { compareModels, confint, fitModel, predictNew, varianceStdErrors, DataTable } from "../../src/engine";
import { boundLabels, comparisonTable, confintTable, inferenceJson, predictionTable, varianceRowsWithStdErr, varianceStdErrorTable } from "../../src/report/inference";
import { rectangular } from "../../src/report/tables";
import { fixtureTable } from "../helpers";

const sleep = () => fixtureTable("sleepstudy.csv");

test("the comparison table: a header and one row per model, fewest parameters first; empty cells where there is no test", () => {
  const t = comparisonTable(compareModels(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" }, ["Reaction ~ Days + (1|Subject)", "Reaction ~ 1 + (1|Subject)"]));
  expect(t[0]).toEqual(["Model", "npar", "AIC", "BIC", "logLik", "deviance", "Chisq", "Df", "Pr(>Chisq)", "Note"]);
  expect(t.slice(1).map((r) => r[1])).toEqual([3, 4, 6]);
  expect(t[1].slice(6, 9)).toEqual(["", "", ""]);
  expect(typeof t[2][6]).toBe("number");
  expect(rectangular(t)).toEqual(t);
});

test("the interval table: R's bound labels, empty cells where a method gives none", () => {
  expect(boundLabels(0.95)).toEqual(["2.5 %", "97.5 %"]);
  expect(boundLabels(0.9)).toEqual(["5 %", "95 %"]);
  expect(boundLabels(0.99)).toEqual(["0.5 %", "99.5 %"]);
  const m = fitModel(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" });
  const t = confintTable(confint(m, { method: "wald" }));
  expect(t[0]).toEqual(["Parameter", "Estimate", "2.5 %", "97.5 %"]);
  expect(t[1]).toEqual(["sd_(Intercept)|Subject", expect.any(Number), "", ""]);
  expect(typeof t[5][2]).toBe("number");
});

test("the prediction table and its JSON: one row per new row, null where there is no prediction", () => {
  const m = fitModel(sleep(), { formula: "Reaction ~ Days + (Days|Subject)" });
  const p = predictNew(m, DataTable.fromRows([["Days", "Subject"], [1, 308], ["", 308]]));
  const t = predictionTable(p);
  expect(t).toHaveLength(3);
  expect(t[2]).toEqual([2, "", "", ""]);
  const j = inferenceJson({ predictions: p });
  expect(j.predictions![1]).toEqual({ population: null, conditional: null, seFixed: null });
});

test("variance standard errors: a table, and statsmodels' rows matched by name", () => {
  const m = fitModel(fixtureTable("dietox.csv"), { formula: "Weight ~ Time", groups: "Pig" });
  const v = varianceStdErrors(m.core);
  expect(varianceStdErrorTable(v).map((r) => r[0])).toEqual(["Parameter", "var_(Intercept)|Pig", "var_Residual"]);
  const rows = varianceRowsWithStdErr(m.result.varianceRows, inferenceJson({ varianceSE: v }).varianceStdErr);
  expect(rows[0].stdErr).toBe(v.rows[0].stdErr);
  expect(rows[0].statsmodelsStdErr).toBe(m.result.varianceRows[0].statsmodelsStdErr);
});
