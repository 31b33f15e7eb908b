// Benchmark: Authorization headers per second, ours against node:crypto and the peer SDK
// (wechatpay-axios-plugin), all measured in this one run on this machine; then the wasm size.
// Run: make bench   (or: node benches/authorization.mjs after make pkg)
import { createPrivateKey, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Client } from 'wechatpay-wasm';
import { Rsa, Formatter } from 'wechatpay-axios-plugin';
import { measure, table, ratio, fmtRatio } from './measure.mjs';
import { goal } from './goals.mjs';

const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
const BODY = JSON.stringify({
  sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A',
  contract_notify_url: 'https://yourapp.com/notify', out_user_code: '用户A',
  device_info: { device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS', device_id: 'd', device_running_as_root: false,
    device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_UNKNOW' },
});

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const MCHID = '1900000001';
const SERIAL = 'F5765756002FDD77';
const nonce = () => randomBytes(16).toString('hex');
const ts = () => Math.floor(Date.now() / 1000);

const client = new Client({
  mchid: MCHID, serial: SERIAL, privateKey: pem,
  certs: { PUB_KEY_ID_0114232134912410000000000000: publicKey.export({ type: 'spki', format: 'pem' }) },
});
const rustClient = new Client({
  mchid: MCHID, serial: SERIAL, privateKey: pem, crypto: 'rust',
  certs: { PUB_KEY_ID_0114232134912410000000000000: publicKey.export({ type: 'spki', format: 'pem' }) },
});
const keyObject = createPrivateKey(pem);
const subtleKey = await crypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
const enc = new TextEncoder();
const peerKey = Rsa.from(pem, Rsa.KEY_TYPE_PRIVATE);

const header = (n, t, sig) => `WECHATPAY2-SHA256-RSA2048 mchid="${MCHID}",nonce_str="${n}",timestamp="${t}",serial_no="${SERIAL}",signature="${sig}"`;
const message = (n, t) => `POST\n${PATH}\n${t}\n${n}\n${BODY}\n`;

const impls = {
  'wechatpay-wasm (WebCrypto)': () => client.authorization('POST', PATH, BODY),
  'wechatpay-wasm (rsa crate)': () => rustClient.authorization('POST', PATH, BODY),
  'node:crypto sign, cached KeyObject': () => {
    const n = nonce(); const t = ts();
    return header(n, t, nodeSign('sha256', Buffer.from(message(n, t)), keyObject).toString('base64'));
  },
  'node:crypto sign async (threadpool)': () => new Promise((resolve, reject) => {
    const n = nonce(); const t = ts();
    nodeSign('sha256', Buffer.from(message(n, t)), keyObject, (err, sig) => (err ? reject(err) : resolve(header(n, t, sig.toString('base64')))));
  }),
  'raw WebCrypto from JS (reference)': async () => {
    const n = nonce(); const t = ts();
    const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', subtleKey, enc.encode(message(n, t)));
    return header(n, t, Buffer.from(sig).toString('base64'));
  },
  'wechatpay-axios-plugin, cached key': () => {
    const n = Formatter.nonce(); const t = Formatter.timestamp();
    return Formatter.authorization(MCHID, n, Rsa.sign(Formatter.request('POST', PATH, t, n, BODY), peerKey), t, SERIAL);
  },
};

const results = await measure(impls, (h) => {
  if (typeof h !== 'string' || !h.startsWith('WECHATPAY2-SHA256-RSA2048 ')) throw new Error(`bad header ${h}`);
});
table(`Authorization headers per second (RSA-2048, ${(await import('node:os')).cpus().length} cores)`, results);
const ours = results['wechatpay-wasm (WebCrypto)'];
const node = results['node:crypto sign, cached KeyObject'];
const peer = results['wechatpay-axios-plugin, cached key'];
const raw = results['raw WebCrypto from JS (reference)'];
console.log('\nratios, round by round (median, and the spread over the rounds)');
console.log(`ours / node:crypto, sequential:              ${fmtRatio(ratio(ours, node, 'seq'))}  (target >= 0.75x)`);
console.log(`ours / wechatpay-axios-plugin, 16 in flight: ${fmtRatio(ratio(ours, peer, 'par'))}  (target >= 1.5x)`);
console.log(`ours / raw WebCrypto, sequential:            ${fmtRatio(ratio(ours, raw, 'seq'))}`);
{
  const x = ratio(ours, raw, 'seq');
  goal('authorization() / raw WebCrypto, sequential', x.median, `rounds ${x.min.toFixed(2)}-${x.max.toFixed(2)}x`);
}
console.log(`raw WebCrypto / node:crypto, sequential:     ${fmtRatio(ratio(raw, node, 'seq'))}  (the ceiling of ours)`);
console.log(`ours / node:crypto async, 16 in flight:      ${fmtRatio(ratio(ours, results['node:crypto sign async (threadpool)'], 'par'))}`);
// Any signing that leaves the main thread (WebCrypto, node:crypto's callback form) pays a
// threadpool round trip per call; this is what that round trip costs node:crypto itself.
console.log(`node:crypto async / node:crypto, sequential: ${fmtRatio(ratio(results['node:crypto sign async (threadpool)'], node, 'seq'))}  (the threadpool round trip)`);

// What ours adds to a WebCrypto signature, without the noise of RSA itself: the same two
// callers with `crypto.subtle.sign` stubbed to resolve at once (a fixed 256-byte signature).
// Everything else runs for real: arguments into wasm, nonce, clock, message, header. The
// difference per call, set against one real signature above, is the most that ours can lose
// to raw WebCrypto; the sequential ratios above also carry the machine's noise.
{
  const subtle = crypto.subtle;
  const fake = new Uint8Array(256).fill(7).buffer;
  subtle.sign = () => Promise.resolve(fake); // an own property shadows SubtleCrypto.prototype.sign
  const perCall = async (fn, calls) => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      const h = await impls[fn]();
      if (!h.endsWith(`signature="${Buffer.from(fake).toString('base64')}"`)) throw new Error(`bad header ${h}`);
    }
    return ((performance.now() - t0) * 1000) / calls;
  };
  const name = { ours: 'wechatpay-wasm (WebCrypto)', raw: 'raw WebCrypto from JS (reference)' };
  const us = { ours: [], raw: [] };
  try {
    for (let r = 0; r < 7; r++) {
      for (const k of ['ours', 'raw']) us[k].push(await perCall(name[k], 5000));
    }
  } finally {
    delete subtle.sign;
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const extra = med(us.ours.map((x, i) => x - us.raw[i]));
  const realSign = 1e6 / raw.seq;
  console.log(`\nper call with WebCrypto's sign stubbed (median of 7 rounds of 5000): ours ${med(us.ours).toFixed(1)} us, ` +
    `raw WebCrypto from JS ${med(us.raw).toFixed(1)} us; ours adds ${extra.toFixed(1)} us = ` +
    `${((100 * extra) / realSign).toFixed(1)}% of one real signature (${realSign.toFixed(0)} us sequential)`);
}

// The main module is what every runtime loads; the extra module (rsa/aes-gcm fallback, QR
// codes) only on first use of `crypto: 'rust'`, a runtime without WebCrypto, or qrCodeSvg.
const pkgDir = new URL('../pkg/', import.meta.url);
console.log('');
for (const wasm of readdirSync(pkgDir).filter((f) => f.endsWith('.wasm')).sort()) {
  const bytes = readFileSync(new URL(wasm, pkgDir));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const main = !wasm.includes('_extra');
  console.log(`wasm ${wasm}: ${bytes.length} B raw, ${gz} B gzipped` +
    (main ? ` = ${(gz / 90_000).toFixed(2)}x the target (<= 90 KB gzipped)` : ' (loaded on first use only)'));
}
