#!/usr/bin/env node
// WeChat Pay APIv3 emulator for the HarmonyOS entrusted-deduction flow (pre-sign, contract,
// deduction, order, termination inquiry, certificates). Node 20+, node: built-ins only,
// independent of the SDK in ../src on purpose.
//   node emulator/server.mjs [--port N] [--credentials FILE] ... (README.md, CLI)
//   import { startEmulator } from './emulator/server.mjs'
// This file wires the parts (lib/) together and dispatches requests.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadCredentials } from './lib/credentials.mjs';
import { Notifier } from './lib/notify.mjs';
import { requestId, randomHex } from './lib/wire.mjs';
import { SigningKeys } from './lib/certificates.mjs';
import { Hosts } from './lib/hosts.mjs';
import { runCli } from './lib/cli.mjs';
import { Faults, applyArrivalFault, signAnswer } from './lib/faults.mjs';
import { ContractStore } from './lib/contracts.mjs';
import { Deductions } from './lib/deductions.mjs';
import { Authenticator } from './lib/auth.mjs';
import { apiRoutes } from './lib/api-routes.mjs';
import { userRoutes } from './lib/user-routes.mjs';
import { CONTROL_ALLOW_HEADERS, CONTROL_ALLOW_METHODS, controlCors, guardControl } from './lib/origin.mjs';
import {
  ALLOW_HEADERS, ALLOW_METHODS, BODY_LIMIT, HttpError, readBody, sendJsonError, setCommon, signedSender,
} from './lib/http.mjs';

export { PRE_ENTRUST_PATH } from './lib/api-routes.mjs';
export { APPLY_PATH } from './lib/pay-routes.mjs';
export { FAULT_KINDS, UNKNOWN_SERIAL_ID } from './lib/faults.mjs';

function makeLogger(log) {
  if (log === false) return null;
  if (typeof log === 'function') return log;
  return (line) => process.stderr.write(line + '\n');
}

/**
 * Starts an emulator. See README.md for the options and the returned object.
 * @returns {Promise<object>} emu
 */
export async function startEmulator(options = {}) {
  const o = {
    port: options.port ?? 0,
    sessionTtlMs: options.sessionTtlMs ?? 600_000,
    chargeDelayMs: options.chargeDelayMs ?? 2000,
    notifyRetry: { max: 5, baseMs: 1000, ...(options.notifyRetry ?? {}) },
    notifyTimeoutMs: options.notifyTimeoutMs ?? 5000,
    now: options.now ?? (() => Date.now()),
    backup: options.backup ?? false,
    backupPort: options.backupPort ?? 0,
    probe: options.probe ?? false,
    log: makeLogger(options.log ?? true),
    miniProgramUsername: options.miniProgramUsername ?? 'gh_' + randomHex(12),
  };
  const creds = loadCredentials(options.credentials, { platformCert: Boolean(options.platformCert || options.signWith === 'certificate') });
  const { keyId, platformSerial, wechatpayPrivateKey, merchantPublicKey } = creds.internal;
  const client = creds.client;
  /** The emulator's clock: the `now` option, moved forward by advanceTime. */
  let timeOffset = 0;
  const now = () => o.now() + timeOffset;
  function advanceTime(ms) {
    if (!(Number.isSafeInteger(ms) && ms >= 0)) throw new HttpError(400, 'PARAM_ERROR', 'advance_ms must be a non-negative integer (time only moves forward)', { field: 'advance_ms', value: ms, issue: 'must be a non-negative integer', location: 'body' });
    timeOffset += ms;
    return { now_ms: now(), offset_ms: timeOffset, now: new Date(now()).toISOString() };
  }

  const pendingTimers = new Set();
  let closed = false;
  let baseUrl = '';

  const keys = new SigningKeys({
    now, keyId, privateKey: wechatpayPrivateKey, apiv3Key: client.apiv3Key,
    platformSerial, platformPem: platformSerial ? client.certs[platformSerial] : null,
    rotation: options.certificateRotation, signWith: options.signWith,
  });
  const notifier = new Notifier({
    apiv3Key: client.apiv3Key,
    signer: (mode) => keys.signer(mode),
    now,
    retry: o.notifyRetry,
    timeoutMs: o.notifyTimeoutMs,
    probe: o.probe,
    log: o.log,
  });
  const faults = new Faults();
  const store = new ContractStore({ now, notifier, sessionTtlMs: o.sessionTtlMs });
  const deductions = new Deductions({ now, notifier, store, client, chargeDelayMs: o.chargeDelayMs });
  const hosts = new Hosts((req, res) => {
    handle(req, res).catch(() => { try { res.destroy(); } catch { /* ignore */ } });
  });
  const env = {
    o, now, client, keyId, keys, store, deductions, faults, notifier, hosts, advanceTime,
    auth: new Authenticator({ client, merchantPublicKey, now }),
    sendSigned: signedSender({
      now, keys, mangle: signAnswer,
      takeFault: (req, pathname) => faults.take('answer', req, pathname),
    }),
    baseUrl: () => baseUrl,
    noCertificates: options.noCertificates ?? 'notFound',
  };
  const apiRoute = apiRoutes(env);
  const userRoute = userRoutes(env);

  function sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => { pendingTimers.delete(t); resolve(); }, ms);
      t.resolve = resolve;
      pendingTimers.add(t);
    });
  }

  // ---------- dispatcher ----------
  async function handle(req, res) {
    const rid = requestId();
    const started = Date.now();
    const ctx = { req, res, rid, pathname: '', query: new URLSearchParams(), fault: null, status: null };
    res.on('close', () => {
      if (!o.log) return;
      const status = ctx.status ?? (res.headersSent ? res.statusCode : 'RESET');
      o.log(`${new Date().toISOString()} ${req.method} ${(req.url ?? '').slice(0, 200)} ${status} ${rid}${ctx.fault ? ' fault=' + ctx.fault : ''} ${Date.now() - started}ms`);
    });
    setCommon(res, rid);
    try {
      const rawUrl = req.url ?? '';
      if (!rawUrl.startsWith('/')) {
        readBody(req).catch(() => {});
        throw new HttpError(400, 'INVALID_REQUEST', 'the request target must be an absolute path');
      }
      const qi = rawUrl.indexOf('?');
      ctx.pathname = qi >= 0 ? rawUrl.slice(0, qi) : rawUrl;
      ctx.query = new URLSearchParams(qi >= 0 ? rawUrl.slice(qi + 1) : '');
      const isApi = ctx.pathname.startsWith('/v3/') || ctx.pathname === '/v3';

      let controlOrigin = null;
      if (!isApi) {
        controlCors(res, null);
        controlOrigin = guardControl(req);
        controlCors(res, controlOrigin);
      }

      if (req.method === 'OPTIONS' && !isApi) {
        await readBody(req);
        res.writeHead(204, controlOrigin ? {
          'Access-Control-Allow-Methods': CONTROL_ALLOW_METHODS,
          'Access-Control-Allow-Headers': CONTROL_ALLOW_HEADERS,
          'Access-Control-Max-Age': '600',
          'Content-Length': 0,
        } : { 'Content-Length': 0 });
        return res.end();
      }
      if (req.method === 'OPTIONS') {
        await readBody(req);
        const requested = String(req.headers['access-control-request-headers'] ?? '')
          .split(',').map((s) => s.trim()).filter(Boolean);
        const allow = [...new Set([...ALLOW_HEADERS, ...requested])].join(', ');
        res.writeHead(204, {
          'Access-Control-Allow-Methods': ALLOW_METHODS,
          'Access-Control-Allow-Headers': allow,
          'Access-Control-Max-Age': '600',
          'Content-Length': 0,
        });
        return res.end();
      }

      const { buf, tooLarge, abort } = await readBody(req);
      if (closed) return res.destroy();

      if (isApi) {
        const pre = faults.take('arrival', req, ctx.pathname);
        if (pre && await applyArrivalFault(pre, ctx, { sleep, isClosed: () => closed }) === 'handled') return;
      }
      if (tooLarge) {
        ctx.abort = abort;
        throw new HttpError(413, 'INVALID_REQUEST', `request body too large (limit ${BODY_LIMIT} bytes)`);
      }

      if (isApi) return apiRoute(ctx, buf);
      if (ctx.pathname === '/' || ctx.pathname === '/favicon.ico') {
        if (ctx.pathname === '/favicon.ico') { res.writeHead(204, { 'Content-Length': 0 }); return res.end(); }
        res.writeHead(302, { Location: '/emulator/', 'Content-Length': 0 });
        return res.end();
      }
      if (ctx.pathname === '/emulator' || ctx.pathname.startsWith('/emulator/')) {
        return await userRoute(ctx, buf);
      }
      throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `nothing at ${ctx.pathname}`);
    } catch (e) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        const extra = {};
        if (e.status === 405) extra.Allow = ALLOW_METHODS;
        if (ctx.abort) extra.Connection = 'close';
        sendJsonError(res, e.status, e.code, e.message, e.detail, extra);
        if (ctx.abort) res.on('finish', () => req.socket.destroy());
        return;
      }
      if (e && e.message === 'aborted') return res.destroy();
      o.log?.(`emulator internal error ${rid}: ${e?.stack ?? e}`);
      sendJsonError(res, 500, 'SYSTEM_ERROR', `系统错误 (emulator internal error, Request-ID ${rid})`);
    }
  }

  await hosts.start(o.port, o.backup ? o.backupPort : null);
  baseUrl = hosts.url;

  async function close() {
    if (closed) return;
    closed = true;
    notifier.close();
    deductions.close();
    for (const t of pendingTimers) { clearTimeout(t); t.resolve(); }
    pendingTimers.clear();
    await hosts.close();
  }

  const call = (fn) => (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      if (e instanceof HttpError) {
        const err = new Error(e.message);
        err.code = e.code;
        err.status = e.status;
        throw err;
      }
      throw e;
    }
  };

  return {
    url: baseUrl,
    port: hosts.mainPort,
    backupUrl: hosts.backupUrl,
    takeMainDown: () => hosts.takeMainDown(),
    bringMainUp: () => hosts.bringMainUp(),
    now,
    advanceTime: call(advanceTime),
    platformCertificates: () => keys.summary(),
    credentials: client,
    credentialsFile: creds.file,
    wechatpaySerial: keyId,
    platformSerial: platformSerial ?? null,
    contracts: store.contracts,
    notifications: notifier.records,
    events: notifier,
    faults: faults.list,
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    sign: call((id, opts) => store.sign(id, opts)),
    cancel: call((id) => store.cancel(id)),
    terminate: call((id, opts) => store.terminate(id, opts)),
    requestTermination: call((id, opts) => store.requestTermination(id, opts).settled),
    orders: deductions.orders,
    chargeNow: call((outTradeNo) => deductions.chargeNow(outTradeNo)),
    orderView: (outTradeNo) => { const x = deductions.orders.get(outTradeNo); return x ? deductions.view(x) : null; },
    getContract: (id) => store.find(id) ?? store.byCode(id),
    contractView: (id) => { const c = store.find(id) ?? store.byCode(id); return c ? store.view(c) : null; },
    miniProgramUrl: (mpPath) => `${baseUrl}/emulator/mini-program?path=${encodeURIComponent(mpPath)}`,
    waitForNotification: (filter, timeoutMs) => notifier.waitFor(filter, timeoutMs),
    notificationsIdle: (timeoutMs) => notifier.idle(timeoutMs),
    close,
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) runCli(process.argv.slice(2), startEmulator);
