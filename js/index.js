// The JS half of wechatpay-wasm: the error class users import and branch on, and the seed's
// chain-style calls on top of `client.request`. `__install` runs once, when the package entry
// has loaded the wasm.

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

const VERBS = ['get', 'post', 'put', 'patch', 'delete'];

// A camelCase segment (lowercase first, each capital followed by a lowercase letter or a
// digit) becomes kebab-case: preEntrustSign -> pre-entrust-sign, complaintsV2 ->
// complaints-v2. Any other segment is kept as written: a value such as 'WXdk2020', 'NOPE' or
// 'out_code', and '{plan_id}' / '$plan_id$', which request() fills from params.
const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+$/;
function segment(name) {
  return CAMEL.test(name) ? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : name;
}

function join(base, name) {
  const parts = String(name).split('/').filter(Boolean).map(segment);
  return [base, ...parts].filter(Boolean).join('/');
}

/**
 * A chain over `client`: property access appends a path segment; `.get/.post/...` (and the
 * `...Async` aliases) send. `chain(client, 'v3/papay')['sign/contracts'].preEntrustSign.post({ json })`.
 */
function chain(client, path) {
  const target = function wechatpayChain() {};
  return new Proxy(target, {
    get(_, prop) {
      if (typeof prop !== 'string') return undefined;
      if (prop === 'then') return undefined; // not a thenable
      if (prop === 'toString' || prop === 'toJSON') return () => `/${path}`;
      const verb = prop.endsWith('Async') ? prop.slice(0, -5) : prop;
      if (VERBS.includes(verb)) {
        return (options) => client.request(verb.toUpperCase(), `/${path}`, options);
      }
      return chain(client, join(path, prop));
    },
  });
}

// Own names of Client instances that are not path segments.
const RESERVED = new Set(['constructor', 'then', 'toJSON', 'inspect', 'asymmetricMatch', 'nodeType', '$$typeof']);

export function __install(glue) {
  glue.__setErrorClass(WechatPayError);
  const proto = glue.Client.prototype;
  if (Object.prototype.hasOwnProperty.call(proto, 'chain')) return; // installed already
  Object.defineProperty(proto, 'chain', {
    value(path) {
      if (typeof path !== 'string') {
        const got = path === null ? 'null' : Array.isArray(path) ? 'an array' : typeof path;
        throw new WechatPayError('config', 'BAD_ARGUMENT', `chain(path): path must be a string such as 'v3/papay/sign/contracts/pre-entrust-sign', not ${got}`);
      }
      return chain(this, join('', path));
    },
    writable: true,
    configurable: true,
  });
  // client.v3... and client['v3/...']: names the class does not have resolve through this
  // proxy at the end of the prototype chain, so every method of the class still wins.
  const fallback = new Proxy(Object.getPrototypeOf(proto), {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !RESERVED.has(prop) && !(prop in target)
          && (prop === 'v3' || prop.startsWith('v3/') || prop.startsWith('/v3/'))) {
        return chain(receiver, join('', prop));
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  Object.setPrototypeOf(proto, fallback);
}
