/**
 * Shared by the tests of names that are Object.prototype's keys: a small data set, as Excel sends
 * a range (a header row, then numbers and text), whose levels, columns and variance components
 * are called __proto__, constructor, toString, hasOwnProperty, valueOf and prototype; and the check
 * that nothing was written into Object.prototype.
 */
export const PROTO_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];
/** The group levels: the six names and two ordinary ones. */
export const PROTO_LEVELS = [...PROTO_NAMES, "a", "b"];

/** 96 rows: y, x, a column named __proto__ holding the 8 levels, and one named constructor crossed with it. */
export function protoRows(): unknown[][] {
  const rows: unknown[][] = [["y", "x", "__proto__", "constructor"]];
  for (let i = 0; i < 96; i++) {
    const x = (i * 5) % 11;
    const g = i % 8;
    rows.push([2 + 0.5 * x + (g - 3.5) * 0.6 + Math.sin(i * 1.7), x, PROTO_LEVELS[g], PROTO_LEVELS[Math.floor(i / 12)]]);
  }
  return rows;
}

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype as it was: the same keys, no prototype of its own, and an empty object reads nothing. */
export function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
  const empty = {} as Record<string, unknown>;
  for (const k of ["g", "a", "b", "x", "y", "2"]) expect(empty[k]).toBeUndefined();
}
