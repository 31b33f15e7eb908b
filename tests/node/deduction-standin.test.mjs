// The flow after signing against a node:crypto stand-in (issue 16): a node:http server that
// checks the merchant's signature and signs its answers with node:crypto, never with this
// package; and notifications of the flow sealed by node:crypto (AES-256-GCM resource,
// RSA-SHA256 signature), parsed, with tampering refused; terminateInquiryReply's bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg, rejection } from './helpers.mjs';

const { Client, WechatPayError, terminateInquiryReply } = pkg;

const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const MCHID = '1900000001';
const APIV3 = 'a'.repeat(8) + 'B'.repeat(8) + '0123456789abcdef';
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });

function signed(text, ts = String(Math.floor(Date.now() / 1000))) {
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(wechat.privateKey, 'base64');
  return { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID };
}

/** Whether the request's Authorization verifies with node:crypto under the merchant's key. */
function merchantSigned(req, body) {
  const auth = req.headers.authorization ?? '';
  const f = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const message = `${req.method}\n${req.url}\n${f.timestamp}\n${f.nonce_str}\n${body}\n`;
  return auth.startsWith('WECHATPAY2-SHA256-RSA2048 ') && f.mchid === MCHID
    && createVerify('RSA-SHA256').update(message).verify(merchant.publicKey, f.signature ?? '', 'base64');
}

const CONTRACT = {
  mchid: MCHID, contract_id: '202011065409471222', appid: 'wxd678efh567hg6787', plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A', contract_state: 'SIGNED',
  contract_signed_time: '2026-11-29T10:00:00+08:00', contract_expired_time: null, openid: 'o1', mask_wxid: 'w***d',
  some_future_field: { kept: true },
};
const ORDER = {
  appid: 'wxd678efh567hg6787', mchid: MCHID, out_trade_no: 'T_1-2*3', transaction_id: '4200000001', trade_type: 'PAP',
  trade_state: 'SUCCESS', success_time: '2026-11-29T10:00:05+08:00', payer: { openid: 'o1' },
  amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' }, contract_id: '202011065409471222',
  bank_type: null, promotion_detail: [],
};

let server;
let base;
const seen = [];
before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ line: `${req.method} ${req.url}`, body, signed: merchantSigned(req, body) });
      let status = 200;
      let text;
      if (req.url === '/v3/papay/sign/contracts/harmony-plan-id/12535/out-contract-code/wxwtdk20200910100000') text = JSON.stringify(CONTRACT);
      else if (req.url === '/v3/papay/pay/harmony/transactions/apply') {
        const b = JSON.parse(body);
        text = JSON.stringify({ out_trade_no: b.out_trade_no, amount: { total: b.amount.total, currency: 'CNY' } });
      } else if (req.url === `/v3/pay/transactions/out-trade-no/T_1-2%2A3?mchid=${MCHID}`) text = JSON.stringify(ORDER);
      else if (req.url === `/v3/pay/transactions/out-trade-no/bad_answer?mchid=${MCHID}`) text = JSON.stringify({ ...ORDER, trade_state: undefined });
      else { status = 404; text = JSON.stringify({ code: 'ORDER_NOT_EXIST', message: '订单不存在' }); }
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'RID-standin', ...signed(text) });
      res.end(text);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const client = () => new Client({
  mchid: MCHID, serial: 'F5765756002FDD77', baseURL: base, apiv3Key: APIV3,
  privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) },
});

test('the three calls, signed as node:crypto verifies, answers verified and kept whole', async () => {
  const c = client();
  seen.length = 0;
  const contract = await c.queryContract({ plan_id: 12535, out_contract_code: 'wxwtdk20200910100000' });
  const { contract_expired_time: _null, ...sent } = CONTRACT;
  assert.deepEqual(contract, sent, 'unknown fields kept, null optional fields left out');
  const body = {
    appid: 'wxd678efh567hg6787', out_trade_no: 'T_1-2*3', description: '会员', transaction_notify_url: 'https://a.example/n',
    contract_id: CONTRACT.contract_id, amount: { total: 100 }, harmony_account_id: 'h1',
  };
  assert.deepEqual(await c.applyDeduction(body), { out_trade_no: 'T_1-2*3', amount: { total: 100, currency: 'CNY' } });
  const { bank_type: _b, ...order } = ORDER;
  assert.deepEqual(await c.queryOrder({ out_trade_no: 'T_1-2*3' }), order);
  assert.deepEqual(seen.map((s) => s.line), [
    'GET /v3/papay/sign/contracts/harmony-plan-id/12535/out-contract-code/wxwtdk20200910100000',
    'POST /v3/papay/pay/harmony/transactions/apply',
    `GET /v3/pay/transactions/out-trade-no/T_1-2%2A3?mchid=${MCHID}`,
  ]);
  assert.ok(seen.every((s) => s.signed), 'every request verifies with node:crypto');
  assert.equal(seen[1].body, JSON.stringify(body), 'the body sent byte for byte');
  assert.deepEqual([seen[0].body, seen[2].body], ['', '']);
});

test('an answer without a required field is BAD_RESPONSE; a 404 is an api error with its Request-ID', async () => {
  const c = client();
  const bad = await rejection(c.queryOrder({ out_trade_no: 'bad_answer' }));
  assert.equal(bad.code, 'BAD_RESPONSE');
  assert.match(bad.message, /trade_state/);
  const e = await rejection(c.queryOrder({ out_trade_no: 'missing' }));
  assert.ok(e instanceof WechatPayError);
  assert.deepEqual([e.kind, e.code, e.status, e.requestId], ['api', 'ORDER_NOT_EXIST', 404, 'RID-standin']);
});

/** A notification sealed and signed by node:crypto: `{ headers, body }`. */
function sealed(eventType, resource, originalType) {
  const nonce = randomBytes(6).toString('hex');
  const aad = originalType;
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(APIV3), Buffer.from(nonce));
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(JSON.stringify(resource)), cipher.final(), cipher.getAuthTag()]);
  const body = JSON.stringify({
    id: `EV-${randomBytes(4).toString('hex')}`, create_time: '2026-11-29T10:00:06+08:00', resource_type: 'encrypt-resource',
    event_type: eventType, summary: '通知',
    resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'), associated_data: aad, nonce },
  });
  return { headers: signed(body), body };
}

const INQUIRY = {
  mchid: MCHID, appid: 'wxd678efh567hg6787', openid: 'o1', plan_id: 12535, out_contract_code: 'wxwtdk20200910100000',
  out_user_code: 'u1', contract_id: CONTRACT.contract_id, contract_state: 'SIGNED', code: 'X', messsage: 'vendor typo kept',
};
const FAILED = { ...ORDER, trade_state: 'PAY_FAIL', trade_state_desc: '余额不足', success_time: undefined };

test('TERMINATE_INQUIRY, TRANSACTION.SUCCESS and TRANSACTION.FAIL sealed by node:crypto parse, unknown fields kept', async () => {
  const c = client();
  for (const [type, resource, orig] of [
    ['ENTRUST.TERMINATE_INQUIRY', INQUIRY, 'entrust'],
    ['TRANSACTION.SUCCESS', ORDER, 'transaction'],
    ['TRANSACTION.FAIL', FAILED, 'transaction'],
    ['TRANSACTION.REFUND', { anything: [1, 2] }, 'transaction'],
  ]) {
    const n = sealed(type, resource, orig);
    const event = await c.parseNotification(n);
    assert.equal(event.event_type, type);
    assert.equal(event.id, JSON.parse(n.body).id);
    assert.deepEqual(event.resource, JSON.parse(JSON.stringify(resource)), type);
  }
});

test('tampered notifications are refused: a body byte, a header; a resource missing a required field', async () => {
  const c = client();
  const n = sealed('TRANSACTION.SUCCESS', ORDER, 'transaction');
  const i = n.body.indexOf('"summary"') + 3;
  const flipped = n.body.slice(0, i) + (n.body[i] === 'A' ? 'B' : 'A') + n.body.slice(i + 1);
  for (const bad of [
    { ...n, body: flipped },
    { ...n, headers: { ...n.headers, 'wechatpay-nonce': `${n.headers['wechatpay-nonce']}x` } },
    { ...n, headers: { ...n.headers, 'wechatpay-timestamp': String(Number(n.headers['wechatpay-timestamp']) - 1) } },
  ]) {
    const e = await rejection(c.parseNotification(bad));
    assert.equal(e.kind, 'signature', e.message);
    assert.equal(e.code, 'BAD_SIGNATURE');
  }
  const { success_time: _t, ...unpaid } = ORDER;
  for (const [type, resource, orig] of [
    ['TRANSACTION.SUCCESS', unpaid, 'transaction'],
    ['TRANSACTION.FAIL', { ...FAILED, amount: { total: '100' } }, 'transaction'],
    ['ENTRUST.TERMINATE_INQUIRY', { ...INQUIRY, plan_id: undefined }, 'entrust'],
  ]) {
    const e = await rejection(c.parseNotification(sealed(type, resource, orig)));
    assert.equal(e.code, 'BAD_NOTIFICATION', type);
    assert.match(e.message, new RegExp(type.replace('.', '\\.')));
  }
});

test('terminateInquiryReply: 200 JSON, SUCCESS or FAIL with its reason, escaped; a refusal needs a reason', () => {
  const ok = terminateInquiryReply(true);
  assert.deepEqual(ok, { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"code":"SUCCESS","message":"OK"}' });
  const reason = '扣款进行中，请稍后 "再试"\n\\ </script>';
  const no = terminateInquiryReply(false, reason);
  assert.equal(no.status, 200);
  assert.deepEqual(JSON.parse(no.body), { code: 'FAIL', message: reason });
  assert.equal(no.body, JSON.stringify({ code: 'FAIL', message: reason }));
  for (const [args, rule] of [[[false], 'required'], [[false, ''], 'length'], [[false, 'x'.repeat(129)], 'length'], [[true, '😀'], 'utf8mb4']]) {
    let e;
    try { terminateInquiryReply(...args); } catch (err) { e = err; }
    assert.ok(e instanceof WechatPayError, String(args));
    assert.equal(e.code, 'INVALID_FIELD');
    assert.deepEqual(e.issues.map((x) => `${x.field} ${x.rule}`), [`/message ${rule}`]);
  }
  assert.equal(terminateInquiryReply(false, 'x'.repeat(128)).status, 200);
  for (const args of [['yes'], [1], [true, 5]]) assert.throws(() => terminateInquiryReply(...args), (e) => e.code === 'BAD_ARGUMENT');
});
