// Delivery of notifications (ENTRUST.* and TRANSACTION.*): encrypted, signed,
// retried with exponential backoff, optionally preceded by a SIGNTEST probe.
import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { aesGcmEncrypt, randomString, rfc3339CST, rsaSign, responseMessage } from './wire.mjs';

export const NOTIFY_USER_AGENT = 'Mozilla/4.0 (compatible; wechatpay-emulator)';

export class Notifier extends EventEmitter {
  /**
   * @param {{ apiv3Key, signer: (mode) => { serial, privateKey }, now, retry: {max, baseMs}, timeoutMs, probe, log }} o
   */
  constructor(o) {
    super();
    this.o = o;
    this.records = [];
    this.pending = 0;
    this.closed = false;
    this.timers = new Set();
    this.requests = new Set();
    this.setMaxListeners(0);
  }

  /**
   * Builds the envelope and starts delivery in the background; returns the event id.
   * opts: `originalType` (default 'entrust', also the AAD); `accept(result)` decides
   * whether an answer `{ status, body }` ends delivery (default: any 2xx); `onSettled`
   * receives `{ delivered: true, rec }` or `{ delivered: false }` once retries are over.
   * `mode` ('publicKey' | 'certificate') picks the signing key, at each attempt.
   */
  send(url, eventType, summary, resourcePlain, meta = {}, mode = 'publicKey', opts = {}) {
    const originalType = opts.originalType ?? 'entrust';
    const nonce = randomString(12);
    const envelope = {
      id: `EV-${crypto.randomUUID()}`,
      create_time: rfc3339CST(this.o.now()),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource: {
        original_type: originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: aesGcmEncrypt(this.o.apiv3Key, nonce, originalType, JSON.stringify(resourcePlain)),
        associated_data: originalType,
        nonce,
      },
    };
    const body = JSON.stringify(envelope);
    this.pending++;
    const ev = { url, eventType, body, eventId: envelope.id, meta, mode, accept: opts.accept };
    this.#run(ev).then((outcome) => { if (outcome && !this.closed) opts.onSettled?.(outcome); }).finally(() => {
      this.pending--;
      if (this.pending === 0) this.emit('idle');
    });
    return envelope.id;
  }

  async #run(ev) {
    if (this.o.probe && !this.closed) {
      const sig = 'WECHATPAY/SIGNTEST/' + crypto.randomBytes(48).toString('base64');
      const rec = await this.#attempt(ev, 0, true, sig);
      if (rec.ok) this.o.log?.(`notify WARNING: ${ev.url} accepted a WECHATPAY/SIGNTEST/ probe (status ${rec.status}); it must reject bad signatures`);
    }
    const { max, baseMs } = this.o.retry;
    for (let attempt = 1; attempt <= max && !this.closed; attempt++) {
      const rec = await this.#attempt(ev, attempt, false);
      if (rec.ok) {
        this.emit('delivered', rec);
        return { delivered: true, rec };
      }
      if (attempt < max) await this.#sleep(baseMs * 2 ** (attempt - 1));
    }
    if (this.closed) return null;
    this.emit('gaveUp', { event_id: ev.eventId, url: ev.url, event_type: ev.eventType });
    return { delivered: false };
  }

  #sleep(ms) {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const t = setTimeout(() => { this.timers.delete(t); resolve(); }, ms);
      t.resolve = resolve;
      this.timers.add(t);
    });
  }

  async #attempt(ev, attempt, probe, forcedSignature) {
    const ts = String(Math.floor(this.o.now() / 1000));
    const nonce = randomString(32);
    const { serial, privateKey } = this.o.signer(ev.mode);
    const signature = forcedSignature ?? rsaSign(privateKey, responseMessage(ts, nonce, ev.body));
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': NOTIFY_USER_AGENT,
      'Wechatpay-Timestamp': ts,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Serial': serial,
      'Wechatpay-Signature': signature,
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    };
    const result = await this.#post(ev.url, headers, ev.body);
    const rec = {
      event_id: ev.eventId,
      url: ev.url,
      event_type: ev.eventType,
      attempt,
      probe,
      status: result.status,
      ok: result.status >= 200 && result.status < 300 && (!ev.accept || probe || ev.accept(result)),
      error: result.error ?? null,
      response: result.body ?? null,
      headers,
      body: ev.body,
      at: this.o.now(),
      ...ev.meta,
    };
    this.records.push(rec);
    this.o.log?.(`notify ${probe ? 'probe ' : ''}${ev.eventType} -> ${ev.url} attempt ${attempt} ${result.status || result.error}`);
    this.emit('attempt', rec);
    return rec;
  }

  #post(url, headers, body) {
    return new Promise((resolve) => {
      if (this.closed) return resolve({ status: 0, error: 'emulator closed' });
      let u;
      try { u = new URL(url); } catch { return resolve({ status: 0, error: 'bad URL' }); }
      const lib = u.protocol === 'https:' ? https : http;
      const buf = Buffer.from(body, 'utf8');
      let settled = false;
      const done = (r) => { if (!settled) { settled = true; this.requests.delete(req); resolve(r); } };
      const req = lib.request(u, {
        method: 'POST',
        headers: { ...headers, 'Content-Length': buf.length },
        timeout: this.o.timeoutMs,
        agent: false,
      }, (res) => {
        const chunks = [];
        let size = 0;
        res.on('data', (c) => { size += c.length; if (size <= 65536) chunks.push(c); });
        res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => done({ status: 0, error: e.message }));
      });
      this.requests.add(req);
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.o.timeoutMs} ms`)));
      req.on('error', (e) => done({ status: 0, error: e.message || e.code || 'network error' }));
      req.end(buf);
    });
  }

  /**
   * Resolves with the first attempt record (already recorded or future) matching
   * `filter` (a function, or an object whose fields must equal the record's);
   * default: a successful, non-probe delivery. Rejects after timeoutMs.
   */
  waitFor(filter, timeoutMs = 5000) {
    const pred = typeof filter === 'function'
      ? filter
      : (r) => Object.entries({ ok: true, probe: false, ...(filter ?? {}) }).every(([k, v]) => r[k] === v);
    const found = this.records.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onAttempt = (r) => { if (pred(r)) { cleanup(); resolve(r); } };
      const t = setTimeout(() => { cleanup(); reject(new Error(`no matching notification within ${timeoutMs} ms`)); }, timeoutMs);
      const cleanup = () => { clearTimeout(t); this.off('attempt', onAttempt); };
      this.on('attempt', onAttempt);
    });
  }

  /** Resolves when no delivery is in progress (including pending retries). */
  idle(timeoutMs = 5000) {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.off('idle', on); reject(new Error(`notifications still pending after ${timeoutMs} ms`)); }, timeoutMs);
      const on = () => { clearTimeout(t); resolve(); };
      this.once('idle', on);
    });
  }

  close() {
    this.closed = true;
    for (const t of this.timers) { clearTimeout(t); t.resolve(); }
    this.timers.clear();
    for (const r of this.requests) r.destroy(new Error('emulator closed'));
  }
}
