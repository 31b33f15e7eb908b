// Test credentials: generated, loaded from a JSON file, or taken from an object.
// NEVER real keys: everything here is made up at first start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { randomDigits, randomHex, randomString } from './wire.mjs';
import { makeSelfSignedCert } from './x509.mjs';

export const PUB_KEY_ID_PREFIX = 'PUB_KEY_ID_0114232134912410000000000000';

function rsaPair() {
  return crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function configError(msg) {
  const e = new Error(`emulator credentials: ${msg}`);
  e.code = 'EMULATOR_CREDENTIALS';
  return e;
}

/** A full, fresh set (client fields + the `_emulator` secrets). */
export function generateCredentials() {
  const merchant = rsaPair();
  const wechatpay = rsaPair();
  const keyId = PUB_KEY_ID_PREFIX + randomDigits(4);
  return {
    mchid: '19' + randomDigits(8),
    serial: randomHex(40, true),
    privateKey: merchant.privateKey,
    certs: { [keyId]: wechatpay.publicKey },
    apiv3Key: randomString(32),
    plan_id: 10000 + Number(randomDigits(5)),
    appid: 'wx' + randomHex(16),
    _emulator: {
      wechatpayPrivateKey: wechatpay.privateKey,
      merchantPublicKey: merchant.publicKey,
    },
  };
}

/**
 * Completes and checks a credentials object. Missing client fields are generated,
 * except that a `certs` map without `_emulator.wechatpayPrivateKey` is an error
 * (the emulator could not sign with the key the client trusts).
 * Returns { full (persistable, with _emulator), client (client fields only), internal }.
 */
export function normalizeCredentials(input = {}, { platformCert = false } = {}) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw configError('must be an object or a path to a JSON file');
  }
  const emu = { ...(input._emulator ?? {}) };
  const c = { ...input };
  let generated = null;
  const gen = () => (generated ??= generateCredentials());

  if (c.mchid === undefined) c.mchid = gen().mchid;
  if (typeof c.mchid !== 'string' || !/^\d{1,32}$/.test(c.mchid)) throw configError('mchid must be a string of digits');
  if (c.privateKey === undefined) {
    if (c.serial !== undefined) throw configError('serial given without privateKey');
    c.privateKey = gen().privateKey;
    c.serial = gen().serial;
    emu.merchantPublicKey = gen()._emulator.merchantPublicKey;
  }
  if (c.serial === undefined) c.serial = randomHex(40, true);
  if (typeof c.serial !== 'string' || !/^[0-9A-Fa-f]{1,64}$/.test(c.serial)) throw configError('serial must be a hex string');
  let merchantPublicKey;
  try {
    merchantPublicKey = crypto.createPublicKey(c.privateKey).export({ type: 'spki', format: 'pem' });
  } catch {
    throw configError('privateKey is not a usable PEM private key');
  }

  let wechatpayPrivateKey = emu.wechatpayPrivateKey;
  if (c.certs === undefined) {
    if (wechatpayPrivateKey) throw configError('_emulator.wechatpayPrivateKey given without certs');
    c.certs = gen().certs;
    wechatpayPrivateKey = gen()._emulator.wechatpayPrivateKey;
  }
  if (!wechatpayPrivateKey) throw configError('certs given without _emulator.wechatpayPrivateKey (the emulator needs the WeChat Pay private key)');
  if (typeof c.certs !== 'object' || c.certs === null) throw configError('certs must be an object {id: public key PEM}');
  // find the id whose key matches the WeChat Pay private key
  let wechatpayPublicKey;
  try {
    wechatpayPublicKey = crypto.createPublicKey(wechatpayPrivateKey).export({ type: 'spki', format: 'pem' });
  } catch {
    throw configError('_emulator.wechatpayPrivateKey is not a usable PEM private key');
  }
  // the PUB_KEY_ID_ entry (public-key mode) and, optionally, an X.509 platform
  // certificate entry, both for the WeChat Pay key
  let keyId = null;
  let platformSerial = null;
  for (const [id, pem] of Object.entries(c.certs)) {
    try {
      const k = crypto.createPublicKey(pem).export({ type: 'spki', format: 'pem' });
      if (k !== wechatpayPublicKey) continue;
      if (String(pem).includes('BEGIN CERTIFICATE')) platformSerial ??= id;
      else if (id.startsWith('PUB_KEY_ID_')) keyId ??= id;
    } catch { /* not a key we can read; ignore */ }
  }
  if (!keyId) throw configError('no PUB_KEY_ID_ entry of certs matches _emulator.wechatpayPrivateKey');
  let changed = false;
  if (platformCert && !platformSerial) {
    const cert = makeSelfSignedCert(wechatpayPrivateKey);
    c.certs = { ...c.certs, [cert.serial]: cert.pem };
    platformSerial = cert.serial;
    changed = true;
  }

  if (c.apiv3Key === undefined) c.apiv3Key = randomString(32);
  if (typeof c.apiv3Key !== 'string' || Buffer.byteLength(c.apiv3Key, 'utf8') !== 32) throw configError('apiv3Key must be 32 bytes');
  if (c.plan_id === undefined) c.plan_id = 10000 + Number(randomDigits(5));
  if (!Number.isSafeInteger(c.plan_id) || c.plan_id <= 0) throw configError('plan_id must be a positive integer');
  if (c.appid === undefined) c.appid = 'wx' + randomHex(16);
  if (typeof c.appid !== 'string' || c.appid.length === 0 || c.appid.length > 32) throw configError('appid must be a 1..32 char string');

  const client = {
    mchid: c.mchid,
    serial: c.serial,
    privateKey: c.privateKey,
    certs: { ...c.certs },
    apiv3Key: c.apiv3Key,
    plan_id: c.plan_id,
    appid: c.appid,
  };
  const full = { ...client, _emulator: { wechatpayPrivateKey, merchantPublicKey } };
  return {
    full,
    client,
    internal: { keyId, platformSerial, wechatpayPrivateKey, wechatpayPublicKey, merchantPublicKey },
    changed,
  };
}

/**
 * credentials option -> normalized set. A string is a file path: loaded when
 * it exists, otherwise generated and written there (mode 0600).
 */
export function loadCredentials(option, flags = {}) {
  if (typeof option === 'string') {
    const file = path.resolve(option);
    if (fs.existsSync(file)) {
      let obj;
      try {
        obj = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw configError(`cannot read ${file}: ${e.message}`);
      }
      const n = normalizeCredentials(obj, flags);
      if (n.changed) fs.writeFileSync(file, JSON.stringify(n.full, null, 2) + '\n', { mode: 0o600 });
      return { ...n, file, created: false };
    }
    const n = normalizeCredentials(generateCredentials(), flags);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(n.full, null, 2) + '\n', { mode: 0o600 });
    return { ...n, file, created: true };
  }
  if (option === undefined || option === null) return { ...normalizeCredentials(generateCredentials(), flags), file: null, created: true };
  return { ...normalizeCredentials(option, flags), file: null, created: false };
}
