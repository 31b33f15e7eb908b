// The deduction flow (harmony-deduction.md sections 1, 2, 4): contract query on the
// HarmonyOS path, apply (accepted, charged later, reported by TRANSACTION.*), idempotency,
// refusals, the order query over time, and TRANSACTION.FAIL by fault. Every answer and
// notification is checked with node:crypto (helpers/client.mjs), never with the emulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import {
  apiCall, applyBody, decryptResource, rawRequest, startReceiver, validBody, verifyNotification, verifyResponse,
} from './helpers/client.mjs';

const APPLY = '/v3/papay/pay/harmony/transactions/apply';
const orderPath = (no, mchid) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(no)}${mchid === null ? '' : `?mchid=${mchid}`}`;
const harmonyPath = (plan, code) => `/v3/papay/sign/contracts/harmony-plan-id/${plan}/out-contract-code/${code}`;

let emu;
let slow; // charges only when told to (emu.chargeNow), to look at ACCEPT
let receiver;
before(async () => {
  receiver = await startReceiver();
  emu = await start({ chargeDelayMs: 100 });
  slow = await start({ chargeDelayMs: 600_000 });
});
after(async () => { await emu.close(); await slow.close(); await receiver.close(); });

async function signedContract(e = emu) {
  const pre = await apiCall(e, { body: validBody(e.credentials, { contract_notify_url: receiver.url }) });
  assert.equal(pre.status, 200, pre.text);
  return e.sign(pre.json.pre_entrustweb_id);
}

const apply = (e, body) => apiCall(e, { path: APPLY, body });
const queryOrder = (e, no, mchid = e.credentials.mchid) => apiCall(e, { method: 'GET', path: orderPath(no, mchid) });

/** Verifies a delivery record exactly as sent (headers as a receiver sees them). */
const verifyRecord = (rec) => verifyNotification(Object.fromEntries(Object.entries(rec.headers).map(([k, v]) => [k.toLowerCase(), v])), rec.body, emu.credentials.certs);

/** The TRANSACTION.* deliveries received for an order, verified and decrypted. */
function received(no) {
  return receiver.received
    .map((r) => ({ r, env: JSON.parse(r.body) }))
    .filter(({ env }) => env.event_type.startsWith('TRANSACTION.'))
    .map(({ r, env }) => ({ r, env, plain: decryptResource(env.resource, emu.credentials.apiv3Key) }))
    .filter(({ plain }) => plain.out_trade_no === no);
}

test('the HarmonyOS contract query answers a signed contract, signed; 404 when missing; path checked', async () => {
  const view = await signedContract();
  const c = emu.credentials;
  const res = await apiCall(emu, { method: 'GET', path: harmonyPath(c.plan_id, view.out_contract_code) });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(verifyResponse(res, c.certs), { ok: true });
  assert.equal(res.json.contract_id, view.contract_id);
  assert.equal(res.json.contract_state, 'SIGNED');
  assert.equal(res.json.plan_id, c.plan_id);
  const missing = await apiCall(emu, { method: 'GET', path: harmonyPath(c.plan_id, 'NOSUCHCODE1') });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.code, 'RESOURCE_NOT_EXISTS');
  const otherPlan = await apiCall(emu, { method: 'GET', path: harmonyPath(c.plan_id + 1, view.out_contract_code) });
  assert.equal(otherPlan.status, 404);
  const bad = await apiCall(emu, { method: 'GET', path: harmonyPath('0x12', 'ab_c') });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.code, 'PARAM_ERROR');
  assert.deepEqual(bad.json.detail.issues.map((i) => [i.field, i.location]), [['plan_id', 'path'], ['out_contract_code', 'path']]);
  const long = await apiCall(emu, { method: 'GET', path: harmonyPath(c.plan_id, 'A'.repeat(33)) });
  assert.equal(long.json.detail.field, 'out_contract_code');
  const unsigned = await rawRequest(emu.url, { path: harmonyPath(c.plan_id, view.out_contract_code), headers: { Accept: 'application/json', 'User-Agent': 't' } });
  assert.equal(unsigned.status, 401);
});

test('apply: accepted at once (signed), charged after the delay, TRANSACTION.SUCCESS sealed and signed', async () => {
  const view = await signedContract();
  const body = applyBody(emu.credentials, view.contract_id, receiver.url);
  const res = await apply(emu, body);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(verifyResponse(res, emu.credentials.certs), { ok: true });
  assert.deepEqual(res.json, { out_trade_no: body.out_trade_no, amount: { total: 1500, currency: 'CNY' } });
  const rec = await emu.waitForNotification({ event_type: 'TRANSACTION.SUCCESS', out_trade_no: body.out_trade_no });
  assert.deepEqual(verifyRecord(rec), { ok: true });
  const env = JSON.parse(rec.body);
  assert.equal(env.resource_type, 'encrypt-resource');
  assert.equal(env.resource.original_type, 'transaction');
  assert.equal(env.resource.associated_data, 'transaction');
  const plain = decryptResource(env.resource, emu.credentials.apiv3Key);
  assert.equal(plain.trade_state, 'SUCCESS');
  assert.equal(plain.trade_type, 'PAP');
  assert.equal(plain.out_trade_no, body.out_trade_no);
  assert.equal(plain.mchid, emu.credentials.mchid);
  assert.equal(plain.appid, body.appid);
  assert.equal(plain.contract_id, view.contract_id);
  assert.equal(plain.attach, 'order-42');
  assert.deepEqual(plain.payer, { openid: view.openid });
  assert.equal(plain.amount.total, 1500);
  assert.equal(plain.amount.payer_total, 1500);
  assert.match(plain.transaction_id, /^\d{28}$/);
  assert.match(plain.success_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  // the order query says the same
  const q = await queryOrder(emu, body.out_trade_no);
  assert.equal(q.status, 200, q.text);
  assert.deepEqual(verifyResponse(q, emu.credentials.certs), { ok: true });
  assert.deepEqual(q.json, plain);
});

test('order states over time: ACCEPT while being charged, then SUCCESS', async () => {
  const view = await signedContract(slow);
  const body = applyBody(slow.credentials, view.contract_id, receiver.url, { amount: { total: 1 } });
  const res = await apply(slow, body);
  assert.deepEqual(res.json, { out_trade_no: body.out_trade_no, amount: { total: 1, currency: 'CNY' } });
  const accepted = await queryOrder(slow, body.out_trade_no);
  assert.equal(accepted.status, 200);
  assert.equal(accepted.json.trade_state, 'ACCEPT');
  assert.equal(accepted.json.transaction_id, undefined);
  assert.equal(accepted.json.success_time, undefined);
  assert.equal(slow.notifications.filter((n) => n.out_trade_no === body.out_trade_no).length, 0, 'nothing reported yet');
  // the control API charges it now (POST /emulator/orders/{no}/charge)
  const charged = await rawRequest(slow.url, { method: 'POST', path: `/emulator/orders/${body.out_trade_no}/charge` });
  assert.equal(charged.status, 200, charged.text);
  const done = await queryOrder(slow, body.out_trade_no);
  assert.equal(done.json.trade_state, 'SUCCESS');
  assert.ok(done.json.transaction_id);
  await slow.waitForNotification({ event_type: 'TRANSACTION.SUCCESS', out_trade_no: body.out_trade_no });
  const again = await rawRequest(slow.url, { method: 'POST', path: `/emulator/orders/${body.out_trade_no}/charge` });
  assert.equal(again.status, 409);
});

test('idempotency: the same out_trade_no and body is answered as the first time and charged once', async () => {
  const view = await signedContract();
  const body = applyBody(emu.credentials, view.contract_id, receiver.url);
  const first = await apply(emu, body);
  // the same body as JSON, keys in another order
  const reordered = Object.fromEntries(Object.entries(body).reverse());
  const second = await apply(emu, reordered);
  assert.equal(second.status, 200);
  assert.deepEqual(second.json, first.json);
  await emu.waitForNotification({ event_type: 'TRANSACTION.SUCCESS', out_trade_no: body.out_trade_no });
  const third = await apply(emu, body); // after the charge, still the first answer
  assert.equal(third.status, 200);
  assert.deepEqual(third.json, first.json);
  await new Promise((r) => setTimeout(r, 300)); // longer than chargeDelayMs: a second charge would have happened
  await emu.notificationsIdle();
  const sent = emu.notifications.filter((n) => n.out_trade_no === body.out_trade_no && !n.probe);
  assert.equal(sent.length, 1, 'one notification');
  assert.equal(new Set(sent.map((n) => n.event_id)).size, 1);
  assert.equal(received(body.out_trade_no).length, 1, 'the merchant got one');
  assert.equal(emu.orders.get(body.out_trade_no).notifications.length, 1, 'one charge');
});

test('the same out_trade_no with another body is refused: 400 INVALID_REQUEST, nothing charged twice', async () => {
  const view = await signedContract();
  const body = applyBody(emu.credentials, view.contract_id, receiver.url);
  assert.equal((await apply(emu, body)).status, 200);
  const other = await apply(emu, { ...body, amount: { total: 1501, currency: 'CNY' } });
  assert.equal(other.status, 400);
  assert.equal(other.json.code, 'INVALID_REQUEST');
  assert.equal(other.json.detail.field, '/out_trade_no');
  assert.equal(other.headers['wechatpay-signature'], undefined);
  const q = await queryOrder(emu, body.out_trade_no);
  assert.equal(q.json.amount.total, 1500);
});

test('a missing contract: 400 CONTRACT_NOT_EXIST; a terminated one: 403 CONTRACT_NOT_SIGNED; no order made', async () => {
  const missing = applyBody(emu.credentials, 'Wx00000000000000000000000000', receiver.url);
  const a = await apply(emu, missing);
  assert.equal(a.status, 400);
  assert.deepEqual([a.json.code, a.json.detail.field], ['CONTRACT_NOT_EXIST', '/contract_id']);
  assert.equal((await queryOrder(emu, missing.out_trade_no)).json.code, 'ORDER_NOT_EXIST');
  const view = await signedContract();
  emu.terminate(view.contract_id);
  const ended = applyBody(emu.credentials, view.contract_id, receiver.url);
  const b = await apply(emu, ended);
  assert.equal(b.status, 403);
  assert.equal(b.json.code, 'CONTRACT_NOT_SIGNED');
  assert.match(b.json.message, /TERMINATED/);
  assert.equal((await queryOrder(emu, ended.out_trade_no)).status, 404);
  // an appid not bound to the merchant is refused before the contract is looked at
  const appid = await apply(emu, applyBody(emu.credentials, view.contract_id, receiver.url, { appid: 'wx0000000000000000' }));
  assert.equal(appid.json.code, 'APPID_MCHID_NOT_MATCH');
});

test('TRANSACTION.FAIL with trade_state PAY_FAIL when a payFail fault asks for it (module and HTTP)', async () => {
  const view = await signedContract();
  emu.inject({ kind: 'payFail' });
  const body = applyBody(emu.credentials, view.contract_id, receiver.url);
  const res = await apply(emu, body);
  assert.equal(res.status, 200, 'accepted first: the failure comes later');
  const rec = await emu.waitForNotification({ event_type: 'TRANSACTION.FAIL', out_trade_no: body.out_trade_no });
  assert.deepEqual(verifyRecord(rec), { ok: true });
  const plain = decryptResource(JSON.parse(rec.body).resource, emu.credentials.apiv3Key);
  assert.equal(plain.trade_state, 'PAY_FAIL');
  assert.equal(plain.success_time, undefined);
  assert.equal((await queryOrder(emu, body.out_trade_no)).json.trade_state, 'PAY_FAIL');
  assert.equal(emu.faults.length, 0, 'used up');
  // the next one succeeds; a fault queued over HTTP with a reason
  const ok = applyBody(emu.credentials, view.contract_id, receiver.url);
  await apply(emu, ok);
  await emu.waitForNotification({ event_type: 'TRANSACTION.SUCCESS', out_trade_no: ok.out_trade_no });
  const add = await rawRequest(emu.url, { method: 'POST', path: '/emulator/faults', body: JSON.stringify({ kind: 'payFail', detail: { trade_state_desc: '余额不足 insufficient balance' } }) });
  assert.equal(add.status, 200, add.text);
  const poor = applyBody(emu.credentials, view.contract_id, receiver.url);
  await apply(emu, poor);
  await emu.waitForNotification({ event_type: 'TRANSACTION.FAIL', out_trade_no: poor.out_trade_no });
  assert.equal((await queryOrder(emu, poor.out_trade_no)).json.trade_state_desc, '余额不足 insufficient balance');
});

test('the order query: 404 ORDER_NOT_EXIST, mchid required and checked, out_trade_no checked', async () => {
  const none = await queryOrder(emu, 'NOPE-1');
  assert.equal(none.status, 404);
  assert.equal(none.json.code, 'ORDER_NOT_EXIST');
  assert.equal(typeof none.json.message, 'string');
  const noMchid = await queryOrder(emu, 'NOPE-1', null);
  assert.equal(noMchid.status, 400);
  assert.deepEqual([noMchid.json.code, noMchid.json.detail.field, noMchid.json.detail.location], ['PARAM_ERROR', 'mchid', 'query']);
  const other = await queryOrder(emu, 'NOPE-1', '1900000001');
  assert.equal(other.status, 400);
  assert.equal(other.json.code, 'INVALID_REQUEST');
  for (const bad of ['a/b', 'A'.repeat(33), '订单1']) {
    const res = await queryOrder(emu, bad);
    assert.equal(res.status, 400, bad);
    assert.deepEqual([res.json.code, res.json.detail.location], ['PARAM_ERROR', 'path'], bad);
  }
  const post = await apiCall(emu, { method: 'POST', path: orderPath('X1', emu.credentials.mchid), body: '{}' });
  assert.equal(post.status, 405);
});
