// GET /v3/certificates and the rotation of platform certificates (wechatpay-apiv3.md
// section 5), checked as a merchant's SDK would with node:crypto: decrypt each certificate
// with the APIv3 key, compare serials, verify the answer with a listed certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { start } from './helpers/fixture.mjs';
import { apiCall, decryptResource, rawRequest, startReceiver, validBody } from './helpers/client.mjs';

const DAY = 86400_000;
const CERTS = '/v3/certificates';

/** A signed call stamped with the emulator's clock (which advanceTime moves). */
const call = (emu, opts = {}) => apiCall(emu, { method: 'GET', path: CERTS, ...opts, sign: { timestamp: Math.floor(emu.now() / 1000), ...(opts.sign ?? {}) } });

function decryptCert(entry, apiv3Key) {
  const e = entry.encrypt_certificate;
  assert.equal(e.algorithm, 'AEAD_AES_256_GCM');
  assert.equal(e.associated_data, 'certificate');
  const all = Buffer.from(e.ciphertext, 'base64');
  const d = crypto.createDecipheriv('aes-256-gcm', Buffer.from(apiv3Key, 'utf8'), Buffer.from(e.nonce, 'utf8'));
  d.setAAD(Buffer.from(e.associated_data, 'utf8'));
  d.setAuthTag(all.subarray(all.length - 16));
  return Buffer.concat([d.update(all.subarray(0, all.length - 16)), d.final()]).toString('utf8');
}

/** Verifies an answer (or a notification) with the certificate its serial names. */
function verifyWith(pemBySerial, headers, raw, nowMs) {
  const pem = pemBySerial[headers['wechatpay-serial']];
  if (!pem) return `unknown serial ${headers['wechatpay-serial']}`;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(headers['wechatpay-timestamp'])) > 300) return 'stale timestamp';
  const msg = Buffer.concat([Buffer.from(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n`), Buffer.from(raw), Buffer.from('\n')]);
  const ok = crypto.verify('sha256', msg, { key: new crypto.X509Certificate(pem).publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(headers['wechatpay-signature'], 'base64'));
  return ok ? 'ok' : 'bad signature';
}

/** Downloads, decrypts and checks the list; returns { serial: pem } and the answer. */
async function download(emu) {
  const res = await call(emu);
  assert.equal(res.status, 200, res.text);
  const pems = {};
  for (const entry of res.json.data) {
    const pem = decryptCert(entry, emu.credentials.apiv3Key);
    const x = new crypto.X509Certificate(pem);
    assert.equal(x.serialNumber, entry.serial_no);
    assert.equal(Date.parse(x.validFrom), Date.parse(entry.effective_time));
    assert.equal(Date.parse(x.validTo), Date.parse(entry.expire_time));
    pems[entry.serial_no] = pem;
  }
  // the answer is signed by one of the certificates it carries
  assert.equal(verifyWith(pems, res.headers, res.raw, emu.now()), 'ok');
  return { pems, res };
}

test('GET /v3/certificates: the platform certificate, encrypted with the APIv3 key, the answer signed by it', async () => {
  const emu = await start({ platformCert: true });
  try {
    const { pems, res } = await download(emu);
    assert.deepEqual(Object.keys(pems), [emu.platformSerial]);
    assert.equal(pems[emu.platformSerial], emu.credentials.certs[emu.platformSerial]);
    assert.equal(res.headers['wechatpay-serial'], emu.platformSerial);
    const unsigned = await rawRequest(emu.url, { path: CERTS, headers: { Accept: 'application/json', 'User-Agent': 't' } });
    assert.equal(unsigned.status, 401);
  } finally { await emu.close(); }
});

test('a public-key-only merchant: 404 RESOURCE_NOT_EXISTS, or an empty list when asked for', async () => {
  const emu = await start();
  const empty = await start({ noCertificates: 'empty' });
  try {
    const res = await call(emu);
    assert.equal(res.status, 404);
    assert.equal(res.json.code, 'RESOURCE_NOT_EXISTS');
    assert.match(res.json.message, /public key/);
    const e = await call(empty);
    assert.equal(e.status, 200);
    assert.deepEqual(e.json, { data: [] });
    assert.equal(e.headers['wechatpay-serial'], empty.wechatpaySerial);
  } finally { await emu.close(); await empty.close(); }
});

test('rotation: the successor is listed a day before it signs, both overlap, the old one drops off when it expires', async () => {
  const rx = await startReceiver();
  const emu = await start({ platformCert: true });
  try {
    const old = emu.platformSerial;
    const oldExpiry = Date.parse(new crypto.X509Certificate(emu.credentials.certs[old]).validTo);
    // 10 days before expiry, plus an hour: the successor is listed, not yet used
    emu.advanceTime(oldExpiry - 10 * DAY + 3600_000 - emu.now());
    const listed = await download(emu);
    const serials = Object.keys(listed.pems);
    assert.equal(serials.length, 2);
    const next = serials.find((s) => s !== old);
    assert.equal(listed.res.headers['wechatpay-serial'], old, 'still signed with the old one');
    const nx = new crypto.X509Certificate(listed.pems[next]);
    assert.ok(Date.parse(nx.validFrom) <= emu.now() && emu.now() < Date.parse(nx.validTo));
    // a day later WeChat Pay signs with the successor; a client holding only the old one
    // meets an unknown serial and downloads again (it is listed already)
    emu.advanceTime(DAY);
    const answer = await apiCall(emu, { body: validBody(emu.credentials, { contract_notify_url: rx.url }), headers: { 'Wechatpay-Serial': old }, sign: { timestamp: Math.floor(emu.now() / 1000) } });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers['wechatpay-serial'], next);
    assert.equal(verifyWith({ [old]: emu.credentials.certs[old] }, answer.headers, answer.raw, emu.now()), `unknown serial ${next}`);
    const both = await download(emu);
    assert.deepEqual(Object.keys(both.pems).sort(), [old, next].sort());
    assert.equal(verifyWith(both.pems, answer.headers, answer.raw, emu.now()), 'ok');
    // notifications of a certificate-mode contract are signed with the successor too
    emu.sign(answer.json.pre_entrustweb_id);
    const [n] = await rx.waitFor(1);
    assert.equal(n.headers['wechatpay-serial'], next);
    assert.equal(verifyWith(both.pems, n.headers, n.body, emu.now()), 'ok');
    assert.equal(decryptResource(JSON.parse(n.body).resource, emu.credentials.apiv3Key).contract_state, 'SIGNED');
    // past the old one's expiry only the successor is listed
    emu.advanceTime(oldExpiry + 1000 - emu.now());
    const after = await download(emu);
    assert.deepEqual(Object.keys(after.pems), [next]);
    const summary = emu.platformCertificates();
    assert.deepEqual(summary.map((c) => [c.serial_no, c.listed, c.signing]), [[old, false, false], [next, true, true]]);
  } finally { await emu.close(); await rx.close(); }
});

test('signWith certificate: every answer is signed with the platform certificate, asked for or not', async () => {
  const emu = await start({ signWith: 'certificate' });
  try {
    assert.match(emu.platformSerial, /^[0-9A-F]{40}$/);
    const res = await apiCall(emu, { body: validBody(emu.credentials), omit: ['Wechatpay-Serial'] });
    assert.equal(res.status, 200);
    assert.equal(res.headers['wechatpay-serial'], emu.platformSerial);
    assert.equal(verifyWith(emu.credentials.certs, res.headers, res.raw, Date.now()), 'ok');
  } finally { await emu.close(); }
});

test('certificate faults: one that does not decrypt, one whose serial_no is not its certificate\'s', async () => {
  const emu = await start({ platformCert: true });
  try {
    emu.inject({ kind: 'badCertificate' });
    const bad = await call(emu);
    assert.equal(bad.status, 200);
    assert.throws(() => decryptCert(bad.json.data[0], emu.credentials.apiv3Key), /authenticate/);
    assert.equal(verifyWith(emu.credentials.certs, bad.headers, bad.raw, Date.now()), 'ok', 'still correctly signed');
    emu.inject({ kind: 'certificateSerialMismatch' });
    const wrong = await call(emu);
    const pem = decryptCert(wrong.json.data[0], emu.credentials.apiv3Key);
    assert.notEqual(wrong.json.data[0].serial_no, new crypto.X509Certificate(pem).serialNumber);
    // the faults wait for a certificate download: other answers do not use them up
    emu.inject({ kind: 'badCertificate' });
    assert.equal((await apiCall(emu, { body: validBody(emu.credentials) })).status, 200);
    assert.equal(emu.faults.length, 1);
    const third = await call(emu);
    assert.throws(() => decryptCert(third.json.data[0], emu.credentials.apiv3Key));
    await download(emu); // and then the list is fine again
  } finally { await emu.close(); }
});

test('time control: GET/POST /emulator/time moves the clock forward only; answers carry the new time', async () => {
  const emu = await start();
  try {
    const t0 = await rawRequest(emu.url, { path: '/emulator/time' });
    assert.equal(t0.json.offset_ms, 0);
    const moved = await rawRequest(emu.url, { method: 'POST', path: '/emulator/time', body: JSON.stringify({ advance_ms: 3 * DAY }) });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.offset_ms, 3 * DAY);
    assert.ok(Math.abs(emu.now() - (Date.now() + 3 * DAY)) < 5000);
    const back = await rawRequest(emu.url, { method: 'POST', path: '/emulator/time', body: JSON.stringify({ advance_ms: -1 }) });
    assert.deepEqual([back.status, back.json.code], [400, 'PARAM_ERROR']);
    // a request stamped with the real time is now 3 days off: refused; with the emulator's time: fine
    const stale = await apiCall(emu, { body: validBody(emu.credentials) });
    assert.equal(stale.status, 401);
    const ok = await apiCall(emu, { body: validBody(emu.credentials), sign: { timestamp: Math.floor(emu.now() / 1000) } });
    assert.equal(ok.status, 200);
    assert.ok(Math.abs(Number(ok.headers['wechatpay-timestamp']) * 1000 - emu.now()) < 5000);
    assert.throws(() => emu.advanceTime(-5), (e) => e.code === 'PARAM_ERROR');
  } finally { await emu.close(); }
});
