// The demo's routes: GET / (form), POST /presign, /contracts/{code} (page, JSON status, live
// status; the contract's forms in contract-routes.mjs), POST /notify.
//
// Every request must name a Host the demo serves (DNS rebinding); every state-changing form
// (POST /presign and the POST /contracts/{code}/... forms) must come from the demo's own page
// with its token (guard.mjs, form-post.mjs). POST /notify is WeChat Pay's server-to-server call: no Origin,
// no token; the notification's signature is what proves it.
import { validatePreEntrustSign } from 'wechatpay-wasm';
import { FIELD_KEYS, pointerToKey, defaultValues, valuesFromForm, bodyFromValues } from './fields.mjs';
import { messagePage } from './layout.mjs';
import { formPage, resultPage, stateOf } from './pages.mjs';
import { send } from './http.mjs';
import { handleNotification } from './notify.mjs';
import { formPost } from './form-post.mjs';
import { contractForm, CONTRACT_FORMS } from './contract-routes.mjs';

/** Validation issues -> messages by form field, and those no field shows. */
function issuesByField(issues) {
  const errors = new Map();
  const formErrors = [];
  for (const i of issues) {
    const key = pointerToKey(i.field);
    if (FIELD_KEYS.has(key) || key === 'device_info') {
      if (!errors.has(key)) errors.set(key, []);
      errors.get(key).push(i.message);
    } else {
      formErrors.push(i.field ? `${i.field}: ${i.message}` : i.message);
    }
  }
  return { errors, formErrors };
}

async function presign(ctx, req, res) {
  const { client, store, say } = ctx;
  const params = await formPost(ctx, req, res, '/presign');
  if (!params) return;
  const values = valuesFromForm(params);
  const body = bodyFromValues(values);
  const token = ctx.guard.tokenFor(ctx.guard.browserFor(req, {}), '/presign');
  const issues = validatePreEntrustSign(body);
  if (issues.length) {
    say(`presign ${body.out_contract_code}: ${issues.length} validation issue(s), nothing sent`);
    return send(res, 422, formPage(ctx, { values, token, ...issuesByField(issues) }));
  }
  if (!store.canAdd()) {
    say(`presign ${body.out_contract_code}: too many open pre-signs, nothing sent`);
    return send(res, 429, formPage(ctx, { values, token, formErrors: ['未发送：等待签约的预签约太多，请等它们过期 Too many pre-signs are waiting for the user; nothing was sent (retry when some have expired)'] }), { 'Retry-After': '60' });
  }
  try {
    const answer = await client.preEntrustSign(body);
    store.add(body.out_contract_code, body, answer);
    say(`presign ${body.out_contract_code}: ${answer.pre_entrustweb_id}`);
    res.writeHead(303, { Location: `/contracts/${encodeURIComponent(body.out_contract_code)}` });
    return res.end();
  } catch (e) {
    say(`presign ${body.out_contract_code}: ${e.code} ${e.message}`);
    return send(res, 502, formPage(ctx, { values, token, apiError: e }));
  }
}

/** `/contracts/{code}` and its sub-resources; false when no route matched (404 below). */
async function contract(ctx, req, res, rawCode, sub) {
  const { store } = ctx;
  let code;
  try { code = decodeURIComponent(rawCode); } catch { return send(res, 400, messagePage(ctx, 'bad URL')); }
  const s = store.get(code);
  if (!s) return send(res, 404, messagePage(ctx, `没有这个签约协议号 No pre-sign with out_contract_code ${code} in this demo.`));
  if (req.method === 'GET' && !sub) {
    const headers = {};
    const browser = ctx.guard.browserFor(req, headers);
    return send(res, 200, await resultPage(ctx, s, (action) => ctx.guard.tokenFor(browser, action)), headers);
  }
  if (req.method === 'GET' && sub === '/status') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    return res.end(JSON.stringify({
      state: stateOf(s), out_contract_code: s.code, contract: s.signed, terminated: s.terminated, events: s.events,
      duplicates: s.duplicates, deductions: s.deductions, inquiries: s.inquiries, inquiry_policy: store.inquiries.policy(),
    }));
  }
  if (req.method === 'GET' && sub === '/events') return ctx.live.subscribe(req, res, s, ctx.guard.browserOf(req));
  if (req.method === 'POST' && sub && CONTRACT_FORMS.test(sub)) return contractForm(ctx, req, res, s, sub);
  return false;
}

/** Answers one request; `ctx` holds the client, the store, the live status and the mode. */
export async function handle(ctx, req, res) {
  const url = new URL(req.url, 'http://demo.invalid');
  const p = url.pathname;
  let m;
  const wrongHost = ctx.guard.checkHost(req);
  if (wrongHost) {
    // 421 Misdirected Request: this server does not answer for that authority.
    res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    return res.end(`${wrongHost}\n`);
  }
  if (req.method === 'GET' && p === '/') {
    const headers = {};
    const token = ctx.guard.tokenFor(ctx.guard.browserFor(req, headers), '/presign');
    return send(res, 200, formPage(ctx, { values: defaultValues(ctx), token }), headers);
  }
  if (req.method === 'POST' && p === '/presign') return presign(ctx, req, res);
  if ((m = p.match(/^\/contracts\/([^/]+)(\/[^/]+|\/orders\/[^/]+\/query)?$/))) {
    if (await contract(ctx, req, res, m[1], m[2]) !== false) return undefined;
  }
  if (req.method === 'POST' && p === '/notify') return handleNotification(ctx, req, res);
  if (p === '/favicon.ico') { res.writeHead(204); return res.end(); }
  return send(res, 404, messagePage(ctx, `${req.method} ${p}`));
}
