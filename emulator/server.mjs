#!/usr/bin/env node
// WeChat Pay APIv3 emulator for the pre-entrust-sign (代扣预签约) flow.
// Node 20+, node: built-ins only, independent of the SDK in ../src on purpose.
//   node emulator/server.mjs [--port N] [--credentials FILE] [--ttl MS] [--probe] [--quiet]
//   import { startEmulator } from './emulator/server.mjs'
import http from 'node:http';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadCredentials } from './lib/credentials.mjs';
import { validatePreEntrustSign } from './lib/validate.mjs';
import { Notifier } from './lib/notify.mjs';
import { signingPage, messagePage, indexPage } from './lib/pages.mjs';
import {
  parseAuthorization, randomDigits, randomHex, randomString, requestId, requestMessage,
  responseMessage, rfc3339CST, rsaSign, rsaVerify,
} from './lib/wire.mjs';

export const PRE_ENTRUST_PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
const CONTRACT_QUERY_RE = /^\/v3\/papay\/sign\/contracts\/plan-id\/([^/]+)\/out-contract-code\/([^/]+)$/;
const BODY_LIMIT = 64 * 1024;
const HARD_BODY_LIMIT = 8 * 1024 * 1024;
const TIME_WINDOW_S = 300;
export const UNKNOWN_SERIAL_ID = 'PUB_KEY_ID_0000000000000000000000000000000000';

export const FAULT_KINDS = [
  'delay', 'status500', 'status429', 'reset', 'paramError',
  'badJson', 'truncate', 'badSignature', 'staleTimestamp', 'unknownSerial', 'noSignatureHeaders',
];
// applied when the request arrives (whatever it would have answered)
const PRE_FAULTS = new Set(['delay', 'status500', 'status429', 'reset', 'paramError']);
// applied to the next 2xx API answer

const EXPOSE_HEADERS = 'Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial, Wechatpay-Signature, Request-ID';
const ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Wechatpay-Serial', 'User-Agent'];
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

class HttpError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    if (detail !== undefined) this.detail = detail;
  }
}

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
    host: '127.0.0.1',
    sessionTtlMs: options.sessionTtlMs ?? 600_000,
    notifyRetry: { max: 5, baseMs: 1000, ...(options.notifyRetry ?? {}) },
    notifyTimeoutMs: options.notifyTimeoutMs ?? 5000,
    now: options.now ?? (() => Date.now()),
    probe: options.probe ?? false,
    log: makeLogger(options.log ?? true),
    miniProgramUsername: options.miniProgramUsername ?? 'gh_' + randomHex(12),
  };
  const creds = loadCredentials(options.credentials, { platformCert: Boolean(options.platformCert) });
  const { keyId, platformSerial, wechatpayPrivateKey, merchantPublicKey } = creds.internal;
  /** The key id an answer is signed under: the platform certificate when the request asked for it. */
  const answerSerial = (req) => (platformSerial && req.headers['wechatpay-serial'] === platformSerial ? platformSerial : keyId);
  const client = creds.client;
  const now = () => o.now();

  /** pre_entrustweb_id -> contract */
  const contracts = new Map();
  /** `${mchid}:${nonce}` -> expiry (ms) */
  const nonces = new Map();
  const faults = [];
  const pendingTimers = new Set();
  let closed = false;
  let baseUrl = '';

  const notifier = new Notifier({
    apiv3Key: client.apiv3Key,
    keyId,
    privateKey: wechatpayPrivateKey,
    now,
    retry: o.notifyRetry,
    timeoutMs: o.notifyTimeoutMs,
    probe: o.probe,
    log: o.log,
  });

  // ---------- faults ----------
  function inject(fault) {
    if (!fault || !FAULT_KINDS.includes(fault.kind)) {
      throw new TypeError(`inject: kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    const times = fault.times ?? 1;
    if (!(Number.isInteger(times) && times > 0)) throw new TypeError('inject: times must be a positive integer');
    const f = { kind: fault.kind, times, ms: fault.ms ?? 1000, method: fault.method, path: fault.path, detail: fault.detail };
    faults.push(f);
    return f;
  }
  function faultMatches(f, req, pathname) {
    if (f.method && f.method.toUpperCase() !== req.method) return false;
    if (f.path instanceof RegExp) return f.path.test(pathname);
    if (typeof f.path === 'string') return pathname.startsWith(f.path);
    return true;
  }
  function takeFault(pre, req, pathname) {
    const i = faults.findIndex((f) => PRE_FAULTS.has(f.kind) === pre && faultMatches(f, req, pathname));
    if (i < 0) return null;
    const f = faults[i];
    if (--f.times <= 0) faults.splice(i, 1);
    return f;
  }

  // ---------- contracts ----------
  function refresh(c) {
    if (c.state === 'PENDING' && now() > c.expires_at) c.state = 'EXPIRED';
    return c;
  }
  function findContract(id) {
    if (contracts.has(id)) return refresh(contracts.get(id));
    for (const c of contracts.values()) {
      if (c.contract_id === id) return refresh(c);
    }
    return null;
  }
  function findByCode(code) {
    for (const c of contracts.values()) if (c.out_contract_code === code) return refresh(c);
    return null;
  }
  /** The API's view of a contract (GET answer, notification plaintext). */
  function contractView(c) {
    const v = {
      mchid: c.mchid,
      contract_id: c.contract_id,
      appid: c.appid,
      plan_id: c.plan_id,
      out_contract_code: c.out_contract_code,
      contract_display_account: c.contract_display_account,
      contract_state: c.state,
      contract_signed_time: c.contract_signed_time,
      contract_expired_time: c.contract_expired_time,
      openid: c.openid,
      out_user_code: c.out_user_code,
    };
    if (c.contract_terminate_info) v.contract_terminate_info = { ...c.contract_terminate_info };
    return v;
  }

  function sign(preEntrustwebId, opts = {}) {
    const c = contracts.has(preEntrustwebId) ? refresh(contracts.get(preEntrustwebId)) : null;
    if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `pre_entrustweb_id ${preEntrustwebId} does not exist`);
    if (c.state === 'EXPIRED') throw new HttpError(410, 'PRE_ENTRUST_EXPIRED', `pre-sign session ${preEntrustwebId} expired (valid ${o.sessionTtlMs} ms); call pre-entrust-sign again with a new out_contract_code`);
    if (c.state === 'CANCELLED') throw new HttpError(409, 'PRE_ENTRUST_CANCELLED', `the user cancelled pre-sign session ${preEntrustwebId}`);
    if (c.state !== 'PENDING') throw new HttpError(409, 'CONTRACT_ALREADY_SIGNED', `pre-sign session ${preEntrustwebId} was already signed (contract ${c.contract_id}, state ${c.state})`);
    const t = now();
    c.state = 'SIGNED';
    c.contract_id = 'Wx' + randomDigits(26);
    c.openid = opts.openid ?? c.openid ?? 'o' + randomString(27, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');
    c.signed_at = t;
    c.contract_signed_time = rfc3339CST(t);
    c.contract_expired_time = rfc3339CST(t + 5 * 365 * 86400_000);
    const view = contractView(c);
    c.notifications.push(notifier.send(c.contract_notify_url, 'ENTRUST.SIGN', '签约成功', view, { contract_id: c.contract_id, out_contract_code: c.out_contract_code }, c.notify_serial));
    return view;
  }

  function cancel(preEntrustwebId) {
    const c = contracts.has(preEntrustwebId) ? refresh(contracts.get(preEntrustwebId)) : null;
    if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `pre_entrustweb_id ${preEntrustwebId} does not exist`);
    if (c.state === 'EXPIRED') throw new HttpError(410, 'PRE_ENTRUST_EXPIRED', `pre-sign session ${preEntrustwebId} expired`);
    if (c.state !== 'PENDING') throw new HttpError(409, 'INVALID_STATE', `pre-sign session ${preEntrustwebId} is ${c.state}, not PENDING`);
    c.state = 'CANCELLED';
    return { pre_entrustweb_id: c.pre_entrustweb_id, state: c.state };
  }

  function terminate(contractId, opts = {}) {
    let c = null;
    for (const x of contracts.values()) if (x.contract_id && x.contract_id === contractId) c = x;
    if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `contract ${contractId} does not exist`);
    if (c.state === 'TERMINATED') throw new HttpError(409, 'CONTRACT_ALREADY_TERMINATED', `contract ${contractId} is already terminated`);
    if (c.state !== 'SIGNED') throw new HttpError(409, 'CONTRACT_NOT_SIGNED', `contract ${contractId} is ${c.state}`);
    const t = now();
    c.state = 'TERMINATED';
    c.terminated_at = t;
    c.contract_terminate_info = {
      contract_termination_mode: String(opts.mode ?? opts.contract_termination_mode ?? 'USER_TERMINATE'),
      contract_terminated_time: rfc3339CST(t),
      contract_termination_remark: String(opts.remark ?? opts.contract_termination_remark ?? '用户解约 terminated by the user'),
    };
    const view = contractView(c);
    c.notifications.push(notifier.send(c.contract_notify_url, 'ENTRUST.TERMINATE', '解约成功', view, { contract_id: c.contract_id, out_contract_code: c.out_contract_code }, c.notify_serial));
    return view;
  }

  // ---------- HTTP helpers ----------
  function setCommon(res, rid) {
    res.setHeader('Request-ID', rid);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  }

  function sendJsonError(res, status, code, message, detail, extraHeaders = {}) {
    const obj = { code, message };
    if (detail !== undefined) obj.detail = detail;
    const body = Buffer.from(JSON.stringify(obj), 'utf8');
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...extraHeaders });
    res.end(body);
  }

  function sendPlainJson(res, status, obj) {
    const body = Buffer.from(JSON.stringify(obj), 'utf8');
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  }

  function sendHtml(res, status, html, extra = {}) {
    const body = Buffer.from(html, 'utf8');
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store', ...extra });
    res.end(body);
  }

  /** A signed 2xx API answer, possibly mangled by an injected fault. */
  function sendSigned(ctx, status, obj) {
    const { req, res } = ctx;
    let body = Buffer.from(JSON.stringify(obj), 'utf8');
    const fault = takeFault(false, req, ctx.pathname);
    if (fault) ctx.fault = fault.kind;
    let ts = String(Math.floor(now() / 1000));
    const nonce = randomString(32);
    let serial = answerSerial(req);
    if (fault?.kind === 'badJson') body = Buffer.from('{"pre_entrustweb_id": <this is not JSON>', 'utf8');
    if (fault?.kind === 'staleTimestamp') ts = String(Math.floor(now() / 1000) - 600);
    if (fault?.kind === 'unknownSerial') serial = UNKNOWN_SERIAL_ID;
    let signature = rsaSign(wechatpayPrivateKey, responseMessage(ts, nonce, body));
    if (fault?.kind === 'badSignature') {
      signature = rsaSign(wechatpayPrivateKey, responseMessage(ts, nonce, Buffer.concat([body, Buffer.from(' ')])));
    }
    if (fault?.kind === 'truncate') body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
    if (fault?.kind !== 'noSignatureHeaders') {
      Object.assign(headers, {
        'Wechatpay-Timestamp': ts,
        'Wechatpay-Nonce': nonce,
        'Wechatpay-Serial': serial,
        'Wechatpay-Signature': signature,
      });
    }
    res.writeHead(status, headers);
    res.end(body);
  }

  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (c) => {
        size += c.length;
        if (size > BODY_LIMIT) {
          tooLarge = true;
          chunks.length = 0;
          if (size > HARD_BODY_LIMIT) {
            req.removeAllListeners('data');
            req.pause();
            resolve({ buf: Buffer.alloc(0), tooLarge: true, size, abort: true });
          }
        } else {
          chunks.push(c);
        }
      });
      req.on('end', () => resolve({ buf: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, size }));
      req.on('error', reject);
      req.on('aborted', () => reject(new Error('aborted')));
    });
  }

  function sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => { pendingTimers.delete(t); resolve(); }, ms);
      t.resolve = resolve;
      pendingTimers.add(t);
    });
  }

  // ---------- authentication (shared by the /v3/ endpoints) ----------
  function checkHeaders(req) {
    if (!req.headers['accept'] || !req.headers['user-agent']) {
      throw new HttpError(400, 'INVALID_REQUEST', 'Http头缺少Accept或User-Agent (the request must carry both Accept and User-Agent headers)');
    }
  }

  function authenticate(req, body) {
    const parsed = parseAuthorization(req.headers['authorization']);
    if (!parsed.ok) {
      throw new HttpError(401, 'SIGN_ERROR', `Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》 (Authorization header ${parsed.reason === 'missing' ? 'is missing' : 'cannot be parsed: ' + parsed.reason})`);
    }
    const a = parsed.params;
    if (a.mchid !== client.mchid) {
      throw new HttpError(401, 'SIGN_ERROR', `商户号不存在或与证书不匹配 (unknown mchid ${a.mchid})`);
    }
    if (a.serial_no !== client.serial) {
      throw new HttpError(401, 'SIGN_ERROR', `商户证书序列号有误 (serial_no ${a.serial_no} is not the certificate serial of merchant ${a.mchid})`);
    }
    if (!/^\d{1,12}$/.test(a.timestamp)) {
      throw new HttpError(401, 'SIGN_ERROR', `Http头Authorization值格式错误 (timestamp "${a.timestamp}" is not Unix seconds)`);
    }
    const skew = Math.abs(Math.floor(now() / 1000) - Number(a.timestamp));
    if (skew > TIME_WINDOW_S) {
      throw new HttpError(401, 'SIGN_ERROR', `签名中的时间戳与服务器时间相差过大 (timestamp ${a.timestamp} is ${skew} s away from the server time; allowed ${TIME_WINDOW_S} s)`);
    }
    // forget nonces outside the window
    const t = now();
    for (const [k, exp] of nonces) if (exp < t) nonces.delete(k);
    const nonceKey = `${a.mchid}:${a.nonce_str}`;
    if (nonces.has(nonceKey)) {
      throw new HttpError(401, 'SIGN_ERROR', `重复的请求随机串 (nonce_str ${a.nonce_str} was already used within the last ${2 * TIME_WINDOW_S} s)`);
    }
    const message = requestMessage(req.method, req.url, a.timestamp, a.nonce_str, body);
    if (!rsaVerify(merchantPublicKey, message, a.signature)) {
      const text = message.toString('utf8');
      const head = `${req.method}\n${req.url}\n${a.timestamp}\n${a.nonce_str}\n`;
      const bodyText = body.toString('utf8');
      const truncated = head + (bodyText.length > 64 ? bodyText.slice(0, 64) : bodyText) + '\n';
      throw new HttpError(401, 'SIGN_ERROR', '签名错误 (the signature does not verify over the bytes received; sign the exact body you send)', {
        detail: 'Signature verify failed',
        sign_information: {
          method: req.method,
          url: req.url,
          sign_message_length: Buffer.byteLength(text, 'utf8'),
          truncated_sign_message: truncated,
        },
      });
    }
    nonces.set(nonceKey, t + 2 * TIME_WINDOW_S * 1000);
    return a;
  }

  function paramError(field, value, issue, message) {
    const detail = { field, issue, location: 'body' };
    if (value !== undefined) detail.value = value;
    return new HttpError(400, 'PARAM_ERROR', message ?? `参数错误: ${field || '(body)'} ${issue}`, detail);
  }

  // ---------- the /v3/ endpoints ----------
  function preEntrustSign(ctx, body) {
    const { req } = ctx;
    checkHeaders(req);
    authenticate(req, body);
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw paramError('', undefined, 'the body is not valid UTF-8');
    }
    let json;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw paramError('', undefined, `the body is not valid JSON (${e.message})`);
    }
    const bad = validatePreEntrustSign(json);
    if (bad) throw paramError(bad.field, bad.value, bad.issue, `输入源"/body${bad.field}"校验失败 (${bad.field || 'body'} ${bad.issue})`);
    if (json.plan_id !== client.plan_id) {
      throw new HttpError(400, 'INVALID_REQUEST', `委托代扣模板不存在 (unknown plan_id ${json.plan_id}: merchant ${client.mchid} has no such plan)`, { field: '/plan_id', value: json.plan_id, issue: 'unknown plan_id', location: 'body' });
    }
    if (json.appid !== client.appid) {
      throw new HttpError(400, 'APPID_MCHID_NOT_MATCH', `appid和mchid不匹配 (appid ${json.appid} is not bound to merchant ${client.mchid})`, { field: '/appid', value: json.appid, issue: 'appid not bound to this mchid', location: 'body' });
    }
    const prev = findByCode(json.out_contract_code);
    if (prev) {
      throw new HttpError(400, 'INVALID_REQUEST', `商户签约协议号已使用 (out_contract_code ${json.out_contract_code} was already used for pre-sign ${prev.pre_entrustweb_id}; use a new one)`, { field: '/out_contract_code', value: json.out_contract_code, issue: 'already used', location: 'body' });
    }
    const t = now();
    const id = randomString(32);
    const c = {
      pre_entrustweb_id: id,
      contract_id: null,
      state: 'PENDING',
      request: json,
      sign_scene: json.sign_scene,
      mchid: client.mchid,
      appid: json.appid,
      plan_id: json.plan_id,
      out_contract_code: json.out_contract_code,
      contract_display_account: json.contract_display_account,
      out_user_code: json.out_user_code,
      openid: json.openid ?? null,
      contract_notify_url: json.contract_notify_url,
      return_url: json.return_url ?? null,
      created_at: t,
      expires_at: t + o.sessionTtlMs,
      contract_signed_time: null,
      contract_expired_time: null,
      contract_terminate_info: null,
      notifications: [],
      notify_serial: answerSerial(req),
    };
    const answer = { pre_entrustweb_id: id };
    if (json.sign_scene === 'SIGN_SCENE_APP') {
      c.mini_program_username = o.miniProgramUsername;
      c.mini_program_path = `pages/index/index?pre_entrustweb_id=${id}`;
      answer.mini_program_username = c.mini_program_username;
      answer.mini_program_path = c.mini_program_path;
    } else {
      c.redirect_url = `${baseUrl}/emulator/pre-entrust/${id}`;
      answer.redirect_url = c.redirect_url;
    }
    contracts.set(id, c);
    sendSigned(ctx, 200, answer);
  }

  function queryContract(ctx, body, m) {
    const { req } = ctx;
    checkHeaders(req);
    authenticate(req, body);
    let planId, code;
    try {
      planId = decodeURIComponent(m[1]);
      code = decodeURIComponent(m[2]);
    } catch {
      throw new HttpError(400, 'PARAM_ERROR', 'path parameters are not valid percent-encoding', { location: 'path' });
    }
    if (!/^[1-9]\d{0,15}$/.test(planId)) {
      throw new HttpError(400, 'PARAM_ERROR', `plan_id must be a positive integer`, { field: 'plan_id', value: planId, issue: 'must be a positive integer', location: 'path' });
    }
    const c = findByCode(code);
    if (!c || c.plan_id !== Number(planId)) {
      throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `签约协议不存在 (no contract with plan_id ${planId} and out_contract_code ${code})`);
    }
    if (c.state !== 'SIGNED' && c.state !== 'TERMINATED') {
      throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `签约协议不存在 (out_contract_code ${code} has not been signed: pre-sign session is ${c.state})`);
    }
    sendSigned(ctx, 200, contractView(c));
  }

  // ---------- the /emulator/ endpoints ----------
  function parseForm(buf) {
    const out = {};
    for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) out[k] = v;
    return out;
  }
  function parseJsonOpt(buf) {
    if (buf.length === 0) return {};
    try {
      const v = JSON.parse(buf.toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
    } catch {
      throw new HttpError(400, 'PARAM_ERROR', 'the body is not valid JSON');
    }
  }

  function renderSession(res, c, miniProgram) {
    const formAction = `/emulator/pre-entrust/${encodeURIComponent(c.pre_entrustweb_id)}${miniProgram ? '?from=mini-program' : ''}`;
    const status = c.state === 'EXPIRED' ? 410 : 200;
    sendHtml(res, status, signingPage(c, { miniProgram, formAction }));
  }

  async function emulatorRoute(ctx, body) {
    const { req, res, pathname, query } = ctx;
    const parts = pathname.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
    // parts[0] === 'emulator'
    const method = req.method;
    const notAllowed = (allow) => { throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}; allowed: ${allow}`); };

    if (parts.length === 1 || (parts.length === 2 && parts[1] === 'index.html')) {
      if (method !== 'GET') notAllowed('GET');
      return sendHtml(res, 200, indexPage(baseUrl, [...contracts.values()].map(refresh)));
    }
    if (parts[1] === 'health' && parts.length === 2) {
      return sendPlainJson(res, 200, { ok: true, url: baseUrl, mchid: client.mchid, plan_id: client.plan_id, appid: client.appid, wechatpay_serial: keyId });
    }
    if (parts[1] === 'pre-entrust' && parts.length >= 3) {
      const id = parts[2];
      if (parts.length === 3) {
        const c = contracts.has(id) ? refresh(contracts.get(id)) : null;
        if (method === 'GET') {
          if (!c) return sendHtml(res, 404, messagePage('预签约不存在 Not found', `pre_entrustweb_id ${id} does not exist`));
          return renderSession(res, c, query.get('from') === 'mini-program');
        }
        if (method === 'POST') {
          if (!c) return sendHtml(res, 404, messagePage('预签约不存在 Not found', `pre_entrustweb_id ${id} does not exist`));
          const form = parseForm(body);
          const miniProgram = query.get('from') === 'mini-program';
          if (form.action === 'cancel') {
            if (c.state === 'PENDING') c.state = 'CANCELLED';
            return renderSession(res, c, miniProgram);
          }
          if (form.action !== 'agree') return sendHtml(res, 400, messagePage('请求错误 Bad request', 'action must be agree or cancel'));
          if (c.state !== 'PENDING') return renderSession(res, c, miniProgram);
          sign(id);
          if (c.return_url && !miniProgram) {
            res.writeHead(303, { Location: c.return_url, 'Content-Length': 0 });
            return res.end();
          }
          return renderSession(res, c, miniProgram);
        }
        notAllowed('GET, POST');
      }
      if (parts.length === 4 && (parts[3] === 'sign' || parts[3] === 'cancel')) {
        if (method !== 'POST') notAllowed('POST');
        const opts = parseJsonOpt(body);
        if (parts[3] === 'cancel') return sendPlainJson(res, 200, cancel(id));
        const view = sign(id, { openid: typeof opts.openid === 'string' ? opts.openid : undefined });
        return sendPlainJson(res, 200, { pre_entrustweb_id: id, ...view });
      }
    }
    if (parts[1] === 'contracts') {
      if (parts.length === 2) {
        if (method !== 'GET') notAllowed('GET');
        return sendPlainJson(res, 200, [...contracts.values()].map((c) => publicContract(refresh(c))));
      }
      if (parts.length === 4 && parts[3] === 'terminate') {
        if (method !== 'POST') notAllowed('POST');
        const opts = parseJsonOpt(body);
        return sendPlainJson(res, 200, terminate(parts[2], opts));
      }
    }
    if (parts[1] === 'mini-program' && parts.length === 2) {
      if (method !== 'GET') notAllowed('GET');
      const mpPath = query.get('path') ?? '';
      const qi = mpPath.indexOf('?');
      const id = query.get('pre_entrustweb_id') ?? (qi >= 0 ? new URLSearchParams(mpPath.slice(qi + 1)).get('pre_entrustweb_id') : null);
      const c = id && contracts.has(id) ? refresh(contracts.get(id)) : null;
      if (!c) return sendHtml(res, 404, messagePage('小程序页面不存在 Not found', `no pre-sign session for mini-program path "${mpPath}"`));
      return renderSession(res, c, true);
    }
    if (parts[1] === 'notifications' && parts.length === 2) {
      if (method !== 'GET') notAllowed('GET');
      return sendPlainJson(res, 200, notifier.records);
    }
    if (parts[1] === 'faults' && parts.length === 2) {
      if (method === 'GET') return sendPlainJson(res, 200, faults);
      if (method === 'DELETE') { faults.length = 0; return sendPlainJson(res, 200, faults); }
      if (method === 'POST') {
        const f = parseJsonOpt(body);
        try {
          inject({ kind: f.kind, times: f.times, ms: f.ms, method: f.method, path: f.path });
        } catch (e) {
          throw new HttpError(400, 'PARAM_ERROR', e.message);
        }
        return sendPlainJson(res, 200, faults);
      }
      notAllowed('GET, POST, DELETE');
    }
    throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `no emulator page at ${pathname}`);
  }

  function publicContract(c) {
    const { notifications, ...rest } = c;
    return { ...rest, notification_ids: [...notifications] };
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
        const pre = takeFault(true, req, ctx.pathname);
        if (pre) {
          ctx.fault = pre.kind;
          if (pre.kind === 'delay') {
            await sleep(pre.ms);
            if (closed) return res.destroy();
          } else if (pre.kind === 'reset') {
            ctx.status = 'RESET';
            req.socket.destroy();
            return;
          } else if (pre.kind === 'status500') {
            throw new HttpError(500, 'SYSTEM_ERROR', '系统错误 (injected fault: retry later with the same parameters)');
          } else if (pre.kind === 'paramError') {
            // A server-side rule a client cannot check locally (the real API has such rules).
            const detail = { field: '/device_info/device_ip', value: '', issue: 'device_ip 格式错误 (injected fault)', location: 'body', ...(pre.detail || {}) };
            throw new HttpError(400, 'PARAM_ERROR', `参数错误: ${detail.issue}`, detail);
          } else if (pre.kind === 'status429') {
            throw new HttpError(429, 'RATELIMIT_EXCEEDED', '达到调用速率限制 (injected fault: slow down)');
          }
        }
      }
      if (tooLarge) {
        ctx.abort = abort;
        throw new HttpError(413, 'INVALID_REQUEST', `request body too large (limit ${BODY_LIMIT} bytes)`);
      }

      if (isApi) {
        if (ctx.pathname === PRE_ENTRUST_PATH) {
          if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${PRE_ENTRUST_PATH}; use POST`, undefined);
          return preEntrustSign(ctx, buf);
        }
        const m = CONTRACT_QUERY_RE.exec(ctx.pathname);
        if (m) {
          if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use GET`);
          return queryContract(ctx, buf, m);
        }
        throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `the emulator has no API at ${ctx.pathname}`);
      }
      if (ctx.pathname === '/' || ctx.pathname === '/favicon.ico') {
        if (ctx.pathname === '/favicon.ico') { res.writeHead(204, { 'Content-Length': 0 }); return res.end(); }
        res.writeHead(302, { Location: '/emulator/', 'Content-Length': 0 });
        return res.end();
      }
      if (ctx.pathname === '/emulator' || ctx.pathname.startsWith('/emulator/')) {
        return await emulatorRoute(ctx, buf);
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

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => { try { res.destroy(); } catch { /* ignore */ } });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) {
      const body = JSON.stringify({ code: 'INVALID_REQUEST', message: `malformed HTTP request (${err.code ?? 'bad request'})` });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRequest-ID: ${requestId()}\r\nConnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  baseUrl = `http://127.0.0.1:${server.address().port}`;

  async function close() {
    if (closed) return;
    closed = true;
    notifier.close();
    for (const t of pendingTimers) { clearTimeout(t); t.resolve(); }
    pendingTimers.clear();
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
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
    port: server.address().port,
    credentials: client,
    credentialsFile: creds.file,
    wechatpaySerial: keyId,
    platformSerial: platformSerial ?? null,
    contracts,
    notifications: notifier.records,
    events: notifier,
    faults,
    inject,
    clearFaults: () => { faults.length = 0; },
    sign: call(sign),
    cancel: call(cancel),
    terminate: call(terminate),
    getContract: (id) => findContract(id) ?? findByCode(id),
    contractView: (id) => { const c = findContract(id) ?? findByCode(id); return c ? contractView(c) : null; },
    miniProgramUrl: (mpPath) => `${baseUrl}/emulator/mini-program?path=${encodeURIComponent(mpPath)}`,
    waitForNotification: (filter, timeoutMs) => notifier.waitFor(filter, timeoutMs),
    notificationsIdle: (timeoutMs) => notifier.idle(timeoutMs),
    close,
  };
}

// ---------- CLI ----------
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => inline ?? argv[++i];
    switch (k) {
      case '--port': out.port = Number(val()); break;
      case '--credentials': out.credentials = val(); break;
      case '--ttl': out.sessionTtlMs = Number(val()); break;
      case '--notify-retries': out.notifyRetry = { ...(out.notifyRetry ?? {}), max: Number(val()) }; break;
      case '--notify-backoff': out.notifyRetry = { ...(out.notifyRetry ?? {}), baseMs: Number(val()) }; break;
      case '--probe': out.probe = true; break;
      case '--platform-cert': out.platformCert = true; break;
      case '--quiet': out.log = false; break;
      case '-h': case '--help': out.help = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (out.port !== undefined && !(Number.isInteger(out.port) && out.port >= 0 && out.port < 65536)) throw new Error('--port must be 0..65535');
  return out;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write('usage: node emulator/server.mjs [--port N] [--credentials FILE] [--ttl MS] [--notify-retries N] [--notify-backoff MS] [--probe] [--platform-cert] [--quiet]\n');
    process.exit(0);
  }
  const { help, ...opts } = args;
  startEmulator(opts).then((emu) => {
    process.stdout.write(`WECHATPAY_EMULATOR_URL=${emu.url}\n`);
    if (!emu.credentialsFile) process.stderr.write('credentials: generated in memory only (pass --credentials FILE to write them for your client)\n');
    if (emu.credentialsFile) process.stderr.write(`credentials: ${emu.credentialsFile} (mchid ${emu.credentials.mchid}, plan_id ${emu.credentials.plan_id}, appid ${emu.credentials.appid}, key ${emu.wechatpaySerial})\n`);
    const stop = () => { emu.close().then(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }, (e) => {
    process.stderr.write(`emulator failed to start: ${e.message}\n`);
    process.exit(1);
  });
}
