// Deduction orders of the HarmonyOS entrusted deduction: accepted by
// POST /v3/papay/pay/harmony/transactions/apply, charged after `chargeDelayMs`, reported
// by TRANSACTION.SUCCESS / TRANSACTION.FAIL to transaction_notify_url, and read back by
// GET /v3/pay/transactions/out-trade-no/{out_trade_no}. See ../SPEC-EXCERPTS.md section 2.
import { isDeepStrictEqual } from 'node:util';
import { HttpError } from './http.mjs';
import { randomDigits, rfc3339CST } from './wire.mjs';

export class Deductions {
  /** @param {{ now, notifier, store, client, chargeDelayMs: number }} o */
  constructor(o) {
    this.o = o;
    /** out_trade_no -> order */
    this.orders = new Map();
    this.timers = new Set();
  }

  /**
   * Accepts a validated body. The same out_trade_no with an equal body (as JSON values)
   * gets the first answer again and no second charge; a different body is refused.
   * `takeFail()` takes a payFail fault for a new order (or gives null). Returns the answer.
   */
  apply(body, { mode, takeFail }) {
    const { client, store, now } = this.o;
    const prev = this.orders.get(body.out_trade_no);
    if (prev) {
      if (isDeepStrictEqual(prev.request, body)) return prev.answer;
      throw new HttpError(400, 'INVALID_REQUEST', `商户订单号重复 (out_trade_no ${body.out_trade_no} was already used with another body; send the same body to repeat a deduction, or a new out_trade_no)`, { field: '/out_trade_no', value: body.out_trade_no, issue: 'already used with a different body', location: 'body' });
    }
    const c = store.byContractId(body.contract_id);
    if (!c) {
      throw new HttpError(400, 'CONTRACT_NOT_EXIST', `签约协议不存在 (no contract ${body.contract_id})`, { field: '/contract_id', value: body.contract_id, issue: 'no such contract', location: 'body' });
    }
    if (c.state !== 'SIGNED') {
      throw new HttpError(403, 'CONTRACT_NOT_SIGNED', `签约协议状态不可扣款 (contract ${body.contract_id} is ${c.state}, not SIGNED)`, { field: '/contract_id', value: body.contract_id, issue: `contract is ${c.state}`, location: 'body' });
    }
    const fail = takeFail();
    const answer = { out_trade_no: body.out_trade_no, amount: { total: body.amount.total, currency: body.amount.currency ?? 'CNY' } };
    const order = {
      out_trade_no: body.out_trade_no,
      request: body,
      answer,
      mchid: client.mchid,
      appid: body.appid,
      contract_id: body.contract_id,
      openid: c.openid,
      transaction_notify_url: body.transaction_notify_url,
      trade_state: 'ACCEPT',
      transaction_id: null,
      success_time: null,
      trade_state_desc: '已受理，扣款中 (accepted, being charged)',
      fail: fail ? { trade_state_desc: fail.detail?.trade_state_desc ?? '扣款失败 (injected fault: payFail)' } : null,
      accepted_at: now(),
      charged_at: null,
      notify_mode: mode,
      notifications: [],
    };
    this.orders.set(order.out_trade_no, order);
    this.#later(() => this.charge(order), this.o.chargeDelayMs);
    return answer;
  }

  #later(fn, ms) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  /** Charges an order still being charged now, instead of after the delay. */
  chargeNow(outTradeNo) {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new HttpError(404, 'ORDER_NOT_EXIST', `no order with out_trade_no ${outTradeNo}`);
    if (order.trade_state !== 'ACCEPT') throw new HttpError(409, 'INVALID_STATE', `order ${outTradeNo} is ${order.trade_state}, not ACCEPT`);
    this.charge(order);
    return this.view(order);
  }

  /** Charges an accepted order: SUCCESS, or PAY_FAIL when a payFail fault was taken. */
  charge(order) {
    if (order.trade_state !== 'ACCEPT') return;
    const t = this.o.now();
    order.charged_at = t;
    order.transaction_id = '42' + randomDigits(26);
    if (order.fail) {
      order.trade_state = 'PAY_FAIL';
      order.trade_state_desc = order.fail.trade_state_desc;
    } else {
      order.trade_state = 'SUCCESS';
      order.trade_state_desc = '支付成功';
      order.success_time = rfc3339CST(t);
    }
    const success = order.trade_state === 'SUCCESS';
    const id = this.o.notifier.send(
      order.transaction_notify_url,
      success ? 'TRANSACTION.SUCCESS' : 'TRANSACTION.FAIL',
      success ? '支付成功' : '支付失败',
      this.view(order),
      { out_trade_no: order.out_trade_no, contract_id: order.contract_id },
      order.notify_mode,
      { originalType: 'transaction' },
    );
    order.notifications.push(id);
  }

  /** The API's view of an order (order query answer, TRANSACTION.* plaintext). */
  view(order) {
    const r = order.request;
    const v = {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.out_trade_no,
      trade_type: 'PAP',
      trade_state: order.trade_state,
      trade_state_desc: order.trade_state_desc,
    };
    if (order.transaction_id) v.transaction_id = order.transaction_id;
    if (order.trade_state === 'SUCCESS') {
      v.bank_type = 'OTHERS';
      v.success_time = order.success_time;
    }
    if (r.attach !== undefined) v.attach = r.attach;
    v.payer = { openid: order.openid };
    v.amount = { total: r.amount.total, currency: r.amount.currency ?? 'CNY' };
    if (order.trade_state === 'SUCCESS') Object.assign(v.amount, { payer_total: r.amount.total, payer_currency: 'CNY' });
    v.contract_id = order.contract_id;
    return v;
  }

  /** The control API's dump of an order (with the API view as `view`). */
  dump(order) {
    const { fail, ...rest } = order;
    return { ...rest, pay_fail_fault: Boolean(fail), view: this.view(order) };
  }

  close() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
