// Wire-level helpers of the emulator: randomness, RSA signing/verification,
// the Authorization header parser, AES-256-GCM and time formatting.
// Independent of the SDK in src/ on purpose: it is the thing that checks it.
import crypto from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string over [A-Za-z0-9] (or a given alphabet), unbiased. */
export function randomString(len, alphabet = ALNUM) {
  let out = '';
  while (out.length < len) {
    const bytes = crypto.randomBytes(len * 2);
    for (const b of bytes) {
      // reject values that would bias the modulo
      if (b >= 256 - (256 % alphabet.length)) continue;
      out += alphabet[b % alphabet.length];
      if (out.length === len) break;
    }
  }
  return out;
}

export const randomDigits = (len) => randomString(len, '0123456789');
export const randomHex = (len, upper = false) => {
  const s = crypto.randomBytes(Math.ceil(len / 2)).toString('hex').slice(0, len);
  return upper ? s.toUpperCase() : s;
};

/** A Request-ID shaped like WeChat Pay's (upper-case hex). */
export const requestId = () => randomHex(46, true);

/** SHA256withRSA (PKCS#1 v1.5), base64. */
export function rsaSign(privateKeyPem, message) {
  return crypto.sign('sha256', Buffer.isBuffer(message) ? message : Buffer.from(message, 'utf8'), {
    key: privateKeyPem,
    padding: crypto.constants.RSA_PKCS1_PADDING,
  }).toString('base64');
}

export function rsaVerify(publicKey, message, signatureB64) {
  if (typeof signatureB64 !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  try {
    return crypto.verify('sha256', Buffer.isBuffer(message) ? message : Buffer.from(message, 'utf8'), {
      key: publicKey,
      padding: crypto.constants.RSA_PKCS1_PADDING,
    }, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** The request signing message, over the exact body bytes. */
export function requestMessage(method, pathAndQuery, timestamp, nonce, bodyBuf) {
  return Buffer.concat([
    Buffer.from(`${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n`, 'utf8'),
    bodyBuf ?? Buffer.alloc(0),
    Buffer.from('\n'),
  ]);
}

/** The response / notification signing message. */
export function responseMessage(timestamp, nonce, bodyBuf) {
  return Buffer.concat([
    Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'),
    Buffer.isBuffer(bodyBuf) ? bodyBuf : Buffer.from(bodyBuf ?? '', 'utf8'),
    Buffer.from('\n'),
  ]);
}

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const AUTH_KEYS = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'];

/**
 * Parses `WECHATPAY2-SHA256-RSA2048 k="v",k="v",...` (pairs in any order).
 * Returns { ok: true, params } or { ok: false, reason }.
 */
export function parseAuthorization(header) {
  if (typeof header !== 'string' || header.length === 0) return { ok: false, reason: 'missing' };
  if (header.length > 4096) return { ok: false, reason: 'too long' };
  const m = /^\s*(\S+)\s+(.*)$/s.exec(header);
  if (!m) return { ok: false, reason: 'no scheme' };
  if (m[1] !== AUTH_SCHEME) return { ok: false, reason: `scheme must be ${AUTH_SCHEME}` };
  const rest = m[2].trim();
  const params = {};
  const re = /\s*([A-Za-z_]+)="([^"]*)"\s*(,|$)/gy;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const p = re.exec(rest);
    if (!p) return { ok: false, reason: `cannot parse near "${rest.slice(pos, pos + 20)}"` };
    if (Object.hasOwn(params, p[1])) return { ok: false, reason: `duplicate ${p[1]}` };
    params[p[1]] = p[2];
    pos = re.lastIndex;
    if (p[3] === '' ) break;
  }
  if (pos < rest.length) return { ok: false, reason: 'trailing characters' };
  for (const k of AUTH_KEYS) {
    if (!params[k]) return { ok: false, reason: `missing ${k}` };
  }
  return { ok: true, params };
}

/** AES-256-GCM encrypt -> base64(ciphertext || 16-byte tag). */
export function aesGcmEncrypt(keyStr, nonceStr, aadStr, plaintext) {
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(keyStr, 'utf8'), Buffer.from(nonceStr, 'utf8'));
  cipher.setAAD(Buffer.from(aadStr ?? '', 'utf8'));
  const ct = Buffer.concat([cipher.update(Buffer.from(plaintext, 'utf8')), cipher.final()]);
  return Buffer.concat([ct, cipher.getAuthTag()]).toString('base64');
}

export function aesGcmDecrypt(keyStr, nonceStr, aadStr, ciphertextB64) {
  const all = Buffer.from(ciphertextB64, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(keyStr, 'utf8'), Buffer.from(nonceStr, 'utf8'));
  decipher.setAAD(Buffer.from(aadStr ?? '', 'utf8'));
  decipher.setAuthTag(all.subarray(all.length - 16));
  return Buffer.concat([decipher.update(all.subarray(0, all.length - 16)), decipher.final()]).toString('utf8');
}

/** RFC 3339 in China Standard Time, e.g. 2020-06-08T10:34:56+08:00 */
export function rfc3339CST(ms) {
  const d = new Date(ms + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+08:00`;
}
