/** What the CLI's tests share: the CLI's main() run in process, with its output captured, and the dietox data. */
import { join } from "path";
import { main } from "../../src/cli/fit";
import { FIXTURES } from "../helpers";

export const DIETOX = join(FIXTURES, "data", "dietox.csv");

/** main(args) with what it writes to stdout and stderr captured (in process: no build needed, and coverage counts it). */
export function runCli(args: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const so = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const se = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const code = main(args);
    return { code, out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}
