// The demo refuses what does not come from its own page (issue 17, point 1): a cross-site
// form post, a post without or with another browser's token, and any Host but its own, on
// every route (DNS rebinding). Plain HTTP requests against the running demo; the emulator's
// server-to-server notifications still get through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../../www/server.mjs';
import { raw, openPage, presignForm, makeCredentials, sealNotification, signedResource } from './lib/http.mjs';

const creds = makeCredentials();
let demo;
let emu;
let host;

before(async () => {
  demo = await startDemo({ port: 0, database: ':memory:', emulator: { credentials: creds, notifyRetry: { max: 2, baseMs: 50 } } });
  emu = demo.emulator;
  host = new URL(demo.url).host;
});
after(() => demo?.close());

const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** Posts the pre-sign form; `headers` on top of a same-origin browser's. */
async function postPresign(page, headers = {}, overrides = {}) {
  return raw(`${demo.url}/presign`, {
    method: 'POST',
    headers: { ...form, Cookie: page.cookie, Origin: demo.url, 'Sec-Fetch-Site': 'same-origin', ...headers },
    body: presignForm(page, { csrf_token: page.token, ...overrides }),
  });
}

test('the form page sets a browser cookie and carries a token; the same-origin post with it is sent', async () => {
  const page = await openPage(demo.url);
  assert.equal(page.status, 200);
  assert.match(page.cookie, /^demo_browser=[A-Za-z0-9_-]{43}$/);
  assert.match(page.token, /^[A-Za-z0-9_-]{43}$/);
  const before = emu.contracts.size;
  const res = await postPresign(page);
  assert.equal(res.status, 303, res.body);
  assert.match(res.headers.location, /^\/contracts\/wxwtdk/);
  assert.equal(emu.contracts.size, before + 1);
});

test('a cross-site form post is refused and nothing is sent, even with a valid token', async () => {
  const page = await openPage(demo.url);
  const before = emu.contracts.size;
  for (const headers of [
    { Origin: 'http://evil.example' },
    { Origin: 'null' },
    { Origin: `http://localhost:${new URL(demo.url).port}.evil.example` },
    { 'Sec-Fetch-Site': 'cross-site' },
    { 'Sec-Fetch-Site': 'same-site' }, // e.g. a page on another port of 127.0.0.1
    { Origin: undefined, 'Sec-Fetch-Site': 'cross-site' }, // no Origin at all
  ]) {
    const merged = { ...form, Cookie: page.cookie, Origin: demo.url, 'Sec-Fetch-Site': 'same-origin', ...headers };
    if (merged.Origin === undefined) delete merged.Origin;
    const res = await raw(`${demo.url}/presign`, { method: 'POST', headers: merged, body: presignForm(page, { csrf_token: page.token }) });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.match(res.body, /Refused/);
  }
  assert.equal(emu.contracts.size, before, 'no pre-sign reached the emulator');
});

test('a post without the token, with a wrong one, or with another browser\'s is refused', async () => {
  const page = await openPage(demo.url);
  const other = await openPage(demo.url);
  assert.notEqual(page.cookie, other.cookie);
  const before = emu.contracts.size;
  const cases = [
    ['no token', {}, { csrf_token: undefined }],
    ['empty token', {}, { csrf_token: '' }],
    ['wrong token', {}, { csrf_token: 'A'.repeat(43) }],
    ['another browser\'s token', {}, { csrf_token: other.token }],
    ['no cookie', { Cookie: '' }, {}],
  ];
  for (const [what, headers, overrides] of cases) {
    const res = await postPresign(page, headers, overrides);
    assert.equal(res.status, 403, what);
  }
  // Without Origin / Fetch Metadata (a non-browser client), the token alone still decides.
  const bare = await raw(`${demo.url}/presign`, { method: 'POST', headers: { ...form, Cookie: page.cookie }, body: presignForm(page, { csrf_token: undefined }) });
  assert.equal(bare.status, 403);
  assert.equal(emu.contracts.size, before, 'nothing reached the emulator');
});

test('the terminate form needs its own token too', async () => {
  const page = await openPage(demo.url);
  const res = await postPresign(page);
  const path = res.headers.location;
  const code = decodeURIComponent(path.split('/').pop());
  const pre = [...emu.contracts.values()].find((c) => c.out_contract_code === code).pre_entrustweb_id;
  const view = emu.sign(pre);
  await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  const result = await openPage(demo.url, path, `${path}/terminate`, page.cookie);
  assert.ok(result.token, 'the signed page has a terminate form with a token');
  const post = (headers, token) => raw(`${demo.url}${path}/terminate`, {
    method: 'POST', headers: { ...form, Cookie: page.cookie, Origin: demo.url, ...headers }, body: token === undefined ? '' : `csrf_token=${token}`,
  });
  assert.equal((await post({}, undefined)).status, 403);
  assert.equal((await post({}, page.token)).status, 403, 'the pre-sign form\'s token does not terminate');
  assert.equal((await post({ Origin: 'http://evil.example' }, result.token)).status, 403);
  assert.equal(emu.getContract(pre).state, 'SIGNED');
  assert.equal((await post({}, result.token)).status, 303);
  assert.equal(emu.getContract(pre).state, 'TERMINATED');
});

test('every form of a signed contract (charge, queries, policy, termination) needs its own token, from the demo\'s page', async () => {
  const page = await openPage(demo.url);
  const path = (await postPresign(page)).headers.location;
  const code = decodeURIComponent(path.split('/').pop());
  const pre = [...emu.contracts.values()].find((c) => c.out_contract_code === code).pre_entrustweb_id;
  const view = emu.sign(pre);
  await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  const orders = emu.orders.size;
  const policy = () => demo.store.inquiries.policy();
  const post = (action, headers, token, fields = '') => raw(`${demo.url}${action}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries({ ...form, Cookie: page.cookie, Origin: demo.url, ...headers }).filter(([, v]) => v !== undefined)),
    body: `${token === undefined ? '' : `csrf_token=${encodeURIComponent(token)}&`}${fields}`,
  });
  const cases = [
    [`${path}/deduct`, 'amount=1.00&description=x&harmony_account_id=h1', () => emu.orders.size === orders],
    [`${path}/policy`, 'policy=allow', () => policy() === 'refuse-while-charging'],
    [`${path}/query`, '', () => true],
    [`${path}/request-termination`, '', () => emu.getContract(pre).state === 'SIGNED' && !emu.getContract(pre).termination_inquiries?.length],
  ];
  const tokens = {};
  for (const [action] of cases) {
    tokens[action] = (await openPage(demo.url, path, action, page.cookie)).token;
    assert.ok(tokens[action], `the signed page has a form posting to ${action}, with a token`);
  }
  for (const [action, fields, unchanged] of cases) {
    const other = tokens[cases.find(([a]) => a !== action)[0]];
    for (const [why, headers, token] of [
      ['no token', {}, undefined],
      ['the pre-sign form\'s token', {}, page.token],
      ['another form\'s token', {}, other],
      ['another site', { Origin: 'http://evil.example' }, tokens[action]],
      ['cross-site fetch', { Origin: undefined, 'Sec-Fetch-Site': 'cross-site' }, tokens[action]],
    ]) {
      const res = await post(action, headers, token, fields);
      assert.equal(res.status, 403, `${action}, ${why}`);
      assert.ok(unchanged(), `${action}, ${why}: nothing done`);
    }
  }
  // With its own token, each goes through.
  assert.equal((await post(`${path}/policy`, {}, tokens[`${path}/policy`], 'policy=allow')).status, 303);
  assert.equal(policy(), 'allow');
  assert.equal((await post(`${path}/policy`, {}, tokens[`${path}/policy`], 'policy=whatever')).status, 400);
  assert.equal(policy(), 'allow');
  const query = await post(`${path}/query`, {}, tokens[`${path}/query`]);
  assert.equal(query.status, 200);
  assert.match(query.body, new RegExp(`id="contract-query" data-ok="true"[\\s\\S]*${view.contract_id}`));
  assert.equal((await post(`${path}/deduct`, {}, tokens[`${path}/deduct`], 'amount=1.00&description=x&harmony_account_id=h1')).status, 303);
  assert.equal(emu.orders.size, orders + 1);
  demo.store.inquiries.setPolicy('refuse-while-charging');
});

test('any Host but the demo\'s own is refused on every route (DNS rebinding)', async () => {
  const page = await openPage(demo.url);
  const created = await postPresign(page);
  const path = created.headers.location;
  const port = new URL(demo.url).port;
  const rec = sealNotification(creds, { event_type: 'ENTRUST.SIGN', resource: signedResource(creds, 'nosuchcode1', 'c1') });
  for (const bad of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`, '', `127.0.0.1:${port}.evil.example`]) {
    for (const [method, p, extra] of [
      ['GET', '/', {}], ['GET', path, {}], ['GET', `${path}/status`, {}], ['GET', `${path}/events`, {}],
      ['POST', '/presign', { Cookie: page.cookie, ...form }], ['POST', '/notify', rec.headers],
    ]) {
      const res = await raw(`${demo.url}${p}`, { method, headers: { Host: bad, ...extra }, body: method === 'POST' ? (p === '/notify' ? rec.body : presignForm(page, { csrf_token: page.token })) : undefined });
      assert.equal(res.status, 421, `${method} ${p} with Host ${JSON.stringify(bad)}`);
      assert.doesNotMatch(res.body, /wxwtdk|csrf_token/, 'nothing of the demo is shown');
    }
  }
  // Its own names are answered.
  for (const good of [host, `localhost:${port}`]) {
    assert.equal((await raw(`${demo.url}/`, { headers: { Host: good } })).status, 200, good);
  }
});

test('the emulator\'s notifications still reach /notify (no Origin, no token; the demo\'s Host)', async () => {
  const page = await openPage(demo.url);
  const path = (await postPresign(page)).headers.location;
  const code = decodeURIComponent(path.split('/').pop());
  const pre = [...emu.contracts.values()].find((c) => c.out_contract_code === code).pre_entrustweb_id;
  const view = emu.sign(pre);
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  assert.equal(rec.status, 204);
  const status = JSON.parse((await raw(`${demo.url}${path}/status`)).body);
  assert.equal(status.state, 'signed');
  assert.equal(status.contract.contract_id, view.contract_id);
});
