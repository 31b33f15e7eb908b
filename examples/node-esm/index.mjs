// wechatpay-wasm from Node.js (ES modules): validate and send a pre-entrust-sign in both
// scenes, then receive the ENTRUST.SIGN notification on a small HTTP handler and verify and
// decrypt it with parseNotification.
//
// Against the local emulator (repository root):
//   node emulator/server.mjs --credentials /tmp/emu.json      # prints WECHATPAY_EMULATOR_URL=...
//   WECHATPAY_BASE_URL=http://127.0.0.1:PORT WECHATPAY_CREDENTIALS="$(cat /tmp/emu.json)" \
//     node examples/node-esm/index.mjs
//
// WECHATPAY_CREDENTIALS is the JSON of the emulator's credentials file: the Client options
// (mchid, serial, privateKey, certs, apiv3Key) plus appid and plan_id for the body. The step
// "the user agrees" uses an emulator-only endpoint; against WeChat Pay the user does that in
// WeChat. tests/runtimes/run.mjs runs this file as the Node ESM smoke test.
import { createServer } from 'node:http';
import { Client, WechatPayError, validatePreEntrustSign, notificationReply } from 'wechatpay-wasm';

const RUNTIME = `node-esm (Node.js ${process.version}, import)`;
const baseURL = process.env.WECHATPAY_BASE_URL;
const creds = JSON.parse(process.env.WECHATPAY_CREDENTIALS ?? 'null');
if (!baseURL || !creds) throw new Error('set WECHATPAY_BASE_URL and WECHATPAY_CREDENTIALS');

function check(ok, what) {
  if (!ok) throw new Error(`${RUNTIME}: check failed: ${what}`);
}

// One Client per merchant, made once: it imports the private key once and reuses it.
const client = new Client({ ...creds, baseURL });

// The notification handler (contract_notify_url): verify and decrypt the RAW body.
const events = new Map(); // contract_id -> event
const waiting = new Map(); // contract_id -> resolve
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    let reply;
    try {
      const event = await client.parseNotification({ headers: req.headers, body: Buffer.concat(chunks) });
      if (event.event_type === 'ENTRUST.SIGN') {
        events.set(event.resource.contract_id, event);
        waiting.get(event.resource.contract_id)?.(event);
      }
      reply = notificationReply();
    } catch (e) {
      reply = notificationReply(e); // 401 for a bad signature, so WeChat Pay retries
    }
    res.writeHead(reply.status, reply.headers).end(reply.body);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const notifyUrl = `http://127.0.0.1:${server.address().port}/wechatpay/notify`;

function notification(contractId, ms = 10_000) {
  if (events.has(contractId)) return Promise.resolve(events.get(contractId));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${RUNTIME}: no ENTRUST.SIGN for ${contractId} in ${ms} ms`)), ms);
    waiting.set(contractId, (e) => { clearTimeout(t); resolve(e); });
  });
}

function body(signScene) {
  return {
    sign_scene: signScene,
    appid: creds.appid,
    plan_id: creds.plan_id,
    out_contract_code: `esm${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`,
    contract_display_account: '微信代扣用户A',
    contract_notify_url: notifyUrl,
    out_user_code: 'user-42',
    device_info: {
      device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'd-1',
      device_running_as_root: false, device_ip: '203.0.113.7', weixin_installed: true,
      weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
    },
  };
}

try {
  console.log(`runtime: ${RUNTIME}; crypto: ${client.cryptoBackend}`);

  // Validation: every broken rule at once, and nothing is sent.
  const bad = { ...body('SIGN_SCENE_QRCODE'), plan_id: 0 };
  bad.device_info = { ...bad.device_info, device_type: 'PHONE' };
  const issues = validatePreEntrustSign(bad);
  check(issues.map((i) => i.field).sort().join() === '/device_info/device_type,/plan_id', `issues ${JSON.stringify(issues)}`);
  try {
    await client.preEntrustSign(bad);
    check(false, 'an invalid body was sent');
  } catch (e) {
    check(e instanceof WechatPayError && e.kind === 'validation' && e.issues.length === 2, `validation error: ${e}`);
  }

  // The Authorization header of any APIv3 request.
  const auth = await client.authorization('GET', '/v3/certificates', '', { timestamp: 1624523846, nonce: 'A1B2C3D4E5F6G7' });
  check(auth.startsWith(`WECHATPAY2-SHA256-RSA2048 mchid="${creds.mchid}",nonce_str="A1B2C3D4E5F6G7",timestamp="1624523846"`), auth);
  // Signing is deterministic: the same inputs give the same header, on the first call (the
  // key being imported) as on later ones.
  const again = await client.authorization('GET', '/v3/certificates', '', { timestamp: 1624523846, nonce: 'A1B2C3D4E5F6G7' });
  check(again === auth, `the same inputs gave another header: ${again}`);

  for (const scene of ['SIGN_SCENE_QRCODE', 'SIGN_SCENE_APP']) {
    const b = body(scene);
    const res = await client.preEntrustSign(b);
    check(typeof res.pre_entrustweb_id === 'string', `pre_entrustweb_id in ${JSON.stringify(res)}`);
    if (scene === 'SIGN_SCENE_QRCODE') check(res.redirect_url?.startsWith('http'), 'redirect_url');
    else check(res.mini_program_username?.startsWith('gh_') && res.mini_program_path, 'mini_program_*');

    // The user agrees (emulator only): ENTRUST.SIGN is posted to our handler.
    const agreed = await fetch(`${baseURL}/emulator/pre-entrust/${res.pre_entrustweb_id}/sign`, { method: 'POST' });
    check(agreed.ok, `emulator sign answered ${agreed.status}`);
    const { contract_id } = await agreed.json();
    const event = await notification(contract_id);
    check(event.event_type === 'ENTRUST.SIGN', event.event_type);
    check(event.resource.contract_state === 'SIGNED', event.resource.contract_state);
    check(event.resource.out_contract_code === b.out_contract_code, 'out_contract_code');
    check(event.resource.plan_id === b.plan_id, 'plan_id');
    console.log(`${scene}: ${res.pre_entrustweb_id} -> ENTRUST.SIGN ${contract_id} ${event.resource.contract_state}`);
  }
  console.log(`PASS ${RUNTIME}`);
} finally {
  server.close();
}
