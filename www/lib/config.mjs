// Configuration: the session lifetime, the database file and real mode's WECHATPAY_* variables.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The pre-sign session lifetime (WeChat Pay: 10 minutes; the emulator's default). */
export const SESSION_TTL_MS = 600_000;

/** The demo's SQLite database (www/data/ is gitignored); DEMO_DATABASE overrides it. */
export const DATABASE_FILE = process.env.DEMO_DATABASE || fileURLToPath(new URL('../data/demo.sqlite', import.meta.url));

export const REAL_ENV = [
  'WECHATPAY_MCHID', 'WECHATPAY_SERIAL', 'WECHATPAY_PRIVATE_KEY_FILE', 'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_PUBLIC_KEY_FILE', 'WECHATPAY_APIV3_KEY', 'WECHATPAY_APPID', 'WECHATPAY_PLAN_ID',
  'DEMO_PUBLIC_URL',
];

/** Options for `new Client()` and the body's appid / plan_id, from the WECHATPAY_* variables. */
export function realModeConfig(env = process.env) {
  const missing = REAL_ENV.filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(`real mode needs ${REAL_ENV.join(', ')}; missing: ${missing.join(', ')} (unset them all to use the emulator)`);
  }
  return {
    client: {
      mchid: env.WECHATPAY_MCHID,
      serial: env.WECHATPAY_SERIAL,
      privateKey: readFileSync(env.WECHATPAY_PRIVATE_KEY_FILE, 'utf8'),
      certs: { [env.WECHATPAY_PUBLIC_KEY_ID]: readFileSync(env.WECHATPAY_PUBLIC_KEY_FILE, 'utf8') },
      apiv3Key: env.WECHATPAY_APIV3_KEY,
      ...(env.WECHATPAY_BASE_URL ? { baseURL: env.WECHATPAY_BASE_URL } : {}),
    },
    appid: env.WECHATPAY_APPID,
    planId: Number(env.WECHATPAY_PLAN_ID),
    publicUrl: env.DEMO_PUBLIC_URL.replace(/\/+$/, ''),
  };
}
