// The /emulator/ control routes: no page of another site may drive them (issue 17 point 8),
// while servers (no Origin), the emulator's own pages and loopback pages still can.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, rawRequest, validBody } from './helpers/client.mjs';

let emu;
before(async () => { emu = await start(); });
after(() => emu.close());

const EVIL = 'https://evil.example';

async function pending() {
  const res = await apiCall(emu, { body: validBody(emu.credentials) });
  assert.equal(res.status, 200, res.text);
  return res.json.pre_entrustweb_id;
}

async function signed() {
  const id = await pending();
  return emu.sign(id).contract_id;
}

test('a page of another site cannot queue a fault (Origin), and learns nothing (no CORS)', async () => {
  const before = emu.faults.length;
  const res = await rawRequest(emu.url, {
    method: 'POST', path: '/emulator/faults',
    headers: { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' },
    body: '{"kind":"status500","times":5}',
  });
  assert.equal(res.status, 403);
  assert.equal(res.json.code, 'CROSS_ORIGIN_REFUSED');
  assert.equal(res.headers['access-control-allow-origin'], undefined);
  assert.equal(emu.faults.length, before, 'no fault queued');
  const del = await rawRequest(emu.url, { method: 'DELETE', path: '/emulator/faults', headers: { Origin: EVIL } });
  assert.equal(del.status, 403);
});

test('a cross-site page cannot sign, cancel or agree through the form', async () => {
  const id = await pending();
  for (const path of [`/emulator/pre-entrust/${id}/sign`, `/emulator/pre-entrust/${id}/cancel`]) {
    const res = await rawRequest(emu.url, { method: 'POST', path, headers: { Origin: EVIL } });
    assert.equal(res.status, 403, path);
  }
  const form = await rawRequest(emu.url, {
    method: 'POST', path: `/emulator/pre-entrust/${id}`,
    headers: { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'action=agree',
  });
  assert.equal(form.status, 403);
  // an opaque origin (sandboxed iframe, file:) is not loopback either
  const opaque = await rawRequest(emu.url, { method: 'POST', path: `/emulator/pre-entrust/${id}/sign`, headers: { Origin: 'null' } });
  assert.equal(opaque.status, 403);
  assert.equal(emu.getContract(id).state, 'PENDING');
});

test('a cross-site request without Origin (Sec-Fetch-Site only) cannot terminate', async () => {
  const contractId = await signed();
  const res = await rawRequest(emu.url, { method: 'POST', path: `/emulator/contracts/${contractId}/terminate`, headers: { 'Sec-Fetch-Site': 'cross-site' } });
  assert.equal(res.status, 403);
  assert.equal(emu.getContract(contractId).state, 'SIGNED');
});

test('DNS rebinding: a Host that is not loopback is refused on control routes, reads included', async () => {
  const port = new URL(emu.url).port;
  for (const [method, path] of [['GET', '/emulator/contracts'], ['GET', '/emulator/notifications'], ['GET', '/emulator/'], ['POST', '/emulator/faults']]) {
    const res = await rawRequest(emu.url, {
      method, path,
      headers: { Host: `rebind.evil.example:${port}`, Origin: `http://rebind.evil.example:${port}`, 'Sec-Fetch-Site': 'same-origin' },
      body: method === 'POST' ? '{"kind":"reset"}' : undefined,
    });
    assert.equal(res.status, 403, `${method} ${path}`);
    assert.equal(res.json.code, 'HOST_NOT_ALLOWED');
  }
  assert.equal(emu.faults.length, 0);
  // localhost and [::1] names of the same emulator are fine
  for (const host of [`localhost:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`]) {
    assert.equal((await rawRequest(emu.url, { path: '/emulator/health', headers: { Host: host } })).status, 200, host);
  }
});

test('control answers never say Access-Control-Allow-Origin: *; loopback pages get their origin', async () => {
  const other = await rawRequest(emu.url, { path: '/emulator/notifications', headers: { Origin: EVIL } });
  assert.equal(other.status, 200); // a GET changes nothing; the browser cannot read it
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  assert.match(other.headers.vary, /Origin/);
  const page = 'http://127.0.0.1:5173';
  const local = await rawRequest(emu.url, { path: '/emulator/notifications', headers: { Origin: page, 'Sec-Fetch-Site': 'same-site' } });
  assert.equal(local.headers['access-control-allow-origin'], page);
  const none = await rawRequest(emu.url, { path: '/emulator/health' });
  assert.equal(none.headers['access-control-allow-origin'], undefined);
  // the API keeps answering any origin: it needs a merchant signature
  const api = await apiCall(emu, { body: validBody(emu.credentials), headers: { Origin: EVIL } });
  assert.equal(api.status, 200);
  assert.equal(api.headers['access-control-allow-origin'], '*');
});

test('preflight of a control route: refused for another site, granted to a loopback page', async () => {
  const evil = await rawRequest(emu.url, {
    method: 'OPTIONS', path: '/emulator/faults',
    headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers['access-control-allow-origin'], undefined);
  assert.equal(evil.headers['access-control-allow-methods'], undefined);
  const page = 'http://localhost:8080';
  const ok = await rawRequest(emu.url, {
    method: 'OPTIONS', path: '/emulator/faults',
    headers: { Origin: page, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers['access-control-allow-origin'], page);
  assert.match(ok.headers['access-control-allow-methods'], /POST/);
});

test('what the tests and the demo do still works: servers, the own page, a loopback page', async () => {
  // a server (Node fetch: no Origin)
  const a = await pending();
  const viaFetch = await fetch(`${emu.url}/emulator/pre-entrust/${a}/sign`, { method: 'POST' });
  assert.equal(viaFetch.status, 200);
  assert.equal(emu.getContract(a).state, 'SIGNED');
  // the emulator's own signing page posting its form
  const b = await pending();
  const own = await rawRequest(emu.url, {
    method: 'POST', path: `/emulator/pre-entrust/${b}`,
    headers: { Origin: emu.url, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'action=agree',
  });
  assert.equal(own.status, 303);
  assert.equal(emu.getContract(b).state, 'SIGNED');
  // a page on 127.0.0.1 at another port (tests/runtimes' browser smoke), and on localhost
  for (const origin of ['http://127.0.0.1:45678', 'http://localhost:45678']) {
    const c = await pending();
    const res = await rawRequest(emu.url, { method: 'POST', path: `/emulator/pre-entrust/${c}/sign`, headers: { Origin: origin, 'Sec-Fetch-Site': origin.includes('localhost') ? 'cross-site' : 'same-site' } });
    assert.equal(res.status, 200, origin);
    assert.equal(res.headers['access-control-allow-origin'], origin);
  }
});
