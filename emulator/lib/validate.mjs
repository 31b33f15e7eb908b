// The body rules of POST /v3/papay/sign/contracts/pre-entrust-sign and of the HarmonyOS
// deduction (POST /v3/papay/pay/harmony/transactions/apply), written from the project's
// spec (pre-entrust-sign.md; harmony-deduction.md, excerpts in ../SPEC-EXCERPTS.md)
// independently of src/. A broken rule is { field (JSON pointer), value?, issue, rule }.
// validatePreEntrustSign(body) returns null or the FIRST broken rule;
// validateApplyDeduction(body) returns all of them.

const DEVICE_TYPES = ['DEVICE_TYPE_UNKNOW', 'DEVICE_TYPE_PHONE', 'DEVICE_TYPE_PAD', 'DEVICE_TYPE_TV', 'DEVICE_TYPE_WATCH'];
const DAYS = [
  'DAYS_SINCE_FIRST_LOGIN_UNKNOW',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS',
];

export const SIGN_SCENES = ['SIGN_SCENE_APP', 'SIGN_SCENE_QRCODE'];

export function isLoopbackHost(hostname) {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function notifyUrlIssue(v) {
  // URL parsers drop leading and trailing spaces; the URL sent would still carry them.
  if (/[\p{White_Space}\p{Cc}]/u.test(v)) return 'must not contain spaces or control characters';
  if (v.includes('?')) return 'must not contain a query string';
  // A fragment never reaches the server: WeChat Pay would post to the URL without it.
  if (v.includes('#')) return 'must not have a fragment';
  let u;
  try { u = new URL(v); } catch { return 'is not a valid URL'; }
  // The host as written, not as URL parsing normalises it: "https:///x" has no host there
  // ("x" is the path), and "127.1" or "2130706433" read as 127.0.0.1 in a parser, while
  // WeChat Pay gets the string.
  // The authority ends at "/" or "\" (the URL standard reads "\" as "/" in http(s) URLs:
  // the host of "http://evil.example\@127.0.0.1/" is evil.example).
  const written = v.slice(v.indexOf('//') + 2).split(/[/\\]/)[0].replace(/^.*@/, '').replace(/:\d*$/, '').toLowerCase();
  if (!u.hostname || !written) return 'is not a valid URL (no host)';
  if (/^https:\/\//i.test(v) && u.protocol === 'https:') return null;
  if (/^http:\/\//i.test(v) && u.protocol === 'http:' && written === u.hostname && isLoopbackHost(u.hostname)) return null; // emulator extension
  return 'must start with https:// (the emulator also accepts http:// to localhost/127.x.x.x/[::1])';
}

// Field table, in the spec's order. kind: 'string' | 'integer' | 'boolean' | 'object'.
const DEVICE_FIELDS = [
  { name: 'device_type', kind: 'string', required: true, enum: DEVICE_TYPES },
  { name: 'device_os', kind: 'string', required: true },
  { name: 'device_id', kind: 'string', required: true },
  { name: 'device_running_as_root', kind: 'boolean', required: true },
  { name: 'device_ip', kind: 'string', required: true },
  { name: 'weixin_installed', kind: 'boolean', required: true },
  { name: 'weixin_version', kind: 'string', required: true },
  { name: 'days_since_first_login', kind: 'string', required: true, enum: DAYS },
];

export const FIELDS = [
  { name: 'sign_scene', kind: 'string', required: true, enum: SIGN_SCENES },
  { name: 'appid', kind: 'string', required: true, min: 1, max: 32 },
  { name: 'openid', kind: 'string', required: false, min: 1, max: 128 },
  { name: 'plan_id', kind: 'integer', required: true, positive: true },
  { name: 'out_contract_code', kind: 'string', required: true, min: 1, max: 32, pattern: /^[A-Za-z0-9]+$/, patternIssue: 'must contain only ASCII letters and digits' },
  { name: 'contract_display_account', kind: 'string', required: true, min: 1, max: 32 },
  { name: 'contract_notify_url', kind: 'string', required: true, min: 1, max: 256, check: notifyUrlIssue },
  { name: 'out_user_code', kind: 'string', required: true, min: 1, max: 64 },
  { name: 'return_url', kind: 'string', required: false, min: 0, max: 256 },
  { name: 'device_info', kind: 'object', required: true, fields: DEVICE_FIELDS },
];

const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
// a 4-byte UTF-8 character is a supplementary-plane code point; lone surrogates are not UTF-8 at all
const FOUR_BYTE = /[\u{10000}-\u{10FFFF}]/u;
const LONE_SURROGATE = /\p{Surrogate}/u;

function checkValue(f, v, ptr) {
  const bad = (rule, issue) => ({ field: ptr, value: v, rule, issue });
  if (v === null) return bad('null', 'null is not allowed; omit an absent optional field');
  switch (f.kind) {
    case 'string': {
      if (typeof v !== 'string') return bad('type', `must be a string, got ${typeName(v)}`);
      if (LONE_SURROGATE.test(v)) return bad('utf8', 'contains an invalid (lone surrogate) character');
      if (FOUR_BYTE.test(v)) return bad('utf8', 'contains a 4-byte UTF-8 character (emoji etc.), not allowed');
      const len = [...v].length;
      if (f.min !== undefined && len < f.min) return bad('length', f.min === 1 ? 'must not be empty' : `must be at least ${f.min} characters`);
      if (f.max !== undefined && len > f.max) return bad('length', `must be at most ${f.max} characters, got ${len}`);
      if (f.enum && !f.enum.includes(v)) return bad('enum', `must be one of ${f.enum.join(', ')}`);
      if (f.pattern && !f.pattern.test(v)) return bad('pattern', f.patternIssue);
      if (f.check) {
        const issue = f.check(v);
        if (issue) return bad('format', issue);
      }
      return null;
    }
    case 'integer':
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad('type', `must be an integer, got ${typeName(v)}`);
      if (!Number.isInteger(v) || !Number.isSafeInteger(v)) return bad('type', 'must be an integer');
      if (f.positive && v <= 0) return bad('range', 'must be a positive integer');
      return null;
    case 'boolean':
      if (typeof v !== 'boolean') return bad('type', `must be a boolean, got ${typeName(v)}`);
      return null;
    case 'object':
      if (typeName(v) !== 'object') return bad('type', `must be an object, got ${typeName(v)}`);
      return null;
    default:
      return null;
  }
}

/** Appends every broken rule of `obj` against `fields` to `out`, in the table's order. */
function collectObject(fields, obj, ptr, out) {
  for (const f of fields) {
    const p = `${ptr}/${f.name}`;
    if (!Object.hasOwn(obj, f.name)) {
      if (f.required) out.push({ field: p, rule: 'required', issue: 'is required' });
      continue;
    }
    const r = checkValue(f, obj[f.name], p);
    if (r) out.push(r);
    else if (f.kind === 'object') collectObject(f.fields, obj[f.name], p, out);
  }
  const known = new Set(fields.map((f) => f.name));
  for (const k of Object.keys(obj)) {
    if (!known.has(k)) {
      const p = `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      out.push({ field: p, value: obj[k], rule: 'unknown', issue: 'unknown field' });
    }
  }
  return out;
}

function collect(fields, body) {
  if (typeName(body) !== 'object') {
    return [{ field: '', value: body, rule: 'type', issue: `the body must be a JSON object, got ${typeName(body)}` }];
  }
  return collectObject(fields, body, '', []);
}

/** null when valid, else the first broken rule. */
export function validatePreEntrustSign(body) {
  return collect(FIELDS, body)[0] ?? null;
}

// POST /v3/papay/pay/harmony/transactions/apply (harmony-deduction.md section 2).
const AMOUNT_FIELDS = [
  { name: 'total', kind: 'integer', required: true, positive: true },
  { name: 'currency', kind: 'string', required: false, enum: ['CNY'] },
];

export const APPLY_FIELDS = [
  { name: 'appid', kind: 'string', required: true, min: 1, max: 32 },
  { name: 'out_trade_no', kind: 'string', required: true, min: 1, max: 32, pattern: /^[0-9A-Za-z_\-*]+$/, patternIssue: 'must contain only ASCII letters, digits, _ - and *' },
  { name: 'description', kind: 'string', required: true, min: 1, max: 127 },
  { name: 'transaction_notify_url', kind: 'string', required: true, min: 1, max: 256, check: notifyUrlIssue },
  { name: 'contract_id', kind: 'string', required: true, min: 1, max: 32 },
  { name: 'amount', kind: 'object', required: true, fields: AMOUNT_FIELDS },
  { name: 'goods_tag', kind: 'string', required: false, min: 1, max: 32 },
  { name: 'attach', kind: 'string', required: false, min: 1, max: 128 },
  { name: 'harmony_account_id', kind: 'string', required: true, min: 1, max: 64 },
  { name: 'mcc', kind: 'string', required: false, min: 1, max: 4 },
];

/** Every broken rule of a deduction body ([] when valid), in the table's order. */
export function validateApplyDeduction(body) {
  return collect(APPLY_FIELDS, body);
}

/** The path parameters of the contract query: [] when valid. */
export function validateContractPath(planId, code) {
  const out = [];
  if (!/^[1-9]\d{0,15}$/.test(planId) || !Number.isSafeInteger(Number(planId))) out.push({ field: 'plan_id', value: planId, rule: 'type', issue: 'must be a positive integer' });
  if (!/^[A-Za-z0-9]{1,32}$/.test(code)) out.push({ field: 'out_contract_code', value: code, rule: 'pattern', issue: 'must be 1..32 ASCII letters and digits' });
  return out;
}

/** The path parameter of the order query: [] when valid. */
export function validateOutTradeNo(v) {
  return /^[0-9A-Za-z_\-*]{1,32}$/.test(v) ? [] : [{ field: 'out_trade_no', value: v, rule: 'pattern', issue: 'must be 1..32 ASCII letters, digits, _ - and *' }];
}
