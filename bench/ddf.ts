/**
 * The inference part of `npm run bench`: tests of the fixed effects with denominator df, the
 * engine through its CLI in fresh processes (timing.fitMs and timing.inferenceMs of its JSON),
 * lmerTest and pbkrtest through bench/peers/lmertest_inference.R on the same data.
 *  - InstEval, y ~ service + (1|s) + (1|d): Satterthwaite's df and the type III table, against
 *    the fit's own time (the engine's target: no more than the fit), and lmerTest's against lme4's;
 *  - Kenward-Roger on 1,000 to 20,000 rows (the engine's target: 20,000 rows in at most 5 s), and
 *    pbkrtest (through lmerTest's summary and anova, and its vcovAdj alone) until a size takes
 *    longer than --kr-timeout or fails: a longitudinal model, y ~ x + (x|g) with 20 rows per
 *    group (pbkrtest's n×n matrices stay block-diagonal and sparse there), and a crossed one,
 *    y ~ x + (1|subject) + (1|item) with 20 rows per subject and 50 items (they are dense).
 */
import { existsSync, mkdirSync } from "fs";
import { join } from "path";
import { writeCrossed, writeRandomSlopes } from "./generate";

interface RunResult { ok: boolean; stdout: string; stderr: string; wallMs: number; why?: string }

export interface DdfBenchContext {
  out: (s?: string) => void;
  run: (cmd: string, args: string[], timeoutMs?: number) => RunResult;
  haveR: boolean;
  dataDir: string;
  instEval: () => string | null;
  only?: string[];
  median: (xs: number[]) => number;
  ms: (x: number) => string;
  krTimeoutS: number;
  cli: string;
  peers: string;
}

interface EngineTiming { fitMs: number; inferenceMs: number; wallMs: number; df: number[]; denDF: number[] }

/** Median timings of `runs` fresh CLI processes. */
function engine(ctx: DdfBenchContext, path: string, args: string[], runs: number): EngineTiming | string {
  const fit: number[] = [], inf: number[] = [], wall: number[] = [];
  let last: { fixedEffects: { df: number }[]; anova?: { rows: { denDF: number }[] } } | null = null;
  for (let k = 0; k < runs; k++) {
    const r = ctx.run(process.execPath, [ctx.cli, path, ...args, "--json"]);
    if (!r.ok) return r.why ?? "failed";
    const j = JSON.parse(r.stdout);
    fit.push(j.timing.fitMs);
    inf.push(j.timing.inferenceMs);
    wall.push(r.wallMs);
    last = j;
  }
  return { fitMs: ctx.median(fit), inferenceMs: ctx.median(inf), wallMs: ctx.median(wall), df: last!.fixedEffects.map((f) => f.df), denDF: (last!.anova?.rows ?? []).map((x) => x.denDF) };
}

interface PeerTiming { fitMs: number; inferenceMs: number; df: number[]; denDF: number[] }

function peer(ctx: DdfBenchContext, path: string, formula: string, ddf: string, extra: string[], timeoutS: number): PeerTiming | string {
  const r = ctx.run("Rscript", [join(ctx.peers, "lmertest_inference.R"), path, formula, ddf, "3", ...extra], timeoutS * 1000);
  if (!r.ok) return r.why?.startsWith(">") ? `> ${timeoutS} s` : r.why ?? "failed";
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const worstRel = (a: number[], b: number[]) => Math.max(0, ...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));

function instEvalSatterthwaite(ctx: DdfBenchContext): void {
  const formula = "y ~ service + (1|s) + (1|d)";
  ctx.out(`## Satterthwaite's df and the type III table, InstEval ${formula}`);
  const path = ctx.instEval();
  if (!path) { ctx.out("   skipped: InstEval ships with R's lme4, and R with lme4 is not installed"); ctx.out(); return; }
  const e = engine(ctx, path, ["--formula", formula, "--ddf", "satterthwaite", "--anova", "3"], 3);
  if (typeof e === "string") { ctx.out(`   engine failed: ${e}`); ctx.out(); return; }
  ctx.out(`   engine       fit ${ctx.ms(e.fitMs)}, tests ${ctx.ms(e.inferenceMs)} (${(e.inferenceMs / e.fitMs).toFixed(2)}× the fit); whole CLI process ${ctx.ms(e.wallMs)}`);
  if (!ctx.haveR) { ctx.out("   lmerTest     not installed"); ctx.out(); return; }
  const p = peer(ctx, path, formula, "Satterthwaite", [], 900);
  if (typeof p === "string") { ctx.out(`   lmerTest     failed: ${p}`); ctx.out(); return; }
  ctx.out(`   lme4+lmerTest fit ${ctx.ms(p.fitMs)}, tests ${ctx.ms(p.inferenceMs)} (${(p.inferenceMs / p.fitMs).toFixed(2)}× the fit); engine's tests ${(p.inferenceMs / e.inferenceMs).toFixed(1)}× faster; df agree to ${worstRel(e.df, p.df).toExponential(1)}, DenDF to ${worstRel(e.denDF, p.denDF).toExponential(1)}`);
  ctx.out();
}

interface KrSeries { formula: string; title: string; file: (n: number) => string; write: (path: string, n: number) => void }

const KR_SERIES: KrSeries[] = [
  { formula: "y ~ x + (x|g)", title: "longitudinal, 20 rows per group", file: (n) => `kr_slopes_${n}.csv`, write: (path, n) => writeRandomSlopes(path, n / 20, 20, 7) },
  { formula: "y ~ x + (1|subject) + (1|item)", title: "crossed, 20 rows per subject, 50 items", file: (n) => `kr_crossed_${n}.csv`, write: (path, n) => writeCrossed(path, n / 20, 50, n, 11) },
];

function krSeries(ctx: DdfBenchContext, series: KrSeries): void {
  ctx.out(`## Kenward-Roger (coefficient table and type III table), ${series.formula} (${series.title})`);
  let peersStopped: string | null = ctx.haveR ? null : "not installed";
  for (const n of [1000, 2000, 5000, 10000, 20000]) {
    const path = join(ctx.dataDir, series.file(n));
    if (!existsSync(path)) { mkdirSync(ctx.dataDir, { recursive: true }); series.write(path, n); }
    const e = engine(ctx, path, ["--formula", series.formula, "--ddf", "kenward-roger", "--anova", "3"], 3);
    const eCell = typeof e === "string" ? `failed: ${e}` : `fit ${ctx.ms(e.fitMs)}, Kenward-Roger ${ctx.ms(e.inferenceMs)}, whole process ${ctx.ms(e.wallMs)}`;
    let pCell = peersStopped ?? "";
    if (!peersStopped) {
      const p = peer(ctx, path, series.formula, "Kenward-Roger", [], ctx.krTimeoutS);
      const v = typeof p === "string" ? p : peer(ctx, path, series.formula, "Kenward-Roger", ["vcovAdj"], ctx.krTimeoutS);
      if (typeof p === "string" || typeof v === "string") {
        peersStopped = `stopped at ${n} rows (${typeof p === "string" ? p : v})`;
        pCell = peersStopped;
      } else {
        const agree = typeof e === "string" ? "" : `; df agree to ${worstRel(e.df, p.df).toExponential(1)}`;
        pCell = `lmerTest ${ctx.ms(p.inferenceMs)}, vcovAdj alone ${ctx.ms(v.inferenceMs)}${agree}`;
      }
    }
    ctx.out(`   ${String(n).padStart(6)} rows  engine ${eCell}`);
    ctx.out(`   ${" ".repeat(11)} pbkrtest ${pCell}`);
  }
  ctx.out();
}

export function ddfBench(ctx: DdfBenchContext): void {
  const wanted = (name: string) => !ctx.only || ctx.only.some((o) => name.toLowerCase().includes(o.toLowerCase()));
  if (wanted("inference satterthwaite instEval")) instEvalSatterthwaite(ctx);
  for (const series of KR_SERIES) if (wanted(`inference kenward-roger ${series.title}`)) krSeries(ctx, series);
}
