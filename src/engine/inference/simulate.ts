/**
 * Responses simulated from a fitted model, as lme4's simulate (use.u = FALSE): new random
 * effects b ~ N(0, σ² Λ Λ') and new residuals ε ~ N(0, σ²) around X β̂,
 *   y* = X β̂ + Z b + ε.
 * The draws are taken in a fixed order (each term in the frame's order, its levels in order, the
 * effects of a level in order; then one residual per row), so that a seed gives the same y* on
 * every machine (random.ts).
 */
import { ModelFrame } from "../model";
import { Random } from "./random";

export interface SimulationModel {
  frame: ModelFrame;
  beta: Float64Array;
  theta: Float64Array;
  sigma: number;
}

/** Writes one simulated response into y, given the fixed part mu = X β̂ (view.ts's fixedPart). */
export function simulateResponse(m: SimulationModel, mu: Float64Array, rng: Random, y: Float64Array): void {
  const { frame, theta, sigma } = m;
  const n = mu.length;
  y.set(mu);
  for (const t of frame.terms) {
    const q = t.q;
    const T = new Float64Array(q * q);
    for (let e = 0; e < q * q; e++) T[e] = t.thetaIndex[e] >= 0 ? theta[t.thetaIndex[e]] : 0;
    // b_l = σ T u_l, u_l ~ N(0, I)
    const nl = t.levels.length;
    const b = new Float64Array(nl * q);
    const u = new Float64Array(q);
    for (let l = 0; l < nl; l++) {
      for (let c = 0; c < q; c++) u[c] = rng.normal();
      for (let r = 0; r < q; r++) {
        let s = 0;
        for (let c = 0; c <= r; c++) s += T[c * q + r] * u[c];
        b[l * q + r] = sigma * s;
      }
    }
    for (let i = 0; i < n; i++) {
      const lv = t.refs[i];
      if (lv < 0) continue;
      let s = 0;
      for (let c = 0; c < q; c++) { const z = t.z[c]; s += (z === null ? 1 : z[i]) * b[lv * q + c]; }
      y[i] += s;
    }
  }
  for (let i = 0; i < n; i++) y[i] += sigma * rng.normal();
}
