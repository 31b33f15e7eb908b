// Deno: the package by name (node_modules/wechatpay-wasm -> pkg/, the `deno` export), type-
// checked by `deno test` against the package's declarations. Offline: the key is generated
// here and the signature checked with WebCrypto. (The emulator flow in Deno is
// examples/deno/main.ts, run by tests/runtimes/run.mjs.)
import {
  Client,
  type PreEntrustSignRequest,
  validatePreEntrustSign,
  WechatPayError,
} from 'wechatpay-wasm';

function assert(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Error(what);
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${btoa(String.fromCharCode(...new Uint8Array(der))).replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const keys = await crypto.subtle.generateKey(
  { ...alg, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
  true,
  ['sign', 'verify'],
);
const client = new Client({
  mchid: '1900000001',
  serial: 'F5765756002FDD77',
  privateKey: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)),
  certs: { PUB_KEY_ID_0114232134912410000000000000: pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', keys.publicKey)) },
});

const body: PreEntrustSignRequest = {
  sign_scene: 'SIGN_SCENE_APP',
  appid: 'wxd678efh567hg6787',
  plan_id: 12535,
  out_contract_code: 'deno0001',
  contract_display_account: 'A',
  contract_notify_url: 'https://yourapp.example/notify',
  out_user_code: 'u',
  device_info: {
    device_type: 'DEVICE_TYPE_WATCH',
    device_os: '',
    device_id: '',
    device_running_as_root: false,
    device_ip: '',
    weixin_installed: true,
    weixin_version: '',
    days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY',
  },
};

Deno.test('validatePreEntrustSign: [] for a good body, every issue for a bad one', () => {
  assert(validatePreEntrustSign(body).length === 0, 'good body');
  const issues = validatePreEntrustSign({ ...body, plan_id: -1, out_contract_code: 'no spaces' });
  assert(issues.map((i) => i.field).sort().join() === '/out_contract_code,/plan_id', JSON.stringify(issues));
});

Deno.test('authorization() verifies with WebCrypto over the canonical message', async () => {
  const text = JSON.stringify(body);
  const h = await client.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', text, {
    timestamp: 1624523846,
    nonce: 'A1B2C3D4E5F6G7',
  });
  const sig = /signature="([^"]+)"$/.exec(h)?.[1];
  assert(sig, h);
  const message = `POST\n/v3/papay/sign/contracts/pre-entrust-sign\n1624523846\nA1B2C3D4E5F6G7\n${text}\n`;
  const ok = await crypto.subtle.verify(
    alg,
    keys.publicKey,
    Uint8Array.from(atob(sig), (c) => c.charCodeAt(0)),
    new TextEncoder().encode(message),
  );
  assert(ok, 'signature verifies');
  assert(client.userAgent.includes('Deno/'), client.userAgent);
});

Deno.test('a bad body rejects with a typed validation error and is not sent', async () => {
  try {
    await client.preEntrustSign({ ...body, appid: '' });
    throw new Error('resolved');
  } catch (e) {
    if (!(e instanceof WechatPayError) || e.kind !== 'validation') throw e;
    assert(e.code === 'INVALID_FIELD' && e.issues[0].field === '/appid', JSON.stringify(e.issues));
  }
});
