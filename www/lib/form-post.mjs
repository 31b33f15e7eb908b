// A state-changing form post: read with a limit, and let through only from the demo's own page
// with the form's token (guard.mjs); otherwise answered 403 here and nothing is done.
import { TOKEN_FIELD } from './guard.mjs';
import { readBody, send } from './http.mjs';
import { messagePage } from './layout.mjs';

/**
 * Reads a form post to `action`; its fields, or null (after answering 403) unless it comes
 * from the demo's own page with the form's token.
 */
export async function formPost(ctx, req, res, action) {
  const params = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
  const refused = ctx.guard.checkForm(req, action, params.get(TOKEN_FIELD));
  if (refused) {
    ctx.say(`refused ${req.method} ${action}: ${refused}`);
    send(res, 403, messagePage(ctx, `拒绝 Refused: ${refused}`, '拒绝 Refused'));
    return null;
  }
  return params;
}
