import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../server.mjs';
import { start, testCredentials } from './helpers/fixture.mjs';
import { apiCall, validBody, verifyResponse } from './helpers/client.mjs';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));

function checkClientShape(c) {
  assert.deepEqual(Object.keys(c).sort(), ['apiv3Key', 'appid', 'certs', 'mchid', 'plan_id', 'privateKey', 'serial']);
  assert.match(c.mchid, /^\d{10}$/);
  assert.match(c.serial, /^[0-9A-F]{40}$/);
  assert.match(c.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  const ids = Object.keys(c.certs);
  assert.equal(ids.length, 1);
  assert.match(ids[0], /^PUB_KEY_ID_0114232134912410000000000000\d{4}$/);
  assert.match(c.certs[ids[0]], /^-----BEGIN PUBLIC KEY-----/);
  assert.equal(Buffer.byteLength(c.apiv3Key), 32);
  assert.match(c.apiv3Key, /^[A-Za-z0-9]{32}$/);
  assert.ok(Number.isSafeInteger(c.plan_id) && c.plan_id > 0);
  assert.match(c.appid, /^wx[0-9a-f]{16}$/);
  const k = crypto.createPrivateKey(c.privateKey);
  assert.equal(k.asymmetricKeyDetails.modulusLength, 2048);
}

test('module: starts on 127.0.0.1 with a free port, credentials in client shape', async () => {
  const emu = await start();
  try {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    checkClientShape(emu.credentials);
    assert.equal(emu.credentials._emulator, undefined);
    assert.ok(emu.contracts instanceof Map);
    assert.ok(Array.isArray(emu.notifications));
  } finally {
    await emu.close();
  }
});

test('credentials file: generated when missing, reloaded to the same emulator', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxemu-'));
  const file = path.join(dir, 'sub', 'creds.json');
  try {
    const emu1 = await startEmulator({ credentials: file, log: false });
    let saved;
    try {
      saved = JSON.parse(fs.readFileSync(file, 'utf8'));
      checkClientShape(Object.fromEntries(Object.entries(saved).filter(([k]) => k !== '_emulator')));
      assert.ok(saved._emulator.wechatpayPrivateKey.includes('PRIVATE KEY'));
      assert.deepEqual(emu1.credentials, Object.fromEntries(Object.entries(saved).filter(([k]) => k !== '_emulator')));
      if (process.platform !== 'win32') assert.equal(fs.statSync(file).mode & 0o077, 0);
    } finally {
      await emu1.close();
    }
    const emu2 = await startEmulator({ credentials: file, log: false });
    try {
      assert.deepEqual(emu2.credentials, emu1.credentials);
      // the reloaded emulator signs with the same WeChat Pay key
      const res = await apiCall(emu2, { body: validBody(emu2.credentials) });
      assert.equal(res.status, 200);
      assert.deepEqual(verifyResponse(res, emu1.credentials.certs), { ok: true });
    } finally {
      await emu2.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('credentials object: partial objects are completed; inconsistent ones are refused', async () => {
  const full = testCredentials();
  const emu = await startEmulator({ credentials: { ...full, mchid: '1900000001', plan_id: 12535, appid: 'wxd678efh567hg6787' }, log: false });
  try {
    assert.equal(emu.credentials.mchid, '1900000001');
    assert.equal(emu.credentials.plan_id, 12535);
    assert.equal(emu.credentials.appid, 'wxd678efh567hg6787');
  } finally {
    await emu.close();
  }
  const { _emulator, ...noSecrets } = full;
  await assert.rejects(startEmulator({ credentials: noSecrets, log: false }), /wechatpayPrivateKey/);
  await assert.rejects(startEmulator({ credentials: { ...full, apiv3Key: 'short' }, log: false }), /apiv3Key/);
});

test('logging: one line per request (method, path, status, Request-ID)', async () => {
  const lines = [];
  const emu = await start({ log: (l) => lines.push(l) });
  try {
    const res = await apiCall(emu, { body: '{}', omit: ['Accept'] });
    assert.equal(res.status, 400);
    await new Promise((r) => setTimeout(r, 20));
    const reqLines = lines.filter((l) => l.includes('/v3/'));
    assert.equal(reqLines.length, 1);
    assert.match(reqLines[0], /POST \/v3\/papay\/sign\/contracts\/pre-entrust-sign 400 [0-9A-F]+/);
    assert.ok(reqLines[0].includes(res.headers['request-id']));
  } finally {
    await emu.close();
  }
});

test('CLI: prints WECHATPAY_EMULATOR_URL, serves, writes credentials, stops on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxemu-cli-'));
  const file = path.join(dir, 'creds.json');
  const child = spawn(process.execPath, [SERVER, '--port', '0', '--credentials', file, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /^WECHATPAY_EMULATOR_URL=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const res = await fetch(`${url}/emulator/health`, { signal: AbortSignal.timeout(4000) });
    assert.equal(res.status, 200);
    const creds = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal((await res.json()).mchid, creds.mchid);
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    child.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
