// The seed's three call styles on any APIv3 path, over client.request: each gives a standard
// Response whose signature was verified and whose body can still be read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pkg, emulator, client, body, rejection } from './helpers.mjs';

const { WechatPayError } = pkg;
let emu;
before(async () => { emu = await emulator(); });
after(async () => { await emu.close(); });

test('three styles reach pre-entrust-sign and return verified Responses', async () => {
  const c = client(emu);
  const r1 = await c.v3.papay.sign.contracts.preEntrustSign.post({ json: body(emu) });
  const r2 = await c.chain('v3/papay/sign/contracts/pre-entrust-sign').post({ json: body(emu) });
  const r3 = await c['v3/papay/sign/contracts/pre-entrust-sign'].postAsync({ json: body(emu) });
  for (const r of [r1, r2, r3]) {
    assert.ok(r instanceof Response);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('request-id'), /\S/);
    const j = await r.json();
    assert.ok(emu.contracts.get(j.pre_entrustweb_id), 'the emulator created it');
  }
});

test('path parameters and GET: the contract query after a signing', async () => {
  const c = client(emu);
  const b = body(emu);
  const res = await c.preEntrustSign(b);
  const signed = emu.sign(res.pre_entrustweb_id);
  const params = { plan_id: b.plan_id, out_contract_code: b.out_contract_code };
  const q1 = await c.v3.papay.sign.contracts.planId['{plan_id}'].outContractCode['{out_contract_code}'].get({ params });
  const q2 = await c.chain('v3/papay/sign/contracts/plan-id/$plan_id$/out-contract-code/$out_contract_code$').get({ params });
  for (const q of [q1, q2]) {
    assert.equal(q.status, 200);
    const contract = await q.json();
    assert.equal(contract.contract_id, signed.contract_id);
    assert.equal(contract.contract_state, 'SIGNED');
  }
  await assert.rejects(c.chain('v3/papay/sign/contracts/plan-id/{plan_id}').get({}), (e) => e.code === 'BAD_ARGUMENT' && /params\.plan_id/.test(e.message));
});

test('the pre-entrust-sign body is validated on the chain too; nothing is sent', async () => {
  const before = emu.contracts.size;
  const e = await rejection(client(emu).v3.papay.sign.contracts.preEntrustSign.post({ json: body(emu, { plan_id: '12535' }) }));
  assert.ok(e instanceof WechatPayError);
  assert.equal(e.kind, 'validation');
  assert.equal(e.issues[0].field, '/plan_id');
  assert.equal(emu.contracts.size, before);
});

test('non-2xx rejects with an api error; tampered 2xx with a signature error', async () => {
  const c = client(emu);
  const e = await rejection(c.v3.papay.sign.contracts.planId['{p}'].outContractCode['{o}'].get({ params: { p: 1, o: 'NOPE' } }));
  assert.equal(e.kind, 'api');
  assert.equal(e.status, 404);
  emu.inject({ kind: 'badSignature' });
  const s = await rejection(c.chain('v3/papay/sign/contracts/pre-entrust-sign').post({ json: body(emu) }));
  assert.equal(s.kind, 'signature');
});

test('reserved headers cannot be overridden; query strings are signed as sent', async () => {
  const c = client(emu);
  await assert.rejects(c.chain('v3/x').get({ headers: { Authorization: 'x' } }), (e) => e.code === 'BAD_ARGUMENT');
  // The emulator checks the signature over the path with its query before answering: a 404
  // RESOURCE_NOT_EXISTS (not a 401 SIGN_ERROR) shows the signed query equals the sent one.
  const e = await rejection(c.v3.papay.sign.contracts.planId['{p}'].outContractCode['{o}'].get({ params: { p: 1, o: 'NOPE' }, query: { a: '1 2', b: '中', c: true } }));
  assert.equal(e.status, 404, e.message);
  assert.equal(e.code, 'RESOURCE_NOT_EXISTS');
});

test('methods of the class are not shadowed by the chain', () => {
  const c = client(emu);
  assert.equal(typeof c.preEntrustSign, 'function');
  assert.equal(typeof c.authorization, 'function');
  assert.equal(c.then, undefined, 'a client is not a thenable');
  assert.equal(String(c.v3.papay.sign), '/v3/papay/sign');
});

test('camelCase segments become kebab-case; values and other segments are kept as written', () => {
  const c = client(emu);
  assert.equal(String(c.v3.merchantService.complaintsV2), '/v3/merchant-service/complaints-v2');
  assert.equal(String(c.chain('v3/papay/sign/contracts/preEntrustSign')), '/v3/papay/sign/contracts/pre-entrust-sign');
  const kept = 'v3/papay/sign/contracts/plan-id/12535/out-contract-code/WXdk2020/NOPE/out_code/ABc/{x}/$y$';
  assert.equal(String(c.chain(kept)), `/${kept}`);
  assert.equal(String(c[`${kept}`].x1), `/${kept}/x1`);
  assert.equal(String(c.v3.papay.outContractCode.WXdk2020), '/v3/papay/out-contract-code/WXdk2020');
});

test('numbers in query and params are written as JavaScript writes them (String(n))', async () => {
  const c = client(emu);
  const urls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => { urls.push(String(url)); return realFetch(url, init); };
  try {
    const e = await rejection(c.v3.papay.sign.contracts.planId['{p}'].outContractCode['{o}'].get({
      params: { p: 1, o: 1e21 }, query: { f: 0.5, n: -0, big: 2 ** 53, t: false },
    }));
    assert.equal(e.code, 'RESOURCE_NOT_EXISTS', e.message); // signed as sent (see above)
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(urls.length, 1);
  const u = new URL(urls[0]);
  assert.equal(u.pathname, `/v3/papay/sign/contracts/plan-id/1/out-contract-code/${encodeURIComponent(String(1e21))}`);
  assert.equal(u.search, `?f=0.5&n=0&big=${2 ** 53}&t=false`);
  await assert.rejects(c.chain('v3/x/{p}').get({ params: { p: true } }), (err) => err.code === 'BAD_ARGUMENT' && /params\.p: must be a string or number, not boolean/.test(err.message));
});

test('request(): the URL sent, from params and query, percent-encoded as encodeURIComponent does', async () => {
  const c = client(emu);
  const realFetch = globalThis.fetch;
  const urls = [];
  globalThis.fetch = async (url) => {
    urls.push(url);
    return new Response('{"code":"NOT_FOUND","message":"stub"}', { status: 404 });
  };
  try {
    await rejection(c.request('GET', '/v3/x/{p}/$q$', { params: { p: 'a/b c', q: 5 }, query: { a: '1 2', b: '中', c: true, skipped: undefined, n: 1e21 } }));
    await rejection(c.request('GET', '/v3/x', { query: {} }));
    await rejection(c.request('GET', '/v3/x', { query: { only: '' } }));
  } finally {
    globalThis.fetch = realFetch;
  }
  const base = emu.url.replace(/\/$/, '');
  assert.deepEqual(urls, [
    `${base}/v3/x/${encodeURIComponent('a/b c')}/5?a=${encodeURIComponent('1 2')}&b=${encodeURIComponent('中')}&c=true&n=${encodeURIComponent(String(1e21))}`,
    `${base}/v3/x`,
    `${base}/v3/x?only=`,
  ]);
});

test('request(): signed over the URL as fetch sends it, where the URL parser changes the text', async () => {
  const c = client(emu);
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => { sent.push(String(url)); return realFetch(url, init); };
  try {
    // encodeURIComponent leaves ' ( ) ! * ~ as they are, and fetch sends ' in a query as %27;
    // a literal path may hold non-ASCII, { } or `..` segments, which fetch encodes or resolves.
    // The emulator verifies the signature over the request line it received before it looks
    // for the contract: a 404 RESOURCE_NOT_EXISTS, not a 401 SIGN_ERROR, shows they agree.
    for (const [path, opts] of [
      ['/v3/papay/sign/contracts/plan-id/1/out-contract-code/NOPE', { query: { name: "O'Brien", marks: "(!)*~'" } }],
      ["/v3/papay/sign/contracts/plan-id/1/out-contract-code/O'B张{x}", {}],
      ['/v3/papay/x/../sign/./contracts/plan-id/1/out-contract-code/NOPE?q=a\'b#fragment', {}],
    ]) {
      const e = await rejection(c.request('GET', path, opts));
      assert.equal(e.code, 'RESOURCE_NOT_EXISTS', `${path}: ${e.message}`);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  const paths = sent.map((u) => { const x = new URL(u); return x.pathname + x.search; });
  assert.deepEqual(paths, [
    "/v3/papay/sign/contracts/plan-id/1/out-contract-code/NOPE?name=O%27Brien&marks=(!)*~%27",
    `/v3/papay/sign/contracts/plan-id/1/out-contract-code/O'B${encodeURIComponent('张')}%7Bx%7D`,
    '/v3/papay/sign/contracts/plan-id/1/out-contract-code/NOPE?q=a%27b',
  ]);
  assert.ok(sent.every((u) => !u.includes('#')), 'no fragment is sent');
});

test('request(): a pre-entrust-sign path written another way is validated too; nothing is sent', async () => {
  const c = client(emu);
  const before = emu.contracts.size;
  for (const path of ['/v3/papay/sign/contracts/pre-entrust-sign#', '/v3/papay/x/../sign/contracts/./pre-entrust-sign', 'v3/papay/sign/contracts/pre-entrust-sign?x=1']) {
    const e = await rejection(c.request('POST', path, { json: body(emu, { plan_id: '12535' }) }));
    assert.equal(e.kind, 'validation', `${path}: ${e.message}`);
    assert.equal(e.issues[0].field, '/plan_id');
  }
  assert.equal(emu.contracts.size, before);
});

test('request(): an option it does not know is refused before anything is signed or sent', async () => {
  const c = client(emu);
  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (...args) => { calls += 1; return realFetch(...args); };
  try {
    const cases = [
      [{ body: body(emu) }, /options: "body" is not an option of request\(\); the options are json, query, headers and params; a JSON body goes in json/],
      [{ json: body(emu), qurey: { a: 1 } }, /"qurey" .*did you mean query\?/],
      [{ json: body(emu), params: {}, Headers: {} }, /did you mean headers\?/],
      ['json', /options: must be an object \{ json, query, headers, params \}, not string/],
      [[body(emu)], /not an array/],
    ];
    for (const [opts, message] of cases) {
      const e = await rejection(c.v3.papay.sign.contracts.preEntrustSign.post(opts));
      assert.ok(e instanceof WechatPayError, String(e));
      assert.equal(e.code, 'BAD_ARGUMENT');
      assert.match(e.message, message);
    }
    assert.equal(calls, 0, 'nothing was sent');
    // An option set to undefined is as good as absent.
    const r = await c.request('POST', '/v3/papay/sign/contracts/pre-entrust-sign', { json: body(emu), query: undefined, data: undefined });
    assert.equal(r.status, 200);
  } finally {
    globalThis.fetch = realFetch;
  }
});
