// Authentication of the /v3/ requests: the required headers, the Authorization header
// (mchid, serial, timestamp window, nonce replay, SHA256withRSA over the exact bytes).
import { HttpError } from './http.mjs';
import { parseAuthorization, requestMessage, rsaVerify } from './wire.mjs';

export const TIME_WINDOW_S = 300;

export function checkHeaders(req) {
  if (!req.headers['accept'] || !req.headers['user-agent']) {
    throw new HttpError(400, 'INVALID_REQUEST', 'Http头缺少Accept或User-Agent (the request must carry both Accept and User-Agent headers)');
  }
}

export class Authenticator {
  /** @param {{ client: { mchid, serial }, merchantPublicKey, now: () => number }} o */
  constructor(o) {
    this.o = o;
    /** `${mchid}:${nonce}` -> expiry (ms) */
    this.nonces = new Map();
  }

  /** Checks the headers and the signature of a request; returns the Authorization pairs. */
  check(req, body) {
    checkHeaders(req);
    return this.authenticate(req, body);
  }

  authenticate(req, body) {
    const { client, merchantPublicKey, now } = this.o;
    const parsed = parseAuthorization(req.headers['authorization']);
    if (!parsed.ok) {
      throw new HttpError(401, 'SIGN_ERROR', `Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》 (Authorization header ${parsed.reason === 'missing' ? 'is missing' : 'cannot be parsed: ' + parsed.reason})`);
    }
    const a = parsed.params;
    if (a.mchid !== client.mchid) {
      throw new HttpError(401, 'SIGN_ERROR', `商户号不存在或与证书不匹配 (unknown mchid ${a.mchid})`);
    }
    if (a.serial_no !== client.serial) {
      throw new HttpError(401, 'SIGN_ERROR', `商户证书序列号有误 (serial_no ${a.serial_no} is not the certificate serial of merchant ${a.mchid})`);
    }
    if (!/^\d{1,12}$/.test(a.timestamp)) {
      throw new HttpError(401, 'SIGN_ERROR', `Http头Authorization值格式错误 (timestamp "${a.timestamp}" is not Unix seconds)`);
    }
    const skew = Math.abs(Math.floor(now() / 1000) - Number(a.timestamp));
    if (skew > TIME_WINDOW_S) {
      throw new HttpError(401, 'SIGN_ERROR', `签名中的时间戳与服务器时间相差过大 (timestamp ${a.timestamp} is ${skew} s away from the server time; allowed ${TIME_WINDOW_S} s)`);
    }
    // forget nonces outside the window
    const t = now();
    for (const [k, exp] of this.nonces) if (exp < t) this.nonces.delete(k);
    const nonceKey = `${a.mchid}:${a.nonce_str}`;
    if (this.nonces.has(nonceKey)) {
      throw new HttpError(401, 'SIGN_ERROR', `重复的请求随机串 (nonce_str ${a.nonce_str} was already used within the last ${2 * TIME_WINDOW_S} s)`);
    }
    const message = requestMessage(req.method, req.url, a.timestamp, a.nonce_str, body);
    if (!rsaVerify(merchantPublicKey, message, a.signature)) {
      const text = message.toString('utf8');
      const head = `${req.method}\n${req.url}\n${a.timestamp}\n${a.nonce_str}\n`;
      const bodyText = body.toString('utf8');
      const truncated = head + (bodyText.length > 64 ? bodyText.slice(0, 64) : bodyText) + '\n';
      throw new HttpError(401, 'SIGN_ERROR', '签名错误 (the signature does not verify over the bytes received; sign the exact body you send)', {
        detail: 'Signature verify failed',
        sign_information: {
          method: req.method,
          url: req.url,
          sign_message_length: Buffer.byteLength(text, 'utf8'),
          truncated_sign_message: truncated,
        },
      });
    }
    this.nonces.set(nonceKey, t + 2 * TIME_WINDOW_S * 1000);
    return a;
  }
}
