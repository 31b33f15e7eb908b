// The WeChat Pay side's signing keys: the public key (PUB_KEY_ID_…) and, with
// platformCert, X.509 platform certificates that rotate as wechatpay-apiv3.md section 5
// says: a successor is listed `listBeforeMs` before its predecessor expires, WeChat Pay
// signs with it `listBeforeMs - useBeforeMs` later (a day by default), and the
// predecessor stays listed until it expires. Everything follows the emulator's clock
// (`now`, which emu.advanceTime moves), so a test can walk through a rotation.
import crypto from 'node:crypto';
import { makeSelfSignedCert } from './x509.mjs';
import { aesGcmEncrypt, randomString, rfc3339CST } from './wire.mjs';

const DAY = 86400_000;
export const ROTATION_DEFAULTS = { lifetimeMs: 5 * 365 * DAY, listBeforeMs: 10 * DAY, useBeforeMs: 9 * DAY };
const MAX_SUCCESSORS_AT_ONCE = 8;
const seconds = (ms) => Math.floor(ms / 1000) * 1000;

export class SigningKeys {
  /**
   * @param {{ now, keyId, privateKey, platformSerial, platformPem, apiv3Key,
   *   rotation?: Partial<typeof ROTATION_DEFAULTS>, signWith?: 'request' | 'certificate' }} o
   */
  constructor(o) {
    this.o = o;
    this.rotation = { ...ROTATION_DEFAULTS, ...(o.rotation ?? {}) };
    const r = this.rotation;
    if (!(r.lifetimeMs > r.listBeforeMs && r.listBeforeMs >= r.useBeforeMs && r.useBeforeMs >= 0)) {
      throw new TypeError('rotation: needs lifetimeMs > listBeforeMs >= useBeforeMs >= 0');
    }
    /** every platform certificate ever made, oldest first */
    this.certs = [];
    if (o.platformSerial) {
      const x = new crypto.X509Certificate(o.platformPem);
      const notBefore = Date.parse(x.validFrom);
      this.certs.push({
        serial: o.platformSerial, pem: o.platformPem, privateKey: o.privateKey,
        notBefore, notAfter: Date.parse(x.validTo), listedFrom: notBefore, signingFrom: notBefore,
      });
    }
  }

  get hasCertificates() { return this.certs.length > 0; }

  /** Makes the successors the current time calls for. */
  #rotate(t) {
    const r = this.rotation;
    for (let i = 0; i < MAX_SUCCESSORS_AT_ONCE; i++) {
      const last = this.certs.at(-1);
      if (!last || t < last.notAfter - r.listBeforeMs) return;
      const notBefore = seconds(last.notAfter - r.listBeforeMs);
      const notAfter = seconds(notBefore + r.lifetimeMs);
      const { privateKey } = crypto.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      const cert = makeSelfSignedCert(privateKey, { notBefore, notAfter });
      this.certs.push({
        serial: cert.serial, pem: cert.pem, privateKey, notBefore, notAfter,
        listedFrom: notBefore, signingFrom: notBefore + (r.listBeforeMs - r.useBeforeMs),
      });
    }
  }

  /** The certificates GET /v3/certificates lists now (listed, not expired). */
  listed() {
    const t = this.o.now();
    this.#rotate(t);
    return this.certs.filter((c) => c.listedFrom <= t && t < c.notAfter);
  }

  /** The certificate WeChat Pay signs with now: the newest one in use. */
  signingCert() {
    const t = this.o.now();
    this.#rotate(t);
    const usable = this.certs.filter((c) => c.signingFrom <= t && t < c.notAfter);
    return usable.at(-1) ?? this.certs.at(-1);
  }

  /**
   * How a request's answers (and the notifications it leads to) are signed: 'certificate'
   * when certificates exist and either signWith is 'certificate' or the request's
   * Wechatpay-Serial names one of them; otherwise 'publicKey'.
   */
  modeOf(req) {
    if (!this.hasCertificates) return 'publicKey';
    if (this.o.signWith === 'certificate') return 'certificate';
    const asked = req.headers['wechatpay-serial'];
    return this.certs.some((c) => c.serial === asked) ? 'certificate' : 'publicKey';
  }

  /** { serial, privateKey } to sign with in a mode. */
  signer(mode) {
    if (mode === 'certificate' && this.hasCertificates) {
      const c = this.signingCert();
      return { serial: c.serial, privateKey: c.privateKey };
    }
    return { serial: this.o.keyId, privateKey: this.o.privateKey };
  }

  /** The body of GET /v3/certificates: each listed certificate, encrypted with the APIv3 key. */
  downloadBody() {
    return {
      data: this.listed().map((c) => {
        const nonce = randomString(12);
        return {
          serial_no: c.serial,
          effective_time: rfc3339CST(c.notBefore),
          expire_time: rfc3339CST(c.notAfter),
          encrypt_certificate: {
            algorithm: 'AEAD_AES_256_GCM',
            nonce,
            associated_data: 'certificate',
            ciphertext: aesGcmEncrypt(this.o.apiv3Key, nonce, 'certificate', c.pem),
          },
        };
      }),
    };
  }

  /** What tests may compare with: every certificate so far, without private keys. */
  summary() {
    const t = this.o.now();
    this.#rotate(t);
    return this.certs.map((c) => ({
      serial_no: c.serial, pem: c.pem,
      effective_time: rfc3339CST(c.notBefore), expire_time: rfc3339CST(c.notAfter),
      listed: c.listedFrom <= t && t < c.notAfter,
      signing: c === this.signingCert(),
    }));
  }
}
