// Helpers of the demo's HTTP tests (no browser): raw requests with any Host / Origin, a
// browser-like cookie jar and form tokens, and notifications sealed with node:crypto the way
// WeChat Pay seals them (independently of the package and of the emulator's code).
import { request } from 'node:http';
import { generateKeyPairSync, createSign, createCipheriv, randomBytes, randomUUID } from 'node:crypto';

/**
 * One HTTP request to `url` with exactly these headers (Host included when given).
 * Resolves { status, headers, body } (body: string).
 */
export function raw(url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, setHost: !('Host' in headers || 'host' in headers) }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a page like a browser would: returns its cookie and the token of the form at `action`. */
export async function openPage(demoUrl, path = '/', action = '/presign', cookie) {
  const res = await raw(`${demoUrl}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
  const set = res.headers['set-cookie']?.[0]?.split(';')[0];
  const forms = [...res.body.matchAll(/<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)">/g)];
  const form = forms.find((m) => m[1].replaceAll('&amp;', '&') === action);
  return { status: res.status, cookie: set ?? cookie, token: form?.[2], body: res.body };
}

/** The form body of a pre-sign that validates (the page's defaults for the demo's credentials). */
export function presignForm(page, overrides = {}) {
  const params = new URLSearchParams();
  for (const m of page.body.matchAll(/<input type="(?:text|url)"(?: inputmode="numeric")? id="[^"]+" name="([^"]+)" value="([^"]*)"/g)) {
    params.set(m[1], m[2].replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"'));
  }
  for (const m of page.body.matchAll(/<input type="checkbox" id="[^"]+" name="([^"]+)" value="true" checked/g)) params.set(m[1], 'true');
  for (const m of page.body.matchAll(/<select id="[^"]+" name="([^"]+)"[^>]*>\s*(?:<option>[^<]*<\/option>)*?<option selected>([^<]*)<\/option>/g)) params.set(m[1], m[2]);
  params.set('sign_scene', 'SIGN_SCENE_QRCODE');
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) params.delete(k);
    else params.set(k, v);
  }
  return params.toString();
}

/**
 * Emulator credentials made here, with the WeChat Pay key pair the emulator signs with, so a
 * test can seal notifications itself (sealNotification).
 */
export function makeCredentials() {
  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const merchant = pair();
  const wechatpay = pair();
  const keyId = `PUB_KEY_ID_0114232134912410000000000000${String(randomBytes(2).readUInt16BE() % 10000).padStart(4, '0')}`;
  return {
    mchid: '1900000109',
    serial: randomBytes(20).toString('hex').toUpperCase(),
    privateKey: merchant.privateKey,
    certs: { [keyId]: wechatpay.publicKey },
    apiv3Key: randomBytes(16).toString('hex'),
    plan_id: 12535,
    appid: 'wxd678efh567hg6787',
    _emulator: { wechatpayPrivateKey: wechatpay.privateKey, merchantPublicKey: merchant.publicKey },
  };
}

/**
 * A notification as WeChat Pay sends it (APIv3: AEAD_AES_256_GCM resource, RSA-SHA256 over
 * "timestamp\nnonce\nbody\n"), sealed with `creds`. Returns { headers, body }.
 */
export function sealNotification(creds, { id = `EV-${randomUUID()}`, event_type, resource, original_type = 'entrust' }) {
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(creds.apiv3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(original_type, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const body = JSON.stringify({
    id, create_time: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'), resource_type: 'encrypt-resource', event_type, summary: 'test',
    resource: { original_type, algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: original_type, nonce },
  });
  const ts = String(Math.floor(Date.now() / 1000));
  const sigNonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${sigNonce}\n${body}\n`).sign(creds._emulator.wechatpayPrivateKey, 'base64');
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'Wechatpay-Timestamp': ts,
      'Wechatpay-Nonce': sigNonce,
      'Wechatpay-Serial': Object.keys(creds.certs)[0],
      'Wechatpay-Signature': signature,
    },
  };
}

/** The ENTRUST.SIGN resource of a contract. */
export function signedResource(creds, out_contract_code, contract_id) {
  return {
    mchid: creds.mchid, appid: creds.appid, plan_id: creds.plan_id, out_contract_code, contract_id,
    contract_state: 'SIGNED', contract_signed_time: '2026-11-29T10:00:00+08:00',
    contract_expired_time: '2031-11-29T10:00:00+08:00', openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', out_user_code: 'user-1',
  };
}

/** Sends a pre-sign through the demo's form like its page does; resolves { path, code, cookie }. */
export async function createPresign(demoUrl, overrides = {}) {
  const page = await openPage(demoUrl);
  const res = await raw(`${demoUrl}/presign`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: page.cookie, Origin: demoUrl, 'Sec-Fetch-Site': 'same-origin' },
    body: presignForm(page, { csrf_token: page.token, ...overrides }),
  });
  if (res.status !== 303) throw new Error(`presign answered ${res.status}: ${res.body.slice(0, 500)}`);
  const path = res.headers.location;
  return { path, code: decodeURIComponent(path.split('/').pop()), cookie: page.cookie };
}

/**
 * Opens a live-status stream; resolves once its status line arrived: { status, events (the
 * data lines so far), ended (a promise of its end), close() }.
 */
export function openStream(url, headers = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers }, (res) => {
      const events = [];
      let buf = '';
      const ended = new Promise((r) => { res.on('end', r); res.on('close', r); });
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of block.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
        }
      });
      resolve({ status: res.statusCode, events, ended, close: () => req.destroy() });
    });
    req.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
    req.end();
  });
}
