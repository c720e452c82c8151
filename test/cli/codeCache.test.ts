/**
 * The command line's code cache (scripts/cli-loader.js, scripts/code-cache.js): the build leaves
 * an entry that names a cache V8 accepts in a fresh process with Node's default flags, and the
 * command line prints the same without it (the cache only ever changes the speed).
 */
import { spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const BUILD = join(__dirname, "../../build/cli");
const DIETOX = join(__dirname, "../fixtures/data/dietox.csv");
const ENTRY = join(BUILD, "mixedlm.js");

/** Node's default flags, as a user's `node build/cli/mixedlm.js` has them. */
function defaultEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

function cacheName(): string {
  const m = /"(mixedlm\.bundle\.[0-9a-f]+\.cache)"/.exec(readFileSync(ENTRY, "utf8"));
  if (!m) throw new Error("the entry names no cache");
  return m[1];
}

test("the entry names the cache the build made, and V8 accepts it in a fresh process", () => {
  const cache = join(BUILD, cacheName());
  expect(existsSync(cache)).toBe(true);
  const check = `
    const { readFileSync } = require("fs"), { wrap } = require("module"), { Script } = require("vm");
    const s = new Script(wrap(readFileSync(${JSON.stringify(join(BUILD, "mixedlm.bundle.js"))}, "utf8")), { filename: ${JSON.stringify(join(BUILD, "mixedlm.bundle.js"))}, cachedData: readFileSync(${JSON.stringify(cache)}) });
    process.stdout.write(String(s.cachedDataRejected));`;
  const r = spawnSync(process.execPath, ["-e", check], { encoding: "utf8", env: defaultEnv() });
  expect(r.stdout).toBe("false");
});

test("without its cache the command line prints the same (profile intervals of dietox)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mixedlm-nocache-"));
  copyFileSync(ENTRY, join(dir, "mixedlm.js"));
  copyFileSync(join(BUILD, "mixedlm.bundle.js"), join(dir, "mixedlm.bundle.js"));
  const args = [DIETOX, "--formula", "Weight ~ Time + (Time|Pig)", "--confint", "profile"];
  const withCache = spawnSync(process.execPath, [ENTRY, ...args], { encoding: "utf8", env: defaultEnv() });
  const without = spawnSync(process.execPath, [join(dir, "mixedlm.js"), ...args], { encoding: "utf8", env: defaultEnv() });
  expect(withCache.status).toBe(0);
  expect(without.status).toBe(0);
  expect(without.stdout).toBe(withCache.stdout);
  expect(withCache.stdout).toContain("Profile confidence intervals");
});
