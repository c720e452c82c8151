/** The worksheet formula that fits the same model as the task pane: =MIXEDLM.FIT(data, formula, groups, options). */
import type { ModelSpec } from "../engine";
import { absoluteAddress } from "./a1";

/** A text argument: quotes doubled, as Excel strings need. */
export function excelString(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** The options text of a spec: "method=ML; re_formula=~Time; vc=cask:0 + C(cask)" ("" when all are defaults). */
export function optionsText(spec: ModelSpec): string {
  const parts: string[] = [];
  if (spec.method === "ML") parts.push("method=ML");
  if (spec.reFormula && spec.reFormula.trim() !== "") parts.push(`re_formula=${spec.reFormula.trim()}`);
  for (const [name, f] of Object.entries(spec.vcFormula ?? {})) parts.push(`vc=${name}:${f.trim()}`);
  return parts.join("; ");
}

/** =MIXEDLM.FIT(Sheet1!$A$1:$H$862, "Weight ~ Time", "Pig", "method=ML"); trailing empty arguments are left out. */
export function fitFormula(dataAddress: string, spec: ModelSpec): string {
  const args = [absoluteAddress(dataAddress), excelString(spec.formula)];
  const groups = spec.groups ? spec.groups.trim() : "";
  const options = optionsText(spec);
  if (groups !== "" || options !== "") args.push(excelString(groups));
  if (options !== "") args.push(excelString(options));
  return `=MIXEDLM.FIT(${args.join(", ")})`;
}
