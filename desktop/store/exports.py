"""The reports this store has exported: the practitioner's numbered, hash-linked series."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store.connection import Connection


@dataclass(frozen=True)
class SeriesPosition:
    """Where the next report goes: its number, and the hash of the bundle before it."""

    sequence: int
    previous_sha256: str | None


@dataclass(frozen=True)
class ExportEntry:
    """One row: the report, its place in the series, and the hashes that identify it."""

    sequence: int
    report_id: str
    bundle_sha256: str
    file_sha256: str
    created_at: str


class ExportRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def next_position(self) -> SeriesPosition:
        row = self._conn.execute(
            "SELECT seq, bundle_sha256 FROM exported_reports ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return SeriesPosition(1, None) if row is None else SeriesPosition(int(row[0]) + 1, row[1])

    def add(self, report: ExportEntry) -> None:
        self._conn.execute(
            "INSERT INTO exported_reports (seq, report_id, bundle_sha256, file_sha256,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (
                report.sequence,
                report.report_id,
                report.bundle_sha256,
                report.file_sha256,
                report.created_at,
            ),
        )
