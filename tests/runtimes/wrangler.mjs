#!/usr/bin/env node
// The example Worker built by wrangler, as `wrangler deploy` would upload it (offline, no
// account: `wrangler deploy --dry-run --outdir`), with the packed package installed by name:
//   - wrangler succeeds, on the newest Node of .tools/ (22+), with an empty HOME (no login);
//   - the bundle carries the package's main wasm module byte for byte, as a module of its own
//     (wrangler's CompiledWasm rule, from the package's `workerd` export), not inlined;
//   - the bundle as built runs in workerd (miniflare): its page answers from Cloudflare-Workers,
//     and its /notify handler refuses a forged notification with 401 FAIL (parseNotification
//     and notificationReply, in the bundled wasm).
// Prints the upload size wrangler reports. Ends with 'N passed, N failed' (exit 1 on failure).
//
//   node tests/runtimes/wrangler.mjs      (after make pkg; make test-runtimes runs it)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../emulator/server.mjs';
import { ROOT, installPackedPackage } from './lib/common.mjs';
import { buildWorkerWithWrangler } from './lib/wrangler.mjs';

const pkg = installPackedPackage();
const emu = await startEmulator({ log: false });
let mf;
let passed = 0;
let failed = 0;
const check = async (name, fn) => {
  try {
    const info = await fn();
    console.log(`ok   ${name}${info ? `: ${info}` : ''}`);
    passed++;
  } catch (e) {
    console.log(`FAIL ${name}:\n${String(e.stack || e).replace(/^/gm, '    ')}`);
    failed++;
  }
};

try {
  let built;
  await check('wrangler deploy --dry-run', async () => {
    built = await buildWorkerWithWrangler(pkg);
    return `wrangler ${built.version} on Node ${built.nodeVersion}: Total Upload ${built.upload.kib} KiB / gzip ${built.upload.gzipKib} KiB; ` +
      built.files.map((f) => `${f.name} ${f.size} B`).join(', ');
  });
  if (built) {
    const pj = JSON.parse(readFileSync(join(pkg.installed, 'package.json'), 'utf8'));
    const mainWasm = readFileSync(join(pkg.installed, pj.exports['./wasm']));
    await check('the bundle holds the main wasm module as a module of its own', () => {
      const wasm = built.files.filter((f) => f.name.endsWith('.wasm'));
      assert.ok(wasm.some((f) => f.bytes.equals(mainWasm)),
        `no file of ${built.outdir} equals ${pj.exports['./wasm']} (${mainWasm.length} B): ${built.files.map((f) => `${f.name} ${f.size} B`).join(', ')}`);
      const js = built.files.find((f) => f.name === 'index.js');
      assert.ok(js, 'no index.js in the out dir');
      const wasmName = wasm.find((f) => f.bytes.equals(mainWasm)).name;
      assert.ok(js.bytes.toString('utf8').includes(wasmName), `index.js does not import ${wasmName}`);
      // The upload wrangler reports is at least the main wasm (it is not left out).
      assert.ok(built.upload.kib * 1024 >= mainWasm.length, `upload ${built.upload.kib} KiB < main wasm ${mainWasm.length} B`);
      return `${wasmName} (${mainWasm.length} B)`;
    });
    await check('the bundle runs in workerd', async () => {
      const { Miniflare } = await import(join(ROOT, 'node_modules', 'miniflare', 'dist', 'src', 'index.js'));
      const c = emu.credentials;
      mf = new Miniflare({
        // The entry first (workerd's main module), then the other modules wrangler wrote.
        modules: built.files
          .filter((f) => /\.(m?js|wasm)$/.test(f.name))
          .sort((x, y) => (y.name === 'index.js') - (x.name === 'index.js'))
          .map((f) => ({
            type: f.name.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule',
            path: join(built.outdir, f.name),
            contents: f.bytes,
          })),
        modulesRoot: built.outdir,
        compatibilityDate: '2025-01-01',
        bindings: {
          WECHATPAY_BASE_URL: emu.url, WECHATPAY_MCHID: c.mchid, WECHATPAY_SERIAL: c.serial,
          WECHATPAY_PRIVATE_KEY: c.privateKey, WECHATPAY_CERTS: JSON.stringify(c.certs),
          WECHATPAY_APIV3_KEY: c.apiv3Key, WECHATPAY_APPID: c.appid, WECHATPAY_PLAN_ID: String(c.plan_id),
          NOTIFY_URL: '',
        },
        host: '127.0.0.1',
        port: 0,
      });
      const url = String(await mf.ready).replace(/\/$/, '');
      const page = await (await mf.dispatchFetch(`${url}/`)).text();
      assert.match(page, /\(Cloudflare-Workers\)/, `GET /: ${page}`);
      const forged = await mf.dispatchFetch(`${url}/notify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', 'wechatpay-serial': Object.keys(c.certs)[0],
          'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)), 'wechatpay-nonce': 'n1',
          'wechatpay-signature': Buffer.alloc(256, 1).toString('base64'),
        },
        body: '{"id":"forged","event_type":"ENTRUST.SIGN","resource":{}}',
      });
      const reply = await forged.json();
      assert.equal(forged.status, 401, `forged notification: ${forged.status} ${JSON.stringify(reply)}`);
      assert.equal(reply.code, 'FAIL');
      return `GET / -> ${page.trim().slice(0, 60)}; forged /notify -> ${forged.status} ${reply.code}`;
    });
  }
} finally {
  await mf?.dispose().catch(() => {}); // a Worker that failed to start was reported above
  await emu.close();
  pkg.cleanup();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
