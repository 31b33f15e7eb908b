// A tiny WeChat Pay APIv3 client written with node:crypto, for the emulator's own
// tests (deliberately not the project's wasm SDK). Not a test file itself.
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

export const PRE_PATH = '/v3/papay/sign/contracts/pre-entrust-sign';

export function nonceStr(n = 32) {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.randomBytes(n), (b) => a[b % a.length]).join('');
}

export function signMessage(privateKey, message) {
  return crypto.sign('sha256', Buffer.from(message), { key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }).toString('base64');
}

export function authorization(creds, method, pathAndQuery, body, { timestamp, nonce, serial, mchid } = {}) {
  const ts = String(timestamp ?? Math.floor(Date.now() / 1000));
  const n = nonce ?? nonceStr();
  const msg = Buffer.concat([Buffer.from(`${method}\n${pathAndQuery}\n${ts}\n${n}\n`), Buffer.from(body ?? ''), Buffer.from('\n')]);
  const sig = signMessage(creds.privateKey, msg);
  return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid ?? creds.mchid}",nonce_str="${n}",timestamp="${ts}",serial_no="${serial ?? creds.serial}",signature="${sig}"`;
}

/** Raw HTTP request with full control over headers and bytes. Always bounded in time. */
export function rawRequest(baseUrl, { method = 'GET', path = '/', headers = {}, body, timeoutMs = 4000 } = {}) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const buf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h = { ...headers };
    if (buf && h['Content-Length'] === undefined) h['Content-Length'] = buf.length;
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: h, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, raw, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('test request timed out')));
    req.on('error', reject);
    req.end(buf ?? undefined);
  });
}

/**
 * A signed API call as our SDK makes it. `body` may be an object (serialised once),
 * a string or a Buffer. `omit` lists header names to leave out; `auth` overrides
 * Authorization; `sign` passes options to authorization().
 */
export function apiCall(emu, { method = 'POST', path = PRE_PATH, body, headers = {}, omit = [], auth, sign = {}, creds, timeoutMs } = {}) {
  const c = creds ?? emu.credentials;
  const bodyStr = body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const h = {
    Accept: 'application/json',
    'User-Agent': 'emulator-test/1.0',
    'Wechatpay-Serial': Object.keys(c.certs)[0],
    Authorization: auth ?? authorization(c, method, path, bodyStr, sign),
  };
  if (bodyStr.length) h['Content-Type'] = 'application/json';
  Object.assign(h, headers);
  for (const k of omit) {
    for (const key of Object.keys(h)) if (key.toLowerCase() === k.toLowerCase()) delete h[key];
  }
  return rawRequest(emu.url, { method, path, headers: h, body: bodyStr.length ? bodyStr : undefined, timeoutMs });
}

/** Verifies a response's signature; returns { ok, reason }. */
export function verifyResponse(res, certs, { nowMs = Date.now() } = {}) {
  const ts = res.headers['wechatpay-timestamp'];
  const nonce = res.headers['wechatpay-nonce'];
  const serial = res.headers['wechatpay-serial'];
  const sig = res.headers['wechatpay-signature'];
  if (!ts || !nonce || !serial || !sig) return { ok: false, reason: 'missing headers' };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(ts)) > 300) return { ok: false, reason: 'stale timestamp' };
  const key = certs[serial];
  if (!key) return { ok: false, reason: `unknown serial ${serial}` };
  const msg = Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), res.raw, Buffer.from('\n')]);
  const ok = crypto.verify('sha256', msg, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(sig, 'base64'));
  return ok ? { ok: true } : { ok: false, reason: 'bad signature' };
}

export function decryptResource(resource, apiv3Key) {
  const all = Buffer.from(resource.ciphertext, 'base64');
  const d = crypto.createDecipheriv('aes-256-gcm', Buffer.from(apiv3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
  d.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  d.setAuthTag(all.subarray(all.length - 16));
  return JSON.parse(Buffer.concat([d.update(all.subarray(0, all.length - 16)), d.final()]).toString('utf8'));
}

/** Verifies a received notification like a merchant must. */
export function verifyNotification(headers, rawBody, certs) {
  return verifyResponse({ headers, raw: Buffer.from(rawBody) }, certs);
}

export function validBody(creds, overrides = {}) {
  return {
    sign_scene: 'SIGN_SCENE_QRCODE',
    appid: creds.appid,
    openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw',
    plan_id: creds.plan_id,
    out_contract_code: 'T' + nonceStr(20),
    contract_display_account: '微信代扣用户A',
    contract_notify_url: 'https://merchant.example.com/notify',
    out_user_code: '用户A',
    return_url: 'https://merchant.example.com/return',
    device_info: {
      device_type: 'DEVICE_TYPE_PHONE',
      device_os: 'iOS 17',
      device_id: 'dev-1',
      device_running_as_root: false,
      device_ip: '203.0.113.7',
      weixin_installed: true,
      weixin_version: '8.0.50',
      days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
    },
    ...overrides,
  };
}

/**
 * A merchant notification endpoint on 127.0.0.1. `statuses` is the list of statuses
 * to answer in turn (the last repeats); `reply(entry, envelope)`, when given, returns
 * `{ status, body }` instead. Records {headers, body} of each request.
 */
export async function startReceiver({ statuses = [200], verifyWith, reply } = {}) {
  const received = [];
  const waiters = [];
  let i = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry = { headers: req.headers, body, method: req.method, url: req.url };
      let status = statuses[Math.min(i++, statuses.length - 1)];
      if (verifyWith && !verifyNotification(req.headers, body, verifyWith).ok) status = 401;
      entry.answered = status;
      received.push(entry);
      for (const w of waiters.splice(0)) w();
      if (status === 'reset') return req.socket.destroy();
      if (reply && !(verifyWith && status === 401)) {
        let envelope = null;
        try { envelope = JSON.parse(body); } catch { /* not JSON */ }
        const r = reply(entry, envelope);
        entry.answered = r.status;
        res.writeHead(r.status, { 'Content-Type': 'application/json' });
        return res.end(r.body ?? '');
      }
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(status >= 200 && status < 300 ? '' : JSON.stringify({ code: 'FAIL', message: 'test says no' }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/notify`;
  return {
    url,
    received,
    async waitFor(n, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length}/${n} requests`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      }
      return received;
    },
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** A free port nobody listens on (for network-error retries). */
export async function deadPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A deduction body for a contract (harmony-deduction.md section 2). */
export function applyBody(creds, contractId, notifyUrl, overrides = {}) {
  return {
    appid: creds.appid,
    out_trade_no: 'D' + nonceStr(20),
    description: '会员月费 monthly fee',
    transaction_notify_url: notifyUrl,
    contract_id: contractId,
    amount: { total: 1500, currency: 'CNY' },
    attach: 'order-42',
    harmony_account_id: 'harmony-user-1',
    ...overrides,
  };
}
