// The contract store: pre-sign sessions and the contracts they become, their states
// (PENDING, SIGNED, TERMINATED, EXPIRED, CANCELLED), the API's view of them, and the
// user's actions (sign, cancel, ask to terminate) and termination, each with its
// ENTRUST.* notification.
import { HttpError } from './http.mjs';
import { randomDigits, randomString, rfc3339CST } from './wire.mjs';

const OPENID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export class ContractStore {
  /** @param {{ now: () => number, notifier, sessionTtlMs: number }} o */
  constructor(o) {
    this.o = o;
    /** pre_entrustweb_id -> contract */
    this.contracts = new Map();
  }

  add(c) {
    this.contracts.set(c.pre_entrustweb_id, c);
  }

  /** Computes the state a pending session has now (EXPIRED after its lifetime). */
  refresh(c) {
    if (c.state === 'PENDING' && this.o.now() > c.expires_at) c.state = 'EXPIRED';
    return c;
  }

  all() {
    return [...this.contracts.values()].map((c) => this.refresh(c));
  }

  bySession(id) {
    return this.contracts.has(id) ? this.refresh(this.contracts.get(id)) : null;
  }

  /** By pre_entrustweb_id or contract_id. */
  find(id) {
    if (this.contracts.has(id)) return this.refresh(this.contracts.get(id));
    for (const c of this.contracts.values()) {
      if (c.contract_id === id) return this.refresh(c);
    }
    return null;
  }

  byCode(code) {
    for (const c of this.contracts.values()) if (c.out_contract_code === code) return this.refresh(c);
    return null;
  }

  byContractId(contractId) {
    let c = null;
    for (const x of this.contracts.values()) if (x.contract_id && x.contract_id === contractId) c = x;
    return c;
  }

  /** The API's view of a contract (GET answer, notification plaintext). */
  view(c) {
    const v = {
      mchid: c.mchid,
      contract_id: c.contract_id,
      appid: c.appid,
      plan_id: c.plan_id,
      out_contract_code: c.out_contract_code,
      contract_display_account: c.contract_display_account,
      contract_state: c.state,
      contract_signed_time: c.contract_signed_time,
      contract_expired_time: c.contract_expired_time,
      openid: c.openid,
      out_user_code: c.out_user_code,
    };
    if (c.contract_terminate_info) v.contract_terminate_info = { ...c.contract_terminate_info };
    return v;
  }

  /** The control API's dump of a contract (notification ids instead of the live array). */
  dump(c) {
    const { notifications, ...rest } = c;
    return { ...rest, notification_ids: [...notifications] };
  }

  notify(c, eventType, summary) {
    const view = this.view(c);
    const meta = { contract_id: c.contract_id, out_contract_code: c.out_contract_code };
    c.notifications.push(this.o.notifier.send(c.contract_notify_url, eventType, summary, view, meta, c.notify_mode));
    return view;
  }

  /** The user agrees: SIGNED, contract_id assigned, ENTRUST.SIGN sent. */
  sign(preEntrustwebId, opts = {}) {
    const c = this.bySession(preEntrustwebId);
    if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `pre_entrustweb_id ${preEntrustwebId} does not exist`);
    if (c.state === 'EXPIRED') throw new HttpError(410, 'PRE_ENTRUST_EXPIRED', `pre-sign session ${preEntrustwebId} expired (valid ${this.o.sessionTtlMs} ms); call pre-entrust-sign again with a new out_contract_code`);
    if (c.state === 'CANCELLED') throw new HttpError(409, 'PRE_ENTRUST_CANCELLED', `the user cancelled pre-sign session ${preEntrustwebId}`);
    if (c.state !== 'PENDING') throw new HttpError(409, 'CONTRACT_ALREADY_SIGNED', `pre-sign session ${preEntrustwebId} was already signed (contract ${c.contract_id}, state ${c.state})`);
    const t = this.o.now();
    c.state = 'SIGNED';
    c.contract_id = 'Wx' + randomDigits(26);
    c.openid = opts.openid ?? c.openid ?? 'o' + randomString(27, OPENID_ALPHABET);
    c.signed_at = t;
    c.contract_signed_time = rfc3339CST(t);
    c.contract_expired_time = rfc3339CST(t + 5 * 365 * 86400_000);
    return this.notify(c, 'ENTRUST.SIGN', '签约成功');
  }

  cancel(preEntrustwebId) {
    const c = this.bySession(preEntrustwebId);
    if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `pre_entrustweb_id ${preEntrustwebId} does not exist`);
    if (c.state === 'EXPIRED') throw new HttpError(410, 'PRE_ENTRUST_EXPIRED', `pre-sign session ${preEntrustwebId} expired`);
    if (c.state !== 'PENDING') throw new HttpError(409, 'INVALID_STATE', `pre-sign session ${preEntrustwebId} is ${c.state}, not PENDING`);
    c.state = 'CANCELLED';
    return { pre_entrustweb_id: c.pre_entrustweb_id, state: c.state };
  }

  /** The contract of a termination: it must exist and be SIGNED. */
  signedContract(contractId) {
    const c = this.byContractId(contractId);
    if (!c) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', `contract ${contractId} does not exist`);
    if (c.state === 'TERMINATED') throw new HttpError(409, 'CONTRACT_ALREADY_TERMINATED', `contract ${contractId} is already terminated`);
    if (c.state !== 'SIGNED') throw new HttpError(409, 'CONTRACT_NOT_SIGNED', `contract ${contractId} is ${c.state}`);
    return c;
  }

  /**
   * The user asks to end a SIGNED contract: ENTRUST.TERMINATE_INQUIRY goes to the
   * contract's notify URL and the merchant's answer decides (spec section 3):
   * 2xx + {"code":"SUCCESS"} -> terminated (USER_TERMINATE) and ENTRUST.TERMINATE;
   * 2xx + {"code":"FAIL","message"} -> stays SIGNED, refusal recorded; anything else is
   * retried like any notification, and after the last attempt recorded as NO_ANSWER.
   * Returns { inquiry (live record), settled (promise of it once decided) }.
   */
  requestTermination(contractId, opts = {}) {
    const c = this.signedContract(contractId);
    c.termination_inquiries ??= [];
    const last = c.termination_inquiries.at(-1);
    if (last?.state === 'PENDING') {
      throw new HttpError(409, 'TERMINATION_INQUIRY_PENDING', `contract ${contractId} already has a termination inquiry waiting for the merchant's answer (${last.event_id})`);
    }
    const inquiry = { event_id: null, state: 'PENDING', requested_at: this.o.now(), answered_at: null, message: null };
    const resource = {
      mchid: c.mchid,
      appid: c.appid,
      openid: c.openid,
      plan_id: c.plan_id,
      out_contract_code: c.out_contract_code,
      out_user_code: c.out_user_code,
      contract_id: c.contract_id,
      contract_display_account: c.contract_display_account,
      contract_state: c.state,
      contract_signed_time: c.contract_signed_time,
    };
    const meta = { contract_id: c.contract_id, out_contract_code: c.out_contract_code };
    let settle;
    const settled = new Promise((resolve) => { settle = resolve; });
    inquiry.event_id = this.o.notifier.send(c.contract_notify_url, 'ENTRUST.TERMINATE_INQUIRY', '解约询问', resource, meta, c.notify_mode, {
      accept: (r) => inquiryAnswer(r.body) !== null,
      onSettled: (outcome) => {
        inquiry.answered_at = this.o.now();
        const answer = outcome.delivered ? inquiryAnswer(outcome.rec.response) : null;
        if (!answer) {
          inquiry.state = 'NO_ANSWER';
        } else if (answer.allow) {
          inquiry.state = 'ALLOWED';
          if (c.state === 'SIGNED') this.terminate(c.contract_id, { mode: 'USER_TERMINATE', remark: opts.remark });
        } else {
          inquiry.state = 'REFUSED';
          inquiry.message = answer.message;
        }
        settle(inquiry);
      },
    });
    c.notifications.push(inquiry.event_id);
    c.termination_inquiries.push(inquiry);
    return { inquiry, settled };
  }

  /** Terminates at once: TERMINATED + ENTRUST.TERMINATE. */
  terminate(contractId, opts = {}) {
    const c = this.signedContract(contractId);
    const t = this.o.now();
    c.state = 'TERMINATED';
    c.terminated_at = t;
    c.contract_terminate_info = {
      contract_termination_mode: String(opts.mode ?? opts.contract_termination_mode ?? 'USER_TERMINATE'),
      contract_terminated_time: rfc3339CST(t),
      contract_termination_remark: String(opts.remark ?? opts.contract_termination_remark ?? '用户解约 terminated by the user'),
    };
    return this.notify(c, 'ENTRUST.TERMINATE', '解约成功');
  }
}

/** The merchant's answer to an inquiry: { allow, message } or null (not an answer). */
export function inquiryAnswer(bodyText) {
  let v;
  try { v = JSON.parse(bodyText ?? ''); } catch { return null; }
  if (!v || typeof v !== 'object') return null;
  if (v.code === 'SUCCESS') return { allow: true, message: typeof v.message === 'string' ? v.message : null };
  if (v.code === 'FAIL') return { allow: false, message: typeof v.message === 'string' ? v.message : null };
  return null;
}
