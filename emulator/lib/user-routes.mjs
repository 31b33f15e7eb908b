// The /emulator/ routes: the user's side (signing screen, mini-program stand-in, index)
// and the control API that tests and the demo drive (sign, cancel, terminate, ask to
// terminate, faults, dumps of contracts, orders and notifications).
import { HttpError, parseForm, parseJsonOpt, sendHtml, sendPlainJson } from './http.mjs';
import { indexPage, messagePage, signingPage } from './pages.mjs';

/**
 * @param {{ client, keyId, store, faults, notifier, baseUrl: () => string }} env
 * @returns {(ctx, body) => Promise<void>}
 */
export function userRoutes(env) {
  const { client, keyId, store, deductions, faults, notifier } = env;

  function renderSession(res, c, miniProgram) {
    const formAction = `/emulator/pre-entrust/${encodeURIComponent(c.pre_entrustweb_id)}${miniProgram ? '?from=mini-program' : ''}`;
    const status = c.state === 'EXPIRED' ? 410 : 200;
    sendHtml(res, status, signingPage(c, { miniProgram, formAction }));
  }

  function preEntrustPage(ctx, body, id) {
    const { req, res, query } = ctx;
    const c = store.bySession(id);
    const miniProgram = query.get('from') === 'mini-program';
    if (!c) return sendHtml(res, 404, messagePage('预签约不存在 Not found', `pre_entrustweb_id ${id} does not exist`));
    if (req.method === 'GET') return renderSession(res, c, miniProgram);
    const form = parseForm(body);
    if (form.action === 'terminate') {
      // the user asks to end a signed contract: the merchant is asked first
      if (c.state === 'SIGNED' && c.termination_inquiries?.at(-1)?.state !== 'PENDING') store.requestTermination(c.contract_id);
      return renderSession(res, c, miniProgram);
    }
    if (form.action === 'cancel') {
      if (c.state === 'PENDING') c.state = 'CANCELLED';
      return renderSession(res, c, miniProgram);
    }
    if (form.action !== 'agree') return sendHtml(res, 400, messagePage('请求错误 Bad request', 'action must be agree, cancel or terminate'));
    if (c.state !== 'PENDING') return renderSession(res, c, miniProgram);
    store.sign(id);
    if (c.return_url && !miniProgram) {
      res.writeHead(303, { Location: c.return_url, 'Content-Length': 0 });
      return res.end();
    }
    return renderSession(res, c, miniProgram);
  }

  return async function route(ctx, body) {
    const { req, res, pathname, query } = ctx;
    const parts = pathname.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
    // parts[0] === 'emulator'
    const method = req.method;
    const notAllowed = (allow) => { throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}; allowed: ${allow}`); };

    if (parts.length === 1 || (parts.length === 2 && parts[1] === 'index.html')) {
      if (method !== 'GET') notAllowed('GET');
      return sendHtml(res, 200, indexPage(env.baseUrl(), store.all()));
    }
    if (parts[1] === 'health' && parts.length === 2) {
      return sendPlainJson(res, 200, {
        ok: true, url: env.baseUrl(), backup_url: env.hosts.backupUrl, main_up: env.hosts.mainUp,
        mchid: client.mchid, plan_id: client.plan_id, appid: client.appid, wechatpay_serial: keyId,
      });
    }
    if (parts[1] === 'time' && parts.length === 2) {
      if (method === 'GET') return sendPlainJson(res, 200, env.advanceTime(0));
      if (method !== 'POST') notAllowed('GET, POST');
      return sendPlainJson(res, 200, env.advanceTime(parseJsonOpt(body).advance_ms));
    }
    if (parts[1] === 'certificates' && parts.length === 2) {
      if (method !== 'GET') notAllowed('GET');
      return sendPlainJson(res, 200, env.keys.summary());
    }
    if (parts[1] === 'main' && parts.length === 3 && (parts[2] === 'down' || parts[2] === 'up')) {
      if (method !== 'POST') notAllowed('POST');
      if (parts[2] === 'down') {
        // answer first: the request may have come in through the main host itself
        res.on('finish', () => { env.hosts.takeMainDown(); });
        return sendPlainJson(res, 200, { main_up: false, url: env.baseUrl(), backup_url: env.hosts.backupUrl });
      }
      await env.hosts.bringMainUp();
      return sendPlainJson(res, 200, { main_up: true, url: env.baseUrl(), backup_url: env.hosts.backupUrl });
    }
    if (parts[1] === 'pre-entrust' && parts.length >= 3) {
      const id = parts[2];
      if (parts.length === 3) {
        if (method !== 'GET' && method !== 'POST') notAllowed('GET, POST');
        return preEntrustPage(ctx, body, id);
      }
      if (parts.length === 4 && (parts[3] === 'sign' || parts[3] === 'cancel')) {
        if (method !== 'POST') notAllowed('POST');
        const opts = parseJsonOpt(body);
        if (parts[3] === 'cancel') return sendPlainJson(res, 200, store.cancel(id));
        const view = store.sign(id, { openid: typeof opts.openid === 'string' ? opts.openid : undefined });
        return sendPlainJson(res, 200, { pre_entrustweb_id: id, ...view });
      }
    }
    if (parts[1] === 'contracts') {
      if (parts.length === 2) {
        if (method !== 'GET') notAllowed('GET');
        return sendPlainJson(res, 200, store.all().map((c) => store.dump(c)));
      }
      if (parts.length === 3) {
        if (method !== 'GET') notAllowed('GET');
        const c = store.find(parts[2]) ?? store.byCode(parts[2]);
        if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `no contract ${parts[2]}`);
        return sendPlainJson(res, 200, store.dump(c));
      }
      if (parts.length === 4 && parts[3] === 'terminate') {
        if (method !== 'POST') notAllowed('POST');
        const opts = parseJsonOpt(body);
        return sendPlainJson(res, 200, store.terminate(parts[2], opts));
      }
      if (parts.length === 4 && parts[3] === 'request-termination') {
        if (method !== 'POST') notAllowed('POST');
        const opts = parseJsonOpt(body);
        const { inquiry } = store.requestTermination(parts[2], { remark: typeof opts.remark === 'string' ? opts.remark : undefined });
        return sendPlainJson(res, 202, { contract_id: parts[2], ...inquiry });
      }
    }
    if (parts[1] === 'mini-program' && parts.length === 2) {
      if (method !== 'GET') notAllowed('GET');
      const mpPath = query.get('path') ?? '';
      const qi = mpPath.indexOf('?');
      const id = query.get('pre_entrustweb_id') ?? (qi >= 0 ? new URLSearchParams(mpPath.slice(qi + 1)).get('pre_entrustweb_id') : null);
      const c = id ? store.bySession(id) : null;
      if (!c) return sendHtml(res, 404, messagePage('小程序页面不存在 Not found', `no pre-sign session for mini-program path "${mpPath}"`));
      return renderSession(res, c, true);
    }
    if (parts[1] === 'orders' && parts.length === 4 && parts[3] === 'charge') {
      if (method !== 'POST') notAllowed('POST');
      return sendPlainJson(res, 200, deductions.chargeNow(parts[2]));
    }
    if (parts[1] === 'orders' && parts.length <= 3) {
      if (method !== 'GET') notAllowed('GET');
      if (parts.length === 2) return sendPlainJson(res, 200, [...deductions.orders.values()].map((x) => deductions.dump(x)));
      const x = deductions.orders.get(parts[2]);
      if (!x) throw new HttpError(404, 'ORDER_NOT_EXIST', `no order ${parts[2]}`);
      return sendPlainJson(res, 200, deductions.dump(x));
    }
    if (parts[1] === 'notifications' && parts.length === 2) {
      if (method !== 'GET') notAllowed('GET');
      return sendPlainJson(res, 200, notifier.records);
    }
    if (parts[1] === 'faults' && parts.length === 2) {
      if (method === 'GET') return sendPlainJson(res, 200, faults.list);
      if (method === 'DELETE') { faults.clear(); return sendPlainJson(res, 200, faults.list); }
      if (method === 'POST') {
        const f = parseJsonOpt(body);
        try {
          const detail = f.detail && typeof f.detail === 'object' && !Array.isArray(f.detail) ? f.detail : undefined;
          faults.inject({ kind: f.kind, times: f.times, ms: f.ms, method: f.method, path: f.path, detail });
        } catch (e) {
          throw new HttpError(400, 'PARAM_ERROR', e.message);
        }
        return sendPlainJson(res, 200, faults.list);
      }
      notAllowed('GET, POST, DELETE');
    }
    throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `no emulator page at ${pathname}`);
  };
}
