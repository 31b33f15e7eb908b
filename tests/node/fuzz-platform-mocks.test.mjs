// Mocks of the platform that behave oddly: fetch and crypto.subtle returning plain values, a
// crypto.getRandomValues that calls back into the package or gives only high bytes. The
// properties checked, the seed and the inputs: fuzz-inputs.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';
import { options, notification, ourError, alive } from './fuzz-inputs.mjs';

const { Client } = pkg;

test('a fetch mock that returns a Response, not a promise of one, is awaited like fetch', async () => {
  const c = new Client(options());
  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = () => { calls++; return new Response('{"code":"PARAM_ERROR","message":"mocked"}', { status: 400, headers: { 'request-id': 'R-MOCK' } }); };
  try {
    const e = await c.request('GET', '/v3/x').catch((x) => x);
    ourError(e, 'sync fetch mock');
    assert.equal(e.kind, 'api');
    assert.equal(e.code, 'PARAM_ERROR');
    assert.equal(e.requestId, 'R-MOCK');
    assert.equal(calls, 1);
  } finally {
    globalThis.fetch = realFetch;
  }
  await alive(c);
});

test('crypto.subtle mocks that return plain values, not promises, are awaited like WebCrypto', async () => {
  const c = new Client(options());
  const n = notification();
  await c.authorization('GET', '/v3/x', ''); // keys imported with the real WebCrypto
  await c.parseNotification(n);
  const subtle = globalThis.crypto.subtle;
  const real = { sign: subtle.sign, verify: subtle.verify, decrypt: subtle.decrypt };
  const fixed = new Uint8Array(256).fill(7);
  try {
    subtle.sign = () => fixed.buffer.slice(0);
    const h = await c.authorization('GET', '/v3/x', '', { timestamp: 1624523846, nonce: 'N1' });
    assert.match(h, new RegExp(`signature="${Buffer.from(fixed).toString('base64').replace(/[+/]/g, '\\$&')}"$`));
    subtle.verify = () => false;
    let e = await c.parseNotification(n).catch((x) => x);
    ourError(e, 'sync verify mock');
    assert.equal(e.code, 'BAD_SIGNATURE');
    subtle.verify = () => true;
    subtle.decrypt = () => { throw new Error('decrypt mock throws'); };
    e = await c.parseNotification(n).catch((x) => x);
    ourError(e, 'throwing decrypt mock');
    assert.equal(e.code, 'BAD_APIV3_KEY');
  } finally {
    Object.assign(subtle, real);
  }
  await alive(c);
});

test('a crypto.getRandomValues that calls back into the package does not kill the instance', async () => {
  const c = new Client(options());
  const real = crypto.getRandomValues;
  let reentered = 0;
  const inner = [];
  crypto.getRandomValues = function (array) {
    if (reentered === 0) {
      reentered++;
      // Called while the package refills its random pool: a nonce is needed again.
      inner.push(c.authorization('GET', '/v3/inner', ''));
    }
    return real.call(crypto, array);
  };
  try {
    // 48 random bytes per nonce and a pool of 1536: the pool is refilled within 40 calls.
    const outer = [];
    for (let i = 0; i < 40; i++) outer.push(await c.authorization('GET', '/v3/outer', ''));
    assert.equal(reentered, 1, 'the pool was refilled while getRandomValues was replaced');
    const all = [...outer, ...(await Promise.all(inner))];
    const nonces = all.map((h) => h.match(/nonce_str="([0-9A-Za-z]{32})"/)[1]);
    assert.equal(new Set(nonces).size, nonces.length, 'no nonce twice');
  } finally {
    crypto.getRandomValues = real;
  }
  await alive(c);
});

test('a crypto.getRandomValues that gives only high bytes is an error, not an endless loop', async () => {
  const c = new Client(options());
  const real = crypto.getRandomValues;
  crypto.getRandomValues = (array) => array.fill(255); // every byte refused by the nonce's sampling
  let e;
  try {
    // The pool still holds up to 1536 real bytes (32 nonces); past them, the fake ones.
    for (let i = 0; i < 40 && !e; i++) e = await c.authorization('GET', '/v3/x', '').then(() => undefined, (x) => x);
  } finally {
    crypto.getRandomValues = real;
  }
  ourError(e, 'nonce');
  assert.match(e.message, /crypto\.getRandomValues gives bytes that are not random/);
  // The rest of the bad bytes are dropped: with the real source back, nonces come at once.
  assert.match(await c.authorization('GET', '/v3/x', ''), /nonce_str="[0-9A-Za-z]{32}"/);
  await alive(c);
});
