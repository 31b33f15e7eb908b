#!/usr/bin/env node
// Measures (prints, asserts nothing): package size, wasm size, module instantiation time in
// Node, and CPU time per presign in workerd.
//
//   node benches/runtimes.mjs      (after make pkg; or: make bench-runtimes)
//   env: BENCH_PRESIGNS (default 200), BENCH_AUTHS (default 400), BENCH_STARTS (default 9)
//
// Method:
// - Package size: `npm pack pkg/` (the .tgz is gzipped) and its unpacked size; the .wasm raw,
//   gzip -9 and brotli (what a CDN or the Workers upload limit sees).
// - Worker upload: examples/cloudflare-worker built by wrangler (`wrangler deploy --dry-run
//   --outdir`, offline, tests/runtimes/lib/wrangler.mjs) with the packed package installed:
//   wrangler's own "Total Upload" (raw / gzip) and each file of the bundle, raw and gzip -9.
// - Instantiation in Node: BENCH_STARTS fresh `node` processes in a project where the packed
//   tarball is installed; each measures performance.now() around `await import(name)` (ESM
//   entry: readFileSync + WebAssembly compile + instantiate + JS layer) and around
//   `require(name)` (CommonJS entry); the median and the range are printed.
// - CPU per presign in workerd: performance.now()/Date.now() do not advance during a Worker's
//   own computation (workerd freezes timers against side channels), so the clock is taken from
//   outside: miniflare starts ONE workerd process; a bench Worker runs N real presigns against
//   the emulator (validate, RSA-sign with WebCrypto, fetch, verify the signed answer) inside ONE
//   request; utime+stime of the workerd process (all its threads) is read from
//   /proc/<pid>/stat before and after (10 ms ticks; N is large enough that a tick is <= 5%).
//   A request with N = 0 is measured the same way and subtracted (the request's own cost).
//   The emulator runs in this Node process, so its CPU is not counted. The figure is an upper
//   bound of what Workers bill: it includes workerd's HTTP client and TCP work for the fetch,
//   which Cloudflare does not count as CPU time of the request. The same is done for N
//   authorization() + validatePreEntrustSign() calls (no network: the pure compute part).
//   Best of 3 rounds, after a warm-up request (key import, JIT).
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join } from 'node:path';
import { startEmulator } from '../emulator/server.mjs';
import { ROOT, PKG, installPackedPackage, run, startWorker, workerdPids, cpuMs } from '../tests/runtimes/lib/common.mjs';
import { buildWorkerWithWrangler } from '../tests/runtimes/lib/wrangler.mjs';

const PRESIGNS = Number(process.env.BENCH_PRESIGNS || 200);
const AUTHS = Number(process.env.BENCH_AUTHS || 400);
const STARTS = Number(process.env.BENCH_STARTS || 9);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const pkg = installPackedPackage();
const emu = await startEmulator({ log: false });
let mf;
try {
  // ------------------------------------------------------------------ sizes
  console.log(`package  ${pkg.name}@${pkg.version}: npm pack ${kb(pkg.tgzSize)} gzipped (${pkg.tgzSize} bytes), ` +
    `${kb(pkg.unpackedSize)} unpacked, ${pkg.fileCount} files`);
  for (const [what, wasmName] of wasmFiles(pkg.installed)) {
    const wasm = readFileSync(join(pkg.installed, wasmName));
    console.log(`wasm     ${wasmName} (${what}): ${kb(wasm.length)} raw (${wasm.length} bytes), ` +
      `${kb(gzipSync(wasm, { level: 9 }).length)} gzip -9, ` +
      `${kb(brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length)} brotli`);
  }

  // ------------------------------------------------------------------ Worker upload (wrangler)
  const built = await buildWorkerWithWrangler(pkg);
  const bundleGzip = built.files.reduce((n, f) => n + f.gzip, 0);
  const wasmGzip = built.files.filter((f) => f.name.endsWith('.wasm')).reduce((n, f) => n + f.gzip, 0);
  console.log(`worker   examples/cloudflare-worker, wrangler ${built.version} deploy --dry-run (Node ${built.nodeVersion}): ` +
    `Total Upload ${built.upload.kib} KiB / gzip ${built.upload.gzipKib} KiB (wrangler's figures); ` +
    `the wasm modules are ${(100 * wasmGzip / bundleGzip).toFixed(0)}% of the bundle gzipped (gzip -9 of each file, here)`);
  console.log(`         files: ${built.files.map((f) => `${f.name} ${kb(f.size)} (${kb(f.gzip)} gzip -9)`).join(', ')}`);

  // ------------------------------------------------------------------ Node instantiation
  const n = JSON.stringify(pkg.name);
  const esm = [];
  const cjs = [];
  for (let i = 0; i < STARTS; i++) {
    const a = await run(process.execPath, ['--input-type=module', '-e',
      `const t0 = performance.now(); const m = await import(${n}); const t1 = performance.now();
       if (typeof m.Client !== 'function') throw new Error('not ready'); console.log(t1 - t0);`], { cwd: pkg.app });
    const b = await run(process.execPath, ['-e',
      `const t0 = performance.now(); const m = require(${n}); const t1 = performance.now();
       if (typeof m.Client !== 'function') throw new Error('not ready'); console.log(t1 - t0);`], { cwd: pkg.app });
    if (a.code !== 0 || b.code !== 0) throw new Error(`${a.err}${b.err}`);
    esm.push(Number(a.out));
    cjs.push(Number(b.out));
  }
  const range = (xs) => `median ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)})`;
  console.log(`node     instantiation, fresh process, import to ready: ${range(esm)}; require: ${range(cjs)} [${STARTS} processes, Node ${process.version}]`);

  // ------------------------------------------------------------------ workerd CPU per presign
  const main = join(pkg.app, 'bench-worker.js');
  writeFileSync(main, `
    import { Client, validatePreEntrustSign } from 'wechatpay-wasm';
    let client;
    export default {
      async fetch(request, env) {
        const u = new URL(request.url);
        const n = Number(u.searchParams.get('n') || 0);
        const prefix = u.searchParams.get('p') || 'b';
        client ??= new Client({ ...JSON.parse(env.CREDS), baseURL: env.BASE_URL });
        const body = JSON.parse(env.BODY);
        for (let i = 0; i < n; i++) {
          if (u.pathname === '/presign') {
            const res = await client.preEntrustSign({ ...body, out_contract_code: prefix + 'x' + i });
            if (!res.pre_entrustweb_id) throw new Error('no id');
          } else {
            const text = JSON.stringify(body);
            if (validatePreEntrustSign(text).length) throw new Error('invalid');
            await client.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', text);
          }
        }
        return new Response(String(n));
      },
    };`);
  const body = {
    sign_scene: 'SIGN_SCENE_QRCODE', appid: emu.credentials.appid, plan_id: emu.credentials.plan_id,
    out_contract_code: 'placeholder', contract_display_account: '微信代扣用户A',
    contract_notify_url: 'https://yourapp.example/notify', out_user_code: 'user-42',
    device_info: { device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'd-1', device_running_as_root: false,
      device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS' },
  };
  const w = await startWorker({
    app: pkg.app, name: pkg.name, installed: pkg.installed, main,
    bindings: { CREDS: JSON.stringify(emu.credentials), BASE_URL: emu.url, BODY: JSON.stringify(body) },
  });
  mf = w.mf;
  const pids = workerdPids();
  if (pids.length !== 1) throw new Error(`expected one workerd process below this one, found ${pids.length}`);
  const [pid] = pids;
  let round = 0;
  const cpuOf = async (path, n) => {
    const p = `r${Date.now().toString(36)}${++round}`;
    const before = cpuMs(pid);
    const res = await mf.dispatchFetch(`${w.url}${path}?n=${n}&p=${p}`);
    const text = await res.text();
    const after = cpuMs(pid);
    if (res.status !== 200 || Number(text) !== n) throw new Error(`${path}?n=${n}: ${res.status} ${text.slice(0, 500)}`);
    return after - before;
  };
  const perCall = async (path, n) => {
    await cpuOf(path, 5); // warm-up: key import, JIT
    const rounds = [];
    for (let r = 0; r < 3; r++) {
      const base = await cpuOf(path, 0);
      const total = await cpuOf(path, n);
      rounds.push((total - base) / n);
    }
    return rounds;
  };
  const fmt = (rounds) => `${Math.min(...rounds).toFixed(2)} ms (rounds: ${rounds.map((x) => x.toFixed(2)).join(', ')})`;
  const presign = await perCall('/presign', PRESIGNS);
  const auth = await perCall('/auth', AUTHS);
  console.log(`workerd  CPU per presign (validate + sign + fetch + verify, against the emulator): ${fmt(presign)} ` +
    `[target <= 2 ms; ${PRESIGNS} presigns per request, workerd process CPU from /proc/${pid}/stat]`);
  console.log(`workerd  CPU per authorization() + validatePreEntrustSign() (no network): ${fmt(auth)} [${AUTHS} per request]`);
} finally {
  await mf?.dispose();
  await emu.close();
  pkg.cleanup();
}

/** [what, file] of the package's wasm modules, from its exports map. */
function wasmFiles(dir) {
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return [['main, loaded by every runtime', pj.exports['./wasm']],
    ['extra, loaded on first use', pj.exports['./extra.wasm']]]
    .filter(([, f]) => f).map(([w, f]) => [w, f.replace(/^\.\//, '')]);
}
void ROOT;
void PKG;
