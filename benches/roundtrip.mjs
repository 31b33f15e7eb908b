// Benchmark: a whole presign round trip (validate, sign, fetch, verify, parse) per second,
// ours (`client.preEntrustSign(body)`) against wechatpay-axios-plugin 0.9.6 doing the same
// call, against one local server in its own process (benches/presign-server.mjs: it checks
// every request's signature and signs every answer, as WeChat Pay does). In the same run, the
// parts a round trip is made of, bare: fetch and node:http of the same request (a valid
// Authorization made once, nothing verified), signing and verifying (WebCrypto, which ours
// uses, and node:crypto, which the peer uses); from them, each package's own time per call.
// Run: make bench   (or: node benches/roundtrip.mjs after make pkg)
// BENCH_SERVER_SIGN=once: the server signs each distinct answer once a minute instead of
// every time (shows how much of the round trip is the server's signing; not the default).
import { cpus, loadavg } from 'node:os';
import { measure, table, ratio, fmtRatio } from './measure.mjs';
import { check, implementations, withServer, SERVER_SIGN } from './roundtrip-setup.mjs';
import { cpuPerCall, cpuRatio } from './cpu-per-call.mjs';
import { goal } from './goals.mjs';
import { ceiling, premise, printCeiling } from './ceiling.mjs';

// The CPU rounds after the rates: 9 of 100 calls (5 of 50 gave a bare fetch anywhere from 460
// to 790 µs per call on a loaded machine, and the ceiling moved with it).
const CPU_ROUNDS = { rounds: 9, calls: 100 };
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();
const { result: { rates: results, cpu }, stats } = await withServer(async (base, serverCpu) => {
  const { impls, close } = await implementations(base);
  try {
    const rates = await measure(impls, check);
    // The client's CPU per call of each, and the server's per request, in rounds of their own after.
    return { rates, cpu: await cpuPerCall(impls, check, { ...CPU_ROUNDS, server: serverCpu }) };
  } finally {
    close();
  }
});
table(`Presign round trips per second against a local server in its own process (${cpus().length} cores; load ${loadBefore} before, ${load()} after)`, results);
console.log(`server: signs ${SERVER_SIGN === 'each' ? 'every answer' : 'each distinct answer once a minute'}, verifies every request; ` +
  `${stats.requests} requests, none rejected, ${((stats.cpuMs * 1000) / stats.requests).toFixed(0)} us of its CPU per request`);

const r = (name) => results[name];
const ours = r('wechatpay-wasm preEntrustSign');
const peer = r('wechatpay-axios-plugin post');
console.log('\nratios, round by round (median, and the spread over the rounds)');
for (const [mode, what] of [['seq', 'sequential'], ['par', '16 in flight']]) {
  const x = ratio(ours, peer, mode);
  const n = mode === 'seq' ? 1 : 16;
  const cpuPeerOurs = cpuRatio(cpu['wechatpay-axios-plugin post'][n], cpu['wechatpay-wasm preEntrustSign'][n]);
  const c = ceiling(cpu, n);
  // The ceiling only where its premise held in this run (benches/ceiling.mjs).
  const p = premise(cpu, results, n, cpus().length);
  const onFetch = p.holds ? `; ceiling on undici's fetch ${c.ceilingOnFetch.toFixed(2)}x` : '';
  const best = p.holds ? c.ceiling : `ceiling n/a (premise failed: ${p.least.toFixed(2)} of ${p.full} ${p.full === 1 ? 'core' : 'cores'} busy)`;
  goal(`round trip ours/peer, ${what}`, x.median, `rounds ${x.min.toFixed(2)}-${x.max.toFixed(2)}x; CPU per call peer/ours ${cpuPeerOurs}${onFetch}`, best);
}
console.log(`  (ceiling: the best ratio any client could reach against this peer and server here, one costing only its
  RSA signature and verification: (peer client CPU + server CPU during the peer's batches) / (sign + verify + the
  lesser server CPU of the two clients), per call, this run; on undici's fetch: the same with the bare fetch's CPU
  added below the line; n/a when fewer than 0.9 x the cores (one, sequentially) were busy: the parts at the end)`);
console.log(`ours with fetch: node:http / ours, sequential:   ${fmtRatio(ratio(r('wechatpay-wasm fetch: node:http'), ours, 'seq'))}`);
console.log(`ours with fetch: node:http / ours, 16 in flight: ${fmtRatio(ratio(r('wechatpay-wasm fetch: node:http'), ours, 'par'))}`);
console.log(`ours with fetch: node:http / peer, sequential:   ${fmtRatio(ratio(r('wechatpay-wasm fetch: node:http'), peer, 'seq'))}`);
console.log(`ours / bare fetch, sequential:               ${fmtRatio(ratio(ours, r('bare fetch (same request)'), 'seq'))}`);
console.log(`peer / bare node:http, sequential:           ${fmtRatio(ratio(peer, r('bare node:http (same request)'), 'seq'))}`);
console.log(`bare fetch / bare node:http, sequential:     ${fmtRatio(ratio(r('bare fetch (same request)'), r('bare node:http (same request)'), 'seq'))}`);
console.log(`bare fetch / bare node:http, 16 in flight:   ${fmtRatio(ratio(r('bare fetch (same request)'), r('bare node:http (same request)'), 'par'))}`);

// Sequential time per call, split: what the parts cost alone, and what is left, the
// package's own work (JSON, validation, headers, promise turns, copies into and out of wasm).
const ms = (x) => 1000 / x.seq;
function split(name, whole, parts) {
  const sum = parts.reduce((s, [, x]) => s + ms(x), 0);
  const text = parts.map(([n, x]) => `${n} ${ms(x).toFixed(3)}`).join(' + ');
  console.log(`${name}: ${ms(whole).toFixed(3)} ms = ${text} + own ${(ms(whole) - sum).toFixed(3)} ms`);
}
console.log('\nsequential ms per call (wall clock), split into the bare parts above and the package\'s own part (the rest;\n  meaningless when the machine is loaded: then see the CPU split below):');
split('ours', ours, [['fetch', r('bare fetch (same request)')], ['WebCrypto sign', r('bare WebCrypto sign')], ['WebCrypto verify', r('bare WebCrypto verify')]]);
split('peer', peer, [['node:http', r('bare node:http (same request)')], ['node:crypto sign', r('bare node:crypto sign')], ['node:crypto verify', r('bare node:crypto verify')]]);

// The wall-clock rates above mostly measure, on a loaded machine, how long each process waits
// for a core; the CPU a call costs this process (main thread and threadpool) moves much less.
console.log(`\nCPU of this process per call, µs, median of ${CPU_ROUNDS.rounds} rounds of ${CPU_ROUNDS.calls} calls (the server's own CPU per request during the same batches in brackets):`);
const srvUs = (x) => (x.serverUs ? `  (server ${x.serverUs.median.toFixed(0).padStart(5)})` : '');
for (const [k, v] of Object.entries(cpu)) console.log(`${k.padEnd(32)}sequential ${v[1].median.toFixed(0).padStart(6)}${srvUs(v[1]).padEnd(17)}   16 in flight ${v[16].median.toFixed(0).padStart(6)}${srvUs(v[16])}`);
const co = cpu['wechatpay-wasm preEntrustSign'];
const cp = cpu['wechatpay-axios-plugin post'];
console.log(`peer / ours, CPU per call (above 1: ours costs less): sequential ${cpuRatio(cp[1], co[1])}, 16 in flight ${cpuRatio(cp[16], co[16])}`);
const cpuSplit = (name, whole, parts, n) => {
  const sum = parts.reduce((a, p) => a + cpu[p][n].median, 0);
  console.log(`${name}, ${n === 1 ? 'sequential' : '16 in flight'}: ${whole[n].median.toFixed(0)} µs = ${parts.map((p) => `${p.replace('bare ', '').replace(' (same request)', '')} ${cpu[p][n].median.toFixed(0)}`).join(' + ')} + own ${(whole[n].median - sum).toFixed(0)} µs`);
};
console.log('\nCPU per call split into the bare parts and the package\'s own part (the rest):');
for (const n of [1, 16]) {
  cpuSplit('ours', co, ['bare fetch (same request)', 'bare WebCrypto sign', 'bare WebCrypto verify'], n);
  cpuSplit('peer', cp, ['bare node:http (same request)', 'bare node:crypto sign', 'bare node:crypto verify'], n);
}

// The ceiling of the GOAL lines, how it is made, and the arithmetic checked against the rates.
console.log(`\nThe ceiling: CPU per round trip of this process and of the server (median of ${CPU_ROUNDS.rounds} rounds of ${CPU_ROUNDS.calls} calls)`);
for (const n of [1, 16]) printCeiling(cpu, results, n, cpus().length);
