/**
 * What the end-to-end tests share: dist/ (built when missing or older than its sources), served
 * from a copy over http on localhost, and Debian's Chromium driven by playwright-core (never a
 * downloaded browser). Needs /usr/bin/chromium and fails, not skips, without it.
 */
import { execFileSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "fs";
import type { Server } from "http";
import { tmpdir } from "os";
import { join } from "path";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

export const ROOT = join(__dirname, "../..");
const DIST = join(ROOT, "dist");
const CHROMIUM = "/usr/bin/chromium";

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const f of readdirSync(path)) m = Math.max(m, newestMtime(join(path, f)));
  return m;
}

/** dist/ is missing or older than what it is built from. */
function distIsStale(): boolean {
  const page = join(DIST, "taskpane.js");
  if (!existsSync(join(DIST, "taskpane.html")) || !existsSync(page)) return true;
  const built = statSync(page).mtimeMs;
  const sources = Math.max(newestMtime(join(ROOT, "src")), statSync(join(ROOT, "webpack.config.js")).mtimeMs);
  return sources > built;
}

export interface Served {
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

export async function serveDistToChromium(): Promise<Served> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the end-to-end tests need Debian's Chromium. Install it with \`apt-get install -y chromium\` (.ci/run does this on CI).`);
  }
  if (distIsStale()) {
    execFileSync(process.execPath, [join(ROOT, "node_modules/webpack-cli/bin/cli.js"), "--mode", "production"], { cwd: ROOT, stdio: "pipe", timeout: 200_000 });
  }
  // serve a copy, so that a rebuild of dist/ meanwhile cannot pull files from under the page
  const served = mkdtempSync(join(tmpdir(), "mixedlm-e2e-"));
  cpSync(DIST, served, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serve } = require("../../scripts/serve.js") as { serve: (dir: string, port: number) => Promise<{ server: Server; url: string }> };
  const { server, url } = await serve(served, 0);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  return {
    browser,
    url,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(served, { recursive: true, force: true });
    },
  };
}
