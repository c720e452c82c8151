/** Packed rows (src/worker/rowsCodec.ts) unpack, after a structured clone, to the cells the engine would read. */
import fc from "fast-check";
import { normalizeCell } from "../../src/functions/cells";
import { packRows, RowPacker, unpackRows } from "../../src/worker/rowsCodec";

const cell = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, NaN, Infinity), fc.string(), fc.string({ unit: "grapheme" }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(""),
  fc.record({ type: fc.constant("Error"), basicValue: fc.constant("#N/A") }), fc.record({ type: fc.constant("FormattedNumber"), basicValue: fc.double(), numberFormat: fc.constant("0%") }),
  fc.record({ type: fc.constant("String"), basicValue: fc.string() }), fc.constantFrom("__proto__", "constructor"));
const grid = fc.array(fc.array(cell, { maxLength: 6 }), { maxLength: 40 });

function expectCells(back: unknown[][], rows: unknown[][]) {
  expect(back.length).toBe(rows.length);
  back.forEach((r, i) => {
    expect(r.length).toBe(rows[i].length);
    r.forEach((v, j) => expect(Object.is(v, normalizeCell(rows[i][j]))).toBe(true));
  });
}

test("property: pack, clone, unpack = the normalized cells", () => {
  fc.assert(fc.property(grid, (rows) => expectCells(unpackRows(structuredClone(packRows(rows)!)), rows)), { seed: 7, numRuns: 300 });
});

test("property: one packer, slice after slice; each slice's message keeps its own cells", () => {
  fc.assert(fc.property(grid, fc.integer({ min: 1, max: 7 }), (rows, step) => {
    const packer = new RowPacker();
    const messages = [];
    for (let i = 0; i < rows.length; i += step) messages.push(structuredClone(packer.pack(rows, i, Math.min(rows.length, i + step))!));
    expectCells(messages.flatMap(unpackRows), rows);
  }), { seed: 8, numRuns: 200 });
});

test("a row that is not an array is not packed", () => {
  expect(packRows([[1], "oops" as unknown as unknown[]])).toBeNull();
});
