/**
 * Rows of cells packed for postMessage: a few typed arrays and the slice's text as one string.
 * Posting rows as arrays of arrays costs the page 5-8 ms per 100,000 cells on a quiet heap, and
 * 4-120 ms per 100,000 cells while a fresh million-row range fills it (one object per row, one
 * value at a time, and the collections that follow; Chromium, scripts/page-costs.js and the
 * runtime e2e test). Packing is one pass of typed writes into buffers reused from slice to slice,
 * and posting typed arrays is a copy of bytes: about 2 ms per 100,000 cells, next to nothing to
 * collect.
 *
 * Cells are packed as the engine reads them (cells.ts: error values missing, data types by their
 * basic value), so packing changes no fit.
 */
import { normalizeCell } from "../functions/cells";

export interface PackedRows {
  /** Cells in each row (rows may be ragged). */
  lengths: Uint32Array;
  /** Per cell: 0 missing (null), 1 number, 2 text, 3 true, 4 false. */
  kinds: Uint8Array;
  /** Per cell: the number, for number cells. */
  numbers: Float64Array;
  /** The text cells, end to end, and where each ends. */
  text: string;
  textEnds: Uint32Array;
}

const MISSING = 0, NUMBER = 1, TEXT = 2, TRUE = 3, FALSE = 4;

/** Typed buffers reused from slice to slice: the page allocates them once, not once per slice. */
export class RowPacker {
  private kinds = new Uint8Array(0);
  private numbers = new Float64Array(0);
  private textEnds = new Uint32Array(0);
  private lengths = new Uint32Array(0);
  private readonly texts: string[] = [];

  /**
   * Packs rows[start..end) (views of the packer's buffers: post them by copy, which leaves the
   * buffers here for the next slice); null when a row is not an array (sent as it is: the
   * worker's checks say what is wrong).
   */
  pack(rows: readonly unknown[][], start = 0, end = rows.length): PackedRows | null {
    let cells = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i];
      if (!Array.isArray(r)) return null;
      cells += r.length;
    }
    if (this.kinds.length < cells) {
      this.kinds = new Uint8Array(cells);
      this.numbers = new Float64Array(cells);
      this.textEnds = new Uint32Array(cells);
    }
    if (this.lengths.length < end - start) this.lengths = new Uint32Array(end - start);
    const { kinds, numbers, textEnds, lengths, texts } = this;
    texts.length = 0;
    let textLength = 0;
    let k = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i];
      lengths[i - start] = r.length;
      for (let j = 0; j < r.length; j++, k++) {
        let v = r[j];
        if (v !== null && typeof v === "object") v = normalizeCell(v);
        if (typeof v === "number") { kinds[k] = NUMBER; numbers[k] = v; }
        else if (typeof v === "string") { kinds[k] = TEXT; textLength += v.length; textEnds[texts.length] = textLength; texts.push(v); }
        else if (v === true) kinds[k] = TRUE;
        else if (v === false) kinds[k] = FALSE;
        else kinds[k] = MISSING;
      }
    }
    const text = texts.join("");
    const nTexts = texts.length;
    texts.length = 0;
    return {
      lengths: lengths.subarray(0, end - start),
      kinds: kinds.subarray(0, cells),
      numbers: numbers.subarray(0, cells),
      text,
      textEnds: textEnds.subarray(0, nTexts),
    };
  }
}

/** Packs rows of cells in buffers of their own (see RowPacker). */
export function packRows(rows: readonly unknown[][]): PackedRows | null {
  const p = new RowPacker().pack(rows);
  return p && { lengths: p.lengths.slice(), kinds: p.kinds.slice(), numbers: p.numbers.slice(), text: p.text, textEnds: p.textEnds.slice() };
}

export function unpackRows(p: PackedRows): unknown[][] {
  const rows: unknown[][] = new Array(p.lengths.length);
  let k = 0;
  let t = 0;
  let start = 0;
  for (let i = 0; i < rows.length; i++) {
    const n = p.lengths[i];
    const row: unknown[] = new Array(n);
    for (let j = 0; j < n; j++, k++) {
      switch (p.kinds[k]) {
        case NUMBER: row[j] = p.numbers[k]; break;
        case TEXT: { const end = p.textEnds[t++]; row[j] = p.text.slice(start, end); start = end; break; }
        case TRUE: row[j] = true; break;
        case FALSE: row[j] = false; break;
        default: row[j] = null;
      }
    }
    rows[i] = row;
  }
  return rows;
}
