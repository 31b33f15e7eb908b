// The four calls of the deduction flow that the demo makes, in one place: the package's typed
// calls (issue 16 points 1-2). Each validates its input before anything is sent (every issue
// at once, a WechatPayError of kind "validation"), signs, sends, verifies the answer and
// checks it against the operation's answer schema.
import { terminateInquiryReply as reply } from 'wechatpay-wasm';

/** GET the contract by the merchant's code (harmony-deduction.md section 1): its JSON view. */
export function queryContract(client, { plan_id, out_contract_code }) {
  return client.queryContract({ plan_id, out_contract_code });
}

/** POST a deduction (section 2): `{ out_trade_no, amount }` once WeChat Pay accepted it. */
export function applyDeduction(client, body) {
  return client.applyDeduction(body);
}

/** GET the deduction order (section 4); the client adds its own `mchid` to the query. */
export function queryOrder(client, { out_trade_no }) {
  return client.queryOrder({ out_trade_no });
}

/**
 * The answer to ENTRUST.TERMINATE_INQUIRY (section 3, and the emulator's decision 10): HTTP 200
 * with `{"code":"SUCCESS"}` lets the user end the contract; `{"code":"FAIL","message":…}`
 * refuses, and WeChat Pay shows the message to the user (the package requires one, 1..128
 * characters). A non-2xx would be a failed delivery (retried), not a refusal.
 */
export function terminateInquiryReply(allow, message = '') {
  if (allow) return reply(true, message || '成功');
  return reply(false, message || '暂不能解约 (the merchant refused the termination)');
}
