// The page frame shared by every page: HTML escaping, the style sheet and the layout.

export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

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
h3{font-size:1rem;margin:1.1em 0 .4em}
button.small{padding:6px 12px;font-size:14px;white-space:nowrap}
form.inline{display:inline-block;margin:0 8px 8px 0}
.buttons{margin-top:12px}
fieldset.policy label{display:flex;gap:8px;align-items:center;padding:4px 0}
fieldset.policy{padding-bottom:10px}
#deductions td.amount{white-space:nowrap;font-weight:600}
#deductions tr[data-state=SUCCESS] .charge-state{color:var(--green);font-weight:600}
#deductions tr[data-state=PAY_FAIL] .charge-state,#deductions tr[data-state=REFUSED] .charge-state{color:var(--red);font-weight:600}
#deductions tr[data-state=ACCEPT] .charge-state,#deductions tr[data-state=APPLYING] .charge-state{color:#9a6700;font-weight:600}
#inquiries li[data-allowed=false] strong{color:var(--red)}
#inquiries li[data-allowed=true] strong{color:var(--green)}
code.tx{font-size:12px}
footer{max-width:46rem;margin:0 auto;padding:0 16px 24px;color:var(--muted);font-size:13px}
@media (min-width:640px){.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 16px}}
`;

export function layout(ctx, title, body, { script = '' } = {}) {
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
<footer>wechatpay-wasm · 鸿蒙委托代扣 HarmonyOS entrusted deduction · ${ctx.mode === 'emulator' ? `WeChat Pay emulator <a href="${esc(ctx.emulatorUrl)}/emulator/">${esc(ctx.emulatorUrl)}</a>` : esc(ctx.baseURL ?? 'api.mch.weixin.qq.com')}</footer>
${script}
</body>
</html>`;
}

/** A page with one message: not found (default), refused, an internal error. */
export function messagePage(ctx, what, heading = '找不到 Not found') {
  const [zh, en] = heading.split(' ');
  return layout(ctx, en, `<h1>${esc(zh)} <span class="en">${esc(en)}</span></h1><p>${esc(what)}</p><p><a href="/">← 返回 Back</a></p>`);
}
