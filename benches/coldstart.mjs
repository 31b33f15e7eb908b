// Benchmark: a cold start, from a fresh process's first line to its first signed
// Authorization header, ours against wechatpay-axios-plugin 0.9.6, median over N processes
// of each (benches/coldstart-child.mjs, one process per sample, the kinds interleaved: none,
// ours, peer, floor, none, ...; floor: no library, the PKCS#8 key imported into WebCrypto
// and one sign, the least a WebCrypto-based package can cost). Each child times itself from
// its first line (performance.now(), which counts from the process's start) and prints its
// phases; this parent also times each whole process (spawn to exit), and checks every
// header's signature with node:crypto (benches/coldstart-run.mjs).
// Run: make bench   (or: node benches/coldstart.mjs after make pkg); BENCH_PROCESSES=N.
import { loadavg } from 'node:os';
import { goal } from './goals.mjs';
import { coldStarts, median } from './coldstart-run.mjs';

const N = Number(process.env.BENCH_PROCESSES || 21);
const { once, done } = coldStarts();
const kinds = ['none', 'ours', 'peer', 'floor'];
const samples = Object.fromEntries(kinds.map((k) => [k, []]));
const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
try {
  for (const k of kinds) await once(k); // warm the file cache
  for (let i = 0; i < N; i++) {
    for (const k of kinds) samples[k].push(await once(k));
  }
} finally {
  done();
}
const load = loadavg().map((x) => x.toFixed(2)).join(' ');

const fields = ['boot', 'import', 'construct', 'first', 'total', 'process'];
const med = Object.fromEntries(kinds.map((k) => [k, Object.fromEntries(fields.map((f) => [f, median(samples[k].map((s) => s[f]))]))]));
console.log(`Cold start, median of ${N} processes each, interleaved (Node ${process.versions.node}; load ${loadBefore} before, ${load} after), ms`);
console.log(`${''.padEnd(26)}${['node start', 'import', 'construct', '1st header', 'first line', 'whole'].map((h) => h.padStart(11)).join('')}`);
console.log(`${''.padEnd(26)}${['to line 1', '', '', '', 'to header', 'process'].map((h) => h.padStart(11)).join('')}`);
const names = { none: 'node, empty (reference)', ours: 'wechatpay-wasm', peer: 'wechatpay-axios-plugin', floor: 'WebCrypto alone (floor)' };
for (const k of kinds) {
  console.log(`${names[k].padEnd(26)}${fields.map((f) => med[k][f].toFixed(1).padStart(11)).join('')}`);
}
const spread = (k, f) => `${Math.min(...samples[k].map((s) => s[f])).toFixed(1)}-${Math.max(...samples[k].map((s) => s[f])).toFixed(1)}`;
const cpu = (k) => median(samples[k].map((s) => s.cpuTotal)).toFixed(1);
console.log(`CPU time (all threads), first line to header, medians: ours ${cpu('ours')} ms, peer ${cpu('peer')} ms, floor ${cpu('floor')} ms`);
console.log(`\nours, first line to first signed header: ${med.ours.total.toFixed(1)} ms (processes ${spread('ours', 'total')})`);
console.log(`peer, first line to first signed header: ${med.peer.total.toFixed(1)} ms (processes ${spread('peer', 'total')})`);
console.log(`floor (WebCrypto alone), first line to signed header: ${med.floor.total.toFixed(1)} ms (processes ${spread('floor', 'total')})`);
// Pair by pair (the same iteration ran all), as the ratios of the round-trip bench.
const pairs = samples.ours.map((s, i) => s.total / samples.peer[i].total);
const floorPairs = samples.ours.map((s, i) => s.total / samples.floor[i].total);
const range = (xs) => `pairs ${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}x`;
goal('cold start, first line to first header', med.ours.total,
  `processes ${spread('ours', 'total')} ms; floor ${med.floor.total.toFixed(1)} ms, ours/floor ${median(floorPairs).toFixed(2)}x; ours/peer ${median(pairs).toFixed(2)}x; load ${load.split(' ')[0]}`);
console.log(`ours / peer, first line to header (time, lower is better):  ${median(pairs).toFixed(2)}x (${range(pairs)})`);
console.log(`ours / floor, first line to header (time, lower is better): ${median(floorPairs).toFixed(2)}x (${range(floorPairs)})`);
const wholePairs = samples.ours.map((s, i) => s.process / samples.peer[i].process);
const wholeFloor = samples.ours.map((s, i) => s.process / samples.floor[i].process);
console.log(`ours / peer, whole process (time):                          ${median(wholePairs).toFixed(2)}x`);
console.log(`ours / floor, whole process (time):                         ${median(wholeFloor).toFixed(2)}x`);
