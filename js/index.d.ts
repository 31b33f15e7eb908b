/** Every failure of wechatpay-wasm. Branch on `kind`, then on `code`. */
export declare class WechatPayError extends Error {
  readonly name: 'WechatPayError';
  /** What went wrong, broadly. */
  kind: 'validation' | 'config' | 'api' | 'signature' | 'timeout' | 'network';
  /** For `api`: WeChat Pay's own code (`PARAM_ERROR`, `SIGN_ERROR`...); otherwise ours (`INVALID_FIELD`, `BAD_PRIVATE_KEY`...). */
  code: string;
  /** validation: every broken rule. */
  issues?: { field: string; rule: string; message: string }[];
  /** api: HTTP status. */
  status?: number;
  /** api: WeChat Pay's `detail`, whole (with `sign_information` for SIGN_ERROR). */
  detail?: Record<string, unknown>;
  /** api and signature: the `Request-ID` header, for support tickets. */
  requestId?: string;
  /** signature: the key id involved. */
  serial?: string;
  /** timeout: the timeout in ms. */
  timeout?: number;
  /** Type guard. */
  static is(e: unknown): e is WechatPayError;
}
