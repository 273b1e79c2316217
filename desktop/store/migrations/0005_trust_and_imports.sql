-- Schema 5. The supervisor's side of reports: whom to trust, and what was imported from whom.
--
-- A practitioner's certificate is pinned after its fingerprint was checked out of band. It is
-- never deleted: revoking sets `revoked_at` once, so the store keeps saying that the key was
-- trusted and until when, and a revoked key can never be pinned again.
CREATE TABLE trusted_certificates (
    fingerprint TEXT PRIMARY KEY,
    certificate BLOB NOT NULL,
    added_at    TEXT NOT NULL,
    revoked_at  TEXT
) WITHOUT ROWID;
CREATE TRIGGER trusted_certificates_revoke_only BEFORE UPDATE ON trusted_certificates
WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
  OR NEW.fingerprint IS NOT OLD.fingerprint OR NEW.certificate IS NOT OLD.certificate
  OR NEW.added_at IS NOT OLD.added_at
BEGIN SELECT RAISE(ABORT, 'a trusted certificate can only be revoked, once'); END;
CREATE TRIGGER trusted_certificates_kept BEFORE DELETE ON trusted_certificates
BEGIN SELECT RAISE(ABORT, 'trusted certificates are kept'); END;

-- Each report imported, once: the same report id or the same place in a signer's series again
-- with other content is refused as equivocation. `manifest_sha256` identifies the report (the
-- file's own hash changes with every sealing); the audit checkpoint is kept so that a later
-- report from the same signer cannot take the signer's audit log backwards.
CREATE TABLE imported_reports (
    report_id       TEXT PRIMARY KEY,
    signer_sha256   TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    checkpoint_seq  INTEGER NOT NULL,
    checkpoint_head TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    UNIQUE (signer_sha256, seq)
);

-- Practitioners' records never mix with the supervisor's own: each version is kept exactly as
-- its author's store held it (hash included), keyed by whose key signed it. Reports with
-- overlapping periods carry the same versions; a version is stored once.
CREATE TABLE imported_records (
    signer_sha256  TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    case_id        TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    PRIMARY KEY (signer_sha256, record_id)
) WITHOUT ROWID;
CREATE INDEX imported_records_by_subject ON imported_records (subject_id);

CREATE TABLE imported_record_versions (
    signer_sha256 TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    version       INTEGER NOT NULL,
    report_id     TEXT NOT NULL REFERENCES imported_reports (report_id),
    body          TEXT NOT NULL,
    hash          TEXT NOT NULL,
    PRIMARY KEY (signer_sha256, record_id, version)
) WITHOUT ROWID;

CREATE TABLE imported_withdrawals (
    signer_sha256 TEXT NOT NULL,
    withdrawal_id TEXT NOT NULL,
    report_id     TEXT NOT NULL REFERENCES imported_reports (report_id),
    body          TEXT NOT NULL,
    hash          TEXT NOT NULL,
    PRIMARY KEY (signer_sha256, withdrawal_id)
) WITHOUT ROWID;

CREATE TRIGGER imported_reports_append_only_u BEFORE UPDATE ON imported_reports
BEGIN SELECT RAISE(ABORT, 'imported reports are append-only'); END;
CREATE TRIGGER imported_reports_append_only_d BEFORE DELETE ON imported_reports
BEGIN SELECT RAISE(ABORT, 'imported reports are append-only'); END;
CREATE TRIGGER imported_record_versions_append_only_u BEFORE UPDATE ON imported_record_versions
BEGIN SELECT RAISE(ABORT, 'imported record versions are append-only'); END;
CREATE TRIGGER imported_record_versions_append_only_d BEFORE DELETE ON imported_record_versions
BEGIN SELECT RAISE(ABORT, 'imported record versions are append-only'); END;
CREATE TRIGGER imported_withdrawals_append_only_u BEFORE UPDATE ON imported_withdrawals
BEGIN SELECT RAISE(ABORT, 'imported withdrawals are append-only'); END;
CREATE TRIGGER imported_withdrawals_append_only_d BEFORE DELETE ON imported_withdrawals
BEGIN SELECT RAISE(ABORT, 'imported withdrawals are append-only'); END;
