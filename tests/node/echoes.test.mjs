// What a sender or a misplaced secret puts in is not echoed back in full (issue 17, point 5):
// an attacker's Wechatpay-Serial (3 KB in the review) was quoted whole in the error, in its
// `serial` and in notificationReply's body; a bad `crypto` option value (a key pasted there)
// was quoted whole in the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg, rejection } from './helpers.mjs';

const { Client, WechatPayError, notificationReply } = pkg;

const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiv3Key = randomBytes(16).toString('hex');
const pem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' });
const options = (extra = {}) => ({
  mchid: '1900000001', serial: 'F5765756002FDD77', apiv3Key, privateKey: pem,
  certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) }, ...extra,
});

test('a 3 KB Wechatpay-Serial is quoted by its first 64 characters, and notificationReply echoes none of it', async () => {
  const serial = `PUB_KEY_ID_${'Z'.repeat(3000)}<script>`;
  const body = '{"id":"EV-1"}';
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${body}\n`).sign(wechat.privateKey, 'base64');
  const headers = { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': serial };
  const e = await rejection(new Client(options()).parseNotification({ headers, body }));
  assert.ok(e instanceof WechatPayError, String(e));
  assert.equal(e.code, 'UNKNOWN_SERIAL');
  assert.equal(e.serial, serial.slice(0, 64));
  assert.ok(e.message.includes(`"${serial.slice(0, 64)}"... (cut)`), e.message);
  assert.ok(e.message.length < 400, `${e.message.length} characters`);
  const reply = notificationReply(e);
  assert.equal(reply.status, 401);
  assert.deepEqual(JSON.parse(reply.body), { code: 'FAIL', message: 'the notification did not verify' });
});

test('notificationReply sends a fixed message, never the error\'s own', () => {
  const detail = 'internal: db password is hunter2';
  for (const [error, status] of [[new Error(detail), 500], [detail, 500], [new WechatPayError('signature', 'BAD_SIGNATURE', detail), 401]]) {
    const r = notificationReply(error);
    assert.equal(r.status, status);
    assert.ok(!r.body.includes('hunter2'), r.body);
    assert.equal(JSON.parse(r.body).code, 'FAIL');
  }
});

test('a bad crypto option is quoted only when short: a key pasted there stays out of the message', () => {
  const bad = (crypto) => {
    try {
      new Client(options({ crypto }));
    } catch (e) {
      assert.equal(e.code, 'BAD_OPTION', e.message);
      return e.message;
    }
    throw new Error('expected a throw');
  };
  assert.match(bad('WebCrypto'), /"WebCrypto"/);
  const m1 = bad(pem);
  for (const line of pem.split('\n').filter((l) => l && !l.startsWith('-----'))) assert.ok(!m1.includes(line.slice(0, 16)), m1);
  assert.ok(!m1.includes('BEGIN'), m1);
  const m2 = bad(apiv3Key);
  assert.ok(!m2.includes(apiv3Key.slice(0, 8)), m2);
  assert.match(m2, /a string of 32 characters/);
});
