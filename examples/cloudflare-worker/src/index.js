// wechatpay-wasm in a Cloudflare Worker: POST /presign sends a pre-entrust-sign (both scenes),
// POST /deductions charges the user's signed contract, POST /notify is the contract_notify_url
// and transaction_notify_url handler (verifies and decrypts ENTRUST.SIGN / ENTRUST.TERMINATE,
// TRANSACTION.SUCCESS / TRANSACTION.FAIL, and answers ENTRUST.TERMINATE_INQUIRY), and
// GET /contracts/<out_contract_code>, GET /deductions/<out_trade_no> show what they said.
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
 * Contract states by out_contract_code, with the user each belongs to; charges by
 * out_trade_no; the notification ids acted on. A real Worker writes them to D1 / Durable
 * Objects (one transaction per notification id), not to the isolate's memory.
 */
const contracts = new Map();
const charges = new Map();
const handled = new Set();
/** The answer given to each termination inquiry, by notification id: a retry gets the same. */
const inquiryAnswers = new Map();

/**
 * What the user may buy, priced by the merchant: the amount of a charge never comes from the
 * client (in fen, an integer: 1500 = 15.00 CNY).
 */
const PRICES = {
  'vip-month': { total: 1500, description: '会员月费 VIP membership, one month' },
  'vip-year': { total: 15_000, description: '会员年费 VIP membership, one year' },
};

/** A new out_trade_no: 32 characters of [0-9a-z] (the API allows 1..32 of [0-9A-Za-z_-*]). */
const newTradeNo = () => `d${crypto.randomUUID().replaceAll('-', '').slice(0, 31)}`;

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
    return callError(e);
  }
}

/** The JSON answer of a failed call (validation: 400, nothing sent; WeChat Pay's refusal: 502). */
function callError(e) {
  if (e instanceof WechatPayError && e.kind === 'validation') return json({ code: e.code, issues: e.issues }, 400);
  if (e instanceof WechatPayError && e.kind === 'api') return json({ code: e.code, message: e.message, detail: e.detail, requestId: e.requestId }, 502);
  if (e instanceof WechatPayError) return json({ code: e.code, message: e.message }, 502);
  throw e;
}

/**
 * POST /deductions `{ out_contract_code, item, harmony_account_id }`: charges the signed-in
 * user's own signed contract the price of `item`. The contract must be the user's (another
 * user's is answered like a missing one) and SIGNED; the amount comes from PRICES.
 */
async function deduct(request, env) {
  const user = authenticatedUser(request, env);
  if (!user) return unauthenticated();
  const input = await request.json();
  const c = typeof input.out_contract_code === 'string' ? contracts.get(input.out_contract_code) : undefined;
  if (!c || c.user !== user.id) return json({ code: 'NOT_FOUND', message: 'no such contract of yours' }, 404);
  if (c.state !== 'SIGNED' || !c.contract_id) return json({ code: 'CONTRACT_NOT_SIGNED', message: `the contract is ${c.state}` }, 409);
  const price = Object.hasOwn(PRICES, input.item) ? PRICES[input.item] : null;
  if (!price) return json({ code: 'UNKNOWN_ITEM', message: `item must be one of ${Object.keys(PRICES).join(', ')}` }, 400);
  const body = {
    appid: env.WECHATPAY_APPID,
    out_trade_no: newTradeNo(),
    description: price.description,
    transaction_notify_url: env.NOTIFY_URL || new URL('/notify', request.url).href,
    contract_id: c.contract_id,
    amount: { total: price.total, currency: 'CNY' },
    // The user's HarmonyOS account, as the merchant's app reports it.
    harmony_account_id: input.harmony_account_id,
  };
  // Kept before the call (state SENDING): a lost answer leaves a charge to look up with the
  // order query. applyDeduction checks every rule of the body first (nothing is sent when
  // one breaks: a WechatPayError of kind "validation"), then signs, sends and verifies.
  charges.set(body.out_trade_no, { user: user.id, out_contract_code: input.out_contract_code, state: 'SENDING', total: price.total });
  try {
    const accepted = await getClient(env).applyDeduction(body);
    charges.get(body.out_trade_no).state = 'ACCEPT';
    return json({ ...accepted, state: 'ACCEPT' });
  } catch (e) {
    // A refusal (4xx) charged nothing; without an answer the charge stays SENDING.
    if (e instanceof WechatPayError && (e.kind === 'validation' || (e.kind === 'api' && e.status < 500))) charges.delete(body.out_trade_no);
    return callError(e);
  }
}

/**
 * The merchant's answer to a user's termination (ENTRUST.TERMINATE_INQUIRY): HTTP 200 with
 * {"code":"SUCCESS"} lets it go ahead; {"code":"FAIL","message"} refuses it (the message is
 * shown to the user), here while a charge of the contract is in flight. Decided once per
 * notification id.
 */
function inquiryReply(id, code) {
  if (!inquiryAnswers.has(id)) {
    const busy = [...charges.values()].some((d) => d.out_contract_code === code && (d.state === 'SENDING' || d.state === 'ACCEPT'));
    inquiryAnswers.set(id, JSON.stringify(busy
      ? { code: 'FAIL', message: '有扣款正在处理中，请稍后再解约 (a charge is in progress; try again later)' }
      : { code: 'SUCCESS', message: '成功' }));
  }
  return new Response(inquiryAnswers.get(id), { status: 200, headers: { 'content-type': 'application/json' } });
}

async function notify(request, env) {
  let reply;
  try {
    // The RAW body: the signature is over these exact bytes.
    const event = await getClient(env).parseNotification({ headers: request.headers, body: await request.arrayBuffer() });
    const r = event.resource;
    const first = !handled.has(event.id);
    handled.add(event.id);
    if (event.event_type === 'ENTRUST.TERMINATE_INQUIRY') return inquiryReply(event.id, r.out_contract_code);
    const charge = typeof r.out_trade_no === 'string' ? charges.get(r.out_trade_no) : undefined;
    if (first && event.event_type.startsWith('TRANSACTION.') && charge && (charge.state === 'SENDING' || charge.state === 'ACCEPT')) {
      Object.assign(charge, { state: r.trade_state, transaction_id: r.transaction_id, trade_state_desc: r.trade_state_desc });
    } else if (first && event.event_type.startsWith('ENTRUST.') && r.out_contract_code) {
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
    if (request.method === 'POST' && pathname === '/deductions') return deduct(request, env);
    if (request.method === 'POST' && pathname === '/notify') return notify(request, env);
    const m = /^\/(contracts|deductions)\/([A-Za-z0-9]+)$/.exec(pathname);
    if (request.method === 'GET' && m) {
      const user = authenticatedUser(request, env);
      if (!user) return unauthenticated();
      const c = (m[1] === 'contracts' ? contracts : charges).get(m[2]);
      // Another user's contract is answered like a missing one.
      return c && c.user === user.id ? json(c) : json({ code: 'NOT_FOUND' }, 404);
    }
    if (request.method === 'GET' && pathname === '/') {
      return new Response(`wechatpay-wasm worker (${navigator.userAgent}): POST /presign, POST /deductions, POST /notify\n`);
    }
    return json({ code: 'NOT_FOUND' }, 404);
  },
};
