// Where the time goes in a V8 CPU profile (node --cpu-prof): self time by category and by
// function, in ms and % of the profile, and per call when the number of calls is given.
//   node benches/profile-summary.mjs FILE.cpuprofile [CALLS] [TOP] [--window FROM_US,TO_US]
// --window: only the samples between two readings of process.hrtime (in µs), the clock of
// the profile's timestamps (benches/roundtrip-profile.mjs prints it for its measured loop).
// Categories, by the frame's script: wasm (wasm:// frames), wasm-bindgen glue (the package's
// generated .js in pkg/), package JS (its js/ part in pkg/), fetch/undici (with the web
// streams of its bodies), crypto JS (Node's WebCrypto and node:crypto JS layer; the RSA work
// itself runs on the libuv threadpool for WebCrypto and is not in the main thread's profile),
// AbortController/EventTarget (with Node 20's makeTransferable, which every new AbortSignal
// pays), node http/net/streams, axios, peer
// (wechatpay-axios-plugin), bench harness, other node internals, V8 builtins/native (frames
// without a script: JSON.parse, Promise machinery, ...), GC, idle, program (V8 itself).
// "by caller" folds the frames without a script into the nearest caller that has one.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const w = args.indexOf('--window');
const [from, to] = w >= 0 ? args.splice(w, 2)[1].split(',').map(Number) : [-Infinity, Infinity];
const [file, calls, top = '25'] = args;
const profile = JSON.parse(readFileSync(file, 'utf8'));

function category(cf) {
  const { functionName: fn, url } = cf;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'program (V8 itself)';
  if (fn === '(root)') return 'root';
  if (url.startsWith('wasm://')) return 'wasm';
  if (/\/pkg\/[^/]*_bg\.js$|\/pkg\/wechatpay_wasm[^/]*\.js$|\/pkg\/(node|web|bundler|snippets)\//.test(url)) return 'wasm-bindgen glue';
  if (url.includes('/pkg/')) return 'package JS';
  if (url.includes('undici') || url.includes('internal/webstreams')) return 'fetch/undici (and its web streams)';
  if (/internal\/(abort_controller|event_target|worker\/js_transferable)/.test(url)) return 'AbortController/EventTarget';
  if (/internal\/crypto|node:crypto/.test(url)) return 'crypto JS (WebCrypto, node:crypto)';
  if (/node:_http|node:http|node:net|internal\/(streams|stream_base|http|net|dns)|node:stream/.test(url)) return 'node http/net/streams';
  if (url.includes('/axios/')) return 'axios';
  if (url.includes('wechatpay-axios-plugin')) return 'peer (wechatpay-axios-plugin)';
  if (url.includes('/benches/')) return 'bench harness';
  if (/internal\/process\/task_queues|internal\/timers|node:timers|internal\/async_hooks/.test(url)) return 'node task queues/timers';
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node other';
  if (url === '') return 'V8 builtins/native';
  return `other (${url.replace(/^.*\//, '')})`;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const self = new Map(); // node id -> µs
// timeDeltas[i] is the time before sample i: the time of sample i is timeDeltas[i + 1].
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i];
  if (at < from || at > to) continue;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) || 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const add = (m, k, v) => m.set(k, (m.get(k) || 0) + v);
const byCat = new Map();
const byCaller = new Map();
const byFn = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cat = category(n.callFrame);
  add(byCat, cat, us);
  let owner = n;
  while (category(owner.callFrame) === 'V8 builtins/native' && parent.has(owner.id)) owner = byId.get(parent.get(owner.id));
  add(byCaller, category(owner.callFrame) === 'root' ? cat : category(owner.callFrame), us);
  const cf = n.callFrame;
  const where = cf.url ? `${cf.url.replace(/^.*\/(node_modules|pkg|benches)\//, '$1/')}:${cf.lineNumber + 1}` : '';
  add(byFn, `${cf.functionName || '(anonymous)'} ${where}`.trim() + `  [${cat}]`, us);
}

const busy = total - (byCat.get('idle') || 0);
const perCall = calls ? Number(calls) : 0;
const row = (k, us) => `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}% ${((100 * us) / busy).toFixed(1).padStart(5)}%busy` +
  (perCall ? ` ${(us / perCall).toFixed(1).padStart(7)} us/call` : '') + `  ${k}`;
const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms not idle${perCall ? `, ${perCall} calls` : ''}`);
console.log('\nself time by category:');
for (const [k, us] of sorted(byCat)) console.log(row(k, us));
console.log('\nself time by category, builtins folded into their caller:');
for (const [k, us] of sorted(byCaller)) console.log(row(k, us));
console.log(`\nself time by function (top ${top}):`);
for (const [k, us] of sorted(byFn).slice(0, Number(top))) console.log(row(k, us));
