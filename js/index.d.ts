import type { ValidationIssue } from '../wechatpay_wasm.js';

/** What went wrong, broadly. */
export type WechatPayErrorKind = 'validation' | 'config' | 'api' | 'signature' | 'timeout' | 'network';

/** Codes of `config` errors: a bad option or argument. */
export type ConfigErrorCode =
  | 'BAD_PRIVATE_KEY'
  | 'BAD_MCHID'
  | 'BAD_SERIAL'
  | 'BAD_BASE_URL'
  | 'BAD_TIMEOUT'
  | 'BAD_CERT'
  | 'CERT_EXPIRED'
  | 'CERT_SERIAL_MISMATCH'
  | 'BAD_APIV3_KEY'
  | 'BAD_OPTION'
  | 'BAD_ARGUMENT'
  /** The `signer` option threw, rejected, or resolved with no base64 RSA-2048 signature: nothing was sent. */
  | 'SIGNER_FAILED'
  /** The merchant has only a WeChat Pay public key: pass it in `certs` under its `PUB_KEY_ID_...`. */
  | 'PUBLIC_KEY_MERCHANT'
  /** The extra module (rsa/aes-gcm fallback, QR codes) could not be loaded in this runtime. */
  | 'EXTRA_UNAVAILABLE';

/** Codes of `signature` errors: an answer or notification failed verification. */
export type SignatureErrorCode =
  | 'MISSING_HEADER'
  | 'TIMESTAMP_SKEW'
  | 'UNKNOWN_SERIAL'
  /** An answer signed with a platform certificate outside its validity at that moment. */
  | 'CERT_EXPIRED'
  | 'BAD_SIGNATURE'
  | 'DECRYPT_FAILED'
  | 'BAD_NOTIFICATION'
  /** A downloaded or cached platform certificate list is refused. */
  | 'BAD_CERT_LIST';

/** The code of `validation` errors. */
export type ValidationErrorCode = 'INVALID_FIELD';

/** Our code of `api` errors (the others are WeChat Pay's own, or `HTTP_<status>`). */
export type ApiErrorCode = 'BAD_RESPONSE';

/** The code of `timeout` errors. */
export type TimeoutErrorCode = 'TIMEOUT';

/** The code of `network` errors. */
export type NetworkErrorCode = 'NETWORK_ERROR';

/* These unions follow `error::CODES` in src/error.rs; tests/error_codes.rs fails on drift. */

interface WechatPayErrorBase extends Error {
  readonly name: 'WechatPayError';
  kind: WechatPayErrorKind;
  code: string;
  message: string;
}

/** The body broke a rule; nothing was sent. */
export interface WechatPayValidationError extends WechatPayErrorBase {
  kind: 'validation';
  code: ValidationErrorCode;
  /** Every broken rule. */
  issues: ValidationIssue[];
}

/** A bad option or argument. */
export interface WechatPayConfigError extends WechatPayErrorBase {
  kind: 'config';
  code: ConfigErrorCode;
}

/** WeChat Pay answered non-2xx (`status`), or a verified 2xx that is not the promised JSON
 * (`BAD_RESPONSE`, no `status`). */
export interface WechatPayApiError extends WechatPayErrorBase {
  kind: 'api';
  /** WeChat Pay's own code (`PARAM_ERROR`, `SIGN_ERROR`...), `HTTP_<status>`, or `BAD_RESPONSE`. */
  code: ApiErrorCode | (string & {});
  /** HTTP status. */
  status?: number;
  /** WeChat Pay's `detail`, whole (with `sign_information` for SIGN_ERROR). */
  detail?: Record<string, unknown>;
  /** The `Request-ID` header, for support tickets. */
  requestId?: string;
}

/** An answer or notification failed verification. */
export interface WechatPaySignatureError extends WechatPayErrorBase {
  kind: 'signature';
  code: SignatureErrorCode;
  /** The key id involved. */
  serial?: string;
  requestId?: string;
}

/** No complete answer within `timeout`. */
export interface WechatPayTimeoutError extends WechatPayErrorBase {
  kind: 'timeout';
  code: TimeoutErrorCode;
  /** The timeout, ms. */
  timeout: number;
}

/** fetch failed (refused, reset, DNS). */
export interface WechatPayNetworkError extends WechatPayErrorBase {
  kind: 'network';
  code: NetworkErrorCode;
  /**
   * The HTTP status of an answer that was a redirect (3xx, or 0 for an opaque redirect):
   * redirects are not followed (WeChat Pay's signature does not cover the new path), the
   * call fails with `NETWORK_ERROR` and this says what came back. Absent when no answer
   * arrived (connection refused, DNS, TLS).
   */
  status?: number;
}

/**
 * Every failure of wechatpay-wasm: a union discriminated by `kind`, so that after
 * `e instanceof WechatPayError && e.kind === 'validation'` TypeScript knows `e.issues`.
 */
export type WechatPayError =
  | WechatPayValidationError
  | WechatPayConfigError
  | WechatPayApiError
  | WechatPaySignatureError
  | WechatPayTimeoutError
  | WechatPayNetworkError;

/** The class (`instanceof` narrows to the union above). */
export declare const WechatPayError: {
  new (kind: WechatPayErrorKind, code: string, message: string, extra?: Record<string, unknown>): WechatPayError;
  readonly prototype: WechatPayError;
  /** Type guard. */
  is(e: unknown): e is WechatPayError;
};
