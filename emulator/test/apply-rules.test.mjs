// The body rules of POST /v3/papay/pay/harmony/transactions/apply (SPEC-EXCERPTS.md
// section 2): each rule passing and failing, and every broken rule reported at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, applyBody, validBody } from './helpers/client.mjs';
import { validateApplyDeduction } from '../lib/validate.mjs';

const APPLY = '/v3/papay/pay/harmony/transactions/apply';
const creds = { appid: 'wx0123456789abcdef' };
const base = () => applyBody(creds, 'Wx12345678901234567890123456', 'https://merchant.example.com/pay/notify');
const del = (k) => { const b = base(); delete b[k]; return b; };
const set = (patch) => ({ ...base(), ...patch });
const amount = (patch) => ({ ...base(), amount: { ...base().amount, ...patch } });

// [name, body, the one field expected to fail]
const FAILING = [
  ['appid missing', del('appid'), '/appid'],
  ['appid empty', set({ appid: '' }), '/appid'],
  ['appid 33 chars', set({ appid: 'w'.repeat(33) }), '/appid'],
  ['out_trade_no missing', del('out_trade_no'), '/out_trade_no'],
  ['out_trade_no 33 chars', set({ out_trade_no: 'A'.repeat(33) }), '/out_trade_no'],
  ['out_trade_no with a dot', set({ out_trade_no: 'a.b' }), '/out_trade_no'],
  ['out_trade_no non-ASCII', set({ out_trade_no: '订单' }), '/out_trade_no'],
  ['description missing', del('description'), '/description'],
  ['description 128 chars', set({ description: '月'.repeat(128) }), '/description'],
  ['description emoji', set({ description: 'fee 😀' }), '/description'],
  ['transaction_notify_url missing', del('transaction_notify_url'), '/transaction_notify_url'],
  ['transaction_notify_url http', set({ transaction_notify_url: 'http://merchant.example.com/n' }), '/transaction_notify_url'],
  ['transaction_notify_url query', set({ transaction_notify_url: 'https://merchant.example.com/n?a=1' }), '/transaction_notify_url'],
  ['transaction_notify_url 257 chars', set({ transaction_notify_url: 'https://m.example.com/' + 'a'.repeat(235) }), '/transaction_notify_url'],
  ['contract_id missing', del('contract_id'), '/contract_id'],
  ['contract_id 33 chars', set({ contract_id: 'W'.repeat(33) }), '/contract_id'],
  ['amount missing', del('amount'), '/amount'],
  ['amount not an object', set({ amount: 1500 }), '/amount'],
  ['amount.total missing', set({ amount: { currency: 'CNY' } }), '/amount/total'],
  ['amount.total float', amount({ total: 15.5 }), '/amount/total'],
  ['amount.total string', amount({ total: '1500' }), '/amount/total'],
  ['amount.total zero', amount({ total: 0 }), '/amount/total'],
  ['amount.total negative', amount({ total: -1 }), '/amount/total'],
  ['amount.currency USD', amount({ currency: 'USD' }), '/amount/currency'],
  ['amount unknown field', amount({ refund: 1 }), '/amount/refund'],
  ['goods_tag empty', set({ goods_tag: '' }), '/goods_tag'],
  ['goods_tag 33 chars', set({ goods_tag: 'g'.repeat(33) }), '/goods_tag'],
  ['attach empty', set({ attach: '' }), '/attach'],
  ['attach 129 chars', set({ attach: 'a'.repeat(129) }), '/attach'],
  ['harmony_account_id missing', del('harmony_account_id'), '/harmony_account_id'],
  ['harmony_account_id 65 chars', set({ harmony_account_id: 'h'.repeat(65) }), '/harmony_account_id'],
  ['mcc 5 chars', set({ mcc: '12345' }), '/mcc'],
  ['mcc null', set({ mcc: null }), '/mcc'],
  ['unknown field', set({ openid: 'o1' }), '/openid'],
];

const PASSING = [
  ['the base body', base()],
  ['only the required fields', (() => { const b = base(); delete b.attach; delete b.amount.currency; return b; })()],
  ['every optional field at its bounds', set({ goods_tag: 'g'.repeat(32), attach: 'a'.repeat(128), mcc: '5812', description: '月'.repeat(127), out_trade_no: 'a_b-c*D9'.padEnd(32, 'x') })],
  ['loopback http notify URL (emulator extension)', set({ transaction_notify_url: 'http://127.0.0.1:8080/notify' })],
  ['amount.total 1 fen', amount({ total: 1 })],
];

for (const [name, body, field] of FAILING) {
  test(`apply rule fails: ${name}`, () => {
    const issues = validateApplyDeduction(body);
    assert.deepEqual(issues.map((i) => i.field), [field]);
    assert.equal(typeof issues[0].issue, 'string');
  });
}

for (const [name, body] of PASSING) {
  test(`apply rule passes: ${name}`, () => {
    assert.deepEqual(validateApplyDeduction(body), []);
  });
}

test('every broken rule at once, in the table order, with values', () => {
  const b = set({ appid: '', description: 'x😀', amount: { total: 0.5, currency: 'EUR' }, mcc: '12345', extra: true });
  delete b.harmony_account_id;
  const issues = validateApplyDeduction(b);
  assert.deepEqual(issues.map((i) => i.field), ['/appid', '/description', '/amount/total', '/amount/currency', '/harmony_account_id', '/mcc', '/extra']);
  assert.equal(issues[0].value, '');
  assert.equal(issues[4].value, undefined, 'a missing field has no value');
  assert.deepEqual(validateApplyDeduction([]).map((i) => i.field), ['']);
  assert.deepEqual(validateApplyDeduction(null).map((i) => i.field), ['']);
});

let emu;
before(async () => { emu = await start({ chargeDelayMs: 60_000 }); });
after(() => emu.close());

test('over HTTP: 400 PARAM_ERROR, detail = the first issue plus `issues`, all of them; nothing accepted', async () => {
  const pre = await apiCall(emu, { body: validBody(emu.credentials) });
  const view = emu.sign(pre.json.pre_entrustweb_id);
  const b = applyBody(emu.credentials, view.contract_id, 'https://merchant.example.com/n', { description: '', amount: { total: 1.5 } });
  delete b.harmony_account_id;
  const res = await apiCall(emu, { path: APPLY, body: b });
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'PARAM_ERROR');
  assert.equal(res.headers['wechatpay-signature'], undefined);
  const { issues, ...first } = res.json.detail;
  assert.deepEqual(first, { field: '/description', value: '', issue: 'must not be empty', location: 'body' });
  assert.deepEqual(issues.map((i) => [i.field, i.location]), [['/description', 'body'], ['/amount/total', 'body'], ['/harmony_account_id', 'body']]);
  for (const f of ['/body/description', '/body/amount/total', '/body/harmony_account_id']) assert.ok(res.json.message.includes(f), f);
  assert.equal(emu.orders.size, 0);
  const notJson = await apiCall(emu, { path: APPLY, body: '{"appid":' });
  assert.deepEqual([notJson.status, notJson.json.code, notJson.json.detail.field], [400, 'PARAM_ERROR', '']);
  const good = await apiCall(emu, { path: APPLY, body: applyBody(emu.credentials, view.contract_id, 'https://merchant.example.com/n') });
  assert.equal(good.status, 200, good.text);
});
