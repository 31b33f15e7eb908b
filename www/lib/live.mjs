// The live status: server-sent events per session (the only script on the pages).
import { stateOf, statusInner } from './pages.mjs';

export function createLive(ctx) {
  const listeners = new Map(); // code -> Set of SSE responses

  const message = (s) => `data: ${JSON.stringify({ state: stateOf(s), html: statusInner(ctx, s) })}\n\n`;

  /** Sends session `code`'s status to everyone watching it. */
  function broadcast(code) {
    const s = ctx.store.get(code);
    const subs = listeners.get(code);
    if (!s || !subs) return;
    const data = message(s);
    for (const res of subs) res.write(data);
  }

  /** Answers `GET /contracts/{code}/events`: the stream, starting with the current status. */
  function subscribe(req, res, s) {
    const code = s.code;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    if (!listeners.has(code)) listeners.set(code, new Set());
    listeners.get(code).add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    req.on('close', () => { clearInterval(ping); listeners.get(code)?.delete(res); });
    res.write(message(s));
  }

  return {
    broadcast,
    subscribe,
    close() {
      for (const subs of listeners.values()) for (const r of subs) r.end();
      listeners.clear();
    },
  };
}
