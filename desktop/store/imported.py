"""Reports imported from practitioners, and the record versions and withdrawals they carried.

Kept apart from the store's own records and keyed by the signer's certificate fingerprint, so
that a practitioner's records never mix with the supervisor's, nor with another practitioner's.
The caller holds the transaction: a report is imported whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store.connection import Connection


@dataclass(frozen=True)
class ImportedReport:
    """One row of ``imported_reports``: which report, whose, where in their series."""

    report_id: str
    signer_sha256: str
    sequence: int
    manifest_sha256: str
    file_sha256: str
    checkpoint_seq: int
    checkpoint_head: str
    imported_at: str


@dataclass(frozen=True)
class ImportedVersion:
    """A record version as its author's store held it: canonical JSON, hashes included."""

    record_id: str
    version: int
    case_id: str
    subject_id: str
    body: str
    hash: str


@dataclass(frozen=True)
class ImportedWithdrawal:
    withdrawal_id: str
    body: str
    hash: str


_REPORT_COLUMNS = (
    "report_id, signer_sha256, seq, manifest_sha256, file_sha256, checkpoint_seq,"
    " checkpoint_head, imported_at"
)


class ImportRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- the reports --------------------------------------------------------------------
    def _report_where(self, condition: str, *values: object) -> ImportedReport | None:
        row = self._conn.execute(
            f"SELECT {_REPORT_COLUMNS} FROM imported_reports WHERE {condition}"
            " ORDER BY seq DESC LIMIT 1",
            values,
        ).fetchone()
        return None if row is None else ImportedReport(*row)

    def report(self, report_id: str) -> ImportedReport | None:
        return self._report_where("report_id = ?", report_id)

    def at(self, signer_sha256: str, sequence: int) -> ImportedReport | None:
        return self._report_where("signer_sha256 = ? AND seq = ?", signer_sha256, sequence)

    def latest(self, signer_sha256: str) -> ImportedReport | None:
        """The signer's report furthest along their series."""
        return self._report_where("signer_sha256 = ?", signer_sha256)

    def add_report(self, report: ImportedReport) -> None:
        self._conn.execute(
            f"INSERT INTO imported_reports ({_REPORT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.report_id,
                report.signer_sha256,
                report.sequence,
                report.manifest_sha256,
                report.file_sha256,
                report.checkpoint_seq,
                report.checkpoint_head,
                report.imported_at,
            ),
        )

    # -- what they carried --------------------------------------------------------------
    def version_hash(self, signer_sha256: str, record_id: str, version: int) -> str | None:
        row = self._conn.execute(
            "SELECT hash FROM imported_record_versions"
            " WHERE signer_sha256 = ? AND record_id = ? AND version = ?",
            (signer_sha256, record_id, version),
        ).fetchone()
        return None if row is None else str(row[0])

    def add_version(self, signer_sha256: str, report_id: str, version: ImportedVersion) -> None:
        """Store a version not held yet, and move the record's latest version up to it."""
        self._conn.execute(
            "INSERT INTO imported_record_versions"
            " (signer_sha256, record_id, version, report_id, body, hash) VALUES (?,?,?,?,?,?)",
            (
                signer_sha256,
                version.record_id,
                version.version,
                report_id,
                version.body,
                version.hash,
            ),
        )
        self._conn.execute(
            "INSERT INTO imported_records"
            " (signer_sha256, record_id, latest_version, case_id, subject_id) VALUES (?,?,?,?,?)"
            " ON CONFLICT (signer_sha256, record_id) DO UPDATE SET"
            " latest_version = excluded.latest_version, case_id = excluded.case_id,"
            " subject_id = excluded.subject_id"
            " WHERE excluded.latest_version > latest_version",
            (
                signer_sha256,
                version.record_id,
                version.version,
                version.case_id,
                version.subject_id,
            ),
        )

    def withdrawal_hash(self, signer_sha256: str, withdrawal_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT hash FROM imported_withdrawals WHERE signer_sha256 = ? AND withdrawal_id = ?",
            (signer_sha256, withdrawal_id),
        ).fetchone()
        return None if row is None else str(row[0])

    def add_withdrawal(
        self, signer_sha256: str, report_id: str, withdrawal: ImportedWithdrawal
    ) -> None:
        self._conn.execute(
            "INSERT INTO imported_withdrawals"
            " (signer_sha256, withdrawal_id, report_id, body, hash) VALUES (?,?,?,?,?)",
            (signer_sha256, withdrawal.withdrawal_id, report_id, withdrawal.body, withdrawal.hash),
        )
