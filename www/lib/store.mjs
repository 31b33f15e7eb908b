// The demo's state in an embedded SQLite database (better-sqlite3; schema: www/schema.sql):
// pre-signs / contracts by out_contract_code, and the notifications acted on, once per id.
//
// A notification is acted on once: its id is inserted (PRIMARY KEY) in the same IMMEDIATE
// transaction as its effect. A retry finds the id and only counts the delivery; two deliveries
// at once (two requests, two processes on the same file) are serialised by SQLite's write lock,
// and the second finds the id. State survives a restart: open the same file again.
//
// Bounded: at most `maxPending` open pre-signs (a new one is refused beyond that); a pre-sign
// that expired unsigned is deleted `retainMs` after it expired; notification ids are kept
// `eventRetainMs` (WeChat Pay retries for about 24 hours), then deleted. Signed and terminated
// contracts are the merchant's records and are kept.
import Database from 'better-sqlite3';
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { deductionsOf } from './deductions.mjs';
import { inquiriesOf } from './inquiries.mjs';

export const STORE_LIMITS = { maxPending: 100, retainMs: 3_600_000, eventRetainMs: 48 * 3_600_000 };

const SCHEMA = readFileSync(new URL('../schema.sql', import.meta.url), 'utf8');

/**
 * The notifications acted on: a contract's (ENTRUST.*) and a charge's result (TRANSACTION.*);
 * any other verified event is recorded as ignored.
 */
const CONTRACT_EVENTS = new Set(['ENTRUST.SIGN', 'ENTRUST.TERMINATE']);
const RESULT_EVENTS = new Set(['TRANSACTION.SUCCESS', 'TRANSACTION.FAIL']);
/** A user asks to end a contract: answered under the operator's policy (lib/inquiries.mjs). */
const INQUIRY_EVENT = 'ENTRUST.TERMINATE_INQUIRY';

/**
 * A row -> the session object the pages show (null columns left out), with its notifications
 * acted on, the duplicates ignored, its charges and its termination inquiries.
 */
function toSession(row, events, duplicates, deductions = [], inquiries = []) {
  const pick = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
  return {
    code: row.out_contract_code,
    scene: row.sign_scene,
    request: JSON.parse(row.request_json),
    response: JSON.parse(row.answer_json),
    createdAt: row.created_at,
    expiresAt: row.presign_expires_at,
    signed: row.state === 'PRE_SIGNED' ? null : pick({
      contract_id: row.contract_id, out_contract_code: row.out_contract_code, plan_id: row.plan_id,
      contract_signed_time: row.contract_signed_time, contract_expired_time: row.contract_expired_time, openid: row.openid,
    }),
    terminated: row.state !== 'TERMINATED' ? null : {
      contract_terminate_info: pick({
        contract_terminated_time: row.contract_terminated_time,
        contract_termination_mode: row.contract_termination_mode,
        contract_termination_remark: row.contract_termination_remark,
      }),
    },
    events,
    duplicates,
    deductions,
    inquiries,
  };
}

/**
 * Opens (creating when missing) the database `file` (':memory:' for none). `ttl`: the pre-sign
 * session lifetime; `onChange(code)`: called after a notification changed (or was a duplicate
 * for) a contract.
 */
export function openStore({ file, ttl, onChange = () => {}, ...limits }) {
  const { maxPending, retainMs, eventRetainMs } = { ...STORE_LIMITS, ...limits };
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);

  const q = {
    insertContract: db.prepare(`INSERT INTO contracts (out_contract_code, plan_id, appid, out_user_code, contract_display_account,
        sign_scene, pre_entrustweb_id, presign_expires_at, request_json, answer_json, created_at, updated_at)
      VALUES (@code, @plan_id, @appid, @out_user_code, @display, @scene, @pre, @expires, @request, @answer, @now, @now)
      ON CONFLICT (out_contract_code) DO UPDATE SET plan_id = excluded.plan_id, appid = excluded.appid,
        out_user_code = excluded.out_user_code, contract_display_account = excluded.contract_display_account,
        sign_scene = excluded.sign_scene, pre_entrustweb_id = excluded.pre_entrustweb_id,
        presign_expires_at = excluded.presign_expires_at, request_json = excluded.request_json,
        answer_json = excluded.answer_json, created_at = excluded.created_at, updated_at = excluded.updated_at
      WHERE contracts.state = 'PRE_SIGNED'`),
    contract: db.prepare('SELECT * FROM contracts WHERE out_contract_code = ?'),
    codeOfContractId: db.prepare('SELECT out_contract_code FROM contracts WHERE contract_id = ?').pluck(),
    recent: db.prepare('SELECT * FROM contracts ORDER BY created_at DESC, rowid DESC LIMIT ?'),
    pending: db.prepare("SELECT count(*) FROM contracts WHERE state = 'PRE_SIGNED' AND presign_expires_at > ?").pluck(),
    counts: db.prepare('SELECT (SELECT count(*) FROM contracts) AS sessions, (SELECT count(*) FROM notifications) AS events'),
    events: db.prepare(`SELECT id, event_type, create_time, received_at FROM notifications
      WHERE out_contract_code = ? AND effect = 'applied' ORDER BY received_at, rowid`),
    duplicates: db.prepare(`SELECT coalesce(sum(deliveries - 1), 0) + coalesce(sum(effect = 'no_change'), 0)
      FROM notifications WHERE out_contract_code = ?`).pluck(),
    insertEvent: db.prepare(`INSERT INTO notifications (id, event_type, out_contract_code, out_trade_no, effect, create_time,
        resource_json, received_at, last_received_at)
      VALUES (@id, @event_type, @code, @out_trade_no, 'ignored', @create_time, @resource, @now, @now)
      ON CONFLICT (id) DO NOTHING`),
    redelivered: db.prepare('UPDATE notifications SET deliveries = deliveries + 1, last_received_at = ? WHERE id = ?'),
    codeOfEvent: db.prepare('SELECT out_contract_code FROM notifications WHERE id = ?').pluck(),
    setEffect: db.prepare('UPDATE notifications SET effect = ? WHERE id = ?'),
    insertUnknown: db.prepare(`INSERT INTO contracts (out_contract_code, plan_id, appid, out_user_code, sign_scene,
        presign_expires_at, request_json, answer_json, created_at, updated_at)
      VALUES (@code, @plan_id, @appid, @out_user_code, '?', @now, @request, '{}', @now, @now)
      ON CONFLICT (out_contract_code) DO NOTHING`),
    sign: db.prepare(`UPDATE contracts SET state = 'SIGNED', contract_id = @contract_id, openid = coalesce(@openid, openid),
        contract_signed_time = @signed_time, contract_expired_time = @expired_time, updated_at = @now
      WHERE out_contract_code = @code AND state = 'PRE_SIGNED'`),
    terminate: db.prepare(`UPDATE contracts SET state = 'TERMINATED', contract_id = coalesce(contract_id, @contract_id),
        openid = coalesce(openid, @openid), contract_signed_time = coalesce(contract_signed_time, @signed_time),
        contract_expired_time = coalesce(contract_expired_time, @expired_time),
        contract_terminated_time = @terminated_time, contract_termination_mode = @mode,
        contract_termination_remark = @remark, updated_at = @now
      WHERE out_contract_code = @code AND state <> 'TERMINATED'`),
    sweepPresigns: db.prepare("DELETE FROM contracts WHERE state = 'PRE_SIGNED' AND presign_expires_at <= ? AND NOT EXISTS (SELECT 1 FROM deductions d WHERE d.out_contract_code = contracts.out_contract_code)"),
    sweepEvents: db.prepare('DELETE FROM notifications WHERE last_received_at <= ?'),
    setEventCode: db.prepare('UPDATE notifications SET out_contract_code = ? WHERE id = ?'),
  };
  const deductions = deductionsOf(db);
  const inquiries = inquiriesOf(db, deductions);

  function get(code) {
    if (typeof code !== 'string') return undefined;
    const row = q.contract.get(code);
    return row ? toSession(row, q.events.all(code), q.duplicates.get(code), deductions.ofContract(code), inquiries.ofContract(code)) : undefined;
  }

  function sweep(now = Date.now()) {
    q.sweepPresigns.run(now - retainMs);
    q.sweepEvents.run(now - eventRetainMs);
  }
  const sweeper = setInterval(() => sweep(), Math.min(60_000, Math.max(1000, retainMs))).unref();

  /** True when one more pre-sign may be opened (fewer than maxPending are waiting). */
  const canAdd = (now = Date.now()) => q.pending.get(now) < maxPending;

  /** Stores a pre-sign WeChat Pay answered; returns its session. */
  function add(code, request, response) {
    const now = Date.now();
    q.insertContract.run({
      code, plan_id: request.plan_id, appid: request.appid, out_user_code: request.out_user_code,
      display: request.contract_display_account ?? null, scene: request.sign_scene, pre: response.pre_entrustweb_id ?? null,
      expires: now + ttl, request: JSON.stringify(request), answer: JSON.stringify(response), now,
    });
    return get(code);
  }

  /** The effect of one verified notification, in the caller's transaction. */
  const apply = db.transaction((event, now) => {
    const r = event.resource && typeof event.resource === 'object' ? event.resource : {};
    const known = typeof r.contract_id === 'string' ? q.codeOfContractId.get(r.contract_id) : undefined;
    const named = known ?? (typeof r.out_contract_code === 'string' && r.out_contract_code !== '' ? r.out_contract_code : null);
    const inserted = q.insertEvent.run({
      id: event.id, event_type: event.event_type, code: named,
      out_trade_no: typeof r.out_trade_no === 'string' ? r.out_trade_no : null,
      create_time: event.create_time ?? null, resource: JSON.stringify(r), now,
    }).changes === 1;
    if (!inserted) {
      q.redelivered.run(now, event.id);
      return { outcome: 'duplicate', code: q.codeOfEvent.get(event.id) };
    }
    if (RESULT_EVENTS.has(event.event_type)) {
      // A charge's result: moves the deduction (out of APPLYING / ACCEPT only) in this transaction.
      const d = typeof r.out_trade_no === 'string' ? deductions.get(r.out_trade_no) : undefined;
      if (!d) return { outcome: 'ignored', code: null };
      const moved = deductions.applyResult(r);
      q.setEventCode.run(d.out_contract_code, event.id);
      q.setEffect.run(moved ? 'applied' : 'no_change', event.id);
      return { outcome: moved ? 'stored' : 'duplicate', code: d.out_contract_code };
    }
    if (event.event_type === INQUIRY_EVENT) {
      // Answered whatever it names (a contract unknown here has no charge in flight here); the
      // answer is written with the id, so a retry is answered the same (notify.mjs reads it).
      const code = named !== null && q.contract.get(named) ? named : null;
      if (!inquiries.get(event.id)) inquiries.decide(event, code, now);
      q.setEffect.run('applied', event.id);
      return { outcome: 'stored', code };
    }
    if (!CONTRACT_EVENTS.has(event.event_type) || named === null) return { outcome: 'ignored', code: null };
    // A contract this demo did not create (another instance, a lost database): keep it anyway.
    q.insertUnknown.run({
      code: named, plan_id: Number.isSafeInteger(r.plan_id) ? r.plan_id : 0, appid: String(r.appid ?? ''),
      out_user_code: String(r.out_user_code ?? ''), request: JSON.stringify({ sign_scene: '?', out_contract_code: named }), now,
    });
    const info = r.contract_terminate_info ?? {};
    const params = {
      code: named, contract_id: r.contract_id ?? null, openid: r.openid ?? null,
      signed_time: r.contract_signed_time ?? null, expired_time: r.contract_expired_time ?? null, now,
    };
    const changed = event.event_type === 'ENTRUST.SIGN'
      ? q.sign.run(params).changes
      : q.terminate.run({
        ...params, terminated_time: info.contract_terminated_time ?? null,
        mode: info.contract_termination_mode ?? null, remark: info.contract_termination_remark ?? null,
      }).changes;
    q.setEffect.run(changed ? 'applied' : 'no_change', event.id);
    return { outcome: changed ? 'stored' : 'duplicate', code: named };
  });

  /** Stores a verified notification once; 'stored', 'duplicate' or 'ignored'. */
  function record(event) {
    const { outcome, code } = apply.immediate(event, Date.now());
    if (code) onChange(code);
    return outcome;
  }

  return {
    db,
    /** The charges (lib/deductions.mjs), on the same database. */
    deductions,
    /** The termination inquiries' answers and the operator's policy (lib/inquiries.mjs). */
    inquiries,
    /** Tells the live status that contract `code` changed outside a notification (a charge sent, a query). */
    changed: (code) => onChange(code),
    add,
    canAdd,
    record,
    get,
    sweep,
    /** How many contracts (pre-signs included) and handled notification ids are kept. */
    size: () => q.counts.get(),
    /** The last `n` pre-signs, newest first. */
    recent: (n) => q.recent.all(n).map((row) => toSession(row, [], 0)),
    close() {
      clearInterval(sweeper);
      if (db.open) db.close();
    },
  };
}
