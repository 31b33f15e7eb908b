// Option platformCert: an X.509 platform certificate for the WeChat Pay key, next to the public key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../server.mjs';
import { start } from './helpers/fixture.mjs';
import { apiCall, startReceiver, validBody, verifyNotification } from './helpers/client.mjs';

function verifyWithCert(res, certs) {
  // what an SDK does with a platform certificate: take the public key out of the X.509
  const id = res.headers['wechatpay-serial'];
  const pem = certs[id];
  assert.ok(pem, `unknown id ${id}`);
  const key = new crypto.X509Certificate(pem).publicKey;
  const msg = Buffer.concat([Buffer.from(`${res.headers['wechatpay-timestamp']}\n${res.headers['wechatpay-nonce']}\n`), res.raw, Buffer.from('\n')]);
  return crypto.verify('sha256', msg, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(res.headers['wechatpay-signature'], 'base64'));
}

test('platformCert: a self-signed X.509 certificate of the WeChat Pay key, used when asked for', async () => {
  const rx = await startReceiver();
  const emu = await start({ platformCert: true });
  try {
    const c = emu.credentials;
    assert.match(emu.platformSerial, /^[0-9A-F]{40}$/);
    assert.equal(Object.keys(c.certs).length, 2);
    const x = new crypto.X509Certificate(c.certs[emu.platformSerial]);
    assert.equal(x.serialNumber, emu.platformSerial);
    assert.equal(x.publicKey.export({ type: 'spki', format: 'pem' }), c.certs[emu.wechatpaySerial]);
    assert.ok(x.verify(x.publicKey), 'self-signed');

    const viaCert = await apiCall(emu, { body: validBody(c, { contract_notify_url: rx.url }), headers: { 'Wechatpay-Serial': emu.platformSerial } });
    assert.equal(viaCert.status, 200);
    assert.equal(viaCert.headers['wechatpay-serial'], emu.platformSerial);
    assert.ok(verifyWithCert(viaCert, c.certs));
    const viaKey = await apiCall(emu, { body: validBody(c) });
    assert.equal(viaKey.headers['wechatpay-serial'], emu.wechatpaySerial);

    // the notification of a signing started in certificate mode is signed under the certificate id
    emu.sign(viaCert.json.pre_entrustweb_id);
    const [n] = await rx.waitFor(1);
    assert.equal(n.headers['wechatpay-serial'], emu.platformSerial);
    assert.ok(verifyWithCert({ headers: n.headers, raw: Buffer.from(n.body) }, c.certs));
    assert.equal(verifyNotification(n.headers, n.body, { [emu.platformSerial]: c.certs[emu.wechatpaySerial] }).ok, true);
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('platformCert: added to an existing credentials file and kept on reload', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxemu-x509-'));
  const file = path.join(dir, 'c.json');
  try {
    const e1 = await startEmulator({ credentials: file, log: false });
    assert.equal(e1.platformSerial, null);
    await e1.close();
    const e2 = await startEmulator({ credentials: file, log: false, platformCert: true });
    const serial = e2.platformSerial;
    await e2.close();
    assert.ok(JSON.parse(fs.readFileSync(file, 'utf8')).certs[serial]);
    const e3 = await startEmulator({ credentials: file, log: false });
    assert.equal(e3.platformSerial, serial);
    await e3.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
