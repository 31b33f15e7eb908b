// wechatpay-wasm in production on Node.js: the key signs outside the client (`signer`: here
// node:crypto, in production a KMS or HSM), every request goes through your own transport
// (`fetch`: here one that logs and times each request), and a request that cannot reach the
// main host goes to the backup host (`failover`).
//
// Against the local emulator with a backup host (repository root):
//   node emulator/server.mjs --backup --credentials /tmp/emu.json
//     # prints WECHATPAY_EMULATOR_URL=... and WECHATPAY_EMULATOR_BACKUP_URL=...
//   WECHATPAY_BASE_URL=... WECHATPAY_BACKUP_URL=... WECHATPAY_CREDENTIALS="$(cat /tmp/emu.json)" \
//     node examples/node-production/index.mjs
// Against WeChat Pay, leave out both URLs (the defaults are api.mch.weixin.qq.com and
// api2.mch.weixin.qq.com). tests/node/production-example.test.mjs runs this file with the
// emulator's main host down.
import { createPrivateKey, createSign } from 'node:crypto';
import { Client, WechatPayError } from 'wechatpay-wasm';

const creds = JSON.parse(process.env.WECHATPAY_CREDENTIALS ?? 'null');
if (!creds) throw new Error('set WECHATPAY_CREDENTIALS');
const { privateKey: pem, appid, plan_id, ...options } = creds;

// signer: (message: Uint8Array) => Promise<base64 SHA256withRSA signature>. The fastest
// signer on Node, for those who allow node:crypto: the key object is parsed once, each call
// is one synchronous createSign. With a KMS, call its Sign operation instead (PKCS#1 v1.5
// with SHA-256 over the raw message; AWS KMS: RSASSA_PKCS1_V1_5_SHA_256, MessageType RAW)
// and return the signature in base64.
const key = createPrivateKey(pem);
const signer = async (message) => createSign('RSA-SHA256').update(message).sign(key, 'base64');

// fetch: any (input, init) => Promise<Response>. Here the global fetch, timed and logged; an
// undici Agent with your own keep-alive (`fetch(input, { ...init, dispatcher: agent })`), a
// Worker's service binding or a test double go in the same place.
const fetch = async (input, init) => {
  const started = performance.now();
  try {
    const res = await globalThis.fetch(input, init);
    console.log(`${init.method} ${input} -> ${res.status} (${(performance.now() - started).toFixed(1)} ms)`);
    return res;
  } catch (e) {
    console.log(`${init.method} ${input} -> ${e.cause?.code ?? e.message}`);
    throw e;
  }
};

const client = new Client({
  ...options,
  signer,
  fetch,
  failover: true,
  ...(process.env.WECHATPAY_BASE_URL && { baseURL: process.env.WECHATPAY_BASE_URL }),
  ...(process.env.WECHATPAY_BACKUP_URL && { backupBaseURL: process.env.WECHATPAY_BACKUP_URL }),
});

try {
  const answer = await client.preEntrustSign({
    sign_scene: 'SIGN_SCENE_QRCODE',
    appid,
    plan_id,
    out_contract_code: `P${Date.now()}`,
    contract_display_account: 'example user',
    contract_notify_url: 'https://yourapp.example/notify',
    out_user_code: 'user-1',
    device_info: {
      device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'example_device_id',
      device_running_as_root: false, device_ip: '203.0.113.7', weixin_installed: true,
      weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
    },
  });
  console.log('pre_entrustweb_id', answer.pre_entrustweb_id);
} catch (e) {
  if (!(e instanceof WechatPayError)) throw e;
  console.error(`${e.kind} ${e.code}: ${e.message}`);
  process.exitCode = 1;
}
