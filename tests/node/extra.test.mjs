// The extra module (wechatpay_wasm_extra_bg.wasm: the rsa/aes-gcm fallback and QR codes),
// as the package ships it: loaded on first use through the entry's loader. Cross-checked
// with node:crypto and the known-answer vector, and against the WebCrypto backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pkg, emulator, client, body, rejection } from './helpers.mjs';

const { Client, WechatPayError, qrCodeSvg } = pkg;
const root = new URL('../../', import.meta.url);
const vector = JSON.parse(readFileSync(new URL('tests/vectors/sha256withrsa-known-answer.json', root), 'utf8'));
const fixtures = JSON.parse(readFileSync(new URL('tests/fixtures/signed_answers.json', root), 'utf8'));
const KEY_ID = fixtures.notification.serial;

const vectorClient = (crypto, extra = {}) => new Client({
  mchid: vector.mchid,
  serial: vector.serial_no,
  privateKey: vector.private_key_pkcs8_pem,
  certs: { [KEY_ID]: vector.public_key_spki_pem },
  apiv3Key: fixtures.apiv3_key,
  crypto,
  ...extra,
});

let emu;
before(async () => { emu = await emulator(); });
after(async () => { await emu.close(); });

test('the known-answer vector and node:crypto: the extra module signs what they expect', async () => {
  // The vector signs the bare message "source" (node:crypto agrees, below); authorization()
  // signs request messages, so the extra module's signature over one is compared byte for
  // byte with node:crypto's (PKCS#1 v1.5 is deterministic). The native and wasm-pack tests
  // sign the vector's own message with the same rsa-crate signer.
  const pub = createPublicKey(vector.public_key_spki_pem);
  assert.ok(createVerify('RSA-SHA256').update(vector.message).verify(pub, vector.expected_signature, 'base64'));
  const c = vectorClient('rust');
  assert.equal(c.cryptoBackend, 'rust');
  const h = await c.authorization('GET', '/v3/certificates', '', { timestamp: 1554208460, nonce: '593BEC0C930BF1AFEB40B4A08C8FB242' });
  const sig = /signature="([^"]+)"/.exec(h)[1];
  const signed = 'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n';
  const { createSign } = await import('node:crypto');
  assert.equal(sig, createSign('RSA-SHA256').update(signed).sign(vector.private_key_pkcs8_pem, 'base64'),
    'RSA PKCS#1 v1.5 is deterministic: node:crypto gives the same bytes');
});

test('rsa crate (extra module) and WebCrypto signatures are byte-identical, and node:crypto verifies them', async () => {
  const rust = vectorClient('rust');
  const web = vectorClient('webcrypto');
  const pub = createPublicKey(vector.public_key_spki_pem);
  for (let i = 0; i < 40; i++) {
    const text = JSON.stringify({ n: i, pad: randomBytes(i * 7).toString('base64'), s: '代扣' });
    const nonce = randomBytes(16).toString('hex');
    const ts = 1_700_000_000 + i;
    const [a, b] = await Promise.all([
      rust.authorization('POST', `/v3/x?i=${i}`, text, { timestamp: ts, nonce }),
      web.authorization('POST', `/v3/x?i=${i}`, text, { timestamp: ts, nonce }),
    ]);
    assert.equal(a, b, `message ${i}`);
    const sig = /signature="([^"]+)"/.exec(a)[1];
    const message = `POST\n/v3/x?i=${i}\n${ts}\n${nonce}\n${text}\n`;
    assert.ok(createVerify('RSA-SHA256').update(message).verify(pub, sig, 'base64'), `node:crypto verifies message ${i}`);
  }
});

test('the extra module verifies answers and decrypts notifications like WebCrypto does', async () => {
  const n = fixtures.notification;
  const headers = {
    'Wechatpay-Timestamp': n.timestamp,
    'Wechatpay-Nonce': n.nonce,
    'Wechatpay-Signature': n.signature,
    'Wechatpay-Serial': n.serial,
  };
  const now = () => Number(n.timestamp) * 1000;
  const events = [];
  for (const crypto of ['rust', 'webcrypto']) {
    const c = vectorClient(crypto, { now });
    events.push(await c.parseNotification({ headers, body: n.body }));
    // One changed byte of the body: refused by the signature check.
    const e = await rejection(c.parseNotification({ headers, body: n.body.replace('ENTRUST', 'ENTRUSU') }));
    assert.equal(e.code, 'BAD_SIGNATURE', `${crypto}: ${e.message}`);
  }
  assert.deepEqual(events[0], events[1]);
  assert.equal(events[0].event_type, 'ENTRUST.SIGN');
  assert.equal(typeof events[0].resource.contract_id, 'string');
  // Against the emulator: the rust client's answer is verified by the extra module.
  const res = await client(emu, { crypto: 'rust' }).preEntrustSign(body(emu));
  assert.ok(emu.contracts.get(res.pre_entrustweb_id));
  emu.inject({ kind: 'badSignature' });
  const bad = await rejection(client(emu, { crypto: 'rust' }).preEntrustSign(body(emu)));
  assert.equal(bad.code, 'BAD_SIGNATURE', bad.message);
});

test('a wrong APIv3 key fails decryption in both backends with DECRYPT_FAILED', async () => {
  const n = fixtures.notification;
  const headers = { 'wechatpay-timestamp': n.timestamp, 'wechatpay-nonce': n.nonce, 'wechatpay-signature': n.signature, 'wechatpay-serial': n.serial };
  for (const crypto of ['rust', 'webcrypto']) {
    const c = vectorClient(crypto, { now: () => Number(n.timestamp) * 1000, apiv3Key: 'x'.repeat(32) });
    const e = await rejection(c.parseNotification({ headers, body: n.body }));
    assert.equal(e.code, 'DECRYPT_FAILED', `${crypto}: ${e.message}`);
    assert.ok(!e.message.includes('x'.repeat(32)));
  }
});

test('a private key whose numbers disagree fails on first use with BAD_PRIVATE_KEY, and nothing is sent', async () => {
  // A changed modulus byte keeps the PKCS#8 structure valid: construction succeeds (the
  // structure is all that can be checked without arithmetic), the first signature does not.
  const pem = emu.credentials.privateKey;
  const line = pem.split('\n')[1];
  const damaged = pem.replace(line, line.slice(0, -4) + (line.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
  for (const crypto of ['webcrypto', 'rust']) {
    const before = emu.contracts.size;
    const c = client(emu, { privateKey: damaged, crypto });
    const e = await rejection(c.preEntrustSign(body(emu)));
    assert.ok(e instanceof WechatPayError, String(e));
    assert.equal(e.kind, 'config');
    assert.equal(e.code, 'BAD_PRIVATE_KEY', e.message);
    assert.ok(!e.message.includes(line.slice(0, 16)), 'no key material');
    assert.equal(emu.contracts.size, before, 'nothing reached the emulator');
    // Reported again on the next call, not cached as a success.
    assert.equal((await rejection(c.authorization('GET', '/v3/x'))).code, 'BAD_PRIVATE_KEY');
  }
});

test('qrCodeSvg renders in the extra module; bad arguments reject with BAD_ARGUMENT', async () => {
  const svg = await qrCodeSvg('https://example.test/sign?id=1', 200);
  assert.match(svg, /^<svg [^>]*viewBox="0 0 (\d+) \1"/);
  assert.match(svg, /<path [^>]*d="M/);
  await assert.rejects(qrCodeSvg(undefined), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT');
  await assert.rejects(qrCodeSvg('x', -1), (e) => e instanceof WechatPayError && /size/.test(e.message));
  await assert.rejects(qrCodeSvg('x'.repeat(8000)), (e) => e instanceof WechatPayError && e.code === 'BAD_ARGUMENT');
});

test('without a loader (the raw glue), the fallback reports EXTRA_UNAVAILABLE instead of failing obscurely', async () => {
  const require = createRequire(import.meta.url);
  const dir = new URL('./', `file://${require.resolve('wechatpay-wasm/package.json')}`);
  const raw = await import(new URL('wechatpay_wasm.js', dir).href + '?raw');
  raw.initSync({ module: readFileSync(new URL('wechatpay_wasm_bg.wasm', dir)) });
  const c = new raw.Client({ ...emu.credentials, baseURL: emu.url, crypto: 'rust' });
  const e = await rejection(c.authorization('GET', '/v3/x'));
  assert.equal(e.code, 'EXTRA_UNAVAILABLE', e.message);
  assert.match(e.message, /wechatpay_wasm_extra_bg\.wasm/);
  await assert.rejects(raw.qrCodeSvg('x'), (err) => err.code === 'EXTRA_UNAVAILABLE');
  // The package's own instance is unaffected.
  assert.match(await qrCodeSvg('x'), /<svg/);
});

test('a call into the extra module that throws (a trap) rejects with EXTRA_UNAVAILABLE; the instance lives on', async () => {
  // A separate instance of the raw glue, with a loader that hands it a stand-in for the extra
  // module whose verify / aesGcmDecrypt throw as a trapped wasm call does.
  const require = createRequire(import.meta.url);
  const dir = new URL('./', `file://${require.resolve('wechatpay-wasm/package.json')}`);
  const raw = await import(new URL('wechatpay_wasm.js', dir).href + '?trap');
  raw.initSync({ module: readFileSync(new URL('wechatpay_wasm_bg.wasm', dir)) });
  raw.__setErrorClass(WechatPayError);
  const trap = () => { throw new WebAssembly.RuntimeError('unreachable'); };
  let verify = trap;
  raw.__setExtraLoader(async () => ({
    rsaVerifier: () => ({ verify: (...a) => verify(...a) }),
    aesGcmDecrypt: trap,
  }));
  const n = fixtures.notification;
  const headers = { 'wechatpay-timestamp': n.timestamp, 'wechatpay-nonce': n.nonce, 'wechatpay-signature': n.signature, 'wechatpay-serial': n.serial };
  const c = new raw.Client({
    mchid: vector.mchid, serial: vector.serial_no, privateKey: vector.private_key_pkcs8_pem,
    certs: { [KEY_ID]: vector.public_key_spki_pem }, apiv3Key: fixtures.apiv3_key, crypto: 'rust',
    now: () => Number(n.timestamp) * 1000,
  });
  // Settles, or says it hung: an uncaught throw inside the futures executor hangs every later
  // promise of the instance.
  const settled = (p) => Promise.race([p.then((v) => v, (e) => e),
    new Promise((resolve) => { setTimeout(resolve, 5000, 'hung').unref(); })]);
  for (const step of ['verify', 'decrypt']) {
    if (step === 'decrypt') verify = () => true;
    const e = await settled(c.parseNotification({ headers, body: n.body }));
    assert.ok(e instanceof WechatPayError, `${step}: ${e}`);
    assert.equal(e.code, 'EXTRA_UNAVAILABLE', e.message);
    assert.match(e.message, /failed: unreachable/);
  }
  // The instance still answers: a header from WebCrypto on a second client of it.
  const h = await settled(new raw.Client({ ...emu.credentials, baseURL: emu.url }).authorization('GET', '/v3/x'));
  assert.match(h, /^WECHATPAY2-SHA256-RSA2048 /);
});
