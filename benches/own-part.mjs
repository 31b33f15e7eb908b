// The package's own part of a presign call, without the network and without RSA signing:
// the global fetch replaced by a stand-in that does what fetch does with the request first
// (`new Request(url, init)`: undici reads the headers, the body and the signal) and answers
// a canned answer signed once by the platform key (so verification runs for real), and
// WebCrypto's sign stubbed (a fixed signature: nobody checks it here). What is left is ours:
// validation, JSON, headers, the timeout machinery, the promise turns, wasm and its glue.
// CPU per call of this build against another (OLD_PKG, as benches/ab.mjs), interleaved.
//   node benches/own-part.mjs OLD_PKG [ROUNDS] [CALLS]
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Client } from 'wechatpay-wasm';
import { cpuPerCall, cpuRatio } from './cpu-per-call.mjs';

const [oldDir, rounds = '9', calls = '2000'] = process.argv.slice(2);
if (!oldDir) throw new Error('usage: node benches/own-part.mjs OLD_PKG_DIR [ROUNDS] [CALLS]');
const { Client: OldClient } = await import(pathToFileURL(`${oldDir}/node.js`).href);

const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const options = {
  mchid: '1900000001', serial: 'F5765756002FDD77', baseURL: 'http://127.0.0.1:9',
  privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  certs: { [KEY_ID]: platform.publicKey.export({ type: 'spki', format: 'pem' }) },
};
const answer = '{"pre_entrustweb_id":"5778aadY9nltAsZzRkGCgn"}';
const ts = String(Math.floor(Date.now() / 1000));
const nonce = randomBytes(16).toString('hex');
const headers = {
  'content-type': 'application/json', 'request-id': 'R1', 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce,
  'wechatpay-serial': KEY_ID, 'wechatpay-signature': sign('sha256', Buffer.from(`${ts}\n${nonce}\n${answer}\n`), platform.privateKey).toString('base64'),
};
const clients = { new: new Client(options), old: new OldClient(options) };
// Warm: key import and probe with the real WebCrypto, before sign is stubbed.
for (const c of Object.values(clients)) await c.authorization('GET', '/v3/x');
const fake = new Uint8Array(256).fill(7).buffer;
crypto.subtle.sign = () => Promise.resolve(fake);
globalThis.fetch = async (url, init) => {
  const req = new Request(url, init);
  await req.arrayBuffer();
  return new Response(answer, { status: 200, headers });
};
const body = { sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', plan_id: 12535, out_contract_code: 'RT202611290001', contract_display_account: '微信代扣用户A', contract_notify_url: 'https://yourapp.example/notify',
  out_user_code: '用户A', return_url: 'https://yourapp.example/return',
  device_info: {
    device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'example_device_id', device_running_as_root: false,
    device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
  } };
const impls = Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, async () => (await c.preEntrustSign(body)).pre_entrustweb_id]));
const check = (id) => { if (id !== '5778aadY9nltAsZzRkGCgn') throw new Error(`wrong answer ${id}`); };
const cpu = await cpuPerCall(impls, check, { rounds: Number(rounds), calls: Number(calls) });
console.log(`own part per call (fetch stand-in, sign stubbed), Node ${process.versions.node}; old = ${oldDir}`);
for (const n of [1, 16]) {
  console.log(`${n === 1 ? 'sequential  ' : '16 in flight'}: new ${cpu.new[n].median.toFixed(1)} µs, old ${cpu.old[n].median.toFixed(1)} µs, new/old ${cpuRatio(cpu.new[n], cpu.old[n])}`);
}
