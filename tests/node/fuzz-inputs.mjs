// Hostile and random input for the fuzz tests of the package (tests/node/fuzz-*.test.mjs), from
// a seeded generator (the seed is printed on failure; FUZZ_SEED=n replays it, FUZZ_ROUNDS=n
// runs longer; each test file draws from its own generator of that seed). Two properties:
//   1. every failure is a WechatPayError with a kind and a code (never a RuntimeError from a
//      trap: a panic in wasm kills the instance, and every later call with it): ourError;
//   2. the instance stays usable: after each batch, valid calls still give the right answers,
//      checked with node:crypto: alive.
// Values that run JS code while Rust reads them (getters, Proxies, toJSON, toString) throw,
// or call back into the package (the client given to setReentry), at any point.
// Not in helpers.mjs: every Node test imports that, and this module makes two RSA keys.
import assert from 'node:assert/strict';
import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg, seeded } from './helpers.mjs';

const { Client, WechatPayError, validatePreEntrustSign } = pkg;

export const SEED = Number(process.env.FUZZ_SEED || 20261127);
export const ROUNDS = Number(process.env.FUZZ_ROUNDS || 400);

export const { rand, int, pick } = seeded(SEED);

export const MCHID = '1900000001';
export const SERIAL = 'F5765756002FDD77';
export const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
export const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const apiv3Key = randomBytes(16).toString('hex');
export const privatePem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' });
export const pkcs1Pem = merchant.privateKey.export({ type: 'pkcs1', format: 'pem' });
export const publicPem = wechat.publicKey.export({ type: 'spki', format: 'pem' });
export const options = () => ({ mchid: MCHID, serial: SERIAL, privateKey: privatePem, certs: { [KEY_ID]: publicPem }, apiv3Key, baseURL: 'https://api.mch.weixin.qq.com' });

// A valid notification, signed and sealed with node:crypto.
export const resource = JSON.stringify({
  mchid: MCHID, contract_id: 'Wx15463511252015071056489715', appid: 'wxd678efh567hg6787', plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A', contract_state: 'SIGNED',
  contract_signed_time: '2026-11-27T10:00:00+08:00', contract_expired_time: '2031-11-27T10:00:00+08:00',
  openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', out_user_code: '用户A',
});
export function notification(resourceText = resource) {
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from('entrust'));
  const ciphertext = Buffer.concat([cipher.update(resourceText), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const body = JSON.stringify({ id: 'EV-1', create_time: '2026-11-27T10:00:01+08:00', resource_type: 'encrypt-resource', event_type: 'ENTRUST.SIGN', summary: '签约成功', resource: { original_type: 'entrust', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'entrust', nonce } });
  const ts = String(Math.floor(Date.now() / 1000));
  const hnonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${hnonce}\n${body}\n`).sign(wechat.privateKey, 'base64');
  return { body, headers: { 'wechatpay-timestamp': ts, 'wechatpay-nonce': hnonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID } };
}

export function validBody() {
  return {
    sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', plan_id: 12535,
    out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A',
    contract_notify_url: 'https://yourapp.example/notify', out_user_code: '用户A', return_url: 'https://yourapp.example/return',
    device_info: { device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'd1', device_running_as_root: false, device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS' },
  };
}

let reentry = null; // set to a client: hostile values call back into the package with it
export function setReentry(client) {
  reentry = client;
}
export function callBack() {
  validatePreEntrustSign({ plan_id: 1 });
  if (reentry) {
    reentry.authorization('GET', '/v3/x', '').catch(() => {});
    reentry.parseNotification({ headers: {}, body: '{}' }).catch(() => {});
    void reentry.userAgent;
  }
}

export const STRINGS = [
  '', ' ', 'a', 'x'.repeat(33), 'x'.repeat(5000), '微信代扣', '😀', 'a😀b', '\uD800', 'a\uDC00', '\u0000', '\n', '\r\n', '"', '\\', '\\n',
  '</script>', '%', '%zz', '?', '#', '/v3/x', 'https://', 'https://a.example/n?x=1', 'http://127.0.0.1/n', 'http://[::1]:1/', 'http://[::1',
  'é'.normalize('NFD'), '\u202e', 'SIGN_SCENE_QRCODE', 'DEVICE_TYPE_PHONE', '12535', '-1', '1e2', '0x10', 'null', '{}', '[]',
  '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----\n', 'PUB_KEY_ID_', KEY_ID, SERIAL, MCHID,
];
export const NUMBERS = [0, -0, 1, -1, 1.5, 12535, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308, 5e-324, NaN, Infinity, -Infinity];

export function hostile() {
  switch (int(9)) {
    case 0: return { get plan_id() { throw new Error('getter throws'); } };
    case 1: return { get sign_scene() { callBack(); return 'SIGN_SCENE_QRCODE'; } };
    case 2: return new Proxy({}, { get() { throw new Error('proxy get'); }, ownKeys() { throw new Error('proxy ownKeys'); }, has() { throw new Error('proxy has'); }, getOwnPropertyDescriptor() { throw new Error('proxy gopd'); } });
    case 3: return new Proxy({ a: 1 }, { get(t, k) { callBack(); return Reflect.get(t, k); } });
    case 4: return { toJSON() { throw new Error('toJSON throws'); } };
    case 5: return { toString() { callBack(); throw new Error('toString throws'); }, valueOf() { throw new Error('valueOf throws'); } };
    case 6: { const o = {}; o.self = o; return o; }
    case 7: return Object.create(null);
    default: { let o = {}; for (let i = 0; i < 3000; i++) o = { d: o }; return o; }
  }
}

export function value(depth = 0) {
  switch (int(depth > 2 ? 6 : 10)) {
    case 0: return pick([undefined, null, true, false]);
    case 1: return pick(NUMBERS);
    case 2: case 3: return pick(STRINGS);
    case 4: return pick([1n, Symbol('s'), () => 1, new Date(0), new Map([[1, 2]]), new Uint8Array([1, 2]), new ArrayBuffer(3), new DataView(new ArrayBuffer(2))]);
    case 5: return hostile();
    case 6: case 7: return Array.from({ length: int(4) }, () => value(depth + 1));
    default: {
      const o = {};
      // Own properties, "__proto__" included (as JSON.parse makes them), not the setter.
      for (let i = int(4); i > 0; i--) {
        const key = pick([...Object.keys(validBody()), 'device_info', '__proto__', 'constructor', pick(STRINGS)]);
        Object.defineProperty(o, key, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

/** A valid body with a few random changes: a field replaced, removed or added, deep or not. */
export function mutatedBody() {
  const b = validBody();
  const deviceInfo = b.device_info;
  for (let n = 1 + int(3); n > 0; n--) {
    const target = b.device_info === deviceInfo && rand() < 0.3 ? deviceInfo : b;
    const keys = Object.keys(target);
    const k = rand() < 0.8 ? pick(keys) : pick(STRINGS);
    if (rand() < 0.2) delete target[k];
    else target[k] = rand() < 0.5 ? value(1) : (typeof target[k] === 'string' ? mutateString(target[k]) : value(1));
  }
  return rand() < 0.1 ? value() : b;
}

export function mutateString(s) {
  const at = int(s.length + 1);
  switch (int(6)) {
    case 0: return s.slice(0, at);
    case 1: return s.slice(0, at) + pick(STRINGS) + s.slice(at);
    case 2: return s.slice(0, at) + String.fromCharCode(int(0x10000)) + s.slice(at + 1);
    case 3: return s.slice(at) + s.slice(0, at);
    case 4: return s.replaceAll('\n', pick(['\r\n', '\\n', ' ', '\n\n', '']));
    default: return s.repeat(1 + int(3));
  }
}

/** Checks a failure: a WechatPayError with a kind and a code, from our package. */
export function ourError(e, what) {
  assert.ok(e instanceof WechatPayError, `${what}: ${e?.constructor?.name}: ${e?.message ?? e} (seed ${SEED})`);
  assert.match(String(e.kind), /^(validation|config|api|signature|timeout|network)$/, what);
  if (e.kind === 'api') assert.equal(typeof e.code, 'string', what); // WeChat Pay's own code
  else assert.match(String(e.code), /^[A-Z][A-Z0-9_/]*$/, what);
}

export async function settle(what, fn) {
  try {
    await fn();
  } catch (e) {
    ourError(e, what);
  }
}

/** The instance still works: a signature node:crypto verifies, a validation, a notification. */
export async function alive(c) {
  const h = await c.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', '{"a":1}', { timestamp: 1624523846, nonce: 'N1' });
  const sig = h.match(/signature="([^"]+)"/)[1];
  assert.ok(createVerify('RSA-SHA256').update('POST\n/v3/papay/sign/contracts/pre-entrust-sign\n1624523846\nN1\n{"a":1}\n').verify(merchant.publicKey, sig, 'base64'), `signature after fuzzing (seed ${SEED})`);
  assert.deepEqual(validatePreEntrustSign(validBody()), []);
  assert.equal(validatePreEntrustSign({ ...validBody(), plan_id: '1' })[0].field, '/plan_id');
  const n = notification();
  assert.equal((await c.parseNotification(n)).resource.contract_state, 'SIGNED');
  assert.equal(new Client(options()).userAgent.split('/')[0], 'wechatpay-wasm');
}

/** A header value as a `Response` carries it (`null` when it cannot carry it). */
export function carried(value) {
  if (value === undefined) return undefined;
  try {
    return new Headers([['x', value]]).get('x');
  } catch {
    return null;
  }
}
