// The demo's resources are bounded (issue 17, point 7): live-status streams in all and per
// session, open pre-signs, handled notification ids; pre-signs that expired unsigned are
// deleted; a verified notification of another type creates no session (it made one keyed
// "undefined").
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDemo } from '../../www/server.mjs';
import { raw, createPresign, openStream, makeCredentials, sealNotification, signedResource } from './lib/http.mjs';

const creds = makeCredentials();
const demos = [];
async function demoWith(options = {}) {
  const d = await startDemo({ port: 0, database: ':memory:', emulator: { credentials: creds, notifyRetry: { max: 2, baseMs: 50 } }, ...options });
  demos.push(d);
  return d;
}
after(async () => { for (const d of demos) await d.close(); });

const notify = (demo, rec) => raw(`${demo.url}/notify`, { method: 'POST', headers: rec.headers, body: rec.body });

async function until(what, fn, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('live-status streams are limited in all and per session; a closed one frees its place', async () => {
  const demo = await demoWith({ limits: { maxStreams: 3, maxPerSession: 2 } });
  const [a, b, c] = [await createPresign(demo.url), await createPresign(demo.url), await createPresign(demo.url)];
  const open = (s) => openStream(`${demo.url}${s.path}/events`, { Cookie: s.cookie });
  const a1 = await open(a);
  const a2 = await open(a);
  assert.deepEqual([a1.status, a2.status], [200, 200]);
  assert.equal(a1.events[0].state, 'waiting');
  assert.equal((await open(a)).status, 429, 'a third stream of one session');
  const b1 = await open(b);
  assert.equal(b1.status, 200);
  assert.equal((await open(c)).status, 503, 'a fourth stream in all');
  assert.equal(demo.live.count(), 3);
  a1.close();
  await until('the closed stream to be dropped', () => demo.live.count() === 2);
  const c1 = await open(c);
  assert.equal(c1.status, 200);
  for (const s of [a2, b1, c1]) s.close();
  await until('all streams dropped', () => demo.live.count() === 0);
});

test('a stream ends once its session can change no more (terminated)', async () => {
  const demo = await demoWith();
  const s = await createPresign(demo.url);
  const pre = demo.emulator.getContract(s.code).pre_entrustweb_id;
  const stream = await openStream(`${demo.url}${s.path}/events`, { Cookie: s.cookie });
  const view = demo.emulator.sign(pre);
  await until('signed', () => stream.events.some((e) => e.state === 'signed'));
  demo.emulator.terminate(view.contract_id);
  await stream.ended;
  assert.equal(stream.events.at(-1).state, 'terminated');
  await until('the stream to be dropped', () => demo.live.count() === 0);
});

test('a verified notification of another type creates no session (it made one keyed undefined)', async () => {
  const demo = await demoWith();
  const others = [
    // Complete resources: the package checks each event type's required fields (src/events.rs).
    { event_type: 'TRANSACTION.SUCCESS', original_type: 'transaction', resource: {
      appid: 'wxd678efh567hg6787', mchid: creds.mchid, out_trade_no: 'T1', transaction_id: '4200000001',
      trade_type: 'PAP', trade_state: 'SUCCESS', success_time: '2026-11-29T10:00:00+08:00',
      payer: { openid: 'o1' }, amount: { total: 1, currency: 'CNY' } } },
    { event_type: 'ENTRUST.TERMINATE_INQUIRY', resource: {
      mchid: creds.mchid, appid: 'wxd678efh567hg6787', plan_id: creds.plan_id, out_contract_code: 'NOSUCHCONTRACT1', out_user_code: 'u' } },
  ];
  for (const o of others) {
    const res = await notify(demo, sealNotification(creds, o));
    if (o.event_type === 'ENTRUST.TERMINATE_INQUIRY') {
      // An inquiry is answered (200 + the merchant's decision), here for a contract it does not keep: allowed.
      assert.equal(res.status, 200, `${o.event_type} is answered`);
      assert.equal(JSON.parse(res.body).code, 'SUCCESS');
    } else {
      assert.equal(res.status, 204, `${o.event_type} is acknowledged`);
    }
  }
  const form = await raw(`${demo.url}/`);
  assert.doesNotMatch(form.body, /href="\/contracts\/undefined"/, 'the form page lists no session "undefined"');
  assert.doesNotMatch(form.body, /<h2>最近/, 'no session at all');
  assert.equal(demo.store.size().sessions, 0, 'no session was made');
  assert.equal(demo.store.get(undefined), undefined);
  assert.equal(demo.store.get('undefined'), undefined);
  assert.equal((await raw(`${demo.url}/contracts/undefined`)).status, 404);
});

test('at most maxPending pre-signs wait for the user: the next is refused (429) and not sent', async () => {
  const demo = await demoWith({ limits: { maxPending: 2 } });
  const first = await createPresign(demo.url);
  await createPresign(demo.url);
  const before = demo.emulator.contracts.size;
  await assert.rejects(createPresign(demo.url), /presign answered 429/);
  assert.equal(demo.emulator.contracts.size, before, 'nothing reached the emulator');
  // Once one is signed, it no longer waits: a new pre-sign is accepted.
  const view = demo.emulator.sign(demo.emulator.getContract(first.code).pre_entrustweb_id);
  await demo.emulator.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  await createPresign(demo.url);
  assert.equal(demo.store.size().sessions, 3);
});

test('expired unsigned sessions are dropped retainMs after they expired; signed ones stay', async () => {
  const demo = await demoWith({ sessionTtlMs: 1500, limits: { retainMs: 200 } });
  const old = await createPresign(demo.url);
  const signed = await createPresign(demo.url);
  const view = demo.emulator.sign(demo.emulator.getContract(signed.code).pre_entrustweb_id);
  await demo.emulator.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  assert.equal(JSON.parse((await raw(`${demo.url}${old.path}/status`)).body).state, 'waiting');
  await sleep(1900); // past expiry (1.5 s) + retainMs
  demo.store.sweep();
  assert.equal((await raw(`${demo.url}${old.path}`)).status, 404, 'expired and dropped');
  assert.equal(JSON.parse((await raw(`${demo.url}${signed.path}/status`)).body).state, 'signed');
});

test('handled notification ids are kept eventRetainMs (a retry meanwhile is a duplicate), then deleted', async () => {
  const demo = await demoWith({ limits: { eventRetainMs: 600 } });
  const recs = [0, 1, 2].map((i) => sealNotification(creds, { event_type: 'ENTRUST.SIGN', resource: signedResource(creds, `unknown${i}`, `cid${i}`) }));
  for (const rec of recs) assert.equal((await notify(demo, rec)).status, 204);
  assert.equal(demo.store.size().events, 3);
  assert.equal((await notify(demo, recs[0])).status, 204);
  assert.equal(demo.store.get('unknown0').duplicates, 1, 'a retry within the retention is known');
  await sleep(800);
  demo.store.sweep();
  assert.equal(demo.store.size().events, 0, 'all deleted');
  assert.equal(demo.store.get('unknown0').signed.contract_id, 'cid0', 'the contract stays');
});
