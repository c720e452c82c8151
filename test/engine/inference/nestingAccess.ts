/** The nesting helpers, with a test-friendly span check over all rows. */
import { nestedIn, samePartition, spanTester } from "../../../src/engine/inference/nesting";

export { nestedIn, samePartition };

export function inSpanForTest(columns: Float64Array[], x: Float64Array): boolean {
  return spanTester(columns, new Uint8Array(x.length).fill(1))(x);
}
