// The merchant key's check on first use (issue 19, the cold start): the first signature a
// client makes with its key is verified with the key's public half before its header is
// returned, and that verified signature is the header's: one RSA signature for the first
// call, not a probe's and then the call's. WebCrypto's `sign`/`verify`/`importKey` are
// watched on `SubtleCrypto.prototype` (this file runs in its own process); the headers are
// checked with node:crypto; the keys are made with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { pkg, rejection } from './helpers.mjs';

const { Client, WechatPayError } = pkg;
const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
const WECHAT = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
const options = (privateKey) => ({ mchid: '1900000001', serial: 'F5765756002FDD77', privateKey, certs: { PUB_KEY_ID_0114232134912410000000000000: WECHAT } });

const calls = [];
const proto = Object.getPrototypeOf(globalThis.crypto.subtle);
for (const name of ['importKey', 'sign', 'verify']) {
  const original = proto[name];
  proto[name] = function watched(...args) {
    // Copied now: the bytes may be views of wasm memory, reused once the call returns.
    const call = { name, args: args.map((a) => (ArrayBuffer.isView(a) ? Buffer.from(a) : a)) };
    calls.push(call);
    const p = original.apply(this, args);
    p.then((v) => { call.result = v; }, () => {});
    return p;
  };
}
const count = (name) => calls.filter((c) => c.name === name).length;

function merchant() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client = new Client(options(privateKey.export({ type: 'pkcs8', format: 'pem' })));
  return { client, publicKey };
}
const field = (header, name) => header.match(new RegExp(`${name}="([^"]*)"`))[1];
const message = (ts, nonce, body) => Buffer.from(`POST\n${PATH}\n${ts}\n${nonce}\n${body}\n`);

test('the first authorization signs once: the signature the key check verified is the header\'s', async () => {
  const { client, publicKey } = merchant();
  calls.length = 0;
  const body = '{"out_contract_code":"C1"}';
  const header = await client.authorization('POST', PATH, body, { timestamp: 1764403200, nonce: 'N1' });
  const sig = Buffer.from(field(header, 'signature'), 'base64');
  assert.ok(verify('sha256', message(1764403200, 'N1', body), publicKey, sig), 'the header verifies with node:crypto');
  assert.equal(count('importKey'), 2, 'the key and its public half');
  assert.equal(count('sign'), 1, 'one signature, the header\'s');
  assert.equal(count('verify'), 1, 'the check');
  const [check] = calls.filter((c) => c.name === 'verify');
  assert.equal(check.result, true);
  assert.deepEqual(Buffer.from(check.args[2]), sig, 'the check verified the header\'s signature');
  assert.deepEqual(check.args[3], message(1764403200, 'N1', body), 'over the header\'s message');
  // Afterwards: one sign per header, no more checks.
  calls.length = 0;
  const second = await client.authorization('POST', PATH, body, { timestamp: 1764403201, nonce: 'N2' });
  assert.ok(verify('sha256', message(1764403201, 'N2', body), publicKey, Buffer.from(field(second, 'signature'), 'base64')));
  assert.deepEqual([count('importKey'), count('sign'), count('verify')], [0, 1, 0]);
});

test('first calls made together: one check, each header its own signature', async () => {
  const { client, publicKey } = merchant();
  calls.length = 0;
  const headers = await Promise.all([1, 2, 3].map((i) => client.authorization('POST', PATH, `{"n":${i}}`, { timestamp: 1764403200 + i, nonce: `N${i}` })));
  headers.forEach((h, j) => {
    const i = j + 1;
    assert.ok(verify('sha256', message(1764403200 + i, `N${i}`, `{"n":${i}}`), publicKey, Buffer.from(field(h, 'signature'), 'base64')), `header ${i}`);
  });
  assert.deepEqual([count('importKey'), count('sign'), count('verify')], [2, 3, 1]);
});

test('a key whose numbers disagree is refused, no header, and again on the next call', async () => {
  // A changed modulus byte keeps the PKCS#8 structure valid (as in extra.test.mjs): the key
  // imports, its signature does not verify with its public half.
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  const line = pem.split('\n')[1];
  const damaged = pem.replace(line, line.slice(0, -4) + (line.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
  calls.length = 0;
  const client = new Client(options(damaged));
  for (let i = 0; i < 2; i++) {
    const e = await rejection(client.authorization('POST', PATH, '{}'));
    assert.ok(e instanceof WechatPayError, String(e));
    assert.equal(e.code, 'BAD_PRIVATE_KEY');
    // Refused by the check (Node 20, 22), or already by WebCrypto's import (Node 24 checks
    // the key's numbers there): the same code either way.
    assert.match(e.message, /the key's numbers do not agree|WebCrypto refused to import the key/);
  }
  assert.equal(count('sign'), count('verify'), 'every signature made was checked: none past the check');
});

// Replaces `SubtleCrypto.prototype[name]` (the watched one) for its next call only.
function once(name, replacement) {
  const watched = proto[name];
  proto[name] = function stubbed(...args) {
    proto[name] = watched;
    calls.push({ name, args, stubbed: true });
    return replacement.apply(this, args);
  };
  return () => { proto[name] = watched; };
}

test('a check that fails is refused with its message, no header, and not cached: the next call imports again', async () => {
  // Whatever Node's import accepts: the check is made to fail (verify resolves false once).
  const { client, publicKey } = merchant();
  calls.length = 0;
  const restore = once('verify', async () => false);
  try {
    const e = await rejection(client.authorization('POST', PATH, '{}'));
    assert.ok(e instanceof WechatPayError, String(e));
    assert.equal(e.code, 'BAD_PRIVATE_KEY');
    assert.match(e.message, /the key's numbers do not agree/);
  } finally {
    restore();
  }
  const imported = count('importKey');
  assert.equal(imported, 2);
  const header = await client.authorization('POST', PATH, '{}', { timestamp: 1764403200, nonce: 'N1' });
  assert.ok(verify('sha256', message(1764403200, 'N1', '{}'), publicKey, Buffer.from(field(header, 'signature'), 'base64')));
  assert.equal(count('importKey'), imported + 2, 'the failed check was not cached: the key is imported and checked again');
  assert.equal(count('verify'), 2);
});

test('a signature WebCrypto refuses on the first call is SIGN_FAILED\'s message, as on later calls, not an import refusal', async () => {
  const { client, publicKey } = merchant();
  const restore = once('sign', async () => { throw new DOMException('operation failed', 'OperationError'); });
  try {
    const e = await rejection(client.authorization('POST', PATH, '{}'));
    assert.ok(e instanceof WechatPayError, String(e));
    assert.equal(e.code, 'BAD_PRIVATE_KEY');
    assert.match(e.message, /WebCrypto could not sign with the key/);
  } finally {
    restore();
  }
  // Later: the same failure, the same message.
  const header = await client.authorization('POST', PATH, '{}', { timestamp: 1764403200, nonce: 'N1' });
  assert.ok(verify('sha256', message(1764403200, 'N1', '{}'), publicKey, Buffer.from(field(header, 'signature'), 'base64')));
  const restore2 = once('sign', async () => { throw new DOMException('operation failed', 'OperationError'); });
  try {
    const e = await rejection(client.authorization('POST', PATH, '{}'));
    assert.match(e.message, /WebCrypto could not sign with the key/);
  } finally {
    restore2();
  }
});

test('a verify WebCrypto refuses during the first call\'s check is SIGN_FAILED\'s message too', async () => {
  const { client } = merchant();
  const restore = once('verify', async () => { throw new DOMException('operation failed', 'OperationError'); });
  try {
    const e = await rejection(client.authorization('POST', PATH, '{}'));
    assert.equal(e.code, 'BAD_PRIVATE_KEY');
    assert.match(e.message, /WebCrypto could not sign with the key/);
  } finally {
    restore();
  }
  assert.match(await client.authorization('POST', PATH, '{}'), /^WECHATPAY2-SHA256-RSA2048 /);
});
