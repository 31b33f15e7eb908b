// The JS half of wechatpay-wasm's errors: the class users import and branch on. The wasm
// builds its errors with it (registered by __install when the package entry loads the wasm).

/** Every failure of wechatpay-wasm: `kind`, `code`, `message`, plus fields by kind. */
export class WechatPayError extends Error {
  constructor(kind, code, message, extra) {
    super(message);
    this.name = 'WechatPayError';
    this.kind = kind;
    this.code = code;
    if (extra) Object.assign(this, extra);
  }

  /** Type guard. */
  static is(e) {
    return e instanceof WechatPayError;
  }
}

export function __install(glue) {
  glue.__setErrorClass(WechatPayError);
}
