#!/usr/bin/env node
// The same smoke test in every runtime the package promises, against one emulator on
// 127.0.0.1: validation, authorization(), a presign in both scenes (QR code and app), the
// user's agreement (emulator), then parseNotification of the ENTRUST.SIGN that follows.
//
//   node tests/runtimes/run.mjs [--only node-esm,node-cjs,deno,workerd,chromium,types]
//
// The package is installed the way a user gets it: `npm pack pkg/` and `npm install` of the
// tarball into a temporary project (offline), then imported BY NAME:
//   node-esm   examples/node-esm/index.mjs (import)        -> exports.node.import
//   node-cjs   examples/node-cjs/index.cjs (require)       -> exports.node.require
//   deno       examples/deno/main.ts (node_modules/.bin/deno, --allow-net=127.0.0.1 and two env
//              variables; no --allow-read)                 -> exports.deno
//   workerd    examples/cloudflare-worker in workerd (miniflare): the emulator URL and the
//              credentials are bindings; POST /presign, the emulator posts ENTRUST.SIGN to
//              the Worker's /notify, which verifies it; the record is replayed, and tampered;
//              POST /deductions charges the user's signed contract (refused without the user,
//              for another user's contract, an unknown item, a bad body), TRANSACTION.SUCCESS
//              and (payFail fault) TRANSACTION.FAIL reach the Worker, a replay changes nothing;
//              the user's termination is refused while a charge is in flight, then allowed;
//              a second Worker calls authorization() five times (headers equal, verified
//              with node:crypto)                           -> exports.workerd
//   chromium   /usr/bin/chromium via playwright-core, a page served from 127.0.0.1 with an
//              import map: validation, authorization(), presigns (CORS), parseNotification of
//              the record fetched from the emulator           -> exports.browser
//   types      tsc --noEmit --strict over examples/usage.ts (and a CommonJS twin) against the
//              installed package; examples/usage-wrong-field.ts must FAIL with the wrong field
//              named
// Node, Deno and the browser run the examples' own handlers; each prints the runtime it ran in,
// and a failure names it. Ends with the plain line 'N passed, N failed' (exit 1 on failure).
import { createServer } from 'node:http';
import { createVerify, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { createRequire } from 'node:module';
import { startEmulator } from '../../emulator/server.mjs';
import { ROOT, installPackedPackage, copyExample, run, startWorker } from './lib/common.mjs';

const ALL = ['node-esm', 'node-cjs', 'deno', 'workerd', 'chromium', 'types'];
const onlyArg = process.argv.indexOf('--only');
const selected = onlyArg > 0 ? process.argv[onlyArg + 1].split(',') : ALL;
for (const s of selected) if (!ALL.includes(s)) { console.error(`run: unknown runtime ${s} (${ALL})`); process.exit(2); }
const require = createRequire(join(ROOT, 'package.json'));
const STEP_TIMEOUT_MS = 150_000;

let passed = 0;
let failed = 0;
const cleanups = [];
async function cleanup() {
  for (const f of cleanups.reverse()) {
    try { await f(); } catch (e) { console.error(`cleanup: ${e.message}`); }
  }
}

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
}

async function step(name, fn) {
  if (!selected.includes(name)) return;
  const t0 = performance.now();
  let timer;
  try {
    // No step may hang the run: each gets STEP_TIMEOUT_MS.
    const info = await Promise.race([fn(), new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    })]);
    console.log(`ok   ${name.padEnd(8)} ${String(Math.round(performance.now() - t0)).padStart(6)} ms  ${info}`);
    passed++;
  } catch (e) {
    console.log(`FAIL ${name.padEnd(8)} ${String(Math.round(performance.now() - t0)).padStart(6)} ms  runtime ${name}:\n` +
      String(e.stack || e).replace(/^/gm, '    '));
    failed++;
  } finally {
    clearTimeout(timer);
  }
}

/** The child's output must end with `PASS <runtime>`; returns its `runtime:` line. */
function childResult(name, r) {
  const lines = r.out.trim().split('\n');
  const runtime = lines.find((l) => l.startsWith('runtime: '));
  if (r.code !== 0 || !lines.at(-1)?.startsWith('PASS ')) {
    throw new Error(`${name} exited with ${r.code}\n--- stdout\n${r.out}--- stderr\n${r.err}`);
  }
  return `${runtime?.slice(9) ?? '?'} | ${lines.filter((l) => l.startsWith('SIGN_SCENE_')).map((l) => l.replace(/ -> .*? (\w+)$/, ' -> $1')).join('; ')}`;
}

const body = (emu, scene, code, notifyUrl) => ({
  sign_scene: scene,
  appid: emu.credentials.appid,
  plan_id: emu.credentials.plan_id,
  out_contract_code: code,
  contract_display_account: '微信代扣用户A',
  contract_notify_url: notifyUrl,
  out_user_code: 'user-42',
  device_info: {
    device_type: 'DEVICE_TYPE_PAD', device_os: 'Android 14', device_id: 'd-2',
    device_running_as_root: false, device_ip: '198.51.100.9', weixin_installed: true,
    weixin_version: '8.0.50', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS',
  },
});
let codeCounter = 0;
const contractCode = (prefix) => `${prefix}${Date.now().toString(36)}${process.pid}${++codeCounter}`.slice(0, 32);

try {
  const emu = await startEmulator({ log: false, notifyRetry: { max: 2, baseMs: 100 } });
  cleanups.push(() => emu.close());
  // A notification sink for flows whose runtime cannot listen (the browser): answers 204.
  const sink = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  cleanups.push(() => { sink.closeAllConnections(); return new Promise((r) => sink.close(r)); });
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/notify`;

  const pkg = installPackedPackage();
  cleanups.push(() => pkg.cleanup());
  const { app, name } = pkg;
  console.log(`run: ${name}@${pkg.version} packed (${pkg.fileCount} files, ${pkg.tgzSize} bytes gzipped) and installed into ${app}; emulator ${emu.url}`);
  const env = {
    WECHATPAY_BASE_URL: emu.url,
    WECHATPAY_CREDENTIALS: JSON.stringify(emu.credentials),
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
  };

  await step('node-esm', async () => {
    copyExample(app, 'node-esm');
    return childResult('node-esm', await run(process.execPath, [join(app, 'node-esm', 'index.mjs')], { cwd: app, env }));
  });

  await step('node-cjs', async () => {
    copyExample(app, 'node-cjs');
    return childResult('node-cjs', await run(process.execPath, [join(app, 'node-cjs', 'index.cjs')], { cwd: app, env }));
  });

  await step('deno', async () => {
    copyExample(app, 'deno');
    const deno = join(ROOT, 'node_modules', '.bin', 'deno');
    // Deno type-checks the example against the package's declarations as it resolves them.
    const checked = await run(deno, ['check', '--quiet', '--node-modules-dir=manual', 'deno/main.ts'], { cwd: app, env });
    check(checked.code === 0, `deno check examples/deno/main.ts:\n${checked.out}${checked.err}`);
    return childResult('deno', await run(deno, ['run', '--no-prompt', '--quiet', '--node-modules-dir=manual',
      '--allow-net=127.0.0.1', '--allow-env=WECHATPAY_BASE_URL,WECHATPAY_CREDENTIALS', 'deno/main.ts'], { cwd: app, env }));
  });

  await step('workerd', async () => {
    copyExample(app, 'cloudflare-worker');
    const c = emu.credentials;
    const bindings = {
      WECHATPAY_BASE_URL: emu.url, WECHATPAY_MCHID: c.mchid, WECHATPAY_SERIAL: c.serial,
      WECHATPAY_PRIVATE_KEY: c.privateKey, WECHATPAY_CERTS: JSON.stringify(c.certs),
      WECHATPAY_APIV3_KEY: c.apiv3Key, WECHATPAY_APPID: c.appid, WECHATPAY_PLAN_ID: String(c.plan_id),
      NOTIFY_URL: '', // empty: the Worker's own /notify, at the address miniflare listens on
    };
    const main = join(app, 'cloudflare-worker', 'src', 'index.js');
    const { mf, url } = await startWorker({ app, name, installed: pkg.installed, main, bindings });
    cleanups.push(() => mf.dispose());
    const runtime = (await (await mf.dispatchFetch(`${url}/`)).text()).trim();
    check(/\(Cloudflare-Workers\)/.test(runtime), `the Worker runs in workerd: ${runtime}`);
    const out = [];
    // The user is who the authentication layer in front of the Worker says (a header), never
    // the body: without the header the Worker refuses, and a user sees only their own contracts.
    const user = { 'cf-access-authenticated-user-email': 'user-42@example.com' };
    const before = emu.contracts.size;
    const signed = [];
    const anon = await mf.dispatchFetch(`${url}/presign`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body(emu, 'SIGN_SCENE_QRCODE', contractCode('wd'), undefined)),
    });
    check(anon.status === 401 && (await anon.json()).code === 'UNAUTHENTICATED', `presign without the user header: ${anon.status}`);
    check(emu.contracts.size === before, 'a presign without the user header reached the emulator');
    for (const scene of ['SIGN_SCENE_QRCODE', 'SIGN_SCENE_APP']) {
      const b = body(emu, scene, contractCode('wd'), undefined);
      const res = await mf.dispatchFetch(`${url}/presign`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...user }, body: JSON.stringify(b),
      });
      const presign = await res.json();
      check(res.status === 200 && presign.pre_entrustweb_id, `presign ${scene}: ${res.status} ${JSON.stringify(presign)}`);
      const sent = emu.getContract(presign.pre_entrustweb_id);
      check(sent.out_user_code === 'user-42@example.com' && sent.out_contract_code === presign.out_contract_code,
        `out_user_code from the user header, out_contract_code from the Worker: ${sent.out_user_code} ${sent.out_contract_code}`);
      if (scene === 'SIGN_SCENE_QRCODE') check(presign.redirect_url, 'redirect_url');
      else check(presign.mini_program_username && presign.mini_program_path, 'mini_program_*');
      check(emu.getContract(presign.pre_entrustweb_id).contract_notify_url === `${url}/notify`, 'contract_notify_url is the Worker');

      // The user agrees; the emulator posts ENTRUST.SIGN to the Worker, which verifies it.
      const view = emu.sign(presign.pre_entrustweb_id);
      const rec = await emu.waitForNotification(
        (r) => r.event_type === 'ENTRUST.SIGN' && r.contract_id === view.contract_id && !r.probe, 10_000);
      check(rec.status === 204, `the Worker answered the notification with ${rec.status} ${rec.response ?? rec.error ?? ''}`);
      const state = await (await mf.dispatchFetch(`${url}/contracts/${presign.out_contract_code}`, { headers: user })).json();
      check(state.state === 'SIGNED' && state.contract_id === view.contract_id && state.event === 'ENTRUST.SIGN',
        `the Worker recorded ${JSON.stringify(state)}`);
      const other = await mf.dispatchFetch(`${url}/contracts/${presign.out_contract_code}`, { headers: { 'cf-access-authenticated-user-email': 'someone-else@example.com' } });
      check(other.status === 404, `another user's contract: ${other.status}`);
      // The record's exact headers and body, replayed: verified again; one byte changed: 401.
      const replay = await mf.dispatchFetch(`${url}/notify`, { method: 'POST', headers: rec.headers, body: rec.body });
      check(replay.status === 204, `replayed notification: ${replay.status}`);
      const tampered = rec.body.replace('"ENTRUST.SIGN"', '"ENTRUST.SIGM"');
      const bad = await mf.dispatchFetch(`${url}/notify`, { method: 'POST', headers: rec.headers, body: tampered });
      const badBody = await bad.json();
      check(bad.status === 401 && badBody.code === 'FAIL', `tampered notification: ${bad.status} ${JSON.stringify(badBody)}`);
      out.push(`${scene} -> ${state.state}`);
      signed.push(presign.out_contract_code);
    }

    // Charges against the user's signed contract: the Worker prices the item, WeChat Pay (the
    // emulator) accepts, charges, and reports the result to the Worker's /notify.
    const deduct = (input, headers = user) => mf.dispatchFetch(`${url}/deductions`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input),
    });
    const input = { out_contract_code: signed[0], item: 'vip-month', harmony_account_id: 'harmony-user-42' };
    const orders = emu.orders.size;
    check((await deduct(input, {})).status === 401, 'a deduction without the user header');
    const others = await deduct(input, { 'cf-access-authenticated-user-email': 'someone-else@example.com' });
    check(others.status === 404, `a deduction on another user's contract: ${others.status}`);
    const unknown = await deduct({ ...input, item: 'free-lunch' });
    check(unknown.status === 400 && (await unknown.json()).code === 'UNKNOWN_ITEM', 'an item the merchant does not sell');
    const badBody = await deduct({ ...input, harmony_account_id: 'h'.repeat(65) });
    const badJson = await badBody.json();
    check(badBody.status >= 400 && /harmony_account_id/.test(JSON.stringify(badJson)), `a 65-character harmony_account_id: ${badBody.status} ${JSON.stringify(badJson)}`);
    check(emu.orders.size === orders, 'a refused deduction left an order at WeChat Pay');
    const settle = async (expected, event) => {
      const res = await deduct(input);
      const accepted = await res.json();
      check(res.status === 200 && accepted.state === 'ACCEPT' && accepted.amount?.total === 1500, `deduction: ${res.status} ${JSON.stringify(accepted)}`);
      const order = emu.orders.get(accepted.out_trade_no);
      check(order?.request.contract_id === emu.getContract(signed[0]).contract_id && order.request.amount.total === 1500,
        `the emulator's order names the user's contract and the item's price: ${JSON.stringify(order?.request)}`);
      try { emu.chargeNow(accepted.out_trade_no); } catch (e) { if (e.code !== 'INVALID_STATE') throw e; } // (or charged by its delay already)
      const rec = await emu.waitForNotification((r) => r.event_type === event && r.out_trade_no === accepted.out_trade_no && !r.probe, 10_000);
      check(rec.status === 204, `the Worker answered ${event} with ${rec.status}`);
      const charge = await (await mf.dispatchFetch(`${url}/deductions/${accepted.out_trade_no}`, { headers: user })).json();
      check(charge.state === expected && /^42\d{26}$/.test(charge.transaction_id ?? ''), `the Worker recorded ${JSON.stringify(charge)}`);
      const theirs = await mf.dispatchFetch(`${url}/deductions/${accepted.out_trade_no}`, { headers: { 'cf-access-authenticated-user-email': 'someone-else@example.com' } });
      check(theirs.status === 404, `another user's charge: ${theirs.status}`);
      return rec;
    };
    const paid = await settle('SUCCESS', 'TRANSACTION.SUCCESS');
    emu.inject({ kind: 'payFail' });
    await settle('PAY_FAIL', 'TRANSACTION.FAIL');
    // TRANSACTION.SUCCESS replayed after the charge settled: acknowledged, nothing changes.
    const replayed = await mf.dispatchFetch(`${url}/notify`, { method: 'POST', headers: paid.headers, body: paid.body });
    check(replayed.status === 204, `replayed TRANSACTION.SUCCESS: ${replayed.status}`);
    out.push('deduction -> SUCCESS, payFail -> PAY_FAIL');

    // The user asks to end the contract (ENTRUST.TERMINATE_INQUIRY): refused while a charge is
    // in flight, allowed once it settled, then ENTRUST.TERMINATE reaches the Worker.
    const contractId = emu.getContract(signed[0]).contract_id;
    const pending = await (await deduct(input)).json();
    const refusedInquiry = await emu.requestTermination(contractId);
    const order = emu.orders.get(pending.out_trade_no);
    // Charged by the emulator's delay (2 s) only after the answer on any sane machine; if not,
    // the refusal cannot be asserted (the Worker may already know the charge settled).
    const inFlight = order.charged_at === null || order.charged_at > refusedInquiry.answered_at;
    if (inFlight) {
      check(refusedInquiry.state === 'REFUSED' && /in progress/.test(refusedInquiry.message ?? ''), `inquiry with a charge in flight: ${JSON.stringify(refusedInquiry)}`);
      check(emu.getContract(contractId).state === 'SIGNED', 'a refused termination leaves the contract signed');
    }
    try { emu.chargeNow(pending.out_trade_no); } catch (e) { if (e.code !== 'INVALID_STATE') throw e; }
    await emu.waitForNotification((r) => r.event_type === 'TRANSACTION.SUCCESS' && r.out_trade_no === pending.out_trade_no && r.ok, 10_000);
    const allowedInquiry = await emu.requestTermination(contractId);
    check(allowedInquiry.state === 'ALLOWED', `inquiry with no charge in flight: ${JSON.stringify(allowedInquiry)}`);
    await emu.waitForNotification((r) => r.event_type === 'ENTRUST.TERMINATE' && r.contract_id === contractId && r.ok, 10_000);
    const ended = await (await mf.dispatchFetch(`${url}/contracts/${signed[0]}`, { headers: user })).json();
    check(ended.state === 'TERMINATED' && ended.event === 'ENTRUST.TERMINATE', `the Worker recorded ${JSON.stringify(ended)}`);
    out.push(`termination inquiry -> ${inFlight ? 'REFUSED, then ' : ''}ALLOWED -> TERMINATED`);
    // authorization() in workerd, first call (key import) and later ones, verified here.
    const authMain = join(app, 'auth-worker.mjs');
    writeFileSync(authMain, `import { Client } from ${JSON.stringify(name)};
export default {
  async fetch(request, env) {
    const c = new Client(JSON.parse(env.OPTIONS));
    const at = { timestamp: 1624523846, nonce: 'A1B2C3D4E5F6G7' };
    const first = await c.authorization('GET', '/v3/certificates', '', at);
    const later = await Promise.all([0, 1, 2, 3].map(() => c.authorization('GET', '/v3/certificates', '', at)));
    return Response.json({ first, later });
  },
};
`);
    const aw = await startWorker({ app, name, installed: pkg.installed, main: authMain,
      bindings: { OPTIONS: JSON.stringify({ mchid: c.mchid, serial: c.serial, privateKey: c.privateKey, certs: c.certs }) } });
    cleanups.push(() => aw.mf.dispose());
    const auth = await (await aw.mf.dispatchFetch(`${aw.url}/`)).json();
    check(auth.later.every((h) => h === auth.first), `authorization() gave different headers: ${JSON.stringify(auth)}`);
    const sig = /signature="([^"]+)"$/.exec(auth.first)?.[1];
    check(sig && createVerify('RSA-SHA256').update('GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n')
      .verify(createPublicKey(c.privateKey), sig, 'base64'), `authorization() in workerd does not verify: ${auth.first}`);
    out.push('authorization verified');
    const mfVersion = require('miniflare/package.json').version;
    return `${runtime.replace(/^.*\((.*)\).*$/s, `workerd ($1, miniflare ${mfVersion})`)} | ${out.join('; ')}`;
  });

  await step('chromium', async () => {
    const { chromium } = require('playwright-core');
    const entry = JSON.parse(readFileSync(join(pkg.installed, 'package.json'), 'utf8')).exports['.'].browser.default;
    const config = {
      baseURL: emu.url, credentials: emu.credentials, notifyUrl: sinkUrl,
      codes: [contractCode('br'), contractCode('br')],
    };
    const page = readFileSync(join(ROOT, 'tests', 'runtimes', 'lib', 'browser-smoke.html'), 'utf8')
      .replace('"IMPORT_MAP"', JSON.stringify({ imports: { [name]: `/node_modules/${name}/${entry.replace(/^\.\//, '')}` } }));
    const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      if (path === '/config.json') return res.writeHead(200, { 'content-type': types['.json'] }).end(JSON.stringify(config));
      const file = join(app, path);
      if (!file.startsWith(join(app, 'node_modules') + '/') || !existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => { server.closeAllConnections(); return new Promise((r) => server.close(r)); });
    const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    cleanups.push(() => context.close());
    const p = context.pages()[0] ?? await context.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`http://127.0.0.1:${server.address().port}/`);
    await p.waitForFunction(() => window.smokeResult !== undefined, null, { timeout: 60_000 });
    const result = await p.evaluate(() => window.smokeResult);
    if (!result.ok) throw new Error(`${result.error}\n${errors.join('\n')}`);
    for (const code of config.codes) {
      const rec = emu.notifications.find((n) => n.out_contract_code === code && !n.probe);
      check(rec?.status === 204, `ENTRUST.SIGN of ${code} delivered`);
    }
    return `chromium (${result.runtime}) | ${result.lines.join('; ')}`;
  });

  await step('types', async () => {
    const dir = join(app, 'types');
    mkdirSync(dir, { recursive: true });
    for (const f of ['usage.ts', 'usage-cjs.cts', 'usage-wrong-field.ts']) copyFileSync(join(ROOT, 'examples', f), join(dir, f));
    const tsc = require.resolve('typescript/bin/tsc');
    const tsconfig = (file, files) => {
      writeFileSync(join(app, file), JSON.stringify({
        compilerOptions: {
          noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
          // Plain ES2022 (the package's types need no esnext lib); dom for Request/Response/Headers.
          lib: ['es2022', 'dom'], types: [], skipLibCheck: false,
        },
        files,
      }, null, 2));
      return ['-p', file];
    };
    // usage.ts and its CommonJS twin must compile (their @ts-expect-error lines must be errors).
    const good = await run(process.execPath, [tsc, ...tsconfig('tsconfig.usage.json', ['types/usage.ts', 'types/usage-cjs.cts'])], { cwd: app });
    check(good.code === 0, `tsc --strict over examples/usage.ts and usage-cjs.cts failed:\n${good.out}${good.err}`);
    // usage-wrong-field.ts must not: each line marked `// wrong:` names a field that does not exist.
    const wrongSrc = readFileSync(join(dir, 'usage-wrong-field.ts'), 'utf8').split('\n');
    const expected = wrongSrc.map((l, i) => [i + 1, /\/\/ wrong: (\w+)/.exec(l)?.[1]]).filter(([, f]) => f);
    const bad = await run(process.execPath, [tsc, ...tsconfig('tsconfig.wrong.json', ['types/usage-wrong-field.ts'])], { cwd: app });
    check(bad.code !== 0, 'examples/usage-wrong-field.ts compiled, but its wrong field names must be errors');
    const errs = bad.out.split('\n').filter((l) => /error TS\d+/.test(l));
    for (const [line, field] of expected) {
      check(errs.some((e) => e.includes(`(${line},`) && e.includes(`'${field}'`)),
        `no error naming '${field}' at usage-wrong-field.ts:${line}; tsc said:\n${bad.out}`);
    }
    check(errs.length === expected.length, `expected ${expected.length} errors, got:\n${errs.join('\n')}`);
    return `tsc ${require('typescript/package.json').version} --strict: usage.ts + usage-cjs.cts compile; ` +
      `usage-wrong-field.ts fails with exactly its ${expected.length} wrong fields (${expected.map(([, f]) => f).join(', ')})`;
  });
} catch (e) {
  console.log(`FAIL setup: ${e.stack || e}`);
  failed++;
} finally {
  await cleanup();
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
