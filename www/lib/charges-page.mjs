// The signed contract's part of the status section: its charges (and the form that sends one),
// the termination inquiries with the merchant's answer, the operator's inquiry policy, and the
// buttons that query the contract and (emulator) end it. Every form carries its own token.
import { esc } from './layout.mjs';
import { TOKEN_FIELD } from './guard.mjs';
import { INQUIRY_POLICIES } from './deductions.mjs';

/** The actions of a contract's forms (each token is made for one of these). */
export const actions = (code) => {
  const base = `/contracts/${encodeURIComponent(code)}`;
  return {
    terminate: `${base}/terminate`,
    requestTermination: `${base}/request-termination`,
    deduct: `${base}/deduct`,
    query: `${base}/query`,
    policy: `${base}/policy`,
    orderQuery: (no) => `${base}/orders/${encodeURIComponent(no)}/query`,
  };
};

/** A form posting to `action` with its token; '' when no token (no browser: no buttons). */
export function form(action, tokenFor, inner, attrs = '') {
  const token = tokenFor?.(action);
  if (!token) return '';
  return `<form method="post" action="${esc(action)}"${attrs}>
<input type="hidden" name="${TOKEN_FIELD}" value="${esc(token)}">${inner}</form>`;
}

const yuan = (fen) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

const STATE_LABEL = {
  APPLYING: ['发送中', 'sending'],
  ACCEPT: ['已受理，扣款中', 'accepted, being charged'],
  SUCCESS: ['已支付', 'paid'],
  PAY_FAIL: ['扣款失败', 'failed'],
  REFUSED: ['被拒绝', 'refused'],
};

const POLICY_LABEL = {
  allow: ['允许解约', 'allow the termination'],
  'refuse-while-charging': ['扣款处理中时拒绝', 'refuse while a charge is in flight'],
};

const fmtTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

function chargesTable(s, tokenFor) {
  if (!s.deductions.length) return '<p class="muted" id="no-deductions">还没有扣款 No charge yet.</p>';
  const rows = s.deductions.map((d) => {
    const [zh, en] = STATE_LABEL[d.state] ?? [d.state, ''];
    const detail = d.state === 'REFUSED' ? `<code>${esc(d.error_code)}</code>`
      : d.transaction_id ? `<code class="tx">${esc(d.transaction_id)}</code>${d.trade_state_desc && d.state === 'PAY_FAIL' ? `<br>${esc(d.trade_state_desc)}` : ''}` : '';
    const query = form(actions(s.code).orderQuery(d.out_trade_no), tokenFor,
      '<button class="small secondary" type="submit">查询 Query</button>', ` class="inline order-query" data-out-trade-no="${esc(d.out_trade_no)}"`);
    return `<tr data-out-trade-no="${esc(d.out_trade_no)}" data-state="${esc(d.state)}"><td><code>${esc(d.out_trade_no)}</code><br>${esc(d.description)}</td><td class="amount">${yuan(d.amount_fen)}</td><td class="charge-state">${esc(zh)} <span class="en">${esc(en)}</span>${detail ? `<br>${detail}` : ''}</td><td>${query}</td></tr>`;
  });
  return `<table id="deductions"><tr><th>out_trade_no</th><th>金额 amount</th><th>状态 state</th><th></th></tr>
${rows.join('\n')}</table>`;
}

/** The form that sends a charge; `deduct`: the values typed when it is shown again after an error. */
function deductForm(s, tokenFor, deduct = {}) {
  const { amount = '', description = '', error = null } = deduct;
  const account = deduct.harmony_account_id ?? `harmony-${s.request.out_user_code ?? 'user'}`.slice(0, 64);
  return form(actions(s.code).deduct, tokenFor, `
<div class="grid2">
<div class="field${error ? ' invalid' : ''}"><label for="amount">金额（元） <span class="en">Amount, yuan</span><code class="name">amount.total = yuan × 100</code></label><input type="text" inputmode="decimal" id="amount" name="amount" value="${esc(amount)}" placeholder="12.30" autocomplete="off"${error ? ' aria-invalid="true" aria-describedby="deduct-error"' : ''}></div>
<div class="field"><label for="description">商品描述 <span class="en">Description</span><code class="name">description</code></label><input type="text" id="description" name="description" value="${esc(description || '会员月费 Monthly membership')}" autocomplete="off"></div>
</div>
<div class="field"><label for="harmony_account_id">鸿蒙账号 <span class="en">HarmonyOS account</span><code class="name">harmony_account_id</code></label><input type="text" id="harmony_account_id" name="harmony_account_id" value="${esc(account)}" autocomplete="off" spellcheck="false"></div>
<p><button type="submit" id="deduct">发起扣款 <span>Charge the contract</span></button></p>`, ' id="deduct-form" novalidate');
}

function inquiriesList(s) {
  if (!s.inquiries.length) return '';
  const items = s.inquiries.map((i) => `<li data-allowed="${i.allow}" data-notification-id="${esc(i.id)}">${fmtTime(i.received_at)}: <strong>${i.allow ? '同意解约 <span class="en">allowed</span>' : '拒绝解约 <span class="en">refused</span>'}</strong> <span class="muted">(${esc(POLICY_LABEL[i.policy]?.[1] ?? i.policy)}; ${i.in_flight} charge${i.in_flight === 1 ? '' : 's'} in flight)</span>${i.allow ? '' : `<br><span class="inquiry-message">${esc(i.message)}</span>`}</li>`);
  return `<h3>解约询问 <span class="en">Termination inquiries (ENTRUST.TERMINATE_INQUIRY)</span></h3><ul id="inquiries">${items.join('\n')}</ul>`;
}

function policyForm(ctx, s, tokenFor) {
  const current = ctx.store.inquiries.policy();
  const radios = INQUIRY_POLICIES.map((p) => `<label><input type="radio" name="policy" value="${p}"${p === current ? ' checked' : ''}> ${esc(POLICY_LABEL[p][0])} <span class="en">${esc(POLICY_LABEL[p][1])}</span></label>`).join('\n');
  return `<div id="policy" data-policy="${esc(current)}"><p class="muted">用户申请解约时，商户的回答 When the user asks to end the contract, the merchant answers:</p>
${form(actions(s.code).policy, tokenFor, `<fieldset class="policy"><legend>解约策略 <span class="en">Inquiry policy</span></legend>${radios}
<button class="small" type="submit" id="set-policy">保存 <span>Save</span></button></fieldset>`)}</div>`;
}

/**
 * The charges, inquiries, policy and contract buttons of a signed (or terminated) contract.
 * `tokenFor(action)`: the token of a form for this browser (null: render no forms);
 * `deduct`: the deduction form's values and error when it is shown again.
 */
export function chargesInner(ctx, s, tokenFor, deduct) {
  if (!s.signed) return '';
  const live = !s.terminated;
  const a = actions(s.code);
  const emulatorButtons = ctx.mode === 'emulator' && live
    ? form(a.requestTermination, tokenFor, '<button class="secondary" type="submit" id="request-termination">用户申请解约 <span>User asks to end it (emulator)</span></button>', ' class="inline"')
      + form(a.terminate, tokenFor, '<button class="secondary" type="submit" id="terminate">模拟解约 <span>Terminate at once (emulator)</span></button>', ' class="inline"')
    : '';
  return `<h3>扣款 <span class="en">Deductions</span></h3>
${chargesTable(s, tokenFor)}
${live ? deductForm(s, tokenFor, deduct) : ''}
${inquiriesList(s)}
${live ? policyForm(ctx, s, tokenFor) : ''}
<div class="buttons">${form(a.query, tokenFor, '<button class="secondary" type="submit" id="query-contract">查询签约 <span>Query the contract</span></button>', ' class="inline"')}${emulatorButtons}</div>`;
}

/** The deduction form's error, shown above the status (the live status replaces the form). */
export function deductErrorSection(deduct) {
  if (!deduct?.error) return '';
  return `<section class="alert" id="deduct-error" role="alert"><h2>未发送扣款 <span class="en">The charge was not sent</span></h2><p>${esc(deduct.error)}</p></section>`;
}

/** The answer of an on-demand query (contract or order), shown below the status. */
export function queryAnswerSection({ id, title, answer, error }) {
  const body = error
    ? `<p class="err" role="alert"><code class="api-code">${esc(error.code)}</code> ${esc(String(error.message ?? ''))}</p>`
    : `<pre>${esc(JSON.stringify(answer, null, 2))}</pre>`;
  return `<section class="card" id="${esc(id)}" data-ok="${error ? 'false' : 'true'}"><h2>${title}</h2>${body}</section>`;
}
