-- Schema 3. The reports this store has exported, numbered 1, 2, 3… (the practitioner's sequence).
-- Each bundle names the hash of the one before it, so a supervisor can tell a missing report
-- from a forked series. A row is written in the same transaction as the export's audit entry,
-- and only once the bundle is on disk: a cancelled or failed export uses no number.
-- `bundle_sha256` is the hash of the bundle's signed manifest (what the next report names);
-- `file_sha256` is that of the encrypted file written (to match a file to its entry).

CREATE TABLE exported_reports (
    seq           INTEGER PRIMARY KEY,
    report_id     TEXT NOT NULL UNIQUE,
    bundle_sha256 TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE TRIGGER exported_reports_append_only_u BEFORE UPDATE ON exported_reports
BEGIN SELECT RAISE(ABORT, 'exported reports are append-only'); END;
CREATE TRIGGER exported_reports_append_only_d BEFORE DELETE ON exported_reports
BEGIN SELECT RAISE(ABORT, 'exported reports are append-only'); END;
