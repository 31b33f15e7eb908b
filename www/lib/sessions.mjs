// The demo's store of pre-sign sessions (by out_contract_code) and of the notifications that
// changed them. Notifications are stored idempotently: by event id first, then by contract and
// event type (a second ENTRUST.SIGN for a signed contract changes nothing).
//
// Bounded: sessions that can change no more (expired unsigned, or terminated) are dropped
// `retainMs` after that; at most `maxSessions` are kept (the oldest go first); handled event
// ids are kept `eventRetainMs` (WeChat Pay retries for about 24 hours), at most `maxEvents`.
// One sweep timer, not one per session.

export const STORE_LIMITS = { maxSessions: 1000, retainMs: 3_600_000, eventRetainMs: 48 * 3_600_000, maxEvents: 10_000 };

/** The notifications that change a session; any other verified event is acknowledged only. */
const CONTRACT_EVENTS = new Set(['ENTRUST.SIGN', 'ENTRUST.TERMINATE']);

/**
 * `ttl`: the pre-sign session lifetime; `onChange(code)`: called when a notification changed
 * (or was a duplicate for) a session.
 */
export function createSessions({ ttl, onChange = () => {}, ...limits }) {
  const { maxSessions, retainMs, eventRetainMs, maxEvents } = { ...STORE_LIMITS, ...limits };
  const sessions = new Map();
  const seenEvents = new Map(); // event id -> received at
  const byContract = new Map(); // contract_id -> out_contract_code

  /** When a session stopped changing, or null while it still can. */
  const endedAt = (s) => (s.terminated ? s.terminatedAt : !s.signed ? s.expiresAt : null);

  function remove(s) {
    sessions.delete(s.code);
    if (s.signed?.contract_id && byContract.get(s.signed.contract_id) === s.code) byContract.delete(s.signed.contract_id);
  }

  function sweep(now = Date.now()) {
    for (const s of sessions.values()) {
      const end = endedAt(s);
      if (end !== null && now - end >= retainMs) remove(s);
    }
    for (const [id, at] of seenEvents) {
      if (now - at < eventRetainMs && seenEvents.size <= maxEvents) break; // insertion order = age
      seenEvents.delete(id);
    }
  }
  const sweeper = setInterval(sweep, Math.min(60_000, Math.max(1000, retainMs))).unref();

  function add(code, request, response) {
    sweep();
    while (sessions.size >= maxSessions) remove(sessions.values().next().value);
    const now = Date.now();
    const s = { code, scene: request.sign_scene, request, response, createdAt: now, expiresAt: now + ttl, signed: null, terminated: null, terminatedAt: null, events: [], duplicates: 0 };
    sessions.delete(code); // a new pre-sign with the same code: the newest counts
    sessions.set(code, s);
    return s;
  }

  /** Stores a verified notification once: by event id, then by contract id and event type. */
  function record(event) {
    sweep();
    const r = event.resource ?? {};
    const code = byContract.get(r.contract_id) ?? r.out_contract_code;
    if (seenEvents.has(event.id)) {
      const s = sessions.get(code);
      if (s) { s.duplicates += 1; onChange(s.code); }
      return 'duplicate';
    }
    seenEvents.set(event.id, Date.now());
    if (!CONTRACT_EVENTS.has(event.event_type) || typeof code !== 'string' || code === '') return 'ignored';
    let s = sessions.get(code);
    if (!s) {
      // A contract this process did not create (e.g. after a restart): keep it anyway.
      s = add(code, { sign_scene: '?', out_contract_code: code }, {});
    }
    if (r.contract_id) byContract.set(r.contract_id, s.code);
    let changed = false;
    if (event.event_type === 'ENTRUST.SIGN' && !s.signed) { s.signed = r; changed = true; }
    if (event.event_type === 'ENTRUST.TERMINATE' && !s.terminated) {
      s.terminated = r;
      s.terminatedAt = Date.now();
      s.signed ??= r;
      changed = true;
    }
    if (changed) s.events.push({ id: event.id, event_type: event.event_type, create_time: event.create_time, received_at: Date.now() });
    else s.duplicates += 1;
    onChange(s.code);
    return changed ? 'stored' : 'duplicate';
  }

  return {
    sessions,
    add,
    record,
    sweep,
    get: (code) => sessions.get(code),
    /** How many sessions and handled event ids are kept. */
    size: () => ({ sessions: sessions.size, events: seenEvents.size }),
    /** The last `n` sessions, newest first. */
    recent: (n) => [...sessions.values()].slice(-n).reverse(),
    close() { clearInterval(sweeper); },
  };
}
