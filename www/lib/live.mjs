// The live status: server-sent events per session (the only script on the pages).
//
// Bounded: at most `maxStreams` open streams in all and `maxPerSession` per session (further
// ones get 503 / 429; EventSource then stops retrying and the page still works by reload).
// A stream ends when its session can change no more (expired, or terminated with no charge in
// flight: a charge accepted before the termination still settles). The one timer
// per watched, waiting session (to announce its expiry) lives only while someone watches it.
import { stateOf, statusInner } from './pages.mjs';

export const LIVE_LIMITS = { maxStreams: 64, maxPerSession: 4 };

/** Nothing more can change on the page: expired, or terminated with every charge settled. */
const isFinal = (s) => stateOf(s) === 'expired'
  || (stateOf(s) === 'terminated' && !s.deductions.some((d) => d.state === 'APPLYING' || d.state === 'ACCEPT'));

export function createLive(ctx, { maxStreams = LIVE_LIMITS.maxStreams, maxPerSession = LIVE_LIMITS.maxPerSession } = {}) {
  const watched = new Map(); // code -> { subs: Map(res -> browser id), timer }
  let open = 0;

  // The forms in the status carry tokens made for the subscriber's browser (none: no forms).
  const message = (s, browser) => {
    const tokenFor = browser ? (action) => ctx.guard.tokenFor(browser, action) : null;
    return `data: ${JSON.stringify({ state: stateOf(s), final: isFinal(s), html: statusInner(ctx, s, tokenFor) })}\n\n`;
  };

  function drop(code, res) {
    const w = watched.get(code);
    if (!w || !w.subs.delete(res)) return;
    open -= 1;
    if (w.subs.size === 0) {
      clearTimeout(w.timer);
      watched.delete(code);
    }
  }

  /** Sends session `code`'s status to everyone watching it; ends the streams once it is final. */
  function broadcast(code) {
    const w = watched.get(code);
    const s = w && ctx.store.get(code);
    if (!s) return;
    const final = isFinal(s);
    for (const [res, browser] of [...w.subs]) {
      res.write(message(s, browser));
      if (final) { res.end(); drop(code, res); }
    }
  }

  /**
   * Answers `GET /contracts/{code}/events` for session `s`: the stream, starting with the
   * current status. `browser`: the browser id the forms' tokens are made for.
   */
  function subscribe(req, res, s, browser) {
    const code = s.code;
    const w = watched.get(code);
    if (open >= maxStreams) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '30' });
      return res.end(`too many live-status streams (${maxStreams}); reload the page later\n`);
    }
    if (w && w.subs.size >= maxPerSession) {
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '30' });
      return res.end(`too many live-status streams for this pre-sign (${maxPerSession})\n`);
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    res.write(message(s, browser));
    if (isFinal(s)) return res.end();
    const entry = w ?? { subs: new Map(), timer: null };
    if (!w) {
      watched.set(code, entry);
      const wait = Math.max(0, s.expiresAt - Date.now()) + 50;
      if (!s.signed) { entry.timer = setTimeout(() => broadcast(code), wait); entry.timer.unref(); }
    }
    entry.subs.set(res, browser);
    open += 1;
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    res.on('close', () => { clearInterval(ping); drop(code, res); });
    return undefined;
  }

  return {
    broadcast,
    subscribe,
    /** Open streams: in all, and for one session. */
    count: (code) => (code === undefined ? open : watched.get(code)?.subs.size ?? 0),
    close() {
      for (const [code, w] of [...watched]) for (const res of [...w.subs.keys()]) { res.end(); drop(code, res); }
    },
  };
}
