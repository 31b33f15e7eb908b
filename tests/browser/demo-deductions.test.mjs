// The demo's data layer for charges (www/lib/deductions.mjs) and the termination inquiry's
// policy: unit tests on an in-memory store, ahead of the deduction / termination pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../www/lib/store.mjs';
import { inquiryAnswer, yuanToFen, INQUIRY_POLICIES } from '../../www/lib/deductions.mjs';

/** A store with one signed contract `signed1` (contract_id cid-1) and one pre-sign `pending1`. */
function storeWithContract() {
  const store = openStore({ file: ':memory:', ttl: 600_000 });
  const request = { sign_scene: 'SIGN_SCENE_QRCODE', plan_id: 12535, appid: 'wx1', out_user_code: 'user-1' };
  store.add('signed1', request, { pre_entrustweb_id: 'p1' });
  store.add('pending1', request, { pre_entrustweb_id: 'p2' });
  assert.equal(store.record({ id: 'EV-sign', event_type: 'ENTRUST.SIGN', resource: { out_contract_code: 'signed1', contract_id: 'cid-1' } }), 'stored');
  return store;
}

const result = (id, out_trade_no, trade_state, extra = {}) => ({
  id, event_type: trade_state === 'SUCCESS' ? 'TRANSACTION.SUCCESS' : 'TRANSACTION.FAIL',
  resource: { out_trade_no, transaction_id: `42000${id}`, trade_state, trade_type: 'PAP', success_time: '2026-11-29T10:05:00+08:00', amount: { total: 1230 }, ...extra },
});

test('yuanToFen: the amount typed in yuan -> integer fen, or null', () => {
  const cases = { '12.3': 1230, '0.01': 1, '1': 100, ' 2.50 ': 250, '999999999.99': 99999999999 };
  for (const [text, fen] of Object.entries(cases)) assert.equal(yuanToFen(text), fen, text);
  for (const bad of ['0', '0.00', '1.234', '-1', '1e3', '', ' ', '1,5', '.5', '1.', 'abc', null, undefined, '0x10', '1234567890']) {
    assert.equal(yuanToFen(bad), null, String(bad));
  }
  // 0.1 + 0.2 style float error cannot happen: the digits are added as integers.
  assert.equal(yuanToFen('0.29'), 29);
  assert.equal(yuanToFen('1.15'), 115);
});

test('a charge is written APPLYING, accepted, then settled by its notification, once', () => {
  const store = storeWithContract();
  try {
    const d = store.deductions;
    const row = d.begin({ out_trade_no: 'T-1', code: 'signed1', amount_fen: 1230, description: '会员月费' });
    assert.equal(row.state, 'APPLYING');
    assert.equal(row.contract_id, 'cid-1', 'the contract id WeChat Pay gave');
    assert.equal(row.amount_fen, 1230);
    assert.deepEqual(d.inFlight('signed1').map((x) => x.out_trade_no), ['T-1']);
    assert.equal(d.accepted('T-1'), true);
    assert.equal(d.accepted('T-1'), false, 'only from APPLYING');
    assert.equal(d.get('T-1').state, 'ACCEPT');

    assert.equal(store.record(result('1', 'T-1', 'SUCCESS')), 'stored');
    const paid = d.get('T-1');
    assert.equal(paid.state, 'SUCCESS');
    assert.equal(paid.transaction_id, '420001');
    assert.equal(paid.success_time, '2026-11-29T10:05:00+08:00');
    assert.deepEqual(d.inFlight('signed1'), []);
    // The same notification again, and a late contrary one: nothing moves.
    assert.equal(store.record(result('1', 'T-1', 'SUCCESS')), 'duplicate');
    assert.equal(store.record(result('2', 'T-1', 'PAY_FAIL')), 'duplicate');
    assert.equal(d.get('T-1').state, 'SUCCESS');
    const rows = store.db.prepare("SELECT id, effect, deliveries, out_contract_code FROM notifications WHERE event_type LIKE 'TRANSACTION.%' ORDER BY id").all();
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { id: '1', effect: 'applied', deliveries: 2, out_contract_code: 'signed1' },
      { id: '2', effect: 'no_change', deliveries: 1, out_contract_code: 'signed1' },
    ]);
    // A failed charge: PAY_FAIL with WeChat Pay's description.
    d.begin({ out_trade_no: 'T-2', code: 'signed1', amount_fen: 1, description: 'x' });
    assert.equal(store.record(result('3', 'T-2', 'PAY_FAIL', { trade_state_desc: '余额不足' })), 'stored');
    assert.equal(d.get('T-2').state, 'PAY_FAIL');
    assert.equal(d.get('T-2').trade_state_desc, '余额不足');
    // A result for a charge this merchant does not know is acknowledged and ignored.
    assert.equal(store.record(result('4', 'T-unknown', 'SUCCESS')), 'ignored');
    assert.equal(d.get('T-unknown'), undefined);
  } finally {
    store.close();
  }
});

test('a charge is refused unless the contract is signed, the amount whole fen and out_trade_no new', () => {
  const store = storeWithContract();
  try {
    const d = store.deductions;
    const code = (fn) => { try { fn(); } catch (e) { return e.code; } return 'no error'; };
    assert.equal(code(() => d.begin({ out_trade_no: 'A', code: 'pending1', amount_fen: 100, description: 'x' })), 'CONTRACT_NOT_SIGNED');
    assert.equal(code(() => d.begin({ out_trade_no: 'B', code: 'nosuch', amount_fen: 100, description: 'x' })), 'CONTRACT_UNKNOWN');
    for (const amount of [0, -1, 1.5, '100', 2 ** 53, NaN]) {
      assert.equal(code(() => d.begin({ out_trade_no: 'C', code: 'signed1', amount_fen: amount, description: 'x' })), 'BAD_AMOUNT', String(amount));
    }
    d.begin({ out_trade_no: 'D', code: 'signed1', amount_fen: 100, description: 'x' });
    assert.equal(code(() => d.begin({ out_trade_no: 'D', code: 'signed1', amount_fen: 100, description: 'x' })), 'DUPLICATE_OUT_TRADE_NO');
    assert.equal(d.refused('D', 'NOT_ENOUGH'), true);
    assert.equal(d.get('D').state, 'REFUSED');
    assert.equal(d.get('D').error_code, 'NOT_ENOUGH');
    assert.deepEqual(d.inFlight('signed1'), [], 'a refused charge is not in flight');
    // The schema itself refuses what the layer above should never write.
    assert.throws(() => store.db.prepare("INSERT INTO deductions (out_trade_no, out_contract_code, contract_id, amount_fen, description, created_at, updated_at) VALUES ('E', 'signed1', 'cid-1', 0, 'x', 0, 0)").run(), /CHECK constraint/);
    assert.throws(() => store.db.prepare("INSERT INTO deductions (out_trade_no, out_contract_code, contract_id, amount_fen, description, created_at, updated_at) VALUES ('F', 'nosuch', 'c', 1, 'x', 0, 0)").run(), /FOREIGN KEY/);
    // A terminated contract takes no new charge.
    store.record({ id: 'EV-term', event_type: 'ENTRUST.TERMINATE', resource: { out_contract_code: 'signed1', contract_id: 'cid-1', contract_terminate_info: { contract_termination_mode: 'USER_TERMINATE', contract_terminated_time: '2026-11-29T11:00:00+08:00' } } });
    assert.equal(code(() => d.begin({ out_trade_no: 'G', code: 'signed1', amount_fen: 100, description: 'x' })), 'CONTRACT_NOT_SIGNED');
  } finally {
    store.close();
  }
});

test('termination inquiry policy: allow, or refuse while a charge is in flight', () => {
  assert.deepEqual(INQUIRY_POLICIES, ['allow', 'refuse-while-charging']);
  const store = storeWithContract();
  try {
    const d = store.deductions;
    const ask = (policy) => inquiryAnswer(policy, d.inFlight('signed1'));
    assert.deepEqual(ask('allow'), { allow: true, message: '' });
    assert.deepEqual(ask('refuse-while-charging'), { allow: true, message: '' }, 'nothing in flight');
    d.begin({ out_trade_no: 'T-9', code: 'signed1', amount_fen: 500, description: 'x' });
    const refused = ask('refuse-while-charging');
    assert.equal(refused.allow, false, 'APPLYING counts');
    assert.match(refused.message, /1 charge is in progress/);
    assert.ok(refused.message.length <= 128, 'short enough to show the user');
    assert.equal(ask('allow').allow, true, 'allow ignores charges in flight');
    d.accepted('T-9');
    assert.equal(ask('refuse-while-charging').allow, false, 'ACCEPT counts');
    d.begin({ out_trade_no: 'T-10', code: 'signed1', amount_fen: 500, description: 'x' });
    assert.match(ask('refuse-while-charging').message, /2 charges are in progress/);
    store.record(result('9', 'T-9', 'SUCCESS'));
    d.refused('T-10', 'SYSTEM_ERROR');
    assert.deepEqual(ask('refuse-while-charging'), { allow: true, message: '' }, 'settled and refused charges do not hold the contract');
  } finally {
    store.close();
  }
  assert.throws(() => inquiryAnswer('refuse', []), /policy must be one of allow, refuse-while-charging/);
  assert.throws(() => inquiryAnswer('allow', undefined), /inFlight/);
});

test('an inquiry notification is decided once under the stored policy; a retry is answered the same', () => {
  const store = storeWithContract();
  const inquiry = (id) => ({ id, event_type: 'ENTRUST.TERMINATE_INQUIRY', resource: { out_contract_code: 'signed1', contract_id: 'cid-1', plan_id: 12535, out_user_code: 'user-1' } });
  try {
    const { inquiries, deductions: d } = store;
    assert.equal(inquiries.policy(), 'refuse-while-charging', 'the default');
    d.begin({ out_trade_no: 'T-1', code: 'signed1', amount_fen: 100, description: 'x' });
    assert.equal(store.record(inquiry('I-1')), 'stored');
    const first = inquiries.get('I-1');
    assert.deepEqual({ allow: first.allow, in_flight: first.in_flight, policy: first.policy, code: first.code, contract_id: first.contract_id },
      { allow: false, in_flight: 1, policy: 'refuse-while-charging', code: 'signed1', contract_id: 'cid-1' });
    assert.match(first.message, /1 charge is in progress/);
    // The charge settles and the policy changes: the same inquiry delivered again keeps its answer.
    d.accepted('T-1');
    store.record(result('R-1', 'T-1', 'SUCCESS'));
    inquiries.setPolicy('allow');
    assert.equal(store.record(inquiry('I-1')), 'duplicate');
    assert.deepEqual(inquiries.get('I-1'), first);
    assert.equal(store.db.prepare("SELECT deliveries FROM notifications WHERE id = 'I-1'").get().deliveries, 2);
    // A new inquiry is decided under the policy now stored.
    d.begin({ out_trade_no: 'T-2', code: 'signed1', amount_fen: 100, description: 'x' });
    store.record(inquiry('I-2'));
    assert.deepEqual([inquiries.get('I-2').allow, inquiries.get('I-2').policy, inquiries.get('I-2').in_flight], [true, 'allow', 1]);
    assert.deepEqual(store.get('signed1').inquiries.map((i) => [i.id, i.allow]), [['I-1', false], ['I-2', true]]);
    // An inquiry naming a contract this merchant does not keep: allowed, kept without a contract.
    store.record({ id: 'I-3', event_type: 'ENTRUST.TERMINATE_INQUIRY', resource: { out_contract_code: 'nosuch', plan_id: 1 } });
    assert.deepEqual([inquiries.get('I-3').allow, inquiries.get('I-3').code], [true, null]);
    assert.equal(store.get('nosuch'), undefined, 'no contract made for it');
    assert.throws(() => inquiries.setPolicy('sometimes'), /policy must be one of/);
    assert.equal(inquiries.policy(), 'allow');
  } finally {
    store.close();
  }
});
