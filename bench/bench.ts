/**
 * `npm run bench`: the engine's fit times side by side with statsmodels' and lme4's, in one run.
 *
 * Every figure is measured here, now: the engine through its CLI in fresh processes (what a user
 * sees, cold JIT included) and warm in one process; statsmodels and lme4 through the small
 * scripts in bench/peers, when a Python with statsmodels and an R with lme4 are installed
 * (`apt-get install -y python3-statsmodels python3-pandas r-base-core r-cran-lme4`).
 *
 * Cases: the dietox models of the reference tests; a generated 1,000,000-row data set in 5,000
 * groups with a correlated random intercept and slope; lme4's InstEval (crossed: 2,972 students ×
 * 1,128 instructors; exported with R, skipped with a note when R is absent), also with
 * MixedModels.jl's fixed effects (service*factor(dept), 28 of them); a generated crossed design of
 * 1,000,000 rows.
 *
 * Then the inference: profile intervals, a 1,000-refit parametric bootstrap and a likelihood-ratio
 * test of dietox's random-slope model against lme4's (bench/inference.ts); the tests of fixed
 * effects with denominator df (bench/ddf.ts): Satterthwaite's df and the type III table on
 * InstEval beside the fit's own time, and lmerTest's; Kenward-Roger on generated models of 1,000
 * to 20,000 rows, beside pbkrtest until it stops (--only inference runs all of these).
 *
 * Options: --quick (dietox only), --no-peers, --timeout SECONDS (per peer run, default 900),
 * --statsmodels-large (also time statsmodels on the million-row slope model: many minutes),
 * --data-dir DIR (generated and exported data; default bench/.data), --only NAME[,NAME],
 * --kr-timeout SECONDS (per pbkrtest run, default 120), --no-inference.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdirSync } from "fs";
import { join, resolve } from "path";
import { writeCrossed, writeRandomSlopes } from "./generate";
import { ddfBench } from "./ddf";
import { inferenceBench } from "./inference";

const ROOT = resolve(__dirname, "../../..");
const BUILD = resolve(__dirname, "..");
/** The command line as users run it (`npm run fit`): one bundled file (scripts/bundle-cli.js). */
const CLI = join(BUILD, "mixedlm.js");
const PEAK = join(BUILD, "bench/peakRss.js");
const ENGINE_FIT = join(BUILD, "bench/engineFit.js");
const PEERS = join(ROOT, "bench/peers");

interface SmSpec { formula: string; groups: string; re_formula?: string | null; vc_formula?: Record<string, string> | null; reml: boolean }
interface Case {
  name: string;
  /** Path of the CSV, created on demand. */
  data: () => string | null;
  dataNote?: string;
  cli: string[];
  engineSpec: object;
  statsmodels: SmSpec | null;
  statsmodelsNote?: string;
  lme4: { formula: string; REML: boolean } | null;
  freshRuns: number;
  warmRepeats: number;
  peerRepeats: number;
  large: boolean;
}

interface Measure { fitMs: number[]; llf: number; peakRssMB?: number; readMs?: number; note?: string; extra?: string }

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const option = (f: string) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
const timeoutS = Number(option("--timeout") ?? 900);
const dataDir = resolve(option("--data-dir") ?? join(ROOT, "bench/.data"));
const only = option("--only")?.split(",");
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

function run(cmd: string, args: string[], timeoutMs = timeoutS * 1000): { ok: boolean; stdout: string; stderr: string; wallMs: number; why?: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t;
  if (r.error) return { ok: false, stdout: "", stderr: "", wallMs, why: (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `> ${timeoutS} s` : r.error.message };
  if (r.status !== 0) return { ok: false, stdout: r.stdout, stderr: r.stderr, wallMs, why: (r.stderr || "").trim().split("\n").pop() || `exit ${r.status}` };
  return { ok: true, stdout: r.stdout, stderr: r.stderr, wallMs };
}

function findPython(): string | null {
  for (const p of [process.env.PYTHON, "/usr/bin/python3", "python3"].filter(Boolean) as string[]) {
    if (run(p, ["-c", "import statsmodels, pandas"], 60000).ok) return p;
  }
  return null;
}
function findR(): boolean {
  return run("Rscript", ["-e", "suppressPackageStartupMessages(library(lme4))"], 60000).ok;
}
function version(cmd: string, args: string[]): string {
  const r = run(cmd, args, 60000);
  return r.ok ? r.stdout.trim() : "?";
}

/** lme4's InstEval as CSV, exported with R once (null when R with lme4 is absent). */
function instEval(): string | null {
  const path = join(dataDir, "InstEval.csv");
  if (existsSync(path)) return path;
  if (!haveR) return null;
  mkdirSync(dataDir, { recursive: true });
  process.stderr.write(`exporting InstEval from R's lme4 to ${path}...\n`);
  const r = run("Rscript", [join(PEERS, "export_insteval.R"), path]);
  return r.ok ? path : null;
}

/** A fit of lme4's InstEval (crossed; no statsmodels fit), same formula for the engine and lme4. */
function instEvalCase(formula: string): Case {
  return {
    name: `InstEval ${formula}`, data: instEval,
    dataNote: "skipped: InstEval ships with R's lme4, and R with lme4 is not installed",
    cli: ["--formula", formula], engineSpec: { formula },
    statsmodels: null, statsmodelsNote: "n/a (crossed)",
    lme4: { formula, REML: true },
    freshRuns: 3, warmRepeats: 3, peerRepeats: 1, large: true,
  };
}

function generated(name: string, make: (path: string) => void): () => string {
  return () => {
    const path = join(dataDir, name);
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      process.stderr.write(`generating ${path}...\n`);
      make(path);
    }
    return path;
  };
}

let haveR = false;
const dietox = join(ROOT, "test/fixtures/data/dietox.csv");
const cases: Case[] = [
  {
    name: "dietox random intercept, REML", data: () => dietox,
    cli: ["--formula", "Weight ~ Time", "--groups", "Pig"], engineSpec: { formula: "Weight ~ Time", groups: "Pig" },
    statsmodels: { formula: "Weight ~ Time", groups: "Pig", reml: true }, lme4: { formula: "Weight ~ Time + (1|Pig)", REML: true },
    freshRuns: 15, warmRepeats: 30, peerRepeats: 10, large: false,
  },
  {
    name: "dietox random intercept, ML", data: () => dietox,
    cli: ["--formula", "Weight ~ Time", "--groups", "Pig", "--method", "ml"], engineSpec: { formula: "Weight ~ Time", groups: "Pig", method: "ML" },
    statsmodels: { formula: "Weight ~ Time", groups: "Pig", reml: false }, lme4: { formula: "Weight ~ Time + (1|Pig)", REML: false },
    freshRuns: 15, warmRepeats: 30, peerRepeats: 10, large: false,
  },
  {
    name: "dietox random slope, REML", data: () => dietox,
    cli: ["--formula", "Weight ~ Time", "--groups", "Pig", "--re-formula", "~Time"], engineSpec: { formula: "Weight ~ Time", groups: "Pig", reFormula: "~Time" },
    statsmodels: { formula: "Weight ~ Time", groups: "Pig", re_formula: "~Time", reml: true }, lme4: { formula: "Weight ~ Time + (Time|Pig)", REML: true },
    freshRuns: 15, warmRepeats: 30, peerRepeats: 10, large: false,
  },
  {
    name: "generated slopes, 1M rows, 5000 groups", data: generated("slopes_1m.csv", (p) => writeRandomSlopes(p, 5000, 200)),
    cli: ["--formula", "y ~ x", "--groups", "g", "--re-formula", "~x"], engineSpec: { formula: "y ~ x", groups: "g", reFormula: "~x" },
    statsmodels: flag("--statsmodels-large") ? { formula: "y ~ x", groups: "g", re_formula: "~x", reml: true } : null,
    statsmodelsNote: "skipped (--statsmodels-large)",
    lme4: { formula: "y ~ x + (x|g)", REML: true },
    freshRuns: 3, warmRepeats: 3, peerRepeats: 1, large: true,
  },
  instEvalCase("y ~ service + (1|s) + (1|d)"),
  // the InstEval model of MixedModels.jl's documentation and benchmarks (28 fixed effects)
  instEvalCase("y ~ 1 + service*factor(dept) + (1|s) + (1|d)"),
  {
    name: "generated crossed, 1M rows, 10000 x 1000", data: generated("crossed_1m.csv", (p) => writeCrossed(p, 10000, 1000, 1000000)),
    cli: ["--formula", "y ~ x + (1|subject) + (1|item)"], engineSpec: { formula: "y ~ x + (1|subject) + (1|item)" },
    statsmodels: null, statsmodelsNote: "n/a (crossed)",
    lme4: { formula: "y ~ x + (1|subject) + (1|item)", REML: true },
    freshRuns: 2, warmRepeats: 2, peerRepeats: 1, large: true,
  },
];

function engineFresh(c: Case, path: string): Measure & { wallMs: number[] } {
  const fit: number[] = [], wall: number[] = [], read: number[] = [], peak: number[] = [];
  let llf = NaN;
  for (let k = 0; k < c.freshRuns; k++) {
    const r = run(process.execPath, ["--require", PEAK, CLI, path, ...c.cli, "--json"]);
    if (!r.ok) return { fitMs: [], llf: NaN, wallMs: [], note: r.why };
    const j = JSON.parse(r.stdout);
    fit.push(j.timing.fitMs);
    read.push(j.timing.parseMs);
    wall.push(r.wallMs);
    llf = j.logLik;
    const m = /peak-rss-kb (\d+)/.exec(r.stderr);
    if (m) peak.push(Number(m[1]) / 1024);
  }
  return { fitMs: fit, wallMs: wall, readMs: median(read), llf, peakRssMB: Math.max(...peak) };
}

function engineWarm(c: Case, path: string): Measure {
  const r = run(process.execPath, [ENGINE_FIT, path, JSON.stringify(c.engineSpec), String(c.warmRepeats + 1)]);
  if (!r.ok) return { fitMs: [], llf: NaN, note: r.why };
  const j = JSON.parse(r.stdout);
  return { fitMs: j.fitMs.slice(1), llf: j.logLik };
}

function statsmodels(python: string, c: Case, path: string): Measure {
  const r = run(python, [join(PEERS, "statsmodels_fit.py"), path, JSON.stringify(c.statsmodels), String(c.peerRepeats)]);
  if (!r.ok) return { fitMs: [], llf: NaN, note: r.why };
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { fitMs: j.fitMs, llf: j.llf, peakRssMB: j.peakRssMB, readMs: j.readMs, extra: j.converged ? "" : " (not converged)" };
}

function lme4(c: Case, path: string): Measure {
  const r = run("Rscript", [join(PEERS, "lme4_fit.R"), path, c.lme4!.formula, c.lme4!.REML ? "TRUE" : "FALSE", String(c.peerRepeats)]);
  if (!r.ok) return { fitMs: [], llf: NaN, note: r.why };
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { fitMs: j.fitMs, llf: j.llf, peakRssMB: j.peakRssMB, readMs: j.readMs, extra: j.singular ? " (singular)" : "" };
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const peerCell = (m: Measure | null, note?: string) => (!m ? note ?? "not installed" : m.note ? m.note : `${ms(median(m.fitMs))}${m.fitMs.length > 1 ? ` (first ${ms(m.fitMs[0])})` : ""}${m.extra ?? ""}`);

function main(): void {
  const peers = !flag("--no-peers");
  const python = peers ? findPython() : null;
  haveR = peers && findR();
  const lines: string[] = [];
  const out = (s = "") => { lines.push(s); process.stdout.write(s + "\n"); };
  out("MixedLM for Excel: benchmark (fit times; medians over runs; 'fresh' = a new CLI process per run)");
  out(`engine: Node ${process.version}; statsmodels: ${python ? version(python, ["-c", "import statsmodels; print(statsmodels.__version__)"]) : "not installed"}; lme4: ${haveR ? version("Rscript", ["-e", "cat(as.character(packageVersion('lme4')))"]) : "not installed"}`);
  out();
  for (const c of cases) {
    if (flag("--quick") && c.large) continue;
    if (only && !only.some((o) => c.name.toLowerCase().includes(o.toLowerCase()))) continue;
    const path = c.data();
    out(`## ${c.name}`);
    if (!path) { out(`   ${c.dataNote}`); out(); continue; }
    const fresh = engineFresh(c, path);
    if (fresh.note) { out(`   engine failed: ${fresh.note}`); out(); continue; }
    const warm = engineWarm(c, path);
    const sm = c.statsmodels && python ? statsmodels(python, c, path) : null;
    const lm = c.lme4 && haveR ? lme4(c, path) : null;
    const fitFresh = median(fresh.fitMs);
    out(`   engine       fit ${ms(fitFresh)} fresh (warm ${warm.fitMs.length ? ms(median(warm.fitMs)) : "?"}); read ${ms(fresh.readMs!)}; whole CLI process ${ms(median(fresh.wallMs))}, peak ${fresh.peakRssMB!.toFixed(0)} MB; logLik ${fresh.llf.toFixed(4)}`);
    const peerLine = (label: string, m: Measure | null, note?: string) => {
      let s = `   ${label.padEnd(12)} fit ${peerCell(m, note)}`;
      if (m && !m.note) {
        s += `; read ${ms(m.readMs!)}; peak ${m.peakRssMB!.toFixed(0)} MB; logLik ${m.llf.toFixed(4)} (engine − peer ${(fresh.llf - m.llf).toExponential(1)})`;
        s += `; engine fresh is ${(median(m.fitMs) / fitFresh).toFixed(1)}× faster`;
      }
      out(s);
    };
    peerLine("statsmodels", sm, c.statsmodels ? (python ? undefined : "not installed") : c.statsmodelsNote);
    peerLine("lme4", lm, haveR ? undefined : "not installed");
    out();
  }
  if (flag("--no-inference")) return;
  if (!only || only.some((o) => "inference".includes(o.toLowerCase()))) inferenceBench({ cli: CLI, peers: PEERS, dietox }, haveR, timeoutS, out);
  if (!flag("--quick")) {
    ddfBench({ out, run, haveR, dataDir, instEval, only, median, ms, krTimeoutS: Number(option("--kr-timeout") ?? 120), cli: CLI, peers: PEERS });
  }
}

main();
