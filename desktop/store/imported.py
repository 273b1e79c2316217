"""Reports imported from practitioners, and the record versions and withdrawals they carried.

Kept apart from the store's own records and keyed by the signer's certificate fingerprint, so
that a practitioner's records never mix with the supervisor's, nor with another practitioner's.
The caller holds the transaction: a report is imported whole or not at all.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

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
    previous_sha256: str | None = None
    """The report before it in its signer's series, as it named it (None: the first, or
    imported before schema 6 kept this)."""


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
    " checkpoint_head, imported_at, previous_sha256"
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

    def neighbours(
        self, signer_sha256: str, sequence: int
    ) -> tuple[ImportedReport | None, ImportedReport | None]:
        """The signer's imported reports nearest below and above ``sequence``."""
        below = self._report_where("signer_sha256 = ? AND seq < ?", signer_sha256, sequence)
        row = self._conn.execute(
            f"SELECT {_REPORT_COLUMNS} FROM imported_reports WHERE signer_sha256 = ? AND seq > ?"
            " ORDER BY seq LIMIT 1",
            (signer_sha256, sequence),
        ).fetchone()
        return below, None if row is None else ImportedReport(*row)

    def missing(self, signer_sha256: str, limit: int = 20) -> list[int]:
        """Numbers in the signer's series between the first and last imported that are not."""
        rows = self._conn.execute(
            "SELECT seq FROM imported_reports WHERE signer_sha256 = ? ORDER BY seq",
            (signer_sha256,),
        ).fetchall()
        held = [int(row[0]) for row in rows]
        gaps: list[int] = []
        for lower, upper in itertools.pairwise(held):
            gaps.extend(range(lower + 1, min(upper, lower + 1 + limit - len(gaps))))
            if len(gaps) >= limit:
                break
        return gaps

    def add_report(self, report: ImportedReport) -> None:
        self._conn.execute(
            f"INSERT INTO imported_reports ({_REPORT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.report_id,
                report.signer_sha256,
                report.sequence,
                report.manifest_sha256,
                report.file_sha256,
                report.checkpoint_seq,
                report.checkpoint_head,
                report.imported_at,
                report.previous_sha256,
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

    # -- by person ----------------------------------------------------------------------
    def latest_document(self, signer_sha256: str, record_id: str) -> dict[str, Any] | None:
        """A practitioner's record as last imported, hashes included (None: not imported)."""
        row = self._conn.execute(
            "SELECT v.body, v.hash FROM imported_records r JOIN imported_record_versions v"
            " ON v.signer_sha256 = r.signer_sha256 AND v.record_id = r.record_id"
            " AND v.version = r.latest_version WHERE r.signer_sha256 = ? AND r.record_id = ?",
            (signer_sha256, record_id),
        ).fetchone()
        return None if row is None else _document(row)

    def version_documents(self, signer_sha256: str, record_id: str) -> list[dict[str, Any]]:
        """Every imported version of a practitioner's record, oldest first, hashes included."""
        rows = self._conn.execute(
            "SELECT body, hash FROM imported_record_versions"
            " WHERE signer_sha256 = ? AND record_id = ? ORDER BY version",
            (signer_sha256, record_id),
        ).fetchall()
        return [_document(row) for row in rows]

    def withdrawal_bodies(self, signer_sha256: str) -> list[str]:
        """A practitioner's imported consent withdrawals (canonical JSON less their hash)."""
        rows = self._conn.execute(
            "SELECT body FROM imported_withdrawals WHERE signer_sha256 = ?", (signer_sha256,)
        ).fetchall()
        return [str(row[0]) for row in rows]

    def latest_of_subject(self, subject_id: str) -> list[ImportedRecordState]:
        """Every practitioner's record whose latest imported version is about ``subject_id``,
        once per (signer, record id) however many reports carried it, ordered by signer and
        record id: the latest version's body and every version's hash (through the index
        ``imported_records_by_subject``, then the versions' primary key)."""
        rows = self._conn.execute(
            "SELECT r.signer_sha256, r.record_id, v.hash,"
            " CASE WHEN v.version = r.latest_version THEN v.body END"
            " FROM imported_records AS r"
            " JOIN imported_record_versions AS v"
            " ON v.signer_sha256 = r.signer_sha256 AND v.record_id = r.record_id"
            " AND v.version <= r.latest_version"
            " WHERE r.subject_id = ? ORDER BY r.signer_sha256, r.record_id, v.version",
            (subject_id,),
        )
        records: list[ImportedRecordState] = []
        key: tuple[str, str] | None = None
        hashes: list[str] = []
        for signer, record_id, digest, body in rows:
            if (signer, record_id) != key:
                key, hashes = (signer, record_id), []
            hashes.append(str(digest))
            if body is not None:  # the latest version: the last of the record's rows
                records.append(ImportedRecordState(signer, record_id, str(body), tuple(hashes)))
        return records


@dataclass(frozen=True)
class ImportedRecordState:
    """A practitioner's record as last imported: whose (the signer's certificate fingerprint),
    its latest version's canonical JSON less its hashes, and every version's hash, oldest first
    (the last is the latest version's)."""

    signer_sha256: str
    record_id: str
    body: str
    hashes: tuple[str, ...]

    @property
    def version(self) -> int:
        return len(self.hashes)


def _document(row: tuple[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row[0])
    document["hash"] = str(row[1])
    return document
