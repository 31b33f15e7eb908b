//! TypeScript declarations of the values that cross the JS boundary, written once here and
//! emitted verbatim into the package's `.d.ts` (ESM and CommonJS). The exported functions of
//! `mod.rs` refer to them with `unchecked_param_type` / `unchecked_return_type`.
//!
//! Keep in step with: `crate::model` (request/response, the vendor's enum spellings),
//! `crate::notify` (`EntrustResource`, `ContractTerminateInfo`), `options.rs` (the `Client`
//! options), `crate::Issue` and `validate::rule` (validation issues), `notificationReply`.
//! `WechatPayError` is declared in `js/index.d.ts` (the class lives in the JS layer).
//! `examples/usage.ts` exercises these types under `tsc --strict` (tests/runtimes/run.mjs).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of `new Client(...)`. Unknown fields are ignored (the emulator's credentials file
 * can be passed as is), except near-misses of these names such as `privatekey`, which throw. */
export interface ClientOptions {
  /** Merchant id (商户号), digits. */
  mchid: string;
  /** Merchant API certificate serial (`serial_no`). */
  serial: string;
  /** Merchant private key (`apiclient_key.pem`), PKCS#8 or PKCS#1 PEM. Exactly one of
   * `privateKey` and `signer`. */
  privateKey?: string;
  /** Instead of `privateKey`, for a key kept in a KMS or HSM: signs the message (its UTF-8
   * bytes) with SHA256withRSA (PKCS#1 v1.5) and resolves with the base64 signature (256
   * bytes). A throw, a rejection or anything else is a `SIGNER_FAILED` error, nothing sent. */
  signer?: (message: Uint8Array) => Promise<string> | string;
  /** Verification keys by id: WeChat Pay public keys (`PUB_KEY_ID_...` -> SPKI PEM) and/or
   * platform certificates (serial -> X.509 PEM). With `apiv3Key`, may be empty or partial:
   * platform certificates are then downloaded when needed. */
  certs: Record<string, string>;
  /** APIv3 key, exactly 32 bytes; needed for `parseNotification` and certificate downloads. */
  apiv3Key?: string;
  /** Shares downloaded platform certificates between isolates or processes. The value
   * stored is the encrypted list as downloaded (never the APIv3 key); what `get` returns is
   * checked (decrypted with the APIv3 key) before use. Errors of either method are ignored. */
  certificateCache?: CertificateCache;
  /** Default `https://api.mch.weixin.qq.com`. */
  baseURL?: string;
  /** Milliseconds, default 10000. */
  timeout?: number;
  /** Default names the package, its version and the runtime. */
  userAgent?: string;
  /** Clock, milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** Which RSA implementation signs and verifies (default `"auto"`: WebCrypto when present). */
  crypto?: "auto" | "webcrypto" | "rust";
  /** The transport for every request (default the global `fetch`): an undici Agent with
   * keep-alive, a service binding, a test double. A rejection with a `TypeError` means
   * "the host was not reached" (what `fetch` does), for `failover`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Default false. A request that could not reach `baseURL` (refused, reset, DNS, TLS) is
   * sent once more, signed afresh, to `backupBaseURL`; a timeout only for a GET or an
   * operation WeChat Pay deduplicates; an answer (any status) never. */
  failover?: boolean;
  /** Default `https://api2.mch.weixin.qq.com`; used with `failover: true`. */
  backupBaseURL?: string;
}

/** Where `certificateCache` keeps what was downloaded. */
export interface CertificateCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/** A platform certificate the client holds (`refreshCertificates()`); times in RFC 3339, UTC. */
export interface HeldCertificate {
  serial_no: string;
  effective_time: string;
  expire_time: string;
}

/** `sign_scene`: the app opens the signing mini-program, or the user scans a QR code. */
export type SignScene = "SIGN_SCENE_APP" | "SIGN_SCENE_QRCODE";

/** `device_info.device_type` (`UNKNOW` is the vendor's spelling). */
export type DeviceType =
  | "DEVICE_TYPE_UNKNOW"
  | "DEVICE_TYPE_PHONE"
  | "DEVICE_TYPE_PAD"
  | "DEVICE_TYPE_TV"
  | "DEVICE_TYPE_WATCH";

/** `device_info.days_since_first_login` (`UNKNOW`, `MORE_THEN` are the vendor's spellings). */
export type DaysSinceFirstLogin =
  | "DAYS_SINCE_FIRST_LOGIN_UNKNOW"
  | "DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY"
  | "DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS"
  | "DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS"
  | "DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS"
  | "DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS"
  | "DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS";

/** The user's device (every field required; the strings may be empty). */
export interface DeviceInfo {
  device_type: DeviceType;
  device_os: string;
  device_id: string;
  device_running_as_root: boolean;
  device_ip: string;
  weixin_installed: boolean;
  weixin_version: string;
  days_since_first_login: DaysSinceFirstLogin;
}

/** Body of `POST /v3/papay/sign/contracts/pre-entrust-sign`. */
export interface PreEntrustSignRequest {
  sign_scene: SignScene;
  /** Merchant app id, 1..32 chars. */
  appid: string;
  /** The user's openid under `appid`, 1..128 chars. */
  openid?: string;
  /** Deduction plan (template) id, a positive integer. */
  plan_id: number;
  /** Merchant contract number, 1..32 ASCII letters/digits, never reused. */
  out_contract_code: string;
  /** Account name shown to the user, 1..32 chars. */
  contract_display_account: string;
  /** `https://` URL without query string, <= 256 chars (`http://` to loopback is accepted). */
  contract_notify_url: string;
  /** Merchant-side user id, 1..64 chars. */
  out_user_code: string;
  /** Where the user lands after a QR signing, <= 256 chars. */
  return_url?: string;
  device_info: DeviceInfo;
}

/** Answer of pre-entrust-sign: `redirect_url` in the QR scene, the mini-program fields in
 * the app scene. */
export interface PreEntrustSignResponse {
  pre_entrustweb_id: string;
  /** QR scene: the URL to show as a QR code. */
  redirect_url?: string;
  /** App scene: the signing mini-program's original id (`gh_...`). */
  mini_program_username?: string;
  /** App scene: the page path inside that mini-program. */
  mini_program_path?: string;
}

/** The rule a validation issue broke. */
export type ValidationRule =
  | "required"
  | "type"
  | "enum"
  | "length"
  | "charset"
  | "url"
  | "null"
  | "utf8mb4"
  | "utf8"
  | "unknown"
  | "range"
  | "json";

/** One broken rule of a request body. */
export interface ValidationIssue {
  /** JSON pointer of the field (`""` for the body itself), e.g. `/device_info/device_type`. */
  field: string;
  rule: ValidationRule;
  message: string;
}

/** Fourth argument of `client.authorization(...)`; both generated when omitted. */
export interface AuthorizationOptions {
  /** Unix seconds (a whole number, or its decimal string). */
  timestamp?: number | string;
  /** The nonce, `[0-9A-Za-z]`. */
  nonce?: string;
}

/** Headers as received: a `Headers` object, or a plain object in any letter case (Node's
 * `req.headers`, whose values may be arrays). */
export type NotificationHeaders =
  | Headers
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** Argument of `client.parseNotification`: the headers and the RAW body received (never
 * re-serialised JSON). */
export interface NotificationInput {
  headers: NotificationHeaders;
  body: string | Uint8Array | ArrayBuffer | ArrayBufferView;
}

/** `contract_terminate_info` of an entrust event. */
export interface ContractTerminateInfo {
  contract_termination_mode?: string;
  contract_terminated_time?: string;
  contract_termination_remark?: string;
}

/** The decrypted resource of `ENTRUST.SIGN` / `ENTRUST.TERMINATE`: identifying fields are
 * always there (checked), the rest may be. Fields WeChat Pay adds are kept at run time
 * (undeclared here: read them with a cast). */
export interface EntrustResource {
  mchid: string;
  contract_id: string;
  plan_id: number;
  out_contract_code: string;
  /** e.g. `SIGNED`, `TERMINATED`. */
  contract_state: string;
  appid?: string;
  contract_display_account?: string;
  contract_signed_time?: string;
  contract_expired_time?: string;
  openid?: string;
  out_user_code?: string;
  contract_terminate_info?: ContractTerminateInfo;
  deduct_schedule?: unknown;
}

/** A verified and decrypted notification: the envelope with `resource` replaced by the
 * decrypted JSON. */
export interface NotificationEvent<T extends string = string, R = Record<string, unknown>> {
  id: string;
  create_time?: string;
  event_type: T;
  resource_type?: string;
  summary?: string;
  resource: R;
}

/** The events of this flow, sent to `contract_notify_url`. */
export type EntrustEvent = NotificationEvent<"ENTRUST.SIGN" | "ENTRUST.TERMINATE", EntrustResource>;

/** What a notification handler answers (`notificationReply(error?)`): 204 without a body on
 * success; 401 (bad signature) or 500 with `{"code":"FAIL","message":...}` otherwise, so
 * that WeChat Pay retries. The message is fixed by status: the error's own message (which
 * may quote what the sender sent) is not sent back. */
export interface NotificationReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Success (no argument): `{ status: 204 }`; an error (what `parseNotification` threw):
 * the FAIL reply. */
export function notificationReply(): NotificationReply;

export interface Client {
  /** `parseNotification(input)` is typed `Promise<FlowEvent>`, a union discriminated by
   * `event_type` (`ENTRUST.SIGN`, `ENTRUST.TERMINATE`, `ENTRUST.TERMINATE_INQUIRY`,
   * `TRANSACTION.SUCCESS`, `TRANSACTION.FAIL`), each resource checked for its required
   * fields and kept with unknown ones. Any other event type passes through with its
   * resource as decrypted; `parseNotification<NotificationEvent>(input)` types the result so. A body over 65536 bytes (64 KiB; WeChat Pay's are about 1 KB) is
   * refused with `BAD_NOTIFICATION` before it is read; the signature over the raw body is
   * checked before anything of it is parsed, decoded or decrypted. */
  parseNotification<E extends NotificationEvent<string, unknown>>(input: NotificationInput): Promise<E>;
  /** The seed's declarative style: `client.chain('v3/papay/sign/contracts/pre-entrust-sign').post({ json })`. */
  chain(path: string): ApiChain;
  /** The seed's chain style: `client.v3.papay.sign.contracts.preEntrustSign.post({ json })`. */
  readonly v3: ApiChain;
  /** The seed's property style: `client['v3/papay/sign/contracts/pre-entrust-sign'].post({ json })`. */
  readonly [path: `v3/${string}`]: ApiChain;
}

/** Options of a chain-style call (and of `client.request`). */
export interface RequestOptions {
  /** The JSON body: an object (sent as `JSON.stringify` gives it) or the exact text. */
  json?: unknown;
  /** Query parameters, percent-encoded and signed as sent. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Extra request headers (not Authorization, Wechatpay-Serial, Content-Type, Accept). */
  headers?: Record<string, string>;
  /** Values of `{name}` / `$name$` path segments. */
  params?: Record<string, string | number>;
}

/** A standard `Response` whose signature was verified (2xx); non-2xx rejects with `api`. */
export type ApiCall = (options?: RequestOptions) => Promise<Response>;

/** The verbs of a chain (and their `...Async` aliases). */
export interface ApiVerbs {
  get: ApiCall; post: ApiCall; put: ApiCall; patch: ApiCall; delete: ApiCall;
  getAsync: ApiCall; postAsync: ApiCall; putAsync: ApiCall; patchAsync: ApiCall; deleteAsync: ApiCall;
}

/** A path under construction: property access appends a segment (camelCase becomes
 * kebab-case; `{name}` / `$name$` are filled from `params`), the verbs send. */
export type ApiChain = ApiVerbs & { readonly [segment: string]: ApiChain };
"#;
