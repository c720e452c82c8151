#!/usr/bin/env node
/**
 * `npm run validate`: checks manifest.xml offline (scripts/manifest-check.js) — office-addin-
 * manifest's validator needs Microsoft's web service.
 *
 *   node scripts/validate-manifest.js                    manifest.xml, against the project's files
 *   node scripts/validate-manifest.js --dist             also dist/manifest.xml, against dist/
 *   node scripts/validate-manifest.js FILE --base URL --dir DIR
 *
 * Exits 1 on an error; warnings are printed but pass.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { checkManifest } = require("./manifest-check");

const ROOT = path.resolve(__dirname, "..");
const DEV_URL = "https://localhost:3000/";
/** What webpack writes into dist/ (webpack.config.js): not in the source tree. */
const BUILD_OUTPUTS = ["taskpane.html", "functions.js", "functions.json"];

function arg(name) {
  const k = process.argv.indexOf(name);
  return k > 0 ? process.argv[k + 1] : undefined;
}

/** The base URL of a built manifest: the address its task pane page is served from. */
function baseOf(text) {
  const m = /<bt:Url id="Taskpane\.Url" DefaultValue="([^"]*?)taskpane\.html"/.exec(text);
  return m ? m[1] : undefined;
}

function run(file, options) {
  const text = fs.readFileSync(file, "utf8");
  const { errors, warnings } = checkManifest(text, options);
  const name = path.relative(process.cwd(), file) || file;
  for (const w of warnings) console.warn(`${name}: warning: ${w}`);
  for (const e of errors) console.error(`${name}: error: ${e}`);
  if (errors.length === 0) console.log(`${name}: valid (served from ${options.baseUrl || "?"})`);
  return errors.length;
}

const positional = process.argv.slice(2).filter((a, k, all) => !a.startsWith("--") && !["--base", "--dir"].includes(all[k - 1]));
let failures = 0;
if (positional.length > 0) {
  for (const f of positional) {
    const text = fs.readFileSync(f, "utf8");
    failures += run(f, { baseUrl: arg("--base") || baseOf(text), dir: arg("--dir") || path.dirname(path.resolve(f)) });
  }
} else {
  failures += run(path.join(ROOT, "manifest.xml"), { baseUrl: DEV_URL, dir: ROOT, generated: BUILD_OUTPUTS });
  if (process.argv.includes("--dist")) {
    const built = path.join(ROOT, "dist", "manifest.xml");
    if (!fs.existsSync(built)) {
      console.error("dist/manifest.xml does not exist: run `npm run build` first");
      failures++;
    } else {
      failures += run(built, { baseUrl: baseOf(fs.readFileSync(built, "utf8")), dir: path.join(ROOT, "dist") });
    }
  }
}
process.exit(failures > 0 ? 1 : 0);
