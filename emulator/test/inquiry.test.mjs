// A user's termination asks the merchant first (SPEC-EXCERPTS.md section 3):
// ENTRUST.TERMINATE_INQUIRY, then the merchant's answer decides.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, decryptResource, rawRequest, startReceiver, validBody, verifyNotification } from './helpers/client.mjs';

let emu;
before(async () => { emu = await start(); }); // notifyRetry { max: 3, baseMs: 10 }
after(() => emu.close());

/**
 * A merchant whose inquiry answers come from `answers` in turn (the last repeats); every
 * delivery is verified and decrypted with node:crypto, and other events answered 200.
 */
async function merchant(answers) {
  let i = 0;
  const events = [];
  const r = await startReceiver({
    reply: (entry, env) => {
      assert.deepEqual(verifyNotification(entry.headers, entry.body, emu.credentials.certs), { ok: true });
      const plain = decryptResource(env.resource, emu.credentials.apiv3Key);
      events.push({ type: env.event_type, id: env.id, plain, env });
      if (env.event_type !== 'ENTRUST.TERMINATE_INQUIRY') return { status: 200 };
      return answers[Math.min(i++, answers.length - 1)];
    },
  });
  r.events = events;
  return r;
}

async function signedFor(receiver) {
  const pre = await apiCall(emu, { body: validBody(emu.credentials, { contract_notify_url: receiver.url }) });
  assert.equal(pre.status, 200, pre.text);
  const view = emu.sign(pre.json.pre_entrustweb_id);
  await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id });
  return view;
}

const SUCCESS = { status: 200, body: '{"code":"SUCCESS","message":"ok"}' };
const FAIL = { status: 200, body: '{"code":"FAIL","message":"a deduction is in progress"}' };

test('allowed: 200 {"code":"SUCCESS"} -> TERMINATED (USER_TERMINATE) and ENTRUST.TERMINATE', async () => {
  const m = await merchant([SUCCESS]);
  try {
    const view = await signedFor(m);
    const inquiry = await emu.requestTermination(view.contract_id);
    assert.equal(inquiry.state, 'ALLOWED');
    const ask = m.events.find((e) => e.type === 'ENTRUST.TERMINATE_INQUIRY');
    assert.equal(ask.env.resource.original_type, 'entrust');
    assert.equal(ask.id, inquiry.event_id);
    for (const k of ['mchid', 'appid', 'plan_id', 'out_contract_code', 'out_user_code', 'contract_id', 'openid']) {
      assert.equal(ask.plain[k], view[k], k);
    }
    assert.equal(ask.plain.contract_state, 'SIGNED');
    const rec = await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: view.contract_id });
    const end = m.events.find((e) => e.id === rec.event_id);
    assert.equal(end.plain.contract_state, 'TERMINATED');
    assert.equal(end.plain.contract_terminate_info.contract_termination_mode, 'USER_TERMINATE');
    assert.match(end.plain.contract_terminate_info.contract_terminated_time, /\+08:00$/);
    assert.equal(emu.getContract(view.contract_id).state, 'TERMINATED');
    // the inquiry came first
    assert.ok(m.events.indexOf(ask) < m.events.indexOf(end));
  } finally { await m.close(); }
});

test('refused: 200 {"code":"FAIL"} -> stays SIGNED, refusal recorded and visible, not retried', async () => {
  const m = await merchant([FAIL]);
  try {
    const view = await signedFor(m);
    const inquiry = await emu.requestTermination(view.contract_id);
    assert.equal(inquiry.state, 'REFUSED');
    assert.equal(inquiry.message, 'a deduction is in progress');
    await emu.notificationsIdle();
    assert.equal(emu.getContract(view.contract_id).state, 'SIGNED');
    assert.equal(m.events.filter((e) => e.type === 'ENTRUST.TERMINATE_INQUIRY').length, 1, 'an answer is not retried');
    assert.equal(m.events.filter((e) => e.type === 'ENTRUST.TERMINATE').length, 0);
    const dump = await rawRequest(emu.url, { path: `/emulator/contracts/${view.contract_id}` });
    assert.equal(dump.json.state, 'SIGNED');
    assert.deepEqual(dump.json.termination_inquiries.map((q) => [q.state, q.message]), [['REFUSED', 'a deduction is in progress']]);
    // the user's screen shows the refusal and its reason
    const page = await rawRequest(emu.url, { path: `/emulator/pre-entrust/${emu.getContract(view.contract_id).pre_entrustweb_id}` });
    assert.match(page.text, /id="inquiry" data-state="REFUSED"/);
    assert.match(page.text, /a deduction is in progress/);
  } finally { await m.close(); }
});

test('no answer (500, then 200 without a code): retried like any notification, stays SIGNED, NO_ANSWER', async () => {
  const m = await merchant([{ status: 500, body: '{"code":"FAIL","message":"down"}' }, { status: 200, body: '' }, { status: 204 }]);
  try {
    const view = await signedFor(m);
    const inquiry = await emu.requestTermination(view.contract_id);
    assert.equal(inquiry.state, 'NO_ANSWER');
    const attempts = emu.notifications.filter((n) => n.event_id === inquiry.event_id && !n.probe);
    assert.equal(attempts.length, 3, 'notifyRetry.max attempts');
    assert.ok(attempts.every((n) => !n.ok));
    assert.equal(new Set(m.events.filter((e) => e.type === 'ENTRUST.TERMINATE_INQUIRY').map((e) => e.id)).size, 1, 'the same event each time');
    assert.equal(emu.getContract(view.contract_id).state, 'SIGNED');
  } finally { await m.close(); }
});

test('an answer after a failed attempt counts: 503 then SUCCESS -> terminated', async () => {
  const m = await merchant([{ status: 503 }, SUCCESS]);
  try {
    const view = await signedFor(m);
    const inquiry = await emu.requestTermination(view.contract_id);
    assert.equal(inquiry.state, 'ALLOWED');
    await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: view.contract_id });
    assert.equal(emu.getContract(view.contract_id).state, 'TERMINATED');
  } finally { await m.close(); }
});

test('from the control endpoint: 202 PENDING, one inquiry at a time, only for SIGNED contracts', async () => {
  const m = await merchant([SUCCESS]);
  try {
    const view = await signedFor(m);
    const path = `/emulator/contracts/${view.contract_id}/request-termination`;
    const first = await rawRequest(emu.url, { method: 'POST', path });
    assert.equal(first.status, 202, first.text);
    assert.equal(first.json.state, 'PENDING');
    assert.match(first.json.event_id, /^EV-/);
    const second = await rawRequest(emu.url, { method: 'POST', path });
    // either still pending (409) or already answered and terminated (409 too)
    assert.equal(second.status, 409);
    assert.ok(['TERMINATION_INQUIRY_PENDING', 'CONTRACT_ALREADY_TERMINATED'].includes(second.json.code), second.json.code);
    await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: view.contract_id });
    const after = await rawRequest(emu.url, { method: 'POST', path });
    assert.deepEqual([after.status, after.json.code], [409, 'CONTRACT_ALREADY_TERMINATED']);
    const none = await rawRequest(emu.url, { method: 'POST', path: '/emulator/contracts/Wx0/request-termination' });
    assert.equal(none.status, 404);
  } finally { await m.close(); }
});

test("from the user's page: the signed screen's button asks the merchant, the page shows the outcome", async () => {
  const m = await merchant([SUCCESS]);
  try {
    const view = await signedFor(m);
    const id = emu.getContract(view.contract_id).pre_entrustweb_id;
    const signedPage = await rawRequest(emu.url, { path: `/emulator/pre-entrust/${id}` });
    assert.match(signedPage.text, /id="request-termination"/);
    const res = await rawRequest(emu.url, {
      method: 'POST', path: `/emulator/pre-entrust/${id}`,
      headers: { Origin: emu.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'action=terminate',
    });
    assert.equal(res.status, 200);
    assert.match(res.text, /id="inquiry" data-state="(PENDING|ALLOWED)"/);
    await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: view.contract_id });
    const later = await rawRequest(emu.url, { path: `/emulator/pre-entrust/${id}` });
    assert.match(later.text, /id="state" data-state="TERMINATED"/);
    assert.match(later.text, /id="inquiry" data-state="ALLOWED"/);
    assert.doesNotMatch(later.text, /id="request-termination"/);
    assert.equal(m.events.filter((e) => e.type === 'ENTRUST.TERMINATE_INQUIRY').length, 1);
  } finally { await m.close(); }
});

test('the direct termination (emu.terminate, POST .../terminate) still ends a contract without asking', async () => {
  const m = await merchant([FAIL]);
  try {
    const view = await signedFor(m);
    emu.terminate(view.contract_id, { mode: 'MCH_API_TERMINATE' });
    await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: view.contract_id });
    assert.equal(m.events.filter((e) => e.type === 'ENTRUST.TERMINATE_INQUIRY').length, 0);
    assert.throws(() => emu.requestTermination(view.contract_id), (e) => e.status === 409 && e.code === 'CONTRACT_ALREADY_TERMINATED');
  } finally { await m.close(); }
});
