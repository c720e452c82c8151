/**
 * The page's record of the models the custom functions have sent to the worker, so that FIT,
 * COEF, VARCOMP, ... on the same inputs share one upload and one fit, and a recalculation after
 * an edit fits once more.
 *
 * Finding the model of a call must be correct (an edited cell never serves the old fit) and
 * cheap on a 1,000,000-row range, which Excel hands over as a new array at every calculation.
 * No key computed from fewer than all the cells can be correct, and every way to all the cells
 * passes over them on the page's thread: hashing them, or posting them to the worker to hash
 * there. Comparing them with the arrays of a kept model is the cheapest such pass (Chromium, on
 * 1,000,000 × 8 cells: 73-97 ms, against 125-225 ms to hash them and 416-669 ms to post them;
 * scripts/page-costs.js), it stops at the first difference, and it runs in slices that give the
 * thread back. So a call costs:
 *  - the same array object as a kept model's: nothing more (identity);
 *  - a probe key from the shape and about a thousand sampled rows (milliseconds), which finds the
 *    candidate models; a different probe is a new model at once;
 *  - the same probe: one comparison with the candidate, cell by cell, exact.
 * The arrays of kept models are held for that comparison, within MAX_KEPT_CELLS.
 */
import type { WorkerClient } from "../worker/client";
import type { Argument, ModelArguments } from "../worker/protocol";
import { nextTask, SLICE_CELLS, throwIfAborted } from "../worker/yield";
import { normalizeCell } from "./cells";

export interface ModelCall {
  data: unknown;
  formula: unknown;
  groups: unknown;
  options: unknown;
}

/** Models kept, and the cells of their ranges kept with them (about 8 bytes a cell and more). */
export const MAX_KEPT_MODELS = 16;
export const MAX_KEPT_CELLS = 12_000_000;

interface Entry {
  id: number;
  probe: string;
  call: ModelCall;
  cells: number;
  /** The worker's arguments, once the ranges are uploaded. */
  args: Promise<ModelArguments>;
  uploads: number[];
  /** Calls using the model now. */
  users: number;
  lastUsed: number;
  generation: number;
  /** Aborts the upload when no call waits for it any more. */
  abort: AbortController;
  uploaded: boolean;
}

export interface Lease {
  readonly args: ModelArguments;
  readonly entry: Entry;
}

/**
 * A range of several cells, as an array of rows (by its first row: a pass over a million rows
 * costs the page tens of milliseconds; a malformed range goes up as it is and the worker's checks
 * say what is wrong with it).
 */
function isRange(v: unknown): v is unknown[][] {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) && !(v.length === 1 && (v[0] as unknown[]).length === 1);
}

/** Cells of an argument, from its first row (for the limit of cells kept: an estimate will do). */
function cellCount(v: unknown): number {
  return Array.isArray(v) ? v.length * (Array.isArray(v[0]) ? Math.max(1, v[0].length) : 1) : 1;
}

// ---- the probe: shape and sampled rows --------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

class Hasher {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  mix(x: number): void {
    this.h1 = Math.imul(this.h1 ^ x, 0x01000193) >>> 0;
    this.h2 = Math.imul(this.h2 ^ x, 0x5bd1e995) >>> 0;
    this.h2 = (this.h2 ^ (this.h2 >>> 15)) >>> 0;
  }
  cell(v: unknown): void {
    const c = normalizeCell(v);
    if (c === null) this.mix(1);
    else if (typeof c === "number") { this.mix(2); f64[0] = c; this.mix(u32[0]); this.mix(u32[1]); }
    else if (typeof c === "boolean") this.mix(c ? 3 : 4);
    else { this.mix(5); this.mix(c.length); for (let i = 0; i < c.length; i++) this.mix(c.charCodeAt(i)); }
  }
  row(r: unknown): void {
    if (!Array.isArray(r)) { this.mix(6); this.cell(r); return; }
    this.mix(7);
    this.mix(r.length);
    for (const v of r) this.cell(v);
  }
  value(v: unknown): void {
    if (!Array.isArray(v)) { this.cell(v); return; }
    this.mix(8);
    this.mix(v.length);
    const n = v.length;
    // the first and last 64 rows, and about 1,024 spread evenly between
    const stride = Math.max(1, Math.floor(n / 1024));
    for (let i = 0; i < n; i = i < 64 || i >= n - 65 ? i + 1 : Math.min(i + stride, n - 64)) this.row(v[i]);
  }
  get key(): string {
    return `${this.h1.toString(16)}-${this.h2.toString(16)}`;
  }
}

/** The probe key of a call: milliseconds on any range. Equal calls have equal probes; the converse is checked cell by cell. */
export function probeKey(call: ModelCall): string {
  const h = new Hasher();
  for (const v of [call.data, call.formula, call.groups, call.options]) h.value(v);
  return h.key;
}

// ---- the exact comparison ---------------------------------------------------------------------

/** Same value for the engine: ===, but 0 and -0 apart (a level "-0.0" is not "0.0"), NaN equal, data types by their value. */
function sameCell(x: unknown, y: unknown): boolean {
  if (x === y) return x !== 0 || Object.is(x, y);
  if (typeof x === "object" || typeof y === "object" || x === undefined || y === undefined) {
    const a = normalizeCell(x), b = normalizeCell(y);
    return Object.is(a, b);
  }
  return typeof x === "number" && typeof y === "number" && Number.isNaN(x) && Number.isNaN(y);
}

/** Cell by cell, in slices that give the thread back. */
async function sameValue(a: unknown, b: unknown, signal?: AbortSignal): Promise<boolean> {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b)) return !Array.isArray(a) && !Array.isArray(b) && sameCell(a, b);
  if (a.length !== b.length) return false;
  let budget = 0;
  for (let i = 0; i < a.length; i++) {
    const r = a[i], s = b[i];
    if (Array.isArray(r) !== Array.isArray(s)) return false;
    if (!Array.isArray(r)) { if (!sameCell(r, s)) return false; continue; }
    if (r.length !== s.length) return false;
    for (let j = 0; j < r.length; j++) if (!sameCell(r[j], s[j])) return false;
    budget += r.length;
    if (budget >= SLICE_CELLS) {
      budget = 0;
      await nextTask();
      throwIfAborted(signal);
    }
  }
  return true;
}

async function sameCall(a: ModelCall, b: ModelCall, signal?: AbortSignal): Promise<boolean> {
  for (const k of ["formula", "options", "groups", "data"] as const) if (!(await sameValue(a[k], b[k], signal))) return false;
  return true;
}

// ---- the registry -----------------------------------------------------------------------------

export class ModelRegistry {
  private readonly entries: Entry[] = [];
  private readonly lookups = new Map<string, Promise<void>>();
  /** The arrays each model was last found for: the same array object needs no comparison. */
  private readonly seen = new WeakMap<object, Entry>();
  private nextId = 1;
  private clock = 0;
  /** What lookups cost (the tests read it). */
  readonly stats = { probes: 0, comparisons: 0, uploads: 0 };

  constructor(readonly client: WorkerClient, private readonly maxModels = MAX_KEPT_MODELS, private readonly maxCells = MAX_KEPT_CELLS) {}

  /** The model of these inputs, uploaded once; call release() when done with it. */
  async acquire(call: ModelCall, signal?: AbortSignal): Promise<Lease> {
    this.stats.probes++;
    const probe = probeKey(call);
    // calls with one probe look up one after the other, so that equal calls made together
    // (FIT and COEF of one recalculation) find the model the first one created
    const before = this.lookups.get(probe) ?? Promise.resolve();
    const lookup = before.then(async () => (await this.find(call, probe, signal)) ?? this.create(call, probe));
    const settled = lookup.then(() => undefined, () => undefined);
    this.lookups.set(probe, settled);
    void settled.then(() => { if (this.lookups.get(probe) === settled) this.lookups.delete(probe); });
    const entry = await lookup;
    entry.users++;
    entry.lastUsed = ++this.clock;
    try {
      const args = await abortable(entry.args, signal);
      return { args, entry };
    } catch (e) {
      this.release({ entry } as Lease);
      throw e;
    }
  }

  release(lease: Lease): void {
    const e = lease.entry;
    e.users--;
    if (e.users === 0 && !e.uploaded) e.abort.abort(); // nobody waits for this upload any more
    this.evict();
  }

  private async find(call: ModelCall, probe: string, signal?: AbortSignal): Promise<Entry | undefined> {
    const live = (e: Entry | undefined): e is Entry =>
      !!e && e.probe === probe && e.generation === this.client.generation && !e.abort.signal.aborted && this.entries.includes(e);
    const known = call.data !== null && typeof call.data === "object" ? this.seen.get(call.data) : undefined;
    if (live(known) && (await sameCall({ ...known.call, data: call.data }, call, signal))) return known;
    for (const e of this.entries.filter(live).reverse()) {
      this.stats.comparisons++;
      if ((await sameCall(e.call, call, signal)) && live(e)) {
        if (call.data !== null && typeof call.data === "object") this.seen.set(call.data, e);
        return e;
      }
    }
    return undefined;
  }

  private create(call: ModelCall, probe: string): Entry {
    const abort = new AbortController();
    const entry: Entry = {
      id: this.nextId++, probe, call, cells: cellCount(call.data) + cellCount(call.groups),
      args: Promise.resolve() as unknown as Promise<ModelArguments>, uploads: [], users: 0, lastUsed: 0,
      generation: this.client.generation, abort, uploaded: false,
    };
    if (call.data !== null && typeof call.data === "object") this.seen.set(call.data, entry);
    entry.args = this.send(entry, abort.signal);
    entry.args.then(() => { entry.uploaded = true; }, () => this.remove(entry));
    this.entries.push(entry);
    return entry;
  }

  private async send(entry: Entry, signal: AbortSignal): Promise<ModelArguments> {
    const argument = async (v: unknown): Promise<Argument> => {
      if (!isRange(v)) return { value: v };
      this.stats.uploads++;
      const upload = await this.client.upload(v, signal);
      entry.uploads.push(upload);
      return { upload };
    };
    const data = await argument(entry.call.data);
    const groups = await argument(entry.call.groups);
    return { model: entry.id, data, groups, formula: entry.call.formula, options: entry.call.options };
  }

  private remove(e: Entry): void {
    const i = this.entries.indexOf(e);
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.client.drop(e.uploads, [e.id]);
  }

  /**
   * Least recently used first, models no call is waiting for, down to the limits; the most
   * recently used model stays even when it alone is over the limit of cells (its companions are
   * probably on their way: FIT, then COEF...).
   */
  private evict(): void {
    const cells = () => this.entries.reduce((n, e) => n + e.cells, 0);
    const latest = this.entries.reduce<Entry | undefined>((m, e) => (!m || e.lastUsed > m.lastUsed ? e : m), undefined);
    const idle = this.entries.filter((e) => e.users === 0 && e !== latest).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const e of idle) {
      if (this.entries.length <= this.maxModels && cells() <= this.maxCells) break;
      this.remove(e);
    }
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    for (const e of [...this.entries]) this.remove(e);
  }
}

/** The promise, or a rejection as soon as the signal aborts. */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => { try { throwIfAborted(signal); } catch (e) { reject(e); } };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((v) => { signal.removeEventListener("abort", onAbort); resolve(v); }, (e) => { signal.removeEventListener("abort", onAbort); reject(e); });
  });
}
