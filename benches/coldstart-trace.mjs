// Where a cold start's time goes (issue 19): N fresh processes of ours, each traced from its
// first line to its first signed header and profiled (node --cpu-prof, 50 µs), then the
// profile's self time split by phase (import, construct, first header) and by what ran.
//   node benches/coldstart-trace.mjs [N (5)] [PKG_ENTRY (pkg/node.js)]
//   NODE=path: another node; TRACE_SUBTLE=1: the children with --subtle (below)
// Each child (this file with --child) prints: its phases (wall and CPU time); the wasm<->JS
// crossings of each phase (every import and export of the module wrapped, through
// WebAssembly.Instance); `new WebAssembly.Module` and `Instance` times; with --subtle, when
// each WebCrypto call starts and settles (this touches `crypto.subtle` before the import:
// its cost, Node loading its WebCrypto internals, is then printed apart). The wrappers cost
// a little themselves (class "trace harness"): read the shares, not the last millisecond.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv.includes('--subtle'));
else await parent();

async function child(dir, entry, watchSubtle) {
  const t0 = performance.now();
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const c0 = cpu();
  const marks = [];
  const mark = (what) => marks.push({ what, at: performance.now() - t0, hr: Number(process.hrtime.bigint() / 1000n) });
  const counts = { in: 0, out: 0 }; // js->wasm (exports called), wasm->js (imports called)
  const RealModule = WebAssembly.Module;
  WebAssembly.Module = function Module(bytes) {
    const a = performance.now();
    const m = new RealModule(bytes);
    mark(`new WebAssembly.Module: ${(performance.now() - a).toFixed(2)} ms (${bytes.length} B)`);
    return m;
  };
  const RealInstance = WebAssembly.Instance;
  WebAssembly.Instance = function Instance(module, imports) {
    const counted = {};
    for (const [ns, obj] of Object.entries(imports)) {
      counted[ns] = {};
      for (const [k, f] of Object.entries(obj)) {
        counted[ns][k] = typeof f === 'function' ? function (...a) { counts.out++; return f.apply(this, a); } : f;
      }
    }
    const a = performance.now();
    const inst = new RealInstance(module, counted);
    mark(`new WebAssembly.Instance: ${(performance.now() - a).toFixed(2)} ms`);
    const exports = {};
    for (const [k, f] of Object.entries(inst.exports)) {
      exports[k] = typeof f === 'function' ? function (...a) { counts.in++; return f.apply(this, a); } : f;
    }
    return { exports };
  };
  if (watchSubtle) {
    const a = performance.now();
    const proto = Object.getPrototypeOf(globalThis.crypto.subtle);
    mark(`crypto.subtle touched first (Node loads WebCrypto): ${(performance.now() - a).toFixed(2)} ms`);
    for (const name of ['importKey', 'sign', 'verify']) {
      const f = proto[name];
      proto[name] = function (...args) {
        const b = performance.now();
        mark(`${name} called`);
        const p = f.apply(this, args);
        mark(`${name} returned its promise (${(performance.now() - b).toFixed(2)} ms)`);
        p.then(() => mark(`${name} settled (${(performance.now() - b).toFixed(2)} ms)`), () => mark(`${name} rejected`));
        return p;
      };
    }
  }
  const phases = [];
  const phase = (name) => { mark(name); phases.push({ name, wall: performance.now() - t0, cpu: cpu() - c0, ...counts }); };
  phase('first line');
  const { Client } = await import(entry);
  phase('imported');
  const { readFileSync: read } = await import('node:fs');
  const client = new Client({
    mchid: '1900000001', serial: 'F5765756002FDD77', privateKey: read(`${dir}/merchant.pem`, 'utf8'),
    certs: { PUB_KEY_ID_0114232134912410000000000000: read(`${dir}/platform.pub.pem`, 'utf8') },
  });
  phase('constructed');
  const header = await client.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', '{"a":1}');
  phase('first header');
  await client.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', '{"a":2}');
  phase('second header');
  if (!header.startsWith('WECHATPAY2-SHA256-RSA2048 ')) throw new Error(`bad header ${header}`);
  console.log(JSON.stringify({ phases, marks }));
}

async function parent() {
  const N = Number(process.argv[2] || 5);
  const entry = process.argv[3] || fileURLToPath(new URL('../pkg/node.js', import.meta.url));
  const node = process.env.NODE || process.execPath;
  const { generateKeyPairSync } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'coldtrace-'));
  const key = (type) => generateKeyPairSync('rsa', { modulusLength: 2048 })[type];
  writeFileSync(join(dir, 'merchant.pem'), key('privateKey').export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'platform.pub.pem'), key('publicKey').export({ type: 'spki', format: 'pem' }));
  const sums = new Map(); // phase -> class -> ms, summed over the children
  try {
    for (let i = 0; i < N; i++) {
      const prof = join(dir, `prof${i}`);
      const out = execFileSync(node, ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', prof, self, '--child', dir, entry, ...(process.env.TRACE_SUBTLE ? ['--subtle'] : [])], { encoding: 'utf8' });
      const { phases, marks } = JSON.parse(out);
      const p = (k) => phases.map((x, j) => (j ? (x[k] - phases[j - 1][k]).toFixed(k === 'in' || k === 'out' ? 0 : 1) : null)).slice(1).join(' / ');
      console.log(`#${i + 1}: wall ${p('wall')} ms, CPU ${p('cpu')} ms (import / construct / first header / second); crossings js->wasm ${p('in')}, wasm->js ${p('out')}`);
      if (i === 0) for (const m of marks) console.log(`   ${m.at.toFixed(2).padStart(8)} ms  ${m.what}`);
      const profile = JSON.parse(readFileSync(join(prof, readdirSync(prof)[0]), 'utf8'));
      const bounds = marks.filter((m) => phases.some((x) => x.name === m.what));
      for (const [ph, cls, ms] of bySelfTime(profile, bounds)) {
        if (!sums.has(ph)) sums.set(ph, new Map());
        sums.get(ph).set(cls, (sums.get(ph).get(cls) || 0) + ms);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nSelf time by phase and by what ran, mean of ${N} profiles (ms; Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}):`);
  for (const [ph, m] of sums) {
    const total = [...m.values()].reduce((a, b) => a + b, 0) / N;
    console.log(`${ph}: ${total.toFixed(1)}`);
    for (const [cls, ms] of [...m].sort((a, b) => b[1] - a[1])) if (ms / N >= 0.1) console.log(`   ${(ms / N).toFixed(2).padStart(7)}  ${cls}`);
  }
}

/** [phase, class, ms] of every sample of `profile`, the phases being the spans between `bounds`. */
function bySelfTime(profile, bounds) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parentOf.set(c, n.id);
  const stack = (id) => { const s = []; for (let x = id; x !== undefined; x = parentOf.get(x)) s.push(byId.get(x).callFrame); return s; };
  const out = [];
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    const j = bounds.findIndex((b, k) => k + 1 < bounds.length && at >= b.hr && at < bounds[k + 1].hr);
    if (j < 0) continue;
    out.push([`${bounds[j].what} -> ${bounds[j + 1].what}`, classOf(stack(profile.samples[i])), (profile.timeDeltas[i + 1] ?? 0) / 1000]);
  }
  return out;
}

function classOf(st) {
  const { functionName: fn, url } = st[0];
  const under = (re) => st.some((f) => re.test(f.url));
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle (waiting: WebCrypto thread pool)';
  if (fn === '(program)') return 'V8 itself (program)';
  if (fn === 'Module' && url === '') return 'new WebAssembly.Module (decode, validate)';
  if (fn === 'Instance' && url === '') return 'new WebAssembly.Instance';
  if (url.startsWith('wasm://')) return 'wasm (running, and compiling lazily on first call)';
  if (/^(js-to-wasm|wasm-to-js)/.test(fn)) return 'wasm<->JS transitions';
  if (st.some((f) => f.functionName === 'compileForInternalLoader')) {
    return under(/internal\/crypto|node:crypto/) || /internal\/crypto/.test(url) ? 'Node loading its crypto internals' : 'Node loading other internals';
  }
  if (/internal\/crypto/.test(url)) return 'WebCrypto JS (importKey, sign, verify)';
  if (/modules\/(esm|helpers|cjs|package_json)|internal\/url|node:fs|node:path/.test(url)) return 'ESM loader (resolve, read, compile modules)';
  if (url.includes('coldstart-trace')) return 'trace harness';
  if (/\/wechatpay_wasm[^/]*\.js$/.test(url)) return 'wasm-bindgen glue';
  if (url.includes('/js/') || /\/(node|index)\.m?js$/.test(url)) return 'package JS';
  if (url === '') return 'V8 builtins (JSON.parse, TextDecoder, promises...)';
  return 'Node other';
}
