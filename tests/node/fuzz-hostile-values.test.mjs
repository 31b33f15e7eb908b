// Values whose reading throws (Proxies, a lying DataView, revoked Proxies), given to each export.
// The properties checked, the seed and the inputs: fuzz-inputs.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';
import { options, notification, ourError, alive } from './fuzz-inputs.mjs';

const { Client, WechatPayError } = pkg;

test('values whose reading throws give our errors, and the instance lives on', async () => {
  const throwing = () => new Proxy({}, { ownKeys() { throw new Error('ownKeys trap'); }, get() { throw new Error('get trap'); } });
  const c = new Client(options());
  // Object.entries of the headers threw through wasm inside a future: every later promise of
  // the instance hung.
  const n = notification();
  const keysThrow = new Proxy({}, { ownKeys() { throw new Error('ownKeys trap'); } });
  let e = await c.parseNotification({ headers: keysThrow, body: n.body }).catch((x) => x);
  ourError(e, 'headers Proxy');
  assert.equal(e.code, 'MISSING_HEADER');
  // A Proxy of bytes passes instanceof; copying it ran its traps.
  const bytes = new Proxy(new Uint8Array(4), { get() { throw new Error('bytes trap'); } });
  e = await c.parseNotification({ headers: n.headers, body: bytes }).catch((x) => x);
  ourError(e, 'bytes Proxy');
  assert.equal(e.code, 'BAD_ARGUMENT');
  assert.match(e.message, /bytes trap/);
  // A DataView whose byteOffset lies.
  const view = new DataView(new ArrayBuffer(8));
  Object.defineProperty(view, 'byteOffset', { get: () => 1e9 });
  e = await c.parseNotification({ headers: n.headers, body: view }).catch((x) => x);
  ourError(e, 'DataView');
  assert.equal(e.code, 'BAD_ARGUMENT');
  // query and headers of request(), and certs at construction.
  for (const name of ['query', 'headers']) {
    e = await c.request('GET', '/v3/x', { [name]: throwing() }).catch((x) => x);
    ourError(e, name);
    assert.match(e.message, new RegExp(`^${name}: reading the object threw \\(ownKeys trap\\)`));
  }
  assert.throws(() => new Client({ ...options(), certs: throwing() }), (x) => x instanceof WechatPayError && x.code === 'BAD_CERT' && /ownKeys trap/.test(x.message));
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.throws(() => new Client({ ...options(), certs: revoked.proxy }), (x) => x instanceof WechatPayError && x.kind === 'config');
  assert.throws(() => c.chain(Symbol('p')), (x) => x instanceof WechatPayError && x.code === 'BAD_ARGUMENT');
  assert.throws(() => c.chain(throwing()), (x) => x instanceof WechatPayError && x.code === 'BAD_ARGUMENT');
  await alive(c);
});
