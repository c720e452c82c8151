/**
 * Excel's number formats, for the few the summary sheet uses ("General", "@", "0", "0.0",
 * "0.000", "0.0000", their exponent forms "0.000E+00", and the p-value format
 * '[<0.001]"<0.001";0.000'), so that the workbook
 * preview shows a cell as Excel would. Not a general implementation of Excel's format language.
 */

/** The text Excel shows for a value under a format. */
export function formatCellText(value: unknown, format = "General"): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return "#NUM!";
  if (format === "@") return String(value);
  const sections = splitSections(format);
  const conditional = /^\[([<>]=?|=)(-?[\d.]+)\](.*)$/.exec(sections[0]);
  if (conditional) {
    const [, op, bound, rest] = conditional;
    const b = Number(bound);
    const holds = op === "<" ? value < b : op === "<=" ? value <= b : op === ">" ? value > b : op === ">=" ? value >= b : value === b;
    return holds ? section(value, rest) : section(value, sections[1] ?? "General");
  }
  return section(value, sections[0]);
}

function splitSections(format: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of format) {
    if (ch === '"') quoted = !quoted;
    if (ch === ";" && !quoted) { out.push(cur); cur = ""; continue; }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function section(value: number, fmt: string): string {
  const literal = /^"(.*)"$/.exec(fmt);
  if (literal) return literal[1];
  const fixed = /^0(?:\.(0+))?$/.exec(fmt);
  if (fixed) return round(value, fixed[1]?.length ?? 0);
  // "0.000E+00": a mantissa with that many decimals, a signed exponent of two digits at least
  const scientific = /^0(?:\.(0+))?E\+00$/.exec(fmt);
  if (scientific) {
    const [m, e] = value.toExponential(scientific[1]?.length ?? 0).split("e");
    const exp = Number(e);
    return `${m}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return general(value);
}

/** Excel rounds half away from zero; toFixed works on the binary value, which a tiny nudge corrects. */
function round(value: number, digits: number): string {
  const nudged = value + Math.sign(value) * Math.abs(value) * Number.EPSILON;
  const s = nudged.toFixed(digits);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** "General": up to 11 significant digits, exponent form for very large or small numbers. */
function general(value: number): string {
  if (value === 0) return "0";
  const a = Math.abs(value);
  if (a >= 1e11 || a < 1e-9) return value.toExponential(5).replace(/\.?0+e/, "E").replace("e", "E");
  return String(Number(value.toPrecision(a >= 1 ? 11 : 10)));
}
