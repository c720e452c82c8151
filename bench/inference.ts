/**
 * The inference part of `npm run bench`: lme4's profile intervals, parametric bootstrap and
 * likelihood-ratio test on dietox's random-slope model, side by side with the engine's CLI doing
 * the same (a fresh process per run, as a user runs it: the whole process is timed, Node's start,
 * reading, fitting and the inference included). lme4 runs through bench/peers/lme4_inference.R;
 * its times are those of the inference call alone (R's start, reading and fit excluded), so the
 * ratios favour lme4.
 */
import { spawnSync } from "child_process";
import { join } from "path";

interface InferenceCase {
  name: string;
  cli: string[];
  lme4: string[];
  runs: number;
}

const FORMULA = "Weight ~ Time + (Time|Pig)";

const CASES: InferenceCase[] = [
  { name: "profile intervals (confint, method = \"profile\")", cli: ["--confint", "profile"], lme4: ["profile"], runs: 5 },
  { name: "parametric bootstrap, 1,000 refits (bootMer)", cli: ["--confint", "boot", "--nsim", "1000", "--seed", "1"], lme4: ["boot", "1000"], runs: 3 },
  { name: "likelihood-ratio test against (1|Pig), ML refits (anova)", cli: ["--compare", "Weight ~ Time + (1|Pig)"], lme4: ["lrt", "Weight ~ Time + (1|Pig)"], runs: 5 },
];

function timed(cmd: string, args: string[], timeoutMs: number): { ok: boolean; stdout: string; wallMs: number; why?: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 1 << 28 });
  const wallMs = performance.now() - t;
  if (r.error || r.status !== 0) return { ok: false, stdout: "", wallMs, why: r.error ? r.error.message : (r.stderr || "").trim().split("\n").pop() };
  return { ok: true, stdout: r.stdout, wallMs };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

/** Runs the inference cases; `out` prints a line. */
export function inferenceBench(paths: { cli: string; peers: string; dietox: string }, haveR: boolean, timeoutS: number, out: (s?: string) => void): void {
  out(`## inference on dietox, ${FORMULA} (REML)`);
  for (const c of CASES) {
    const walls: number[] = [], inner: number[] = [];
    let failed: string | undefined;
    for (let k = 0; k < c.runs && !failed; k++) {
      const r = timed(process.execPath, [paths.cli, paths.dietox, "--formula", FORMULA, ...c.cli, "--json"], timeoutS * 1000);
      if (!r.ok) { failed = r.why; break; }
      walls.push(r.wallMs);
      inner.push(JSON.parse(r.stdout).timing.inferenceMs);
    }
    out(`   ${c.name}`);
    if (failed) { out(`      engine failed: ${failed}`); continue; }
    let line = `      engine   whole CLI process ${ms(median(walls))} (inference alone ${ms(median(inner))}; median of ${c.runs})`;
    if (haveR) {
      const r = timed("Rscript", [join(paths.peers, "lme4_inference.R"), paths.dietox, FORMULA, "TRUE", ...c.lme4], timeoutS * 1000);
      if (!r.ok) out(line + `\n      lme4     failed: ${r.why}`);
      else {
        const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
        out(line);
        const w = median(walls);
        line = `      lme4     ${ms(j.inferenceMs)} for the call alone, whole Rscript ${ms(r.wallMs)}; the engine's whole process against the call alone: ${(j.inferenceMs / w).toFixed(1)}× faster, against the whole Rscript: ${(r.wallMs / w).toFixed(1)}×`;
        out(line);
      }
    } else out(line + "\n      lme4     not installed");
  }
  out();
}
