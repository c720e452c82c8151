#!/usr/bin/env node
/**
 * `npm start`: serves the add-in from the webpack dev server (https://localhost:3000/ when a
 * development certificate is installed, plain http otherwise) and prints how to sideload
 * manifest.xml into Excel. It does not start Excel: office-addin-debugging, which the Office
 * templates use for that, needs Excel on this machine (see the README).
 *
 *   npm start                 dev server + instructions
 *   npm start -- --no-serve   the instructions only
 */
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const PORT = Number(process.env.PORT || 3000);
const certDir = path.join(os.homedir(), ".office-addin-dev-certs");
const haveCert =
  (process.env.DEV_CERT && process.env.DEV_KEY) ||
  (fs.existsSync(path.join(certDir, "localhost.crt")) && fs.existsSync(path.join(certDir, "localhost.key")));
const scheme = haveCert ? "https" : "http";
const manifest = path.join(ROOT, "manifest.xml");

function instructions() {
  const lines = [
    "",
    "MixedLM for Excel: development server",
    `  task pane + functions page  ${scheme}://localhost:${PORT}/taskpane.html`,
    `  custom functions metadata   ${scheme}://localhost:${PORT}/functions.json`,
    `  manifest                    ${manifest}`,
    "",
  ];
  if (!haveCert) {
    lines.push(
      "No development certificate: serving plain http, which a browser accepts but Excel does not.",
      "Excel loads add-ins over https only; install a trusted localhost certificate once with",
      "  npx office-addin-dev-certs install",
      "(or point DEV_CERT and DEV_KEY at a certificate and key) and run npm start again.",
      "",
    );
  }
  lines.push(
    "Sideload manifest.xml (it points at https://localhost:3000/):",
    "  Excel on the web   Insert > Add-ins > Upload My Add-in (More Add-ins > Upload on some tenants),",
    "                     choose manifest.xml.",
    "  Excel on Windows   put manifest.xml in a shared-folder catalog (File > Options > Trust Center >",
    "                     Trusted Add-in Catalogs), restart Excel, then Insert > My Add-ins > Shared Folder;",
    "                     or, with Excel installed: npx office-addin-debugging start manifest.xml",
    "  Excel on Mac       copy manifest.xml to",
    "                     ~/Library/Containers/com.microsoft.Excel/Data/Documents/wef/ and restart Excel;",
    "                     the add-in is under Insert > My Add-ins (developer add-ins).",
    "Then Home > Mixed Model opens the task pane, and =MIXEDLM.FIT(...) works in any cell.",
    "Outside Excel, open the task pane URL in a browser: it runs on a sample workbook.",
    "",
  );
  return lines.join("\n");
}

console.log(instructions());
if (process.argv.includes("--no-serve")) process.exit(0);

const child = spawn(process.execPath, [path.join(ROOT, "node_modules/webpack-cli/bin/cli.js"), "serve", "--mode", "development"], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, PORT: String(PORT) },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
