// A minimal self-signed X.509 v3 certificate writer (DER by hand), so that the
// emulator can also act with a "platform certificate" (平台证书) without openssl.
// Only what a verifier needs: serial, names, validity, the RSA public key,
// sha256WithRSAEncryption signature.
import crypto from 'node:crypto';

function len(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  while (n > 0) { bytes.unshift(n & 0xff); n >>= 8; }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...p) => tlv(0x30, ...p);
const set = (...p) => tlv(0x31, ...p);
const int = (buf) => tlv(0x02, buf[0] & 0x80 ? Buffer.concat([Buffer.from([0]), buf]) : buf);
const nul = () => Buffer.from([0x05, 0x00]);
const bitString = (buf) => tlv(0x03, Buffer.from([0]), buf);
const utf8 = (s) => tlv(0x0c, Buffer.from(s, 'utf8'));
const printable = (s) => tlv(0x13, Buffer.from(s, 'ascii'));
function oid(str) {
  const parts = str.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    let v = p >> 7;
    while (v > 0) { stack.unshift((v & 0x7f) | 0x80); v >>= 7; }
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return tlv(0x17, Buffer.from(`${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`, 'ascii'));
}
const name = (cn, o) => seq(
  set(seq(oid('2.5.4.6'), printable('CN'))),
  set(seq(oid('2.5.4.10'), utf8(o))),
  set(seq(oid('2.5.4.3'), utf8(cn))),
);

/**
 * Self-signed certificate for `privateKeyPem`'s RSA key, valid from `notBefore` to
 * `notAfter` (ms; default: a day ago to `years` from now; whole seconds, UTC, before 2050).
 * @returns {{ pem: string, serial: string }} serial = 40 upper-case hex chars
 */
export function makeSelfSignedCert(privateKeyPem, { nowMs = Date.now(), years = 5, notBefore = nowMs - 86400_000, notAfter = nowMs + years * 365 * 86400_000, cn = 'WeChat Pay Emulator Platform Certificate (TEST ONLY)' } = {}) {
  const serialBytes = crypto.randomBytes(20);
  serialBytes[0] = 0x10 + (serialBytes[0] % 0x70); // positive, no leading zero: exactly 40 hex chars
  const spki = crypto.createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' });
  const sigAlg = seq(oid('1.2.840.113549.1.1.11'), nul());
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))), // v3
    int(serialBytes),
    sigAlg,
    name(cn, 'wechatpay-emulator'),
    seq(utcTime(notBefore), utcTime(notAfter)),
    name(cn, 'wechatpay-emulator'),
    spki,
  );
  const sig = crypto.sign('sha256', tbs, { key: privateKeyPem, padding: crypto.constants.RSA_PKCS1_PADDING });
  const der = seq(tbs, sigAlg, bitString(sig));
  const b64 = der.toString('base64').match(/.{1,64}/g).join('\n');
  return { pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`, serial: serialBytes.toString('hex').toUpperCase() };
}
