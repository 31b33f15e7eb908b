// A main and a backup host over one emulator; the main one can refuse connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './helpers/fixture.mjs';
import { apiCall, rawRequest, validBody, verifyResponse } from './helpers/client.mjs';

const at = (emu, url) => ({ ...emu, url });
const contractPath = (creds, code) => `/v3/papay/sign/contracts/harmony-plan-id/${creds.plan_id}/out-contract-code/${code}`;

test('without backup there is no backup URL', async () => {
  const emu = await start();
  try {
    assert.equal(emu.backupUrl, null);
    assert.equal((await rawRequest(emu.url, { path: '/emulator/health' })).json.backup_url, null);
  } finally { await emu.close(); }
});

test('backup: a second host with the same state; the main one down refuses connections, then comes back', async () => {
  const emu = await start({ backup: true });
  try {
    assert.match(emu.backupUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(emu.backupUrl, emu.url);
    const body = validBody(emu.credentials);
    const pre = await apiCall(emu, { body });
    assert.equal(pre.status, 200);
    emu.sign(pre.json.pre_entrustweb_id);
    // the backup knows the contract made through the main host, and signs like it
    const q = await apiCall(at(emu, emu.backupUrl), { method: 'GET', path: contractPath(emu.credentials, body.out_contract_code) });
    assert.equal(q.status, 200, q.text);
    assert.deepEqual(verifyResponse(q, emu.credentials.certs), { ok: true });

    await emu.takeMainDown();
    await assert.rejects(rawRequest(emu.url, { path: '/emulator/health' }), (e) => e.code === 'ECONNREFUSED');
    const viaBackup = await apiCall(at(emu, emu.backupUrl), { body: validBody(emu.credentials) });
    assert.equal(viaBackup.status, 200);
    const health = await rawRequest(emu.backupUrl, { path: '/emulator/health' });
    assert.equal(health.json.main_up, false);

    await emu.bringMainUp();
    const back = await apiCall(emu, { method: 'GET', path: contractPath(emu.credentials, body.out_contract_code) });
    assert.equal(back.status, 200);
  } finally { await emu.close(); }
});

test('the main host is taken down and brought up over HTTP (through either host)', async () => {
  const emu = await start({ backup: true });
  try {
    const down = await rawRequest(emu.url, { method: 'POST', path: '/emulator/main/down' });
    assert.equal(down.status, 200, down.text);
    assert.equal(down.json.main_up, false);
    await assert.rejects(rawRequest(emu.url, { path: '/emulator/health' }), (e) => e.code === 'ECONNREFUSED');
    const up = await rawRequest(emu.backupUrl, { method: 'POST', path: '/emulator/main/up' });
    assert.equal(up.json.main_up, true);
    assert.equal((await rawRequest(emu.url, { path: '/emulator/health' })).json.main_up, true);
    // a page of another site may not do it
    const evil = await rawRequest(emu.backupUrl, { method: 'POST', path: '/emulator/main/down', headers: { Origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
  } finally { await emu.close(); }
});
