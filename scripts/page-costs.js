#!/usr/bin/env node
/**
 * What passing over a large range costs the page's thread, in Chromium (the figures quoted in the
 * README and in src/functions/models.ts): on 1,000,000 rows × 8 cells handed over as Excel hands
 * them (a new array, parsed from JSON), the median of 5 runs of
 *   compare   an exact cell-by-cell comparison with an equal copy (what a cache hit costs)
 *   hash      a 32-bit FNV hash of every cell, numbers by their bits
 *   clone     postMessage of all the rows (the sender's side of the structured clone)
 *   pack      packing them into typed arrays, 20,000 cells at a time (src/worker/rowsCodec.ts)
 *
 *   node scripts/page-costs.js            needs /usr/bin/chromium (Debian's chromium)
 */
const { chromium } = require("playwright-core");

async function main() {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage();
  await page.goto("about:blank");
  const runs = await page.evaluate(() => {
    const N = 1_000_000;
    const rows = [["y", "x", "z", "g", "h", "a", "b", "c"]];
    for (let i = 0; i < N; i++) rows.push([Math.sin(i), (i % 13) / 13, i * 0.5, "g" + (i % 5000), "h" + (i % 7), i, (i % 3) + 0.25, "c" + (i % 11)]);
    const a = JSON.parse(JSON.stringify(rows));
    const b = JSON.parse(JSON.stringify(rows));
    const time = (f) => { const t0 = performance.now(); f(); return performance.now() - t0; };
    const f64 = new Float64Array(1), u32 = new Uint32Array(f64.buffer);
    const out = { compare: [], hash: [], clone: [], pack: [] };
    const channel = new MessageChannel();
    for (let run = 0; run < 5; run++) {
      out.compare.push(time(() => {
        for (let i = 0; i < a.length; i++) { const r = a[i], s = b[i]; for (let j = 0; j < r.length; j++) { const x = r[j]; if (x !== s[j] || (x === 0 && 1 / x !== 1 / s[j])) return false; } }
        return true;
      }));
      out.hash.push(time(() => {
        let h = 0x811c9dc5 | 0;
        for (const r of b) for (const v of r) {
          if (typeof v === "number") { f64[0] = v; h = Math.imul(h ^ u32[0], 16777619); h = Math.imul(h ^ u32[1], 16777619); }
          else if (typeof v === "string") for (let k = 0; k < v.length; k++) h = Math.imul(h ^ v.charCodeAt(k), 16777619);
        }
        return h;
      }));
      out.clone.push(time(() => channel.port1.postMessage(b)));
      out.pack.push(time(() => {
        const step = Math.floor(20_000 / 8);
        const kinds = new Uint8Array(20_000), numbers = new Float64Array(20_000), ends = new Uint32Array(20_000), texts = [];
        for (let i = 0; i < b.length; i += step) {
          let k = 0, len = 0;
          texts.length = 0;
          for (let r = i; r < Math.min(b.length, i + step); r++) for (const v of b[r]) {
            if (typeof v === "number") { kinds[k] = 1; numbers[k] = v; } else if (typeof v === "string") { kinds[k] = 2; len += v.length; ends[texts.length] = len; texts.push(v); }
            k++;
          }
          channel.port1.postMessage({ kinds, numbers, ends, text: texts.join("") });
        }
      }));
    }
    return out;
  });
  await browser.close();
  const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  for (const [k, xs] of Object.entries(runs)) console.log(`${k.padEnd(8)} median ${median(xs).toFixed(0).padStart(5)} ms   runs ${xs.map((x) => x.toFixed(0)).join(" ")}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
