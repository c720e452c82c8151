/**
 * Seeded random numbers that are the same on every machine: xoshiro128** (Blackman and Vigna)
 * on 32-bit integers (Math.imul, shifts: exact everywhere), uniforms from 53 of its bits, and
 * normals by Marsaglia's polar method with a logarithm written here in +, −, ×, ÷ (rounded the
 * same way by every IEEE 754 machine) instead of Math.log, whose last bit may differ between
 * JavaScript engines. sqrt is correctly rounded by IEEE 754, so it may be used.
 */

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** Any integer seed (of magnitude below 2^53); the state comes from SplitMix32 steps on it. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`The seed must be a whole number, not ${seed}`);
    // fold the 53-bit seed into two 32-bit words, then SplitMix32 fills the state
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with the given state (four 32-bit words, not all zero): for tests against the reference code. */
  static fromState(state: [number, number, number, number]): Random {
    const r = new Random(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((v) => v >>> 0);
    return r;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1), a multiple of 2^-53. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Marsaglia's polar method: two per accepted pair). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    for (;;) {
      const u = 2 * this.uniform() - 1, v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * portableLog(s)) / s);
      this.spare = v * f;
      return u * f;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LN2_HI = 6.93147180369123816490e-01; // ln 2 to 32 bits: e × LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;
const SQRT_HALF = Math.SQRT1_2;
const view = new DataView(new ArrayBuffer(8));

/**
 * Natural logarithm of a positive finite x in basic arithmetic only: x = m 2^e with m in
 * [√½, √2) (exponent read from the bits), ln m = 2 atanh(t), t = (m − 1)/(m + 1), |t| < 0.172,
 * by 12 terms of its series (the next is below 1e-20). Accurate to about 1 ulp.
 */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  let e = 0;
  if (x < 2.2250738585072014e-308) { x *= 18014398509481984; e = -54; } // subnormal: scale by 2^54
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  view.setUint32(0, (hi & 0x800fffff) | 0x3ff00000); // exponent 0: m in [1, 2)
  let m = view.getFloat64(0);
  if (m >= Math.SQRT2) { m /= 2; e += 1; }
  if (m < SQRT_HALF) { m *= 2; e -= 1; }
  const t = (m - 1) / (m + 1), t2 = t * t;
  let s = 1 / 25;
  for (let k = 11; k >= 0; k--) s = 1 / (2 * k + 1) + t2 * s;
  return e * LN2_HI + (e * LN2_LO + 2 * t * s);
}
