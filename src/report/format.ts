/** Number formatting as Python's "%.Nf" does it (correct rounding, ties to even), and str.center. */

/**
 * Python's "%.{digits}f": JS toFixed rounds exact ties away from zero, Python to even; both work
 * on the exact binary value, so they differ only when that value ends exactly in 5.
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s: string;
  if (a >= 1e21) {
    s = BigInt(Math.round(a)).toString() + (digits > 0 ? "." + "0".repeat(digits) : "");
  } else {
    s = a.toFixed(digits);
    const exact = a.toFixed(Math.min(100, digits + 30));
    const tail = exact.slice(exact.indexOf(".") + 1 + digits);
    if (tail.length > 0 && tail[0] === "5" && /^50*$/.test(tail)) {
      // an exact tie: round half to even
      const down = truncated(exact, digits);
      const lastDigit = Number(down.replace(".", "").slice(-1));
      s = lastDigit % 2 === 0 ? down : a.toFixed(digits);
    }
  }
  return neg ? "-" + s : s; // Python keeps the sign of a negative number that rounds to zero: "-0.000"
}

function truncated(exact: string, digits: number): string {
  const dot = exact.indexOf(".");
  return digits === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + digits);
}

/** Python's str.center(width): CPython puts the odd space of the margin on the left when both margin and width are odd. */
export function pyCenter(s: string, width: number): string {
  const marg = width - s.length;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return " ".repeat(left) + s + " ".repeat(marg - left);
}

export function padLeft(s: string, width: number): string {
  return s.length >= width ? s : " ".repeat(width - s.length) + s;
}

export function padRight(s: string, width: number): string {
  return s.length >= width ? s : s + " ".repeat(width - s.length);
}

/** A number for a cell of text output: fixed digits, or "" when not finite (statsmodels leaves such cells empty). */
export function cellFixed(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "" : pyFixed(x, digits);
}

// ---- numbers of any magnitude -------------------------------------------------------------
// A response × 1e160 has coefficients near 1e161 and variances past the largest double; × 1e-160,
// all of them below what "%.3f" shows. Numbers print as statsmodels and R print them today, except
// a number of 1e15 or more (whose fixed-point form has more digits than a double holds) and a
// column whose every number is below what it shows (all "0.000"): those in exponent notation, as
// R's format switches (statsmodels keeps "%f" and prints 160 digits, or zeros).

/** Magnitudes from here on are written in exponent notation. */
const FIXED_BELOW = 1e15;

/** The magnitudes shown in fixed point: below 1e15. */
export function inFixedRange(x: number): boolean {
  return Math.abs(x) < FIXED_BELOW;
}

/** Python's "%.{digits}e": "1.235e+160", "4.500e-07" (a two-digit exponent at least). */
export function pyExp(x: number, digits: number): string {
  if (!Number.isFinite(x)) return pyFixed(x, digits);
  const s = x.toExponential(digits);
  const [m, e] = s.split("e");
  const sign = e[0] === "-" ? "-" : "+";
  const digitsOfE = e.replace(/^[+-]/, "");
  return `${m}e${sign}${digitsOfE.length < 2 ? "0" + digitsOfE : digitsOfE}`;
}

/** "%.{digits}f" within the fixed range, "%.{digits}e" beyond it. */
export function readableFixed(x: number, digits: number): string {
  return inFixedRange(x) || !Number.isFinite(x) ? pyFixed(x, digits) : pyExp(x, digits);
}

/** A text cell's number: readableFixed, or "" when not finite (statsmodels leaves such cells empty). */
export function cellReadable(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "" : readableFixed(x, digits);
}

/**
 * The product of numbers given as the logs of their magnitudes and a sign, in "%.{digits}e" form:
 * a variance σ² whose σ is a double but whose square is past the largest double (or below the
 * smallest), a covariance ρ σ_a σ_b alike. Exact to about 1e-14 relative, far below the digits shown.
 */
export function productText(factors: number[], digits: number): string {
  let log = 0, sign = 1;
  for (const f of factors) {
    if (f === 0) return pyExp(0, digits);
    if (!Number.isFinite(f)) return pyFixed(f, digits);
    log += Math.log10(Math.abs(f));
    if (f < 0) sign = -sign;
  }
  let e = Math.floor(log);
  let m = Number((10 ** (log - e)).toFixed(digits));
  if (m >= 10) { m /= 10; e += 1; }
  const exp = Math.abs(e) < 10 ? `0${Math.abs(e)}` : String(Math.abs(e));
  return `${sign < 0 ? "-" : ""}${m.toFixed(digits)}e${e < 0 ? "-" : "+"}${exp}`;
}

/** σ² as text when it is not a double of its own (σ finite, σ² overflowed or underflowed to 0). */
export function squareText(sd: number, digits: number): string {
  return productText([sd, sd], digits);
}

/**
 * A number in the units of a variance (a variance, its standard error, a sum of squares) given
 * also as relative × σ × σ: the number where it is a double of full precision, else its text from
 * that product ("1.852400e+320" for a response × 1e160). Null stays null.
 */
export function varianceUnitsOrText(v: number | null, relative: number | null, sigma: number, digits: number): number | string | null {
  if (v === null || relative === null) return null;
  if (isFullVariance(v) && (v !== 0 || relative === 0)) return v;
  return Number.isFinite(relative) && Number.isFinite(sigma) ? productText([relative, sigma, sigma], digits) : v;
}

/** The smallest positive double with full precision: below it a variance keeps only some of its digits. */
const NORMAL_MIN = 2.2250738585072014e-308;

/** Whether a variance, as a double, is what it should be: finite, and zero or a normal number (else its text comes from its standard deviation). */
export function isFullVariance(v: number): boolean {
  return Number.isFinite(v) && (v === 0 || Math.abs(v) >= NORMAL_MIN);
}

/**
 * A column in exponent notation as R's format(x, digits) writes one: each number to `digits`
 * significant digits, all with the mantissa decimals the most precise of them needs. Entries
 * given as text (a variance computed from its standard deviation) are already in that form.
 */
export function scientificColumn(values: (number | string | null)[], digits: number, missing = ""): string[] {
  const decimalsOf = (x: number) => {
    const m = pyExp(x, digits - 1).split("e")[0].replace(/0+$/, "").replace(/\.$/, "");
    const dot = m.indexOf(".");
    return dot < 0 ? 0 : m.length - dot - 1;
  };
  const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const dec = Math.max(0, ...nums.map(decimalsOf));
  return values.map((v) => (typeof v === "string" ? v : v === null || Number.isNaN(v) ? missing : Number.isFinite(v) ? pyExp(v, dec) : v > 0 ? "Inf" : "-Inf"));
}

/**
 * Whether a column needs exponent notation: a number of 1e15 or more, an entry given as text, or
 * numbers that are all below `tinyBelow` (and not all zero): what a fixed format shows of them is
 * zeros. Non-finite entries do not count.
 */
export function needsScientific(values: (number | string | null)[], tinyBelow: number): boolean {
  const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.some((v) => typeof v === "string") || nums.some((v) => !inFixedRange(v))) return true;
  return nums.some((v) => v !== 0) && nums.every((v) => Math.abs(v) < tinyBelow);
}
