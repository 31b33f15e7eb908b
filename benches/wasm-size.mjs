// The shipped wasm modules (`make pkg`): size raw and gzipped, and by section. What each part
// of the main module costs was measured by building it without that part (README, "Size"):
// function names after LTO cannot attribute it, as identical functions are merged under one
// name. Run: node benches/wasm-size.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

function sections(buf) {
  let p = 8;
  const leb = () => { let r = 0; let s = 0; let x; do { x = buf[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
  const out = [];
  while (p < buf.length) {
    const id = buf[p++]; const n = leb(); const start = p;
    out.push({ id, start, size: n });
    p = start + n;
  }
  return { out, read: (at) => { p = at; return { leb, pos: () => p, set: (v) => { p = v; } }; } };
}

const pkgDir = new URL('../pkg/', import.meta.url);
const names = { 0: 'custom', 1: 'type', 2: 'import', 3: 'function', 7: 'export', 10: 'code', 11: 'data' };
for (const wasm of readdirSync(pkgDir).filter((f) => f.endsWith('.wasm')).sort()) {
  const shipped = readFileSync(new URL(wasm, pkgDir));
  const what = wasm.includes('_extra') ? 'extra module, loaded on first use' : 'main module, loaded by every runtime';
  console.log(`${wasm} (${what}): ${shipped.length} B raw, ${gzipSync(shipped, { level: 9 }).length} B gzipped`);
  for (const s of sections(shipped).out.filter((x) => x.size > 1024)) console.log(`  ${(names[s.id] || s.id).toString().padEnd(10)} ${(s.size / 1024).toFixed(1)} KiB`);
  // core's str slicing panic formats a char with Debug, which links the Unicode printable
  // tables: 5.2 KB of the gzipped main module (docs/size.md). Text is searched by bytes there
  // (src/text.rs); a `&str` pattern or a `&s[i..]` brings it back.
  const slicing = shipped.includes('is not a char boundary');
  console.log(`  core's str slicing panic (char Debug, Unicode tables): ${slicing ? 'linked' : 'not linked'}`);
}
