/**
 * Bundles the command line into one file, build/cli/mixedlm.js (what `npm run fit` runs), from
 * tsc's output in build/cli (npm run build:cli runs tsc, then this).
 *
 * Why one file: a fresh process loading the engine as ~80 CommonJS modules, and @stdlib's
 * distributions as several hundred more (each resolved, read and compiled on its own), spends
 * 20-60 ms before reading a byte of data; the bundle loads in a few. The CLI's figures in
 * `npm run bench` are whole processes, so this is most of what separates a small fit's process
 * from Node's own start.
 */
/* eslint-disable no-undef */
const path = require("path");
const webpack = require("webpack");

const ROOT = path.resolve(__dirname, "..");

const config = {
  mode: "production",
  target: "node20",
  entry: path.join(ROOT, "build/cli/src/cli/fit.js"),
  output: { path: path.join(ROOT, "build/cli"), filename: "mixedlm.js", library: { type: "commonjs2" } },
  devtool: false,
  performance: { hints: false },
};

webpack(config, (err, stats) => {
  if (err || stats.hasErrors()) {
    process.stderr.write(`bundle-cli: ${err ? err.message : stats.toString("errors-only")}\n`);
    process.exitCode = 1;
  }
});
