// Hostile and random input at every export, from a seeded generator (the seed is printed on
// failure; FUZZ_SEED=n replays it, FUZZ_ROUNDS=n runs longer). Two properties:
//   1. every failure is a WechatPayError with a kind and a code (never a RuntimeError from a
//      trap: a panic in wasm kills the instance, and every later call with it);
//   2. the instance stays usable: after each batch, valid calls still give the right answers,
//      checked with node:crypto.
// Values that run JS code while Rust reads them (getters, Proxies, toJSON, toString) throw,
// or call back into the package, at any point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg, seeded } from './helpers.mjs';

const { Client, WechatPayError, validatePreEntrustSign, notificationReply } = pkg;

const SEED = Number(process.env.FUZZ_SEED || 20261127);
const ROUNDS = Number(process.env.FUZZ_ROUNDS || 400);

const { rand, int, pick } = seeded(SEED);

const MCHID = '1900000001';
const SERIAL = 'F5765756002FDD77';
const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiv3Key = randomBytes(16).toString('hex');
const privatePem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' });
const pkcs1Pem = merchant.privateKey.export({ type: 'pkcs1', format: 'pem' });
const publicPem = wechat.publicKey.export({ type: 'spki', format: 'pem' });
const options = () => ({ mchid: MCHID, serial: SERIAL, privateKey: privatePem, certs: { [KEY_ID]: publicPem }, apiv3Key, baseURL: 'https://api.mch.weixin.qq.com' });

// A valid notification, signed and sealed with node:crypto.
const resource = JSON.stringify({
  mchid: MCHID, contract_id: 'Wx15463511252015071056489715', appid: 'wxd678efh567hg6787', plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A', contract_state: 'SIGNED',
  contract_signed_time: '2026-11-27T10:00:00+08:00', contract_expired_time: '2031-11-27T10:00:00+08:00',
  openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', out_user_code: '用户A',
});
function notification(resourceText = resource) {
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

function validBody() {
  return {
    sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', plan_id: 12535,
    out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A',
    contract_notify_url: 'https://yourapp.example/notify', out_user_code: '用户A', return_url: 'https://yourapp.example/return',
    device_info: { device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'd1', device_running_as_root: false, device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS' },
  };
}

let reentry = null; // set to a client: hostile values call back into the package with it
function callBack() {
  validatePreEntrustSign({ plan_id: 1 });
  if (reentry) {
    reentry.authorization('GET', '/v3/x', '').catch(() => {});
    reentry.parseNotification({ headers: {}, body: '{}' }).catch(() => {});
    void reentry.userAgent;
  }
}

const STRINGS = [
  '', ' ', 'a', 'x'.repeat(33), 'x'.repeat(5000), '微信代扣', '😀', 'a😀b', '\uD800', 'a\uDC00', '\u0000', '\n', '\r\n', '"', '\\', '\\n',
  '</script>', '%', '%zz', '?', '#', '/v3/x', 'https://', 'https://a.example/n?x=1', 'http://127.0.0.1/n', 'http://[::1]:1/', 'http://[::1',
  'é'.normalize('NFD'), '\u202e', 'SIGN_SCENE_QRCODE', 'DEVICE_TYPE_PHONE', '12535', '-1', '1e2', '0x10', 'null', '{}', '[]',
  '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----\n', 'PUB_KEY_ID_', KEY_ID, SERIAL, MCHID,
];
const NUMBERS = [0, -0, 1, -1, 1.5, 12535, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308, 5e-324, NaN, Infinity, -Infinity];

function hostile() {
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

function value(depth = 0) {
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
function mutatedBody() {
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

function mutateString(s) {
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
function ourError(e, what) {
  assert.ok(e instanceof WechatPayError, `${what}: ${e?.constructor?.name}: ${e?.message ?? e} (seed ${SEED})`);
  assert.match(String(e.kind), /^(validation|config|api|signature|timeout|network)$/, what);
  if (e.kind === 'api') assert.equal(typeof e.code, 'string', what); // WeChat Pay's own code
  else assert.match(String(e.code), /^[A-Z][A-Z0-9_/]*$/, what);
}

async function settle(what, fn) {
  try {
    await fn();
  } catch (e) {
    ourError(e, what);
  }
}

/** The instance still works: a signature node:crypto verifies, a validation, a notification. */
async function alive(c) {
  const h = await c.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', '{"a":1}', { timestamp: 1624523846, nonce: 'N1' });
  const sig = h.match(/signature="([^"]+)"/)[1];
  assert.ok(createVerify('RSA-SHA256').update('POST\n/v3/papay/sign/contracts/pre-entrust-sign\n1624523846\nN1\n{"a":1}\n').verify(merchant.publicKey, sig, 'base64'), `signature after fuzzing (seed ${SEED})`);
  assert.deepEqual(validatePreEntrustSign(validBody()), []);
  assert.equal(validatePreEntrustSign({ ...validBody(), plan_id: '1' })[0].field, '/plan_id');
  const n = notification();
  assert.equal((await c.parseNotification(n)).resource.contract_state, 'SIGNED');
  assert.equal(new Client(options()).userAgent.split('/')[0], 'wechatpay-wasm');
}

test('values whose reading throws give our errors, and the instance lives on', async () => {
  const throwing = () => new Proxy({}, { ownKeys() { throw new Error('ownKeys trap'); }, get() { throw new Error('get trap'); } });
  const c = new Client(options());
  // Object.entries of the headers threw through wasm inside a future: every later promise of
  // the instance hung.
  const n = notification();
  const keysThrow = new Proxy({}, { ownKeys() { throw new Error('ownKeys trap'); } });
  let e = await c.parseNotification({ headers: keysThrow, body: n.body }).catch((x) => x);
  ourError(e, 'headers Proxy');
  assert.equal(e.code, 'MISSING_HEADER');
  // A Proxy of bytes passes instanceof; copying it ran its traps.
  const bytes = new Proxy(new Uint8Array(4), { get() { throw new Error('bytes trap'); } });
  e = await c.parseNotification({ headers: n.headers, body: bytes }).catch((x) => x);
  ourError(e, 'bytes Proxy');
  assert.equal(e.code, 'BAD_ARGUMENT');
  assert.match(e.message, /bytes trap/);
  // A DataView whose byteOffset lies.
  const view = new DataView(new ArrayBuffer(8));
  Object.defineProperty(view, 'byteOffset', { get: () => 1e9 });
  e = await c.parseNotification({ headers: n.headers, body: view }).catch((x) => x);
  ourError(e, 'DataView');
  assert.equal(e.code, 'BAD_ARGUMENT');
  // query and headers of request(), and certs at construction.
  for (const name of ['query', 'headers']) {
    e = await c.request('GET', '/v3/x', { [name]: throwing() }).catch((x) => x);
    ourError(e, name);
    assert.match(e.message, new RegExp(`^${name}: reading the object threw \\(ownKeys trap\\)`));
  }
  assert.throws(() => new Client({ ...options(), certs: throwing() }), (x) => x instanceof WechatPayError && x.code === 'BAD_CERT' && /ownKeys trap/.test(x.message));
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.throws(() => new Client({ ...options(), certs: revoked.proxy }), (x) => x instanceof WechatPayError && x.kind === 'config');
  assert.throws(() => c.chain(Symbol('p')), (x) => x instanceof WechatPayError && x.code === 'BAD_ARGUMENT');
  assert.throws(() => c.chain(throwing()), (x) => x instanceof WechatPayError && x.code === 'BAD_ARGUMENT');
  await alive(c);
});

test('a fetch mock that returns a Response, not a promise of one, is awaited like fetch', async () => {
  const c = new Client(options());
  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = () => { calls++; return new Response('{"code":"PARAM_ERROR","message":"mocked"}', { status: 400, headers: { 'request-id': 'R-MOCK' } }); };
  try {
    const e = await c.request('GET', '/v3/x').catch((x) => x);
    ourError(e, 'sync fetch mock');
    assert.equal(e.kind, 'api');
    assert.equal(e.code, 'PARAM_ERROR');
    assert.equal(e.requestId, 'R-MOCK');
    assert.equal(calls, 1);
  } finally {
    globalThis.fetch = realFetch;
  }
  await alive(c);
});

test('crypto.subtle mocks that return plain values, not promises, are awaited like WebCrypto', async () => {
  const c = new Client(options());
  const n = notification();
  await c.authorization('GET', '/v3/x', ''); // keys imported with the real WebCrypto
  await c.parseNotification(n);
  const subtle = globalThis.crypto.subtle;
  const real = { sign: subtle.sign, verify: subtle.verify, decrypt: subtle.decrypt };
  const fixed = new Uint8Array(256).fill(7);
  try {
    subtle.sign = () => fixed.buffer.slice(0);
    const h = await c.authorization('GET', '/v3/x', '', { timestamp: 1624523846, nonce: 'N1' });
    assert.match(h, new RegExp(`signature="${Buffer.from(fixed).toString('base64').replace(/[+/]/g, '\\$&')}"$`));
    subtle.verify = () => false;
    let e = await c.parseNotification(n).catch((x) => x);
    ourError(e, 'sync verify mock');
    assert.equal(e.code, 'BAD_SIGNATURE');
    subtle.verify = () => true;
    subtle.decrypt = () => { throw new Error('decrypt mock throws'); };
    e = await c.parseNotification(n).catch((x) => x);
    ourError(e, 'throwing decrypt mock');
    assert.equal(e.code, 'BAD_APIV3_KEY');
  } finally {
    Object.assign(subtle, real);
  }
  await alive(c);
});

test('a crypto.getRandomValues that calls back into the package does not kill the instance', async () => {
  const c = new Client(options());
  const real = crypto.getRandomValues;
  let reentered = 0;
  const inner = [];
  crypto.getRandomValues = function (array) {
    if (reentered === 0) {
      reentered++;
      // Called while the package refills its random pool: a nonce is needed again.
      inner.push(c.authorization('GET', '/v3/inner', ''));
    }
    return real.call(crypto, array);
  };
  try {
    // 48 random bytes per nonce and a pool of 1536: the pool is refilled within 40 calls.
    const outer = [];
    for (let i = 0; i < 40; i++) outer.push(await c.authorization('GET', '/v3/outer', ''));
    assert.equal(reentered, 1, 'the pool was refilled while getRandomValues was replaced');
    const all = [...outer, ...(await Promise.all(inner))];
    const nonces = all.map((h) => h.match(/nonce_str="([0-9A-Za-z]{32})"/)[1]);
    assert.equal(new Set(nonces).size, nonces.length, 'no nonce twice');
  } finally {
    crypto.getRandomValues = real;
  }
  await alive(c);
});

test('a crypto.getRandomValues that gives only high bytes is an error, not an endless loop', async () => {
  const c = new Client(options());
  const real = crypto.getRandomValues;
  crypto.getRandomValues = (array) => array.fill(255); // every byte refused by the nonce's sampling
  let e;
  try {
    // The pool still holds up to 1536 real bytes (32 nonces); past them, the fake ones.
    for (let i = 0; i < 40 && !e; i++) e = await c.authorization('GET', '/v3/x', '').then(() => undefined, (x) => x);
  } finally {
    crypto.getRandomValues = real;
  }
  ourError(e, 'nonce');
  assert.match(e.message, /crypto\.getRandomValues gives bytes that are not random/);
  // The rest of the bad bytes are dropped: with the real source back, nonces come at once.
  assert.match(await c.authorization('GET', '/v3/x', ''), /nonce_str="[0-9A-Za-z]{32}"/);
  await alive(c);
});

test('preEntrustSign: optional fields WeChat Pay writes as null are left out, as the typings say', async () => {
  const c = new Client(options());
  const realFetch = globalThis.fetch;
  const text = '{"pre_entrustweb_id":"5778aadY9nltAsZzXixCkFIGYnV2V","redirect_url":null,"mini_program_username":"gh_1","mini_program_path":null}';
  globalThis.fetch = async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(wechat.privateKey, 'base64');
    return new Response(text, { status: 200, headers: { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID } });
  };
  try {
    const res = await c.preEntrustSign(validBody());
    assert.deepEqual(res, { pre_entrustweb_id: '5778aadY9nltAsZzXixCkFIGYnV2V', mini_program_username: 'gh_1' });
    assert.ok(!('redirect_url' in res) && !('mini_program_path' in res));
  } finally {
    globalThis.fetch = realFetch;
  }
});

test(`fuzz: validation and preEntrustSign (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
  const c = new Client(options());
  reentry = c;
  let sent = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => { sent++; throw new Error('nothing may be sent'); };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const b = mutatedBody();
      let issues;
      try {
        issues = validatePreEntrustSign(b);
      } catch (e) {
        ourError(e, `validatePreEntrustSign #${i}`);
      }
      if (issues !== undefined) {
        assert.ok(Array.isArray(issues), `#${i}`);
        for (const is of issues) {
          assert.equal(typeof is.field, 'string');
          assert.ok(is.field === '' || is.field.startsWith('/'), is.field);
          assert.equal(typeof is.rule, 'string');
          assert.ok(is.message.length > 0);
        }
      }
      // Invalid bodies reject as validation errors before anything is sent; valid ones reach
      // fetch (here: a network error).
      await settle(`preEntrustSign #${i}`, () => c.preEntrustSign(b));
      if (issues?.length) assert.equal(sent, 0, `#${i}: a body with issues was sent`);
      sent = 0;
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    globalThis.fetch = realFetch;
    reentry = null;
  }
  await alive(c);
});

test(`fuzz: constructor options and PEMs (seed ${SEED})`, async () => {
  const pems = [privatePem, pkcs1Pem, publicPem];
  for (let i = 0; i < ROUNDS; i++) {
    const o = options();
    for (let n = 1 + int(2); n > 0; n--) {
      const k = pick(['mchid', 'serial', 'privateKey', 'certs', 'apiv3Key', 'baseURL', 'timeout', 'userAgent', 'now', 'crypto', pick(STRINGS)]);
      if (k === 'privateKey' && rand() < 0.7) o.privateKey = mutateString(pick(pems));
      else if (k === 'certs' && rand() < 0.7) o.certs = { [rand() < 0.8 ? KEY_ID : pick(STRINGS)]: mutateString(pick(pems)) };
      else if (k === 'now' && rand() < 0.5) o.now = pick([() => { throw new Error('clock'); }, () => pick(NUMBERS), () => pick(STRINGS), () => { callBack(); return Date.now(); }]);
      else o[k] = value(1);
    }
    let c;
    try {
      c = new Client(rand() < 0.05 ? value() : o);
    } catch (e) {
      ourError(e, `new Client #${i}`);
      continue;
    }
    // A client that was built must sign, or fail with our error (a damaged key is found on
    // first use).
    await settle(`authorization #${i}`, () => c.authorization('GET', '/v3/x', ''));
  }
  await alive(new Client(options()));
});

test(`fuzz: authorization, request and notificationReply arguments (seed ${SEED})`, async () => {
  const c = new Client(options());
  reentry = c;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => new Response('{"code":"PARAM_ERROR","message":"fuzz"}', { status: 400, headers: { 'content-type': 'application/json', 'request-id': 'R1' } });
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const args = [pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'get', 'BREW', '']), pick(['/v3/x', 'https://api.mch.weixin.qq.com/v3/x?a=1', '/v3/x?q=微信']), pick(['', '{"a":1}'])].map((v) => (rand() < 0.3 ? value(1) : rand() < 0.3 ? mutateString(String(v)) : v));
      const opts = rand() < 0.5 ? undefined : { timestamp: rand() < 0.5 ? value(1) : 1624523846, nonce: rand() < 0.5 ? value(1) : 'N1' };
      await settle(`authorization #${i}`, () => c.authorization(...args, opts));
      const reqOpts = rand() < 0.2 ? value() : { json: rand() < 0.5 ? mutatedBody() : value(1), query: rand() < 0.5 ? value(1) : { a: 1 }, headers: rand() < 0.5 ? value(1) : { 'x-a': 'b' }, params: rand() < 0.5 ? value(1) : { plan_id: 1 } };
      await settle(`request #${i}`, () => c.request(args[0], rand() < 0.5 ? args[1] : '/v3/papay/sign/contracts/{plan_id}', reqOpts));
      await settle(`chain #${i}`, () => c.chain(pick(['v3/x', 'v3/{plan_id}', '$x$', '', value(1)])).post(reqOpts));
      try {
        const r = notificationReply(rand() < 0.5 ? value() : new Error(pick(STRINGS)));
        assert.ok([204, 401, 500].includes(r.status), `reply status ${r.status}`);
        assert.equal(typeof r.body, 'string');
      } catch (e) {
        ourError(e, `notificationReply #${i}`);
      }
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    globalThis.fetch = realFetch;
    reentry = null;
  }
  await alive(c);
});

test(`fuzz: parseNotification (seed ${SEED})`, async () => {
  const c = new Client(options());
  reentry = c;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const resourceChanged = rand() < 0.2;
      const n = notification(resourceChanged ? mutateString(resource) : resource);
      let { body, headers } = n;
      const r = rand();
      if (r < 0.4) body = mutateString(body);
      else if (r < 0.5) body = value();
      if (rand() < 0.4) {
        const k = pick(Object.keys(headers));
        headers = { ...headers, [rand() < 0.8 ? k : k.toUpperCase()]: rand() < 0.5 ? mutateString(headers[k]) : value(1) };
      }
      const plainHeaders = rand() >= 0.1;
      if (!plainHeaders) headers = value();
      let input = { headers, body };
      const form = int(6);
      if (typeof body === 'string') {
        if (form === 1) input.body = new TextEncoder().encode(body);
        if (form === 2) input.body = new TextEncoder().encode(body).buffer;
        if (form === 3) { const bytes = Buffer.from(`xx${body}yy`); input.body = new DataView(bytes.buffer, bytes.byteOffset + 2, bytes.length - 4); }
        if (form === 4 && plainHeaders) input.headers = new Headers(Object.entries(headers ?? {}).filter(([, v]) => typeof v === 'string' && /^[\x20-\x7e]*$/.test(v)));
      }
      if (rand() < 0.05) input = value();
      let event;
      try {
        event = await c.parseNotification(input);
      } catch (e) {
        ourError(e, `parseNotification #${i}`);
        continue;
      }
      // It passed: then what was signed was not changed (any change fails the signature),
      // and the resource is what was sealed.
      if (resourceChanged) assert.equal(typeof event.resource, 'object', `#${i}`);
      else assert.equal(event.resource.contract_state, 'SIGNED', `#${i}`);
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    reentry = null;
  }
  await alive(c);
});

/** A header value as a `Response` carries it (`null` when it cannot carry it). */
function carried(value) {
  if (value === undefined) return undefined;
  try {
    return new Headers([['x', value]]).get('x');
  } catch {
    return null;
  }
}

test(`fuzz: answers of WeChat Pay, signed or not, to preEntrustSign and request (seed ${SEED})`, async () => {
  const c = new Client(options());
  const realFetch = globalThis.fetch;
  const success = JSON.stringify({ pre_entrustweb_id: '5778aadY9nltAsZzXixCkFIGYnV2V', redirect_url: 'https://pay.weixin.qq.com/x?y=1' });
  let answer;
  globalThis.fetch = async () => answer();
  const sign = (ts, nonce, text) => createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(wechat.privateKey, 'base64');
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const status = pick([200, 200, 200, 201, 204, 299, 400, 401, 403, 404, 429, 500, 502, 599]);
      let text = pick([success, success, '{"code":"PARAM_ERROR","message":"bad","detail":{"field":"/plan_id","sign_information":{"sign_message_length":1}}}', '', 'null', '[]', '{}', '{"pre_entrustweb_id":1}']);
      if (rand() < 0.4) text = mutateString(text);
      if (rand() < 0.1) {
        try {
          text = JSON.stringify(value());
        } catch {
          // a hostile value: keep the text
        }
      }
      const bytes = rand() < 0.05 ? new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]) : new TextEncoder().encode(text ?? '');
      // Outside the window by two seconds, not one: the second can turn between making the
      // answer and checking it, which would bring 301 s within the 300 s allowed.
      const skew = pick([0, 0, 0, 299, -299, 302, -302, 1e6]);
      const ts = String(Math.floor(Date.now() / 1000) + skew);
      const nonce = randomBytes(8).toString('hex');
      const headers = { 'request-id': 'R-' + i, 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': sign(ts, nonce, Buffer.from(bytes).toString()), 'wechatpay-serial': KEY_ID };
      let damaged = false;
      if (rand() < 0.3) {
        const k = pick(['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']);
        const was = headers[k];
        if (rand() < 0.3) delete headers[k];
        else headers[k] = mutateString(headers[k]);
        // As the answer carries it: Headers trims spaces and tabs around a value, so a
        // mutation there reaches the package undamaged (and verifies, rightly).
        damaged = carried(headers[k]) !== was;
      }
      // What must not pass: a damaged signature header, or a timestamp over 300 s off.
      const unverifiable = damaged || Math.abs(skew) > 300;
      answer = () => new Response(status === 204 ? null : bytes, { status, headers });
      try {
        answer();
      } catch {
        continue; // a header value that no real answer can carry (a line break)
      }
      for (const call of [() => c.preEntrustSign(validBody()), () => c.request('POST', '/v3/papay/sign/contracts/pre-entrust-sign', { json: validBody() })]) {
        let result;
        try {
          result = await call();
        } catch (e) {
          ourError(e, `answer #${i} (${status})`);
          // A non-2xx answer is reported as it is, never masked by a verification error.
          if (status >= 300) assert.equal(e.kind, 'api', `#${i}: HTTP ${status} gave ${e.kind} ${e.code}: ${e.message}`);
          else if (unverifiable) assert.equal(e.kind, 'signature', `#${i}: ${e.code}: ${e.message}`);
          continue;
        }
        assert.ok(status < 300, `#${i}: HTTP ${status} resolved`);
        assert.ok(!unverifiable, `#${i}: an answer with damaged headers or skew ${skew} s resolved`);
        if (result instanceof Response) assert.equal(result.status, status);
        else assert.equal(typeof result.pre_entrustweb_id, 'string', `#${i}`);
      }
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  await alive(c);
});
