/**
 * The levels of the terms after the first ("R"), split into connected components: two levels are
 * connected when some row belongs to both, or when both share a level of the first term (which
 * V₁ couples). V₀⁻¹ does not couple different components, so each is a dense problem of its own:
 * one component in a crossed design, one per top-level group in a nested one.
 */
import type { CrossProducts } from "../crossprod";

export interface ComponentLevels {
  term: Int32Array;
  index: Int32Array;
  offset: Int32Array;
}

export interface RComponents {
  /** Component of each level of each term (index 0 unused), −1 when it has no rows. */
  compOf: Int32Array[];
  /** Offset of each level's q rows within its component. */
  localOf: Int32Array[];
  /** Size (Σ q over levels) of each component. */
  sizes: number[];
  /** Component of each level of the first term, −1 when it shares no row with the R terms. */
  firstComp: Int32Array;
  /** The first-term levels of component c: firstLevels[firstPtr[c] .. firstPtr[c + 1]). */
  firstPtr: Int32Array;
  firstLevels: Int32Array;
  levelsOf(c: number): ComponentLevels;
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; }
  return x;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a), rb = find(parent, b);
  if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
}

/** Union-find over the R levels (ids base[i] + m): pairs sharing a row, and the levels each first-term level touches. */
function connect(cp: CrossProducts, base: Int32Array, total: number): { parent: Int32Array; anchor: Int32Array } {
  const K = cp.terms.length;
  const parent = Int32Array.from({ length: total }, (_, x) => x);
  for (let i = 2; i < K; i++) for (let k = 1; k < i; k++) {
    const pat = cp.off[i][k]!;
    for (let col = 0; col < pat.nColLevels; col++) {
      for (let t = pat.colPtr[col]; t < pat.colPtr[col + 1]; t++) union(parent, base[i] + pat.rowIdx[t], base[k] + col);
    }
  }
  const n0 = cp.terms[0].nLevels;
  const anchor = new Int32Array(n0).fill(-1); // one R level of each first-term level
  for (let i = 1; i < K; i++) {
    const pat = cp.off[i][0]!;
    for (let l = 0; l < n0; l++) {
      for (let t = pat.colPtr[l]; t < pat.colPtr[l + 1]; t++) {
        const g = base[i] + pat.rowIdx[t];
        if (anchor[l] < 0) anchor[l] = g;
        else union(parent, anchor[l], g);
      }
    }
  }
  return { parent, anchor };
}

export function rComponents(cp: CrossProducts): RComponents {
  const K = cp.terms.length;
  const base = new Int32Array(K + 1);
  for (let i = 1; i < K; i++) base[i + 1] = base[i] + cp.terms[i].nLevels;
  const total = K > 1 ? base[K] : 0;
  const { parent, anchor } = connect(cp, base, total);
  // number the components by their smallest level, and lay their levels out in (term, level) order
  const compOfRoot = new Int32Array(total).fill(-1);
  const sizes: number[] = [];
  const compOf: Int32Array[] = cp.terms.map((t) => new Int32Array(t.nLevels).fill(-1));
  const localOf: Int32Array[] = cp.terms.map((t) => new Int32Array(t.nLevels));
  const members: number[][] = [];
  for (let i = 1; i < K; i++) {
    const q = cp.terms[i].q;
    for (let m = 0; m < cp.terms[i].nLevels; m++) {
      const root = find(parent, base[i] + m);
      let c = compOfRoot[root];
      if (c < 0) { c = compOfRoot[root] = sizes.length; sizes.push(0); members.push([]); }
      compOf[i][m] = c;
      localOf[i][m] = sizes[c];
      sizes[c] += q;
      members[c].push(i, m);
    }
  }
  const firstComp = Int32Array.from(anchor, (g) => (g < 0 ? -1 : compOfRoot[find(parent, g)]));
  const { firstPtr, firstLevels } = byComponent(firstComp, sizes.length);
  const levelsOf = (c: number): ComponentLevels => {
    const mem = members[c];
    const nl = mem.length / 2;
    const term = new Int32Array(nl), index = new Int32Array(nl), offset = new Int32Array(nl);
    for (let k = 0; k < nl; k++) { term[k] = mem[2 * k]; index[k] = mem[2 * k + 1]; offset[k] = localOf[term[k]][index[k]]; }
    return { term, index, offset };
  };
  return { compOf, localOf, sizes, firstComp, firstPtr, firstLevels, levelsOf };
}

/** The first-term levels grouped by component (compressed). */
function byComponent(firstComp: Int32Array, nComp: number): { firstPtr: Int32Array; firstLevels: Int32Array } {
  const firstPtr = new Int32Array(nComp + 1);
  for (const c of firstComp) if (c >= 0) firstPtr[c + 1]++;
  for (let c = 0; c < nComp; c++) firstPtr[c + 1] += firstPtr[c];
  const firstLevels = new Int32Array(firstPtr[nComp]);
  const next = firstPtr.slice(0, nComp);
  firstComp.forEach((c, l) => { if (c >= 0) firstLevels[next[c]++] = l; });
  return { firstPtr, firstLevels };
}
