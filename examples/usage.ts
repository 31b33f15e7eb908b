// Exercises the package's public types under `tsc --noEmit --strict` (tests/runtimes/run.mjs,
// "types", checks it against the installed tarball, imported by name). It is compiled, not
// run. The `@ts-expect-error` lines must BE errors: if the types went loose (`any`), tsc
// would report those directives as unused and the check would fail. usage-wrong-field.ts
// holds the same kind of mistakes without the directives, and must fail to compile.
import {
  Client,
  WechatPayError,
  notificationReply,
  qrCodeSvg,
  terminateInquiryReply,
  validateApplyDeduction,
  validatePreEntrustSign,
  type ApplyDeductionRequest,
  type ApplyDeductionResponse,
  type Contract,
  type ContractState,
  type FlowEvent,
  type Order,
  type TradeState,
  type AuthorizationOptions,
  type ClientOptions,
  type EntrustEvent,
  type NotificationEvent,
  type NotificationReply,
  type PreEntrustSignRequest,
  type PreEntrustSignResponse,
  type ValidationIssue,
} from 'wechatpay-wasm';

declare const pem: string;
declare const incoming: Request;

const options: ClientOptions = {
  mchid: '1900000001',
  serial: 'F5765756002FDD77',
  privateKey: pem,
  certs: { PUB_KEY_ID_0114232134912410000000000000: pem },
  apiv3Key: '0123456789abcdef0123456789abcdef',
  baseURL: 'http://127.0.0.1:8080',
  timeout: 5000,
  now: () => Date.now(),
  crypto: 'auto',
};
const client = new Client(options);
const backend: string = client.cryptoBackend;

// @ts-expect-error: a misspelt option (the key is `privateKey`)
new Client({ ...options, privatekey: pem });
// @ts-expect-error: `certs` is required
new Client({ mchid: '1', serial: 'S', privateKey: pem });
// @ts-expect-error: not one of the crypto modes
new Client({ ...options, crypto: 'openssl' });

// Running it in production: a signer instead of the key, your own fetch, failover.
const { privateKey: _key, ...keyless } = options;
new Client({
  ...keyless,
  signer: async (message: Uint8Array): Promise<string> => String(message.length),
  fetch: (input: string, init: RequestInit) => fetch(input, init),
  failover: true,
  backupBaseURL: 'https://api2.mch.weixin.qq.com',
});
// @ts-expect-error: failover is a boolean
new Client({ ...options, failover: 'yes' });
// @ts-expect-error: the signer takes the message's bytes
new Client({ ...keyless, signer: async (message: string) => message });

const body: PreEntrustSignRequest = {
  sign_scene: 'SIGN_SCENE_QRCODE',
  appid: 'wxd678efh567hg6787',
  plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000',
  contract_display_account: '微信代扣用户A',
  contract_notify_url: 'https://yourapp.example/notify',
  out_user_code: '用户A',
  // openid and return_url are optional
  device_info: {
    device_type: 'DEVICE_TYPE_UNKNOW', // the vendor's spelling
    device_os: 'iOS 17',
    device_id: 'd1',
    device_running_as_root: false,
    device_ip: '203.0.113.7',
    weixin_installed: true,
    weixin_version: '8.0.47',
    days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS',
  },
};

// @ts-expect-error: the enum spelled right is not the vendor's spelling
const typo: PreEntrustSignRequest = { ...body, device_info: { ...body.device_info, device_type: 'DEVICE_TYPE_UNKNOWN' } };
// @ts-expect-error: an unknown field
const extra: PreEntrustSignRequest = { ...body, sign_scen: 'SIGN_SCENE_APP' };
// @ts-expect-error: plan_id is a number
const planAsText: PreEntrustSignRequest = { ...body, plan_id: '12535' };

async function flow(): Promise<void> {
  const res: PreEntrustSignResponse = await client.preEntrustSign(body);
  const id: string = res.pre_entrustweb_id;
  const qr: string | undefined = res.redirect_url;
  if (res.mini_program_username && res.mini_program_path) console.log(res.mini_program_username, res.mini_program_path);
  // @ts-expect-error: no such field in the answer
  console.log(res.redirectUrl);
  if (qr) console.log(await qrCodeSvg(qr, 240), id);

  // A string body is sent byte for byte.
  await client.preEntrustSign(JSON.stringify(body));
  // @ts-expect-error: a number is not a body
  await client.preEntrustSign(42);

  const issues: ValidationIssue[] = validatePreEntrustSign({ anything: 'goes in' });
  for (const i of issues) console.log(i.field, i.rule === 'enum', i.message);

  const authOpts: AuthorizationOptions = { timestamp: 1624523846, nonce: 'A1B2C3D4E5F6G7' };
  const header: string = await client.authorization('POST', '/v3/papay/sign/contracts/pre-entrust-sign', JSON.stringify(body), authOpts);
  await client.authorization('GET', '/v3/certificates');
  // @ts-expect-error: the option is `nonce`
  await client.authorization('GET', '/v3/certificates', '', { nonce_str: 'x' });
  console.log(header, backend);

  try {
    await client.preEntrustSign(body);
  } catch (e) {
    if (e instanceof WechatPayError) {
      switch (e.kind) {
        case 'validation':
          e.issues.forEach((i) => console.log(i.field));
          break;
        case 'api':
          console.log(e.status, e.code, e.detail?.field, e.requestId);
          break;
        case 'signature':
          console.log(e.code === 'UNKNOWN_SERIAL', e.code === 'CERT_EXPIRED', e.serial);
          break;
        case 'timeout':
          console.log(e.timeout);
          break;
        case 'config':
        case 'network':
          console.log(e.code, e.message);
          break;
      }
      // @ts-expect-error: `issues` exists on validation errors only
      console.log(e.issues);
    }
    if (WechatPayError.is(e) && e.kind === 'config' && e.code === 'BAD_PRIVATE_KEY') console.log('fix the key');
  }
}

// A notification handler (fetch-style: Workers, Deno, Bun, Node's Request).
async function handle(request: Request): Promise<Response> {
  let reply: NotificationReply;
  try {
    const event = await client.parseNotification<EntrustEvent>({ headers: request.headers, body: await request.arrayBuffer() });
    if (event.event_type === 'ENTRUST.SIGN') {
      const contractId: string = event.resource.contract_id;
      const planId: number = event.resource.plan_id;
      console.log(contractId, planId, event.resource.contract_state, event.resource.contract_signed_time);
    } else {
      console.log(event.resource.contract_terminate_info?.contract_termination_mode);
    }
    // @ts-expect-error: not a field of the resource
    console.log(event.resource.contractId);
    reply = notificationReply();
  } catch (e) {
    reply = notificationReply(e);
  }
  return new Response(reply.body || null, { status: reply.status, headers: reply.headers });
}

// Any other event type, typed as such.
async function other(raw: string, headers: Record<string, string>): Promise<void> {
  const event = await client.parseNotification<NotificationEvent>({ headers, body: raw });
  const type: string = event.event_type;
  console.log(type, event.resource);
}

void flow;
void handle(incoming);
void other;
void typo;
void extra;
void planAsText;

// The seed's three call styles, typed: each resolves with a verified standard Response.
async function chainStyles(client: Client, body: PreEntrustSignRequest): Promise<void> {
  const r1: Response = await client.v3.papay.sign.contracts.preEntrustSign.post({ json: body });
  const r2: Response = await client.chain('v3/papay/sign/contracts/pre-entrust-sign').post({ json: body });
  const r3: Response = await client['v3/papay/sign/contracts/pre-entrust-sign'].postAsync({ json: body });
  const q: Response = await client.v3.papay.sign.contracts.planId['{plan_id}'].outContractCode['{out_contract_code}']
    .get({ params: { plan_id: 12535, out_contract_code: 'wxwtdk20200910100000' }, query: { x: 1 } });
  const r4: Response = await client.request('GET', '/v3/papay/sign/contracts/plan-id/1/out-contract-code/A');
  // @ts-expect-error: `jsonn` is not an option
  await client.chain('v3/x').post({ jsonn: body });
  void [r1, r2, r3, q, r4];
}
void chainStyles;

// The flow after signing (issue 16): typed calls, vendor enums as literal unions, and the
// events discriminated by event_type.
async function afterSigning(client: Client, harmonyAccountId: string, raw: ArrayBuffer, headers: Headers): Promise<NotificationReply> {
  const contract: Contract = await client.queryContract({ plan_id: 12535, out_contract_code: 'wxwtdk20200910100000' });
  const state: ContractState = contract.contract_state;
  // @ts-expect-error: not a contract state
  const wrong: ContractState = 'ACTIVE';
  // @ts-expect-error: plan_id is a number
  await client.queryContract({ plan_id: '12535', out_contract_code: 'c' });
  const body: ApplyDeductionRequest = {
    appid: 'wxd678efh567hg6787', out_trade_no: 'T1', description: 'd', transaction_notify_url: 'https://a.example/n',
    contract_id: contract.contract_id, amount: { total: 990, currency: 'CNY' }, harmony_account_id: harmonyAccountId,
  };
  // @ts-expect-error: CNY is the only currency
  const usd: ApplyDeductionRequest = { ...body, amount: { total: 1, currency: 'USD' } };
  const issues: ValidationIssue[] = validateApplyDeduction(body);
  const accepted: ApplyDeductionResponse = await client.applyDeduction(body);
  const order: Order = await client.queryOrder({ out_trade_no: accepted.out_trade_no });
  const trade: TradeState = order.trade_state;
  // @ts-expect-error: queryOrder takes out_trade_no, the client adds mchid
  await client.queryOrder({ out_trade_no: 'T1', mchid: '1' });
  const event: FlowEvent = await client.parseNotification({ headers, body: raw });
  switch (event.event_type) {
    case 'TRANSACTION.SUCCESS': {
      const paidAt: string = event.resource.success_time;
      const total: number = event.resource.amount.total;
      console.log(paidAt, total, event.resource.transaction_id);
      break;
    }
    case 'TRANSACTION.FAIL':
      console.log(event.resource.trade_state, event.resource.trade_state_desc);
      break;
    case 'ENTRUST.TERMINATE_INQUIRY': {
      const code: string = event.resource.out_contract_code;
      return code ? terminateInquiryReply(false, 'a charge is in progress') : terminateInquiryReply(true);
    }
    case 'ENTRUST.SIGN':
    case 'ENTRUST.TERMINATE':
      console.log(event.resource.contract_id);
      break;
  }
  void [state, wrong, usd, issues, trade];
  return notificationReply();
}
void afterSigning;
