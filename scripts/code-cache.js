/**
 * Makes V8's code cache of the command line's bundle (see scripts/cli-loader.js for why):
 *
 *   node scripts/code-cache.js build/cli/mixedlm.bundle.js build/cli/mixedlm.bundle.HASH.cache
 *
 * Run by scripts/bundle-cli.js in a process of its own with Node's default flags: V8 accepts a
 * cache only under the flags it was made with, and a user runs `node build/cli/mixedlm.js`
 * without any. The bundle is compiled as the loader compiles it, then runs what most runs do
 * (a fit printed as text, a statsmodels-style fit as JSON, profile intervals) on a small
 * generated data set, so that the functions those runs call are compiled when the cache is
 * taken; the others (df tests, bootstrap, ...) are left out, to keep the cache, which every run
 * reads, small, and compile on first use as before. Nothing is written when a run fails: the
 * command line then works without a cache.
 */
/* eslint-disable no-undef */
const { mkdtempSync, rmSync, writeFileSync } = require("fs");
const { readFileSync } = require("fs");
const { wrap } = require("module");
const { tmpdir } = require("os");
const path = require("path");
const { Script } = require("vm");

const [bundleArg, cacheArg] = process.argv.slice(2);
const bundle = path.resolve(bundleArg);

/** 40 groups of 10 rows with a random intercept and slope, and a factor of three levels (a fixed linear congruential generator: the same file every build). */
function generatedData(file) {
  let seed = 1;
  const u = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const rows = ["y,x,g,c"];
  for (let g = 0; g < 40; g++) {
    const a = 3 * (u() - 0.5), b = u() - 0.5;
    for (let i = 0; i < 10; i++) {
      const x = i + u();
      rows.push(`${(10 + a + (2 + b) * x + (g % 3) + 2 * (u() - 0.5)).toFixed(4)},${x.toFixed(3)},g${g},${"abc"[g % 3]}`);
    }
  }
  writeFileSync(file, rows.join("\n") + "\n");
}

const dir = mkdtempSync(path.join(tmpdir(), "mixedlm-code-cache-"));
try {
  const data = path.join(dir, "data.csv");
  generatedData(data);
  const runs = [
    [data, "--formula", "y ~ x + C(c) + (x|g)"],
    [data, "--formula", "y ~ x", "--groups", "g", "--re-formula", "~x", "--json"],
    [data, "--formula", "y ~ x + (x|g)", "--confint", "profile"],
  ];
  // the runs must leave V8's flags as they are (the CLI tunes its optimisation budget on small data)
  require("v8").setFlagsFromString = () => {};
  const script = new Script(wrap(readFileSync(bundle, "utf8")), { filename: bundle });
  const write = process.stdout.write;
  process.stdout.write = () => true;
  const mod = { exports: {} };
  try {
    // evaluating the bundle runs the command line on process.argv (the first run), then main() the others
    process.argv = [process.argv[0], bundle, ...runs[0]];
    script.runInThisContext()(mod.exports, require, mod, bundle, path.dirname(bundle));
    for (const argv of runs.slice(1)) if (mod.exports.main(argv) !== 0) process.exitCode = 1;
  } finally {
    process.stdout.write = write;
  }
  if (process.exitCode) throw new Error("a run of the command line failed");
  writeFileSync(cacheArg, script.createCachedData());
} catch (e) {
  process.stderr.write(`code-cache: no cache made (${e.message}); the command line works without one, compiling as it starts.\n`);
  process.exitCode = 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
