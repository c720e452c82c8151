/**
 * A fill-reducing order for the levels of the second random-effect term of a crossed design.
 *
 * After the first term (most levels, block-diagonal) is eliminated, the second term's diagonal
 * block of L L' is I + Λ'Z'ZΛ − L₁₀L₁₀': level a and level b are coupled exactly when some level
 * of the first term meets both (a student who rated both instructors). That pattern does not
 * depend on θ, so it is analysed once: a minimum-degree elimination on the level graph gives an
 * order of the levels and the nonzero rows of every column of the factor; the last levels, once
 * the remaining graph is a clique, form a dense trailing block. Each evaluation then factors the
 * sparse columns on their patterns and the trailing block with the dense kernel.
 *
 * On lme4's InstEval (2,972 students × 1,128 instructors) the coupling graph is 20% dense; in
 * minimum-degree order the first 393 levels are factored on their patterns and the last 735 as a
 * dense block, which takes the factor from about 100 ms to 33 ms. A fully crossed design (every
 * pair of levels coupled) is recognised at once and keeps the plain dense factor.
 */

/** The symbolic factor of one dense diagonal block, in the new level order. */
export interface SparseCholeskyPlan {
  /** perm[newIndex] = original level index. */
  perm: Int32Array;
  /** Columns 0..nSparse-1 are factored on their patterns; the rest is a dense trailing block. */
  nSparse: number;
  /** Rows below the diagonal of sparse column j (new indices, ascending): rowIdx[colPtr[j]..colPtr[j+1]). */
  colPtr: Int32Array;
  rowIdx: Int32Array;
  /**
   * The same entries seen from the trailing block: for trailing column b (b ≥ nSparse), the
   * positions t (into rowIdx) with rowIdx[t] = b are tailEntry[tailPtr[b − nSparse]..tailPtr[b − nSparse + 1]),
   * and entryEnd[t] is the end of t's column segment. The trailing block's update is then done
   * one column at a time, in cache.
   */
  tailPtr: Int32Array;
  tailEntry: Int32Array;
  entryEnd: Int32Array;
}

/** The trailing-block index of a plan (see SparseCholeskyPlan.tailPtr). */
function tailIndex(m: number, nSparse: number, colPtr: Int32Array, rowIdx: Int32Array): { tailPtr: Int32Array; tailEntry: Int32Array; entryEnd: Int32Array } {
  const mt = m - nSparse;
  const tailPtr = new Int32Array(mt + 1);
  const entryEnd = new Int32Array(rowIdx.length);
  for (let j = 0; j < nSparse; j++) for (let t = colPtr[j]; t < colPtr[j + 1]; t++) {
    entryEnd[t] = colPtr[j + 1];
    if (rowIdx[t] >= nSparse) tailPtr[rowIdx[t] - nSparse + 1]++;
  }
  for (let b = 0; b < mt; b++) tailPtr[b + 1] += tailPtr[b];
  const tailEntry = new Int32Array(tailPtr[mt]);
  const fill = tailPtr.slice(0, mt);
  for (let j = 0; j < nSparse; j++) for (let t = colPtr[j]; t < colPtr[j + 1]; t++) if (rowIdx[t] >= nSparse) tailEntry[fill[rowIdx[t] - nSparse]++] = t;
  return { tailPtr, tailEntry, entryEnd };
}

/** Cost of a multiply-add on a sparse pattern relative to the dense kernel's (measured on InstEval). */
const SPARSE_COST = 12;

/** Largest block the level graph is analysed for (a bitset graph costs m²/8 bytes and up to m³/32 word operations). */
export const MAX_ORDERED_LEVELS = 6000;

/**
 * Minimum-degree order of the levels of a term (levels `m`, level of each row `refs2`) coupled
 * through the levels of another term (`refs1`, `n1` levels). Returns null when the order would not
 * save work: the levels are nested (each first-term level meets at most one), the graph is
 * (nearly) complete, or the block is too large to analyse.
 */
export function fillReducingPlan(refs1: Int32Array, n1: number, refs2: Int32Array, m: number): SparseCholeskyPlan | null {
  if (m < 64 || m > MAX_ORDERED_LEVELS) return null;
  const graph = couplingGraph(levelsMet(refs1, n1, refs2), n1, m);
  if (graph.nested) return null;
  // A nearly complete graph leaves nothing to gain: keep the dense factor.
  if (graph.edges > 0.6 * (m * (m - 1))) return null;
  const { perm, pos, colPtr, patterns, eliminated } = minimumDegreeOrder(graph.adj, m);
  const nSparse = denseTailStart(colPtr, eliminated, m);
  if (nSparse === null) return null;
  const rowIdx = new Int32Array(colPtr[nSparse]);
  patterns.slice(0, nSparse).forEach((pat, j) => {
    const r = Array.from(pat, (a) => pos[a]).sort((x, y) => x - y);
    rowIdx.set(r, colPtr[j]);
  });
  const cp = Int32Array.from(colPtr.slice(0, nSparse + 1));
  return { perm, nSparse, colPtr: cp, rowIdx, ...tailIndex(m, nSparse, cp, rowIdx) };
}

/** The levels of term 2 met by each level c of term 1: met[count[c]..count[c+1]) (with repeats, one per row). */
function levelsMet(refs1: Int32Array, n1: number, refs2: Int32Array): { count: Int32Array; met: Int32Array } {
  const count = new Int32Array(n1 + 1);
  const rows = refs1.length;
  for (let r = 0; r < rows; r++) if (refs1[r] >= 0 && refs2[r] >= 0) count[refs1[r] + 1]++;
  for (let c = 0; c < n1; c++) count[c + 1] += count[c];
  const met = new Int32Array(count[n1]);
  const fill = count.slice(0, n1);
  for (let r = 0; r < rows; r++) if (refs1[r] >= 0 && refs2[r] >= 0) met[fill[refs1[r]]++] = refs2[r];
  return { count, met };
}

/**
 * The level graph as bitset rows (adj: m rows of ⌈m/32⌉ words): a and b are adjacent when some
 * level of term 1 meets both. Built until it is complete; `edges` counts ordered pairs a ≠ b,
 * `nested` says that no level of term 1 meets two levels.
 */
function couplingGraph({ count, met }: { count: Int32Array; met: Int32Array }, n1: number, m: number): { adj: Int32Array; edges: number; nested: boolean } {
  const words = (m + 31) >>> 5;
  const adj = new Int32Array(m * words);
  let edges = 0;
  const full = m * (m - 1);
  let nested = true;
  const mark = new Int32Array(m).fill(-1);
  const list: number[] = [];
  for (let c = 0; c < n1 && edges < full; c++) {
    list.length = 0;
    for (let t = count[c]; t < count[c + 1]; t++) {
      const a = met[t];
      if (mark[a] !== c) { mark[a] = c; list.push(a); }
    }
    if (list.length > 1) nested = false;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      const row = a * words;
      for (let k = 0; k < list.length; k++) {
        const b = list[k];
        if (b === a) continue;
        const w = row + (b >>> 5), bit = 1 << (b & 31);
        if ((adj[w] & bit) === 0) { adj[w] |= bit; edges++; }
      }
    }
  }
  return { adj, edges, nested };
}

/**
 * Minimum-degree elimination on the graph (destroyed on the way): perm[new] = level, pos its
 * inverse, and the pattern (neighbours at elimination, original indices) of each eliminated
 * column, colPtr its prefix sums. It stops when the rest is a clique or too full to gain from its
 * pattern; those levels come last, in their original order.
 */
function minimumDegreeOrder(adj: Int32Array, m: number): { perm: Int32Array; pos: Int32Array; colPtr: number[]; patterns: Int32Array[]; eliminated: number } {
  const words = (m + 31) >>> 5;
  const degree = new Int32Array(m);
  for (let a = 0; a < m; a++) degree[a] = popcountRow(adj, a * words, words);
  const alive = new Uint8Array(m).fill(1);
  const perm = new Int32Array(m);
  const pos = new Int32Array(m);
  const colPtr: number[] = [0];
  const patterns: Int32Array[] = [];
  let remaining = m;
  let step = 0;
  const neighbours = new Int32Array(m);
  while (remaining > 0) {
    let v = -1, best = m + 1;
    for (let a = 0; a < m; a++) if (alive[a] && degree[a] < best) { best = degree[a]; v = a; }
    // the rest is a clique: every level left is coupled with every other one
    if (best === remaining - 1) break;
    // Past the point where a column costs more on its pattern than in the dense block
    // (SPARSE_COST · c²/2 against about remaining² for one more dense column), the columns only
    // fill up further: the rest is left to the dense block without eliminating it.
    if (SPARSE_COST * best * best > 2 * remaining * remaining) break;
    // neighbours of v (alive ones only: eliminated levels were removed from every row)
    let nn = 0;
    const rv = v * words;
    for (let w = 0; w < words; w++) {
      let bits = adj[rv + w];
      while (bits !== 0) {
        const low = bits & -bits;
        neighbours[nn++] = (w << 5) + (31 - Math.clz32(low));
        bits ^= low;
      }
    }
    // eliminate v: its neighbours become a clique
    for (let i = 0; i < nn; i++) {
      const a = neighbours[i];
      const ra = a * words;
      for (let w = 0; w < words; w++) adj[ra + w] |= adj[rv + w];
      adj[ra + (a >>> 5)] &= ~(1 << (a & 31));
      adj[ra + (v >>> 5)] &= ~(1 << (v & 31));
      degree[a] = popcountRow(adj, ra, words);
    }
    alive[v] = 0;
    perm[step] = v;
    pos[v] = step;
    step++;
    remaining--;
    patterns.push(neighbours.slice(0, nn)); // original indices; renumbered by the caller
    colPtr.push(colPtr[colPtr.length - 1] + nn);
  }
  const eliminated = step;
  for (let a = 0; a < m; a++) if (alive[a]) { perm[step] = a; pos[a] = step; step++; }
  return { perm, pos, colPtr, patterns, eliminated };
}

/**
 * Where the dense trailing block starts: a multiply-add on a pattern costs about SPARSE_COST times
 * one of the dense kernel (indirect addressing, scattered writes), so the last sparse columns, the
 * fullest, are cheaper treated as dense. Null when the order does not save a third of the dense
 * factor's work, not worth the indirection.
 */
function denseTailStart(colPtr: number[], eliminated: number, m: number): number | null {
  let nSparse = 0;
  let bestCost = (m * m * m) / 3;
  let sparseWork = 0;
  for (let j = 0; j < eliminated; j++) {
    const c = colPtr[j + 1] - colPtr[j];
    sparseWork += (c * (c + 1)) / 2;
    const cost = SPARSE_COST * sparseWork + ((m - j - 1) ** 3) / 3;
    if (cost < bestCost) { bestCost = cost; nSparse = j + 1; }
  }
  return bestCost > (2 / 3) * ((m * m * m) / 3) ? null : nSparse;
}

function popcountRow(adj: Int32Array, off: number, words: number): number {
  let s = 0;
  for (let w = 0; w < words; w++) {
    let x = adj[off + w];
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    s += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return s;
}
