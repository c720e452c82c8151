/**
 * Bundles the command line into one file, build/cli/mixedlm.bundle.js, from tsc's output in
 * build/cli (npm run build:cli runs tsc, then this); writes its entry, build/cli/mixedlm.js (what
 * `npm run fit` runs: scripts/cli-loader.js), and V8's code cache of the bundle beside it
 * (scripts/code-cache.js).
 *
 * Why one file: a fresh process loading the engine as ~80 CommonJS modules, and @stdlib's
 * distributions as several hundred more (each resolved, read and compiled on its own), spends
 * 20-60 ms before reading a byte of data; the bundle loads in a few. The CLI's figures in
 * `npm run bench` are whole processes, so this is most of what separates a small fit's process
 * from Node's own start. The code cache takes most of the rest: the bundle's parsing and
 * compiling to bytecode (cli-loader.js).
 */
/* eslint-disable no-undef */
const { createHash } = require("crypto");
const { execFileSync } = require("child_process");
const { readdirSync, readFileSync, rmSync, writeFileSync } = require("fs");
const path = require("path");
const webpack = require("webpack");

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "build/cli");
const BUNDLE = "mixedlm.bundle.js";

const config = {
  mode: "production",
  target: "node20",
  entry: path.join(OUT, "src/cli/fit.js"),
  output: { path: OUT, filename: BUNDLE, library: { type: "commonjs2" } },
  devtool: false,
  performance: { hints: false },
};

/** The entry and the code cache, named after the bundle's hash (cli-loader.js says why); older caches go. */
function entryAndCache() {
  const hash = createHash("sha256").update(readFileSync(path.join(OUT, BUNDLE))).digest("hex").slice(0, 16);
  const cacheFile = `mixedlm.bundle.${hash}.cache`;
  for (const f of readdirSync(OUT)) if (/^mixedlm\.bundle\..*\.cache$/.test(f)) rmSync(path.join(OUT, f));
  const loader = readFileSync(path.join(__dirname, "cli-loader.js"), "utf8").replace("__CACHE_FILE__", cacheFile);
  writeFileSync(path.join(OUT, "mixedlm.js"), loader);
  // Node's default flags (no NODE_OPTIONS), as a user's `node build/cli/mixedlm.js` has them
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  execFileSync(process.execPath, [path.join(__dirname, "code-cache.js"), path.join(OUT, BUNDLE), path.join(OUT, cacheFile)], { env, stdio: "inherit" });
}

webpack(config, (err, stats) => {
  if (err || stats.hasErrors()) {
    process.stderr.write(`bundle-cli: ${err ? err.message : stats.toString("errors-only")}\n`);
    process.exitCode = 1;
    return;
  }
  entryAndCache();
});
