// parseNotification does no work for an unverified sender (issue 17, point 4): a body over
// 64 KiB is refused before it is copied into wasm memory (a 40 MB post grew the memory to
// about 200 MB, which never shrinks), and the signature over the raw body is checked before
// anything of the body is parsed, decoded or decrypted. Notifications signed and sealed with
// node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg, rejection } from './helpers.mjs';

const { Client, WechatPayError } = pkg;
const pkgDir = new URL('./', import.meta.resolve('wechatpay-wasm'));
// The glue's initSync, called once the module is loaded, returns its exports (memory).
const { memory } = (await import(new URL('wechatpay_wasm.js', pkgDir))).initSync({ module: new Uint8Array(0) });

const LIMIT = 65536;
const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiv3Key = randomBytes(16).toString('hex');
const client = (crypto = 'auto') => new Client({
  mchid: '1900000001', serial: 'F5765756002FDD77', apiv3Key, crypto,
  privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) },
});

function signed(body) {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${body}\n`).sign(wechat.privateKey, 'base64');
  return { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID };
}

function sealedBody() {
  const resource = JSON.stringify({ mchid: '1900000001', contract_id: 'Wx1', appid: 'wxd678efh567hg6787', plan_id: 1, out_contract_code: 'c1', contract_state: 'SIGNED', openid: 'o1' });
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from('entrust'));
  const ciphertext = Buffer.concat([cipher.update(resource), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return JSON.stringify({ id: 'EV-1', create_time: '2026-11-27T10:00:01+08:00', resource_type: 'encrypt-resource', event_type: 'ENTRUST.SIGN', summary: 's', resource: { original_type: 'entrust', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'entrust', nonce } });
}

test('a 40 MB unsigned body is refused with BAD_NOTIFICATION, and wasm memory does not grow', async () => {
  const c = client();
  // Warm: the first call may grow the memory for reasons of its own.
  await rejection(c.parseNotification({ headers: {}, body: '{}' }));
  const big = `{"id":"${'x'.repeat(40 * 1024 * 1024)}"}`;
  const bigBytes = Buffer.from(big);
  const before = memory.buffer.byteLength;
  for (const body of [big, bigBytes, bigBytes.buffer.slice(bigBytes.byteOffset, bigBytes.byteOffset + bigBytes.length), new DataView(bigBytes.buffer, bigBytes.byteOffset, bigBytes.length)]) {
    for (const headers of [{}, signed('{}')]) {
      const e = await rejection(c.parseNotification({ headers, body }));
      assert.ok(e instanceof WechatPayError, String(e));
      assert.equal(e.kind, 'signature');
      assert.equal(e.code, 'BAD_NOTIFICATION');
      assert.match(e.message, /over 65536 bytes/);
    }
  }
  assert.equal(memory.buffer.byteLength, before, `wasm memory grew from ${before} to ${memory.buffer.byteLength} bytes`);
});

test('the limit is 65536 bytes of the body as received, in UTF-8', async () => {
  const c = client();
  const at = (n) => `{"a":"${'x'.repeat(n - 8)}"}`;
  assert.equal(at(LIMIT).length, LIMIT);
  // At the limit the size passes and the missing signature is what is refused.
  for (const body of [at(LIMIT), Buffer.from(at(LIMIT))]) {
    assert.equal((await rejection(c.parseNotification({ headers: {}, body }))).code, 'MISSING_HEADER');
  }
  for (const body of [at(LIMIT + 1), Buffer.from(at(LIMIT + 1)), `"${'微'.repeat(30000)}"`]) {
    // '微' is 3 bytes of UTF-8: 30002 UTF-16 units, 90002 bytes.
    assert.equal((await rejection(c.parseNotification({ headers: signed(String(body)), body }))).code, 'BAD_NOTIFICATION');
  }
});

test('nothing is decrypted before the signature verifies: a forged notification never reaches AES-GCM', async () => {
  const subtle = globalThis.crypto.subtle;
  const realDecrypt = subtle.decrypt;
  let decrypts = 0;
  subtle.decrypt = function (...args) { decrypts += 1; return realDecrypt.apply(this, args); };
  try {
    const c = client('webcrypto');
    const body = sealedBody();
    // A valid one first: the AES key is imported and decryption is counted.
    const ev = await c.parseNotification({ headers: signed(body), body });
    assert.equal(ev.resource.contract_state, 'SIGNED');
    assert.equal(decrypts, 1);
    // Signed over another body: BAD_SIGNATURE, and no decryption was started.
    for (let i = 0; i < 3; i++) {
      const e = await rejection(c.parseNotification({ headers: signed(`${body} `), body }));
      assert.equal(e.code, 'BAD_SIGNATURE', e.message);
    }
    assert.equal(decrypts, 1, 'decryptions started for forged notifications');
  } finally {
    subtle.decrypt = realDecrypt;
  }
});
