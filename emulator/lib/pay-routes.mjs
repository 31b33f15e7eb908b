// The /v3/ routes of deductions: POST .../harmony/transactions/apply (spec section 2) and
// GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid= (spec section 4).
import { HttpError, paramIssues, parseJsonBody } from './http.mjs';
import { validateApplyDeduction, validateOutTradeNo } from './validate.mjs';

export const APPLY_PATH = '/v3/papay/pay/harmony/transactions/apply';
const ORDER_QUERY_RE = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/;

/**
 * @param {{ client, auth, deductions, faults, keys, sendSigned }} env
 * @returns {Array<{ path?, re?, method, handle }>}
 */
export function payRoutes(env) {
  const { client, auth, keys, sendSigned } = env;

  function apply(ctx, body) {
    const { req } = ctx;
    auth.check(req, body);
    const json = parseJsonBody(body);
    const issues = validateApplyDeduction(json);
    if (issues.length) throw paramIssues(issues);
    if (json.appid !== client.appid) {
      throw new HttpError(400, 'APPID_MCHID_NOT_MATCH', `appid和mchid不匹配 (appid ${json.appid} is not bound to merchant ${client.mchid})`, { field: '/appid', value: json.appid, issue: 'appid not bound to this mchid', location: 'body' });
    }
    const answer = env.deductions.apply(json, {
      mode: keys.modeOf(req),
      takeFail: () => env.faults.take('charge', req, ctx.pathname),
    });
    sendSigned(ctx, 200, answer);
  }

  function queryOrder(ctx, body, m) {
    const { req, query } = ctx;
    const a = auth.check(req, body);
    let tradeNo;
    try {
      tradeNo = decodeURIComponent(m[1]);
    } catch {
      throw new HttpError(400, 'PARAM_ERROR', 'path parameters are not valid percent-encoding', { location: 'path' });
    }
    const issues = validateOutTradeNo(tradeNo);
    if (issues.length) throw paramIssues(issues, 'path');
    const mchid = query.get('mchid');
    if (!mchid) {
      throw new HttpError(400, 'PARAM_ERROR', '参数错误: mchid is required (query string ?mchid=)', { field: 'mchid', issue: 'is required', location: 'query' });
    }
    if (mchid !== a.mchid) {
      throw new HttpError(400, 'INVALID_REQUEST', `商户号与签名商户号不一致 (mchid ${mchid} in the query is not the signing merchant ${a.mchid})`, { field: 'mchid', value: mchid, issue: 'is not the mchid of the Authorization header', location: 'query' });
    }
    const order = env.deductions.orders.get(tradeNo);
    if (!order) throw new HttpError(404, 'ORDER_NOT_EXIST', `订单不存在 (no order with out_trade_no ${tradeNo})`);
    sendSigned(ctx, 200, env.deductions.view(order));
  }

  return [
    { path: APPLY_PATH, method: 'POST', handle: apply },
    { re: ORDER_QUERY_RE, method: 'GET', handle: queryOrder },
  ];
}
