/**
 * Derivatives of the deviance by finite differences, for the optimiser (optimizer.ts) and the
 * profiles: gradients and Hessians from stencils of evaluations, or Hessians from differences of
 * an exact gradient. Steps are relative to the coordinate and point away from zero (signedStep).
 */

/**
 * A finite-difference step for coordinate x: `relative` of |x| (at least of 1), pointing away
 * from zero. The sign matters: a model whose covariate changes sign (x → −x) has the same
 * deviance with its θ entries mirrored, and one-sided differences that mirror with them take
 * the same path to the same optimum; steps of one sign would estimate its curvature with errors
 * of the other sign, and stop elsewhere within the tolerance.
 */
export function signedStep(relative: number, x: number): number {
  return (x < 0 ? -relative : relative) * Math.max(1, Math.abs(x));
}

/** Forward differences corrected by the diagonal of a Hessian estimate H: error O(h²) + h·|H_aa − true|/2. */
export function correctedForwardGradient(f: (x: Float64Array) => number, x: Float64Array, fx: number, step: (xi: number) => number, H: Float64Array): Float64Array {
  const n = x.length;
  const g = new Float64Array(n);
  const t = Float64Array.from(x);
  for (let a = 0; a < n; a++) {
    const h = step(x[a]);
    t[a] = x[a] + h;
    const fp = f(t);
    t[a] = x[a];
    g[a] = (fp - fx) / h - (h * H[a * n + a]) / 2;
  }
  return g;
}

/**
 * Gradient and Hessian from the stencil x, x ± h_a e_a, x + h_a e_a + h_b e_b: the gradient and
 * the Hessian's diagonal by central differences (error O(h²)), the off-diagonal by forward ones.
 * n(n+3)/2 evaluations.
 */
export function centralGradientAndHessian(f: (x: Float64Array) => number, x: Float64Array, fx: number, step: (xi: number) => number): { g: Float64Array; H: Float64Array } {
  const n = x.length;
  const g = new Float64Array(n);
  const H = new Float64Array(n * n);
  const fp = new Float64Array(n);
  const h = Array.from(x, step);
  const t = Float64Array.from(x);
  for (let a = 0; a < n; a++) {
    t[a] = x[a] + h[a]; fp[a] = f(t);
    t[a] = x[a] - h[a]; const fm = f(t);
    t[a] = x[a];
    g[a] = (fp[a] - fm) / (2 * h[a]);
    H[a * n + a] = (fp[a] - 2 * fx + fm) / (h[a] * h[a]);
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) {
    t[a] = x[a] + h[a]; t[b] = x[b] + h[b];
    const fab = f(t);
    t[a] = x[a]; t[b] = x[b];
    // f(x+ha+hb) − f(x+ha) − f(x+hb) + f(x) = h_a h_b H_ab + O(h³)
    const v = (fab - fp[a] - fp[b] + fx) / (h[a] * h[b]);
    H[a * n + b] = v;
    H[b * n + a] = v;
  }
  return { g, H };
}

/**
 * Hessian by forward differences of an analytic gradient (row-major, symmetrised): n evaluations.
 * Its O(h) error (h ≈ 1e-4 of θ) does not matter for what it is used for: deciding that the
 * point is a minimum, and a Newton step whose own error is second order near the optimum.
 */
export function gradientDifferenceHessian(fg: (x: Float64Array, g: Float64Array) => number, x: Float64Array, g0: Float64Array, step: (xi: number) => number, count: () => void): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const t = Float64Array.from(x);
  const gp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = step(x[i]) * 10;
    t[i] = x[i] + h; count(); fg(t, gp);
    t[i] = x[i];
    for (let j = 0; j < n; j++) H[j * n + i] = (gp[j] - g0[j]) / h;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const v = (H[i * n + j] + H[j * n + i]) / 2; H[i * n + j] = v; H[j * n + i] = v; }
  return H;
}

/**
 * Forward finite-difference Hessian (row-major n×n): n(n+3)/2 evaluations, against 2n² for
 * central differences. Its O(h) error does not matter for deciding that the point is a minimum
 * and for a Newton step near it; at h ≈ 1e-4 of θ it stays well above the deviance's noise.
 */
export function fdHessian(f: (x: Float64Array) => number, x: Float64Array, fx: number, step: (xi: number) => number): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const t = Float64Array.from(x);
  const h = Array.from(x, (xi) => step(xi) * 10);
  const f1 = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    t[a] = x[a] + h[a];
    f1[a] = f(t);
    t[a] = x[a] + 2 * h[a];
    const f2 = f(t);
    t[a] = x[a];
    H[a * n + a] = (f2 - 2 * f1[a] + fx) / (h[a] * h[a]);
  }
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < a; b++) {
      t[a] = x[a] + h[a]; t[b] = x[b] + h[b];
      const fab = f(t);
      t[a] = x[a]; t[b] = x[b];
      const v = (fab - f1[a] - f1[b] + fx) / (h[a] * h[b]);
      H[a * n + b] = v;
      H[b * n + a] = v;
    }
  }
  return H;
}

/** Hessian by central differences of an exact gradient (row-major, symmetrised): 2n evaluations. */
export function centralGradientDifferences(fg: (x: Float64Array, g: Float64Array) => number, x: Float64Array): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const t = Float64Array.from(x);
  const gp = new Float64Array(n), gm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = signedStep(1e-4, x[i]);
    t[i] = x[i] + h; fg(t, gp);
    t[i] = x[i] - h; fg(t, gm);
    t[i] = x[i];
    for (let j = 0; j < n; j++) H[j * n + i] = (gp[j] - gm[j]) / (2 * h);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const v = (H[i * n + j] + H[j * n + i]) / 2; H[i * n + j] = v; H[j * n + i] = v; }
  return H;
}

/**
 * Value and gradient by central differences (2n evaluations, steps signedStep(1e-4)), for
 * newtonPolish where no exact gradient is at hand; with the Hessian from the same kind of
 * stencil (centralGradientAndHessian).
 */
export function centralDifferences(fn: (x: Float64Array) => number): { fg: (x: Float64Array, g: Float64Array) => number; hessian: (x: Float64Array, fx: number) => Float64Array } {
  const fg = (x: Float64Array, g: Float64Array) => {
    const fx = fn(x);
    const t = Float64Array.from(x);
    for (let i = 0; i < x.length; i++) {
      const h = signedStep(1e-4, x[i]);
      t[i] = x[i] + h; const fp = fn(t);
      t[i] = x[i] - h; const fm = fn(t);
      t[i] = x[i];
      g[i] = (fp - fm) / (2 * h);
    }
    return fx;
  };
  const hessian = (x: Float64Array, fx: number) => centralGradientAndHessian((v) => fn(v), x, fx, (xi) => signedStep(1e-4, xi)).H;
  return { fg, hessian };
}
