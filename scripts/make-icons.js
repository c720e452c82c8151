#!/usr/bin/env node
/**
 * Draws the add-in's icons (assets/icon-16.png … icon-128.png): a green rounded square with a
 * white fitted line through a few points, one line per group as a mixed model draws them.
 * No image library: pixels are rendered with 4×4 supersampling and encoded as PNG with zlib.
 *
 *   node scripts/make-icons.js            # writes assets/icon-*.png
 *   node scripts/make-icons.js --check    # exits 1 if the committed icons differ
 */
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const SIZES = [16, 32, 64, 80, 128];
const OUT = path.join(__dirname, "..", "assets");

// ---- PNG encoding -------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** rgba: Uint8Array of size*size*4. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---- drawing (in unit coordinates, 0..1, y down) ------------------------------------------

const GREEN = [0x1e, 0x6f, 0x45];
const WHITE = [0xff, 0xff, 0xff];
const PALE = [0xb9, 0xe4, 0xc9];

function insideRoundedSquare(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function distToSegment(x, y, [x1, y1], [x2, y2]) {
  const dx = x2 - x1, dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy));
}

/** The colour at a point, or null outside the icon. Small icons get thicker strokes. */
function shade(x, y, size) {
  if (!insideRoundedSquare(x, y, 0.18)) return null;
  const stroke = size <= 16 ? 0.085 : size <= 32 ? 0.06 : 0.045;
  const dot = size <= 16 ? 0.1 : 0.075;
  // two group lines (pale) and the population line (white)
  if (size > 16) {
    if (distToSegment(x, y, [0.22, 0.5], [0.78, 0.22]) < stroke * 0.5) return PALE;
    if (distToSegment(x, y, [0.22, 0.9], [0.78, 0.62]) < stroke * 0.5) return PALE;
  }
  if (distToSegment(x, y, [0.16, 0.73], [0.84, 0.39]) < stroke) return WHITE;
  const points = size <= 16 ? [[0.32, 0.42], [0.68, 0.7]] : [[0.3, 0.44], [0.42, 0.8], [0.6, 0.33], [0.72, 0.7]];
  for (const [px, py] of points) if (Math.hypot(x - px, y - py) < dot) return WHITE;
  return GREEN;
}

function render(size) {
  const ss = 4;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size, size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
        rgba[o + 3] = Math.round((255 * a) / (ss * ss));
      }
    }
  }
  return encodePng(size, rgba);
}

function main() {
  const check = process.argv.includes("--check");
  fs.mkdirSync(OUT, { recursive: true });
  let stale = 0;
  for (const size of SIZES) {
    const file = path.join(OUT, `icon-${size}.png`);
    const png = render(size);
    if (check) {
      if (!fs.existsSync(file) || !fs.readFileSync(file).equals(png)) {
        console.error(`${path.relative(process.cwd(), file)} differs from what scripts/make-icons.js draws`);
        stale++;
      }
    } else {
      fs.writeFileSync(file, png);
      console.log(`wrote ${path.relative(process.cwd(), file)} (${png.length} bytes)`);
    }
  }
  if (stale) process.exit(1);
}

if (require.main === module) main();
module.exports = { render, encodePng, SIZES };
