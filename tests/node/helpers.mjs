// Shared set-up of the Node tests: the emulator on 127.0.0.1 and a client built from its
// credentials, imported by package name exactly as a user imports it.
import { startEmulator } from '../../emulator/server.mjs';

export const pkg = await import('wechatpay-wasm');

let counter = 0;
export function contractCode() {
  counter += 1;
  return `T${Date.now().toString(36)}${process.pid}${counter}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 32);
}

export async function emulator(options = {}) {
  return startEmulator({ log: false, notifyRetry: { max: 3, baseMs: 20 }, ...options });
}

export function client(emu, extra = {}) {
  return new pkg.Client({ ...emu.credentials, baseURL: emu.url, ...extra });
}

export function body(emu, overrides = {}) {
  return {
    sign_scene: 'SIGN_SCENE_QRCODE',
    appid: emu.credentials.appid,
    openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw',
    plan_id: emu.credentials.plan_id,
    out_contract_code: contractCode(),
    contract_display_account: '微信代扣用户A',
    contract_notify_url: 'https://yourapp.example/notify',
    out_user_code: '用户A',
    return_url: 'https://yourapp.example/return',
    device_info: {
      device_type: 'DEVICE_TYPE_PHONE',
      device_os: 'iOS 17.4',
      device_id: 'example_device_id',
      device_running_as_root: false,
      device_ip: '203.0.113.7',
      weixin_installed: true,
      weixin_version: '8.0.47',
      days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
    },
    ...overrides,
  };
}

/** Resolves with the error a promise rejects with (fails if it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A seeded random generator (mulberry32: small, good enough to pick test cases) with its
 * helpers: `rand()` in [0, 1), `int(n)` in 0..n-1, `pick(array)`. */
export function seeded(seed) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(rand() * n);
  return { rand, int, pick: (xs) => xs[int(xs.length)] };
}
