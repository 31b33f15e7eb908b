-- What a merchant keeps of WeChat Pay's HarmonyOS entrusted-deduction flow (鸿蒙委托代扣):
-- its contracts, its charges against them, and the notifications it has acted on.
-- The demo runs it in SQLite (www/lib/store.mjs); the same tables carry over to PostgreSQL or
-- MySQL with their own types.
--
-- Conventions:
--   * the merchant's own keys (out_contract_code, out_trade_no) are the primary keys: they are
--     what the merchant sends, and WeChat Pay echoes them in every notification;
--   * WeChat Pay's ids (contract_id, transaction_id) are UNIQUE columns filled when learnt;
--   * *_at columns: the merchant's clock, integer milliseconds since 1970-01-01 UTC;
--     *_time columns: WeChat Pay's times, kept as the RFC 3339 text it sent;
--   * money is an INTEGER number of fen (0.01 CNY), never a float;
--   * a notification is acted on once: its id is inserted (UNIQUE) in the same transaction
--     as its effect, so a retry, or two deliveries at once, change nothing the second time.

PRAGMA user_version = 2;  -- 2: termination_inquiries and settings added (CREATE IF NOT EXISTS upgrades a version 1 file)

-- One row per pre-sign sent (委托代扣预签约); it becomes the contract once the user signs.
CREATE TABLE IF NOT EXISTS contracts (
  out_contract_code      TEXT PRIMARY KEY,      -- the merchant's contract code: 1..32 letters and digits
  plan_id                INTEGER NOT NULL,      -- 委托代扣模板ID
  appid                  TEXT NOT NULL,
  out_user_code          TEXT NOT NULL,         -- the merchant's user the contract is for (from the user's session)
  contract_display_account TEXT,                -- the account name shown to the user
  sign_scene             TEXT NOT NULL,         -- SIGN_SCENE_QRCODE | SIGN_SCENE_APP ('?' when learnt from a notification)
  -- PRE_SIGNED until ENTRUST.SIGN; "expired" is PRE_SIGNED past presign_expires_at (derived).
  state                  TEXT NOT NULL DEFAULT 'PRE_SIGNED'
                         CHECK (state IN ('PRE_SIGNED', 'SIGNED', 'TERMINATED')),
  pre_entrustweb_id      TEXT,                  -- the pre-sign's id, from WeChat Pay's answer
  presign_expires_at     INTEGER NOT NULL,      -- when the pre-sign session ends (10 minutes)
  contract_id            TEXT UNIQUE,           -- WeChat Pay's contract id (ENTRUST.SIGN): what a deduction names
  openid                 TEXT,                  -- the user under appid
  contract_signed_time   TEXT,
  contract_expired_time  TEXT,
  contract_terminated_time   TEXT,              -- ENTRUST.TERMINATE's contract_terminate_info
  contract_termination_mode  TEXT,              -- USER_TERMINATE, MCH_API_TERMINATE, ...
  contract_termination_remark TEXT,
  request_json           TEXT NOT NULL,         -- the pre-sign body as sent
  answer_json            TEXT NOT NULL,         -- WeChat Pay's answer (redirect_url or the mini-program)
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS contracts_by_user ON contracts (out_user_code, created_at);
CREATE INDEX IF NOT EXISTS contracts_pending ON contracts (state, presign_expires_at);

-- One row per charge (代扣受理扣款) against a signed contract.
CREATE TABLE IF NOT EXISTS deductions (
  out_trade_no       TEXT PRIMARY KEY,          -- the merchant's order number: 1..32 of [0-9A-Za-z_-*]
  out_contract_code  TEXT NOT NULL REFERENCES contracts (out_contract_code),
  contract_id        TEXT NOT NULL,             -- as sent in the request
  amount_fen         INTEGER NOT NULL CHECK (amount_fen > 0),
  description        TEXT NOT NULL,
  -- APPLYING: written before the request is sent (so a crash leaves a trace to query);
  -- ACCEPT: WeChat Pay accepted it and is charging; SUCCESS / PAY_FAIL: TRANSACTION.SUCCESS /
  -- TRANSACTION.FAIL (or the order query); REFUSED: the apply call was refused (no charge).
  state              TEXT NOT NULL DEFAULT 'APPLYING'
                     CHECK (state IN ('APPLYING', 'ACCEPT', 'SUCCESS', 'PAY_FAIL', 'REFUSED')),
  transaction_id     TEXT UNIQUE,               -- WeChat Pay's order id, from the result
  trade_state_desc   TEXT,
  success_time       TEXT,
  error_code         TEXT,                      -- REFUSED: WeChat Pay's code
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deductions_by_contract ON deductions (out_contract_code, state);

-- Every verified notification acted on (or deliberately ignored), once per id.
CREATE TABLE IF NOT EXISTS notifications (
  id                 TEXT PRIMARY KEY,          -- the notification's id: the idempotency key
  event_type         TEXT NOT NULL,             -- ENTRUST.SIGN, ENTRUST.TERMINATE, TRANSACTION.SUCCESS, ...
  out_contract_code  TEXT,                      -- the contract it named, if any (may be unknown here)
  out_trade_no       TEXT,                      -- the charge it named, if any
  -- applied: it changed a row; no_change: a later event for a row already in that state;
  -- ignored: an event type this merchant does not act on, or naming nothing it keeps.
  effect             TEXT NOT NULL CHECK (effect IN ('applied', 'no_change', 'ignored')),
  deliveries         INTEGER NOT NULL DEFAULT 1, -- how many times it reached us (WeChat Pay retries)
  create_time        TEXT,                      -- WeChat Pay's
  resource_json      TEXT,                      -- the decrypted resource, whole (unknown fields kept)
  received_at        INTEGER NOT NULL,
  last_received_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_by_contract ON notifications (out_contract_code, received_at);
CREATE INDEX IF NOT EXISTS notifications_by_age ON notifications (received_at);

-- Every ENTRUST.TERMINATE_INQUIRY answered (a user asked to end a contract; WeChat Pay asks the
-- merchant first). Written in the transaction that inserts its notification id, so a retried
-- inquiry gets the same answer as the first delivery, and the charges in flight it saw are the
-- ones committed at that moment (a charge cannot slip in between the check and the answer).
CREATE TABLE IF NOT EXISTS termination_inquiries (
  notification_id    TEXT PRIMARY KEY,          -- the inquiry's notification id (kept longer than notifications)
  out_contract_code  TEXT,                      -- the contract the user wants to end (NULL: it named none)
  contract_id        TEXT,
  policy             TEXT NOT NULL,             -- the policy in force: allow | refuse-while-charging
  charges_in_flight  INTEGER NOT NULL,          -- the contract's charges APPLYING / ACCEPT at that moment
  allowed            INTEGER NOT NULL CHECK (allowed IN (0, 1)), -- the answer: 1 {"code":"SUCCESS"}, 0 {"code":"FAIL"}
  message            TEXT NOT NULL,             -- FAIL: the reason WeChat Pay shows the user
  received_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inquiries_by_contract ON termination_inquiries (out_contract_code, received_at);

-- The operator's settings (the demo has one: key 'inquiry_policy').
CREATE TABLE IF NOT EXISTS settings (
  key                TEXT PRIMARY KEY,
  value              TEXT NOT NULL,
  updated_at         INTEGER NOT NULL
);
