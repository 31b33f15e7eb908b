// Body rules of pre-entrust-sign -> 400 PARAM_ERROR {field, value, issue, location}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, validBody, verifyResponse } from './helpers/client.mjs';
import { validatePreEntrustSign } from '../lib/validate.mjs';

let emu;
before(async () => { emu = await start(); });
after(() => emu.close());

const del = (o, k) => { const c = structuredClone(o); delete c[k]; return c; };
const dev = (b, patch) => ({ ...b, device_info: { ...b.device_info, ...patch } });
const devDel = (b, k) => { const c = structuredClone(b); delete c.device_info[k]; return c; };

// [name, mutate(body) -> body, expected field]
const CASES = [
  ['body not an object', () => [1, 2], ''],
  ['sign_scene missing', (b) => del(b, 'sign_scene'), '/sign_scene'],
  ['sign_scene enum', (b) => ({ ...b, sign_scene: 'SIGN_SCENE_WEB' }), '/sign_scene'],
  ['sign_scene null', (b) => ({ ...b, sign_scene: null }), '/sign_scene'],
  ['appid missing', (b) => del(b, 'appid'), '/appid'],
  ['appid empty', (b) => ({ ...b, appid: '' }), '/appid'],
  ['appid too long', (b) => ({ ...b, appid: 'wx' + 'a'.repeat(31) }), '/appid'],
  ['appid number', (b) => ({ ...b, appid: 123 }), '/appid'],
  ['openid empty', (b) => ({ ...b, openid: '' }), '/openid'],
  ['openid too long', (b) => ({ ...b, openid: 'o'.repeat(129) }), '/openid'],
  ['openid null', (b) => ({ ...b, openid: null }), '/openid'],
  ['plan_id missing', (b) => del(b, 'plan_id'), '/plan_id'],
  ['plan_id string', (b) => ({ ...b, plan_id: '12535' }), '/plan_id'],
  ['plan_id float', (b) => ({ ...b, plan_id: 1.5 }), '/plan_id'],
  ['plan_id zero', (b) => ({ ...b, plan_id: 0 }), '/plan_id'],
  ['plan_id negative', (b) => ({ ...b, plan_id: -3 }), '/plan_id'],
  ['out_contract_code missing', (b) => del(b, 'out_contract_code'), '/out_contract_code'],
  ['out_contract_code underscore', (b) => ({ ...b, out_contract_code: 'abc_123' }), '/out_contract_code'],
  ['out_contract_code non-ASCII', (b) => ({ ...b, out_contract_code: 'abc中' }), '/out_contract_code'],
  ['out_contract_code 33 chars', (b) => ({ ...b, out_contract_code: 'A'.repeat(33) }), '/out_contract_code'],
  ['contract_display_account missing', (b) => del(b, 'contract_display_account'), '/contract_display_account'],
  ['contract_display_account 33 chars', (b) => ({ ...b, contract_display_account: '账'.repeat(33) }), '/contract_display_account'],
  ['contract_display_account emoji', (b) => ({ ...b, contract_display_account: 'user😀' }), '/contract_display_account'],
  ['contract_notify_url missing', (b) => del(b, 'contract_notify_url'), '/contract_notify_url'],
  ['contract_notify_url http', (b) => ({ ...b, contract_notify_url: 'http://merchant.example.com/notify' }), '/contract_notify_url'],
  ['contract_notify_url query', (b) => ({ ...b, contract_notify_url: 'https://merchant.example.com/notify?a=1' }), '/contract_notify_url'],
  ['contract_notify_url too long', (b) => ({ ...b, contract_notify_url: 'https://m.example.com/' + 'a'.repeat(240) }), '/contract_notify_url'],
  ['contract_notify_url not a URL', (b) => ({ ...b, contract_notify_url: 'notify' }), '/contract_notify_url'],
  ['contract_notify_url trailing space', (b) => ({ ...b, contract_notify_url: 'https://merchant.example.com/notify ' }), '/contract_notify_url'],
  ['contract_notify_url http to a loopback written in short form', (b) => ({ ...b, contract_notify_url: 'http://127.1/notify' }), '/contract_notify_url'],
  ['contract_notify_url with a fragment', (b) => ({ ...b, contract_notify_url: 'https://merchant.example.com/notify#x' }), '/contract_notify_url'],
  ['contract_notify_url without a host', (b) => ({ ...b, contract_notify_url: 'https:///notify' }), '/contract_notify_url'],
  ['contract_notify_url port out of range', (b) => ({ ...b, contract_notify_url: 'https://merchant.example.com:65536/notify' }), '/contract_notify_url'],
  ['out_user_code missing', (b) => del(b, 'out_user_code'), '/out_user_code'],
  ['out_user_code 65 chars', (b) => ({ ...b, out_user_code: 'u'.repeat(65) }), '/out_user_code'],
  ['return_url 257 chars', (b) => ({ ...b, return_url: 'https://m.example.com/' + 'r'.repeat(235) }), '/return_url'],
  ['return_url null', (b) => ({ ...b, return_url: null }), '/return_url'],
  ['device_info missing', (b) => del(b, 'device_info'), '/device_info'],
  ['device_info array', (b) => ({ ...b, device_info: [] }), '/device_info'],
  ['device_type missing', (b) => devDel(b, 'device_type'), '/device_info/device_type'],
  ['device_type enum (UNKNOWN is not the vendor spelling)', (b) => dev(b, { device_type: 'DEVICE_TYPE_UNKNOWN' }), '/device_info/device_type'],
  ['device_os missing', (b) => devDel(b, 'device_os'), '/device_info/device_os'],
  ['device_id number', (b) => dev(b, { device_id: 7 }), '/device_info/device_id'],
  ['device_running_as_root string', (b) => dev(b, { device_running_as_root: 'false' }), '/device_info/device_running_as_root'],
  ['device_ip missing', (b) => devDel(b, 'device_ip'), '/device_info/device_ip'],
  ['weixin_installed missing', (b) => devDel(b, 'weixin_installed'), '/device_info/weixin_installed'],
  ['weixin_version null', (b) => dev(b, { weixin_version: null }), '/device_info/weixin_version'],
  ['days_since_first_login enum', (b) => dev(b, { days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_MORE_THAN_180_DAYS' }), '/device_info/days_since_first_login'],
  ['unknown top-level field', (b) => ({ ...b, mchid: '1900000001' }), '/mchid'],
  ['unknown device_info field', (b) => dev(b, { device_model: 'x' }), '/device_info/device_model'],
];

for (const [name, mutate, field] of CASES) {
  test(`PARAM_ERROR: ${name} -> ${field || '(root)'}`, async () => {
    const res = await apiCall(emu, { body: mutate(validBody(emu.credentials)) });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.code, 'PARAM_ERROR');
    assert.equal(res.json.detail.field, field);
    assert.equal(res.json.detail.location, 'body');
    assert.equal(typeof res.json.detail.issue, 'string');
    assert.equal(typeof res.json.message, 'string');
    assert.equal(res.headers['wechatpay-signature'], undefined);
  });
}

test('PARAM_ERROR: detail.value echoes the offending value', async () => {
  const res = await apiCall(emu, { body: dev(validBody(emu.credentials), { device_type: 'PHONE' }) });
  assert.equal(res.json.detail.value, 'PHONE');
});

test('first failing rule wins (table order)', async () => {
  const b = { ...validBody(emu.credentials), sign_scene: 'X', plan_id: 'x' };
  delete b.device_info;
  const res = await apiCall(emu, { body: b });
  assert.equal(res.json.detail.field, '/sign_scene');
});

test('accepted: every enum value, limits at the edge, http to loopback, optional fields absent', async () => {
  const enums = [
    ['DEVICE_TYPE_UNKNOW', 'DAYS_SINCE_FIRST_LOGIN_UNKNOW'],
    ['DEVICE_TYPE_PAD', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY'],
    ['DEVICE_TYPE_TV', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS'],
    ['DEVICE_TYPE_WATCH', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS'],
    ['DEVICE_TYPE_PHONE', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS'],
    ['DEVICE_TYPE_PHONE', 'DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS'],
  ];
  const urls = ['http://127.0.0.1:9/notify', 'http://localhost:8080/n', 'http://[::1]:8080/n', 'https://m.example.com/' + 'a'.repeat(234)];
  const bodies = [
    ...enums.map(([t, d]) => dev(validBody(emu.credentials), { device_type: t, days_since_first_login: d })),
    ...urls.map((u) => ({ ...validBody(emu.credentials), contract_notify_url: u })),
    { ...validBody(emu.credentials), out_contract_code: 'A'.repeat(32), contract_display_account: '账'.repeat(32), out_user_code: '户'.repeat(64), openid: 'o'.repeat(128) },
    (() => { const b = del(validBody(emu.credentials), 'openid'); delete b.return_url; return { ...b, sign_scene: 'SIGN_SCENE_APP' }; })(),
  ];
  for (const b of bodies) {
    const res = await apiCall(emu, { body: b });
    assert.equal(res.status, 200, `${res.text} for ${JSON.stringify(b).slice(0, 200)}`);
  }
});

test('unknown plan_id -> 400 INVALID_REQUEST, detail.field /plan_id', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials, { plan_id: emu.credentials.plan_id + 1 }) });
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'INVALID_REQUEST');
  assert.equal(res.json.detail.field, '/plan_id');
  assert.match(res.json.message, /plan_id/);
});

test('appid not bound to the merchant -> 400 APPID_MCHID_NOT_MATCH', async () => {
  const res = await apiCall(emu, { body: validBody(emu.credentials, { appid: 'wx0000000000000000' }) });
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'APPID_MCHID_NOT_MATCH');
  assert.equal(res.json.detail.field, '/appid');
});

test('out_contract_code already used -> 400 INVALID_REQUEST, detail.field /out_contract_code', async () => {
  const b = validBody(emu.credentials);
  assert.equal((await apiCall(emu, { body: b })).status, 200);
  const res = await apiCall(emu, { body: b });
  assert.equal(res.status, 400);
  assert.equal(res.json.code, 'INVALID_REQUEST');
  assert.equal(res.json.detail.field, '/out_contract_code');
  assert.match(res.json.message, /already used/);
});

test('responses: QR gives redirect_url to the signing page; APP gives gh_ username + path', async () => {
  const qr = await apiCall(emu, { body: validBody(emu.credentials) });
  assert.equal(qr.status, 200);
  assert.deepEqual(Object.keys(qr.json).sort(), ['pre_entrustweb_id', 'redirect_url']);
  assert.equal(qr.json.redirect_url, `${emu.url}/emulator/pre-entrust/${qr.json.pre_entrustweb_id}`);
  const app = await apiCall(emu, { body: validBody(emu.credentials, { sign_scene: 'SIGN_SCENE_APP' }) });
  assert.equal(app.status, 200);
  assert.deepEqual(Object.keys(app.json).sort(), ['mini_program_path', 'mini_program_username', 'pre_entrustweb_id']);
  assert.match(app.json.mini_program_username, /^gh_[0-9a-f]{12}$/);
  assert.equal(app.json.mini_program_path, `pages/index/index?pre_entrustweb_id=${app.json.pre_entrustweb_id}`);
  const c = emu.contracts.get(app.json.pre_entrustweb_id);
  assert.equal(c.state, 'PENDING');
  assert.equal(c.request.sign_scene, 'SIGN_SCENE_APP');
});

test('validatePreEntrustSign (unit): valid body -> null; lone surrogate rejected', () => {
  const b = validBody({ appid: 'wx1', plan_id: 1 });
  assert.equal(validatePreEntrustSign(b), null);
  assert.equal(validatePreEntrustSign({ ...b, out_user_code: 'a\uD800b' }).field, '/out_user_code');
  assert.equal(validatePreEntrustSign(null).field, '');
});
