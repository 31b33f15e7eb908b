// Who may talk to the demo: the Host it serves (against DNS rebinding), and for a state-
// changing request, its own page (Fetch Metadata / Origin, and a per-form token).
//
// The token is bound to the browser (a random cookie, HttpOnly, SameSite=Lax) and to the
// form's action: HMAC-SHA256(demo secret, cookie || action), compared in constant time. A page
// of another site can neither read the token (it would need the demo's page, which the Host
// and same-origin checks keep from it) nor forge it (the secret never leaves the process).
import { randomBytes, createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_FIELD = 'csrf_token';
const COOKIE = 'demo_browser';

/**
 * `hosts`: the Host values the demo answers (e.g. 127.0.0.1:3000, localhost:3000 and, in real
 * mode, DEMO_PUBLIC_URL's host); `origins`: the origins its pages are served from.
 */
export function createGuard({ hosts, origins, secret = randomBytes(32) }) {
  const hostSet = new Set(hosts.map((h) => h.toLowerCase()));
  const originSet = new Set(origins);

  /** The request's Host is one the demo serves; else why not. */
  function checkHost(req) {
    const host = String(req.headers.host ?? '').toLowerCase();
    return hostSet.has(host) ? null : `Host ${JSON.stringify(host.slice(0, 64))} is not served here`;
  }

  /** The browser id of this request's cookie, or null. */
  function browserOf(req) {
    const m = /(?:^|;\s*)demo_browser=([A-Za-z0-9_-]{43})(?:;|$)/.exec(req.headers.cookie ?? '');
    return m ? m[1] : null;
  }

  /**
   * The browser id for a page being rendered: the cookie's, or a new one with the Set-Cookie
   * header that stores it (`headers` gets it).
   */
  function browserFor(req, headers) {
    const known = browserOf(req);
    if (known) return known;
    const id = randomBytes(32).toString('base64url');
    headers['Set-Cookie'] = `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`;
    return id;
  }

  const mac = (browser, action) => createHmac('sha256', secret).update(`${browser}\n${action}`).digest();

  /** The token of the form posting to `action`, for this browser. */
  const tokenFor = (browser, action) => mac(browser, action).toString('base64url');

  /**
   * A state-changing request to `action`: from the demo's own page (Sec-Fetch-Site, Origin)
   * and with the form's token. Returns null when it may proceed, else the reason.
   */
  function checkForm(req, action, token) {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is ${JSON.stringify(String(site).slice(0, 32))}, not same-origin`;
    const origin = req.headers.origin;
    if (origin !== undefined && !originSet.has(origin)) return `Origin ${JSON.stringify(String(origin).slice(0, 64))} is not this demo`;
    const browser = browserOf(req);
    if (!browser) return 'no browser cookie: open the form again';
    if (typeof token !== 'string' || token.length === 0) return 'the form token is missing: open the form again';
    const given = Buffer.from(token, 'base64url');
    const expected = mac(browser, action);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the form token is not valid for this browser and form: open the form again';
    return null;
  }

  return { checkHost, checkForm, browserOf, browserFor, tokenFor };
}
