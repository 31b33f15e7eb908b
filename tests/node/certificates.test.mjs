// Platform certificates on demand (issue 18 point 1): downloads counted at the emulator
// (its request log), rotation on its clock, tampered lists, public-key merchants, the
// shared cache; and a stand-in server whose list node:crypto encrypts and signs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createCipheriv, createSign, randomBytes } from 'node:crypto';
import { pkg, emulator, client, body, rejection } from './helpers.mjs';

const { WechatPayError } = pkg;

/** An emulator whose GET /v3/certificates requests are counted. */
async function counted(options = {}) {
  const seen = { downloads: 0 };
  const emu = await emulator({
    platformCert: true,
    signWith: 'certificate',
    ...options,
    log: (line) => { if (line.includes(' GET /v3/certificates ')) seen.downloads += 1; },
  });
  return { emu, seen };
}

/** A client holding no certificate, on the emulator's clock. */
const bare = (emu, extra = {}) => client(emu, { certs: {}, now: emu.now, ...extra });

test('a first download: empty certs, the answer signed with the platform certificate', async () => {
  const { emu, seen } = await counted();
  try {
    const c = bare(emu);
    const res = await c.preEntrustSign(body(emu));
    assert.match(res.pre_entrustweb_id, /\S/);
    assert.equal(seen.downloads, 1);
    const held = await c.refreshCertificates();
    assert.equal(seen.downloads, 2);
    assert.deepEqual(held.map((h) => h.serial_no), [emu.platformSerial]);
    const listed = emu.platformCertificates()[0];
    assert.equal(Date.parse(held[0].expire_time), Date.parse(listed.expire_time));
  } finally { await emu.close(); }
});

test('a notification signed with an unknown certificate downloads it, then verifies', async () => {
  const { emu, seen } = await counted();
  const sink = http.createServer((req, res) => { req.resume(); res.writeHead(204).end(); });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  try {
    const notify = `http://127.0.0.1:${sink.address().port}/notify`;
    const res = await client(emu).preEntrustSign(body(emu, { contract_notify_url: notify }));
    const signed = emu.sign(res.pre_entrustweb_id);
    const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: signed.contract_id }, 5000);
    assert.equal(rec.headers['wechatpay-serial'] ?? rec.headers['Wechatpay-Serial'], emu.platformSerial);
    const before = seen.downloads;
    const event = await bare(emu).parseNotification({ headers: rec.headers, body: rec.body });
    assert.equal(event.resource.contract_id, signed.contract_id);
    assert.equal(seen.downloads, before + 1);
  } finally { await emu.close(); await new Promise((r) => sink.close(r)); }
});

test('concurrent callers share one download', async () => {
  const { emu, seen } = await counted();
  try {
    const c = bare(emu);
    const all = await Promise.all(Array.from({ length: 6 }, () => c.preEntrustSign(body(emu))));
    assert.equal(all.length, 6);
    assert.equal(seen.downloads, 1);
  } finally { await emu.close(); }
});

test('a rotation without one failed call: calls every 12 h across the overlap', async () => {
  const { emu, seen } = await counted();
  try {
    const c = bare(emu);
    await c.preEntrustSign(body(emu));
    const first = emu.platformCertificates()[0];
    // To 12 days before the first certificate expires, then every 12 hours for 16 days.
    emu.advanceTime(Date.parse(first.expire_time) - 12 * 86400_000 - emu.now());
    const serials = new Set();
    for (let i = 0; i < 32; i += 1) {
      await c.preEntrustSign(body(emu)); // throws on any failure
      const signing = emu.platformCertificates().find((p) => p.signing);
      serials.add(signing.serial_no);
      emu.advanceTime(12 * 3600_000);
    }
    assert.equal(serials.size, 2, 'the emulator signed with both certificates');
    const held = (await c.refreshCertificates()).map((h) => h.serial_no);
    assert.ok(!held.includes(first.serial_no), 'the expired certificate is dropped');
    assert.equal(held.length, 1);
    assert.ok(seen.downloads >= 3 && seen.downloads <= 40, `downloads: ${seen.downloads}`);
  } finally { await emu.close(); }
});

test('a tampered certificate list is refused', async () => {
  const { emu, seen } = await counted();
  try {
    for (const fault of [
      { kind: 'badCertificate' },
      { kind: 'certificateSerialMismatch' },
      { kind: 'badSignature', path: '/v3/certificates' },
    ]) {
      emu.inject(fault);
      const e = await rejection(bare(emu).preEntrustSign(body(emu)));
      assert.ok(e instanceof WechatPayError, String(e));
      assert.equal(e.code, 'BAD_CERT_LIST', `${fault.kind}: ${e.message}`);
      assert.equal(e.kind, 'signature');
    }
    assert.equal(emu.faults.length, 0);
    assert.equal(seen.downloads, 3);
  } finally { await emu.close(); }
});

test('a public-key-only merchant gets the plain explanation, not a signature error', async () => {
  for (const noCertificates of ['notFound', 'empty']) {
    const { emu, seen } = await counted({ platformCert: false, signWith: 'request', noCertificates });
    try {
      const c = bare(emu);
      const e = await rejection(c.preEntrustSign(body(emu)));
      assert.equal(e.code, 'PUBLIC_KEY_MERCHANT', e.message);
      assert.equal(e.kind, 'config');
      assert.match(e.message, /uses WeChat Pay public keys.*certs under its id "PUB_KEY_ID_/);
      assert.equal(seen.downloads, 0, 'an answer signed with PUB_KEY_ID_... downloads nothing');
      const r = await rejection(c.refreshCertificates());
      assert.equal(r.code, 'PUBLIC_KEY_MERCHANT', `${noCertificates}: ${r.message}`);
      assert.equal(seen.downloads, 1);
    } finally { await emu.close(); }
  }
});

test('a failed download is not repeated within a minute', async () => {
  const { emu, seen } = await counted();
  try {
    const c = bare(emu);
    emu.inject({ kind: 'status500', path: '/v3/certificates' });
    const e = await rejection(c.preEntrustSign(body(emu)));
    assert.equal(e.kind, 'api');
    const again = await rejection(c.preEntrustSign(body(emu)));
    assert.equal(again.code, 'UNKNOWN_SERIAL');
    assert.match(again.message, /next one is tried in \d+ s/);
    // The emulated clock runs on with the real one: leave 10 s of real time for the calls
    // above (59 s left 1 s, and a loaded fresh-clone CI run on Node 24 took longer).
    emu.advanceTime(50_000);
    await rejection(c.preEntrustSign(body(emu)));
    assert.equal(seen.downloads, 1);
    emu.advanceTime(11_000);
    await c.preEntrustSign(body(emu));
    assert.equal(seen.downloads, 2);
  } finally { await emu.close(); }
});

test('certificateCache: a second client downloads nothing; a forged entry is ignored', async () => {
  const { emu, seen } = await counted();
  try {
    const store = new Map();
    const certificateCache = {
      get: async (key) => store.get(key) ?? null,
      set: async (key, value, ttl) => { assert.equal(ttl, 43200); store.set(key, value); },
    };
    await bare(emu, { certificateCache }).preEntrustSign(body(emu));
    assert.equal(seen.downloads, 1);
    const [[key, value]] = store;
    assert.equal(key, `wechatpay-wasm/certificates/${emu.credentials.mchid}`);
    assert.ok(!value.includes('BEGIN CERTIFICATE') && !value.includes(emu.credentials.apiv3Key));
    await bare(emu, { certificateCache }).preEntrustSign(body(emu));
    assert.equal(seen.downloads, 1, 'the second client used the cache');
    // The entry is untrusted: one whose certificate does not decrypt is not used.
    const entry = JSON.parse(value);
    const ct = entry.answer.data[0].encrypt_certificate;
    ct.ciphertext = (ct.ciphertext[0] === 'A' ? 'B' : 'A') + ct.ciphertext.slice(1);
    store.set(key, JSON.stringify(entry));
    await bare(emu, { certificateCache }).preEntrustSign(body(emu));
    assert.equal(seen.downloads, 2);
    const bad = await rejection(Promise.resolve().then(() => bare(emu, { certificateCache: {} })));
    assert.equal(bad.code, 'BAD_OPTION');
  } finally { await emu.close(); }
});

// A stand-in for WeChat Pay: node:crypto encrypts the fixture certificate with the APIv3 key
// and signs the answer with the fixture certificate's key.
const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const CERT = fixture('platform_cert.pem');
const KEY = fixture('merchant_pkcs1.pem');
const SERIAL = '5157F09EFDC096DE15EBE81A47057A72';

function encrypted(apiv3Key, text) {
  const nonce = randomBytes(6).toString('hex');
  const c = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce));
  c.setAAD(Buffer.from('certificate'));
  const ct = Buffer.concat([c.update(text, 'utf8'), c.final(), c.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext: ct.toString('base64') };
}

async function standIn(apiv3Key, { tamper = false } = {}) {
  const server = http.createServer((req, res) => {
    const enc = encrypted(apiv3Key, CERT);
    if (tamper) enc.ciphertext = Buffer.from(enc.ciphertext, 'base64').map((b, i) => (i === 0 ? b ^ 1 : b)).toString('base64');
    const text = JSON.stringify({ data: [{ serial_no: SERIAL, effective_time: '2026-11-27T07:06:41+08:00', expire_time: '2036-11-24T07:06:41+08:00', encrypt_certificate: enc }] });
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(KEY, 'base64');
    res.writeHead(200, {
      'content-type': 'application/json', 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce,
      'wechatpay-signature': signature, 'wechatpay-serial': SERIAL,
    });
    res.end(text);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

test('against node:crypto: a list it encrypted and signed is read; a flipped byte is refused', async () => {
  const emu = await emulator();
  const apiv3Key = 'A'.repeat(16) + 'b'.repeat(16);
  try {
    for (const crypto of ['webcrypto', 'rust']) {
      const ok = await standIn(apiv3Key);
      try {
        const c = client(emu, { certs: {}, apiv3Key, baseURL: ok.url, crypto });
        const held = await c.refreshCertificates();
        assert.deepEqual(held, [{ serial_no: SERIAL, effective_time: '2026-11-26T23:06:41.000Z', expire_time: '2036-11-23T23:06:41.000Z' }]);
      } finally { await ok.close(); }
      const bad = await standIn(apiv3Key, { tamper: true });
      try {
        const c = client(emu, { certs: {}, apiv3Key, baseURL: bad.url, crypto });
        const e = await rejection(c.refreshCertificates());
        assert.equal(e.code, 'BAD_CERT_LIST', e.message);
        assert.match(e.message, /does not decrypt/);
      } finally { await bad.close(); }
    }
  } finally { await emu.close(); }
});
