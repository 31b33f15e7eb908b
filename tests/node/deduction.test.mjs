// The flow after signing against the emulator (issue 16): queryContract, applyDeduction and
// queryOrder as typed calls, and the chain style on the same paths. The emulator
// (emulator/lib, independent of src/) answers; its request log counts what reached it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pkg, emulator, client, body, rejection } from './helpers.mjs';

const { WechatPayError, validateApplyDeduction } = pkg;

let emu;
let slow; // charges only when told to (chargeNow): the order stays ACCEPT until then
const seen = { emu: [], slow: [] };
before(async () => {
  emu = await emulator({ chargeDelayMs: 50, log: (line) => seen.emu.push(line) });
  slow = await emulator({ chargeDelayMs: 600_000, log: (line) => seen.slow.push(line) });
});
after(async () => { await emu.close(); await slow.close(); });

const apiRequests = (which) => seen[which].filter((l) => / \/v3\//.test(l)).length;
const settle = () => new Promise((r) => setTimeout(r, 50));

async function signed(e = emu) {
  const c = client(e);
  const b = body(e);
  const pre = await c.preEntrustSign(b);
  const contract = e.sign(pre.pre_entrustweb_id);
  return { c, b, contract };
}

let n = 0;
function deduction(e, contractId, overrides = {}) {
  n += 1;
  return {
    appid: e.credentials.appid,
    out_trade_no: `D_${Date.now().toString(36)}-${process.pid}*${n}`.slice(0, 32),
    description: '会员月费 monthly',
    transaction_notify_url: 'https://yourapp.example/pay/notify',
    contract_id: contractId,
    amount: { total: 990, currency: 'CNY' },
    attach: 'order-42',
    harmony_account_id: 'harmony-account-1',
    ...overrides,
  };
}

function assertApiError(e, code, status) {
  assert.ok(e instanceof WechatPayError, String(e));
  assert.equal(e.kind, 'api');
  assert.equal(e.code, code);
  assert.equal(e.status, status);
  assert.match(e.requestId, /\S/);
}

test('queryContract answers the signed contract on the HarmonyOS path; a missing one is an api error', async () => {
  const { c, b, contract } = await signed();
  const got = await c.queryContract({ plan_id: b.plan_id, out_contract_code: b.out_contract_code });
  assert.equal(got.contract_id, contract.contract_id);
  assert.equal(got.contract_state, 'SIGNED');
  assert.equal(got.plan_id, b.plan_id);
  assert.equal(got.out_contract_code, b.out_contract_code);
  assert.equal(got.mchid, emu.credentials.mchid);
  assert.deepEqual(got, emu.contractView(contract.contract_id), 'every field the emulator sent, unknown ones kept');
  const e = await rejection(c.queryContract({ plan_id: b.plan_id, out_contract_code: 'NOSUCHCODE1' }));
  assertApiError(e, 'RESOURCE_NOT_EXISTS', 404);
  // Terminated: the query says so, with its termination info.
  emu.terminate(contract.contract_id);
  const ended = await c.queryContract({ plan_id: b.plan_id, out_contract_code: b.out_contract_code });
  assert.equal(ended.contract_state, 'TERMINATED');
  assert.match(ended.contract_terminate_info.contract_termination_mode, /_TERMINATE$/);
});

test('applyDeduction is accepted, then the order goes ACCEPT -> SUCCESS; re-applying the same body charges once', async () => {
  const { c, contract } = await signed(slow);
  const d = deduction(slow, contract.contract_id);
  const accepted = await c.applyDeduction(d);
  assert.deepEqual(accepted, { out_trade_no: d.out_trade_no, amount: { total: 990, currency: 'CNY' } });
  const pending = await c.queryOrder({ out_trade_no: d.out_trade_no });
  assert.equal(pending.trade_state, 'ACCEPT');
  assert.equal(pending.transaction_id, undefined);
  assert.equal(pending.out_trade_no, d.out_trade_no);
  // Idempotent: the same out_trade_no and body is answered as the first time.
  assert.deepEqual(await c.applyDeduction(d), accepted);
  assert.equal([...slow.orders.values()].filter((o) => o.out_trade_no === d.out_trade_no).length, 1);
  // A different body under the same number is refused.
  const e = await rejection(c.applyDeduction({ ...d, amount: { total: 991 } }));
  assertApiError(e, 'INVALID_REQUEST', 400);
  slow.chargeNow(d.out_trade_no);
  const paid = await c.queryOrder({ out_trade_no: d.out_trade_no });
  assert.equal(paid.trade_state, 'SUCCESS');
  assert.equal(paid.trade_type, 'PAP');
  assert.match(paid.transaction_id, /^\d+$/);
  assert.equal(paid.amount.total, 990);
  assert.equal(paid.attach, 'order-42');
  assert.equal(paid.contract_id, contract.contract_id);
  assert.deepEqual(paid, slow.orderView(d.out_trade_no));
  // The emulator records a notification once its POST has been answered: wait for it (a
  // fresh-clone CI run under load asserted before the record was there, and failed).
  const sent = await slow.waitForNotification(
    (r) => r.out_trade_no === d.out_trade_no && r.event_type === 'TRANSACTION.SUCCESS' && !r.probe, 10000);
  assert.equal(sent.event_type, 'TRANSACTION.SUCCESS');
});

test('a payFail fault ends the order PAY_FAIL', async () => {
  const { c, contract } = await signed();
  emu.inject({ kind: 'payFail' });
  const d = deduction(emu, contract.contract_id);
  await c.applyDeduction(d);
  let order = await c.queryOrder({ out_trade_no: d.out_trade_no });
  for (let i = 0; i < 200 && order.trade_state === 'ACCEPT'; i++) {
    await settle();
    order = await c.queryOrder({ out_trade_no: d.out_trade_no });
  }
  assert.equal(order.trade_state, 'PAY_FAIL');
  assert.equal(order.success_time, undefined);
});

test('CONTRACT_NOT_EXIST, CONTRACT_NOT_SIGNED and ORDER_NOT_EXIST surface as api errors', async () => {
  const { c, contract } = await signed();
  assertApiError(await rejection(c.applyDeduction(deduction(emu, 'NOSUCHCONTRACT'))), 'CONTRACT_NOT_EXIST', 400);
  emu.terminate(contract.contract_id);
  assertApiError(await rejection(c.applyDeduction(deduction(emu, contract.contract_id))), 'CONTRACT_NOT_SIGNED', 403);
  assertApiError(await rejection(c.queryOrder({ out_trade_no: 'NoSuchOrder_1' })), 'ORDER_NOT_EXIST', 404);
});

test('invalid input sends nothing: every issue at once, with JSON pointers', async () => {
  const { c, contract } = await signed();
  await settle();
  const before = apiRequests('emu');
  const bad = deduction(emu, contract.contract_id, { amount: { total: 9.9 }, out_trade_no: 'no spaces', mcc: null });
  const issues = validateApplyDeduction(bad);
  assert.deepEqual(issues.map((i) => `${i.field} ${i.rule}`).sort(), ['/amount/total type', '/mcc null', '/out_trade_no charset']);
  const e = await rejection(c.applyDeduction(bad));
  assert.equal(e.kind, 'validation');
  assert.equal(e.code, 'INVALID_FIELD');
  assert.deepEqual(e.issues, issues);
  for (const call of [
    c.applyDeduction({ ...deduction(emu, contract.contract_id), transaction_notify_url: 'http://yourapp.example/n' }),
    c.applyDeduction({ ...deduction(emu, contract.contract_id), amount: { total: 0 } }),
    c.queryContract({ plan_id: 0, out_contract_code: 'abc' }),
    c.queryContract({ plan_id: 1, out_contract_code: '../../pay' }),
    c.queryContract({ plan_id: '1', out_contract_code: 'abc' }),
    c.queryOrder({ out_trade_no: '../x' }),
    c.queryOrder({ out_trade_no: 'a'.repeat(33) }),
    c.queryOrder({}),
    c.v3.papay.pay.harmony.transactions.apply.post({ json: bad }),
    c.request('POST', '/v3/papay/pay/harmony/transactions/apply', { json: { ...bad, amount: { total: 1 } } }),
    c.request('GET', '/v3/papay/sign/contracts/harmony-plan-id/{p}/out-contract-code/{c}', { params: { p: 0, c: 'abc' } }),
    c.v3.papay.sign.contracts['harmony-plan-id']['12'].outContractCode['a-b'].get(),
    c.v3.pay.transactions['out-trade-no']['T.1'].get({ query: { mchid: emu.credentials.mchid } }),
  ]) {
    const err = await rejection(call);
    assert.equal(err.kind, 'validation', err.message);
    assert.ok(err.issues.length > 0);
  }
  await settle();
  assert.equal(apiRequests('emu'), before, 'no request reached the emulator');
  assert.equal(validateApplyDeduction(deduction(emu, contract.contract_id)).length, 0);
});

test('the chain styles reach the same endpoints', async () => {
  const { c, b, contract } = await signed();
  const d = deduction(emu, contract.contract_id);
  const res = await c.v3.papay.pay.harmony.transactions.apply.post({ json: d });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).out_trade_no, d.out_trade_no);
  const q = await c.v3.pay.transactions['out-trade-no'][d.out_trade_no].get({ query: { mchid: emu.credentials.mchid } });
  assert.equal((await q.json()).out_trade_no, d.out_trade_no);
  const path = `v3/papay/sign/contracts/harmony-plan-id/${b.plan_id}/out-contract-code/${b.out_contract_code}`;
  assert.equal((await (await c[path].get()).json()).contract_id, contract.contract_id);
});
