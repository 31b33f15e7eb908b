// Our client's CPU per presign round trip, split by what spends it (issue 19), in one process:
// the round trip (16 in flight by default) and, in the same interleaved rounds, its bare parts
// (undici fetch of the same request, WebCrypto sign, WebCrypto verify), each by thread
// (benches/thread-cpu.mjs: the main thread, the libuv threadpool that runs WebCrypto's RSA
// jobs, V8's workers that mark and sweep concurrently and compile). What the parts leave of
// the round trip is the package's own (wasm, its glue, the timeout machinery, promise turns)
// plus the GC that its and the parts' garbage cost together. Linux only (/proc).
//   node benches/roundtrip-split.mjs [IN_FLIGHT] [ROUNDS] [SECONDS_PER_BATCH]
import { loadavg } from 'node:os';
import { check, implementations, withServer } from './roundtrip-setup.mjs';
import { threadCpu, threadCpuSince } from './thread-cpu.mjs';
import { callsFor } from './measure.mjs';

const [inFlight = '16', rounds = '7', seconds = '1'] = process.argv.slice(2);
const NAMES = ['wechatpay-wasm preEntrustSign', 'bare fetch (same request)', 'bare WebCrypto sign', 'bare WebCrypto verify'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function batch(fn) {
  const t0 = threadCpu();
  const c0 = process.cpuUsage();
  const { done } = await callsFor(fn, check, Number(inFlight), Number(seconds));
  const c = process.cpuUsage(c0);
  const perCall = Object.fromEntries(Object.entries(threadCpuSince(t0)).map(([k, v]) => [k, v / done]));
  return { process: (c.user + c.system) / done, ...perCall };
}

const load = () => loadavg()[0].toFixed(1);
const loadBefore = load();
const { result } = await withServer(async (base) => {
  const { impls, close } = await implementations(base);
  try {
    for (const n of NAMES) for (let i = 0; i < 100; i++) check(await impls[n]()); // warm up
    const samples = Object.fromEntries(NAMES.map((n) => [n, []]));
    for (let r = 0; r < Number(rounds); r++) {
      for (let i = 0; i < NAMES.length; i++) {
        const n = NAMES[(i + r) % NAMES.length];
        samples[n].push(await batch(impls[n]));
      }
    }
    return samples;
  } finally {
    close();
  }
});

// The threads that spent something (Node 24 also lists its idle helper threads).
const kinds = [...new Set(Object.values(result).flat().flatMap((s) => Object.keys(s)))]
  .filter((k) => NAMES.some((n) => median(result[n].map((s) => s[k] || 0)) >= 1));
const med = Object.fromEntries(NAMES.map((n) => [n, Object.fromEntries(kinds.map((k) => [k, median(result[n].map((s) => s[k] || 0))]))]));
console.log(`CPU per call, µs, ${inFlight} in flight, median of ${rounds} interleaved rounds of ${seconds} s (Node ${process.versions.node}; load ${loadBefore} before, ${load()} after)`);
console.log(`${''.padEnd(32)}${kinds.map((k) => k.slice(0, 14).padStart(16)).join('')}`);
for (const n of NAMES) console.log(`${n.padEnd(32)}${kinds.map((k) => med[n][k].toFixed(0).padStart(16)).join('')}`);
const [ours, ...parts] = NAMES.map((n) => med[n]);
const rest = Object.fromEntries(kinds.map((k) => [k, ours[k] - parts.reduce((a, p) => a + p[k], 0)]));
console.log(`${'ours - the three parts'.padEnd(32)}${kinds.map((k) => rest[k].toFixed(0).padStart(16)).join('')}`);
