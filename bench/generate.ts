/**
 * Generated data sets for the benchmarks, reproducible from a seed:
 *  - randomSlopes: `groups` groups of `perGroup` rows, y = 10 + 2x + b0 + b1 x + e, with a
 *    correlated random intercept and slope (sd 2 and 0.5, correlation 0.3) and residual sd 1;
 *  - crossed: subjects × items with random intercepts for both (sd 1 and 0.7), a random subset
 *    of the pairs observed.
 */
import { closeSync, openSync, writeSync } from "fs";

/** xorshift128+ with a Box-Muller normal: fast, deterministic, good enough for test data. */
export class Rng {
  private s0: number;
  private s1: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.s0 = (seed ^ 0x9e3779b9) >>> 0 || 1;
    this.s1 = (seed * 2654435761) >>> 0 || 2;
  }
  uniform(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.s1 = x >>> 0;
    return ((this.s0 + this.s1) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Writes a CSV in chunks of about 1 MB (synchronously: simple, and as fast as the disk). */
function writeCsv(path: string, header: string, rows: (emit: (line: string) => void) => void): void {
  const fd = openSync(path, "w");
  let buf: string[] = [header];
  let size = 0;
  const flush = () => {
    writeSync(fd, buf.join("\n") + "\n");
    buf = [];
    size = 0;
  };
  try {
    rows((line) => {
      buf.push(line);
      size += line.length;
      if (size > 1 << 20) flush();
    });
    flush();
  } finally {
    closeSync(fd);
  }
}

export function writeRandomSlopes(path: string, groups: number, perGroup: number, seed = 1): void {
  const rng = new Rng(seed);
  const sd0 = 2, sd1 = 0.5, rho = 0.3;
  writeCsv(path, "y,x,g", (emit) => {
    for (let g = 0; g < groups; g++) {
      const z0 = rng.normal(), z1 = rng.normal();
      const b0 = sd0 * z0;
      const b1 = sd1 * (rho * z0 + Math.sqrt(1 - rho * rho) * z1);
      for (let k = 0; k < perGroup; k++) {
        const x = Math.round(rng.uniform() * 1000) / 100;
        const y = 10 + 2 * x + b0 + b1 * x + rng.normal();
        emit(`${y.toFixed(4)},${x},g${g}`);
      }
    }
  });
}

export function writeCrossed(path: string, subjects: number, items: number, rows: number, seed = 2): void {
  const rng = new Rng(seed);
  const bs = Array.from({ length: subjects }, () => rng.normal());
  const bi = Array.from({ length: items }, () => 0.7 * rng.normal());
  writeCsv(path, "y,x,subject,item", (emit) => {
    for (let r = 0; r < rows; r++) {
      const s = Math.floor(rng.uniform() * subjects);
      const i = Math.floor(rng.uniform() * items);
      const x = rng.uniform() < 0.5 ? 1 : 0;
      const y = 5 + 0.5 * x + bs[s] + bi[i] + rng.normal();
      emit(`${y.toFixed(4)},${x},s${s},i${i}`);
    }
  });
}

if (require.main === module) {
  const [kind, path, ...rest] = process.argv.slice(2);
  const n = rest.map(Number);
  if (kind === "crossed") writeCrossed(path, n[0] ?? 2000, n[1] ?? 500, n[2] ?? 1000000);
  else writeRandomSlopes(path, n[0] ?? 5000, n[1] ?? 200);
}
