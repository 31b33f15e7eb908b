// The demo after "signed", in headless Chromium: a charge typed in yuan is sent in fen, shown
// accepted, then paid (TRANSACTION.SUCCESS) or failed (the emulator's payFail fault,
// TRANSACTION.FAIL) without a reload; the contract and order queries show their answers; the
// user's termination is refused while a charge is in flight (policy refuse-while-charging),
// allowed once it settled, and allowed with a charge in flight under the policy "allow". Each
// step is checked on the page, at the emulator and in the demo's SQLite database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../www/server.mjs';
import { launchPhone } from './lib/chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = `${ROOT}artifacts/`;
const T = { timeout: 90_000 };

let demo;
let emu;
let browser;
let context;
const dataDir = mkdtempSync(join(tmpdir(), 'demo-flow-'));

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Charges wait for chargeNow() (a minute's delay otherwise): each state can be seen.
  demo = await startDemo({ port: 0, database: join(dataDir, 'demo.sqlite'), emulator: { notifyRetry: { max: 3, baseMs: 50 }, chargeDelayMs: 60_000 } });
  emu = demo.emulator;
  ({ browser, context } = await launchPhone());
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await demo?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const shot = (page, name) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
const row = (sql, ...args) => demo.store.db.prepare(sql).get(...args);
const rows = (sql, ...args) => demo.store.db.prepare(sql).all(...args);

/** Form -> QR scene -> the user agrees on the signing page: the demo page, signed. */
async function signedContract() {
  const page = await context.newPage();
  await page.goto(`${demo.url}/`);
  await page.check('input[name=sign_scene][value=SIGN_SCENE_QRCODE]');
  await Promise.all([page.waitForURL(/\/contracts\/[A-Za-z0-9]+$/), page.click('#submit')]);
  const code = await page.textContent('#out-contract-code');
  const signing = await context.newPage();
  await signing.goto(await page.getAttribute('#redirect-url', 'href'));
  await Promise.all([signing.waitForURL(`${demo.url}/contracts/**`), signing.click('#agree')]);
  await signing.close();
  await page.locator('#status[data-state=signed]').waitFor();
  return { page, code, contractId: await page.textContent('#contract-id') };
}

/** Types `yuan` and sends the charge; returns its out_trade_no (the newest row). */
async function charge(page, code, yuan) {
  const before = rows('SELECT out_trade_no FROM deductions WHERE out_contract_code = ?', code).length;
  await page.fill('#amount', yuan);
  await Promise.all([page.waitForURL(/\/contracts\/[A-Za-z0-9]+$/), page.click('#deduct')]);
  const all = rows('SELECT out_trade_no FROM deductions WHERE out_contract_code = ? ORDER BY created_at, rowid', code);
  assert.equal(all.length, before + 1, 'one charge written');
  return all.at(-1).out_trade_no;
}

test('signed -> a charge in yuan is sent in fen, accepted, then paid; another fails (payFail); both live; queries shown', T, async () => {
  const { page, code, contractId } = await signedContract();
  await page.evaluate(() => { window.__noReload = 'still here'; });

  // A bad amount: the reason is shown, nothing is written or sent.
  const orders = emu.orders.size;
  await page.fill('#amount', '1.234');
  const [bad] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/deduct')), page.click('#deduct')]);
  assert.equal(bad.status(), 422);
  assert.match(await page.textContent('#deduct-error'), /1\.234/);
  assert.equal(emu.orders.size, orders, 'nothing reached WeChat Pay');
  assert.equal(row('SELECT count(*) AS n FROM deductions WHERE out_contract_code = ?', code).n, 0);

  // 12.30 yuan -> 1230 fen, accepted (ACCEPT), then charged: TRANSACTION.SUCCESS -> paid.
  const paidNo = await charge(page, code, '12.30');
  const order = emu.orders.get(paidNo);
  assert.equal(order.request.amount.total, 1230, 'sent in fen, an integer');
  assert.equal(order.request.contract_id, contractId);
  assert.equal(order.request.transaction_notify_url, `${demo.url}/notify`);
  const paidRow = page.locator(`tr[data-out-trade-no="${paidNo}"]`);
  assert.equal(await paidRow.getAttribute('data-state'), 'ACCEPT');
  assert.equal((await paidRow.locator('td.amount').textContent()).trim(), '¥12.30');
  assert.equal(row('SELECT state FROM deductions WHERE out_trade_no = ?', paidNo).state, 'ACCEPT');
  await shot(page, 'demo-charge-accepted');
  await page.evaluate(() => { window.__noReload = 'still here'; });
  emu.chargeNow(paidNo);
  await page.locator(`tr[data-out-trade-no="${paidNo}"][data-state=SUCCESS]`).waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 'still here', 'paid shown without a reload');
  const paid = row('SELECT * FROM deductions WHERE out_trade_no = ?', paidNo);
  assert.equal(paid.state, 'SUCCESS');
  assert.equal(paid.amount_fen, 1230);
  assert.equal(paid.transaction_id, emu.orders.get(paidNo).transaction_id);
  assert.match(await page.textContent(`tr[data-out-trade-no="${paidNo}"] .charge-state`), new RegExp(paid.transaction_id));
  const note = row("SELECT effect, deliveries, out_contract_code FROM notifications WHERE event_type = 'TRANSACTION.SUCCESS' AND out_trade_no = ?", paidNo);
  assert.deepEqual({ ...note }, { effect: 'applied', deliveries: 1, out_contract_code: code });

  // A failed charge: the emulator's payFail fault -> TRANSACTION.FAIL -> failed, with the reason.
  emu.inject({ kind: 'payFail', detail: { trade_state_desc: '余额不足 (test)' } });
  const failNo = await charge(page, code, '0.01');
  assert.equal(emu.orders.get(failNo).request.amount.total, 1);
  emu.chargeNow(failNo);
  const failRow = page.locator(`tr[data-out-trade-no="${failNo}"][data-state=PAY_FAIL]`);
  await failRow.waitFor();
  assert.match(await failRow.textContent(), /余额不足 \(test\)/);
  assert.equal(row('SELECT state, trade_state_desc FROM deductions WHERE out_trade_no = ?', failNo).state, 'PAY_FAIL');
  await shot(page, 'demo-charges');
  // The README's picture of charges is refreshed on request only (the tree stays clean).
  if (process.env.UPDATE_DOCS === '1') copyFileSync(`${ARTIFACTS}demo-charges.png`, `${ROOT}docs/demo-charges.png`);

  // The contract query, on demand: the answer is shown.
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/query')), page.click('#query-contract')]);
  const contractAnswer = JSON.parse(await page.textContent('#contract-query pre'));
  assert.equal(contractAnswer.contract_id, contractId);
  assert.equal(contractAnswer.contract_state, 'SIGNED');
  assert.equal(contractAnswer.out_contract_code, code);
  // The order query of the paid charge.
  await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/orders/${paidNo}/query`)),
    page.click(`form.order-query[data-out-trade-no="${paidNo}"] button`),
  ]);
  const orderAnswer = JSON.parse(await page.textContent('#order-query pre'));
  assert.equal(orderAnswer.out_trade_no, paidNo);
  assert.equal(orderAnswer.trade_state, 'SUCCESS');
  assert.equal(orderAnswer.amount.total, 1230);
  await shot(page, 'demo-queries');
  await page.close();
});

test('the user\'s termination: refused while a charge is in flight, allowed once it settled; then terminated', T, async () => {
  const { page, code, contractId } = await signedContract();
  // The operator picks the policy on the page.
  await page.check('input[name=policy][value=refuse-while-charging]');
  await Promise.all([page.waitForURL(/\/contracts\/[A-Za-z0-9]+$/), page.click('#set-policy')]);
  assert.equal(row("SELECT value FROM settings WHERE key = 'inquiry_policy'").value, 'refuse-while-charging');
  assert.equal(await page.getAttribute('#policy', 'data-policy'), 'refuse-while-charging');
  const inFlight = await charge(page, code, '5');
  assert.equal(row('SELECT state FROM deductions WHERE out_trade_no = ?', inFlight).state, 'ACCEPT');

  // The user asks to end it (the emulator's user side): ENTRUST.TERMINATE_INQUIRY -> refused.
  await page.evaluate(() => { window.__noReload = 1; });
  const refused = await emu.requestTermination(contractId, { remark: 'test' });
  assert.equal(refused.state, 'REFUSED');
  assert.match(refused.message, /扣款正在处理中/);
  assert.equal(emu.getContract(contractId).state, 'SIGNED');
  const refusedItem = page.locator('#inquiries li[data-allowed=false]');
  await refusedItem.waitFor();
  assert.equal((await refusedItem.locator('.inquiry-message').textContent()).trim(), refused.message);
  assert.equal(await page.evaluate(() => window.__noReload), 1, 'shown without a reload');
  const first = row('SELECT * FROM termination_inquiries WHERE notification_id = ?', refused.event_id);
  assert.deepEqual(
    { policy: first.policy, in_flight: first.charges_in_flight, allowed: first.allowed, code: first.out_contract_code, message: first.message },
    { policy: 'refuse-while-charging', in_flight: 1, allowed: 0, code, message: refused.message },
  );
  await shot(page, 'demo-inquiry-refused');

  // The same inquiry delivered again is answered the same, and recorded once.
  const rec = await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE_INQUIRY', contract_id: contractId, ok: true });
  const again = await fetch(`${demo.url}/notify`, { method: 'POST', headers: rec.headers, body: rec.body });
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { code: 'FAIL', message: refused.message });
  assert.equal(row('SELECT deliveries FROM notifications WHERE id = ?', refused.event_id).deliveries, 2);
  assert.equal(row('SELECT count(*) AS n FROM termination_inquiries WHERE out_contract_code = ?', code).n, 1);

  // The charge settles; the user asks again on the emulator's page: allowed, then terminated.
  emu.chargeNow(inFlight);
  await page.locator(`tr[data-out-trade-no="${inFlight}"][data-state=SUCCESS]`).waitFor();
  const user = await context.newPage();
  await user.goto(emu.getContract(contractId).redirect_url);
  await Promise.all([user.waitForLoadState('load'), user.click('#request-termination')]);
  await page.locator('#status[data-state=terminated]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), 1);
  await user.reload();
  await user.locator('#inquiry[data-state=ALLOWED]').waitFor();
  await user.close();
  assert.equal(await page.locator('#inquiries li[data-allowed=true]').count(), 1);
  assert.equal(await page.locator('#deduct').count(), 0, 'no charge form on a terminated contract');
  const c = row('SELECT state, contract_termination_mode FROM contracts WHERE out_contract_code = ?', code);
  assert.deepEqual({ ...c }, { state: 'TERMINATED', contract_termination_mode: 'USER_TERMINATE' });
  assert.deepEqual(rows('SELECT allowed, charges_in_flight FROM termination_inquiries WHERE out_contract_code = ? ORDER BY received_at', code).map((r) => ({ ...r })),
    [{ allowed: 0, charges_in_flight: 1 }, { allowed: 1, charges_in_flight: 0 }]);
  assert.equal(emu.getContract(contractId).state, 'TERMINATED');
  await shot(page, 'demo-terminated-by-user');
  await page.close();
});

test('policy "allow": the user\'s termination goes ahead even with a charge in flight (the demo\'s button)', T, async () => {
  const { page, code, contractId } = await signedContract();
  await page.check('input[name=policy][value=allow]');
  await Promise.all([page.waitForURL(/\/contracts\/[A-Za-z0-9]+$/), page.click('#set-policy')]);
  assert.equal(row("SELECT value FROM settings WHERE key = 'inquiry_policy'").value, 'allow');
  const inFlight = await charge(page, code, '1');
  await Promise.all([page.waitForURL(/\/contracts\/[A-Za-z0-9]+$/), page.click('#request-termination')]);
  await page.locator('#status[data-state=terminated]').waitFor();
  assert.equal(emu.getContract(contractId).state, 'TERMINATED');
  const inquiry = row('SELECT policy, allowed, charges_in_flight FROM termination_inquiries WHERE out_contract_code = ?', code);
  assert.deepEqual({ ...inquiry }, { policy: 'allow', allowed: 1, charges_in_flight: 1 });
  // The charge accepted before the termination still settles, and is shown.
  emu.chargeNow(inFlight);
  await page.locator(`tr[data-out-trade-no="${inFlight}"][data-state=SUCCESS]`).waitFor();
  await page.close();
});
