// Notifications end to end: the emulator posts ENTRUST.SIGN to a test server, which verifies
// and decrypts it with parseNotification and answers with notificationReply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createDecipheriv } from 'node:crypto';
import { pkg, emulator, client, body, rejection } from './helpers.mjs';

const { Client, WechatPayError, notificationReply } = pkg;

let emu;
let server;
let notifyUrl;
const received = [];

before(async () => {
  emu = await emulator({ probe: true, platformCert: true });
  const c = client(emu);
  server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      let reply;
      try {
        const event = await c.parseNotification({ headers: req.headers, body: raw });
        received.push({ ok: true, event });
        reply = notificationReply();
      } catch (e) {
        received.push({ ok: false, error: e });
        reply = notificationReply(e);
      }
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  notifyUrl = `http://127.0.0.1:${server.address().port}/wechatpay/notify`;
});
after(async () => {
  await emu.close();
  await new Promise((r) => server.close(r));
});

test('QR flow: the ENTRUST.SIGN notification is verified, decrypted and matches the contract; the probe is rejected', async () => {
  const b = body(emu, { contract_notify_url: notifyUrl });
  const res = await client(emu).preEntrustSign(b);
  const signed = emu.sign(res.pre_entrustweb_id);
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: signed.contract_id }, 5000);
  assert.equal(rec.status, 204);
  const ok = received.find((r) => r.ok && r.event.resource.contract_id === signed.contract_id);
  assert.ok(ok, 'the handler accepted the notification');
  const { event } = ok;
  assert.equal(event.event_type, 'ENTRUST.SIGN');
  assert.equal(event.resource_type, 'encrypt-resource');
  assert.match(event.id, /\S/);
  const r = event.resource;
  assert.equal(r.contract_state, 'SIGNED');
  assert.equal(r.out_contract_code, b.out_contract_code);
  assert.equal(r.plan_id, b.plan_id);
  assert.equal(r.mchid, emu.credentials.mchid);
  assert.equal(r.appid, b.appid);
  assert.equal(r.contract_display_account, b.contract_display_account);
  assert.equal(r.contract_id, signed.contract_id);
  // The probe came first and was refused with 401 and the FAIL shape.
  const probe = emu.notifications.find((n) => n.probe && n.contract_id === signed.contract_id);
  assert.ok(probe);
  assert.equal(probe.status, 401);
  assert.equal(JSON.parse(probe.response).code, 'FAIL');
  const refused = received.find((x) => !x.ok && /probe/.test(x.error.message));
  assert.ok(refused, 'the probe was rejected with a message saying it is a probe');
  assert.equal(refused.error.kind, 'signature');
  assert.equal(refused.error.code, 'BAD_SIGNATURE');
});

async function oneNotification() {
  const res = await client(emu).preEntrustSign(body(emu, { contract_notify_url: notifyUrl }));
  const signed = emu.sign(res.pre_entrustweb_id);
  return emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: signed.contract_id }, 5000);
}

const H = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'];
function lower(headers) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
function flip(s, i) {
  const c = s.charCodeAt(i);
  const repl = c === 0x41 ? 'B' : 'A';
  return s.slice(0, i) + repl + s.slice(i + 1);
}

test('the event is the body as sent, key order kept, with resource replaced by what node:crypto decrypts', async () => {
  const rec = await oneNotification();
  // Twice on one client: the first call imports the APIv3 key and decrypts after verifying;
  // later calls decrypt while the signature is being verified.
  const c = client(emu);
  const events = [];
  for (let i = 0; i < 2; i++) events.push(await c.parseNotification({ headers: lower(rec.headers), body: rec.body }));
  const expected = JSON.parse(rec.body);
  const { ciphertext, nonce, associated_data: aad, algorithm } = expected.resource;
  assert.equal(algorithm, 'AEAD_AES_256_GCM');
  const sealed = Buffer.from(ciphertext, 'base64');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(emu.credentials.apiv3Key), Buffer.from(nonce));
  d.setAAD(Buffer.from(aad ?? ''));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const plain = Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]).toString();
  expected.resource = JSON.parse(plain);
  for (const event of events) {
    assert.deepStrictEqual(event, expected);
    assert.deepStrictEqual(Object.keys(event), Object.keys(JSON.parse(rec.body)));
    assert.deepStrictEqual(Object.keys(event.resource), Object.keys(JSON.parse(plain)));
  }
});

test('every single-byte change to body, signature, timestamp, nonce and serial is rejected', async () => {
  const rec = await oneNotification();
  const c = client(emu);
  const headers = lower(rec.headers);
  // Sanity: the record itself parses, as a string, as bytes, with a Headers object.
  assert.equal((await c.parseNotification({ headers, body: rec.body })).event_type, 'ENTRUST.SIGN');
  assert.equal((await c.parseNotification({ headers: new Headers(headers), body: new TextEncoder().encode(rec.body) })).event_type, 'ENTRUST.SIGN');
  let tried = 0;
  const bodyBytes = Buffer.from(rec.body);
  for (let i = 0; i < bodyBytes.length; i++) {
    const b = Buffer.from(bodyBytes);
    b[i] ^= 0x01;
    // BAD_SIGNATURE, never what the altered body would give after it (BAD_NOTIFICATION,
    // DECRYPT_FAILED): this client decrypts while it verifies.
    const e = await rejection(c.parseNotification({ headers, body: b }));
    assert.ok(e instanceof WechatPayError && e.code === 'BAD_SIGNATURE', `body byte ${i}: ${e}`);
    tried++;
  }
  for (const name of H) {
    for (let i = 0; i < headers[name].length; i++) {
      const h = { ...headers, [name]: flip(headers[name], i) };
      const e = await rejection(c.parseNotification({ headers: h, body: rec.body }));
      assert.ok(e instanceof WechatPayError && e.kind === 'signature', `${name}[${i}]: ${e}`);
      tried++;
    }
  }
  assert.ok(tried > 500, `${tried} variants`);
});

test('missing headers, skew of 301 s, unknown id: precise codes', async () => {
  const rec = await oneNotification();
  const headers = lower(rec.headers);
  const ts = Number(headers['wechatpay-timestamp']) * 1000;
  for (const name of H) {
    const h = { ...headers };
    delete h[name];
    const e = await rejection(client(emu).parseNotification({ headers: h, body: rec.body }));
    assert.equal(e.code, 'MISSING_HEADER', name);
  }
  const at = (ms) => client(emu, { now: () => ms });
  assert.equal((await at(ts + 300_000).parseNotification({ headers, body: rec.body })).event_type, 'ENTRUST.SIGN');
  assert.equal((await rejection(at(ts + 301_000).parseNotification({ headers, body: rec.body }))).code, 'TIMESTAMP_SKEW');
  assert.equal((await rejection(at(ts - 301_000).parseNotification({ headers, body: rec.body }))).code, 'TIMESTAMP_SKEW');
  const e = await rejection(client(emu).parseNotification({ headers: { ...headers, 'wechatpay-serial': 'PUB_KEY_ID_99' }, body: rec.body }));
  assert.equal(e.code, 'UNKNOWN_SERIAL');
  assert.equal(e.serial, 'PUB_KEY_ID_99');
  assert.match(e.message, /PUB_KEY_ID_99/);
});

test('wrong APIv3 key: DECRYPT_FAILED, saying the key or the body is wrong', async () => {
  const rec = await oneNotification();
  const c = client(emu, { apiv3Key: 'A'.repeat(32) });
  // The first call imports the key; the second decrypts while it verifies.
  for (let i = 0; i < 2; i++) {
    const e = await rejection(c.parseNotification({ headers: rec.headers, body: rec.body }));
    assert.equal(e.kind, 'signature');
    assert.equal(e.code, 'DECRYPT_FAILED');
    assert.match(e.message, /APIv3 key/);
  }
});

test('a re-serialised body (the classic mistake) is rejected', async () => {
  const rec = await oneNotification();
  const reserialised = JSON.stringify(JSON.parse(rec.body), null, 1);
  const e = await rejection(client(emu).parseNotification({ headers: rec.headers, body: reserialised }));
  assert.equal(e.code, 'BAD_SIGNATURE');
});

test('public key and platform certificate together: each selected by its id', async () => {
  assert.ok(emu.platformSerial, 'emulator issued a platform certificate');
  const ids = Object.keys(emu.credentials.certs);
  assert.equal(ids.length, 2, ids.join());
  const both = client(emu);
  // A merchant still on certificates: its requests name the certificate serial, so answers
  // and notifications come signed under the certificate.
  const certOnly = client(emu, { certs: { [emu.platformSerial]: emu.credentials.certs[emu.platformSerial] } });
  const res = await certOnly.preEntrustSign(body(emu, { contract_notify_url: notifyUrl }));
  const signed = emu.sign(res.pre_entrustweb_id);
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: signed.contract_id }, 5000);
  assert.equal(lower(rec.headers)['wechatpay-serial'], emu.platformSerial);
  assert.equal((await both.parseNotification({ headers: rec.headers, body: rec.body })).resource.contract_id, signed.contract_id);
  const viaKey = await oneNotification();
  assert.match(lower(viaKey.headers)['wechatpay-serial'], /^PUB_KEY_ID_/);
  assert.ok((await both.parseNotification({ headers: viaKey.headers, body: viaKey.body })).resource.contract_id);
  // Cert-only client refuses the public-key-signed one, naming the id: with apiv3Key, as the
  // plain explanation that the merchant now has a public key to pass in certs (issue 18).
  const e = await rejection(certOnly.parseNotification({ headers: viaKey.headers, body: viaKey.body }));
  assert.equal(e.code, 'PUBLIC_KEY_MERCHANT');
  assert.ok(e.message.includes(lower(viaKey.headers)['wechatpay-serial'].slice(0, 40)), e.message);
});

test('a certificate configured under the wrong id, or expired with no other key, is a config error', () => {
  const pem = emu.credentials.certs[emu.platformSerial];
  assert.throws(() => client(emu, { certs: { ABCDEF: pem } }), (e) => e.kind === 'config' && e.code === 'CERT_SERIAL_MISMATCH');
  assert.throws(() => client(emu, { now: () => Date.UTC(2100, 0, 1), certs: { [emu.platformSerial]: pem } }), (e) => e.kind === 'config' && e.code === 'CERT_EXPIRED');
  // Beside a usable key, an expired certificate does not stop construction (a migration's old
  // certificate expiring must not stop a restart); answers it signs are refused with
  // CERT_EXPIRED at verification (native test a_certificate_verifies_only_within_its_validity).
  const later = client(emu, { now: () => Date.UTC(2100, 0, 1) });
  assert.deepEqual(Object.keys(emu.credentials.certs).sort(), [emu.platformSerial, Object.keys(emu.credentials.certs).find((k) => k.startsWith('PUB_KEY_ID_'))].sort());
  assert.equal(typeof later.preEntrustSign, 'function');
  // A certificate not valid yet, and no other key: its error.
  assert.throws(() => client(emu, { now: () => Date.UTC(1990, 0, 1), certs: { [emu.platformSerial]: pem } }), (e) => e.code === 'CERT_EXPIRED' && /not valid before/.test(e.message));
  assert.ok(client(emu, { certs: { [emu.platformSerial.toLowerCase()]: pem } }), 'id compared ignoring case');
});

test('ENTRUST.TERMINATE is parsed too', async () => {
  const res = await client(emu).preEntrustSign(body(emu, { contract_notify_url: notifyUrl }));
  const signed = emu.sign(res.pre_entrustweb_id);
  await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: signed.contract_id }, 5000);
  emu.terminate(signed.contract_id);
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: signed.contract_id }, 5000);
  const ev = await client(emu).parseNotification({ headers: rec.headers, body: rec.body });
  assert.equal(ev.event_type, 'ENTRUST.TERMINATE');
  assert.equal(ev.resource.contract_state, 'TERMINATED');
  assert.ok(ev.resource.contract_terminate_info);
});

test('notificationReply shapes', () => {
  assert.deepEqual(notificationReply(), { status: 204, headers: {}, body: '' });
  const r = notificationReply(new Error('boom'));
  assert.equal(r.status, 500);
  assert.deepEqual(JSON.parse(r.body), { code: 'FAIL', message: 'the notification could not be processed' });
  assert.equal(r.headers['Content-Type'], 'application/json');
});

test('apiv3Key missing: parseNotification says so', async () => {
  const { apiv3Key, ...rest } = emu.credentials;
  const c = new Client({ ...rest, baseURL: emu.url });
  const e = await rejection(c.parseNotification({ headers: {}, body: '' }));
  assert.equal(e.code, 'BAD_APIV3_KEY');
  assert.ok(apiv3Key);
});
