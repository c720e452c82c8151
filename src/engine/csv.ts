/**
 * A CSV reader that goes straight from bytes to typed columns, in one pass over the file:
 * numbers are parsed from the bytes without making strings, text columns are dictionary-encoded.
 * RFC 4180 quoting, CRLF or LF, UTF-8 (with or without a byte-order mark) or UTF-16 (LE or
 * BE), and ',' ';' or tab as separator.
 * A field counts as missing with pandas' rules (empty, NA, NaN, #N/A, ...), and a column is
 * numeric when all its other fields read as numbers, as pandas' read_csv decides.
 */
import { MixedLMError } from "./errors";
import { Column, DataTable, headerNames, isMissingInNumbers, isMissingText, parseNumberText } from "./table";

const QUOTE = 34;
const CR = 13;
const LF = 10;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

export interface CsvOptions {
  /** Field separator; detected from the header line when omitted. */
  separator?: string;
}

/**
 * The file as UTF-8 bytes. A UTF-16 file (as Excel's "Unicode text" and Windows tools write: a
 * byte-order mark FF FE or FE FF, or, without one, a NUL byte beside the first character) is
 * decoded and encoded again as UTF-8; anything else is taken as UTF-8.
 */
function utf8Bytes(input: Uint8Array | string): Uint8Array {
  if (typeof input === "string") return new TextEncoder().encode(input);
  // a plain Uint8Array view (a Node Buffer's subarray() is much slower)
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < 2) return bytes;
  const [b0, b1] = [bytes[0], bytes[1]];
  const littleEndian = (b0 === 0xff && b1 === 0xfe) || (b0 !== 0 && b1 === 0);
  const bigEndian = (b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 !== 0);
  if (!littleEndian && !bigEndian) return bytes;
  const even = bytes.length - (bytes.length % 2);
  let le = bytes.subarray(0, even);
  if (bigEndian) {
    le = new Uint8Array(even);
    for (let i = 0; i < even; i += 2) { le[i] = bytes[i + 1]; le[i + 1] = bytes[i]; }
  }
  // TextDecoder drops the byte-order mark; Node and browsers all decode UTF-16LE
  return new TextEncoder().encode(new TextDecoder("utf-16le").decode(le));
}

/** A separator given by the user: one character that can separate fields (not a quote or a line break). */
function checkSeparator(sep: string): string {
  const shown = JSON.stringify(sep);
  if (sep.length !== 1) {
    throw new MixedLMError("option", `The separator must be one character, such as "," or ";" or a tab ("\\t"); ${sep.length === 0 ? "it is empty" : `${shown} has ${sep.length}`}.`);
  }
  const c = sep.charCodeAt(0);
  if (c === QUOTE || c === CR || c === LF || c > 127) {
    throw new MixedLMError("option", `${shown} cannot separate fields (${c === QUOTE ? "it quotes them" : c > 127 ? "only ASCII characters can" : "it ends lines"}): give a character such as "," or ";" or a tab ("\\t").`);
  }
  return sep;
}

export function readCsv(input: Uint8Array | string, options: CsvOptions = {}): DataTable {
  const bytes = utf8Bytes(input);
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const sep = (options.separator !== undefined ? checkSeparator(options.separator) : detectSeparator(bytes, start)).charCodeAt(0);
  const reader = new FieldReader(bytes, start, sep);

  // Header
  const header: string[] = [];
  while (true) {
    const f = reader.next();
    if (f === END_OF_FILE) break;
    header.push(reader.text());
    if (reader.atEndOfLine) break;
  }
  if (header.length === 0 || (header.length === 1 && header[0].trim() === "")) {
    throw new MixedLMError("data", "The CSV file is empty: its first line must hold the column names.");
  }
  const names = headerNames(header);
  const width = names.length;
  const capacity = Math.max(1, lineBreaks(bytes, reader.pos) + 1);
  const builders = names.map((name) => new ColumnBuilder(name, capacity));

  let row = 0;
  while (!reader.eof()) {
    let j = 0;
    let blankLine = true;
    while (true) {
      const f = reader.next();
      if (f === END_OF_FILE) break;
      if (reader.fieldStart !== reader.fieldEnd || reader.quoted) blankLine = false;
      if (j < width) builders[j].push(reader, row);
      else if (!reader.fieldIsBlank()) {
        throw new MixedLMError("data", `Line ${row + 2} of the CSV file has more fields than the header (${width}): check the separator and the quoting.`);
      }
      j++;
      if (reader.atEndOfLine) break;
    }
    if (j === 0 || (j === 1 && blankLine)) continue; // an empty line: skipped, as pandas does
    for (; j < width; j++) builders[j].pushMissing(row);
    row++;
  }
  if (row === 0) throw new MixedLMError("data", "The CSV file has a header line but no data lines.");
  // Columns that turned out to hold text after starting as numbers are read again as text.
  const needText = builders.filter((b) => b.needsTextPass).map((b) => builders.indexOf(b));
  if (needText.length > 0) textPass(bytes, start, sep, row, builders, needText);
  const columns: Column[] = builders.map((b) => b.finish(row));
  return new DataTable(columns, row);
}

/** Line breaks from pos on: an upper bound on the number of data rows, so columns are allocated once. */
function lineBreaks(bytes: Uint8Array, pos: number): number {
  let lf = 0, cr = 0;
  for (let i = pos; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === LF) lf++;
    else if (c === CR) cr++;
  }
  return Math.max(lf, cr); // CR alone: old Mac line ends
}

function detectSeparator(bytes: Uint8Array, start: number): string {
  let commas = 0, semis = 0, tabs = 0, inQuote = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) inQuote = !inQuote;
    else if (!inQuote) {
      if (c === LF || c === CR) break;
      if (c === 44) commas++;
      else if (c === 59) semis++;
      else if (c === 9) tabs++;
    }
  }
  if (commas === 0 && semis > 0) return ";";
  if (commas === 0 && tabs > 0) return "\t";
  return ",";
}

const END_OF_FILE = -1;
const FIELD = 1;

/** Walks the fields of a CSV byte buffer. */
class FieldReader {
  pos: number;
  fieldStart = 0;
  fieldEnd = 0;
  quoted = false;
  /** Quoted field containing "" escapes: its text must be unescaped. */
  escaped = false;
  atEndOfLine = false;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(readonly bytes: Uint8Array, start: number, readonly sep: number) {
    this.pos = start;
  }

  eof(): boolean {
    return this.pos >= this.bytes.length;
  }

  next(): number {
    const b = this.bytes;
    const n = b.length;
    let i = this.pos;
    if (i >= n) return END_OF_FILE;
    this.quoted = false;
    this.escaped = false;
    if (b[i] === QUOTE) {
      this.quoted = true;
      i++;
      this.fieldStart = i;
      while (true) {
        if (i >= n) {
          throw new MixedLMError("data", "The CSV file ends inside a quoted field: a closing quote (\") is missing.");
        }
        if (b[i] === QUOTE) {
          if (i + 1 < n && b[i + 1] === QUOTE) { this.escaped = true; i += 2; continue; }
          break;
        }
        i++;
      }
      this.fieldEnd = i;
      i++; // closing quote
      // anything between the closing quote and the separator is ignored (spaces)
      while (i < n && b[i] !== this.sep && b[i] !== LF && b[i] !== CR) i++;
    } else {
      this.fieldStart = i;
      while (i < n && b[i] !== this.sep && b[i] !== LF && b[i] !== CR) i++;
      this.fieldEnd = i;
    }
    if (i >= n) {
      this.atEndOfLine = true;
    } else if (b[i] === this.sep) {
      this.atEndOfLine = false;
      i++;
    } else {
      this.atEndOfLine = true;
      if (b[i] === CR && i + 1 < n && b[i + 1] === LF) i += 2;
      else i++;
    }
    this.pos = i;
    return FIELD;
  }

  text(): string {
    const b = this.bytes;
    const end = this.fieldEnd;
    let s = "";
    let ascii = true;
    for (let i = this.fieldStart; i < end; i++) {
      const c = b[i];
      if (c >= 128) { ascii = false; break; }
      s += String.fromCharCode(c);
    }
    if (!ascii) s = this.decoder.decode(b.subarray(this.fieldStart, end));
    return this.escaped ? s.replace(/""/g, '"') : s;
  }

  fieldIsBlank(): boolean {
    for (let i = this.fieldStart; i < this.fieldEnd; i++) if (this.bytes[i] !== 32) return false;
    return true;
  }

  /**
   * Parses the field as a number straight from the bytes. Returns NaN when the field is not a
   * plain decimal number; `this.lastWasInteger` tells whether it had no '.' and no exponent.
   * Mantissas up to 15 digits with a power of ten up to 22 are exact (one correctly rounded
   * division); anything longer goes through Number() to stay correctly rounded.
   */
  lastWasInteger = false;
  number(): number {
    const b = this.bytes;
    let i = this.fieldStart;
    let end = this.fieldEnd;
    while (i < end && b[i] === 32) i++;
    while (end > i && b[end - 1] === 32) end--;
    if (i === end) return NaN;
    let neg = false;
    if (b[i] === 45 || b[i] === 43) { neg = b[i] === 45; i++; }
    let mant = 0, digits = 0, frac = 0, sawDigit = false, sawDot = false;
    for (; i < end; i++) {
      const c = b[i];
      if (c >= 48 && c <= 57) {
        sawDigit = true;
        if (mant !== 0 || c !== 48) digits++;
        mant = mant * 10 + (c - 48);
        if (sawDot) frac++;
      } else if (c === 46 && !sawDot) {
        sawDot = true;
      } else break;
    }
    if (!sawDigit) return NaN;
    if (i < end) {
      if (b[i] !== 101 && b[i] !== 69) return NaN;
      // exponent: let Number() do it, after checking the syntax
      const s = this.decoder.decode(b.subarray(this.fieldStart, this.fieldEnd));
      this.lastWasInteger = false;
      return parseNumberText(s);
    }
    this.lastWasInteger = !sawDot;
    if (digits > 15 || frac > 22) {
      return Number(this.decoder.decode(b.subarray(this.fieldStart, this.fieldEnd)).trim());
    }
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }

}

/**
 * Text values by their bytes: a small open-addressing hash table, so that a repeated label
 * ("g123", "Evit100") costs a hash and a byte comparison, not a new string.
 */
class ByteDictionary {
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(1024);
  /** Bytes of each key, back to back; key k is pool[start[k] .. start[k] + length[k]). */
  private pool = new Uint8Array(4096);
  private poolUsed = 0;
  private keyStart: number[] = [];
  private keyLength: number[] = [];
  /** Code of each key: its level index, or -1 when the text means "missing". */
  private keyCode: number[] = [];
  readonly levels: string[] = [];

  /** Code of the text in bytes[s..e) (already trimmed, without "" escapes); `text` gives it as a string when it is new. */
  code(bytes: Uint8Array, s: number, e: number, text: { text(): string }): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    const len = e - s;
    while (true) {
      const k = this.slots[slot];
      if (k < 0) break;
      if (this.hashes[slot] === h && this.keyLength[k] === len) {
        const ks = this.keyStart[k];
        let same = true;
        for (let i = 0; i < len; i++) if (this.pool[ks + i] !== bytes[s + i]) { same = false; break; }
        if (same) return this.keyCode[k];
      }
      slot = (slot + 1) & mask;
    }
    // a new key
    const label = text.text().trim();
    const code = isMissingText(label) ? -1 : this.levels.push(label) - 1;
    const k = this.keyCode.length;
    if (this.poolUsed + len > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      grown.set(this.pool);
      this.pool = grown;
    }
    this.pool.set(bytes.subarray(s, e), this.poolUsed);
    this.keyStart.push(this.poolUsed);
    this.keyLength.push(len);
    this.keyCode.push(code);
    this.poolUsed += len;
    this.slots[slot] = k;
    this.hashes[slot] = h;
    if (this.keyCode.length * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const oldSlots = this.slots, oldHashes = this.hashes;
    this.slots = new Int32Array(oldSlots.length * 2).fill(-1);
    this.hashes = new Int32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const k = oldSlots[i];
      if (k < 0) continue;
      let slot = oldHashes[i] & mask;
      while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
      this.slots[slot] = k;
      this.hashes[slot] = oldHashes[i];
    }
  }
}

/** Collects one column: numbers while every field reads as one, dictionary-encoded text after. */
class ColumnBuilder {
  values: Float64Array | null = null;
  codes: Int32Array | null = null;
  dict = new ByteDictionary();
  numeric = true;
  integer = true;
  missing = 0;
  needsTextPass = false;
  /** A None or NULL was read as missing while the column still looked numeric. */
  sawWordMissing = false;

  /** capacity: an upper bound on the number of rows, so that arrays are allocated once. */
  constructor(readonly name: string, readonly capacity: number) {}

  push(r: FieldReader, row: number) {
    if (this.needsTextPass) return;
    if (this.numeric) {
      if (this.values === null) this.values = new Float64Array(this.capacity);
      const x = r.number();
      if (Number.isFinite(x)) {
        this.values[row] = x;
        if (!r.lastWasInteger) this.integer = false;
        return;
      }
      const text = r.text().trim();
      if (isMissingInNumbers(text) || !Number.isNaN(x)) {
        // missing, or a number too large to be finite
        if (!isMissingText(text) && Number.isNaN(x)) this.sawWordMissing = true;
        this.values[row] = NaN;
        this.missing++;
        this.integer = false; // pandas reads a column with missing values as float
        return;
      }
      // Text in a column that held numbers so far: read the whole column again as text (also
      // when only missing values came before, if one was a word such as None, now a level).
      if (row > this.missing || this.sawWordMissing) {
        this.needsTextPass = true;
        return;
      }
      this.switchToText(row);
    }
    this.pushText(r, row);
  }

  private switchToText(row: number) {
    this.numeric = false;
    this.values = null;
    this.codes = new Int32Array(this.capacity);
    for (let i = 0; i < row; i++) this.codes[i] = -1;
  }

  /** The field's text as a level code (-1 for missing), through the byte dictionary. */
  pushText(r: FieldReader, row: number) {
    if (this.codes === null) this.switchToText(row);
    let s = r.fieldStart, e = r.fieldEnd;
    const b = r.bytes;
    while (s < e && b[s] === 32) s++;
    while (e > s && b[e - 1] === 32) e--;
    const code = r.escaped ? this.codeOfText(r.text().trim()) : this.dict.code(b, s, e, r);
    this.codes![row] = code;
    if (code < 0) this.missing++;
  }

  private codeOfText(text: string): number {
    const bytes = new TextEncoder().encode(text);
    return this.dict.code(bytes, 0, bytes.length, { text: () => text });
  }

  pushMissing(row: number) {
    if (this.needsTextPass) return;
    if (this.numeric) {
      if (this.values === null) this.values = new Float64Array(this.capacity);
      this.values[row] = NaN;
      this.integer = false;
    } else this.codes![row] = -1;
    this.missing++;
  }

  resetForText() {
    this.numeric = false;
    this.needsTextPass = false;
    this.values = null;
    this.codes = new Int32Array(this.capacity);
    this.dict = new ByteDictionary();
    this.missing = 0;
  }

  finish(nRows: number): Column {
    if (this.numeric) {
      const all = this.values ?? new Float64Array(this.capacity).fill(NaN);
      const values = all.length === nRows ? all : all.subarray(0, nRows);
      return { kind: "numeric", name: this.name, values, integer: this.integer && this.missing === 0, missing: this.missing };
    }
    const codes = this.codes!.length === nRows ? this.codes! : this.codes!.subarray(0, nRows);
    return { kind: "categorical", name: this.name, codes, levels: this.dict.levels, boolean: false, missing: this.missing };
  }
}

/** Second pass over the file for the few columns that mixed numbers and text: read them as text. */
function textPass(bytes: Uint8Array, start: number, sep: number, nRows: number, builders: ColumnBuilder[], which: number[]) {
  for (const j of which) builders[j].resetForText();
  const wanted = new Set(which);
  const r = new FieldReader(bytes, start, sep);
  while (r.next() !== END_OF_FILE && !r.atEndOfLine); // the header
  let row = 0;
  while (!r.eof() && row < nRows) {
    let j = 0;
    let blank = true;
    const seen = new Set<number>();
    while (true) {
      const f = r.next();
      if (f === END_OF_FILE) break;
      if (r.fieldStart !== r.fieldEnd || r.quoted) blank = false;
      if (wanted.has(j)) { builders[j].pushText(r, row); seen.add(j); }
      j++;
      if (r.atEndOfLine) break;
    }
    if (j === 0 || (j === 1 && blank)) continue;
    for (const k of which) if (!seen.has(k)) builders[k].pushMissing(row);
    row++;
  }
}
