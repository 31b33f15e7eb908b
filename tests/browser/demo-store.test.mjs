// The demo's SQLite store (issue 16, point 4): state survives a restart; a notification
// delivered twice, or twice at once (over HTTP, to two demos on one file, from two threads
// with their own connections), is acted on once; the id and its effect commit together.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startDemo } from '../../www/server.mjs';
import { openStore } from '../../www/lib/store.mjs';
import { startEmulator } from '../../emulator/server.mjs';
import { raw, createPresign, makeCredentials, sealNotification, signedResource } from './lib/http.mjs';

const creds = makeCredentials();
const dir = mkdtempSync(join(tmpdir(), 'demo-store-'));
let emu;
before(async () => { emu = await startEmulator({ log: false, credentials: creds, notifyRetry: { max: 2, baseMs: 50 } }); });
after(async () => { await emu?.close(); rmSync(dir, { recursive: true, force: true }); });

const notify = (demo, rec) => raw(`${demo.url}/notify`, { method: 'POST', headers: rec.headers, body: rec.body });
const status = async (demo, path) => JSON.parse((await raw(`${demo.url}${path}/status`)).body);

/** A pre-sign through the demo's form, signed by the user in the emulator. */
async function signedPresign(demo) {
  const p = await createPresign(demo.url);
  const view = emu.sign(emu.getContract(p.code).pre_entrustweb_id);
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  return { ...p, view, rec };
}

test('state survives a restart: the same file shows the signed contract, and a retry is still a duplicate', async () => {
  const file = join(dir, 'restart.sqlite');
  const first = await startDemo({ port: 0, database: file, emulator: emu });
  const s = await signedPresign(first);
  const waiting = await createPresign(first.url);
  const before = await status(first, s.path);
  assert.equal(before.state, 'signed');
  await first.close();

  const second = await startDemo({ port: 0, database: file, emulator: emu });
  try {
    const after = await status(second, s.path);
    assert.deepEqual(after, before, 'the same contract, events and counts');
    assert.equal(after.contract.contract_id, s.view.contract_id);
    assert.equal((await status(second, waiting.path)).state, 'waiting');
    const page = await raw(`${second.url}/`);
    assert.ok(page.body.includes(`/contracts/${s.code}"`), 'the form page lists it under Recent');
    // The notification WeChat Pay retries after the restart changes nothing.
    const rec = { headers: s.rec.headers, body: s.rec.body };
    assert.equal((await notify(second, rec)).status, 204);
    const again = await status(second, s.path);
    assert.deepEqual(again.events, before.events);
    assert.equal(again.duplicates, before.duplicates + 1);
  } finally {
    await second.close();
  }
});

test('a notification delivered twice, and ten times at once, is acted on once', async () => {
  const demo = await startDemo({ port: 0, database: join(dir, 'dup.sqlite'), emulator: emu });
  try {
    const p = await createPresign(demo.url);
    const rec = sealNotification(creds, { event_type: 'ENTRUST.SIGN', resource: signedResource(creds, p.code, 'cid-dup') });
    assert.equal((await notify(demo, rec)).status, 204);
    assert.equal((await notify(demo, rec)).status, 204);
    let st = await status(demo, p.path);
    assert.equal(st.events.length, 1);
    assert.equal(st.duplicates, 1);

    const p2 = await createPresign(demo.url);
    const rec2 = sealNotification(creds, { event_type: 'ENTRUST.SIGN', resource: signedResource(creds, p2.code, 'cid-burst') });
    const answers = await Promise.all(Array.from({ length: 10 }, () => notify(demo, rec2)));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(204));
    st = await status(demo, p2.path);
    assert.equal(st.state, 'signed');
    assert.equal(st.events.length, 1, 'one effect');
    assert.equal(st.duplicates, 9);
    const row = demo.store.db.prepare('SELECT effect, deliveries FROM notifications WHERE id = ?').get(JSON.parse(rec2.body).id);
    assert.deepEqual({ ...row }, { effect: 'applied', deliveries: 10 });
  } finally {
    await demo.close();
  }
});

test('two demos on one database file, given the same notification at once, act on it once', async () => {
  const file = join(dir, 'two.sqlite');
  const a = await startDemo({ port: 0, database: file, emulator: emu });
  const b = await startDemo({ port: 0, database: file, emulator: emu });
  try {
    const p = await createPresign(a.url);
    const rec = sealNotification(creds, { event_type: 'ENTRUST.SIGN', resource: signedResource(creds, p.code, 'cid-two') });
    const answers = await Promise.all([a, b, a, b].map((d) => notify(d, rec)));
    assert.deepEqual(answers.map((x) => x.status), [204, 204, 204, 204]);
    const st = await status(b, p.path);
    assert.equal(st.events.length, 1);
    assert.equal(st.duplicates, 3);
  } finally {
    await a.close();
    await b.close();
  }
});

test('two threads with their own connections record the same 200 events at once: each is stored once', async () => {
  const file = join(dir, 'threads.sqlite');
  openStore({ file, ttl: 1 }).close(); // the schema, before the threads race to create it
  const events = Array.from({ length: 200 }, (_, i) => ({
    id: `EV-thread-${i}`, event_type: i % 2 ? 'ENTRUST.SIGN' : 'ENTRUST.TERMINATE', create_time: '2026-11-29T10:00:00+08:00',
    resource: signedResource(creds, `thread${i}`, `cid-thread-${i}`),
  }));
  const signal = new SharedArrayBuffer(8);
  const flag = new Int32Array(signal);
  const workers = [0, 1].map(() => new Worker(new URL('./lib/store-worker.mjs', import.meta.url), { workerData: { file, events, signal } }));
  const results = workers.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); }));
  while (Atomics.load(flag, 1) < 2) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const [one, two] = await Promise.all(results);
  const stored = [...one, ...two].filter((o) => o === 'stored').length;
  assert.equal(stored, 200, 'every event stored exactly once across both threads');
  assert.equal([...one, ...two].filter((o) => o === 'duplicate').length, 200);
  const store = openStore({ file, ttl: 1 });
  try {
    const sum = store.db.prepare("SELECT count(*) AS n, sum(deliveries) AS d, sum(effect = 'applied') AS applied FROM notifications").get();
    assert.deepEqual({ ...sum }, { n: 200, d: 400, applied: 200 });
  } finally {
    store.close();
  }
});

test('the notification id and its effect commit together: a failed effect leaves no id, so the retry acts', () => {
  const store = openStore({ file: ':memory:', ttl: 600_000 });
  try {
    store.add('boomcode', { sign_scene: 'SIGN_SCENE_QRCODE', plan_id: 1, appid: 'wx1', out_user_code: 'u' }, { pre_entrustweb_id: 'p' });
    store.db.exec("CREATE TEMP TRIGGER boom BEFORE UPDATE ON contracts WHEN NEW.contract_id = 'boom' BEGIN SELECT RAISE(ABORT, 'effect failed'); END");
    const event = { id: 'EV-boom', event_type: 'ENTRUST.SIGN', resource: signedResource(creds, 'boomcode', 'boom') };
    assert.throws(() => store.record(event), /effect failed/);
    assert.equal(store.size().events, 0, 'the id was rolled back with its effect');
    assert.equal(store.get('boomcode').signed, null);
    store.db.exec('DROP TRIGGER boom');
    assert.equal(store.record(event), 'stored', 'the retry acts');
    assert.equal(store.get('boomcode').signed.contract_id, 'boom');
    assert.equal(store.record(event), 'duplicate');
  } finally {
    store.close();
  }
});
