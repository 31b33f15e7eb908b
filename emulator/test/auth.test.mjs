// The request checks of POST pre-entrust-sign, in the order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { PRE_PATH, apiCall, authorization, nonceStr, validBody, verifyResponse } from './helpers/client.mjs';

let emu;
before(async () => { emu = await start(); });
after(() => emu.close());

const noSig = (res) => {
  for (const h of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-serial', 'wechatpay-signature']) {
    assert.equal(res.headers[h], undefined, `error answers carry no ${h}`);
  }
  assert.match(res.headers['request-id'], /^[0-9A-F]{20,}$/);
  assert.match(res.headers['content-type'], /^application\/json/);
};

test('1. missing Accept -> 400 INVALID_REQUEST (checked before the signature)', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials), omit: ['Accept'], auth: 'garbage' });
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'INVALID_REQUEST');
  assert.match(res.json.message, /Accept/);
  noSig(res);
});

test('1. missing User-Agent -> 400 INVALID_REQUEST', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials), omit: ['User-Agent'] });
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'INVALID_REQUEST');
  assert.match(res.json.message, /User-Agent/);
});

test('2. Authorization missing / unparseable / wrong scheme -> 401 SIGN_ERROR', async () => {
  const body = validBody(emu.credentials);
  const good = authorization(emu.credentials, 'POST', PRE_PATH, JSON.stringify(body));
  const cases = [
    { omit: ['Authorization'] },
    { auth: 'garbage' },
    { auth: good.replace('WECHATPAY2-SHA256-RSA2048', 'WECHATPAY2-SHA256-RSA4096') },
    { auth: good.replace(/,signature="[^"]*"/, '') },
    { auth: good.replace('mchid="', 'mchid=') },
    { auth: 'WECHATPAY2-SHA256-RSA2048 ' },
  ];
  for (const c of cases) {
    const res = await apiCall(emu, { body, ...c });
    assert.equal(res.status, 401, JSON.stringify(c));
    assert.equal(res.json.code, 'SIGN_ERROR');
    noSig(res);
  }
});

test('2. pairs in any order are accepted', async () => {
  const body = JSON.stringify(validBody(emu.credentials));
  const a = authorization(emu.credentials, 'POST', PRE_PATH, body);
  const [scheme, rest] = [a.slice(0, a.indexOf(' ')), a.slice(a.indexOf(' ') + 1)];
  const reordered = `${scheme} ${rest.split(',').reverse().join(',')}`;
  const res = await apiCall(emu, { body, auth: reordered });
  assert.equal(res.status, 200, res.text);
});

test('3. unknown mchid -> 401 SIGN_ERROR', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials), sign: { mchid: '1999999999' } });
  assert.equal(res.status, 401);
  assert.equal(res.json.code, 'SIGN_ERROR');
  assert.match(res.json.message, /mchid/);
});

test('4. unknown serial -> 401 SIGN_ERROR', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials), sign: { serial: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' } });
  assert.equal(res.status, 401);
  assert.equal(res.json.code, 'SIGN_ERROR');
  assert.match(res.json.message, /serial/);
});

test('5. timestamp more than 300 s off -> 401; within 300 s accepted', async () => {
  const now = Math.floor(Date.now() / 1000);
  for (const ts of [now - 400, now + 400, 'abc']) {
    const res = await apiCall(emu, { body: validBody(emu.credentials), sign: { timestamp: ts } });
    assert.equal(res.status, 401, String(ts));
    assert.equal(res.json.code, 'SIGN_ERROR');
  }
  const ok = await apiCall(emu, { body: validBody(emu.credentials), sign: { timestamp: now - 250 } });
  assert.equal(ok.status, 200, ok.text);
});

test('6. a nonce seen before -> 401 SIGN_ERROR', async () => {
  const nonce = nonceStr();
  const first = await apiCall(emu, { body: validBody(emu.credentials), sign: { nonce } });
  assert.equal(first.status, 200, first.text);
  const again = await apiCall(emu, { body: validBody(emu.credentials), sign: { nonce } });
  assert.equal(again.status, 401);
  assert.equal(again.json.code, 'SIGN_ERROR');
  assert.match(again.json.message, /nonce/);
});

test('7. signature not over the exact bytes received -> 401 with detail.sign_information', async () => {
  const obj = validBody(emu.credentials);
  const signedText = JSON.stringify(obj);
  const sentText = JSON.stringify(obj, null, 1); // re-serialised after signing: the classic bug
  const auth = authorization(emu.credentials, 'POST', PRE_PATH, signedText);
  const res = await apiCall(emu, { body: sentText, auth });
  assert.equal(res.status, 401);
  assert.equal(res.json.code, 'SIGN_ERROR');
  const si = res.json.detail.sign_information;
  assert.equal(si.method, 'POST');
  assert.equal(si.url, PRE_PATH);
  assert.equal(typeof si.sign_message_length, 'number');
  assert.ok(si.sign_message_length > sentText.length);
  assert.ok(si.truncated_sign_message.startsWith(`POST\n${PRE_PATH}\n`));
  noSig(res);
  // same for a signature made with another key / over another path
  const wrongPath = await apiCall(emu, { body: signedText, auth: authorization(emu.credentials, 'POST', PRE_PATH + '?x=1', signedText) });
  assert.equal(wrongPath.status, 401);
  assert.ok(wrongPath.json.detail.sign_information);
});

test('7. a failed signature does not burn the nonce; its retry with a valid signature passes', async () => {
  const nonce = nonceStr();
  const body = JSON.stringify(validBody(emu.credentials));
  const bad = await apiCall(emu, { body: body + ' ', auth: authorization(emu.credentials, 'POST', PRE_PATH, body, { nonce }) });
  assert.equal(bad.status, 401);
  const good = await apiCall(emu, { body, sign: { nonce } });
  assert.equal(good.status, 200, good.text);
});

test('8. signature checked before the body rules', async () => {
  const body = JSON.stringify({ nonsense: true });
  const res = await apiCall(emu, { body: body + 'x', auth: authorization(emu.credentials, 'POST', PRE_PATH, body) });
  assert.equal(res.status, 401);
  const res2 = await apiCall(emu, { body });
  assert.equal(res2.status, 400);
  assert.equal(res2.json.code, 'PARAM_ERROR');
});

test('success: 200 signed with the WeChat Pay public key asked for by Wechatpay-Serial', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials) });
  assert.equal(res.status, 200);
  assert.deepEqual(verifyResponse(res, emu.credentials.certs), { ok: true });
  assert.equal(res.headers['wechatpay-serial'], Object.keys(emu.credentials.certs)[0]);
  assert.match(res.headers['wechatpay-nonce'], /^[A-Za-z0-9]{32}$/);
  assert.match(res.headers['request-id'], /^[0-9A-F]+$/);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.match(res.headers['access-control-expose-headers'], /Wechatpay-Signature/);
  assert.equal(res.headers['access-control-allow-origin'], '*');
  // without Wechatpay-Serial the answer is signed with the same (only) key
  const res2 = await apiCall(emu, { body: validBody(emu.credentials), omit: ['Wechatpay-Serial'] });
  assert.equal(res2.status, 200);
  assert.deepEqual(verifyResponse(res2, emu.credentials.certs), { ok: true });
});

test('GET contract query: GET signs an empty body; unknown -> 404 RESOURCE_NOT_EXISTS', async () => {
  const p = `/v3/papay/sign/contracts/plan-id/${emu.credentials.plan_id}/out-contract-code/NOPE123`;
  const res = await apiCall(emu, { method: 'GET', path: p });
  assert.equal(res.status, 404);
  assert.equal(res.json.code, 'RESOURCE_NOT_EXISTS');
  const unsigned = await apiCall(emu, { method: 'GET', path: p, auth: 'x' });
  assert.equal(unsigned.status, 401);
  const noAccept = await apiCall(emu, { method: 'GET', path: p, omit: ['Accept'] });
  assert.equal(noAccept.status, 400);
});

test('works with fetch (undici), as a browser or the SDK would call it', async () => {
  const body = JSON.stringify(validBody(emu.credentials));
  const res = await fetch(emu.url + PRE_PATH, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'User-Agent': 'fetch-test',
      Authorization: authorization(emu.credentials, 'POST', PRE_PATH, body),
    },
    body,
    signal: AbortSignal.timeout(4000),
  });
  assert.equal(res.status, 200);
  const raw = Buffer.from(await res.arrayBuffer());
  const headers = Object.fromEntries(res.headers);
  assert.deepEqual(verifyResponse({ headers, raw }, emu.credentials.certs), { ok: true });
});
