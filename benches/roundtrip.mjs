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

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();
const { result: results, stats } = await withServer(async (base) => {
  const { impls, close } = await implementations(base);
  try {
    return await measure(impls, check);
  } finally {
    close();
  }
});
table(`Presign round trips per second against a local server in its own process (${cpus().length} cores; load ${loadBefore} before, ${load()} after)`, results);
console.log(`server: signs ${SERVER_SIGN === 'each' ? 'every answer' : 'each distinct answer once a minute'}, verifies every request; ` +
  `${stats.requests} requests, none rejected, ${((stats.cpuMs * 1000) / stats.requests).toFixed(0)} us of its CPU per request`);

const r = (name) => results[name];
const major = Number(process.versions.node.split('.')[0]);
const goals = major >= 24 ? { seq: '>= 1.0x', par: '>= 1.5x', on: 'Node 24' }
  : major >= 22 ? { seq: '>= 1.0x', par: '>= 1.5x', on: 'Node 24 (none set for 22)' }
    : { seq: '>= 0.9x', par: '>= 1.3x', on: 'Node 20' };
const ours = r('wechatpay-wasm preEntrustSign');
const peer = r('wechatpay-axios-plugin post');
console.log('\nratios, round by round (median, and the spread over the rounds)');
console.log(`ours / wechatpay-axios-plugin, sequential:   ${fmtRatio(ratio(ours, peer, 'seq'))}  (goal on ${goals.on}: ${goals.seq})`);
console.log(`ours / wechatpay-axios-plugin, 16 in flight: ${fmtRatio(ratio(ours, peer, 'par'))}  (goal on ${goals.on}: ${goals.par})`);
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
console.log('\nsequential ms per call, split into the bare parts above and the package\'s own part (the rest):');
split('ours', ours, [['fetch', r('bare fetch (same request)')], ['WebCrypto sign', r('bare WebCrypto sign')], ['WebCrypto verify', r('bare WebCrypto verify')]]);
split('peer', peer, [['node:http', r('bare node:http (same request)')], ['node:crypto sign', r('bare node:crypto sign')], ['node:crypto verify', r('bare node:crypto verify')]]);
