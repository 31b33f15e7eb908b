// Charges against signed contracts (the deductions table of www/schema.sql), and the answer
// to a termination inquiry under the operator's policy (stored by inquiries.mjs). The pages and
// forms that use them: charges-page.mjs, contract-routes.mjs.
//
// A deduction is written APPLYING before the request is sent (a crash then leaves a row to
// reconcile with the order query), ACCEPT once WeChat Pay accepted it, REFUSED when the apply
// call was refused, and SUCCESS / PAY_FAIL from TRANSACTION.SUCCESS / TRANSACTION.FAIL. A
// result moves a charge only out of APPLYING / ACCEPT, so a late or repeated one changes
// nothing. The result's notification is deduplicated by store.mjs (its id, in the same
// transaction).

/** States in which money may still move: a termination is refused meanwhile (policy below). */
export const IN_FLIGHT = ['APPLYING', 'ACCEPT'];

/** The operator's choices for ENTRUST.TERMINATE_INQUIRY. */
export const INQUIRY_POLICIES = ['allow', 'refuse-while-charging'];

/**
 * The merchant's answer to a user's termination inquiry: `{ allow, message }`.
 * - 'allow': always let the user end the contract;
 * - 'refuse-while-charging': refuse while a charge of the contract is in flight (APPLYING or
 *   ACCEPT), with a message shown to the user; allow otherwise.
 * `inFlight`: the contract's charges in flight (deductions.inFlight(code)).
 */
export function inquiryAnswer(policy, inFlight) {
  if (!INQUIRY_POLICIES.includes(policy)) {
    throw new TypeError(`termination inquiry policy must be one of ${INQUIRY_POLICIES.join(', ')}; got ${JSON.stringify(String(policy)).slice(0, 40)}`);
  }
  if (!Array.isArray(inFlight)) throw new TypeError('inFlight must be the list of charges in flight');
  if (policy === 'refuse-while-charging' && inFlight.length > 0) {
    const n = inFlight.length;
    return {
      allow: false,
      message: `有 ${n} 笔扣款正在处理中，请稍后再解约 (${n} charge${n > 1 ? 's are' : ' is'} in progress; try again later)`,
    };
  }
  return { allow: true, message: '' };
}

/** Amount in yuan as typed ("12.3", "0.01") -> integer fen; null when it is not one. */
export function yuanToFen(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text ?? ''));
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return fen > 0 ? fen : null;
}

/** The deductions of a store (openStore's `db`). */
export function deductionsOf(db) {
  const q = {
    contract: db.prepare('SELECT state, contract_id FROM contracts WHERE out_contract_code = ?'),
    insert: db.prepare(`INSERT INTO deductions (out_trade_no, out_contract_code, contract_id, amount_fen, description,
        created_at, updated_at) VALUES (@out_trade_no, @code, @contract_id, @amount_fen, @description, @now, @now)`),
    move: db.prepare(`UPDATE deductions SET state = @to, error_code = coalesce(@error_code, error_code), updated_at = @now
      WHERE out_trade_no = @out_trade_no AND state = @from`),
    result: db.prepare(`UPDATE deductions SET state = @to, transaction_id = coalesce(@transaction_id, transaction_id),
        trade_state_desc = @desc, success_time = @success_time, updated_at = @now
      WHERE out_trade_no = @out_trade_no AND state IN ('APPLYING', 'ACCEPT')`),
    get: db.prepare('SELECT * FROM deductions WHERE out_trade_no = ?'),
    ofContract: db.prepare('SELECT * FROM deductions WHERE out_contract_code = ? ORDER BY created_at, rowid'),
    inFlight: db.prepare(`SELECT * FROM deductions WHERE out_contract_code = ? AND state IN ('APPLYING', 'ACCEPT')
      ORDER BY created_at, rowid`),
  };

  /**
   * Writes a charge APPLYING before it is sent. Refused (an Error with `code`) unless the
   * contract is SIGNED and the amount a positive integer of fen; a repeated out_trade_no is
   * refused by its PRIMARY KEY (DUPLICATE_OUT_TRADE_NO).
   */
  const begin = db.transaction(({ out_trade_no, code, amount_fen, description }) => {
    const c = q.contract.get(code);
    const fail = (errCode, msg) => Object.assign(new Error(msg), { code: errCode });
    if (!c) throw fail('CONTRACT_UNKNOWN', `no contract ${code}`);
    if (c.state !== 'SIGNED') throw fail('CONTRACT_NOT_SIGNED', `contract ${code} is ${c.state}`);
    if (!Number.isSafeInteger(amount_fen) || amount_fen <= 0) throw fail('BAD_AMOUNT', 'amount_fen must be a positive integer of fen');
    try {
      q.insert.run({ out_trade_no, code, contract_id: c.contract_id, amount_fen, description, now: Date.now() });
    } catch (e) {
      if (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw fail('DUPLICATE_OUT_TRADE_NO', `out_trade_no ${out_trade_no} is already used`);
      throw e;
    }
    return q.get.get(out_trade_no);
  });

  return {
    begin: (d) => begin.immediate(d),
    /** WeChat Pay accepted the charge (APPLYING -> ACCEPT); false when it was not APPLYING. */
    accepted: (outTradeNo) => q.move.run({ out_trade_no: outTradeNo, from: 'APPLYING', to: 'ACCEPT', error_code: null, now: Date.now() }).changes === 1,
    /** The apply call was refused (APPLYING -> REFUSED, with WeChat Pay's code). */
    refused: (outTradeNo, errorCode) => q.move.run({ out_trade_no: outTradeNo, from: 'APPLYING', to: 'REFUSED', error_code: String(errorCode), now: Date.now() }).changes === 1,
    /**
     * A verified TRANSACTION.SUCCESS / TRANSACTION.FAIL resource (or an order query's answer
     * in a final state): true when it moved the charge. Run it inside store.record's
     * transaction so that the notification id and this effect commit together.
     */
    applyResult(order) {
      const to = order.trade_state === 'SUCCESS' ? 'SUCCESS' : order.trade_state === 'PAY_FAIL' ? 'PAY_FAIL' : null;
      if (!to || typeof order.out_trade_no !== 'string') return false;
      return q.result.run({
        out_trade_no: order.out_trade_no, to, transaction_id: order.transaction_id ?? null,
        desc: order.trade_state_desc ?? null, success_time: order.success_time ?? null, now: Date.now(),
      }).changes === 1;
    },
    get: (outTradeNo) => q.get.get(outTradeNo),
    ofContract: (code) => q.ofContract.all(code),
    inFlight: (code) => q.inFlight.all(code),
  };
}
