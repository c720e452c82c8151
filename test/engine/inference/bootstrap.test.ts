/**
 * The parametric bootstrap: reproducible with a seed, pinned numbers, progress and Cancel, and
 * refits that are the engine's own fits of the simulated responses.
 */
import { confint, DataTable, fitModel, parametricBootstrap } from "../../../src/engine";
import { Random } from "../../../src/engine/inference/random";
import { simulateResponse } from "../../../src/engine/inference/simulate";
import { fixedPart } from "../../../src/engine/inference/view";
import { fixtureTable } from "../../helpers";

const dietox = () => fixtureTable("dietox.csv");
const slopes = () => fitModel(dietox(), { formula: "Weight ~ Time + (Time|Pig)" });

test("the same seed gives the same intervals, bit for bit; another seed other ones", () => {
  const m = slopes();
  const a = confint(m, { method: "boot", nsim: 40, seed: 11 });
  const b = confint(m, { method: "boot", nsim: 40, seed: 11 });
  const c = confint(m, { method: "boot", nsim: 40, seed: 12 });
  expect(b.rows).toEqual(a.rows);
  expect(c.rows[0].low).not.toBe(a.rows[0].low);
  expect(a.bootstrap).toEqual({ nsim: 40, seed: 11, done: 40, failed: 0, notConverged: 0, cancelled: false });
});

test("pinned: 50 simulations with seed 2024 (computed once; a change of the generator or the simulation order fails here)", () => {
  const rows = confint(slopes(), { method: "boot", nsim: 50, seed: 2024 }).rows;
  const pinned: [string, number, number][] = [
    // recomputed when the fit moved to its unit-free internal problem with a Newton polish
    // (each refit's θ now at the optimum to ~1e-10 rather than the optimiser's tolerance: the old
    // pins moved by up to 1e-5 relative); and again when the fitted model's own polish stopped
    // trusting an unchecked step (its gradient went from 1e-5 to 1e-11; the simulations start
    // from that θ̂: the pins moved by up to 5e-8 relative)
    ["sd_(Intercept)|Pig", 3.5643379116893175, 5.319849847232378],
    ["cor_Time.(Intercept)|Pig", -0.15499539989644545, 0.3073868074017535],
    ["sd_Time|Pig", 0.53776065085018, 0.7553862980249705],
    ["sigma", 2.288469176052736, 2.5746729934109376],
    ["Intercept", 14.757968254981469, 16.867534490463886],
    ["Time", 6.792544828094502, 7.0891670031231575],
  ];
  expect(rows.map((r) => r.name)).toEqual(pinned.map((p) => p[0]));
  // the refits go through Math.log, whose last bit may differ between JavaScript engines: 1e-9
  pinned.forEach(([, lo, hi], k) => {
    expect(Math.abs(rows[k].low! - lo)).toBeLessThan(1e-9 * Math.max(1, Math.abs(lo)));
    expect(Math.abs(rows[k].high! - hi)).toBeLessThan(1e-9 * Math.max(1, Math.abs(hi)));
  });
});

test("each refit is the engine's fit of the simulated response (the same numbers as fitModel on it)", () => {
  const m = fitModel(dietox(), { formula: "Weight ~ Time + (1|Pig)" });
  const samples = parametricBootstrap(m.core, { nsim: 3, seed: 5 });
  // the same responses, simulated again, and fitted from scratch as a user would
  const rng = new Random(5);
  const core = m.core;
  const mu = fixedPart(core);
  const y = new Float64Array(mu.length);
  for (let r = 0; r < 3; r++) {
    simulateResponse({ frame: core.frame, beta: core.beta, theta: core.theta, sigma: Math.sqrt(core.sigma2) }, mu, rng, y);
    const time = core.frame.X[1], pig = core.frame.terms[0];
    const rows = Array.from({ length: y.length }, (_, i) => [y[i], time[i], pig.levels[pig.refs[i]]]);
    const fresh = fitModel(DataTable.fromRows([["Weight", "Time", "Pig"], ...rows]), { formula: "Weight ~ Time + (1|Pig)" });
    const sd = Math.sqrt(fresh.result.randomTerms[0].cov[0][0]);
    expect(Math.abs(samples.samples[0][r] - sd)).toBeLessThan(1e-6 * sd);
    expect(Math.abs(samples.samples[1][r] - Math.sqrt(fresh.result.scale))).toBeLessThan(1e-7);
    expect(Math.abs(samples.samples[2][r] - fresh.result.fixedEffects[0].coef)).toBeLessThan(1e-7);
  }
});

test("progress is reported after each refit, and returning false cancels: the intervals are from the refits done", () => {
  const m = slopes();
  const seen: number[] = [];
  const ci = confint(m, { method: "boot", nsim: 30, seed: 1, onProgress: (done, total) => { seen.push(done); expect(total).toBe(30); return done < 10; } });
  expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  expect(ci.bootstrap).toMatchObject({ nsim: 30, done: 10, cancelled: true });
  expect(ci.notes.join(" ")).toMatch(/Cancelled after 10 of 30/);
  expect(ci.rows.every((r) => Number.isFinite(r.low!) && r.low! <= r.high!)).toBe(true);
  // the first 10 refits are those of an uncancelled run with the same seed
  const full = parametricBootstrap(m.core, { nsim: 30, seed: 1 });
  const part = parametricBootstrap(m.core, { nsim: 30, seed: 1, onProgress: (d) => d < 10 });
  expect(Array.from(part.samples[0])).toEqual(Array.from(full.samples[0].subarray(0, 10)));
});

test("the simulations follow the fitted model: the fixed effects' replicates centre on the estimates with the Wald standard errors, and the intervals are near the profile ones (300 simulations)", () => {
  const m = slopes();
  const b = parametricBootstrap(m.core, { nsim: 300, seed: 1 });
  m.result.fixedEffects.forEach((fe) => {
    const xs = Array.from(b.samples[b.names.indexOf(fe.name)]);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    expect(Math.abs(mean - fe.coef)).toBeLessThan((4 * fe.stdErr) / Math.sqrt(300));
    expect(Math.abs(sd / fe.stdErr - 1)).toBeLessThan(0.15);
  });
  const boot = confint(m, { method: "boot", nsim: 300, seed: 1 }).rows;
  const prof = confint(m, { method: "profile" }).rows;
  boot.forEach((r, k) => {
    const w = prof[k].high! - prof[k].low!;
    expect(Math.abs(r.low! - prof[k].low!)).toBeLessThan(0.2 * w);
    expect(Math.abs(r.high! - prof[k].high!)).toBeLessThan(0.2 * w);
  });
});

test("bad options get a message", () => {
  const m = slopes();
  expect(() => confint(m, { method: "boot", nsim: 0 })).toThrow(/nsim must be a whole number/);
  expect(() => confint(m, { method: "boot", nsim: 2.5 })).toThrow(/nsim/);
  expect(() => confint(m, { method: "boot", seed: 0.5 })).toThrow(/seed must be a whole number/);
  expect(() => confint(m, { method: "wald", level: 1.2 })).toThrow(/between 0 and 1/);
  expect(() => confint(m, { method: "jackknife" as "wald" })).toThrow(/Unknown interval method/);
});
