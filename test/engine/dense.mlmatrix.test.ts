/**
 * The dense kernels of src/engine/dense.ts against ml-matrix, an independent implementation, on
 * generated symmetric positive-definite matrices (fast-check, fixed seed): the Cholesky factor
 * (plain and blocked, with small panels so that the blocked path runs at moderate sizes),
 * triangular solves, inverses, and the refusal of a matrix that is not positive definite.
 */
import fc from "fast-check";
import { CholeskyDecomposition, inverse, Matrix, solve } from "ml-matrix";
import { backSolveTransposed, cholesky, choleskyBlocked, forwardSolve, inverseFromCholesky, inverseSymmetric } from "../../src/engine/dense";

/** A = B Bᵀ + shift·I from a seeded generator: SPD, condition set by shift. */
function spd(n: number, seed: number, shift: number): Matrix {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const b = Matrix.zeros(n, n).apply(function (this: Matrix, i: number, j: number) { this.set(i, j, rand()); });
  return b.mmul(b.transpose()).add(Matrix.eye(n, n).mul(shift));
}

/** Column-major Float64Array of a matrix (the engine's layout). */
function colMajor(m: Matrix): Float64Array {
  const n = m.rows;
  const a = new Float64Array(n * m.columns);
  for (let j = 0; j < m.columns; j++) for (let i = 0; i < n; i++) a[j * n + i] = m.get(i, j);
  return a;
}

/** The largest absolute entry (the tolerance's scale). */
function maxAbs(m: Matrix): number {
  return Math.max(1, ...m.to1DArray().map(Math.abs));
}

function maxAbsDiff(a: Float64Array, m: Matrix): number {
  let d = 0;
  for (let j = 0; j < m.columns; j++) for (let i = 0; i < m.rows; i++) d = Math.max(d, Math.abs(a[j * m.rows + i] - m.get(i, j)));
  return d;
}

const cases = fc.record({ n: fc.integer({ min: 1, max: 60 }), seed: fc.nat(), shift: fc.constantFrom(1e-3, 1, 100) });

test("cholesky and choleskyBlocked give ml-matrix's factor", () => {
  fc.assert(fc.property(cases, fc.constantFrom(2, 4, 8, 64), ({ n, seed, shift }, nb) => {
    const A = spd(n, seed, shift);
    const L = new CholeskyDecomposition(A).lowerTriangularMatrix;
    const scale = maxAbs(L);
    const plain = colMajor(A);
    expect(cholesky(plain, n)).toBe(true);
    expect(maxAbsDiff(plain, L)).toBeLessThan(1e-10 * scale);
    const blocked = colMajor(A);
    expect(choleskyBlocked(blocked, n, nb)).toBe(true);
    expect(maxAbsDiff(blocked, L)).toBeLessThan(1e-10 * scale);
  }), { seed: 101, numRuns: 120 });
});

test("the blocked kernel at a size that takes its four-column path (n = 300, panels of 64)", () => {
  const A = spd(300, 9, 10);
  const a = colMajor(A);
  expect(choleskyBlocked(a, 300)).toBe(true);
  expect(maxAbsDiff(a, new CholeskyDecomposition(A).lowerTriangularMatrix)).toBeLessThan(1e-9);
});

test("forward and transposed back solves give ml-matrix's solution of A x = b", () => {
  fc.assert(fc.property(cases, ({ n, seed, shift }) => {
    const A = spd(n, seed, shift);
    const b = Matrix.columnVector(Array.from({ length: n }, (_, i) => Math.cos(i + seed)));
    const l = colMajor(A);
    cholesky(l, n);
    const x = Float64Array.from(b.getColumn(0));
    forwardSolve(l, n, x);
    backSolveTransposed(l, n, x);
    const ref = solve(A, b);
    const scale = maxAbs(ref);
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - ref.get(i, 0))).toBeLessThan(1e-8 * scale);
  }), { seed: 102, numRuns: 120 });
});

test("inverseFromCholesky and inverseSymmetric give ml-matrix's inverse", () => {
  fc.assert(fc.property(cases, ({ n, seed, shift }) => {
    const A = spd(n, seed, shift);
    const ref = inverse(A);
    const scale = maxAbs(ref);
    const l = colMajor(A);
    cholesky(l, n);
    expect(maxAbsDiff(inverseFromCholesky(l, n), ref)).toBeLessThan(1e-8 * scale);
    expect(maxAbsDiff(inverseSymmetric(colMajor(A), n)!, ref)).toBeLessThan(1e-8 * scale);
  }), { seed: 103, numRuns: 120 });
});

test("a matrix that is not positive definite is refused, as ml-matrix finds it", () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), (n, seed) => {
    const A = spd(n, seed, 1);
    A.set(n - 1, n - 1, -1); // a negative diagonal: not positive definite
    expect(new CholeskyDecomposition(A).isPositiveDefinite()).toBe(false);
    expect(cholesky(colMajor(A), n)).toBe(false);
    expect(choleskyBlocked(colMajor(A), n, 4)).toBe(false);
  }), { seed: 104, numRuns: 60 });
  // singular: no inverse
  const s = Matrix.ones(3, 3);
  expect(inverseSymmetric(colMajor(s), 3)).toBeNull();
});
