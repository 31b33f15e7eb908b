// Garbage input: real-API-shaped errors, never a crash or a hang.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { start } from './helpers/fixture.mjs';
import { PRE_PATH, apiCall, rawRequest, validBody } from './helpers/client.mjs';

let emu;
const logs = [];
before(async () => { emu = await start({ log: (l) => logs.push(l) }); });
after(async () => {
  await emu.close();
  assert.ok(!logs.some((l) => l.includes('internal error')), logs.filter((l) => l.includes('internal error')).join('\n'));
});

const apiShaped = (res, status, code) => {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json.code, code);
  assert.equal(typeof res.json.message, 'string');
  assert.ok(res.headers['request-id']);
};

function rawSocket(payload, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const u = new URL(emu.url);
    const s = net.connect(Number(u.port), '127.0.0.1');
    let out = '';
    s.setTimeout(timeoutMs, () => s.destroy());
    s.on('data', (d) => { out += d; });
    s.on('close', () => resolve(out));
    s.on('error', () => {});
    s.write(payload);
  });
}

test('signed non-JSON body -> 400 PARAM_ERROR', async () => {
  apiShaped(await apiCall(emu, { body: 'this is not json' }), 400, 'PARAM_ERROR');
  apiShaped(await apiCall(emu, { body: '{"a":' }), 400, 'PARAM_ERROR');
  apiShaped(await apiCall(emu, { body: '' }), 400, 'PARAM_ERROR');
  apiShaped(await apiCall(emu, { body: 'null' }), 400, 'PARAM_ERROR');
});

test('signed body that is not UTF-8 -> 400 PARAM_ERROR', async () => {
  apiShaped(await apiCall(emu, { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), 400, 'PARAM_ERROR');
});

test('huge bodies -> 413 INVALID_REQUEST, server still answers afterwards', async () => {
  const big = Buffer.alloc(1024 * 1024, 0x61);
  apiShaped(await apiCall(emu, { body: big }), 413, 'INVALID_REQUEST');
  const huge = Buffer.alloc(9 * 1024 * 1024, 0x61);
  const res = await apiCall(emu, { body: huge, timeoutMs: 8000 }).catch((e) => e);
  if (!(res instanceof Error)) apiShaped(res, 413, 'INVALID_REQUEST');
  else assert.match(res.code ?? '', /EPIPE|ECONNRESET/);
  assert.equal((await apiCall(emu, { body: validBody(emu.credentials) })).status, 200);
});

test('odd methods and unknown paths -> 405 / 404 JSON', async () => {
  for (const method of ['PUT', 'DELETE', 'PATCH', 'GET']) {
    const res = await apiCall(emu, { method, body: method === 'GET' ? undefined : '{}' });
    apiShaped(res, 405, 'METHOD_NOT_ALLOWED');
  }
  const head = await rawRequest(emu.url, { method: 'HEAD', path: PRE_PATH });
  assert.equal(head.status, 405);
  const post = await apiCall(emu, { method: 'POST', path: '/v3/papay/sign/contracts/plan-id/1/out-contract-code/X' });
  apiShaped(post, 405, 'METHOD_NOT_ALLOWED');
  apiShaped(await apiCall(emu, { path: '/v3/pay/transactions/native', body: '{}' }), 404, 'RESOURCE_NOT_EXISTS');
  apiShaped(await rawRequest(emu.url, { path: '/nothing/here' }), 404, 'RESOURCE_NOT_EXISTS');
  apiShaped(await rawRequest(emu.url, { method: 'GET', path: '/emulator/pre-entrust/x/sign' }), 405, 'METHOD_NOT_ALLOWED');
  apiShaped(await rawRequest(emu.url, { method: 'BREW', path: PRE_PATH }), 400, 'INVALID_REQUEST');
});

test('bad path parameters of the GET query -> 400 PARAM_ERROR', async () => {
  apiShaped(await apiCall(emu, { method: 'GET', path: '/v3/papay/sign/contracts/plan-id/abc/out-contract-code/X' }), 400, 'PARAM_ERROR');
  apiShaped(await apiCall(emu, { method: 'GET', path: '/v3/papay/sign/contracts/plan-id/1/out-contract-code/%E0%A4%A' }), 400, 'PARAM_ERROR');
});

test('bad headers: huge Authorization, binary junk, duplicate pairs -> 401 SIGN_ERROR', async () => {
  apiShaped(await apiCall(emu, { body: '{}', auth: 'WECHATPAY2-SHA256-RSA2048 ' + 'a="b",'.repeat(2000) }), 401, 'SIGN_ERROR');
  apiShaped(await apiCall(emu, { body: '{}', auth: 'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="1",nonce_str="x",timestamp="1",serial_no="x",signature="x"' }), 401, 'SIGN_ERROR');
  apiShaped(await apiCall(emu, { body: '{}', auth: 'WECHATPAY2-SHA256-RSA2048 mchid="' + emu.credentials.mchid + '",nonce_str="x",timestamp="' + Math.floor(Date.now() / 1000) + '",serial_no="' + emu.credentials.serial + '",signature="!!!not base64"' }), 401, 'SIGN_ERROR');
});

test('malformed HTTP and absolute-form targets get a 400 JSON and a closed socket', async () => {
  const out = await rawSocket('GARBAGE\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 400/);
  assert.match(out, /"code":"INVALID_REQUEST"/);
  const abs = await rawSocket(`GET http://127.0.0.1/v3/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  assert.match(abs, /^HTTP\/1\.1 400/);
  // a client that sends half a body and vanishes does not hurt the server
  await rawSocket(`POST ${PRE_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":`, 100);
  assert.equal((await apiCall(emu, { body: validBody(emu.credentials) })).status, 200);
});

test('CORS preflight is answered for any origin on an API path', async () => {
  const res = await rawRequest(emu.url, {
    method: 'OPTIONS', path: PRE_PATH,
    headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,wechatpay-serial' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers['access-control-allow-origin'], '*');
  assert.match(res.headers['access-control-allow-methods'], /POST/);
  for (const h of ['Authorization', 'Content-Type', 'Accept', 'Wechatpay-Serial', 'User-Agent']) {
    assert.ok(res.headers['access-control-allow-headers'].includes(h), h);
  }
  assert.match(res.headers['access-control-expose-headers'], /Request-ID/);
});

test('many concurrent garbage requests: all answered', async () => {
  const reqs = [];
  for (let i = 0; i < 30; i++) reqs.push(apiCall(emu, { body: i % 2 ? 'x' : '{}', auth: i % 3 ? undefined : 'junk' }));
  const all = await Promise.all(reqs);
  for (const r of all) assert.ok([400, 401].includes(r.status));
});
