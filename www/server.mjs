// The wechatpay-wasm demo: the 代扣预签约 (pre-entrust-sign) flow rendered on the server,
// from the form to "contract signed".
//
//   node www/server.mjs            emulator mode (no WECHATPAY_* variables set): starts the
//                                  local WeChat Pay emulator in this process and the demo
//   WECHATPAY_...=... node www/server.mjs
//                                  real mode: the same demo against api.mch.weixin.qq.com
//                                  (see www/README.md for the variables)
//
// Only node: built-ins and the npm package, imported by name exactly as a user imports it.
// Pages work without client JavaScript, except the live status (server-sent events).

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, validatePreEntrustSign, notificationReply, qrCodeSvg } from 'wechatpay-wasm';

/** The pre-sign session lifetime (WeChat Pay: 10 minutes; the emulator's default). */
export const SESSION_TTL_MS = 600_000;

const REAL_ENV = [
  'WECHATPAY_MCHID', 'WECHATPAY_SERIAL', 'WECHATPAY_PRIVATE_KEY_FILE', 'WECHATPAY_PUBLIC_KEY_ID',
  'WECHATPAY_PUBLIC_KEY_FILE', 'WECHATPAY_APIV3_KEY', 'WECHATPAY_APPID', 'WECHATPAY_PLAN_ID',
  'DEMO_PUBLIC_URL',
];

// ------------------------------------------------------------------ the request's fields

const DEVICE_TYPES = ['DEVICE_TYPE_UNKNOW', 'DEVICE_TYPE_PHONE', 'DEVICE_TYPE_PAD', 'DEVICE_TYPE_TV', 'DEVICE_TYPE_WATCH'];
const DAYS_SINCE = [
  'DAYS_SINCE_FIRST_LOGIN_UNKNOW', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_1_DAY', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_7_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS', 'DAYS_SINCE_FIRST_LOGIN_WITHIN_90_DAYS',
  'DAYS_SINCE_FIRST_LOGIN_WITHIN_180_DAYS', 'DAYS_SINCE_FIRST_LOGIN_MORE_THEN_180_DAYS',
];
const SCENES = [
  ['SIGN_SCENE_QRCODE', '扫码签约', 'QR code (a phone scans it)'],
  ['SIGN_SCENE_APP', 'App 拉起小程序签约', 'App (opens the signing mini-program)'],
];

/**
 * Every field of the request body, in the spec's order. `key` is the form field name (and,
 * with dots as slashes, the JSON pointer validatePreEntrustSign reports).
 */
const FIELDS = [
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
const FIELD_KEYS = new Set(FIELDS.map((f) => f.key));
const pointerToKey = (p) => String(p ?? '').replace(/^\//, '').replaceAll('/', '.');

/** A fresh merchant contract code shaped like the seed's `wxwtdk20200910100000`. */
export function newContractCode(now = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const rand = randomBytes(6).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 6).padEnd(6, '0');
  return `wxwtdk${stamp}${rand}`;
}

/** The form's values (strings / booleans keyed like FIELDS) prefilled from the seed's example. */
function defaultValues(ctx) {
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
function valuesFromForm(params) {
  const v = {};
  for (const f of FIELDS) {
    if (f.type === 'bool') v[f.key] = params.get(f.key) === 'true';
    else v[f.key] = params.get(f.key) ?? '';
  }
  return v;
}

/** Values -> the request body. Empty optional fields are left out; plan_id is a number when it is one. */
function bodyFromValues(v) {
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

// ------------------------------------------------------------------ HTML

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const CSS = `
*{box-sizing:border-box}
:root{--green:#07c160;--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--red:#cf222e}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--green);color:#fff;padding:12px 16px}
header a{color:#fff;text-decoration:none;font-weight:600}
header .mode{float:right;font-size:13px;opacity:.9;margin-top:3px}
main{max-width:46rem;margin:0 auto;padding:16px}
h1{font-size:1.35rem;margin:.2em 0 .6em}
h2{font-size:1.1rem;margin:1.2em 0 .5em}
.card>h2:first-child,.alert>h2:first-child{margin-top:0}
.en{color:var(--muted);font-weight:normal}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;margin:0 0 16px}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 16px;padding:8px 16px 4px;background:#fff}
legend{font-weight:600;padding:0 6px}
.field{margin:10px 0 14px}
.field>label,.field>.label{display:block;font-weight:600;margin-bottom:4px}
.field code.name{font-size:12px;color:var(--muted);font-weight:normal;margin-left:4px}
input[type=text],input[type=url],input[type=number],select{width:100%;font:inherit;padding:8px 10px;border:1px solid var(--line);border-radius:6px;background:#fff}
input:focus,select:focus{outline:2px solid var(--green);outline-offset:-1px}
.check{display:flex;gap:8px;align-items:center;font-weight:600}
.check input{width:20px;height:20px}
.scene label{display:flex;gap:8px;align-items:flex-start;padding:6px 0;font-weight:normal}
.scene input{width:20px;height:20px;margin-top:2px}
.invalid input,.invalid select{border-color:var(--red);background:#fff8f8}
.err{color:var(--red);margin:4px 0 0;font-size:14px}
.opt{font-size:12px;color:var(--muted);font-weight:normal}
button,.button{display:inline-block;font:inherit;font-weight:600;border:0;border-radius:6px;padding:10px 18px;background:var(--green);color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:#eaeef2;color:var(--ink)}
.alert{border:1px solid var(--red);background:#fff5f5;border-radius:8px;padding:12px 16px;margin:0 0 16px}
.alert h2{margin-top:0;color:var(--red)}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}
dl.kv dt{color:var(--muted)}
dl.kv dd{margin:0;overflow-wrap:anywhere}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:10px;overflow-x:auto;font-size:13px;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
#qr{text-align:center;margin:8px 0}
#qr svg{width:100%;max-width:270px;height:auto}
#status[data-state=expired]~#qr-scene #qr{opacity:.2}
.link{word-break:break-all;font-size:14px}
#status{border-left:6px solid #bf8700}
#status[data-state=signed]{border-left-color:var(--green)}
#status[data-state=expired],#status[data-state=terminated]{border-left-color:var(--red)}
.state{font-size:1.2rem;font-weight:700;margin:0 0 6px}
[data-state=signed] .state{color:var(--green)}
[data-state=expired] .state,[data-state=terminated] .state{color:var(--red)}
.muted{color:var(--muted);font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{border-bottom:1px solid var(--line);padding:6px 4px;text-align:left;overflow-wrap:anywhere}
footer{max-width:46rem;margin:0 auto;padding:0 16px 24px;color:var(--muted);font-size:13px}
@media (min-width:640px){.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 16px}}
`;

function layout(ctx, title, body, { script = '' } = {}) {
  const mode = ctx.mode === 'emulator' ? '模拟器 Emulator' : '真实环境 Real API';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · wechatpay-wasm demo</title>
<style>${CSS}</style>
</head>
<body>
<header><span class="mode" id="mode">${mode}</span><a href="/">微信支付 委托代扣 · wechatpay-wasm demo</a></header>
<main>
${body}
</main>
<footer>wechatpay-wasm · 代扣预签约 pre-entrust-sign · ${ctx.mode === 'emulator' ? `WeChat Pay emulator <a href="${esc(ctx.emulatorUrl)}/emulator/">${esc(ctx.emulatorUrl)}</a>` : esc(ctx.baseURL ?? 'api.mch.weixin.qq.com')}</footer>
${script}
</body>
</html>`;
}

function fieldHtml(f, values, errors) {
  const id = `f-${f.key.replace('.', '-')}`;
  const errs = errors.get(f.key) ?? [];
  const errHtml = errs.length
    ? `<p class="err" id="err-${esc(f.key.replace('.', '-'))}" role="alert">${errs.map(esc).join('<br>')}</p>`
    : '';
  const aria = errs.length ? ` aria-invalid="true" aria-describedby="err-${esc(f.key.replace('.', '-'))}"` : '';
  const name = f.key.split('.').pop();
  const label = `${esc(f.zh)} <span class="en">${esc(f.en)}</span>${f.required ? '' : ' <span class="opt">选填 optional</span>'}<code class="name">${esc(name)}</code>`;
  const v = values[f.key];
  const cls = `field${errs.length ? ' invalid' : ''}`;
  switch (f.type) {
    case 'scene':
      return `<fieldset class="${cls} scene" id="${id}"><legend>${label}</legend>
${SCENES.map(([val, zh, en]) => `<label><input type="radio" name="sign_scene" value="${val}"${v === val ? ' checked' : ''}${aria}> <span>${esc(zh)} <span class="en">${esc(en)}</span><br><code class="opt">${val}</code></span></label>`).join('\n')}
${errHtml}</fieldset>`;
    case 'bool':
      return `<div class="${cls}"><label class="check"><input type="checkbox" id="${id}" name="${esc(f.key)}" value="true"${v ? ' checked' : ''}${aria}> <span>${label}</span></label>${errHtml}</div>`;
    case 'select': {
      const opts = f.options.includes(v) ? f.options : [...f.options, v];
      return `<div class="${cls}"><label for="${id}">${label}</label><select id="${id}" name="${esc(f.key)}"${aria}>
${opts.map((o) => `<option${o === v ? ' selected' : ''}>${esc(o)}</option>`).join('')}
</select>${errHtml}</div>`;
    }
    default: {
      const type = f.type === 'number' ? 'text" inputmode="numeric' : f.type === 'url' ? 'url' : 'text';
      return `<div class="${cls}"><label for="${id}">${label}</label><input type="${type}" id="${id}" name="${esc(f.key)}" value="${esc(v)}" autocomplete="off" spellcheck="false"${aria}>${errHtml}</div>`;
    }
  }
}

function apiErrorHtml(e) {
  if (!e) return '';
  const detail = e.detail;
  const info = detail && typeof detail === 'object' ? detail.sign_information : undefined;
  // WeChat Pay's own message, without the SDK's "WeChat Pay answered HTTP ..." prefix.
  const wxMessage = String(e.message ?? '').replace(/^WeChat Pay answered HTTP \d+ [A-Z_0-9]+: /, '');
  return `<section class="alert" id="api-error" role="alert" data-code="${esc(e.code)}">
<h2>微信支付返回错误 <span class="en">WeChat Pay answered an error</span></h2>
<dl class="kv">
<dt>code</dt><dd><code id="api-error-code">${esc(e.code)}</code></dd>
<dt>message</dt><dd id="api-error-message">${esc(wxMessage)}</dd>
${e.status ? `<dt>HTTP</dt><dd>${esc(e.status)}</dd>` : ''}
${e.kind ? `<dt>kind</dt><dd>${esc(e.kind)}</dd>` : ''}
${e.requestId ? `<dt>Request-ID</dt><dd><code>${esc(e.requestId)}</code></dd>` : ''}
</dl>
${info ? `<h2>服务器看到的签名信息 <span class="en">What the server saw (sign_information)</span></h2>
<dl class="kv" id="sign-information">
<dt>method</dt><dd>${esc(info.method)}</dd>
<dt>url</dt><dd>${esc(info.url)}</dd>
<dt>sign_message_length</dt><dd>${esc(info.sign_message_length)}</dd>
</dl>
<pre>${esc(info.truncated_sign_message)}</pre>` : ''}
${detail !== undefined && !info ? `<h2>detail</h2><pre id="api-error-detail">${esc(JSON.stringify(detail, null, 2))}</pre>` : ''}
</section>`;
}

function formPage(ctx, { values, errors = new Map(), formErrors = [], apiError = null }) {
  const top = FIELDS.filter((f) => !f.key.startsWith('device_info.'));
  const dev = FIELDS.filter((f) => f.key.startsWith('device_info.'));
  const issueCount = [...errors.values()].reduce((n, a) => n + a.length, 0) + formErrors.length;
  const summary = issueCount
    ? `<section class="alert" id="validation-summary" role="alert"><h2>请求未发送 <span class="en">Nothing was sent: ${issueCount} problem${issueCount > 1 ? 's' : ''} in the form</span></h2>
${formErrors.length ? `<ul>${formErrors.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : '<p class="muted">见各字段下的说明 See the messages under the fields.</p>'}</section>`
    : '';
  const recent = [...ctx.sessions.values()].slice(-5).reverse();
  return layout(ctx, '代扣预签约 Pre-sign', `<h1>代扣预签约 <span class="en">Pre-entrust-sign</span></h1>
<p class="muted">填写请求，由服务器用 wechatpay-wasm 校验、签名并发送。<br>Fill in the request; the server validates, signs and sends it with wechatpay-wasm.</p>
${apiErrorHtml(apiError)}${summary}
<form method="post" action="/presign" id="presign" novalidate>
${fieldHtml(top[0], values, errors)}
<fieldset><legend>签约信息 <span class="en">Contract</span></legend>
${top.slice(1).map((f) => fieldHtml(f, values, errors)).join('\n')}
</fieldset>
<fieldset><legend>设备信息 <span class="en">device_info</span></legend>
${errors.has('device_info') ? `<p class="err" id="err-device_info" role="alert">${errors.get('device_info').map(esc).join('<br>')}</p>` : ''}
<div class="grid2">
${dev.map((f) => fieldHtml(f, values, errors)).join('\n')}
</div>
</fieldset>
<p><button type="submit" id="submit">发起预签约 <span>Send pre-sign request</span></button></p>
</form>
${recent.length ? `<h2>最近 <span class="en">Recent</span></h2><div class="card"><table><tr><th>out_contract_code</th><th>scene</th><th>state</th></tr>
${recent.map((s) => `<tr><td><a href="/contracts/${esc(encodeURIComponent(s.code))}">${esc(s.code)}</a></td><td>${esc(s.scene)}</td><td>${esc(stateOf(s))}</td></tr>`).join('\n')}</table></div>` : ''}`);
}

// ------------------------------------------------------------------ status

function stateOf(s, now = Date.now()) {
  if (s.terminated) return 'terminated';
  if (s.signed) return 'signed';
  if (now >= s.expiresAt) return 'expired';
  return 'waiting';
}

const fmtTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

function statusInner(ctx, s) {
  const state = stateOf(s);
  const c = s.signed;
  const t = s.terminated;
  const rows = [];
  if (c) {
    rows.push(['contract_id', `<code id="contract-id">${esc(c.contract_id)}</code>`]);
    rows.push(['签约时间 signed', `<time id="signed-time" datetime="${esc(c.contract_signed_time)}">${esc(c.contract_signed_time)}</time>`]);
    rows.push(['到期时间 expires', `<time id="expired-time" datetime="${esc(c.contract_expired_time)}">${esc(c.contract_expired_time)}</time>`]);
    if (c.openid) rows.push(['openid', `<code>${esc(c.openid)}</code>`]);
  }
  if (t) {
    const info = t.contract_terminate_info ?? {};
    rows.push(['解约时间 terminated', `<time id="terminated-time">${esc(info.contract_terminated_time)}</time>`]);
    rows.push(['解约方式 mode', esc(info.contract_termination_mode)]);
    if (info.contract_termination_remark) rows.push(['备注 remark', esc(info.contract_termination_remark)]);
  }
  const head = {
    waiting: ['等待用户签约…', `Waiting for the user to sign; the session expires at ${fmtTime(s.expiresAt)}`],
    signed: ['签约成功', 'Signed: ENTRUST.SIGN received, verified and decrypted'],
    expired: ['预签约已过期', `Expired: the pre-sign session ended at ${fmtTime(s.expiresAt)}; send a new request`],
    terminated: ['已解约', 'Terminated: ENTRUST.TERMINATE received'],
  }[state];
  const terminate = ctx.mode === 'emulator' && state === 'signed'
    ? `<form method="post" action="/contracts/${esc(encodeURIComponent(s.code))}/terminate"><button class="secondary" type="submit" id="terminate">模拟解约 <span>Terminate (emulator)</span></button></form>`
    : '';
  return `<p class="state" id="state-text">${esc(head[0])} <span class="en">${esc(head[1])}</span></p>
${rows.length ? `<dl class="kv">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>` : ''}
<p class="muted">通知 Notifications: ${s.events.length} accepted${s.duplicates ? `, ${s.duplicates} duplicate${s.duplicates > 1 ? 's' : ''} ignored` : ''}</p>
${terminate}`;
}

function statusSection(ctx, s) {
  return `<section class="card" id="status" data-state="${stateOf(s)}" aria-live="polite">${statusInner(ctx, s)}</section>`;
}

const LIVE_SCRIPT = (code) => `<script>
(() => {
  const box = document.getElementById('status');
  if (!box || !window.EventSource) return;
  const es = new EventSource(${JSON.stringify(`/contracts/${encodeURIComponent(code)}/events`)});
  es.onmessage = (m) => {
    const s = JSON.parse(m.data);
    box.dataset.state = s.state;
    box.innerHTML = s.html;
    if (s.state === 'expired' || s.state === 'terminated') es.close();
  };
})();
</script>`;

const iosCode = (u, p) => `// iOS (WechatOpenSDK, Objective-C)
WXLaunchMiniProgramReq *req = [WXLaunchMiniProgramReq object];
req.userName = @"${u}";
req.path = @"${p}";
req.miniProgramType = WXMiniProgramTypeRelease;
[WXApi sendReq:req completion:nil];`;

const androidCode = (appid, u, p) => `// Android (WeChat OpenSDK, Java)
IWXAPI api = WXAPIFactory.createWXAPI(context, "${appid}");
WXLaunchMiniProgram.Req req = new WXLaunchMiniProgram.Req();
req.userName = "${u}";
req.path = "${p}";
req.miniprogramType = WXLaunchMiniProgram.Req.MINIPTOGRAM_TYPE_RELEASE;
api.sendReq(req);`;

/** The SVG of qrCodeSvg, inline: without the XML declaration, labelled for assistive tech. */
function inlineSvg(svg) {
  return svg.replace(/^<\?xml[^>]*\?>\s*/, '').replace('<svg ', '<svg role="img" aria-label="QR code of redirect_url" ');
}

async function resultPage(ctx, s) {
  const r = s.response;
  let scene = '';
  if (r.redirect_url) {
    scene = `<section class="card" id="qr-scene"><h2>扫码签约 <span class="en">Scan to sign (QR scene)</span></h2>
<p class="muted">用微信扫描二维码，在微信支付页面签约。<br>Scan with WeChat and sign on WeChat Pay's page.</p>
<figure id="qr">${inlineSvg(await qrCodeSvg(r.redirect_url, 270))}</figure>
<p class="link">redirect_url: <a id="redirect-url" href="${esc(r.redirect_url)}" target="_blank" rel="noopener">${esc(r.redirect_url)}</a></p>
</section>`;
  } else if (r.mini_program_username) {
    const standIn = ctx.mode === 'emulator' ? `${ctx.emulatorUrl}/emulator/mini-program?path=${encodeURIComponent(r.mini_program_path)}` : null;
    scene = `<section class="card" id="app-scene"><h2>App 拉起签约小程序 <span class="en">App scene: open the signing mini-program</span></h2>
<dl class="kv">
<dt>mini_program_username</dt><dd><code id="mini-program-username">${esc(r.mini_program_username)}</code></dd>
<dt>mini_program_path</dt><dd><code id="mini-program-path">${esc(r.mini_program_path)}</code></dd>
</dl>
<h2>iOS <span class="en">WXLaunchMiniProgramReq</span></h2>
<pre id="ios-code">${esc(iosCode(r.mini_program_username, r.mini_program_path))}</pre>
<h2>Android <span class="en">WXLaunchMiniProgram.Req</span></h2>
<pre id="android-code">${esc(androidCode(s.request.appid, r.mini_program_username, r.mini_program_path))}</pre>
${standIn ? `<p><a class="button" id="mini-program-link" href="${esc(standIn)}" target="_blank" rel="noopener">打开小程序替身 <span>Open the emulator's mini-program stand-in</span></a></p>` : '<p class="muted">在真实环境中，由商户 App 通过微信 OpenSDK 拉起小程序。In real mode the merchant app opens the mini-program through the WeChat OpenSDK.</p>'}
</section>`;
  }
  return layout(ctx, `预签约 ${s.code}`, `<h1>预签约已创建 <span class="en">Pre-sign created</span></h1>
${statusSection(ctx, s)}
<noscript><p><a href="">刷新状态 Refresh the status</a></p></noscript>
${scene}
<section class="card"><h2>请求与应答 <span class="en">Request and answer</span></h2>
<dl class="kv">
<dt>out_contract_code</dt><dd><code id="out-contract-code">${esc(s.code)}</code></dd>
<dt>pre_entrustweb_id</dt><dd><code id="pre-entrustweb-id">${esc(r.pre_entrustweb_id)}</code></dd>
<dt>sign_scene</dt><dd>${esc(s.scene)}</dd>
</dl>
<details><summary>JSON</summary><pre>${esc(JSON.stringify(s.request, null, 2))}</pre><pre>${esc(JSON.stringify(r, null, 2))}</pre></details>
</section>
<p><a href="/">← 新的预签约 New pre-sign</a></p>`, { script: LIVE_SCRIPT(s.code) });
}

function notFoundPage(ctx, what) {
  return layout(ctx, 'Not found', `<h1>找不到 <span class="en">Not found</span></h1><p>${esc(what)}</p><p><a href="/">← 返回 Back</a></p>`);
}

// ------------------------------------------------------------------ the server

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (d) => {
      size += d.length;
      if (size > limit) { reject(Object.assign(new Error('body too large'), { status: 413 })); req.destroy(); return; }
      chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

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

/**
 * Starts the demo on 127.0.0.1.
 *
 * - `port`: 0 = any free port.
 * - `emulator`: an emulator started by the caller (kept running by close()), or options for
 *   one this function starts (and close() stops); the default when `real` is not given.
 * - `real`: the object of realModeConfig() to talk to the real API instead.
 * - `sessionTtlMs`: the pre-sign session lifetime shown as "expired" (default 10 minutes;
 *   forwarded to an emulator started here).
 * - `clientOptions`: extra `new Client()` options in emulator mode (e.g. `timeout`; tests
 *   pass a wrong `privateKey` to see SIGN_ERROR).
 * - `log`: function(line) for request and notification lines (default: none).
 */
export async function startDemo({ port = 0, emulator, real, sessionTtlMs, clientOptions, log } = {}) {
  const say = typeof log === 'function' ? log : () => {};
  const ttl = sessionTtlMs ?? SESSION_TTL_MS;
  let emu = null;
  let ownEmulator = false;
  let client;
  const ctx = { sessions: new Map(), seenEvents: new Set(), byContract: new Map() };
  if (real) {
    ctx.mode = 'real';
    client = new Client(real.client);
    ctx.appid = real.appid;
    ctx.planId = real.planId;
    ctx.baseURL = real.client.baseURL;
  } else {
    if (emulator && typeof emulator.url === 'string' && emulator.credentials) {
      emu = emulator;
    } else {
      const { startEmulator } = await import('../emulator/server.mjs');
      emu = await startEmulator({ log: false, ...(emulator ?? {}), sessionTtlMs: ttl });
      ownEmulator = true;
    }
    ctx.mode = 'emulator';
    ctx.emulatorUrl = emu.url;
    client = new Client({ ...emu.credentials, baseURL: emu.url, ...(clientOptions ?? {}) });
    ctx.appid = emu.credentials.appid;
    ctx.planId = emu.credentials.plan_id;
  }

  const listeners = new Map(); // code -> Set of SSE responses
  const timers = new Set();

  function broadcast(code) {
    const s = ctx.sessions.get(code);
    const subs = listeners.get(code);
    if (!s || !subs) return;
    const data = JSON.stringify({ state: stateOf(s), html: statusInner(ctx, s) });
    for (const res of subs) res.write(`data: ${data}\n\n`);
  }

  function addSession(code, request, response) {
    const now = Date.now();
    const s = { code, scene: request.sign_scene, request, response, createdAt: now, expiresAt: now + ttl, signed: null, terminated: null, events: [], duplicates: 0 };
    ctx.sessions.set(code, s);
    const t = setTimeout(() => { timers.delete(t); broadcast(code); }, ttl + 50);
    t.unref();
    timers.add(t);
    return s;
  }

  /** Stores a verified notification once: by event id, then by contract id and event type. */
  function record(event) {
    const r = event.resource ?? {};
    if (ctx.seenEvents.has(event.id)) {
      const s = ctx.sessions.get(ctx.byContract.get(r.contract_id) ?? r.out_contract_code);
      if (s) { s.duplicates += 1; broadcast(s.code); }
      return 'duplicate';
    }
    ctx.seenEvents.add(event.id);
    const code = ctx.byContract.get(r.contract_id) ?? r.out_contract_code;
    let s = ctx.sessions.get(code);
    if (!s) {
      // A contract this process did not create (e.g. after a restart): keep it anyway.
      s = addSession(code, { sign_scene: '?', out_contract_code: code }, {});
    }
    if (r.contract_id) ctx.byContract.set(r.contract_id, s.code);
    let changed = false;
    if (event.event_type === 'ENTRUST.SIGN' && !s.signed) { s.signed = r; changed = true; }
    if (event.event_type === 'ENTRUST.TERMINATE' && !s.terminated) {
      s.terminated = r;
      s.signed ??= r;
      changed = true;
    }
    if (changed) s.events.push({ id: event.id, event_type: event.event_type, create_time: event.create_time, received_at: Date.now() });
    else s.duplicates += 1;
    broadcast(s.code);
    return changed ? 'stored' : 'duplicate';
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://demo.invalid');
    const p = url.pathname;
    let m;
    if (req.method === 'GET' && p === '/') {
      return send(res, 200, formPage(ctx, { values: defaultValues(ctx) }));
    }
    if (req.method === 'POST' && p === '/presign') {
      const params = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
      const values = valuesFromForm(params);
      const body = bodyFromValues(values);
      const issues = validatePreEntrustSign(body);
      if (issues.length) {
        const errors = new Map();
        const formErrors = [];
        for (const i of issues) {
          const key = pointerToKey(i.field);
          if (FIELD_KEYS.has(key) || key === 'device_info') {
            if (!errors.has(key)) errors.set(key, []);
            errors.get(key).push(i.message);
          } else {
            formErrors.push(i.field ? `${i.field}: ${i.message}` : i.message);
          }
        }
        say(`presign ${body.out_contract_code}: ${issues.length} validation issue(s), nothing sent`);
        return send(res, 422, formPage(ctx, { values, errors, formErrors }));
      }
      try {
        const answer = await client.preEntrustSign(body);
        addSession(body.out_contract_code, body, answer);
        say(`presign ${body.out_contract_code}: ${answer.pre_entrustweb_id}`);
        res.writeHead(303, { Location: `/contracts/${encodeURIComponent(body.out_contract_code)}` });
        return res.end();
      } catch (e) {
        say(`presign ${body.out_contract_code}: ${e.code} ${e.message}`);
        return send(res, 502, formPage(ctx, { values, apiError: e }));
      }
    }
    if ((m = p.match(/^\/contracts\/([^/]+)(\/events|\/status|\/terminate)?$/))) {
      let code;
      try { code = decodeURIComponent(m[1]); } catch { return send(res, 400, notFoundPage(ctx, 'bad URL')); }
      const s = ctx.sessions.get(code);
      if (!s) return send(res, 404, notFoundPage(ctx, `没有这个签约协议号 No pre-sign with out_contract_code ${code} in this demo.`));
      if (req.method === 'GET' && !m[2]) return send(res, 200, await resultPage(ctx, s));
      if (req.method === 'GET' && m[2] === '/status') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        return res.end(JSON.stringify({ state: stateOf(s), out_contract_code: s.code, contract: s.signed, terminated: s.terminated, events: s.events, duplicates: s.duplicates }));
      }
      if (req.method === 'GET' && m[2] === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.write('retry: 2000\n\n');
        if (!listeners.has(code)) listeners.set(code, new Set());
        listeners.get(code).add(res);
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
        ping.unref();
        req.on('close', () => { clearInterval(ping); listeners.get(code)?.delete(res); });
        return broadcastTo(res, s);
      }
      if (req.method === 'POST' && m[2] === '/terminate' && emu && s.signed) {
        try {
          await emu.terminate(s.signed.contract_id, { remark: '演示解约 demo termination' });
        } catch (e) {
          say(`terminate ${code}: ${e.code ?? e.message}`);
        }
        // Give the ENTRUST.TERMINATE notification a moment, so the page usually shows it already.
        await emu.waitForNotification({ event_type: 'ENTRUST.TERMINATE', contract_id: s.signed.contract_id }, 2000).catch(() => {});
        res.writeHead(303, { Location: `/contracts/${encodeURIComponent(code)}` });
        return res.end();
      }
    }
    if (req.method === 'POST' && p === '/notify') {
      const raw = await readBody(req);
      let reply;
      try {
        const event = await client.parseNotification({ headers: req.headers, body: raw });
        const outcome = record(event);
        say(`notify ${event.event_type} ${event.id}: ${outcome}`);
        reply = notificationReply();
      } catch (e) {
        say(`notify rejected: ${e.code} ${e.message}`);
        reply = notificationReply(e);
      }
      res.writeHead(reply.status, reply.headers);
      return res.end(reply.body);
    }
    if (p === '/favicon.ico') { res.writeHead(204); return res.end(); }
    return send(res, 404, notFoundPage(ctx, `${req.method} ${p}`));
  }

  function broadcastTo(res, s) {
    res.write(`data: ${JSON.stringify({ state: stateOf(s), html: statusInner(ctx, s) })}\n\n`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      say(`error ${req.method} ${req.url}: ${e.stack ?? e}`);
      if (!res.headersSent) send(res, e.status ?? 500, notFoundPage(ctx, `内部错误 Internal error: ${e.message}`));
      else res.end();
    });
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
  } catch (e) {
    if (ownEmulator) await emu.close();
    throw e;
  }
  const url = `http://127.0.0.1:${server.address().port}`;
  ctx.publicUrl = real ? real.publicUrl : url;

  return {
    url,
    mode: ctx.mode,
    emulator: emu,
    client,
    sessions: ctx.sessions,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const subs of listeners.values()) for (const r of subs) r.end();
      listeners.clear();
      await new Promise((r) => { server.close(() => r()); server.closeAllConnections(); });
      if (ownEmulator) await emu.close();
    },
  };
}

// ------------------------------------------------------------------ CLI

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1]);
if (isMain) {
  const realWanted = REAL_ENV.some((k) => process.env[k]);
  let real;
  try {
    real = realWanted ? realModeConfig() : undefined;
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  const verbose = process.env.DEMO_VERBOSE === '1';
  const log = verbose ? (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`) : undefined;
  const wanted = Number(process.env.DEMO_PORT ?? process.env.PORT ?? 3000);
  let demo;
  try {
    demo = await startDemo({ port: wanted, real, log, emulator: verbose ? { log: true } : undefined });
  } catch (e) {
    if (e.code !== 'EADDRINUSE') throw e;
    demo = await startDemo({ port: 0, real, log, emulator: verbose ? { log: true } : undefined });
  }
  const how = demo.mode === 'emulator' ? 'against the local WeChat Pay emulator' : `against the real API, notify URL ${real.publicUrl}/notify`;
  process.stdout.write(`wechatpay-wasm demo (${how}); open ${demo.url}/\n`);
  const stop = () => { demo.close().then(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

