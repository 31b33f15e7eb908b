// The pages: the form (with validation and API errors), the result page of a pre-sign (QR
// code or mini-program) and its live status section.
import { qrCodeSvg } from 'wechatpay-wasm';
import { FIELDS, SCENES } from './fields.mjs';
import { esc, layout } from './layout.mjs';
import { TOKEN_FIELD } from './guard.mjs';
import { chargesInner, queryAnswerSection, deductErrorSection } from './charges-page.mjs';
import { iosCode, androidCode, harmonyCode } from './opensdk.mjs';

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

/** The hidden field carrying a form's token (see guard.mjs). */
const tokenInput = (token) => `<input type="hidden" name="${TOKEN_FIELD}" value="${esc(token)}">`;

/** The form page; `token` is the form's token for this browser. */
export function formPage(ctx, { values, token, errors = new Map(), formErrors = [], apiError = null }) {
  const top = FIELDS.filter((f) => !f.key.startsWith('device_info.'));
  const dev = FIELDS.filter((f) => f.key.startsWith('device_info.'));
  const issueCount = [...errors.values()].reduce((n, a) => n + a.length, 0) + formErrors.length;
  const summary = issueCount
    ? `<section class="alert" id="validation-summary" role="alert"><h2>请求未发送 <span class="en">Nothing was sent: ${issueCount} problem${issueCount > 1 ? 's' : ''} in the form</span></h2>
${formErrors.length ? `<ul>${formErrors.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : '<p class="muted">见各字段下的说明 See the messages under the fields.</p>'}</section>`
    : '';
  const recent = ctx.store.recent(5);
  return layout(ctx, '代扣预签约 Pre-sign', `<h1>代扣预签约 <span class="en">Pre-entrust-sign</span></h1>
<p class="muted">填写请求，由服务器用 wechatpay-wasm 校验、签名并发送。<br>Fill in the request; the server validates, signs and sends it with wechatpay-wasm.</p>
${apiErrorHtml(apiError)}${summary}
<form method="post" action="/presign" id="presign" novalidate>
${tokenInput(token)}
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

export function stateOf(s, now = Date.now()) {
  if (s.terminated) return 'terminated';
  if (s.signed) return 'signed';
  if (now >= s.expiresAt) return 'expired';
  return 'waiting';
}

const fmtTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/**
 * The status section's content (what the live status replaces): the state, the contract, and
 * once signed its charges, inquiries, policy and buttons. `tokenFor(action)`: a form's token
 * for this browser (null: no forms); `deduct`: the deduction form shown again with its error.
 */
export function statusInner(ctx, s, tokenFor, deduct) {
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
  return `<p class="state" id="state-text">${esc(head[0])} <span class="en">${esc(head[1])}</span></p>
${rows.length ? `<dl class="kv">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>` : ''}
${chargesInner(ctx, s, tokenFor, deduct)}
<p class="muted">通知 Notifications: ${s.events.length} accepted${s.duplicates ? `, ${s.duplicates} duplicate${s.duplicates > 1 ? 's' : ''} ignored` : ''}</p>`;
}

function statusSection(ctx, s, tokenFor, deduct) {
  return `<section class="card" id="status" data-state="${stateOf(s)}" aria-live="polite">${statusInner(ctx, s, tokenFor, deduct)}</section>`;
}

// The live status: each message replaces the status section. What the user typed in its forms
// is kept (the text fields, a policy picked but not saved) and so is the focus; the stream is
// closed once nothing more can change.
const LIVE_SCRIPT = (code) => `<script>
(() => {
  const box = document.getElementById('status');
  if (!box || !window.EventSource) return;
  const es = new EventSource(${JSON.stringify(`/contracts/${encodeURIComponent(code)}/events`)});
  es.onmessage = (m) => {
    const s = JSON.parse(m.data);
    const typed = [...box.querySelectorAll('input[type=text]')].map((i) => [i.id, i.value]);
    const picked = [...box.querySelectorAll('input[type=radio]')].filter((i) => i.checked && !i.defaultChecked).map((i) => i.value);
    const focused = box.contains(document.activeElement) ? document.activeElement.id : '';
    box.dataset.state = s.state;
    box.innerHTML = s.html;
    for (const [id, value] of typed) { const i = id && document.getElementById(id); if (i) i.value = value; }
    for (const v of picked) { const i = box.querySelector('input[type=radio][value="' + v + '"]'); if (i) i.checked = true; }
    if (focused) document.getElementById(focused)?.focus();
    if (s.final) es.close();
  };
})();
</script>`;

/** The SVG of qrCodeSvg, inline: without the XML declaration, labelled for assistive tech. */
function inlineSvg(svg) {
  return svg.replace(/^<\?xml[^>]*\?>\s*/, '').replace('<svg ', '<svg role="img" aria-label="QR code of redirect_url" ');
}

/**
 * A pre-sign's page. `tokenFor(action)`: its forms' tokens for this browser; `deduct`: the
 * deduction form shown again with its error; `answers`: on-demand query answers to show
 * (`[{ id, title, answer | error }]`).
 */
export async function resultPage(ctx, s, tokenFor, { deduct, answers = [] } = {}) {
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
<h2>HarmonyOS <span class="en">ArkTS, @tencent/wechat_open_sdk LaunchMiniProgramReq</span></h2>
<pre id="harmony-code">${esc(harmonyCode(s.request.appid, r.mini_program_username, r.mini_program_path))}</pre>
${standIn ? `<p><a class="button" id="mini-program-link" href="${esc(standIn)}" target="_blank" rel="noopener">打开小程序替身 <span>Open the emulator's mini-program stand-in</span></a></p>` : '<p class="muted">在真实环境中，由商户 App 通过微信 OpenSDK 拉起小程序。In real mode the merchant app opens the mini-program through the WeChat OpenSDK.</p>'}
</section>`;
  }
  return layout(ctx, `预签约 ${s.code}`, `<h1>预签约已创建 <span class="en">Pre-sign created</span></h1>
${deductErrorSection(deduct)}${statusSection(ctx, s, tokenFor, deduct)}
${answers.map(queryAnswerSection).join('\n')}
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
