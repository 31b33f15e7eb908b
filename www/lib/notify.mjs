// POST /notify: the contract_notify_url and transaction_notify_url handler, as a merchant
// writes it. The raw body is verified and decrypted by parseNotification and stored once; the
// answer is notificationReply (204, or WeChat Pay's FAIL shape so that it retries), except for
// a termination inquiry, which gets the merchant's decision (terminateInquiryReply: 200 with
// {"code":"SUCCESS"} or {"code":"FAIL","message"}), the same for every delivery of its id.
import { notificationReply } from 'wechatpay-wasm';
import { readBody } from './http.mjs';
import { terminateInquiryReply } from './calls.mjs';

export async function handleNotification(ctx, req, res) {
  const raw = await readBody(req);
  let reply;
  try {
    const event = await ctx.client.parseNotification({ headers: req.headers, body: raw });
    const outcome = ctx.store.record(event);
    ctx.say(`notify ${event.event_type} ${event.id}: ${outcome}`);
    if (event.event_type === 'ENTRUST.TERMINATE_INQUIRY') {
      const answer = ctx.store.inquiries.get(event.id);
      ctx.say(`inquiry ${event.id}: ${answer.allow ? 'allowed' : `refused (${answer.message})`}`);
      reply = terminateInquiryReply(answer.allow, answer.message);
    } else {
      reply = notificationReply();
    }
  } catch (e) {
    ctx.say(`notify rejected: ${e.code} ${e.message}`);
    reply = notificationReply(e);
  }
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
