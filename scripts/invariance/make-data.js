#!/usr/bin/env node
/**
 * Writes test/fixtures/data/offsets.csv: the data set of issue 9's "wrong numbers" (200 rows, 20
 * groups g of 10 rows, a covariate x between 0 and 10, a response y with a random intercept and a
 * random slope on x), from a fixed seed, so that the file can be remade exactly:
 * `node scripts/invariance/make-data.js` (`--check` exits 1 when the file differs).
 *
 * y = 5 + 0.8 x + a_g + b_g x + e, a_g ~ N(0, 1.8²), b_g ~ N(0, 0.25²), corr(a, b) = 0.3, e ~ N(0, 1).
 * Values are written with 6 decimals: the file, not the generator's doubles, is the data.
 */
const fs = require("fs");
const path = require("path");

const out = path.resolve(__dirname, "../../test/fixtures/data/offsets.csv");

/** mulberry32: a small deterministic PRNG (uniform on [0, 1)). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = mulberry32(20240909);
/** Standard normal by Box-Muller (one value per call; the second is dropped for simplicity). */
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

const lines = ["y,x,g"];
for (let g = 1; g <= 20; g++) {
  const z1 = normal(), z2 = normal();
  const a = 1.8 * z1;
  const b = 0.25 * (0.3 * z1 + Math.sqrt(1 - 0.09) * z2);
  for (let k = 0; k < 10; k++) {
    const x = 10 * uniform();
    const y = 5 + 0.8 * x + a + b * x + normal();
    lines.push(`${y.toFixed(6)},${x.toFixed(6)},G${String(g).padStart(2, "0")}`);
  }
}
const text = lines.join("\n") + "\n";
if (process.argv.includes("--check")) {
  const same = fs.existsSync(out) && fs.readFileSync(out, "utf8") === text;
  if (!same) { console.error(`${out} is not what ${__filename} makes`); process.exit(1); }
} else fs.writeFileSync(out, text);
