// The wechatpay-wasm demo: the HarmonyOS entrusted-deduction flow rendered on the server, from
// the pre-sign form (代扣预签约) to "contract signed", its charges (paid or failed), the contract
// query and the user's termination (the inquiry answered under the operator's policy).
//
//   node www/server.mjs            emulator mode (no WECHATPAY_* variables set): starts the
//                                  local WeChat Pay emulator in this process and the demo
//   WECHATPAY_...=... node www/server.mjs
//                                  real mode: the same demo against api.mch.weixin.qq.com
//                                  (see www/README.md for the variables)
//
// Only node: built-ins, the npm package (imported by name exactly as a user imports it) and
// better-sqlite3 for the demo's state (www/schema.sql).
// Pages work without client JavaScript, except the live status (server-sent events).

import { createServer } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'wechatpay-wasm';
import { SESSION_TTL_MS, DATABASE_FILE, REAL_ENV, realModeConfig } from './lib/config.mjs';
import { openStore } from './lib/store.mjs';
import { createGuard } from './lib/guard.mjs';
import { createLive } from './lib/live.mjs';
import { handle } from './lib/routes.mjs';
import { send } from './lib/http.mjs';
import { messagePage } from './lib/layout.mjs';

export { SESSION_TTL_MS, realModeConfig };
export { newContractCode } from './lib/fields.mjs';

/**
 * Starts the demo on 127.0.0.1.
 *
 * - `port`: 0 = any free port.
 * - `emulator`: an emulator started by the caller (kept running by close()), or options for
 *   one this function starts (and close() stops); the default when `real` is not given.
 * - `real`: the object of realModeConfig() to talk to the real API instead.
 * - `sessionTtlMs`: the pre-sign session lifetime shown as "expired" (default 10 minutes;
 *   forwarded to an emulator started here).
 * - `clientOptions`: extra `new Client()` options in emulator mode (e.g. `timeout`; tests
 *   pass a wrong `privateKey` to see SIGN_ERROR).
 * - `log`: function(line) for request and notification lines (default: none).
 * - `hosts`: more Host values to answer besides 127.0.0.1:PORT, localhost:PORT and, in real
 *   mode, DEMO_PUBLIC_URL's host (e.g. a tunnel that rewrites Host); any other is refused.
 * - `limits`: bounds of the store and the live status, e.g. `{ maxPending, retainMs,
 *   eventRetainMs, maxStreams, maxPerSession }` (defaults in lib/store.mjs and lib/live.mjs).
 * - `database`: the SQLite file that keeps contracts and handled notifications (default
 *   DEMO_DATABASE or www/data/demo.sqlite; ':memory:' keeps nothing). Opening the same file
 *   again after a restart finds the state as it was.
 */
export async function startDemo({ port = 0, emulator, real, sessionTtlMs, clientOptions, log, hosts = [], limits = {}, database = DATABASE_FILE } = {}) {
  const say = typeof log === 'function' ? log : () => {};
  const ttl = sessionTtlMs ?? SESSION_TTL_MS;
  let emu = null;
  let ownEmulator = false;
  let client;
  const ctx = { say };
  if (real) {
    ctx.mode = 'real';
    client = new Client(real.client);
    ctx.appid = real.appid;
    ctx.planId = real.planId;
    ctx.mchid = real.client.mchid;
    ctx.baseURL = real.client.baseURL;
  } else {
    if (emulator && typeof emulator.url === 'string' && emulator.credentials) {
      emu = emulator;
    } else {
      const { startEmulator } = await import('../emulator/server.mjs');
      emu = await startEmulator({ log: false, ...(emulator ?? {}), sessionTtlMs: ttl });
      ownEmulator = true;
    }
    ctx.mode = 'emulator';
    ctx.emulatorUrl = emu.url;
    client = new Client({ ...emu.credentials, baseURL: emu.url, ...(clientOptions ?? {}) });
    ctx.appid = emu.credentials.appid;
    ctx.planId = emu.credentials.plan_id;
    ctx.mchid = emu.credentials.mchid;
  }

  ctx.client = client;
  ctx.emu = emu;
  ctx.live = createLive(ctx, limits);
  try {
    ctx.store = openStore({ file: database, ttl, onChange: (code) => ctx.live.broadcast(code), ...limits });
  } catch (e) {
    if (ownEmulator) await emu.close();
    throw e;
  }

  const server = createServer((req, res) => {
    if (!ctx.guard) { res.writeHead(503); res.end(); return; } // not listening yet
    handle(ctx, req, res).catch((e) => {
      say(`error ${req.method} ${req.url}: ${e.stack ?? e}`);
      if (!res.headersSent) send(res, e.status ?? 500, messagePage(ctx, `内部错误 Internal error: ${e.message}`));
      else res.end();
    });
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
  } catch (e) {
    ctx.store.close();
    if (ownEmulator) await emu.close();
    throw e;
  }
  const { port: bound } = server.address();
  const url = `http://127.0.0.1:${bound}`;
  ctx.publicUrl = real ? real.publicUrl : url;
  // The Host values this demo answers: its own address and, in real mode, the public one that
  // WeChat Pay's notifications (and a phone opening return_url) come through.
  const local = [`127.0.0.1:${bound}`, `localhost:${bound}`];
  const pub = real ? new URL(real.publicUrl) : null;
  ctx.guard = createGuard({
    hosts: [...local, ...(pub ? [pub.host] : []), ...hosts],
    origins: [...local.map((h) => `http://${h}`), ...(pub ? [pub.origin] : [])],
  });

  return {
    url,
    mode: ctx.mode,
    emulator: emu,
    client,
    /** The store (get, recent, size, sweep, db) and the live status (count): for tests. */
    store: ctx.store,
    live: ctx.live,
    async close() {
      ctx.live.close();
      await new Promise((r) => { server.close(() => r()); server.closeAllConnections(); });
      ctx.store.close();
      if (ownEmulator) await emu.close();
    },
  };
}

// ------------------------------------------------------------------ CLI

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1]);
if (isMain) {
  const realWanted = REAL_ENV.some((k) => process.env[k]);
  let real;
  try {
    real = realWanted ? realModeConfig() : undefined;
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const verbose = process.env.DEMO_VERBOSE === '1';
  const log = verbose ? (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`) : undefined;
  const wanted = Number(process.env.DEMO_PORT ?? process.env.PORT ?? 3000);
  let demo;
  try {
    demo = await startDemo({ port: wanted, real, log, emulator: verbose ? { log: true } : undefined });
  } catch (e) {
    if (e.code !== 'EADDRINUSE') throw e;
    demo = await startDemo({ port: 0, real, log, emulator: verbose ? { log: true } : undefined });
  }
  const how = demo.mode === 'emulator' ? 'against the local WeChat Pay emulator' : `against the real API, notify URL ${real.publicUrl}/notify`;
  process.stdout.write(`wechatpay-wasm demo (${how}); open ${demo.url}/\n`);
  const stop = () => { demo.close().then(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

