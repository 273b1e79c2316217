-- Schema 6. The supervisor's review of imported records, and the practitioner's copy of its outcome.
--
-- Who signed each imported report, as their certificate said: a signer certified by an
-- organisation CA is never pinned, yet must be named in the review and can be revoked.
CREATE TABLE imported_signers (
    signer_sha256 TEXT PRIMARY KEY,
    certificate   BLOB NOT NULL,
    name          TEXT NOT NULL,
    first_seen    TEXT NOT NULL
) WITHOUT ROWID;

-- One row per imported record (its latest version): what the review lists and filters on, and
-- why it needs attention (`reasons`, a bit set; NULL until worked out for records imported
-- before this schema). `state` follows the supervisor's last action on that version, and goes
-- back to 'open' when a new version arrives; `attention` is 1 while it waits in the queue.
CREATE TABLE review_items (
    signer_sha256     TEXT NOT NULL,
    record_id         TEXT NOT NULL,
    version           INTEGER NOT NULL,
    record_hash       TEXT NOT NULL,
    case_id           TEXT NOT NULL,
    subject_id        TEXT NOT NULL,
    event_at          TEXT NOT NULL,
    status            TEXT NOT NULL,
    outcome           TEXT,
    recipient_summary TEXT NOT NULL,
    reasons           INTEGER,
    state             TEXT NOT NULL DEFAULT 'open'
                      CHECK (state IN ('open', 'acknowledged', 'queried', 'signed_off')),
    attention         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (signer_sha256, record_id)
) WITHOUT ROWID;
-- The lists are read newest first (event_at DESC, record_id, signer_sha256): these indexes hold
-- that very order (the key's own columns end each entry), so a page is read straight off one;
-- on (event_at) alone, SQLCipher's SQLite sorted every match before the first page (80 ms of a
-- 100,000-item review, make bench). `attention` at the end of by_signer covers the counts by
-- practitioner, which then never read the table.
CREATE INDEX review_items_queue ON review_items (attention, event_at DESC, record_id);
CREATE INDEX review_items_by_time ON review_items (event_at DESC, record_id);
CREATE INDEX review_items_by_signer ON review_items (signer_sha256, event_at DESC, record_id, attention);
CREATE INDEX review_items_by_record ON review_items (record_id);
CREATE INDEX review_items_pending ON review_items (reasons) WHERE reasons IS NULL;

-- Every acknowledgement, query and sign-off, as the supervisor's key signed it (`statement` is
-- the canonical JSON signed, `signature` its ECDSA signature). Append-only.
CREATE TABLE review_actions (
    seq           INTEGER PRIMARY KEY,  -- the order they were taken (acted_at is to the second)
    action_id     TEXT NOT NULL UNIQUE,
    signer_sha256 TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    version       INTEGER NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('acknowledge', 'query', 'sign_off')),
    acted_at      TEXT NOT NULL,
    statement     TEXT NOT NULL,
    signature     BLOB NOT NULL
);
CREATE INDEX review_actions_by_record ON review_actions (signer_sha256, record_id);
CREATE TRIGGER review_actions_append_only_u BEFORE UPDATE ON review_actions
BEGIN SELECT RAISE(ABORT, 'review actions are append-only'); END;
CREATE TRIGGER review_actions_append_only_d BEFORE DELETE ON review_actions
BEGIN SELECT RAISE(ABORT, 'review actions are append-only'); END;

-- The practitioner's side: the supervisor's signed actions on this store's own records, from
-- the .dlreview files they sent back. Kept exactly as signed, with the reviewer's certificate.
CREATE TABLE review_outcomes (
    seq         INTEGER PRIMARY KEY,  -- the order received, which is the order they were taken
    action_id   TEXT NOT NULL UNIQUE,
    record_id   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('acknowledge', 'query', 'sign_off')),
    acted_at    TEXT NOT NULL,
    statement   TEXT NOT NULL,
    signature   BLOB NOT NULL,
    certificate BLOB NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX review_outcomes_by_record ON review_outcomes (record_id);
CREATE TRIGGER review_outcomes_append_only_u BEFORE UPDATE ON review_outcomes
BEGIN SELECT RAISE(ABORT, 'review outcomes are append-only'); END;
CREATE TRIGGER review_outcomes_append_only_d BEFORE DELETE ON review_outcomes
BEGIN SELECT RAISE(ABORT, 'review outcomes are append-only'); END;

-- Records imported under schema 5 join the review; their reasons are worked out when the store
-- is next opened (the rules live in code, not SQL).
INSERT INTO review_items (signer_sha256, record_id, version, record_hash, case_id, subject_id,
                          event_at, status, outcome, recipient_summary, reasons)
SELECT r.signer_sha256, r.record_id, r.latest_version, v.hash, r.case_id, r.subject_id,
       '', '', NULL, '', NULL
FROM imported_records r
JOIN imported_record_versions v
  ON v.signer_sha256 = r.signer_sha256 AND v.record_id = r.record_id
 AND v.version = r.latest_version;

-- A report that arrives late (USB sticks reorder) may fill a gap in its signer's series, if it
-- links to the reports on either side: the one after must have named this one before it.
ALTER TABLE imported_reports ADD COLUMN previous_sha256 TEXT;
