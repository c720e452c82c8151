/**
 * build/cli/mixedlm.js, the command line's entry (what `npm run fit` and the bench run), written
 * by scripts/bundle-cli.js from this file: it runs the bundle, mixedlm.bundle.js, with the code
 * cache that scripts/code-cache.js made of it at build time.
 *
 * Why: a fresh process spends about a third of a small fit's own time parsing the bundle and
 * compiling its functions to bytecode; V8 reads that bytecode back from the cache in a fraction
 * of it (dietox's random-slope fit: about 80 -> 68 ms whole process). Node 22 has this built in
 * (module.enableCompileCache); Node 20, which we support, does not. V8 checks the cache against
 * its version, its flags and the source, and compiles as usual when it does not match (another
 * Node.js, NODE_OPTIONS flags): the cache only ever changes the speed. Its name carries a hash
 * of the bundle, so that a bundle rebuilt without its cache never meets a stale one.
 */
"use strict";
const { readFileSync } = require("fs");
const { wrap } = require("module");
const { join } = require("path");
const { Script } = require("vm");

const bundle = join(__dirname, "mixedlm.bundle.js");
let cachedData;
try {
  cachedData = readFileSync(join(__dirname, "__CACHE_FILE__"));
} catch {
  // no cache (not made, or removed): the bundle is compiled as usual
}
// the bundle as Node wraps a CommonJS module, as code-cache.js compiled it
const script = new Script(wrap(readFileSync(bundle, "utf8")), { filename: bundle, cachedData });
script.runInThisContext()(module.exports, require, module, bundle, __dirname);
