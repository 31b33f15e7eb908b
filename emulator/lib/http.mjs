// HTTP helpers of the emulator: the error type, answers (JSON, HTML, signed JSON),
// bounded body reading, the body parsers and the PARAM_ERROR answers.
import { randomString, responseMessage, rsaSign } from './wire.mjs';

export const BODY_LIMIT = 64 * 1024;
export const HARD_BODY_LIMIT = 8 * 1024 * 1024;
export const EXPOSE_HEADERS = 'Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial, Wechatpay-Signature, Request-ID';
export const ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Wechatpay-Serial', 'User-Agent'];
export const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/** An answer `{ code, message, detail? }` with an HTTP status. */
export class HttpError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    if (detail !== undefined) this.detail = detail;
  }
}

export function setCommon(res, rid) {
  res.setHeader('Request-ID', rid);
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
}

export function sendJsonError(res, status, code, message, detail, extraHeaders = {}) {
  const obj = { code, message };
  if (detail !== undefined) obj.detail = detail;
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...extraHeaders });
  res.end(body);
}

export function sendPlainJson(res, status, obj) {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

export function sendHtml(res, status, html, extra = {}) {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

/**
 * sendSigned(ctx, status, obj, mode?): a signed 2xx API answer, possibly mangled by an
 * injected answer fault. `keys` (certificates.mjs) gives the signing key of the mode
 * (default: the request's); `takeFault(req, pathname)` gives the fault; `mangle` is
 * faults.signAnswer.
 */
export function signedSender({ now, keys, takeFault, mangle }) {
  return function sendSigned(ctx, status, obj, mode = keys.modeOf(ctx.req)) {
    const { req, res } = ctx;
    const fault = takeFault(req, ctx.pathname);
    if (fault) ctx.fault = fault.kind;
    const { serial, privateKey } = keys.signer(mode);
    const a = mangle(fault, {
      body: Buffer.from(JSON.stringify(obj), 'utf8'),
      nowS: Math.floor(now() / 1000),
      nonce: randomString(32),
      serial,
      sign: (ts, nonce, bytes) => rsaSign(privateKey, responseMessage(ts, nonce, bytes)),
    });
    const headers = { 'Content-Type': 'application/json', 'Content-Length': a.body.length };
    if (a.headers) {
      Object.assign(headers, {
        'Wechatpay-Timestamp': a.ts,
        'Wechatpay-Nonce': a.nonce,
        'Wechatpay-Serial': a.serial,
        'Wechatpay-Signature': a.signature,
      });
    }
    res.writeHead(status, headers);
    res.end(a.body);
  };
}

/** Reads the body up to BODY_LIMIT; past HARD_BODY_LIMIT it stops reading (`abort`). */
export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        tooLarge = true;
        chunks.length = 0;
        if (size > HARD_BODY_LIMIT) {
          req.removeAllListeners('data');
          req.pause();
          resolve({ buf: Buffer.alloc(0), tooLarge: true, size, abort: true });
        }
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve({ buf: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, size }));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

export function parseForm(buf) {
  const out = {};
  for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) out[k] = v;
  return out;
}

/** An optional JSON object body (empty = {}); anything but an object reads as {}. */
export function parseJsonOpt(buf) {
  if (buf.length === 0) return {};
  try {
    const v = JSON.parse(buf.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    throw new HttpError(400, 'PARAM_ERROR', 'the body is not valid JSON');
  }
}

export function paramError(field, value, issue, message) {
  const detail = { field, issue, location: 'body' };
  if (value !== undefined) detail.value = value;
  return new HttpError(400, 'PARAM_ERROR', message ?? `参数错误: ${field || '(body)'} ${issue}`, detail);
}

/**
 * Every broken rule at once: 400 PARAM_ERROR whose `detail` is the first issue in the
 * usual `{ field, value?, issue, location }` shape plus `issues`, the list of all of them.
 */
export function paramIssues(list, location = 'body') {
  const issues = list.map(({ field, value, issue }) => (value === undefined ? { field, issue, location } : { field, value, issue, location }));
  const where = location === 'body' ? '/body' : '';
  const message = `参数错误: ${issues.length} issue${issues.length > 1 ? 's' : ''}: ` +
    issues.map((i) => `${where}${i.field || ''} ${i.issue}`.trim()).join('; ');
  return new HttpError(400, 'PARAM_ERROR', message, { ...issues[0], issues });
}

/** The body as JSON (UTF-8 checked), or a PARAM_ERROR naming the body. */
export function parseJsonBody(body) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw paramError('', undefined, 'the body is not valid UTF-8');
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw paramError('', undefined, `the body is not valid JSON (${e.message})`);
  }
  // JSON.parse keeps the last of a field written twice; the text is what was signed.
  const twice = fieldWrittenTwice(text);
  if (twice !== null) throw paramError('', undefined, `a field is written twice in one object (${twice})`);
  return json;
}

/**
 * The JSON pointer of the first field written twice in one object of `text` (JSON that
 * JSON.parse accepted), keys compared as decoded ("\u0061" is "a"); null when there is none.
 */
export function fieldWrittenTwice(text) {
  const open = []; // per open container: { path, keys: Set (object) | null (array), n }
  let key = null; // the key just read, in the innermost object
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = open[open.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys && key === null) {
        key = JSON.parse(text.slice(i, j + 1));
        const at = `${top.path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (top.keys.has(key)) return at;
        top.keys.add(key);
        top.at = at;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      const path = top ? (top.keys ? top.at : `${top.path}/${top.n}`) : '';
      open.push({ path, keys: c === '{' ? new Set() : null, n: 0, at: '' });
      key = null;
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      if (top?.keys) key = null;
      else if (top) top.n++;
    }
  }
  return null;
}
