// Who may drive the /emulator/ control routes. The /v3/ API needs a merchant signature,
// so it answers any origin (`Access-Control-Allow-Origin: *`). The control routes sign,
// cancel and terminate contracts and queue faults with no credentials at all, so:
// - the Host header must name a loopback host (a DNS-rebinding page has its own name);
// - a state-changing request (any method but GET, HEAD, OPTIONS) from a browser must come
//   from a loopback origin: a non-loopback or opaque (`null`) Origin, or
//   `Sec-Fetch-Site: cross-site` without a loopback Origin, is refused;
// - CORS is granted only to loopback origins (reflected, never `*`), which is what the
//   browser smoke test of tests/runtimes needs (a page on 127.0.0.1 at another port).
// Requests with neither Origin nor Sec-Fetch-Site (Node, Deno, curl) are servers: allowed.
import { HttpError } from './http.mjs';
import { isLoopbackHost as isLoopbackName } from './validate.mjs';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CONTROL_ALLOW_METHODS = 'GET, POST, DELETE';
export const CONTROL_ALLOW_HEADERS = 'Content-Type';

/** An Origin header value naming an http(s) page on a loopback host. */
export function isLoopbackOrigin(origin) {
  if (typeof origin !== 'string' || origin === 'null') return false;
  let u;
  try { u = new URL(origin); } catch { return false; }
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === origin && isLoopbackName(u.hostname);
}

function hostIsLoopback(host) {
  if (host === undefined) return true; // HTTP/1.0 without Host: not a browser
  try {
    const u = new URL(`http://${host}`);
    return u.host === host.toLowerCase() && isLoopbackName(u.hostname);
  } catch {
    return false;
  }
}

const short = (s) => JSON.stringify(String(s).slice(0, 80));

/**
 * Checks a request to a control route; throws 403 when refused. Returns the origin CORS
 * may grant (a loopback Origin), or null.
 */
export function guardControl(req) {
  const host = req.headers.host;
  if (!hostIsLoopback(host)) {
    throw new HttpError(403, 'HOST_NOT_ALLOWED', `the emulator's control routes answer only to a loopback Host (127.0.0.1, localhost, [::1]), not ${short(host)}`);
  }
  const origin = req.headers.origin;
  const loopback = isLoopbackOrigin(origin);
  if (!SAFE_METHODS.has(req.method) || (req.method === 'OPTIONS' && origin !== undefined)) {
    if (origin !== undefined && !loopback) {
      throw new HttpError(403, 'CROSS_ORIGIN_REFUSED', `the emulator's control routes refuse requests from the page at ${short(origin)}: only pages on a loopback host, or servers, may drive them`);
    }
    if (!loopback && req.headers['sec-fetch-site'] === 'cross-site') {
      throw new HttpError(403, 'CROSS_ORIGIN_REFUSED', "the emulator's control routes refuse cross-site browser requests (Sec-Fetch-Site: cross-site)");
    }
  }
  return loopback ? origin : null;
}

/** CORS headers of a control answer: the loopback origin reflected, or none. */
export function controlCors(res, origin) {
  res.removeHeader('Access-Control-Allow-Origin');
  res.removeHeader('Access-Control-Expose-Headers');
  res.setHeader('Vary', 'Origin');
  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
}
