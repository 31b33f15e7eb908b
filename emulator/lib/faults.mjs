// Injected faults: the queue, the faults applied when a /v3/ request arrives, and the
// ones that mangle the next signed 2xx answer.
import { HttpError } from './http.mjs';

export const UNKNOWN_SERIAL_ID = 'PUB_KEY_ID_0000000000000000000000000000000000';

export const FAULT_KINDS = [
  'delay', 'status500', 'status429', 'reset', 'paramError',
  'badJson', 'truncate', 'badSignature', 'staleTimestamp', 'unknownSerial', 'noSignatureHeaders',
  'payFail', 'badCertificate', 'certificateSerialMismatch',
];
// When a fault is taken: 'arrival' = when a /v3/ request arrives (whatever it would have
// answered); 'answer' = on the next signed 2xx answer; 'charge' = by the next deduction
// accepted (a new out_trade_no), which is then charged as PAY_FAIL; 'certificates' = by
// the next GET /v3/certificates answer.
const FAMILY = {
  delay: 'arrival', status500: 'arrival', status429: 'arrival', reset: 'arrival', paramError: 'arrival',
  badJson: 'answer', truncate: 'answer', badSignature: 'answer', staleTimestamp: 'answer', unknownSerial: 'answer', noSignatureHeaders: 'answer',
  payFail: 'charge',
  badCertificate: 'certificates', certificateSerialMismatch: 'certificates',
};

/** The queue of injected faults; `list` is the array exposed as `emu.faults`. */
export class Faults {
  constructor() {
    this.list = [];
  }

  inject(fault) {
    if (!fault || !FAULT_KINDS.includes(fault.kind)) {
      throw new TypeError(`inject: kind must be one of ${FAULT_KINDS.join(', ')}`);
    }
    const times = fault.times ?? 1;
    if (!(Number.isInteger(times) && times > 0)) throw new TypeError('inject: times must be a positive integer');
    const f = { kind: fault.kind, times, ms: fault.ms ?? 1000, method: fault.method, path: fault.path, detail: fault.detail };
    this.list.push(f);
    return f;
  }

  clear() {
    this.list.length = 0;
  }

  /** Takes one use of the first queued fault of the family ('arrival', 'answer', 'charge') matching the request. */
  take(family, req, pathname) {
    const i = this.list.findIndex((f) => FAMILY[f.kind] === family && matches(f, req, pathname));
    if (i < 0) return null;
    const f = this.list[i];
    if (--f.times <= 0) this.list.splice(i, 1);
    return f;
  }
}

function matches(f, req, pathname) {
  if (f.method && f.method.toUpperCase() !== req.method) return false;
  if (f.path instanceof RegExp) return f.path.test(pathname);
  if (typeof f.path === 'string') return pathname.startsWith(f.path);
  return true;
}

/**
 * Applies a fault taken when a request arrived: waits (delay), resets the socket, or
 * throws the error answer. Returns 'handled' when the request must not go on.
 */
export async function applyArrivalFault(fault, ctx, { sleep, isClosed }) {
  const { req, res } = ctx;
  ctx.fault = fault.kind;
  switch (fault.kind) {
    case 'delay':
      await sleep(fault.ms);
      if (isClosed()) { res.destroy(); return 'handled'; }
      return null;
    case 'reset':
      ctx.status = 'RESET';
      req.socket.destroy();
      return 'handled';
    case 'status500':
      throw new HttpError(500, 'SYSTEM_ERROR', '系统错误 (injected fault: retry later with the same parameters)');
    case 'paramError': {
      // A server-side rule a client cannot check locally (the real API has such rules).
      const detail = { field: '/device_info/device_ip', value: '', issue: 'device_ip 格式错误 (injected fault)', location: 'body', ...(fault.detail || {}) };
      throw new HttpError(400, 'PARAM_ERROR', `参数错误: ${detail.issue}`, detail);
    }
    case 'status429':
      throw new HttpError(429, 'RATELIMIT_EXCEEDED', '达到调用速率限制 (injected fault: slow down)');
    default:
      return null;
  }
}

/**
 * The parts of a signed answer, mangled by an answer fault (or not, with none):
 * { body, ts, nonce, serial, signature, headers: boolean }. `sign(ts, nonce, bytes)` signs.
 */
export function signAnswer(fault, { body, nowS, nonce, serial, sign }) {
  let ts = String(nowS);
  if (fault?.kind === 'badJson') body = Buffer.from('{"pre_entrustweb_id": <this is not JSON>', 'utf8');
  if (fault?.kind === 'staleTimestamp') ts = String(nowS - 600);
  if (fault?.kind === 'unknownSerial') serial = UNKNOWN_SERIAL_ID;
  let signature = sign(ts, nonce, body);
  if (fault?.kind === 'badSignature') signature = sign(ts, nonce, Buffer.concat([body, Buffer.from(' ')]));
  if (fault?.kind === 'truncate') body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
  return { body, ts, nonce, serial, signature, headers: fault?.kind !== 'noSignatureHeaders' };
}

/**
 * A certificate list changed by a 'certificates' fault (the answer is then signed as
 * usual): badCertificate flips a byte of the first ciphertext, so it does not decrypt;
 * certificateSerialMismatch gives the first entry another serial_no than its certificate's.
 */
export function mangleCertificates(fault, body) {
  const data = body.data.map((d) => ({ ...d, encrypt_certificate: { ...d.encrypt_certificate } }));
  if (data.length === 0) return body;
  if (fault.kind === 'badCertificate') {
    const ct = Buffer.from(data[0].encrypt_certificate.ciphertext, 'base64');
    ct[Math.floor(ct.length / 2)] ^= 0x01;
    data[0].encrypt_certificate.ciphertext = ct.toString('base64');
  } else if (fault.kind === 'certificateSerialMismatch') {
    data[0].serial_no = '1' + data[0].serial_no.slice(1).split('').reverse().join('');
    if (data[0].serial_no === body.data[0].serial_no) data[0].serial_no = '2' + data[0].serial_no.slice(1);
  }
  return { ...body, data };
}
