// The termination inquiry (ENTRUST.TERMINATE_INQUIRY): the operator's policy (the settings
// table) and each inquiry's answer (the termination_inquiries table of www/schema.sql).
//
// decide() runs inside store.record's transaction, the one that inserts the notification id:
// the charges in flight it counts are those committed at that moment, and a retried inquiry
// (same id) is answered from its row, as the first time.
import { INQUIRY_POLICIES, inquiryAnswer } from './deductions.mjs';

/** The policy until the operator picks one: the merchant's usual rule. */
export const DEFAULT_POLICY = 'refuse-while-charging';

/** The inquiries and the policy of a store (openStore's `db`); `deductions`: deductionsOf(db). */
export function inquiriesOf(db, deductions) {
  const q = {
    policy: db.prepare("SELECT value FROM settings WHERE key = 'inquiry_policy'").pluck(),
    setPolicy: db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('inquiry_policy', ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
    insert: db.prepare(`INSERT INTO termination_inquiries (notification_id, out_contract_code, contract_id, policy,
        charges_in_flight, allowed, message, received_at)
      VALUES (@id, @code, @contract_id, @policy, @in_flight, @allowed, @message, @now)`),
    get: db.prepare('SELECT * FROM termination_inquiries WHERE notification_id = ?'),
    ofContract: db.prepare('SELECT * FROM termination_inquiries WHERE out_contract_code = ? ORDER BY received_at, rowid'),
  };

  const policy = () => {
    const p = q.policy.get();
    return INQUIRY_POLICIES.includes(p) ? p : DEFAULT_POLICY;
  };

  /** A row -> `{ id, code, contract_id, policy, in_flight, allow, message, received_at }`. */
  const view = (row) => row && {
    id: row.notification_id, code: row.out_contract_code, contract_id: row.contract_id, policy: row.policy,
    in_flight: row.charges_in_flight, allow: row.allowed === 1, message: row.message, received_at: row.received_at,
  };

  return {
    policy,
    /** Sets the policy (one of INQUIRY_POLICIES; anything else throws, naming them). */
    setPolicy(p) {
      inquiryAnswer(p, []); // validates the name
      q.setPolicy.run(p, Date.now());
    },
    /**
     * The answer to a new inquiry `event` about contract `code` (null when it named none this
     * demo keeps): decided under the policy in force, written, returned. Call it inside the
     * transaction that inserted the notification id.
     */
    decide(event, code, now) {
      const r = event.resource ?? {};
      const inFlight = code ? deductions.inFlight(code) : [];
      const p = policy();
      const { allow, message } = inquiryAnswer(p, inFlight);
      q.insert.run({
        id: event.id, code, contract_id: typeof r.contract_id === 'string' ? r.contract_id : null, policy: p,
        in_flight: inFlight.length, allowed: allow ? 1 : 0, message, now,
      });
      return view(q.get.get(event.id));
    },
    /** The answer given to the inquiry of notification `id` (undefined when none was). */
    get: (id) => view(q.get.get(id)),
    /** A contract's inquiries, oldest first. */
    ofContract: (code) => q.ofContract.all(code).map(view),
  };
}
