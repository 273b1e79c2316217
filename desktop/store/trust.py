"""The supervisor's trust store: practitioners' certificates pinned after a fingerprint check.

Rows are never deleted: a revoked certificate stays, with the time it was revoked, so that a
revoked key is recognised (and refused) whenever it turns up again.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store.connection import Connection


@dataclass(frozen=True)
class PinnedCertificate:
    fingerprint: str
    """Hex SHA-256 of the certificate's DER bytes."""
    certificate: bytes
    """DER."""
    added_at: str
    revoked_at: str | None = None


_COLUMNS = "fingerprint, certificate, added_at, revoked_at"


def _pinned(row: tuple[str, bytes, str, str | None]) -> PinnedCertificate:
    return PinnedCertificate(row[0], bytes(row[1]), row[2], row[3])


class TrustRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, pinned: PinnedCertificate) -> None:
        self._conn.execute(
            f"INSERT INTO trusted_certificates ({_COLUMNS}) VALUES (?, ?, ?, ?)",
            (pinned.fingerprint, pinned.certificate, pinned.added_at, pinned.revoked_at),
        )

    def get(self, fingerprint: str) -> PinnedCertificate | None:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM trusted_certificates WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return None if row is None else _pinned(row)

    def all(self) -> list[PinnedCertificate]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM trusted_certificates ORDER BY added_at, fingerprint"
        ).fetchall()
        return [_pinned(row) for row in rows]

    def revoke(self, fingerprint: str, at: str) -> None:
        self._conn.execute(
            "UPDATE trusted_certificates SET revoked_at = ? WHERE fingerprint = ?",
            (at, fingerprint),
        )
