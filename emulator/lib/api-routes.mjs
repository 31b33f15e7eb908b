// The /v3/ API routes: POST pre-entrust-sign, the GET contract queries, GET
// /v3/certificates, and the dispatcher over them and the deduction routes of pay-routes.mjs.
import { HttpError, paramError, paramIssues, parseJsonBody } from './http.mjs';
import { mangleCertificates } from './faults.mjs';
import { validateContractPath, validatePreEntrustSign } from './validate.mjs';
import { payRoutes } from './pay-routes.mjs';
import { randomString } from './wire.mjs';

export const PRE_ENTRUST_PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
export const CERTIFICATES_PATH = '/v3/certificates';
const CONTRACT_QUERY_RE = /^\/v3\/papay\/sign\/contracts\/plan-id\/([^/]+)\/out-contract-code\/([^/]+)$/;
const HARMONY_CONTRACT_RE = /^\/v3\/papay\/sign\/contracts\/harmony-plan-id\/([^/]+)\/out-contract-code\/([^/]+)$/;

/**
 * @param {{ o, now, client, keyId, auth, store, keys, faults, sendSigned, noCertificates, baseUrl: () => string }} env
 * @returns {(ctx, body) => void} the /v3/ dispatcher (404 for an unknown path)
 */
export function apiRoutes(env) {
  const { o, client, auth, store, keys, sendSigned } = env;

  function preEntrustSign(ctx, body) {
    const { req } = ctx;
    auth.check(req, body);
    const json = parseJsonBody(body);
    const bad = validatePreEntrustSign(json);
    if (bad) throw paramError(bad.field, bad.value, bad.issue, `输入源"/body${bad.field}"校验失败 (${bad.field || 'body'} ${bad.issue})`);
    if (json.plan_id !== client.plan_id) {
      throw new HttpError(400, 'INVALID_REQUEST', `委托代扣模板不存在 (unknown plan_id ${json.plan_id}: merchant ${client.mchid} has no such plan)`, { field: '/plan_id', value: json.plan_id, issue: 'unknown plan_id', location: 'body' });
    }
    if (json.appid !== client.appid) {
      throw new HttpError(400, 'APPID_MCHID_NOT_MATCH', `appid和mchid不匹配 (appid ${json.appid} is not bound to merchant ${client.mchid})`, { field: '/appid', value: json.appid, issue: 'appid not bound to this mchid', location: 'body' });
    }
    const prev = store.byCode(json.out_contract_code);
    if (prev) {
      throw new HttpError(400, 'INVALID_REQUEST', `商户签约协议号已使用 (out_contract_code ${json.out_contract_code} was already used for pre-sign ${prev.pre_entrustweb_id}; use a new one)`, { field: '/out_contract_code', value: json.out_contract_code, issue: 'already used', location: 'body' });
    }
    const t = env.now();
    const id = randomString(32);
    const c = {
      pre_entrustweb_id: id,
      contract_id: null,
      state: 'PENDING',
      request: json,
      sign_scene: json.sign_scene,
      mchid: client.mchid,
      appid: json.appid,
      plan_id: json.plan_id,
      out_contract_code: json.out_contract_code,
      contract_display_account: json.contract_display_account,
      out_user_code: json.out_user_code,
      openid: json.openid ?? null,
      contract_notify_url: json.contract_notify_url,
      return_url: json.return_url ?? null,
      created_at: t,
      expires_at: t + o.sessionTtlMs,
      contract_signed_time: null,
      contract_expired_time: null,
      contract_terminate_info: null,
      termination_inquiries: [],
      notifications: [],
      notify_mode: keys.modeOf(req),
    };
    const answer = { pre_entrustweb_id: id };
    if (json.sign_scene === 'SIGN_SCENE_APP') {
      c.mini_program_username = o.miniProgramUsername;
      c.mini_program_path = `pages/index/index?pre_entrustweb_id=${id}`;
      answer.mini_program_username = c.mini_program_username;
      answer.mini_program_path = c.mini_program_path;
    } else {
      c.redirect_url = `${env.baseUrl()}/emulator/pre-entrust/${id}`;
      answer.redirect_url = c.redirect_url;
    }
    store.add(c);
    sendSigned(ctx, 200, answer);
  }

  /** The path parameters of a contract query, percent-decoded. */
  function contractPath(m) {
    try {
      return [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
    } catch {
      throw new HttpError(400, 'PARAM_ERROR', 'path parameters are not valid percent-encoding', { location: 'path' });
    }
  }

  function answerContract(ctx, planId, code) {
    const c = store.byCode(code);
    if (!c || c.plan_id !== Number(planId)) {
      throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `签约协议不存在 (no contract with plan_id ${planId} and out_contract_code ${code})`);
    }
    if (c.state !== 'SIGNED' && c.state !== 'TERMINATED') {
      throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `签约协议不存在 (out_contract_code ${code} has not been signed: pre-sign session is ${c.state})`);
    }
    sendSigned(ctx, 200, store.view(c));
  }

  /** GET .../plan-id/{plan_id}/...: the older path, kept for the tests that use it. */
  function queryContract(ctx, body, m) {
    auth.check(ctx.req, body);
    const [planId, code] = contractPath(m);
    if (!/^[1-9]\d{0,15}$/.test(planId)) {
      throw new HttpError(400, 'PARAM_ERROR', `plan_id must be a positive integer`, { field: 'plan_id', value: planId, issue: 'must be a positive integer', location: 'path' });
    }
    answerContract(ctx, planId, code);
  }

  /** GET .../harmony-plan-id/{plan_id}/out-contract-code/{code} (spec section 1). */
  function queryHarmonyContract(ctx, body, m) {
    auth.check(ctx.req, body);
    const [planId, code] = contractPath(m);
    const issues = validateContractPath(planId, code);
    if (issues.length) throw paramIssues(issues, 'path');
    answerContract(ctx, planId, code);
  }

  /** GET /v3/certificates (wechatpay-apiv3.md section 5), signed with a listed certificate. */
  function certificates(ctx, body) {
    auth.check(ctx.req, body);
    if (!keys.hasCertificates) {
      if (env.noCertificates === 'empty') return sendSigned(ctx, 200, { data: [] }, 'publicKey');
      throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `无可用的平台证书 (merchant ${client.mchid} uses the WeChat Pay public key ${env.keyId}, not platform certificates: verify answers and notifications with that public key)`);
    }
    let out = keys.downloadBody();
    const fault = env.faults.take('certificates', ctx.req, ctx.pathname);
    if (fault) {
      ctx.fault = fault.kind;
      out = mangleCertificates(fault, out);
    }
    sendSigned(ctx, 200, out, 'certificate');
  }

  const routes = [
    { path: CERTIFICATES_PATH, method: 'GET', handle: certificates },
    { path: PRE_ENTRUST_PATH, method: 'POST', handle: preEntrustSign },
    { re: HARMONY_CONTRACT_RE, method: 'GET', handle: queryHarmonyContract },
    { re: CONTRACT_QUERY_RE, method: 'GET', handle: queryContract },
    ...payRoutes(env),
  ];

  return function route(ctx, body) {
    const { req, pathname } = ctx;
    for (const r of routes) {
      const m = r.path !== undefined ? (pathname === r.path ? [pathname] : null) : r.re.exec(pathname);
      if (!m) continue;
      if (req.method !== r.method) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${r.path ?? 'this path'}; use ${r.method}`);
      return r.handle(ctx, body, m);
    }
    throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `the emulator has no API at ${pathname}`);
  };
}
