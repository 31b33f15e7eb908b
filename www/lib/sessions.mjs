// The demo's store of pre-sign sessions (by out_contract_code) and of the notifications that
// changed them. Notifications are stored idempotently: by event id first, then by contract and
// event type (a second ENTRUST.SIGN for a signed contract changes nothing).

/**
 * `ttl`: the pre-sign session lifetime; `onChange(code)`: called when a session's status may
 * have changed (a notification, or its expiry).
 */
export function createSessions({ ttl, onChange = () => {} }) {
  const sessions = new Map();
  const seenEvents = new Set();
  const byContract = new Map();
  const timers = new Set();

  function add(code, request, response) {
    const now = Date.now();
    const s = { code, scene: request.sign_scene, request, response, createdAt: now, expiresAt: now + ttl, signed: null, terminated: null, events: [], duplicates: 0 };
    sessions.set(code, s);
    const t = setTimeout(() => { timers.delete(t); onChange(code); }, ttl + 50);
    t.unref();
    timers.add(t);
    return s;
  }

  /** Stores a verified notification once: by event id, then by contract id and event type. */
  function record(event) {
    const r = event.resource ?? {};
    if (seenEvents.has(event.id)) {
      const s = sessions.get(byContract.get(r.contract_id) ?? r.out_contract_code);
      if (s) { s.duplicates += 1; onChange(s.code); }
      return 'duplicate';
    }
    seenEvents.add(event.id);
    const code = byContract.get(r.contract_id) ?? r.out_contract_code;
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
    get: (code) => sessions.get(code),
    /** The last `n` sessions, newest first. */
    recent: (n) => [...sessions.values()].slice(-n).reverse(),
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
