/**
 * Whether one model is a special case of another on the same rows: the smaller model's
 * fixed-effect columns lie in the column space of the larger's, and each of its random-effect
 * terms can be written as part of a larger-model term on the same grouping (the same partition
 * of the rows) whose effect columns span its own; a correlated term is not a special case of
 * uncorrelated ones. Decided on the designs, not on parameter counts.
 */
import { cholesky, solveCholesky } from "../dense";
import { independentColumns } from "../design";
import { ModelFrame, RandomTerm } from "../model";

/** Relative squared distance from a column space below which a column lies in it. */
const IN_SPAN = 1e-9;

export type Nesting = { nested: true } | { nested: false; why: string };

export function nestedIn(small: ModelFrame, big: ModelFrame): Nesting {
  const inBig = spanTester(big.X, new Uint8Array(small.y.length).fill(1));
  const outside = small.X.findIndex((x) => !inBig(x));
  if (outside >= 0) return { nested: false, why: `its fixed effect ${small.xNames[outside]} is not in the other model's fixed effects` };
  return randomNested(small, big);
}

/** Each random term of small as part of a term of big (and shared variance components kept shared). */
function randomNested(small: ModelFrame, big: ModelFrame): Nesting {
  const testers = big.terms.map((b) => { let t: ((x: Float64Array) => boolean) | null = null; return () => (t ??= spanTester(columnsOf(b), rowsOf(b))); });
  const image = small.terms.map((s) => big.terms.findIndex((b, k) => samePartition(s.refs, b.refs) && s.z.every((z) => testers[k]()(z ?? ones(s.refs.length)))));
  const lost = image.findIndex((k) => k < 0);
  if (lost >= 0) return { nested: false, why: `its random term ${termText(small.terms[lost])} is not part of the other model's random effects` };
  // a variance shared by several terms (statsmodels' variance components) must stay shared, in one block of the other model
  const blockOf = (f: ModelFrame, k: number) => (f.terms[k].kind === "vc" ? `vc${f.terms[k].thetaIndex[0]}` : `t${k}`);
  const sources = new Map<string, Set<string>>();
  image.forEach((b, k) => {
    const key = blockOf(big, b);
    if (!sources.has(key)) sources.set(key, new Set());
    sources.get(key)!.add(blockOf(small, k));
  });
  for (let k = 0; k < small.terms.length; k++) {
    const target = blockOf(big, image[k]);
    const sameSource = small.terms.every((_, j) => blockOf(small, j) !== blockOf(small, k) || blockOf(big, image[j]) === target);
    if (!sameSource) return { nested: false, why: `its variance component ${termText(small.terms[k])} is split across the other model's components` };
  }
  for (const [key, from] of sources) {
    if (!key.startsWith("vc")) continue;
    const members = big.terms.map((_, b) => b).filter((b) => blockOf(big, b) === key);
    const hit = members.filter((b) => image.includes(b));
    if (from.size > 1 || hit.length !== members.length) return { nested: false, why: `the other model's variance component ${termText(big.terms[members[0]])} holds one variance for terms the smaller model treats differently` };
  }
  return { nested: true };
}

function termText(t: RandomTerm): string {
  if (t.text) return t.text;
  if (t.kind === "vc") return `${t.vcName} (groups ${t.grouping})`;
  return `${t.names.join(" + ")} | ${t.grouping}`;
}

function ones(n: number): Float64Array {
  return new Float64Array(n).fill(1);
}

function columnsOf(t: RandomTerm): Float64Array[] {
  return t.z.map((z) => z ?? ones(t.refs.length));
}

function rowsOf(t: RandomTerm): Uint8Array {
  return Uint8Array.from(t.refs, (r) => (r >= 0 ? 1 : 0));
}

/** The same grouping of the rows (level labels aside): a one-to-one map between the levels. */
export function samePartition(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number, number>(), ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] < 0) !== (b[i] < 0)) return false;
    if (a[i] < 0) continue;
    const x = ab.get(a[i]), y = ba.get(b[i]);
    if (x === undefined && y === undefined) { ab.set(a[i], b[i]); ba.set(b[i], a[i]); } else if (x !== b[i] || y !== a[i]) return false;
  }
  return true;
}

/**
 * A test of whether a column x lies in the span of the given columns on the rows marked, to
 * IN_SPAN of its squared norm. The columns' Gram matrix is factored once; each test is one pass.
 */
export function spanTester(columns: Float64Array[], rows: Uint8Array): (x: Float64Array) => boolean {
  const n = rows.length;
  const norm2 = (v: Float64Array) => { let s = 0; for (let i = 0; i < n; i++) if (rows[i]) s += v[i] * v[i]; return s; };
  const masked = columns.map((c) => Float64Array.from(c, (v, i) => (rows[i] ? v : 0)));
  const basis = independentColumns(masked).map((k) => masked[k]);
  const m = basis.length;
  basis.forEach((c) => { const f = 1 / Math.sqrt(norm2(c)); for (let i = 0; i < n; i++) c[i] *= f; });
  const G = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += basis[a][i] * basis[b][i];
    G[b * m + a] = G[a * m + b] = s;
  }
  const factored = m > 0 && cholesky(G, m);
  return (x: Float64Array): boolean => {
    const xx = norm2(x);
    if (xx === 0) return true;
    if (!factored) return false;
    const c = new Float64Array(m);
    for (let a = 0; a < m; a++) { let s = 0; for (let i = 0; i < n; i++) if (rows[i]) s += basis[a][i] * x[i]; c[a] = s; }
    solveCholesky(G, m, c);
    // the residual itself, not xx − c'G⁻¹c, which cancels
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      if (!rows[i]) continue;
      let fit = 0;
      for (let a = 0; a < m; a++) fit += basis[a][i] * c[a];
      r2 += (x[i] - fit) ** 2;
    }
    return r2 <= IN_SPAN * xx;
  };
}
