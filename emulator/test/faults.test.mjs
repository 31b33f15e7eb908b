// emu.inject({kind, times, ms}): each fault kind, its count, its scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, rawRequest, validBody, verifyResponse } from './helpers/client.mjs';

let emu;
before(async () => { emu = await start(); });
after(() => emu.close());

const call = () => apiCall(emu, { body: validBody(emu.credentials) });
const sigHeaders = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-serial', 'wechatpay-signature'];

test('delay: the answer comes after ms, then normal', async () => {
  emu.inject({ kind: 'delay', ms: 150 });
  assert.equal(emu.faults.length, 1);
  const t0 = Date.now();
  const res = await call();
  // A lower bound only (a loaded machine makes it longer, never shorter).
  assert.ok(Date.now() - t0 >= 140);
  assert.equal(res.status, 200);
  assert.ok(verifyResponse(res, emu.credentials.certs).ok);
  // 'then normal': the fault (times 1) was used up by that call, so the next is not delayed.
  assert.deepEqual(emu.faults, []);
  const again = await call();
  assert.equal(again.status, 200);
  assert.deepEqual(emu.faults, []);
});

test('status500: SYSTEM_ERROR without signature headers, times honoured, no side effect', async () => {
  emu.inject({ kind: 'status500', times: 2 });
  const body = validBody(emu.credentials);
  for (let i = 0; i < 2; i++) {
    const res = await apiCall(emu, { body });
    assert.equal(res.status, 500);
    assert.equal(res.json.code, 'SYSTEM_ERROR');
    assert.ok(res.headers['request-id']);
    for (const h of sigHeaders) assert.equal(res.headers[h], undefined);
  }
  const ok = await apiCall(emu, { body }); // the same out_contract_code still works: nothing was created
  assert.equal(ok.status, 200, ok.text);
});

test('status429: RATELIMIT_EXCEEDED', async () => {
  emu.inject({ kind: 'status429' });
  const res = await call();
  assert.equal(res.status, 429);
  assert.equal(res.json.code, 'RATELIMIT_EXCEEDED');
  for (const h of sigHeaders) assert.equal(res.headers[h], undefined);
});

test('paramError: 400 PARAM_ERROR with a body-location detail, unsigned; next call processed', async () => {
  emu.inject({ kind: 'paramError', detail: { field: '/out_user_code', value: 'u', issue: 'server rule' } });
  const res = await call();
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'PARAM_ERROR');
  assert.deepEqual(res.json.detail, { field: '/out_user_code', value: 'u', issue: 'server rule', location: 'body' });
  for (const h of sigHeaders) assert.equal(res.headers[h], undefined);
  assert.equal((await call()).status, 200);
});

test('reset: the socket is closed without an answer', async () => {
  emu.inject({ kind: 'reset' });
  await assert.rejects(call(), (e) => ['ECONNRESET', 'EPIPE'].includes(e.code) || /socket hang up/.test(e.message));
  assert.equal((await call()).status, 200);
});

test('badJson: 2xx, correctly signed, body not JSON', async () => {
  emu.inject({ kind: 'badJson' });
  const res = await call();
  assert.equal(res.status, 200);
  assert.equal(res.json, undefined);
  assert.ok(verifyResponse(res, emu.credentials.certs).ok);
});

test('truncate: body cut after signing -> signature mismatch', async () => {
  emu.inject({ kind: 'truncate' });
  const res = await call();
  assert.equal(res.status, 200);
  assert.equal(res.json, undefined);
  assert.equal(verifyResponse(res, emu.credentials.certs).reason, 'bad signature');
});

test('badSignature: valid JSON, signature does not verify', async () => {
  emu.inject({ kind: 'badSignature' });
  const res = await call();
  assert.equal(res.status, 200);
  assert.ok(res.json.pre_entrustweb_id);
  assert.equal(verifyResponse(res, emu.credentials.certs).reason, 'bad signature');
});

test('staleTimestamp: Wechatpay-Timestamp 10 minutes old, correctly signed', async () => {
  emu.inject({ kind: 'staleTimestamp' });
  const res = await call();
  assert.equal(res.status, 200);
  const age = Math.floor(Date.now() / 1000) - Number(res.headers['wechatpay-timestamp']);
  assert.ok(age >= 599 && age <= 602, String(age));
  assert.equal(verifyResponse(res, emu.credentials.certs).reason, 'stale timestamp');
  assert.ok(verifyResponse(res, emu.credentials.certs, { nowMs: Date.now() - 600_000 }).ok);
});

test('unknownSerial: signed, but Wechatpay-Serial names a key the client does not have', async () => {
  emu.inject({ kind: 'unknownSerial' });
  const res = await call();
  assert.equal(res.status, 200);
  assert.match(res.headers['wechatpay-serial'], /^PUB_KEY_ID_0+$/);
  assert.match(verifyResponse(res, emu.credentials.certs).reason, /unknown serial/);
  const key = Object.values(emu.credentials.certs)[0];
  assert.ok(verifyResponse(res, { [res.headers['wechatpay-serial']]: key }).ok);
});

test('noSignatureHeaders: 2xx without the Wechatpay-* headers', async () => {
  emu.inject({ kind: 'noSignatureHeaders' });
  const res = await call();
  assert.equal(res.status, 200);
  for (const h of sigHeaders) assert.equal(res.headers[h], undefined);
  assert.ok(res.headers['request-id']);
  assert.ok(res.json.pre_entrustweb_id);
});

test('faults skip /emulator/ pages and error answers keep 2xx faults for the next 2xx', async () => {
  emu.inject({ kind: 'status500' });
  const page = await rawRequest(emu.url, { path: '/emulator/health' });
  assert.equal(page.status, 200);
  assert.equal((await call()).status, 500);
  emu.inject({ kind: 'badSignature' });
  const err = await apiCall(emu, { body: '{}' });
  assert.equal(err.status, 400);
  const res = await call();
  assert.equal(verifyResponse(res, emu.credentials.certs).reason, 'bad signature');
  assert.equal(emu.faults.length, 0);
});

test('faults also apply to the GET contract query; path/method filters; HTTP control endpoint', async () => {
  emu.inject({ kind: 'status429', method: 'GET' });
  assert.equal((await call()).status, 200);
  const q = await apiCall(emu, { method: 'GET', path: `/v3/papay/sign/contracts/plan-id/${emu.credentials.plan_id}/out-contract-code/X1` });
  assert.equal(q.status, 429);
  const add = await rawRequest(emu.url, { method: 'POST', path: '/emulator/faults', headers: { 'Content-Type': 'application/json' }, body: '{"kind":"status500","times":1}' });
  assert.equal(add.status, 200);
  assert.equal((await call()).status, 500);
  const bad = await rawRequest(emu.url, { method: 'POST', path: '/emulator/faults', body: '{"kind":"meteor"}' });
  assert.equal(bad.status, 400);
  assert.throws(() => emu.inject({ kind: 'meteor' }), /kind must be one of/);
  emu.inject({ kind: 'status500', times: 3 });
  const del = await rawRequest(emu.url, { method: 'DELETE', path: '/emulator/faults' });
  assert.deepEqual(del.json, []);
  assert.equal((await call()).status, 200);
});
