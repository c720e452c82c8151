/**
 * Fits keyed by the content of their inputs, so that MIXEDLM.FIT, COEF, VARCOMP, STATS, RANEF,
 * FITTED and RESID on the same model fit it once, and a recalculation after an edit fits it
 * once. Errors are kept too: a model that cannot be fitted does not refit for every function.
 */

/** A 64-bit FNV-1a hash (as two 32-bit halves) of the inputs; numbers by their exact bits. */
export function contentKey(...parts: unknown[]): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const mix = (x: number) => {
    h1 = Math.imul(h1 ^ x, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ x, 0x5bd1e995) >>> 0;
    h2 = (h2 ^ (h2 >>> 15)) >>> 0;
  };
  const visit = (v: unknown): void => {
    if (v === null || v === undefined) { mix(1); return; }
    if (typeof v === "number") { mix(2); f64[0] = v; mix(u32[0]); mix(u32[1]); return; }
    if (typeof v === "boolean") { mix(v ? 3 : 4); return; }
    if (typeof v === "string") { mix(5); mix(v.length); for (let i = 0; i < v.length; i++) mix(v.charCodeAt(i)); return; }
    if (Array.isArray(v)) { mix(6); mix(v.length); for (const x of v) visit(x); return; }
    // error values and other objects: their JSON text
    visit(`\u0000${JSON.stringify(v)}`);
  };
  for (const p of parts) visit(p);
  return `${h1.toString(16)}-${h2.toString(16)}`;
}

export class FitCache<T> {
  private readonly entries = new Map<string, { value?: T; error?: unknown }>();
  /** Number of computations done (not served from the cache); the tests read it. */
  computations = 0;
  constructor(private readonly capacity = 16) {}

  get(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit) {
      // refresh: most recently used last
      this.entries.delete(key);
      this.entries.set(key, hit);
      if (hit.error !== undefined) throw hit.error;
      return hit.value as T;
    }
    this.computations++;
    let entry: { value?: T; error?: unknown };
    try {
      entry = { value: compute() };
    } catch (e) {
      entry = { error: e };
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    if (entry.error !== undefined) throw entry.error;
    return entry.value as T;
  }

  clear(): void {
    this.entries.clear();
  }
}
