// The user's side: signing page, mini-program stand-in, browserless endpoints,
// notifications received/verified/decrypted, GET contract, expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import {
  apiCall, decryptResource, rawRequest, startReceiver, validBody, verifyNotification, verifyResponse,
} from './helpers/client.mjs';

const contractPath = (creds, code) => `/v3/papay/sign/contracts/plan-id/${creds.plan_id}/out-contract-code/${code}`;

test('QR flow: pre-sign -> signing page -> agree -> 303 return_url -> ENTRUST.SIGN received, verified, decrypted -> GET contract', async () => {
  const rx = await startReceiver();
  const emu = await start();
  try {
    const creds = emu.credentials;
    const body = validBody(creds, { contract_notify_url: rx.url, contract_display_account: '张三 <b>' });
    const res = await apiCall(emu, { body });
    assert.equal(res.status, 200);
    assert.ok(verifyResponse(res, creds.certs).ok);
    const { redirect_url, pre_entrustweb_id } = res.json;

    const page = await rawRequest(emu.url, { path: new URL(redirect_url).pathname });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.ok(page.text.includes(String(creds.plan_id)));
    assert.ok(page.text.includes('张三 &lt;b&gt;'), 'display account shown, escaped');
    assert.ok(page.text.includes('同意并签约'));
    assert.ok(page.text.includes('取消'));

    // before signing, the GET query does not find a contract
    const before = await apiCall(emu, { method: 'GET', path: contractPath(creds, body.out_contract_code) });
    assert.equal(before.status, 404);

    const agree = await rawRequest(emu.url, {
      method: 'POST', path: new URL(redirect_url).pathname,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=agree',
    });
    assert.equal(agree.status, 303);
    assert.equal(agree.headers.location, body.return_url);
    assert.equal(emu.contracts.get(pre_entrustweb_id).state, 'SIGNED');

    const [got] = await rx.waitFor(1);
    assert.equal(got.method, 'POST');
    const h = got.headers;
    assert.equal(h['wechatpay-signature-type'], 'WECHATPAY2-SHA256-RSA2048');
    assert.match(h['content-type'], /^application\/json/);
    assert.ok(h['user-agent']);
    assert.equal(h['wechatpay-serial'], Object.keys(creds.certs)[0]);
    assert.deepEqual(verifyNotification(h, got.body, creds.certs), { ok: true });
    const env = JSON.parse(got.body);
    assert.match(env.id, /^EV-/);
    assert.match(env.create_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    assert.equal(env.resource_type, 'encrypt-resource');
    assert.equal(env.event_type, 'ENTRUST.SIGN');
    assert.equal(typeof env.summary, 'string');
    assert.equal(env.resource.original_type, 'entrust');
    assert.equal(env.resource.algorithm, 'AEAD_AES_256_GCM');
    assert.equal(env.resource.associated_data, 'entrust');
    assert.match(env.resource.nonce, /^[A-Za-z0-9]{12}$/);
    const r = decryptResource(env.resource, creds.apiv3Key);
    assert.equal(r.mchid, creds.mchid);
    assert.equal(r.appid, creds.appid);
    assert.equal(r.plan_id, creds.plan_id);
    assert.equal(r.out_contract_code, body.out_contract_code);
    assert.equal(r.contract_display_account, body.contract_display_account);
    assert.equal(r.contract_state, 'SIGNED');
    assert.equal(r.openid, body.openid);
    assert.equal(r.out_user_code, body.out_user_code);
    assert.match(r.contract_id, /^Wx\d+$/);
    assert.match(r.contract_signed_time, /\+08:00$/);
    assert.match(r.contract_expired_time, /\+08:00$/);

    const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN' });
    assert.equal(rec.status, 200);
    assert.equal(rec.attempt, 1);
    assert.equal(rec.url, rx.url);

    const q = await apiCall(emu, { method: 'GET', path: contractPath(creds, body.out_contract_code) });
    assert.equal(q.status, 200);
    assert.ok(verifyResponse(q, creds.certs).ok);
    assert.equal(q.json.contract_state, 'SIGNED');
    assert.equal(q.json.contract_id, r.contract_id);
    assert.equal(q.json.plan_id, creds.plan_id);

    // the page now says signed; a second agree changes nothing
    const after = await rawRequest(emu.url, { path: new URL(redirect_url).pathname });
    assert.ok(after.text.includes('data-state="SIGNED"'));
    const again = await rawRequest(emu.url, { method: 'POST', path: `/emulator/pre-entrust/${pre_entrustweb_id}/sign` });
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'CONTRACT_ALREADY_SIGNED');

    // terminate -> ENTRUST.TERMINATE
    const t = await rawRequest(emu.url, { method: 'POST', path: `/emulator/contracts/${r.contract_id}/terminate`, headers: { 'Content-Type': 'application/json' }, body: '{"remark":"bye"}' });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.contract_state, 'TERMINATED');
    await rx.waitFor(2);
    const env2 = JSON.parse(rx.received[1].body);
    assert.equal(env2.event_type, 'ENTRUST.TERMINATE');
    assert.ok(verifyNotification(rx.received[1].headers, rx.received[1].body, creds.certs).ok);
    const r2 = decryptResource(env2.resource, creds.apiv3Key);
    assert.equal(r2.contract_state, 'TERMINATED');
    assert.equal(r2.contract_id, r.contract_id);
    assert.equal(r2.contract_terminate_info.contract_termination_remark, 'bye');
    assert.match(r2.contract_terminate_info.contract_terminated_time, /\+08:00$/);
    assert.equal(typeof r2.contract_terminate_info.contract_termination_mode, 'string');
    const q2 = await apiCall(emu, { method: 'GET', path: contractPath(creds, body.out_contract_code) });
    assert.equal(q2.json.contract_state, 'TERMINATED');
    const t2 = await rawRequest(emu.url, { method: 'POST', path: `/emulator/contracts/${r.contract_id}/terminate` });
    assert.equal(t2.status, 409);
    const t3 = await rawRequest(emu.url, { method: 'POST', path: '/emulator/contracts/Wx000/terminate' });
    assert.equal(t3.status, 404);
    assert.equal(t3.json.code, 'RESOURCE_NOT_EXISTS');
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('QR flow without return_url: agree shows a signed page', async () => {
  const rx = await startReceiver();
  const emu = await start();
  try {
    const b = validBody(emu.credentials, { contract_notify_url: rx.url });
    delete b.return_url;
    const res = await apiCall(emu, { body: b });
    const p = new URL(res.json.redirect_url).pathname;
    const agree = await rawRequest(emu.url, { method: 'POST', path: p, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=agree' });
    assert.equal(agree.status, 200);
    assert.ok(agree.text.includes('data-state="SIGNED"'));
    await rx.waitFor(1);
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('APP flow: mini-program stand-in page, then browserless sign via emu.sign()', async () => {
  const rx = await startReceiver();
  const emu = await start();
  try {
    const creds = emu.credentials;
    const res = await apiCall(emu, { body: validBody(creds, { sign_scene: 'SIGN_SCENE_APP', contract_notify_url: rx.url }) });
    assert.equal(res.status, 200);
    const { mini_program_path, mini_program_username, pre_entrustweb_id } = res.json;
    const mpUrl = emu.miniProgramUrl(mini_program_path);
    assert.equal(mpUrl, `${emu.url}/emulator/mini-program?path=${encodeURIComponent(mini_program_path)}`);
    const page = await rawRequest(emu.url, { path: new URL(mpUrl).pathname + new URL(mpUrl).search });
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(mini_program_username));
    assert.ok(page.text.includes('同意并签约'));
    const view = emu.sign(pre_entrustweb_id);
    assert.equal(view.contract_state, 'SIGNED');
    const rec = await emu.waitForNotification({ contract_id: view.contract_id });
    assert.equal(rec.event_type, 'ENTRUST.SIGN');
    const env = JSON.parse(rx.received[0].body);
    assert.equal(decryptResource(env.resource, creds.apiv3Key).contract_id, view.contract_id);
    assert.throws(() => emu.sign(pre_entrustweb_id), (e) => e.code === 'CONTRACT_ALREADY_SIGNED' && e.status === 409);
    const unknownMp = await rawRequest(emu.url, { path: '/emulator/mini-program?path=pages%2Findex%2Findex%3Fpre_entrustweb_id%3Dnope' });
    assert.equal(unknownMp.status, 404);
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('APP flow via the stand-in form, and the browserless HTTP sign endpoint with openid', async () => {
  const rx = await startReceiver();
  const emu = await start();
  try {
    const creds = emu.credentials;
    const a = await apiCall(emu, { body: validBody(creds, { sign_scene: 'SIGN_SCENE_APP', contract_notify_url: rx.url }) });
    const formPost = await rawRequest(emu.url, {
      method: 'POST', path: `/emulator/pre-entrust/${a.json.pre_entrustweb_id}?from=mini-program`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=agree',
    });
    assert.equal(formPost.status, 200);
    assert.ok(formPost.text.includes('data-state="SIGNED"'));

    const b = validBody(creds, { contract_notify_url: rx.url });
    delete b.openid;
    const q = await apiCall(emu, { body: b });
    const s = await rawRequest(emu.url, {
      method: 'POST', path: `/emulator/pre-entrust/${q.json.pre_entrustweb_id}/sign`,
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ openid: 'oTEST' }),
    });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.contract_state, 'SIGNED');
    assert.equal(s.json.openid, 'oTEST');
    assert.equal(s.json.pre_entrustweb_id, q.json.pre_entrustweb_id);
    await rx.waitFor(2);
    const none = await rawRequest(emu.url, { method: 'POST', path: '/emulator/pre-entrust/nope/sign' });
    assert.equal(none.status, 404);
    assert.equal(none.json.code, 'RESOURCE_NOT_EXISTS');
  } finally {
    await emu.close();
    await rx.close();
  }
});

test('cancel: the cancel button marks CANCELLED; signing afterwards is refused; no notification', async () => {
  const emu = await start();
  try {
    const res = await apiCall(emu, { body: validBody(emu.credentials, { contract_notify_url: 'http://127.0.0.1:9/n' }) });
    const p = new URL(res.json.redirect_url).pathname;
    const c = await rawRequest(emu.url, { method: 'POST', path: p, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=cancel' });
    assert.equal(c.status, 200);
    assert.ok(c.text.includes('data-state="CANCELLED"'));
    const s = await rawRequest(emu.url, { method: 'POST', path: `${p}/sign` });
    assert.equal(s.status, 409);
    assert.equal(s.json.code, 'PRE_ENTRUST_CANCELLED');
    assert.equal(emu.notifications.length, 0);
    // out_contract_code stays used
    const again = await apiCall(emu, { body: { ...emu.contracts.get(res.json.pre_entrustweb_id).request } });
    assert.equal(again.json.code, 'INVALID_REQUEST');
  } finally {
    await emu.close();
  }
});

test('expiry: after sessionTtlMs (clock override) the page says expired and signing answers 410', async () => {
  let clock = Date.now();
  const emu = await start({ now: () => clock, sessionTtlMs: 60_000 });
  try {
    const auth = { timestamp: Math.floor(clock / 1000) };
    const res = await apiCall(emu, { body: validBody(emu.credentials), sign: auth });
    assert.equal(res.status, 200, res.text);
    const p = new URL(res.json.redirect_url).pathname;
    clock += 59_000;
    assert.equal((await rawRequest(emu.url, { path: p })).status, 200);
    clock += 2_000;
    const page = await rawRequest(emu.url, { path: p });
    assert.equal(page.status, 410);
    assert.ok(page.text.includes('data-state="EXPIRED"'));
    assert.match(page.text, /expired/i);
    const s = await rawRequest(emu.url, { method: 'POST', path: `${p}/sign` });
    assert.equal(s.status, 410);
    assert.equal(s.json.code, 'PRE_ENTRUST_EXPIRED');
    assert.throws(() => emu.sign(res.json.pre_entrustweb_id), (e) => e.code === 'PRE_ENTRUST_EXPIRED');
    assert.equal(emu.getContract(res.json.pre_entrustweb_id).state, 'EXPIRED');
    // the emulator's clock also drives the request timestamp window
    const stale = await apiCall(emu, { body: validBody(emu.credentials) , sign: { timestamp: Math.floor(clock / 1000) - 301 } });
    assert.equal(stale.status, 401);
    const fresh = await apiCall(emu, { body: validBody(emu.credentials), sign: { timestamp: Math.floor(clock / 1000) } });
    assert.equal(fresh.status, 200);
    assert.ok(verifyResponse(fresh, emu.credentials.certs, { nowMs: clock }).ok);
  } finally {
    await emu.close();
  }
});

test('pages: unknown pre-sign id -> 404 HTML; index lists sessions; bad form action -> 400', async () => {
  const emu = await start();
  try {
    const nf = await rawRequest(emu.url, { path: '/emulator/pre-entrust/doesnotexist' });
    assert.equal(nf.status, 404);
    assert.match(nf.headers['content-type'], /text\/html/);
    const res = await apiCall(emu, { body: validBody(emu.credentials) });
    const idx = await rawRequest(emu.url, { path: '/emulator/' });
    assert.equal(idx.status, 200);
    assert.ok(idx.text.includes(res.json.pre_entrustweb_id));
    const bad = await rawRequest(emu.url, { method: 'POST', path: new URL(res.json.redirect_url).pathname, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=maybe' });
    assert.equal(bad.status, 400);
    const list = await rawRequest(emu.url, { path: '/emulator/contracts' });
    assert.equal(list.json.length, 1);
    assert.equal(list.json[0].state, 'PENDING');
  } finally {
    await emu.close();
  }
});
