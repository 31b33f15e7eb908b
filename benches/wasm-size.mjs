// Where the wasm's bytes go: code size by crate, read from the name section of the release
// build before wasm-opt (target/wasm32-unknown-unknown/release/wechatpay_wasm.wasm, made by
// `make pkg`), and the shipped module's sections. Run: node benches/wasm-size.mjs
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

function byCrate(buf) {
  const { out, read } = sections(buf);
  let imports = 0; const code = []; const names = {};
  for (const s of out) {
    const r = read(s.start);
    if (s.id === 2) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        r.set(r.pos() + r.leb()); r.set(r.pos() + r.leb());
        const kind = buf[r.pos()]; r.set(r.pos() + 1);
        if (kind === 0) { r.leb(); imports++; } else if (kind === 1) { r.set(r.pos() + 1); const f = buf[r.pos()]; r.set(r.pos() + 1); r.leb(); if (f & 1) r.leb(); } else if (kind === 2) { const f = buf[r.pos()]; r.set(r.pos() + 1); r.leb(); if (f & 1) r.leb(); } else r.set(r.pos() + 2);
      }
    } else if (s.id === 10) {
      const count = r.leb();
      for (let i = 0; i < count; i++) { const n = r.leb(); code.push(n); r.set(r.pos() + n); }
    } else if (s.id === 0) {
      const l = r.leb(); const name = buf.subarray(r.pos(), r.pos() + l).toString(); r.set(r.pos() + l);
      if (name !== 'name') continue;
      while (r.pos() < s.start + s.size) {
        const sub = buf[r.pos()]; r.set(r.pos() + 1); const len = r.leb(); const end = r.pos() + len;
        if (sub === 1) { const c = r.leb(); for (let i = 0; i < c; i++) { const idx = r.leb(); const l2 = r.leb(); names[idx] = buf.subarray(r.pos(), r.pos() + l2).toString(); r.set(r.pos() + l2); } }
        r.set(end);
      }
    }
  }
  const crates = {};
  code.forEach((size, i) => {
    const n = names[i + imports] || '?';
    if (n.startsWith('__wbindgen_describe')) return; // wasm-bindgen strips these
    // Itanium (_ZN<len><crate>...) and v0 (_R...<len><crate>) mangling, or demangled text.
    // <T as Trait>: the impl's own type names the crate.
    let m = /^(?:_ZN\d+)?_\$LT\$(?:\$RF\$)?(?:mut\$u20\$)?([a-z_][a-z0-9_]*)\.\./.exec(n);
    if (m) { crates[m[1]] = (crates[m[1]] || 0) + size; return; }
    m = /^_ZN(\d+)/.exec(n);
    let crate = m ? n.slice(3 + m[1].length, 3 + m[1].length + Number(m[1])) : null;
    if (!crate) { m = /(?:Cs[0-9A-Za-z_]+_|C)(\d+)([a-z_][a-z0-9_]*)/.exec(n); if (m) crate = m[2].slice(0, Number(m[1])); }
    if (!crate) crate = (/([a-z_][a-z0-9_]*)(?:\.\.|::)/.exec(n) || [, n.slice(0, 24)])[1];
    crates[crate] = (crates[crate] || 0) + size;
  });
  return { total: Object.values(crates).reduce((a, b) => a + b, 0), crates };
}

const release = new URL('../target/wasm32-unknown-unknown/release/wechatpay_wasm.wasm', import.meta.url);
const { total, crates } = byCrate(readFileSync(release));
console.log(`code by crate, release build before wasm-opt (${(total / 1024).toFixed(0)} KiB of code):`);
for (const [k, v] of Object.entries(crates).sort((a, b) => b[1] - a[1]).slice(0, 18)) {
  console.log(`  ${k.padEnd(22)} ${(v / 1024).toFixed(1).padStart(6)} KiB  ${((100 * v) / total).toFixed(1).padStart(5)}%`);
}
const pkgDir = new URL('../pkg/', import.meta.url);
const wasm = readdirSync(pkgDir).find((f) => f.endsWith('.wasm'));
const shipped = readFileSync(new URL(wasm, pkgDir));
const names = { 0: 'custom', 1: 'type', 2: 'import', 3: 'function', 7: 'export', 10: 'code', 11: 'data' };
console.log(`\nshipped ${wasm}: ${(shipped.length / 1024).toFixed(1)} KiB raw, ${(gzipSync(shipped, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped`);
for (const s of sections(shipped).out.filter((x) => x.size > 1024)) console.log(`  ${(names[s.id] || s.id).toString().padEnd(10)} ${(s.size / 1024).toFixed(1)} KiB`);
