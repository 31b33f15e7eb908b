// The built package against the emulator: every outcome of a presign as a user sees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createVerify, createPublicKey } from 'node:crypto';
import { pkg, emulator, client, body, rejection } from './helpers.mjs';

const { Client, WechatPayError, validatePreEntrustSign } = pkg;
let emu;
before(async () => { emu = await emulator(); });
after(async () => { await emu.close(); });

test('QR scene: success, redirect_url points at the signing page, contract pending', async () => {
  const c = client(emu);
  const b = body(emu);
  const res = await c.preEntrustSign(b);
  assert.match(res.pre_entrustweb_id, /\S/);
  assert.ok(res.redirect_url.startsWith(emu.url), res.redirect_url);
  assert.equal(res.mini_program_username, undefined);
  const contract = emu.contracts.get(res.pre_entrustweb_id);
  assert.equal(contract.state, 'PENDING');
  assert.equal(contract.request.out_contract_code, b.out_contract_code);
});

test('APP scene: success with the mini-program to open', async () => {
  const res = await client(emu).preEntrustSign(body(emu, { sign_scene: 'SIGN_SCENE_APP' }));
  assert.match(res.mini_program_username, /^gh_/);
  assert.match(res.mini_program_path, /\S/);
  assert.equal(res.redirect_url, undefined);
});

test('a JSON string body is sent byte for byte (and validated)', async () => {
  const text = JSON.stringify(body(emu), null, 2);
  const res = await client(emu).preEntrustSign(text);
  const contract = emu.contracts.get(res.pre_entrustweb_id);
  assert.ok(contract);
});

test('both RSA backends work against the emulator', async () => {
  for (const crypto of ['webcrypto', 'rust']) {
    const c = client(emu, { crypto });
    assert.equal(c.cryptoBackend, crypto);
    const res = await c.preEntrustSign(body(emu));
    assert.ok(res.pre_entrustweb_id);
  }
});

test('PARAM_ERROR is surfaced with its detail, status and Request-ID', async () => {
  emu.inject({ kind: 'paramError', detail: { field: '/device_info/device_ip', value: '203.0.113.7', issue: 'server-side rule' } });
  const e = await rejection(client(emu).preEntrustSign(body(emu)));
  assert.ok(e instanceof WechatPayError, String(e));
  assert.ok(e instanceof Error);
  assert.equal(e.kind, 'api');
  assert.equal(e.code, 'PARAM_ERROR');
  assert.equal(e.status, 400);
  assert.deepEqual(e.detail, { field: '/device_info/device_ip', value: '203.0.113.7', issue: 'server-side rule', location: 'body' });
  assert.match(e.requestId, /\S/);
  assert.match(e.message, /PARAM_ERROR/);
});

test('an emulator-side rule (out_contract_code reused) comes back as an api error, not masked', async () => {
  const b = body(emu);
  await client(emu).preEntrustSign(b);
  const e = await rejection(client(emu).preEntrustSign(b));
  assert.equal(e.kind, 'api');
  assert.equal(e.status, 400);
  assert.equal(e.detail.field, '/out_contract_code');
});

test('SIGN_ERROR is surfaced whole, with sign_information', async () => {
  // A client whose key is not the merchant's: the emulator cannot verify its signature.
  const { generateKeyPairSync } = await import('node:crypto');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const c = client(emu, { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) });
  const e = await rejection(c.preEntrustSign(body(emu)));
  assert.equal(e.kind, 'api');
  assert.equal(e.code, 'SIGN_ERROR');
  assert.equal(e.status, 401);
  const info = e.detail.sign_information;
  assert.equal(info.method, 'POST');
  assert.equal(info.url, '/v3/papay/sign/contracts/pre-entrust-sign');
  assert.ok(info.sign_message_length > 0);
  assert.match(info.truncated_sign_message, /^POST\n/);
});

test('500 without signature headers is an api error, never a verification error', async () => {
  emu.inject({ kind: 'status500' });
  const e = await rejection(client(emu).preEntrustSign(body(emu)));
  assert.equal(e.kind, 'api');
  assert.equal(e.code, 'SYSTEM_ERROR');
  assert.equal(e.status, 500);
});

test('429 is an api error', async () => {
  emu.inject({ kind: 'status429' });
  const e = await rejection(client(emu).preEntrustSign(body(emu)));
  assert.equal(e.code, 'RATELIMIT_EXCEEDED');
  assert.equal(e.status, 429);
});

for (const [kind, code] of [
  ['truncate', 'BAD_SIGNATURE'],
  ['badSignature', 'BAD_SIGNATURE'],
  ['staleTimestamp', 'TIMESTAMP_SKEW'],
  ['unknownSerial', 'UNKNOWN_SERIAL'],
  ['noSignatureHeaders', 'MISSING_HEADER'],
]) {
  test(`a 2xx with fault ${kind} is rejected: signature/${code}`, async () => {
    emu.inject({ kind });
    const e = await rejection(client(emu).preEntrustSign(body(emu)));
    assert.ok(e instanceof WechatPayError);
    assert.equal(e.kind, 'signature', e.message);
    assert.equal(e.code, code, e.message);
    assert.match(e.requestId, /\S/);
    if (kind === 'unknownSerial') {
      assert.match(e.serial, /^PUB_KEY_ID_0+$/);
      assert.ok(e.message.includes(e.serial) && e.message.includes(Object.keys(emu.credentials.certs)[0]), e.message);
    }
  });
}

test('a tampered (badJson but correctly signed) body is rejected as an unusable answer', async () => {
  emu.inject({ kind: 'badJson' });
  const e = await rejection(client(emu).preEntrustSign(body(emu)));
  assert.equal(e.kind, 'api');
  assert.equal(e.code, 'BAD_RESPONSE');
});

test('a request signed with a clock 302 s off is refused by the emulator (401), surfaced as api', async () => {
  // 302, not 301: the second can turn between signing and the emulator's check, which
  // would bring 301 s within the 300 s the emulator allows.
  const c = client(emu, { now: () => Date.now() + 302_000 });
  const e = await rejection(c.preEntrustSign(body(emu)));
  assert.equal(e.kind, 'api');
  assert.equal(e.status, 401);
});

test('timeout fires (kind timeout) and the next call works', async () => {
  emu.inject({ kind: 'delay', ms: 1500 });
  const c = client(emu, { timeout: 200 });
  const e = await rejection(c.preEntrustSign(body(emu)));
  assert.equal(e.kind, 'timeout');
  assert.equal(e.code, 'TIMEOUT');
  // The client's own timer fired (not some other limit): its value is in the error.
  assert.equal(e.timeout, 200);
  assert.match(e.message, /no complete answer within 200 ms \(option timeout\)/);
  assert.deepEqual(emu.faults, [], 'the delayed request reached the emulator');
  const ok = await client(emu).preEntrustSign(body(emu));
  assert.ok(ok.pre_entrustweb_id);
});

test('timeout fires even when fetch, or the body, ignores the abort signal', async () => {
  const c = client(emu, { timeout: 150 });
  const realFetch = globalThis.fetch;
  const never = () => new Promise(() => {});
  // A fetch that never settles and ignores its signal; then one whose body never ends.
  const stubs = [never, async () => new Response(new ReadableStream({ pull: never }), { status: 200 })];
  try {
    for (const stub of stubs) {
      globalThis.fetch = stub;
      // The race only turns a hang (the stub never settles) into a failure instead of a
      // test that never ends; it is 200 times the timeout, not a speed limit.
      const e = await Promise.race([rejection(c.preEntrustSign(body(emu))), new Promise((resolve) => { setTimeout(resolve, 30_000, 'hung').unref(); })]);
      assert.ok(e instanceof WechatPayError, `${stub.name || 'body'}: ${e}`);
      assert.equal(e.kind, 'timeout', e.message);
      assert.equal(e.code, 'TIMEOUT', e.message);
      assert.equal(e.timeout, 150);
      assert.match(e.message, /within 150 ms/);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.ok((await c.preEntrustSign(body(emu))).pre_entrustweb_id, 'the next call works');
});

test('connection reset is a network error', async () => {
  emu.inject({ kind: 'reset' });
  const e = await rejection(client(emu).preEntrustSign(body(emu)));
  assert.equal(e.kind, 'network');
  assert.equal(e.code, 'NETWORK_ERROR');
});

test('validation failure sends nothing and lists every issue', async () => {
  const before = emu.contracts.size;
  let fetches = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (...a) => { fetches += 1; return realFetch(...a); };
  try {
    const b = body(emu, { out_contract_code: 'bad code!', plan_id: 0, bogus: 1 });
    b.device_info.device_type = 'PHONE';
    const e = await rejection(client(emu).preEntrustSign(b));
    assert.equal(e.kind, 'validation');
    assert.equal(e.code, 'INVALID_FIELD');
    const fields = e.issues.map((i) => i.field).sort();
    assert.deepEqual(fields, ['/bogus', '/device_info/device_type', '/out_contract_code', '/plan_id']);
    assert.deepEqual(validatePreEntrustSign(b).map((i) => i.field).sort(), fields);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(fetches, 0);
  assert.equal(emu.contracts.size, before);
});

test('authorization() verifies with node:crypto over the canonical message', async () => {
  const c = client(emu);
  const bodyText = JSON.stringify(body(emu));
  const h = await c.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', bodyText, { timestamp: 1624523846, nonce: 'A1B2C3D4E5F6G7' });
  const m = /^WECHATPAY2-SHA256-RSA2048 mchid="(\d+)",nonce_str="(\w+)",timestamp="(\d+)",serial_no="([0-9A-F]+)",signature="([^"]+)"$/.exec(h);
  assert.ok(m, h);
  assert.equal(m[1], emu.credentials.mchid);
  assert.equal(m[2], 'A1B2C3D4E5F6G7');
  assert.equal(m[3], '1624523846');
  assert.equal(m[4], emu.credentials.serial);
  const pub = createPublicKey(emu.credentials.privateKey);
  const message = `POST\n/v3/papay/sign/contracts/pre-entrust-sign\n1624523846\nA1B2C3D4E5F6G7\n${bodyText}\n`;
  assert.ok(createVerify('RSA-SHA256').update(message).verify(pub, m[5], 'base64'));
  // Generated nonce and timestamp when omitted.
  const h2 = await c.authorization('GET', '/v3/x?y=1');
  assert.match(h2, /nonce_str="[0-9A-Za-z]{32}",timestamp="\d{10}"/);
});

test('bad configuration throws config errors with codes, never echoing key material', () => {
  const base = { ...emu.credentials, baseURL: emu.url };
  const keyLine = emu.credentials.privateKey.split('\n')[1];
  const cases = [
    [{ privateKey: emu.credentials.privateKey.replace(keyLine, keyLine.slice(0, 30)) }, 'BAD_PRIVATE_KEY'],
    [{ privateKey: 'nonsense' }, 'BAD_PRIVATE_KEY'],
    [{ mchid: '19000000x1' }, 'BAD_MCHID'],
    [{ mchid: 1900000001 }, 'BAD_MCHID'],
    [{ serial: '' }, 'BAD_SERIAL'],
    [{ baseURL: 'ftp://api.example' }, 'BAD_BASE_URL'],
    [{ baseURL: 'api.mch.weixin.qq.com' }, 'BAD_BASE_URL'],
    [{ timeout: -1 }, 'BAD_TIMEOUT'],
    [{ apiv3Key: 'x'.repeat(31) }, 'BAD_APIV3_KEY'],
    [{ certs: {}, apiv3Key: undefined }, 'BAD_CERT'], // with apiv3Key, certificates are downloaded
    [{ certs: { PUB_KEY_ID_1: 'not a pem' } }, 'BAD_CERT'],
    [{ apiV3Key: 'x' }, 'BAD_OPTION'],
    [{ timeoutMs: 500 }, 'BAD_OPTION', /timeoutMs: unknown option; did you mean timeout\?/],
    [{ userAgnet: 'x' }, 'BAD_OPTION', /did you mean userAgent\?/],
    // A clock that gives no finite number fails here, not on the first call.
    [{ now: () => 'x' }, 'BAD_OPTION', /now: must return milliseconds since the epoch \(a finite number\)/],
    [{ now: () => NaN }, 'BAD_OPTION'],
    [{ now: () => { throw new Error('clock'); } }, 'BAD_OPTION'],
    [{ now: 5 }, 'BAD_OPTION'],
    // A secret passed in the wrong option is not echoed back.
    [{ mchid: emu.credentials.apiv3Key }, 'BAD_MCHID', /got a value that is not all digits \(not repeated here\)$/],
    [{ mchid: emu.credentials.privateKey }, 'BAD_MCHID'],
    [{ baseURL: emu.credentials.apiv3Key }, 'BAD_BASE_URL', /got a value that does not start with http:\/\/ or https:\/\/ \(not repeated here\)/],
    [{ baseURL: emu.credentials.privateKey }, 'BAD_BASE_URL'],
  ];
  for (const [patch, code, message] of cases) {
    assert.throws(() => new Client({ ...base, ...patch }), (e) => {
      assert.ok(e instanceof WechatPayError, `${code}: ${e}`);
      assert.equal(e.kind, 'config');
      assert.equal(e.code, code, e.message);
      if (message) assert.match(e.message, message);
      assert.ok(!e.message.includes(keyLine.slice(0, 16)), 'no key material');
      assert.ok(!e.message.includes(emu.credentials.apiv3Key));
      return true;
    });
  }
  // Fields it does not know, and that are no near-miss of its own, are ignored.
  assert.equal(new Client({ ...base, log: true, env: 'test', appid: 'wx1', plan_id: 1 }).userAgent.length > 0, true);
  assert.throws(() => new Client(), (e) => e.kind === 'config');
  assert.throws(() => new Client(null), (e) => e.kind === 'config');
});

test('garbage input never kills the instance', async () => {
  const c = client(emu);
  for (const junk of [undefined, null, 42, 'not json', '[]', [], { a: 1n }.a === 1n ? { big: 1n } : {}, Symbol.iterator]) {
    let err;
    try { await c.preEntrustSign(junk); } catch (e) { err = e; }
    assert.ok(err instanceof WechatPayError, `${String(junk)} -> ${err}`);
    assert.equal(err.kind, 'validation');
  }
  for (const junk of [undefined, null, 42, 'x', {}, { headers: 1, body: 2 }]) {
    const e = await rejection(c.parseNotification(junk));
    assert.ok(e instanceof WechatPayError, String(e));
  }
  // Headers that are not an object are named as such (they read as missing headers before).
  for (const headers of [null, 'wechatpay-serial: x', 42]) {
    const e = await rejection(c.parseNotification({ headers, body: '{}' }));
    assert.equal(e.code, 'BAD_ARGUMENT', e.message);
    assert.match(e.message, /headers is required, a Headers object or a plain object/);
  }
  await assert.rejects(c.authorization('BREW', '/x'), (e) => e.code === 'BAD_ARGUMENT');
  await assert.rejects(c.authorization(), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT' && /method/.test(e.message));
  await assert.rejects(c.authorization('GET', 42), (e) => e instanceof WechatPayError && /url/.test(e.message));
  await assert.rejects(c.request(null, '/v3/x'), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT');
  await assert.rejects(pkg.qrCodeSvg(undefined), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT');
  await assert.rejects(pkg.qrCodeSvg('x', -1), (e) => e instanceof WechatPayError && /size/.test(e.message));
  await assert.rejects(c.authorization('GET', 'relative'), (e) => e.code === 'BAD_ARGUMENT');
  await assert.rejects(c.authorization('GET', '/x', '', { nonce: 'a"b' }), (e) => e.code === 'BAD_ARGUMENT');
  // Still alive.
  assert.ok((await c.preEntrustSign(body(emu))).pre_entrustweb_id);
});

test('the User-Agent names the package, its version and the runtime', () => {
  const c = client(emu);
  assert.match(c.userAgent, /^wechatpay-wasm\/\d+\.\d+\.\d+ \(Node\.js\/\d+/);
  assert.equal(client(emu, { userAgent: 'merchant-app/1.0' }).userAgent, 'merchant-app/1.0');
});

test('authorization(): timestamp is Unix seconds as a number or a string of digits', async () => {
  const c = client(emu);
  const opts = (timestamp) => ({ timestamp, nonce: 'N1' });
  const h = await c.authorization('GET', '/v3/x', '', opts(1624523846));
  assert.equal(await c.authorization('GET', '/v3/x', '', opts('1624523846')), h);
  assert.match(h, /timestamp="1624523846"/);
  for (const bad of [1.5, -1, Infinity, NaN, '', '1.6e9', ' 1624523846', '-1', '0x10', true, {}]) {
    await assert.rejects(c.authorization('GET', '/v3/x', '', opts(bad)), (e) => e.code === 'BAD_ARGUMENT' && /timestamp/.test(e.message), String(bad));
  }
});

// authorization() has two paths: the first calls (the key being imported) go through the
// general async path; once the key is imported, WebCrypto's promise is returned with
// callbacks that complete the header. Both must give the same, valid header and errors.
test('authorization(): the first call and the later ones give the same verified header', async () => {
  const c = client(emu);
  const pub = createPublicKey(emu.credentials.privateKey);
  const verified = (h, message) => {
    const sig = /signature="([^"]+)"$/.exec(h)[1];
    return createVerify('RSA-SHA256').update(message).verify(pub, sig, 'base64');
  };
  const at = { timestamp: 1624523846, nonce: 'A1B2C3D4E5F6G7' };
  const first = await c.authorization('POST', '/v3/a?b=1', '{"x":1}', at);
  const later = await c.authorization('POST', '/v3/a?b=1', '{"x":1}', at);
  assert.equal(later, first);
  assert.ok(verified(later, 'POST\n/v3/a?b=1\n1624523846\nA1B2C3D4E5F6G7\n{"x":1}\n'));
  // 32 concurrent calls on a fresh client: some start before the import settles, some after.
  const fresh = client(emu);
  const hs = await Promise.all(Array.from({ length: 32 }, (_, i) => fresh.authorization('GET', `/v3/i/${i}`, '', { timestamp: 1700000000 + i, nonce: `N${i}` })));
  hs.forEach((h, i) => {
    assert.match(h, new RegExp(`^WECHATPAY2-SHA256-RSA2048 mchid="${emu.credentials.mchid}",nonce_str="N${i}",timestamp="${1700000000 + i}",serial_no="${emu.credentials.serial}",signature="[A-Za-z0-9+/]+={0,2}"$`));
    assert.ok(verified(h, `GET\n/v3/i/${i}\n${1700000000 + i}\nN${i}\n\n`), h);
  });
  // Argument errors are reported the same way on either path.
  for (const cl of [client(emu), c]) {
    await assert.rejects(cl.authorization('FETCH', '/v3/a'), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT' && /method/.test(e.message));
    await assert.rejects(cl.authorization('GET', 'v3/a'), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT');
    await assert.rejects(cl.authorization('GET', '/v3/a', '', { nonce: 'bad nonce' }), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT' && /nonce/.test(e.message));
    await assert.rejects(cl.authorization('GET', '/v3/a', '', { nonce: 'uuid-like_nonce' }), (e) => e.code === 'BAD_ARGUMENT' && /\[0-9A-Za-z\]/.test(e.message));
    for (const timestamp of [1e20, 2 ** 53, -1, 1.5, '1e9', '']) {
      await assert.rejects(cl.authorization('GET', '/v3/a', '', { timestamp }), (e) => e.code === 'BAD_ARGUMENT' && /timestamp: must be Unix seconds/.test(e.message), String(timestamp));
    }
    assert.match(await cl.authorization('GET', '/v3/a', '', { timestamp: 2 ** 53 - 1, nonce: 'N' }), /timestamp="9007199254740991"/);
  }
});

test('authorization(): WebCrypto failing to sign with an imported key is BAD_PRIVATE_KEY', async () => {
  const c = client(emu);
  await c.authorization('GET', '/v3/a'); // imports the key
  const { subtle } = globalThis.crypto;
  subtle.sign = () => Promise.reject(new DOMException('boom', 'OperationError'));
  try {
    const e = await rejection(c.authorization('GET', '/v3/a'));
    assert.ok(e instanceof WechatPayError, String(e));
    assert.equal(e.kind, 'config');
    assert.equal(e.code, 'BAD_PRIVATE_KEY');
    assert.match(e.message, /WebCrypto could not sign/);
  } finally {
    delete subtle.sign;
  }
  assert.match(await c.authorization('GET', '/v3/a'), /^WECHATPAY2-SHA256-RSA2048 /);
});

test('an error class whose constructor re-registers the class does not kill the instance', async () => {
  // The raw glue is the one the package entry loaded (same module URL, same instance).
  const glue = await import(new URL('../../pkg/wechatpay_wasm.js', import.meta.url));
  let built = 0;
  class Reentrant extends WechatPayError {
    constructor(...args) {
      super(...args);
      built += 1;
      glue.__setErrorClass(WechatPayError); // runs while the package builds this error
    }
  }
  glue.__setErrorClass(Reentrant);
  try {
    assert.throws(() => new Client({ mchid: 'x' }), (e) => e instanceof Reentrant && e.code === 'BAD_MCHID');
  } finally {
    glue.__setErrorClass(WechatPayError);
  }
  assert.equal(built, 1);
  // The instance still works.
  assert.throws(() => new Client({ mchid: 'y' }), (e) => e instanceof WechatPayError && !(e instanceof Reentrant));
  assert.ok((await client(emu).preEntrustSign(body(emu))).pre_entrustweb_id);
});
