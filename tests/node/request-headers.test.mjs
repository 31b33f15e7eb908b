// The headers every request carries, on each of the transport's paths: a typed operation on
// the global fetch, `request()` with extra headers, and the `fetch` option (which gets a
// Headers object: a transport may iterate it, as benches/roundtrip-setup.mjs does). Read back
// the way fetch reads them (`new Headers(init.headers)`), the names and values must be the
// same on every path. (Written for issue 19's plain-record experiment, docs/perf.md: it kept
// the headers identical; the experiment was not kept.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { emulator, client, body } from './helpers.mjs';

const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
let emu;
before(async () => { emu = await emulator(); });
after(async () => { await emu.close(); });

/** Runs `fn` with the global fetch recording each call's init; gives the recorded inits. */
async function recording(fn) {
  const realFetch = globalThis.fetch;
  const inits = [];
  globalThis.fetch = (url, init) => { inits.push(init); return realFetch(url, init); };
  try {
    await fn();
  } finally {
    globalThis.fetch = realFetch;
  }
  return inits;
}

function checkOwn(c, h) {
  assert.equal(h.get('accept'), 'application/json');
  assert.equal(h.get('content-type'), 'application/json');
  assert.equal(h.get('user-agent'), c.userAgent);
  assert.ok(Object.keys(emu.credentials.certs).includes(h.get('wechatpay-serial')), h.get('wechatpay-serial'));
  assert.match(h.get('authorization'), /^WECHATPAY2-SHA256-RSA2048 mchid="\d+",nonce_str="[^"]+",timestamp="\d+",serial_no="[^"]+",signature="[^"]+"$/);
}

test('a typed call on the global fetch sends every header, and only those', async () => {
  const c = client(emu);
  const inits = await recording(async () => assert.ok((await c.preEntrustSign(body(emu))).pre_entrustweb_id));
  assert.equal(inits.length, 1);
  const h = new Headers(inits[0].headers);
  checkOwn(c, h);
  assert.deepEqual([...h.keys()].sort(), ['accept', 'authorization', 'content-type', 'user-agent', 'wechatpay-serial']);
});

test('request() with extra headers: a Headers object, the extras and the client\'s own', async () => {
  const c = client(emu);
  const inits = await recording(async () => {
    const r = await c.request('POST', PATH, { json: body(emu), headers: { 'X-Trace': 't1' } });
    assert.ok(r.data?.pre_entrustweb_id ?? r.pre_entrustweb_id ?? r, 'answered');
  });
  assert.equal(inits.length, 1);
  assert.ok(inits[0].headers instanceof Headers);
  const h = inits[0].headers;
  checkOwn(c, h);
  assert.equal(h.get('x-trace'), 't1');
});

test('the fetch option still gets a Headers object (transports may iterate it)', async () => {
  const seen = [];
  const c = client(emu, { fetch: (url, init) => { seen.push(init.headers); return fetch(url, init); } });
  assert.ok((await c.preEntrustSign(body(emu))).pre_entrustweb_id);
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof Headers);
  checkOwn(c, seen[0]);
  assert.deepEqual(Object.keys(Object.fromEntries(seen[0])).sort(), ['accept', 'authorization', 'content-type', 'user-agent', 'wechatpay-serial']);
});
