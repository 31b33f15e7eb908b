// A 3xx answer ends the call with an error after exactly one request (issue 17, point 2):
// WeChat Pay's answer signature covers timestamp, nonce and body, not the path, so a followed
// redirect to another path with a validly signed answer would pass as the call's result.
// The server here is node:http, its answers signed with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg, rejection } from './helpers.mjs';

const { Client, WechatPayError } = pkg;

const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });

function signedAnswer(res, status, text) {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(wechat.privateKey, 'base64');
  res.writeHead(status, {
    'content-type': 'application/json', 'request-id': 'R-1',
    'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID,
  });
  res.end(text);
}

async function withServer(handler, run) {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${server.address().port}`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const client = (baseURL) => new Client({
  mchid: '1900000001', serial: 'F5765756002FDD77', baseURL,
  privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) },
});

for (const status of [301, 302, 303, 307, 308]) {
  test(`a ${status} to another path with a validly signed answer there rejects after one request`, async () => {
    const other = JSON.stringify({ pre_entrustweb_id: 'from-another-path', redirect_url: 'https://attacker.example/' });
    await withServer((req, res) => {
      if (req.url.startsWith('/other')) return signedAnswer(res, 200, other);
      // The redirect itself is signed too: its signature is not what makes it refused.
      res.setHeader('location', '/other');
      return signedAnswer(res, status, '');
    }, async (base, seen) => {
      const c = client(base);
      const e = await rejection(c.request('POST', '/v3/papay/contracts/terminate', { json: { a: 1 } }));
      assert.ok(e instanceof WechatPayError, String(e));
      assert.equal(e.kind, 'network');
      assert.equal(e.code, 'NETWORK_ERROR');
      assert.equal(e.status, status);
      assert.match(e.message, new RegExp(`redirect \\(HTTP ${status}\\).*not followed`));
      assert.deepEqual(seen, ['POST /v3/papay/contracts/terminate'], 'exactly one request reached the server');
    });
  });
}

// The refused redirect's request is aborted and its body cancelled (src/wasm/fetch.rs), on
// undici's own fetch here: neither may leave a rejection nobody handles.
test('a refused redirect leaves no unhandled rejection behind', async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await withServer((req, res) => {
      res.setHeader('location', '/other');
      return signedAnswer(res, 302, JSON.stringify({ filler: 'x'.repeat(100_000) }));
    }, async (base) => {
      const e = await rejection(client(base).request('POST', '/v3/papay/contracts/terminate', { json: { a: 1 } }));
      assert.equal(e.code, 'NETWORK_ERROR');
      await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setImmediate(r));
    });
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a browser-style opaque redirect (status 0) from fetch is refused too', async () => {
  const realFetch = globalThis.fetch;
  let calls = 0;
  let redirect;
  // What a browser's fetch gives for redirect: 'manual': type "opaqueredirect", status 0.
  const opaque = Object.create(Response.prototype, {
    status: { value: 0 }, type: { value: 'opaqueredirect' }, redirected: { value: false },
    headers: { value: new Headers() }, arrayBuffer: { value: async () => new ArrayBuffer(0) },
  });
  globalThis.fetch = async (_url, init) => { calls += 1; redirect = init.redirect; return opaque; };
  try {
    const e = await rejection(client('https://api.mch.weixin.qq.com').request('GET', '/v3/x'));
    assert.equal(e.code, 'NETWORK_ERROR', e.message);
    assert.match(e.message, /redirect \(HTTP 0\)/);
    assert.equal(calls, 1);
    assert.equal(redirect, 'manual');
  } finally {
    globalThis.fetch = realFetch;
  }
});
