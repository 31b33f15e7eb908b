// The www demo in a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): the QR scene (QR decoded from a screenshot), the app scene, a validation
// error, an API error, and the status (signed, terminated, expired, duplicates ignored).
// Screenshots of each final state go to artifacts/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { validatePreEntrustSign } from 'wechatpay-wasm';
import { startDemo } from '../../www/server.mjs';
import { launchPhone } from './lib/chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = `${ROOT}artifacts/`;
const T = { timeout: 60_000 };

let demo;
let emu;
let browser;
let context;
// The demo's database: a fresh file per run.
const dataDir = mkdtempSync(join(tmpdir(), 'demo-browser-'));

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  demo = await startDemo({ port: 0, database: join(dataDir, 'demo.sqlite'), emulator: { notifyRetry: { max: 3, baseMs: 50 } } });
  emu = demo.emulator;
  ({ browser, context } = await launchPhone());
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function shot(page, name) {
  const path = `${ARTIFACTS}${name}.png`;
  const buf = await page.screenshot({ path, fullPage: true });
  return { path, buf };
}

/** Opens the form, picks the scene, applies `fill` ({ name: value }), returns the page. */
async function openForm(scene, fill = {}) {
  const page = await context.newPage();
  await page.goto(`${demo.url}/`);
  await page.check(`input[name=sign_scene][value=${scene}]`);
  for (const [name, value] of Object.entries(fill)) await page.fill(`[name="${name}"]`, value);
  return page;
}

async function submitAndLand(page) {
  await Promise.all([page.waitForURL(/\/contracts\/[A-Za-z0-9]+$/), page.click('#submit')]);
  const code = await page.textContent('#out-contract-code');
  const pre = await page.textContent('#pre-entrustweb-id');
  return { code, pre, contract: emu.getContract(pre) };
}

test('QR scene: the QR decoded from a screenshot is redirect_url; agreeing turns the page to "signed" without a reload', T, async () => {
  const page = await openForm('SIGN_SCENE_QRCODE');
  const notifyUrl = await page.inputValue('[name=contract_notify_url]');
  assert.equal(notifyUrl, `${demo.url}/notify`);
  assert.match(await page.inputValue('[name=out_contract_code]'), /^[A-Za-z0-9]{1,32}$/);
  const { pre, contract } = await submitAndLand(page);
  assert.ok(contract, 'the emulator has the pre-sign session');
  assert.equal(contract.contract_notify_url, notifyUrl);
  assert.equal(await page.getAttribute('#status', 'data-state'), 'waiting');
  await page.locator('#qr svg').waitFor({ state: 'visible' });
  const href = await page.getAttribute('#redirect-url', 'href');
  assert.equal(href, contract.redirect_url);

  // Decode the QR code from the screenshot's pixels.
  const { buf } = await shot(page, 'demo-qr-waiting');
  const png = PNG.sync.read(buf);
  const qr = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  assert.ok(qr, 'a QR code was found in the screenshot');
  assert.equal(qr.data, contract.redirect_url);

  // A marker that a reload would wipe.
  await page.evaluate(() => { window.__noReload = 'still here'; });

  // The user opens the decoded URL and agrees (in another tab; the demo page stays open).
  const signing = await context.newPage();
  await signing.goto(qr.data);
  await Promise.all([signing.waitForURL(`${demo.url}/contracts/**`), signing.click('#agree')]);
  await signing.close();

  await page.locator('#status[data-state=signed]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'the page was not reloaded');
  const signed = emu.getContract(pre);
  assert.equal(signed.state, 'SIGNED');
  assert.ok(signed.contract_id);
  assert.equal(await page.textContent('#contract-id'), signed.contract_id);
  assert.equal(await page.getAttribute('#signed-time', 'datetime'), signed.contract_signed_time);
  assert.equal(await page.getAttribute('#expired-time', 'datetime'), signed.contract_expired_time);
  assert.equal([...emu.contracts.values()].find((c) => c.contract_id === signed.contract_id).pre_entrustweb_id, pre);
  const { path } = await shot(page, 'demo-qr-signed');
  // The README's picture is refreshed on request only, so a test run leaves the tree clean.
  if (process.env.UPDATE_DOCS === '1') {
    mkdirSync(`${ROOT}docs`, { recursive: true });
    copyFileSync(path, `${ROOT}docs/demo-qr.png`);
  }
  await page.close();
});

test('app scene: the mini-program data and the OpenSDK calls (iOS, Android, HarmonyOS) are shown; signing in the stand-in turns the status to signed', T, async () => {
  const page = await openForm('SIGN_SCENE_APP');
  const { pre, contract } = await submitAndLand(page);
  assert.equal(contract.sign_scene, 'SIGN_SCENE_APP');
  assert.equal(await page.textContent('#mini-program-username'), contract.mini_program_username);
  assert.equal(await page.textContent('#mini-program-path'), contract.mini_program_path);
  const ios = await page.textContent('#ios-code');
  assert.match(ios, /WXLaunchMiniProgramReq/);
  assert.ok(ios.includes(`req.userName = @"${contract.mini_program_username}"`));
  assert.ok(ios.includes(`req.path = @"${contract.mini_program_path}"`));
  assert.match(ios, /miniProgramType/);
  const android = await page.textContent('#android-code');
  assert.match(android, /WXLaunchMiniProgram\.Req/);
  assert.ok(android.includes(`req.userName = "${contract.mini_program_username}"`));
  // HarmonyOS (ArkTS): the WeChat Open SDK for HarmonyOS, as its documentation writes the call.
  const harmony = await page.textContent('#harmony-code');
  assert.match(harmony, /import \* as wxopensdk from '@tencent\/wechat_open_sdk'/);
  assert.match(harmony, /new wxopensdk\.LaunchMiniProgramReq\(\)/);
  assert.ok(harmony.includes(`req.userName = "${contract.mini_program_username}"`));
  assert.ok(harmony.includes(`req.path = "${contract.mini_program_path}"`));
  assert.match(harmony, /req\.miniprogramType = 0;/);
  assert.match(harmony, /await WXApi\.sendReq\(context, req\)/);
  const link = await page.getAttribute('#mini-program-link', 'href');
  assert.equal(link, emu.miniProgramUrl(contract.mini_program_path));
  assert.equal(await page.locator('#qr').count(), 0);

  const [standIn] = await Promise.all([context.waitForEvent('page'), page.click('#mini-program-link')]);
  await standIn.waitForLoadState();
  await Promise.all([standIn.waitForLoadState('load'), standIn.click('#agree')]);
  await standIn.locator('#state[data-state=SIGNED]').waitFor();
  await standIn.close();

  await page.locator('#status[data-state=signed]').waitFor();
  assert.equal(await page.textContent('#contract-id'), emu.getContract(pre).contract_id);
  await shot(page, 'demo-app-signed');
  await page.close();
});

test('a bad out_contract_code shows the validation message next to that field, and nothing is sent', T, async () => {
  const before = emu.contracts.size;
  const page = await openForm('SIGN_SCENE_QRCODE', { out_contract_code: 'bad code!' });
  const res = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/presign')), page.click('#submit')]);
  assert.equal(res[0].status(), 422);
  const err = page.locator('#err-out_contract_code');
  await err.waitFor();
  const expected = validatePreEntrustSign({ out_contract_code: 'bad code!' })
    .find((i) => i.field === '/out_contract_code').message;
  assert.equal((await err.textContent()).trim(), expected);
  // Right under the field: the input's own container holds the message.
  const box = page.locator('.field.invalid', { has: page.locator('#f-out_contract_code') });
  assert.equal(await box.locator('#err-out_contract_code').count(), 1);
  assert.equal(await page.getAttribute('#f-out_contract_code', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#f-out_contract_code'), 'bad code!', 'the value typed is kept');
  assert.equal(await page.locator('.err').count(), 1, 'only that field is flagged');
  assert.equal(emu.contracts.size, before, 'no request reached the emulator');
  await shot(page, 'demo-validation-error');
  await page.close();
});

test('an injected emulator fault (500) shows the API error; the page survives and the next submit works', T, async () => {
  const before = emu.contracts.size;
  emu.inject({ kind: 'status500' });
  const page = await openForm('SIGN_SCENE_QRCODE');
  const code = await page.inputValue('[name=out_contract_code]');
  await page.click('#submit');
  await page.locator('#api-error').waitFor();
  assert.equal(await page.textContent('#api-error-code'), 'SYSTEM_ERROR');
  assert.match(await page.textContent('#api-error-message'), /\S/);
  assert.equal(emu.contracts.size, before);
  await shot(page, 'demo-api-error');
  // Same form, same values: send again.
  assert.equal(await page.inputValue('[name=out_contract_code]'), code);
  const { code: landed, contract } = await submitAndLand(page);
  assert.equal(landed, code);
  assert.equal(contract.out_contract_code, code);
  assert.equal(await page.getAttribute('#status', 'data-state'), 'waiting');
  await page.close();
});

test('SIGN_ERROR (a private key the emulator does not know) shows what the server saw: sign_information', T, async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const wrong = await startDemo({ port: 0, database: ':memory:', emulator: emu, clientOptions: { privateKey } });
  try {
    const before = emu.contracts.size;
    const page = await context.newPage();
    await page.goto(`${wrong.url}/`);
    await page.click('#submit');
    await page.locator('#api-error').waitFor();
    assert.equal(await page.textContent('#api-error-code'), 'SIGN_ERROR');
    const info = await page.textContent('#sign-information');
    assert.match(info, /POST/);
    assert.match(info, /\/v3\/papay\/sign\/contracts\/pre-entrust-sign/);
    assert.match(await page.textContent('#sign-information + pre'), /^POST\n\/v3\/papay/);
    assert.equal(emu.contracts.size, before);
    await shot(page, 'demo-sign-error');
    await page.close();
  } finally {
    await wrong.close();
  }
  assert.ok(emu.url, 'the shared emulator is still running');
  assert.equal((await fetch(`${emu.url}/emulator/health`)).status, 200);
});

test('duplicate notifications change nothing; a termination shows without a reload', T, async () => {
  const page = await openForm('SIGN_SCENE_QRCODE');
  const { code, pre } = await submitAndLand(page);
  const view = emu.sign(pre);
  await page.locator('#status[data-state=signed]').waitFor();
  const first = await (await fetch(`${demo.url}/contracts/${code}/status`)).json();
  assert.equal(first.events.length, 1);

  // Replay the delivered notification (same event id) twice: 204 each time, nothing changes.
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.SIGN', contract_id: view.contract_id, ok: true });
  for (let i = 0; i < 2; i += 1) {
    const r = await fetch(`${demo.url}/notify`, { method: 'POST', headers: rec.headers, body: rec.body });
    assert.equal(r.status, 204);
  }
  // A forged one is refused with WeChat Pay's FAIL shape.
  const forged = await fetch(`${demo.url}/notify`, { method: 'POST', headers: rec.headers, body: rec.body.replace('"id":"', '"id":"X') });
  assert.equal(forged.status, 401);
  assert.equal((await forged.json()).code, 'FAIL');

  const again = await (await fetch(`${demo.url}/contracts/${code}/status`)).json();
  assert.deepEqual(again.contract, first.contract);
  assert.deepEqual(again.events, first.events);
  assert.equal(again.duplicates, 2);

  await page.evaluate(() => { window.__noReload = 1; });
  emu.terminate(view.contract_id, { remark: 'test' });
  await page.locator('#status[data-state=terminated]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 1);
  assert.match(await page.textContent('#terminated-time'), /\d{4}-\d\d-\d\d/);
  await shot(page, 'demo-terminated');
  await page.close();
});

test('the status turns to "expired" when the pre-sign session ends', T, async () => {
  const short = await startDemo({ port: 0, database: ':memory:', sessionTtlMs: 1500, emulator: { notifyRetry: { max: 1, baseMs: 50 } } });
  try {
    const page = await context.newPage();
    await page.goto(`${short.url}/`);
    await Promise.all([page.waitForURL(/\/contracts\//), page.click('#submit')]);
    assert.equal(await page.getAttribute('#status', 'data-state'), 'waiting');
    await page.locator('#status[data-state=expired]').waitFor({ timeout: 10_000 });
    const pre = await page.textContent('#pre-entrustweb-id');
    assert.equal(short.emulator.getContract(pre).state, 'EXPIRED');
    await shot(page, 'demo-expired');
    await page.close();
  } finally {
    await short.close();
  }
});

test('artifacts exist', () => {
  for (const n of ['demo-qr-signed', 'demo-app-signed', 'demo-validation-error', 'demo-api-error']) {
    assert.ok(existsSync(`${ARTIFACTS}${n}.png`), n);
  }
});
