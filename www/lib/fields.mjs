// The pre-sign request's fields: what the form shows, its defaults, and the form <-> body
// conversions. validatePreEntrustSign (the package) decides what is valid, not this file.
import { randomBytes } from 'node:crypto';

const DEVICE_TYPES = ['DEVICE_TYPE_UNKNOW', 'DEVICE_TYPE_PHONE', 'DEVICE_TYPE_PAD', 'DEVICE_TYPE_TV', 'DEVICE_TYPE_WATCH'];
const DAYS_SINCE = [
  'DAYS_SINCE_FIRST_LOGIN_UNKNOW', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS', 'DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS',
];
export const SCENES = [
  ['SIGN_SCENE_QRCODE', '扫码签约', 'QR code (a phone scans it)'],
  ['SIGN_SCENE_APP', 'App 拉起小程序签约', 'App (opens the signing mini-program)'],
];

/**
 * Every field of the request body, in the spec's order. `key` is the form field name (and,
 * with dots as slashes, the JSON pointer validatePreEntrustSign reports).
 */
export const FIELDS = [
  { key: 'sign_scene', type: 'scene', zh: '签约场景', en: 'Signing scene', required: true },
  { key: 'appid', type: 'text', zh: '应用ID', en: 'App ID', required: true },
  { key: 'openid', type: 'text', zh: '用户标识', en: 'User openid under the appid', required: false },
  { key: 'plan_id', type: 'number', zh: '委托代扣模板ID', en: 'Auto-debit plan ID', required: true },
  { key: 'out_contract_code', type: 'text', zh: '商户签约协议号', en: 'Merchant contract code (letters and digits)', required: true },
  { key: 'contract_display_account', type: 'text', zh: '用户账户展示名称', en: 'Account name shown to the user', required: true },
  { key: 'contract_notify_url', type: 'url', zh: '签约结果通知地址', en: 'Notify URL (this demo)', required: true },
  { key: 'out_user_code', type: 'text', zh: '商户侧用户标识', en: 'Merchant user code', required: true },
  { key: 'return_url', type: 'url', zh: '回跳地址', en: 'Return URL after signing', required: false },
  { key: 'device_info.device_type', type: 'select', options: DEVICE_TYPES, zh: '设备类型', en: 'Device type', required: true },
  { key: 'device_info.device_os', type: 'text', zh: '设备OS版本', en: 'Device OS version', required: true },
  { key: 'device_info.device_id', type: 'text', zh: '设备ID', en: 'Device ID', required: true },
  { key: 'device_info.device_running_as_root', type: 'bool', zh: '设备以root身份运行', en: 'Device runs as root', required: true },
  { key: 'device_info.device_ip', type: 'text', zh: '设备IP', en: 'Device IP', required: true },
  { key: 'device_info.weixin_installed', type: 'bool', zh: '设备上已安装微信', en: 'WeChat installed', required: true },
  { key: 'device_info.weixin_version', type: 'text', zh: '微信版本', en: 'WeChat version', required: true },
  { key: 'device_info.days_since_first_login', type: 'select', options: DAYS_SINCE, zh: '首次登录该设备的时间', en: 'First login on this device', required: true },
];
export const FIELD_KEYS = new Set(FIELDS.map((f) => f.key));
export const pointerToKey = (p) => String(p ?? '').replace(/^\//, '').replaceAll('/', '.');

/** A fresh merchant contract code shaped like the seed's `wxwtdk20200910100000`. */
export function newContractCode(now = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const rand = randomBytes(6).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 6).padEnd(6, '0');
  return `wxwtdk${stamp}${rand}`;
}

/** The form's values (strings / booleans keyed like FIELDS) prefilled from the seed's example. */
export function defaultValues(ctx) {
  const code = newContractCode();
  return {
    sign_scene: 'SIGN_SCENE_QRCODE',
    appid: ctx.appid,
    openid: ctx.mode === 'emulator' ? 'oYobu0MVnQfWpSMOYJz2AHPG_gQw' : '',
    plan_id: String(ctx.planId),
    out_contract_code: code,
    contract_display_account: '微信代扣用户A',
    contract_notify_url: `${ctx.publicUrl}/notify`,
    out_user_code: '用户A',
    return_url: `${ctx.publicUrl}/contracts/${code}`,
    'device_info.device_type': 'DEVICE_TYPE_UNKNOW',
    'device_info.device_os': 'example_device_os',
    'device_info.device_id': 'example_device_id',
    'device_info.device_running_as_root': true,
    'device_info.device_ip': 'example_device_ip',
    'device_info.weixin_installed': true,
    'device_info.weixin_version': 'example_weixin_version',
    'device_info.days_since_first_login': 'DAYS_SINCE_FIRST_LOGIN_UNKNOW',
  };
}

/** Form post -> values (as typed, for re-rendering). */
export function valuesFromForm(params) {
  const v = {};
  for (const f of FIELDS) {
    if (f.type === 'bool') v[f.key] = params.get(f.key) === 'true';
    else v[f.key] = params.get(f.key) ?? '';
  }
  return v;
}

/** Values -> the request body. Empty optional fields are left out; plan_id is a number when it is one. */
export function bodyFromValues(v) {
  const body = {};
  for (const f of FIELDS) {
    let val = v[f.key];
    if (f.type === 'number') val = /^\s*\d+\s*$/.test(val) ? Number(val) : val;
    if (!f.required && val === '') continue;
    const [a, b] = f.key.split('.');
    if (b) (body[a] ??= {})[b] = val;
    else body[a] = val;
  }
  return body;
}
