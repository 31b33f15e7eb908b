// The forms of a contract's page, each a POST /contracts/{code}/... through the guard
// (form-post.mjs: its own token, Sec-Fetch-Site / Origin; the Host was checked before):
//
//   /deduct               a charge: the amount typed in yuan, sent in fen (applyDeduction)
//   /query                the contract query (queryContract); the answer is shown
//   /orders/{no}/query    the order query (queryOrder); a final answer settles the charge
//   /policy               the operator's answer to termination inquiries
//   /request-termination  (emulator) the user asks to end the contract: inquiry first
//   /terminate            (emulator) a termination that does not ask the merchant
import { randomBytes } from 'node:crypto';
import { send } from './http.mjs';
import { messagePage } from './layout.mjs';
import { resultPage } from './pages.mjs';
import { formPost } from './form-post.mjs';
import { actions } from './charges-page.mjs';
import { yuanToFen } from './deductions.mjs';
import { applyDeduction, queryContract, queryOrder } from './calls.mjs';

/** The sub-paths handled here. */
export const CONTRACT_FORMS = /^\/(?:deduct|query|policy|request-termination|terminate|orders\/[^/]+\/query)$/;

/** A new out_trade_no: 1..32 of [0-9A-Za-z_-*]; `D` + UTC time to the second + 8 random. */
export function newTradeNo(now = new Date()) {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `D${stamp}${randomBytes(6).toString('base64url').replace(/[^A-Za-z0-9]/g, '0').slice(0, 8)}`;
}

const back = (res, code) => {
  res.writeHead(303, { Location: `/contracts/${encodeURIComponent(code)}` });
  res.end();
};

/** WeChat Pay refused the call (an answer, 4xx), as opposed to no answer or a 5xx. */
const refusedByApi = (e) => e?.kind === 'validation' || (e?.kind === 'api' && e.status >= 400 && e.status < 500);

/** The contract page again (status `status`), with the deduction form's values or answers. */
async function pageAgain(ctx, req, res, code, status, extra) {
  const browser = ctx.guard.browserOf(req);
  const tokenFor = browser ? (action) => ctx.guard.tokenFor(browser, action) : null;
  return send(res, status, await resultPage(ctx, ctx.store.get(code), tokenFor, extra));
}

async function deduct(ctx, req, res, s, params) {
  const { store, say } = ctx;
  const values = {
    amount: String(params.get('amount') ?? '').slice(0, 40),
    description: String(params.get('description') ?? '').trim(),
    harmony_account_id: String(params.get('harmony_account_id') ?? '').trim(),
  };
  const again = (status, error) => pageAgain(ctx, req, res, s.code, status, { deduct: { ...values, error } });
  const fen = yuanToFen(values.amount);
  if (fen === null) {
    return again(422, `金额无效：请填写元，最多两位小数（例如 12.30）。Amount: a positive number of yuan with at most two decimals (e.g. 12.30), not ${JSON.stringify(values.amount)}. Nothing was sent.`);
  }
  const outTradeNo = newTradeNo();
  try {
    // Written APPLYING before it is sent: a crash leaves a row for the order query.
    store.deductions.begin({ out_trade_no: outTradeNo, code: s.code, amount_fen: fen, description: values.description });
  } catch (e) {
    if (!e.code || e.code.startsWith('SQLITE')) throw e;
    return again(409, `未发送 Not sent: ${e.code}: ${e.message}`);
  }
  store.changed(s.code);
  const body = {
    appid: ctx.appid,
    out_trade_no: outTradeNo,
    description: values.description,
    transaction_notify_url: `${ctx.publicUrl}/notify`,
    contract_id: s.signed.contract_id,
    amount: { total: fen, currency: 'CNY' },
    harmony_account_id: values.harmony_account_id,
  };
  try {
    await applyDeduction(ctx.client, body);
    store.deductions.accepted(outTradeNo);
    say(`deduct ${outTradeNo}: ${fen} fen accepted`);
  } catch (e) {
    say(`deduct ${outTradeNo}: ${e.code} ${e.message}`);
    if (refusedByApi(e)) {
      store.deductions.refused(outTradeNo, e.code);
      store.changed(s.code);
      const issues = Array.isArray(e.issues) ? e.issues : e.detail?.issues;
      const list = Array.isArray(issues) ? ` (${issues.map((i) => `${i.field}: ${i.message ?? i.issue}`).join('; ')})` : '';
      return again(502, `微信支付拒绝了扣款 WeChat Pay refused the charge: ${e.code}: ${String(e.message).replace(/^WeChat Pay answered HTTP \d+ [A-Z_0-9]+: /, '')}${list}`);
    }
    // No answer, or a 5xx: the charge may have been accepted. It stays APPLYING until the
    // order query (or its notification) says what happened.
    return again(504, `未知结果 No answer from WeChat Pay (${e.code}); the charge ${outTradeNo} stays "sending": query the order to learn its state.`);
  }
  store.changed(s.code);
  return back(res, s.code);
}

async function orderQuery(ctx, req, res, s, outTradeNo) {
  const { store } = ctx;
  const d = store.deductions.get(outTradeNo);
  if (!d || d.out_contract_code !== s.code) return send(res, 404, messagePage(ctx, `no charge ${outTradeNo} on contract ${s.code}`));
  let answer;
  let error;
  try {
    answer = await queryOrder(ctx.client, { out_trade_no: outTradeNo });
    // The order query reconciles a charge whose answer or notification went missing.
    if (answer.trade_state === 'ACCEPT') store.deductions.accepted(outTradeNo);
    else store.deductions.applyResult(answer);
  } catch (e) {
    error = e;
    if (e.kind === 'api' && e.code === 'ORDER_NOT_EXIST') store.deductions.refused(outTradeNo, e.code);
  }
  store.changed(s.code);
  return pageAgain(ctx, req, res, s.code, 200, { answers: [{ id: 'order-query', title: `订单查询 <span class="en">Order query: ${outTradeNo}</span>`, answer, error }] });
}

async function contractQuery(ctx, req, res, s) {
  let answer;
  let error;
  try {
    answer = await queryContract(ctx.client, { plan_id: s.signed?.plan_id ?? s.request.plan_id, out_contract_code: s.code });
  } catch (e) {
    error = e;
  }
  return pageAgain(ctx, req, res, s.code, 200, { answers: [{ id: 'contract-query', title: '签约查询 <span class="en">Contract query</span>', answer, error }] });
}

/** Waits for `promise` at most `ms` (a notification usually arrives well within it). */
const atMost = (promise, ms) => Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]).catch(() => {});

async function emulatorTermination(ctx, res, s, ask) {
  const { emu, say } = ctx;
  const id = s.signed.contract_id;
  try {
    if (ask) {
      // The user's termination: the emulator sends ENTRUST.TERMINATE_INQUIRY and acts on our answer.
      const inquiry = await atMost(emu.requestTermination(id, { remark: '用户申请解约 demo' }), 3000);
      say(`request-termination ${s.code}: ${inquiry?.state ?? 'pending'}`);
      if (inquiry?.state !== 'ALLOWED') return back(res, s.code);
    } else {
      emu.terminate(id, { remark: '演示解约 demo termination' });
    }
  } catch (e) {
    say(`terminate ${s.code}: ${e.code ?? e.message}`);
    return back(res, s.code);
  }
  // Give the ENTRUST.TERMINATE notification a moment, so the page usually shows it already.
  await atMost(emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: id }, 2000), 2500);
  return back(res, s.code);
}

/** Answers POST /contracts/{code}{sub} for contract `s`; false when it does not apply (404). */
export async function contractForm(ctx, req, res, s, sub) {
  const a = actions(s.code);
  const order = /^\/orders\/([^/]+)\/query$/.exec(sub);
  let outTradeNo = null;
  if (order) {
    try { outTradeNo = decodeURIComponent(order[1]); } catch { return send(res, 400, messagePage(ctx, 'bad URL')); }
  }
  const action = order ? a.orderQuery(outTradeNo) : `/contracts/${encodeURIComponent(s.code)}${sub}`;
  const emulatorOnly = sub === '/terminate' || sub === '/request-termination';
  if (emulatorOnly && !ctx.emu) return false;
  const params = await formPost(ctx, req, res, action);
  if (!params) return undefined;
  if (sub === '/policy') {
    try {
      ctx.store.inquiries.setPolicy(params.get('policy'));
    } catch (e) {
      return send(res, 400, messagePage(ctx, e.message, '无效 Invalid'));
    }
    ctx.say(`inquiry policy: ${params.get('policy')}`);
    ctx.store.changed(s.code);
    return back(res, s.code);
  }
  if (!s.signed) return send(res, 409, messagePage(ctx, `contract ${s.code} is not signed yet`, '未签约 Not signed'));
  if (order) return orderQuery(ctx, req, res, s, outTradeNo);
  if (sub === '/query') return contractQuery(ctx, req, res, s);
  if (s.terminated) return send(res, 409, messagePage(ctx, `contract ${s.code} is terminated`, '已解约 Terminated'));
  if (sub === '/deduct') return deduct(ctx, req, res, s, params);
  return emulatorTermination(ctx, res, s, sub === '/request-termination');
}
