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
