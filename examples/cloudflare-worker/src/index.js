// wechatpay-wasm in a Cloudflare Worker: POST /presign sends a pre-entrust-sign (both scenes),
// POST /notify is the contract_notify_url handler (verifies and decrypts ENTRUST.SIGN /
// ENTRUST.TERMINATE), GET /contracts/<out_contract_code> shows what the notifications said.
//
// WHO the contract is for never comes from the request body. A contract binds the user's
// WeChat account to `out_user_code`, the merchant's account of that user: if a client could
// choose it, anyone could bind a contract (and later charges) to anyone's account. The user is
// authenticated BEFORE this Worker by the merchant's authentication layer (Cloudflare Access,
// or the merchant's own auth Worker / API gateway in front of it), which sets a header this
// Worker reads (USER_ID_HEADER, default Cf-Access-Authenticated-User-Email, which Cloudflare
// Access sets after the user signs in). A request without it is refused with 401.
// Trust that header only where nothing else can reach the Worker: serve it only on a route
// behind that layer (workers_dev = false in wrangler.toml), or verify the layer's signed token
// (Access: the Cf-Access-Jwt-Assertion JWT against your team's certs) instead of the plain
// header. /notify is the exception: WeChat Pay calls it server to server, and the
// notification's signature (parseNotification) is what authenticates it.
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

/**
 * Contract states by out_contract_code, with the user each belongs to. A real Worker writes
 * them to KV / D1 / a queue.
 */
const contracts = new Map();

const json = (value, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

/**
 * The signed-in user, as the merchant's authentication layer vouches for it: `{ id, name }`,
 * or null. `id` becomes out_user_code (1..64 characters); `name` (USER_NAME_HEADER, when the
 * layer sets one) the account name shown to the user, else the id.
 */
function authenticatedUser(request, env) {
  const id = request.headers.get(env.USER_ID_HEADER || 'cf-access-authenticated-user-email')?.trim();
  if (!id) return null;
  const name = (env.USER_NAME_HEADER && request.headers.get(env.USER_NAME_HEADER)?.trim()) || id;
  return { id, name };
}

const unauthenticated = () => json({ code: 'UNAUTHENTICATED', message: 'sign in first: this route must sit behind the authentication layer that sets the user header' }, 401);

/** A fresh merchant contract code: 32 hex characters (the pre-sign allows 1..32 letters and digits). */
const newContractCode = () => crypto.randomUUID().replaceAll('-', '');

async function presign(request, env) {
  const user = authenticatedUser(request, env);
  if (!user) return unauthenticated();
  // What the merchant's app sends: the scene and the device. The user comes from the
  // authentication layer, the contract code from the Worker, the fixed fields from the merchant.
  const input = await request.json();
  const body = {
    sign_scene: input.sign_scene,
    appid: env.WECHATPAY_APPID,
    plan_id: Number(env.WECHATPAY_PLAN_ID),
    out_contract_code: newContractCode(),
    contract_display_account: [...user.name].slice(0, 32).join(''),
    contract_notify_url: env.NOTIFY_URL || new URL('/notify', request.url).href,
    out_user_code: user.id,
    device_info: {
      ...input.device_info,
      device_ip: request.headers.get('cf-connecting-ip') ?? input.device_info?.device_ip ?? '',
    },
  };
  try {
    const res = await getClient(env).preEntrustSign(body);
    contracts.set(body.out_contract_code, { user: user.id, state: 'PENDING', pre_entrustweb_id: res.pre_entrustweb_id });
    return json({ out_contract_code: body.out_contract_code, ...res });
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
    if (event.event_type.startsWith('ENTRUST.') && r.out_contract_code) {
      const known = contracts.get(r.out_contract_code);
      contracts.set(r.out_contract_code, {
        user: known?.user ?? r.out_user_code, state: r.contract_state, contract_id: r.contract_id, event: event.event_type,
      });
    }
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
      const user = authenticatedUser(request, env);
      if (!user) return unauthenticated();
      const c = contracts.get(m[1]);
      // Another user's contract is answered like a missing one.
      return c && c.user === user.id ? json(c) : json({ code: 'NOT_FOUND' }, 404);
    }
    if (request.method === 'GET' && pathname === '/') {
      return new Response(`wechatpay-wasm worker (${navigator.userAgent}): POST /presign, POST /notify\n`);
    }
    return json({ code: 'NOT_FOUND' }, 404);
  },
};
