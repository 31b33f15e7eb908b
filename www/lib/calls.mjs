// The four calls of the deduction flow that the demo makes, in one place.
//
// The package's typed calls for them (client.queryContract, client.applyDeduction,
// client.queryOrder and terminateInquiryReply, issue 16 point 1-2) are not in the package yet;
// until they are, these go through its generic call, client.request(method, path, { json,
// query, params }), which signs, sends and verifies the answer exactly as the typed calls do,
// and this module builds the inquiry's answer. Once they land, each body below becomes one line:
//
//   queryContract:         return client.queryContract({ plan_id, out_contract_code });
//   applyDeduction:        return client.applyDeduction(body);
//   queryOrder:            return client.queryOrder({ out_trade_no });
//   terminateInquiryReply: return pkgTerminateInquiryReply(allow, message);  (import it)

/** GET the contract by the merchant's code (harmony-deduction.md section 1): its JSON view. */
export async function queryContract(client, { plan_id, out_contract_code }) {
  const res = await client.request('GET', '/v3/papay/sign/contracts/harmony-plan-id/{plan_id}/out-contract-code/{out_contract_code}', {
    params: { plan_id, out_contract_code },
  });
  return res.json();
}

/** POST a deduction (section 2): `{ out_trade_no, amount }` once WeChat Pay accepted it. */
export async function applyDeduction(client, body) {
  const res = await client.request('POST', '/v3/papay/pay/harmony/transactions/apply', { json: body });
  return res.json();
}

/** GET the deduction order (section 4); `mchid`: the merchant's (the typed call adds it itself). */
export async function queryOrder(client, { out_trade_no }, mchid) {
  const res = await client.request('GET', '/v3/pay/transactions/out-trade-no/{out_trade_no}', {
    params: { out_trade_no },
    query: { mchid },
  });
  return res.json();
}

/**
 * The answer to ENTRUST.TERMINATE_INQUIRY (section 3, and the emulator's decision 10): HTTP 200
 * with `{"code":"SUCCESS"}` lets the user end the contract; `{"code":"FAIL","message":…}`
 * refuses, and WeChat Pay shows the message to the user. A non-2xx would be a failed delivery
 * (retried), not a refusal. Shaped like notificationReply(): `{ status, headers, body }`.
 */
export function terminateInquiryReply(allow, message = '') {
  const body = allow
    ? { code: 'SUCCESS', message: message || '成功' }
    : { code: 'FAIL', message: message || '暂不能解约 (the merchant refused the termination)' };
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
