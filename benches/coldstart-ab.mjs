// A/B of the cold start of two builds of the package: fresh processes of
// benches/coldstart-child.mjs importing each build's Node entry by path (the same cost of
// resolving for both), alternated A B B A ... so that neither always runs first, each header
// checked with node:crypto (benches/coldstart-run.mjs). Prints the median of each phase
// and the pair-by-pair ratio new/old of first line to header (below 1: the new is faster),
// with its spread, in wall-clock time and in CPU time (all the process's threads: steadier
// than the wall clock when the cores are shared). On the machine's node, or NODE=path.
//   node benches/coldstart-ab.mjs OLD_PKG_DIR [NEW_PKG_DIR (default: pkg/)]   BENCH_PROCESSES=N (21)
//   e.g. cp -r pkg /tmp/old-pkg, change, make pkg, node benches/coldstart-ab.mjs /tmp/old-pkg
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStarts, median, spread } from './coldstart-run.mjs';

const [oldDir, newDir = fileURLToPath(new URL('../pkg', import.meta.url))] = process.argv.slice(2);
if (!oldDir) throw new Error('usage: node benches/coldstart-ab.mjs OLD_PKG_DIR [NEW_PKG_DIR]');
const N = Number(process.env.BENCH_PROCESSES || 21);
const node = process.env.NODE || process.execPath;
const entry = { old: resolve(oldDir, 'node.js'), new: resolve(newDir, 'node.js') };
const { once, done } = coldStarts();
const samples = { old: [], new: [] };
const load = () => loadavg()[0].toFixed(2);
const loadBefore = load();
try {
  await once('ours', node, entry.old); // warm the file cache
  await once('ours', node, entry.new);
  for (let i = 0; i < N; i++) {
    for (const k of i % 2 ? ['new', 'old'] : ['old', 'new']) samples[k].push(await once('ours', node, entry[k]));
  }
} finally {
  done();
}
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`Cold start A/B, ${N} processes each, alternated (Node ${version}; load ${loadBefore} before, ${load()} after), medians in ms`);
console.log(`old = ${entry.old}\nnew = ${entry.new}`);
const fields = ['import', 'construct', 'first', 'total', 'process'];
console.log(`${''.padEnd(6)}${['import', 'construct', '1st header', 'line->hdr', 'process'].map((h) => h.padStart(11)).join('')}   line->hdr spread`);
for (const k of ['old', 'new']) {
  console.log(`${k.padEnd(6)}${fields.map((f) => median(samples[k].map((s) => s[f])).toFixed(1).padStart(11)).join('')}   ${spread(samples[k].map((s) => s.total))}`);
}
const ratios = samples.new.map((s, i) => s.total / samples.old[i].total);
const phase = (f) => (median(samples.new.map((s) => s[f])) / median(samples.old.map((s) => s[f]))).toFixed(2);
const cpuRatios = samples.new.map((s, i) => s.cpuTotal / samples.old[i].cpuTotal);
console.log(`CPU time (all threads), first line to header: old ${median(samples.old.map((s) => s.cpuTotal)).toFixed(1)} ms, new ${median(samples.new.map((s) => s.cpuTotal)).toFixed(1)} ms; ` +
  `new/old pair by pair ${median(cpuRatios).toFixed(2)}x (pairs ${Math.min(...cpuRatios).toFixed(2)}-${Math.max(...cpuRatios).toFixed(2)}x)`);
console.log(`new/old, first line to header, pair by pair: median ${median(ratios).toFixed(2)}x (pairs ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x); ` +
  `medians: import ${phase('import')}x, construct ${phase('construct')}x, 1st header ${phase('first')}x, whole process ${phase('process')}x`);
