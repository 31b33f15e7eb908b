// HTML pages standing in for WeChat's signing screen and the signing mini-program.

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function layout(title, inner) {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC",sans-serif;background:#ededed;margin:0;padding:24px;color:#111}
.card{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 4px}.sub{color:#888;font-size:13px;margin-bottom:16px}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;font-size:14px}dt{color:#888}dd{margin:0;word-break:break-all}
button{display:block;width:100%;padding:12px;margin-top:12px;border:0;border-radius:8px;font-size:16px;cursor:pointer}
.agree{background:#07c160;color:#fff}.cancel{background:#f2f2f2;color:#111}
.state{font-size:18px;margin:16px 0}.warn{color:#b00}.ok{color:#07c160}
.note{margin-top:16px;font-size:12px;color:#999}
</style></head><body><div class="card">
${inner}
<p class="note">WeChat Pay emulator — test credentials only, no real money.</p>
</div></body></html>
`;
}

function details(c) {
  return `<dl>
<dt>委托代扣模板 Plan</dt><dd id="plan_id">${esc(c.plan_id)}</dd>
<dt>账户 Account</dt><dd id="contract_display_account">${esc(c.contract_display_account)}</dd>
<dt>商户号 Merchant</dt><dd>${esc(c.mchid)}</dd>
<dt>AppID</dt><dd>${esc(c.appid)}</dd>
<dt>协议号 Contract code</dt><dd id="out_contract_code">${esc(c.out_contract_code)}</dd>
<dt>预签约ID Pre-sign id</dt><dd id="pre_entrustweb_id">${esc(c.pre_entrustweb_id)}</dd>
</dl>`;
}

const STATE_TEXT = {
  SIGNED: ['ok', '已签约 Signed'],
  TERMINATED: ['warn', '已解约 Terminated'],
  EXPIRED: ['warn', '签约已过期 Expired: this pre-sign session has expired, ask the merchant for a new one'],
  CANCELLED: ['warn', '已取消 Cancelled'],
};

/** The signing screen for a contract (PENDING -> the form; otherwise its state). */
export function signingPage(c, { miniProgram = false, formAction } = {}) {
  const title = miniProgram ? '委托代扣签约 (小程序 mini-program stand-in)' : '委托代扣签约 Sign the auto-debit contract';
  let body;
  if (c.state === 'PENDING') {
    body = `<form method="post" action="${esc(formAction)}">
<button class="agree" type="submit" name="action" value="agree" id="agree">同意并签约 Agree and sign</button>
<button class="cancel" type="submit" name="action" value="cancel" id="cancel">取消 Cancel</button>
</form>`;
  } else {
    const [cls, text] = STATE_TEXT[c.state] ?? ['', c.state];
    body = `<p class="state ${cls}" id="state" data-state="${esc(c.state)}">${esc(text)}</p>` +
      (c.contract_id ? `<p>contract_id: <code id="contract_id">${esc(c.contract_id)}</code></p>` : '') +
      inquiryPart(c, formAction);
  }
  return layout(title, `<h1>${esc(title)}</h1>
<div class="sub">${miniProgram ? `小程序 ${esc(c.mini_program_username)} · ${esc(c.mini_program_path)}` : '微信支付 WeChat Pay'}</div>
${details(c)}
${body}`);
}

const INQUIRY_TEXT = {
  PENDING: '已申请解约，等待商户确认 Asked the merchant (ENTRUST.TERMINATE_INQUIRY sent), waiting for its answer',
  ALLOWED: '商户已同意解约 The merchant allowed the termination',
  REFUSED: '商户拒绝解约 The merchant refused the termination',
  NO_ANSWER: '商户未应答，协议仍有效 The merchant did not answer; the contract stays signed',
};

/** A signed contract's "end it" button and the state of its last termination inquiry. */
function inquiryPart(c, formAction) {
  const last = c.termination_inquiries?.at(-1);
  const status = last
    ? `<p class="state ${last.state === 'REFUSED' || last.state === 'NO_ANSWER' ? 'warn' : ''}" id="inquiry" data-state="${esc(last.state)}">${esc(INQUIRY_TEXT[last.state] ?? last.state)}${last.message ? `: <span id="inquiry-message">${esc(last.message)}</span>` : ''}</p>`
    : '';
  const button = c.state === 'SIGNED' && last?.state !== 'PENDING'
    ? `<form method="post" action="${esc(formAction)}"><button class="cancel" type="submit" name="action" value="terminate" id="request-termination">解除协议 End this contract</button></form>`
    : '';
  return status + button;
}

export function messagePage(title, text) {
  return layout(title, `<h1>${esc(title)}</h1><p class="state warn">${esc(text)}</p>`);
}

export function indexPage(emuUrl, contracts) {
  const rows = contracts.map((c) => `<tr><td><a href="/emulator/pre-entrust/${esc(encodeURIComponent(c.pre_entrustweb_id))}">${esc(c.pre_entrustweb_id)}</a></td><td>${esc(c.out_contract_code)}</td><td>${esc(c.sign_scene)}</td><td>${esc(c.state)}</td><td>${esc(c.contract_id ?? '')}</td></tr>`).join('\n');
  return layout('WeChat Pay emulator', `<h1>WeChat Pay emulator</h1><div class="sub">${esc(emuUrl)}</div>
<table style="font-size:12px;width:100%"><tr><th>pre_entrustweb_id</th><th>out_contract_code</th><th>scene</th><th>state</th><th>contract_id</th></tr>
${rows || '<tr><td colspan="5">no pre-sign sessions yet</td></tr>'}</table>`);
}
