// Notification delivery: retries with backoff, bounded count, network errors, probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, deadPort, decryptResource, startReceiver, validBody, verifyNotification } from './helpers/client.mjs';

async function presign(emu, notifyUrl) {
  const res = await apiCall(emu, { body: validBody(emu.credentials, { contract_notify_url: notifyUrl }) });
  assert.equal(res.status, 200, res.text);
  return res.json.pre_entrustweb_id;
}

test('retries on non-2xx with backoff until a 2xx; same event id, fresh signatures', async () => {
  const rx = await startReceiver({ statuses: [500, 404, 204] });
  const emu = await start({ notifyRetry: { max: 5, baseMs: 20 } });
  try {
    const id = await presign(emu, rx.url);
    const t0 = Date.now();
    emu.sign(id);
    const rec = await emu.waitForNotification();
    assert.equal(rec.attempt, 3);
    assert.equal(rec.status, 204);
    assert.ok(Date.now() - t0 >= 20 + 40 - 5, 'backoff 20 ms then 40 ms');
    const attempts = emu.notifications.filter((r) => !r.probe);
    assert.deepEqual(attempts.map((r) => [r.attempt, r.status, r.ok]), [[1, 500, false], [2, 404, false], [3, 204, true]]);
    await rx.waitFor(3);
    const ids = rx.received.map((r) => JSON.parse(r.body).id);
    assert.equal(new Set(ids).size, 1);
    assert.equal(new Set(rx.received.map((r) => r.headers['wechatpay-nonce'])).size, 3);
    for (const r of rx.received) assert.ok(verifyNotification(r.headers, r.body, emu.credentials.certs).ok);
    await emu.notificationsIdle(1000);
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('gives up after notifyRetry.max attempts (network errors count too)', async () => {
  const port = await deadPort();
  const emu = await start({ notifyRetry: { max: 3, baseMs: 5 } });
  try {
    const id = await presign(emu, `http://127.0.0.1:${port}/notify`);
    const gaveUp = new Promise((r) => emu.events.once('gaveUp', r));
    emu.sign(id);
    await gaveUp;
    await emu.notificationsIdle(1000);
    assert.deepEqual(emu.notifications.map((r) => [r.attempt, r.status, r.ok]), [[1, 0, false], [2, 0, false], [3, 0, false]]);
    assert.ok(emu.notifications[0].error);
    await assert.rejects(emu.waitForNotification(undefined, 50), /no matching notification/);
  } finally {
    await emu.close();
  }
});

test('a merchant that resets the connection is retried', async () => {
  const rx = await startReceiver({ statuses: ['reset', 200] });
  const emu = await start();
  try {
    emu.sign(await presign(emu, rx.url));
    const rec = await emu.waitForNotification();
    assert.equal(rec.attempt, 2);
    assert.equal(emu.notifications[0].status, 0);
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('probe: a WECHATPAY/SIGNTEST/ probe is sent first; a verifying merchant rejects it, the real one passes', async () => {
  const emu = await start({ probe: true });
  const rx = await startReceiver({ verifyWith: emu.credentials.certs });
  try {
    emu.sign(await presign(emu, rx.url));
    const rec = await emu.waitForNotification();
    assert.equal(rec.attempt, 1);
    await rx.waitFor(2);
    const [probe, real] = rx.received;
    assert.ok(probe.headers['wechatpay-signature'].startsWith('WECHATPAY/SIGNTEST/'));
    assert.equal(probe.answered, 401);
    assert.equal(real.answered, 200);
    const probeRec = emu.notifications.find((r) => r.probe);
    assert.equal(probeRec.attempt, 0);
    assert.equal(probeRec.status, 401);
    // the probe carries a decryptable envelope (merchants must not act on it)
    assert.equal(decryptResource(JSON.parse(probe.body).resource, emu.credentials.apiv3Key).contract_state, 'SIGNED');
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('close() cancels pending retries without hanging', async () => {
  const rx = await startReceiver({ statuses: [500] });
  const emu = await start({ notifyRetry: { max: 5, baseMs: 60_000 } });
  try {
    emu.sign(await presign(emu, rx.url));
    await rx.waitFor(1);
  } finally {
    const t0 = Date.now();
    await emu.close();
    assert.ok(Date.now() - t0 < 1000);
    await rx.close();
  }
});

test('a merchant that never answers hits the notify timeout and is retried', async () => {
  const rx = await startReceiver();
  const http = await import('node:http');
  const sockets = new Set();
  const hang = http.createServer(() => { /* never answer */ });
  hang.on('connection', (s) => sockets.add(s));
  await new Promise((r) => hang.listen(0, '127.0.0.1', r));
  const emu = await start({ notifyTimeoutMs: 100, notifyRetry: { max: 2, baseMs: 5 } });
  try {
    emu.sign(await presign(emu, `http://127.0.0.1:${hang.address().port}/n`));
    await emu.notificationsIdle(2000);
    assert.equal(emu.notifications.length, 2);
    assert.match(emu.notifications[0].error, /timeout/);
  } finally {
    await emu.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => hang.close(r));
    await rx.close();
  }
});

test('probe accepted by a careless merchant is logged as a warning', async () => {
  const lines = [];
  const rx = await startReceiver();
  const emu = await start({ probe: true, log: (l) => lines.push(l) });
  try {
    emu.sign(await presign(emu, rx.url));
    await emu.waitForNotification();
    assert.ok(lines.some((l) => /WARNING.*SIGNTEST/.test(l)));
    assert.equal(emu.notifications.find((r) => r.probe).ok, true);
  } finally {
    await emu.close();
    await rx.close();
  }
});
