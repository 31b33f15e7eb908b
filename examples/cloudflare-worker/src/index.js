// wechatpay-wasm in a Cloudflare Worker: POST /presign sends a pre-entrust-sign (both scenes),
// POST /notify is the contract_notify_url handler (verifies and decrypts ENTRUST.SIGN /
// ENTRUST.TERMINATE), GET /contracts/<out_contract_code> shows what the notifications said.
//
// The package's `workerd` export condition instantiates the .wasm from an imported
// WebAssembly.Module (Workers forbid compiling wasm from bytes at run time); wrangler picks
// that condition and bundles the .wasm as CompiledWasm with no configuration.
// Configuration: see wrangler.toml. tests/runtimes/run.mjs runs this Worker in workerd
// (miniflare) against the emulator as the Workers smoke test.
import { Client, WechatPayError, notificationReply } from 'wechatpay-wasm';

/** One Client per isolate (the key is imported once and reused across requests). */
let client;
function getClient(env) {
  client ??= new Client({
    mchid: env.WECHATPAY_MCHID,
    serial: env.WECHATPAY_SERIAL,
    privateKey: env.WECHATPAY_PRIVATE_KEY,
    certs: JSON.parse(env.WECHATPAY_CERTS),
    apiv3Key: env.WECHATPAY_APIV3_KEY,
    baseURL: env.WECHATPAY_BASE_URL,
  });
  return client;
}

/** Contract states by out_contract_code. A real Worker writes them to KV / D1 / a queue. */
const contracts = new Map();

const json = (value, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

async function presign(request, env) {
  // What the merchant's app sends: scene, its own codes, the device. The Worker adds the
  // merchant's fixed fields.
  const input = await request.json();
  const body = {
    sign_scene: input.sign_scene,
    appid: env.WECHATPAY_APPID,
    plan_id: Number(env.WECHATPAY_PLAN_ID),
    out_contract_code: input.out_contract_code,
    contract_display_account: input.contract_display_account ?? '微信代扣',
    contract_notify_url: env.NOTIFY_URL || new URL('/notify', request.url).href,
    out_user_code: input.out_user_code,
    device_info: {
      ...input.device_info,
      device_ip: request.headers.get('cf-connecting-ip') ?? input.device_info?.device_ip ?? '',
    },
  };
  try {
    const res = await getClient(env).preEntrustSign(body);
    contracts.set(body.out_contract_code, { state: 'PENDING', pre_entrustweb_id: res.pre_entrustweb_id });
    return json(res);
  } catch (e) {
    if (e instanceof WechatPayError && e.kind === 'validation') return json({ code: e.code, issues: e.issues }, 400);
    if (e instanceof WechatPayError && e.kind === 'api') return json({ code: e.code, message: e.message, requestId: e.requestId }, 502);
    if (e instanceof WechatPayError) return json({ code: e.code, message: e.message }, 502);
    throw e;
  }
}

async function notify(request, env) {
  let reply;
  try {
    // The RAW body: the signature is over these exact bytes.
    const event = await getClient(env).parseNotification({ headers: request.headers, body: await request.arrayBuffer() });
    const r = event.resource;
    contracts.set(r.out_contract_code, { state: r.contract_state, contract_id: r.contract_id, event: event.event_type });
    reply = notificationReply();
  } catch (e) {
    reply = notificationReply(e); // 401 for a bad signature: WeChat Pay retries
  }
  return new Response(reply.body || null, { status: reply.status, headers: reply.headers });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === 'POST' && pathname === '/presign') return presign(request, env);
    if (request.method === 'POST' && pathname === '/notify') return notify(request, env);
    const m = /^\/contracts\/([A-Za-z0-9]+)$/.exec(pathname);
    if (request.method === 'GET' && m) {
      const c = contracts.get(m[1]);
      return c ? json(c) : json({ code: 'NOT_FOUND' }, 404);
    }
    if (request.method === 'GET' && pathname === '/') {
      return new Response(`wechatpay-wasm worker (${navigator.userAgent}): POST /presign, POST /notify\n`);
    }
    return json({ code: 'NOT_FOUND' }, 404);
  },
};
