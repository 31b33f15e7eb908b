// POST /notify: the contract_notify_url handler, as a merchant writes it. The raw body is
// verified and decrypted by parseNotification, stored once, and answered with
// notificationReply (204, or WeChat Pay's FAIL shape so that it retries).
import { notificationReply } from 'wechatpay-wasm';
import { readBody } from './http.mjs';

export async function handleNotification(ctx, req, res) {
  const raw = await readBody(req);
  let reply;
  try {
    const event = await ctx.client.parseNotification({ headers: req.headers, body: raw });
    const outcome = ctx.store.record(event);
    ctx.say(`notify ${event.event_type} ${event.id}: ${outcome}`);
    reply = notificationReply();
  } catch (e) {
    ctx.say(`notify rejected: ${e.code} ${e.message}`);
    reply = notificationReply(e);
  }
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
