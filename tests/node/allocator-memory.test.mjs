// The main module's allocator (std's dlmalloc on wasm32) gives freed memory back for reuse: many
// validations and Authorization headers, and validations of wide bodies (many allocations
// of many sizes), leave wasm memory where the first calls put it. A leak of 100 bytes a call
// would grow it by 1 MB over these calls; the memory is allowed two 64 KiB pages for
// the allocator's own bookkeeping. Keys made with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { pkg } from './helpers.mjs';

const { Client, validatePreEntrustSign } = pkg;
const pkgDir = new URL('./', import.meta.resolve('wechatpay-wasm'));
// The glue's initSync, called once the module is loaded, returns its exports (memory).
const { memory } = (await import(new URL('wechatpay_wasm.js', pkgDir))).initSync({ module: new Uint8Array(0) });

const PAGES = 2 * 65536;
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });

const body = (i) => ({
  sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', plan_id: 12535,
  out_contract_code: `wxwtdk${i}`, contract_display_account: '微信代扣用户A'.repeat(1 + (i % 4)),
  contract_notify_url: 'https://yourapp.example/notify', out_user_code: '用户A',
  device_info: { device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS', device_id: `d${i}`, device_running_as_root: false,
    device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_UNKNOW' },
});

test('10,000 validations and 1,000 Authorization headers do not grow wasm memory', async () => {
  const client = new Client({
    mchid: '1900000001', serial: 'F5765756002FDD77',
    privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    certs: { PUB_KEY_ID_0114232134912410000000000000: wechat.publicKey.export({ type: 'spki', format: 'pem' }) },
  });
  const round = async (from, n) => {
    for (let i = from; i < from + n; i++) {
      const b = body(i);
      assert.deepEqual(validatePreEntrustSign(b), []);
      if (i % 10 === 0) assert.match(await client.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', JSON.stringify(b)), /^WECHATPAY2-SHA256-RSA2048 /);
    }
  };
  await round(0, 1000);
  const warm = memory.buffer.byteLength;
  await round(1000, 10000);
  assert.ok(memory.buffer.byteLength - warm <= PAGES, `wasm memory grew from ${warm} to ${memory.buffer.byteLength} bytes`);
  client.free();
});

test('validating wide bodies (1,000 unknown fields of many sizes) does not grow wasm memory', () => {
  const wide = (k) => {
    const b = { sign_scene: 'SIGN_SCENE_QRCODE' };
    for (let i = 0; i < 1000; i++) b[`field_${i}_${'x'.repeat((i + k) % 50)}`] = 'v'.repeat((i * 7 + k) % 300);
    return b;
  };
  for (let k = 0; k < 10; k++) assert.equal(validatePreEntrustSign(wide(k)).length > 1000, true);
  const warm = memory.buffer.byteLength;
  for (let k = 10; k < 100; k++) validatePreEntrustSign(wide(k));
  assert.ok(memory.buffer.byteLength - warm <= PAGES, `wasm memory grew from ${warm} to ${memory.buffer.byteLength} bytes`);
});
