-- Schema 1. Records are append-only versions; `records` is the per-record index row that
-- list, filter and paging use (keyset on (event_at, id), never OFFSET). The full-text index is
-- contentless (no second copy of the text); an entry is removed with FTS5's 'delete' command and
-- the values it was indexed with, which works on every SQLite with FTS5. No column sizes: results
-- are ordered by recency, never ranked (bm25 over common terms does not scale).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE profile (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL
);

CREATE TABLE records (
    id                INTEGER PRIMARY KEY,
    record_id         TEXT NOT NULL UNIQUE,
    case_id           TEXT NOT NULL,
    subject_id        TEXT NOT NULL,
    latest_version    INTEGER NOT NULL,
    status            TEXT NOT NULL,
    outcome           TEXT,
    subtype           TEXT,
    event_at          TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    flagged           INTEGER NOT NULL,
    pending           INTEGER NOT NULL,
    recipient_summary TEXT NOT NULL,
    basis_summary     TEXT NOT NULL
);
CREATE INDEX records_by_event ON records (event_at, id);
CREATE INDEX records_by_case ON records (case_id, event_at, id);
CREATE INDEX records_by_subject ON records (subject_id, event_at, id);

CREATE TABLE record_versions (
    record     INTEGER NOT NULL REFERENCES records (id),
    version    INTEGER NOT NULL,
    audit_seq  INTEGER NOT NULL,
    body       TEXT NOT NULL,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL,
    PRIMARY KEY (record, version)
) WITHOUT ROWID;
CREATE TRIGGER record_versions_append_only_u BEFORE UPDATE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record versions are append-only'); END;
CREATE TRIGGER record_versions_append_only_d BEFORE DELETE ON record_versions
BEGIN SELECT RAISE(ABORT, 'record versions are append-only'); END;

-- Filters by basis code and by recipient organisation. No index by record: an amendment deletes
-- the previous version's exact rows, so every save touches as few pages as it can.
CREATE TABLE record_basis (
    code   TEXT NOT NULL,
    record INTEGER NOT NULL,
    PRIMARY KEY (code, record)
) WITHOUT ROWID;

CREATE TABLE record_recipient_orgs (
    organisation TEXT NOT NULL COLLATE NOCASE,
    record       INTEGER NOT NULL,
    PRIMARY KEY (organisation, record)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE records_fts USING fts5 (
    recipients, purpose, items, notes,
    content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
);

-- Saved records whose look-up entries (full text, basis, organisations) are not written yet: they
-- are written in batches (see desktop/store/records.py).
CREATE TABLE lookup_queue (
    record INTEGER PRIMARY KEY
);

CREATE TABLE cases (
    case_id       TEXT PRIMARY KEY,
    records       INTEGER NOT NULL,
    last_event_at TEXT NOT NULL
) WITHOUT ROWID;

-- Counts kept in the same transaction as each change: count(*) over 1M encrypted rows is slow.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE consent_withdrawals (
    id            INTEGER PRIMARY KEY,
    withdrawal_id TEXT NOT NULL UNIQUE,
    case_id       TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    audit_seq     INTEGER NOT NULL,
    body          TEXT NOT NULL,
    hash          BLOB NOT NULL
);
CREATE INDEX consent_withdrawals_by_subject ON consent_withdrawals (case_id, subject_id);
CREATE TRIGGER consent_withdrawals_append_only_u BEFORE UPDATE ON consent_withdrawals
BEGIN SELECT RAISE(ABORT, 'consent withdrawals are append-only'); END;
CREATE TRIGGER consent_withdrawals_append_only_d BEFORE DELETE ON consent_withdrawals
BEGIN SELECT RAISE(ABORT, 'consent withdrawals are append-only'); END;

-- The hash-chained audit log, written in the same transaction as the change it describes.
-- `detail` holds no case content: versions, hashes, counts, codes.
CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    ts             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    event          TEXT NOT NULL,
    object_type    TEXT,
    object_id      TEXT,
    object_version INTEGER,
    object_hash    BLOB,
    detail         TEXT NOT NULL,
    prev_hash      BLOB NOT NULL,
    entry_hash     BLOB NOT NULL
);
CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
