/**
 * fitMixedModel: data + specification → a fitted linear mixed model.
 *
 * The model is first brought to its internal problem, with every column on a unit-free footing
 * (standardize.ts). Its rows are read once into cross-product blocks; the optimiser then minimises
 * the profiled deviance (β and σ² profiled out) over θ, each evaluation one update of the blocked
 * Cholesky factor; the results are read off the factor at the optimum and mapped back to the
 * data's scale.
 */
import { BlockedFactor } from "./blocked";
import { crossProducts, CrossProducts, TermData } from "./crossprod";
import { backSolveTransposed, inverseFromCholesky } from "./dense";
import { MixedLMError } from "./errors";
import { buildModel, Method, ModelFrame, ModelSpec } from "./model";
import { DENSE_GRADIENT_MAX, denseGradient } from "./gradient";
import { centralDifferences } from "./finiteDifferences";
import { minimize, newtonPolish, OptimizeResult } from "./optimizer";
import { fillReducingPlan, SparseCholeskyPlan } from "./ordering";
import { Standardization, standardize } from "./standardize";
import { smallTermGradient } from "./smallTermGradient";
import { momentStart } from "./start";
import { DataTable } from "./table";

const LOG_2PI = Math.log(2 * Math.PI);

/** How a deviance lays the terms out: their factorisation order, the order of their levels, and what the cross-products read of them. */
interface TermLayout {
  order: number[];
  levelPerm: (Int32Array | null)[];
  termData: TermData[];
  plans: (SparseCholeskyPlan | null)[];
  cp?: CrossProducts;
}

/** Terms by number of levels, most first; in crossed designs, the second term's levels in a fill-reducing order (ordering.ts). */
function termLayout(frame: ModelFrame, fillReducing: boolean): TermLayout {
  const order = frame.terms.map((_, k) => k).sort((a, b) => frame.terms[b].levels.length - frame.terms[a].levels.length || a - b);
  const termData = order.map((k) => {
    const t = frame.terms[k];
    return { nLevels: t.levels.length, q: t.q, refs: t.refs, z: t.z };
  });
  // the second term's blocks are then indexed by the new order; ProfiledDeviance.levelOf maps back
  const levelPerm: (Int32Array | null)[] = order.map(() => null);
  const plans: (SparseCholeskyPlan | null)[] = order.map(() => null);
  if (fillReducing && termData.length >= 2 && termData[1].q === 1) {
    const plan = fillReducingPlan(termData[0].refs, termData[0].nLevels, termData[1].refs, termData[1].nLevels);
    if (plan) {
      const pos = new Int32Array(plan.perm.length);
      plan.perm.forEach((old, l) => { pos[old] = l; });
      termData[1] = { ...termData[1], refs: termData[1].refs.map((r) => (r >= 0 ? pos[r] : -1)) };
      levelPerm[1] = plan.perm;
      plans[1] = plan;
    }
  }
  return { order, levelPerm, termData, plans };
}

/** The profiled deviance (−2 × log-likelihood, REML or ML) as a function of θ, and the factor behind it. */
export class ProfiledDeviance {
  /** The frame fitted; setResponse replaces its response. */
  frame: ModelFrame;
  /** Terms in factorisation order (most levels first); order[k] = index into frame.terms. */
  readonly order: number[];
  readonly cp: CrossProducts;
  readonly factor: BlockedFactor;
  readonly n: number;
  readonly p: number;
  readonly reml: boolean;
  /** Per term (factorisation order): original level of each level index of the factor, or null when unchanged. */
  readonly levelPerm: (Int32Array | null)[];
  evaluations = 0;

  /**
   * `fillReducing: false` keeps every level in the frame's order (for tests of the ordered factor).
   * `sameProblem`: a deviance of this same (internal) frame by another method, whose order of
   * terms and levels and whose cross-products are taken over instead of computed again (those
   * that setResponse rewrites copied, so that the two stay independent): the ML refit of a REML
   * fit, on which profiles are based.
   */
  constructor(frame: ModelFrame, method: Method = frame.method, options: { fillReducing?: boolean; sameProblem?: ProfiledDeviance } = {}) {
    this.frame = frame;
    const layout = options.sameProblem ? ProfiledDeviance.layoutOf(options.sameProblem) : termLayout(frame, options.fillReducing !== false);
    this.order = layout.order;
    this.levelPerm = layout.levelPerm;
    this.termData = layout.termData;
    this.cp = layout.cp ?? crossProducts(frame.y, frame.X, layout.termData);
    this.factor = new BlockedFactor(this.cp, layout.plans);
    this.n = frame.y.length;
    this.p = frame.X.length;
    this.reml = method === "REML";
    this.work = this.order.map((k) => new Float64Array(frame.terms[k].q ** 2));
  }

  /** Another deviance's layout and cross-products: Z'Z shared (never written once made), [X y]'Z and [X y]'[X y] copied (setResponse rewrites their y parts). */
  private static layoutOf(d: ProfiledDeviance): TermLayout & { cp: CrossProducts } {
    const cp: CrossProducts = { ...d.cp, xz: d.cp.xz.map((m) => Float64Array.from(m)), xx: Float64Array.from(d.cp.xx) };
    return { order: d.order, levelPerm: d.levelPerm, termData: d.termData, plans: d.factor.plans, cp };
  }

  /** The terms as the cross-products see them (factorisation order, levels permuted). */
  private readonly termData: TermData[];

  /**
   * Swaps the response for y (same rows): only the cross-products that involve y (X'y, y'y,
   * Z'y) are recomputed, in one pass; Z'Z, X'Z, X'X and the factor's structure are kept. The
   * bootstrap and the profiles refit many responses this way, each through fitCore as usual.
   */
  setResponse(y: Float64Array): void {
    const cp = this.cp, X = this.frame.X, p = this.p, p1 = p + 1, n = this.n;
    if (y.length !== n) throw new Error(`setResponse: ${y.length} values for ${n} rows`);
    for (let a = 0; a < p; a++) {
      const x = X[a];
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * y[i];
      cp.xx[a * p1 + p] = cp.xx[p * p1 + a] = s;
    }
    let yy = 0;
    for (let i = 0; i < n; i++) yy += y[i] * y[i];
    cp.xx[p * p1 + p] = yy;
    this.frame = { ...this.frame, y };
    this.termData.forEach((t, j) => {
      const m = cp.xz[j], q = t.q;
      for (let e = p; e < m.length; e += p1) m[e] = 0;
      for (let i = 0; i < n; i++) {
        const lv = t.refs[i];
        if (lv < 0) continue;
        for (let c = 0; c < q; c++) { const z = t.z[c]; m[(lv * q + c) * p1 + p] += (z === null ? 1 : z[i]) * y[i]; }
      }
    });
    this.current = null;
  }

  /** The frame's level index of level l of factorisation term j. */
  levelOf(j: number, l: number): number {
    const perm = this.levelPerm[j];
    return perm ? perm[l] : l;
  }

  /** Relative covariance factor templates T_k (factorisation order) from θ, in fresh arrays. */
  templates(theta: ArrayLike<number>): Float64Array[] {
    const out = this.order.map((k) => new Float64Array(this.frame.terms[k].q ** 2));
    this.fillTemplates(theta, out);
    return out;
  }

  private readonly work: Float64Array[];

  private fillTemplates(theta: ArrayLike<number>, out: Float64Array[]): void {
    for (let j = 0; j < this.order.length; j++) {
      const map = this.frame.terms[this.order[j]].thetaIndex;
      const T = out[j];
      for (let e = 0; e < T.length; e++) {
        const idx = map[e];
        T[e] = idx >= 0 ? theta[idx] : 0;
      }
    }
  }

  /** Updates the factor at θ; false when [X y] is not positive definite there. */
  update(theta: ArrayLike<number>): boolean {
    this.evaluations++;
    this.fillTemplates(theta, this.work);
    const ok = this.factor.update(this.work);
    this.current = ok ? Float64Array.from(theta) : null;
    return ok;
  }

  /** θ of the factor's current state (null when the last update failed). */
  private current: Float64Array | null = null;

  /** Updates the factor at θ unless it is already there (the optimiser's last point often is). */
  updateIfNeeded(theta: ArrayLike<number>): boolean {
    const c = this.current;
    if (c && c.length === theta.length && c.every((v, i) => v === theta[i])) return true;
    return this.update(theta);
  }

  deviance(theta: ArrayLike<number>): number {
    if (!this.update(theta)) return Infinity;
    return this.devianceFromFactor();
  }

  /** −2 log L from the current factor: lme4's formulas, equal to statsmodels' log-likelihood with its constants. */
  devianceFromFactor(): number {
    const f = this.factor;
    const r2 = f.pwrss();
    if (!(r2 > 0)) return Infinity;
    const ldZ = f.logDetZ();
    if (this.reml) {
      const dof = this.n - this.p;
      return ldZ + f.logDetX() + dof * (1 + LOG_2PI + Math.log(r2 / dof));
    }
    return ldZ + this.n * (1 + LOG_2PI + Math.log(r2 / this.n));
  }

  /** Whether `gradient` is available: one random-effect term (any q), e.g. statsmodels' re_formula models. */
  get hasGradient(): boolean {
    return this.factor.K === 1;
  }

  /**
   * Analytic gradient of the deviance at the θ of the last update (one term only). With
   * Ψ = T T' and, per level g, P_g = Z_g'V⁻¹Z_g, s_g = Z_g'V⁻¹r and Q_g = Z_g'V⁻¹X (V = I + ZΨZ'):
   *   ∂f/∂Ψ = G = Σ_g P_g − (c / r²) s_g s_g' − [REML] Q_g (X'V⁻¹X)⁻¹ Q_g',   c = n (ML) or n − p (REML)
   * and ∂f/∂T = 2 G T. Each piece comes from the factor: with B = L_g⁻¹ T' M_g (M_g = Z_g'Z_g),
   * P_g = M_g − B'B and Z_g'V⁻¹[X y] = Z_g'[X y] − B' Y_g, Y_g being the level's block of L[X][1]'.
   * A term of one or two effects takes smallTermGradient's unrolled pass, to the same bits.
   */
  gradient(out: Float64Array): void {
    if (this.cp.terms[0].q <= 2) {
      const thetaIndex = this.frame.terms[this.order[0]].thetaIndex;
      smallTermGradient({ factor: this.factor, T: this.work[0], thetaIndex, reml: this.reml, c: this.reml ? this.n - this.p : this.n }, out);
      return;
    }
    this.gradientAnyTerm(out);
  }

  /**
   * gradient() for a term of any number of effects (and smallTermGradient's reference in tests).
   *
   * One function, longer than a screen, on purpose: it runs at every evaluation, and split into
   * named steps it measured slower in a fresh process (what a user waits for): with the level loop
   * in a function of its own, dietox's profile intervals took 15% longer, with only the last ten
   * lines (∂f/∂T) moved out 6% (medians of 40 interleaved runs of the CLI).
   */
  gradientAnyTerm(out: Float64Array): void {
    const f = this.factor;
    const cp = this.cp;
    const q = cp.terms[0].q;
    const nl = cp.terms[0].nLevels;
    const p = this.p, p1 = p + 1;
    const T = this.work[0];
    const L = f.Ldiag[0], LX = f.LX[0], LXX = f.LXX, A = cp.diag[0], AX = cp.xz[0];
    const r2 = f.pwrss();
    const c = this.reml ? this.n - p : this.n;
    // β; R_X (lower, in L[X][X]) for the REML term
    const beta = f.beta();
    const G = new Float64Array(q * q);
    const B = new Float64Array(q * q);
    const Zv = new Float64Array(q * p1);
    const sv = new Float64Array(q);
    const U = new Float64Array(p * q);
    for (let g = 0; g < nl; g++) {
      const mo = g * q * q;
      // B = T' M_g, then L_g⁻¹ B (forward substitution, column by column)
      for (let col = 0; col < q; col++) for (let a = 0; a < q; a++) {
        let s = 0;
        for (let k = a; k < q; k++) s += T[a * q + k] * A[mo + col * q + k];
        B[col * q + a] = s;
      }
      for (let col = 0; col < q; col++) {
        for (let a = 0; a < q; a++) {
          let s = B[col * q + a];
          for (let k = 0; k < a; k++) s -= L[mo + k * q + a] * B[col * q + k];
          B[col * q + a] = s / L[mo + a * q + a];
        }
      }
      // G += M_g − B'B
      for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
        let s = A[mo + b * q + a];
        for (let k = 0; k < q; k++) s -= B[a * q + k] * B[b * q + k];
        G[b * q + a] += s;
      }
      // Zv = Z'[X y] − B'Y  (q × p1); Z'[X y][a, col] = AX[(g q + a) p1 + col], Y[a, col] = LX[(g q + a) p1 + col]
      for (let col = 0; col < p1; col++) for (let a = 0; a < q; a++) {
        let s = AX[(g * q + a) * p1 + col];
        for (let k = 0; k < q; k++) s -= B[a * q + k] * LX[(g * q + k) * p1 + col];
        Zv[col * q + a] = s;
      }
      for (let a = 0; a < q; a++) {
        let s = Zv[p * q + a];
        for (let k = 0; k < p; k++) s -= Zv[k * q + a] * beta[k];
        sv[a] = s;
      }
      const w = c / r2;
      for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) G[b * q + a] -= w * sv[a] * sv[b];
      if (this.reml && p > 0) {
        // U = R_X⁻¹ Q' (p × q), Q = Zv[:, 0..p-1], solved on L[X][X] itself (no copy of R_X at each evaluation); G −= U'U
        for (let a = 0; a < q; a++) {
          for (let r = 0; r < p; r++) {
            let s = Zv[r * q + a];
            for (let k = 0; k < r; k++) s -= LXX[k * p1 + r] * U[a * p + k];
            U[a * p + r] = s / LXX[r * p1 + r];
          }
        }
        for (let b = 0; b < q; b++) for (let a = 0; a < q; a++) {
          let s = 0;
          for (let k = 0; k < p; k++) s += U[a * p + k] * U[b * p + k];
          G[b * q + a] -= s;
        }
      }
    }
    // ∂f/∂T = 2 G T, summed onto θ
    out.fill(0);
    const map = this.frame.terms[this.order[0]].thetaIndex;
    for (let col = 0; col < q; col++) for (let r = col; r < q; r++) {
      const idx = map[col * q + r];
      if (idx < 0) continue;
      let s = 0;
      for (let k = 0; k < q; k++) s += G[k * q + r] * T[col * q + k];
      out[idx] += 2 * s;
    }
  }
}

/** Per-term results of the random effects, in the order of frame.terms. */
export interface TermEstimates {
  /** Relative covariance factor T (q×q column-major lower triangle). */
  T: Float64Array;
  /** Covariance on the data's scale: σ² T T' (q×q, column-major). */
  cov: Float64Array;
  /** Conditional modes (BLUPs), nLevels × q, level-major. */
  blups: Float64Array;
}

/**
 * The estimates of the internal problem (standardize.ts), on its scale: what the blocked factor
 * works with. Terms are in frame order, except `u` (factorisation order, as the factor holds it).
 */
export interface InternalEstimates {
  theta: Float64Array;
  minusTwoLogLik: number;
  beta: Float64Array;
  /** σ²_int (R_X R_X')⁻¹. */
  betaCov: Float64Array;
  sigma2: number;
  /** T_k,int per term (frame order). */
  T: Float64Array[];
  /** Conditional modes of the internal effects per term (frame order, frame level order). */
  blups: Float64Array[];
  u: Float64Array[];
}

/**
 * A fitted model. Every numeric field is on the DATA's scale (the response's and the columns'
 * own units, lme4's θ); the optimisation ran on the internal problem of `transform`, and
 * `deviance` (its cross-products and blocked factor) is that internal problem's, left at
 * `internal.theta`.
 */
export interface FitCore {
  frame: ModelFrame;
  /** The profiled deviance of the internal problem (transform.internal): its θ is internal.theta's kind. */
  deviance: ProfiledDeviance;
  /** The optimiser's result, on the internal problem (x: internal θ, f: internal deviance). */
  optimum: OptimizeResult;
  /** lme4's θ: the relative factors on the data's columns. */
  theta: Float64Array;
  /** −2 log-likelihood at the optimum (REML or ML as fitted). */
  minusTwoLogLik: number;
  beta: Float64Array;
  /** Covariance of β̂: σ² (X'V⁻¹X)⁻¹, p×p column-major. */
  betaCov: Float64Array;
  sigma2: number;
  terms: TermEstimates[];
  fitted: Float64Array;
  residuals: Float64Array;
  /** Spherical random effects u, b = Λ u (factorisation order, per term), on the data's scale. */
  u: Float64Array[];
  /**
   * The map between the data's problem and the internal one that was optimised (standardize.ts:
   * y_int = (y − X_int γ)/s, X_int = X B, Z_k,int = Z_k D_k; β = B(γ + s β_int), σ² = s² σ²_int,
   * T_k T_k' = D_k T_k,int T_k,int' D_k', −2 log L = −2 log L_int + 2c log s − [REML] 2 log|det B|).
   * Inference that works on `deviance` maps through it: transform.internalTheta(θ),
   * transform.theta(T_int), transform.beta(β_int), transform.internalResponse(y).
   */
  transform: Standardization;
  /** The internal problem's estimates, at which `deviance`'s factor stands. */
  internal: InternalEstimates;
}

/**
/**
 * Options of fitCore. `refit` and `start` are for refits (src/engine/inference): the same rows
 * and design with another response, fitted through the first fit's transform and a
 * ProfiledDeviance on its internal problem built once (refitContext in inference/view.ts), its
 * response swapped by setResponse(transform.internalResponse(y)); frame.y must then be that
 * response y. `start` is a θ (lme4's, on the data's columns) to start from instead of the
 * moment start.
 */
export interface FitCoreOptions {
  fillReducing?: boolean;
  refit?: { transform: Standardization; deviance: ProfiledDeviance };
  start?: Float64Array;
  /**
   * Only the criterion's value is wanted (a likelihood-ratio test's, a profile's base): θ to the
   * optimiser's tolerance is enough (the criterion is flat there), so the polish's first step is
   * taken without a look, as for a refit.
   */
  criterionOnly?: boolean;
}

/**
 * Fits the model: brings it to its internal, unit-free problem (standardize.ts), optimises θ
 * there, reads β, σ², the covariances and the BLUPs off the factor at the optimum, and maps them
 * back to the data's scale.
 */
export function fitCore(frame: ModelFrame, options: FitCoreOptions = {}): FitCore {
  const transform = options.refit?.transform ?? standardize(frame);
  const dev = options.refit?.deviance ?? new ProfiledDeviance(transform.internal, frame.method, options);
  const optimum = leaveFalseBoundary(dev, optimizeTheta(dev, options.start ? transform.internalTheta(options.start) : null));
  const theta = canonicalTheta(dev.frame, thetaAtOptimum(dev, optimum, options.refit !== undefined || options.criterionOnly === true));
  if (!dev.updateIfNeeded(theta)) {
    throw new MixedLMError("model", "The model could not be factorised at its optimum; check that the fixed effects are not collinear.");
  }
  const internal = internalEstimates(dev, theta);
  const residuals = internalResiduals(dev.frame, internal);
  return { frame, deviance: dev, optimum, transform, internal, ...reportedEstimates(frame, transform, internal, residuals, dev.order) };
}

/**
 * The optimiser's θ taken to the optimum itself: small variances put at zero where the deviance
 * allows (snapToBoundary), then Newton steps (polish), and the snap tried again where the polish
 * brought a variance the optimiser left above the snapping range into it.
 */
function thetaAtOptimum(dev: ProfiledDeviance, optimum: OptimizeResult, refit: boolean): Float64Array {
  const snapped = snapToBoundary(dev, optimum.x, optimum.f, optimum.hessian ?? null, []);
  // the optimiser's last value and gradient, where θ is still its point
  const at = snapped.fixed.length === 0 && optimum.gradientAt ? { f: optimum.f, g: optimum.gradientAt } : null;
  const polished = polish(dev, snapped.x, snapped.fixed, snapped.hessian, at, refit);
  if (snapCandidates(dev, polished, snapped.fixed).length === 0) return polished;
  const again = snapToBoundary(dev, polished, dev.deviance(polished), null, snapped.fixed);
  return again.fixed.length > snapped.fixed.length ? polish(dev, again.x, again.fixed, again.hessian, null, refit) : polished;
}

/**
 * A variance the optimiser left at or near zero where the deviance falls away from zero is not
 * at its boundary optimum: the deviance is even in a diagonal θ_k, so θ_k = 0 is a stationary
 * point, a maximum along θ_k there, and a Newton step cut back to the point's own scale can land
 * on it exactly (then the gradient vanishes and the optimiser stops, "converged"). Each such
 * entry is tried at OFF_BOUNDARY; where the deviance is lower there, the optimiser starts again
 * from that point.
 */
function leaveFalseBoundary(dev: ProfiledDeviance, optimum: OptimizeResult): OptimizeResult {
  let best = optimum;
  for (const k of snapCandidates(dev, optimum.x, [], true)) {
    const x = Float64Array.from(best.x);
    x[k] = OFF_BOUNDARY;
    if (!(dev.deviance(x) < best.f - SNAP_TOLERANCE)) continue;
    const r = optimizeTheta(dev, x);
    if (r.f < best.f) best = { ...r, evaluations: best.evaluations + r.evaluations + 1, iterations: best.iterations + r.iterations };
  }
  return best;
}

/**
 * Minimises the profiled deviance from `start` (a refit's, internal) or the moment-based start (or
 * lme4's θ = 1). A deviance that is not finite even there means nothing is left for the variances
 * (the response fitted exactly); any other exception is a fault of the engine's and is not
 * relabelled as that (it once turned a profile's infinite first step into "fitted exactly").
 */
function optimizeTheta(dev: ProfiledDeviance, start0: Float64Array | null): OptimizeResult {
  const valueAndGradient = dev.hasGradient
    ? (theta: Float64Array, g: Float64Array) => {
        const v = dev.deviance(theta);
        if (Number.isFinite(v)) dev.gradient(g);
        return v;
      }
    : undefined;
  const start = (start0 && startAt(dev, start0)) || startingTheta(dev);
  if (!Number.isFinite(start.f)) {
    throw new MixedLMError("model", "The fixed-effects design and the response leave no residual variation (the response is fitted exactly); a mixed model cannot be estimated.");
  }
  // the factor is at the start: its gradient costs no second update
  const g0 = valueAndGradient ? new Float64Array(start.theta.length) : undefined;
  if (g0) dev.gradient(g0);
  return minimize((theta) => dev.deviance(theta), start.theta, { valueAndGradient, f0: start.f, g0, newtonFirst: start.fromMoments });
}

/** β, σ², u and the BLUPs of the internal problem, read off the factor (updated at θ). */
function internalEstimates(dev: ProfiledDeviance, theta: Float64Array): InternalEstimates {
  const frame = dev.frame;
  const minusTwoLogLik = dev.devianceFromFactor();
  const { beta, betaCovUnscaled } = solveBeta(dev);
  const n = dev.n;
  const p = dev.p;
  const sigma2 = dev.factor.pwrss() / (dev.reml ? n - p : n);
  const betaCov = betaCovUnscaled.map((v) => v * sigma2);
  const u = solveU(dev, beta);
  const templates = dev.templates(theta);
  const T: Float64Array[] = new Array(frame.terms.length);
  const blups: Float64Array[] = new Array(frame.terms.length);
  dev.order.forEach((k, j) => {
    const q = frame.terms[k].q;
    const Tj = templates[j];
    const nl = frame.terms[k].levels.length;
    const b = new Float64Array(nl * q);
    const uj = u[j];
    for (let l = 0; l < nl; l++) {
      const lv = dev.levelOf(j, l);
      for (let a = 0; a < q; a++) {
        let s = 0;
        for (let c = 0; c <= a; c++) s += Tj[c * q + a] * uj[l * q + c];
        b[lv * q + a] = s;
      }
    }
    T[k] = Tj;
    blups[k] = b;
  });
  return { theta, minusTwoLogLik, beta, betaCov, sigma2, T, blups, u };
}

/** y_int − X_int β_int − Z_int b_int (reportedEstimates turns it into the data's residuals in place). */
function internalResiduals(frame: ModelFrame, est: InternalEstimates): Float64Array {
  const { beta, blups } = est;
  const n = frame.y.length;
  const residuals = Float64Array.from(frame.y);
  for (let a = 0; a < frame.X.length; a++) {
    const col = frame.X[a];
    const ba = beta[a];
    for (let i = 0; i < n; i++) residuals[i] -= col[i] * ba;
  }
  frame.terms.forEach((t, k) => {
    const bl = blups[k];
    for (let i = 0; i < n; i++) {
      const lv = t.refs[i];
      if (lv < 0) continue;
      let s = 0;
      for (let c = 0; c < t.q; c++) {
        const z = t.z[c];
        s += (z === null ? 1 : z[i]) * bl[lv * t.q + c];
      }
      residuals[i] -= s;
    }
  });
  return residuals;
}

/** The data's numbers from the internal estimates, through the transform. */
function reportedEstimates(frame: ModelFrame, transform: Standardization, est: InternalEstimates, residuals: Float64Array, order: number[]): Pick<FitCore, "theta" | "minusTwoLogLik" | "beta" | "betaCov" | "sigma2" | "terms" | "fitted" | "residuals" | "u"> {
  const sigma2 = transform.sigma2(est.sigma2);
  // σ T before its square: a zero variance stays zero where σ² overflows (a response near 1e160)
  const sigma = transform.sigma(est.sigma2);
  const factors = frame.terms.map((_, k) => transform.termFactor(k, est.T[k]));
  const terms: TermEstimates[] = frame.terms.map((t, k) => {
    const q = t.q;
    const T = factors[k].T;
    const cov = new Float64Array(q * q);
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) {
      let s = 0;
      for (let c = 0; c < q; c++) s += sigma * T[c * q + a] * (sigma * T[c * q + b]);
      cov[b * q + a] = s;
    }
    return { T, cov, blups: transform.blups(k, est.blups[k]) };
  });
  const n = frame.y.length;
  const s = transform.response.scale;
  const fitted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    residuals[i] *= s;
    fitted[i] = frame.y[i] - residuals[i];
  }
  const u = est.u.map((uj, j) => transform.sphericalEffects(order[j], uj, factors[order[j]].Q));
  return {
    theta: transform.theta(est.T),
    minusTwoLogLik: transform.minusTwoLogLik(est.minusTwoLogLik),
    beta: transform.beta(est.beta),
    betaCov: transform.betaCov(est.betaCov),
    sigma2,
    terms,
    fitted,
    residuals,
    u,
  };
}

/**
 * A variance that belongs at zero is approached slowly: near θ_k = 0 the deviance is flat (even
 * in θ_k), so the optimiser stops, converged in deviance, at a small θ_k (0.005, say) that still
 * shows as a small variance. lme4 bounds θ_k ≥ 0 and lands on 0 exactly. So each small diagonal
 * entry is tried at 0, and kept there when the deviance does not rise by more than SNAP_TOLERANCE.
 * θ is the internal problem's, unit-free (standardize.ts), so "small" needs no units.
 */
function snapToBoundary(dev: ProfiledDeviance, x0: Float64Array, f0: number, hessian: Float64Array | null, already: number[]): { x: Float64Array; fixed: number[]; hessian: Float64Array | null } {
  const x = Float64Array.from(x0);
  let f = f0;
  const snapped = [...already];
  for (const k of snapCandidates(dev, x, already)) {
    const old = x[k];
    x[k] = 0;
    const fk = dev.deviance(x);
    if (fk <= f + SNAP_TOLERANCE) { f = Math.min(f, fk); snapped.push(k); continue; }
    // at zero with the others where they were, the deviance rose: with the others re-optimised
    // for zero (a correlation of ±1 beside it, say) it may not
    const trial = reoptimizeFree(dev, x, [...snapped, k]);
    const ft = trial.x === x ? fk : dev.deviance(trial.x);
    if (ft <= f + SNAP_TOLERANCE) { x.set(trial.x); f = Math.min(f, ft); snapped.push(k); } else x[k] = old;
  }
  if (snapped.length === already.length) return { x, fixed: snapped, hessian };
  const free = reoptimizeFree(dev, x, snapped);
  return { x: free.x, fixed: snapped, hessian: free.hessian };
}

/** The diagonal entries of θ small enough to be tried at zero (and not already held there; with `zeros`, those at zero too). */
function snapCandidates(dev: ProfiledDeviance, x: Float64Array, already: number[], zeros = false): number[] {
  const out: number[] = [];
  for (const t of dev.frame.terms) {
    for (let c = 0; c < t.q; c++) {
      const k = t.thetaIndex[c * t.q + c];
      if (k >= 0 && (zeros || x[k] !== 0) && Math.abs(x[k]) <= SNAP_BELOW && !already.includes(k)) out.push(k);
    }
  }
  return out;
}

/** θ with the entries `fixed` held at their values in x and the others taken from v (in order). */
function withFree(x: Float64Array, free: number[], v: ArrayLike<number>): Float64Array {
  const th = Float64Array.from(x);
  free.forEach((k, i) => { th[k] = v[i]; });
  return th;
}

/**
 * With some variances put at zero, the others were optimised for the small values those had:
 * Newton steps over the free entries of θ (the snapped ones held at zero) take them to their own
 * optimum, which a weakly determined variance beside a vanishing one needs.
 */
function reoptimizeFree(dev: ProfiledDeviance, x: Float64Array, snapped: number[]): { x: Float64Array; hessian: Float64Array | null } {
  const free = Array.from(x, (_, k) => k).filter((k) => !snapped.includes(k));
  if (free.length === 0) return { x, hessian: null };
  const full = new Float64Array(x.length);
  const valueAndGradient = dev.hasGradient
    ? (v: Float64Array, g: Float64Array) => {
        const f = dev.deviance(withFree(x, free, v));
        if (Number.isFinite(f)) { dev.gradient(full); free.forEach((k, i) => { g[i] = full[k]; }); }
        return f;
      }
    : undefined;
  try {
    const f0 = dev.deviance(x);
    const r = minimize((v) => dev.deviance(withFree(x, free, v)), Float64Array.from(free, (k) => x[k]), { f0, valueAndGradient, newtonFirst: true });
    return r.f <= f0 ? { x: withFree(x, free, r.x), hessian: r.hessian ?? null } : { x, hessian: null };
  } catch {
    return { x, hessian: null };
  }
}

/**
 * The optimiser stops within its tolerance of the optimum, and where it stops depends on its
 * path: two fits of the same model on data differing only by rounding (y and y × a) can stop
 * 1e-6 apart. Newton steps (optimizer.ts, newtonPolish) take θ to the optimum itself: with an
 * exact gradient (the factor's own for one term, the dense one of gradient.ts for several in a
 * small model) to about 1e-12; with central differences (several terms, cheap evaluations) to
 * the differences' rounding, about 1e-8. Models whose evaluations are costly keep the optimiser's θ.
 */
function polish(dev: ProfiledDeviance, x: Float64Array, fixed: number[], hessian: Float64Array | null, at: { f: number; g: Float64Array } | null, refit: boolean): Float64Array {
  const free = Array.from(x, (_, k) => k).filter((k) => !fixed.includes(k));
  if (free.length === 0) return x;
  const dense = !dev.hasGradient && dev.factor.dims.reduce((a, b) => a + b, 0) <= DENSE_GRADIENT_MAX;
  const deviance = (v: Float64Array) => dev.deviance(withFree(x, free, v));
  const start = Float64Array.from(free, (k) => x[k]);
  if (dev.hasGradient || dense) {
    const full = new Float64Array(x.length);
    const fg = (v: Float64Array, g: Float64Array) => {
      const th = withFree(x, free, v);
      const f = dev.deviance(th);
      if (!Number.isFinite(f)) return f;
      if (dense) denseGradient(dev, th, full);
      else dev.gradient(full);
      free.forEach((k, i) => { g[i] = full[k]; });
      return f;
    };
    // One term: the optimiser's last gradient and Hessian give the first step (the one it
    // declined: its prediction fell below its tolerance) without an evaluation. A refit (a
    // bootstrap replicate, a profile's point) takes that step without a look: its statistic
    // needs θ to the optimiser's tolerance only, and a thousand refits would pay for the look.
    if (dev.hasGradient && at) return withFree(x, free, newtonPolish(fg, start, { known: hessian, at, trustFirstBelow: refit ? REFIT_TRUSTED_STEP : undefined }));
    return withFree(x, free, newtonPolish(fg, start, { known: hessian, trustFirstBelow: refit ? 1e-6 : undefined }));
  }
  if (evaluationFlops(dev) > POLISH_MAX_FLOPS) return x;
  const differences = centralDifferences(deviance);
  return withFree(x, free, newtonPolish(differences.fg, start, { maxSteps: 3, hessian: differences.hessian, known: hessian }));
}

/** A refit's first polishing step (one term, from the optimiser's last gradient and Hessian) below this (relative) is taken without a look. */
const REFIT_TRUSTED_STEP = 1e-3;

/** Rough multiply-adds of one update of the factor: its diagonal blocks (dense ones cubed) and the blocks below them. */
function evaluationFlops(dev: ProfiledDeviance): number {
  const f = dev.factor;
  let flops = 0;
  f.dims.forEach((d, j) => {
    const q = dev.cp.terms[j].q;
    flops += f.diagKind[j] === "dense" ? (d * d * d) / 3 : d * q * q;
    for (let i = j + 1; i < f.K; i++) { const o = dev.cp.off[i][j]; if (o) flops += o.data.length * q; }
  });
  return flops;
}

/** Largest evaluation cost (evaluationFlops) at which polish() spends finite differences' evaluations: about a millisecond each. */
const POLISH_MAX_FLOPS = 2e6;

/** Diagonal entries of the internal θ below this are tried at zero (snapToBoundary). */
const SNAP_BELOW = 0.05;
/** Where a diagonal entry of the internal θ left at or near zero is tried off the boundary (leaveFalseBoundary): start.ts' smallest start. */
const OFF_BOUNDARY = 0.1;
/** Largest rise of the deviance accepted for putting a variance at zero (1e-7 in log-likelihood). */
const SNAP_TOLERANCE = 2e-7;

/** A given start (a refit's), when the deviance is finite there. */
function startAt(dev: ProfiledDeviance, theta: Float64Array): { theta: Float64Array; f: number; fromMoments: boolean } | null {
  const f = dev.deviance(theta);
  return Number.isFinite(f) ? { theta: Float64Array.from(theta), f, fromMoments: true } : null;
}

/** The moment-based start (start.ts), or lme4's θ = 1 when the moments give none (or a non-finite deviance). */
function startingTheta(dev: ProfiledDeviance): { theta: Float64Array; f: number; fromMoments: boolean } {
  const frame = dev.frame;
  const start = momentStart(dev.cp, dev.order.map((k) => frame.terms[k].thetaIndex), frame.thetaStart.length);
  const fMoment = start ? dev.deviance(start) : Infinity;
  if (Number.isFinite(fMoment)) return { theta: start!, f: fMoment, fromMoments: true };
  return { theta: frame.thetaStart, f: dev.deviance(frame.thetaStart), fromMoments: false };
}

/**
 * The deviance depends on T only through T T', so the optimiser may end with a negative diagonal
 * entry; flipping the sign of that column of T gives the same covariance and lme4's convention
 * (diagonal ≥ 0).
 */
export function canonicalTheta(frame: ModelFrame, x: Float64Array): Float64Array {
  const theta = Float64Array.from(x);
  const flip = new Set<number>();
  for (const t of frame.terms) {
    for (let c = 0; c < t.q; c++) {
      const d = t.thetaIndex[c * t.q + c];
      if (d >= 0 && x[d] < 0) for (let r = c; r < t.q; r++) { const k = t.thetaIndex[c * t.q + r]; if (k >= 0) flip.add(k); }
    }
  }
  for (const k of flip) theta[k] = -theta[k];
  return theta;
}

/** β̂ from L[X][X] = [[R, 0], [l', r]]: R' β = l; and (R R')⁻¹. */
function solveBeta(dev: ProfiledDeviance): { beta: Float64Array; betaCovUnscaled: Float64Array } {
  const p = dev.p;
  const p1 = p + 1;
  const L = dev.factor.LXX;
  const R = new Float64Array(p * p);
  for (let c = 0; c < p; c++) for (let r = c; r < p; r++) R[c * p + r] = L[c * p1 + r];
  const beta = dev.factor.beta();
  const betaCovUnscaled = p > 0 ? inverseFromCholesky(R, p) : new Float64Array(0);
  return { beta, betaCovUnscaled };
}

/** Spherical random effects: L_ZZ' u = l_yZ − L_XZ' β, solved block by block from the last term back. */
function solveU(dev: ProfiledDeviance, beta: Float64Array): Float64Array[] {
  const f = dev.factor;
  const cp = dev.cp;
  const K = f.K;
  const p = dev.p;
  const p1 = p + 1;
  const rhs = f.dims.map((d, j) => {
    const c = new Float64Array(d);
    const LX = f.LX[j];
    for (let m = 0; m < d; m++) {
      let s = LX[m * p1 + p];
      for (let a = 0; a < p; a++) s -= LX[m * p1 + a] * beta[a];
      c[m] = s;
    }
    return c;
  });
  const u: Float64Array[] = new Array(K);
  for (let j = K - 1; j >= 0; j--) {
    const c = rhs[j];
    for (let i = j + 1; i < K; i++) {
      const ui = u[i];
      if (j === 0) {
        const pat = cp.off[i][0]!;
        const V = f.Lfirst[i]!;
        const qr = pat.qr, qc = pat.qc, bs = qr * qc;
        for (let col = 0; col < pat.nColLevels; col++) {
          for (let t = pat.colPtr[col]; t < pat.colPtr[col + 1]; t++) {
            const r = pat.rowIdx[t];
            for (let b = 0; b < qc; b++) {
              let s = 0;
              for (let a = 0; a < qr; a++) s += V[t * bs + b * qr + a] * ui[r * qr + a];
              c[col * qc + b] -= s;
            }
          }
        }
      } else {
        const M = f.Lmid[i][j]!;
        const rows = f.dims[i];
        for (let m = 0; m < f.dims[j]; m++) {
          let s = 0;
          for (let a = 0; a < rows; a++) s += M[m * rows + a] * ui[a];
          c[m] -= s;
        }
      }
    }
    const q = cp.terms[j].q;
    if (f.diagKind[j] === "blockdiag") {
      for (let l = 0; l < cp.terms[j].nLevels; l++) backSolveTransposed(f.Ldiag[j], q, c, l * q * q, l * q);
    } else backSolveTransposed(f.Ldiag[j], f.dims[j], c);
    u[j] = c;
  }
  return u;
}

export { buildModel };
export type { ModelSpec, ModelFrame, Method };

/** Convenience for tests and the CLI: build and fit in one call. */
export function fitFrame(table: DataTable, spec: ModelSpec): FitCore {
  return fitCore(buildModel(table, spec));
}
