"""The practitioner's own keys and certificate: one row, inside the encrypted database."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store.connection import Connection


@dataclass(frozen=True)
class StoredIdentity:
    """As stored: PKCS#8 DER signing key, certificate DER, raw X25519 private key."""

    signing_key: bytes
    certificate: bytes
    encryption_key: bytes


class IdentityRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self) -> StoredIdentity | None:
        row = self._conn.execute(
            "SELECT signing_key, certificate, encryption_key FROM identity WHERE id = 1"
        ).fetchone()
        return None if row is None else StoredIdentity(bytes(row[0]), bytes(row[1]), bytes(row[2]))

    def create(self, identity: StoredIdentity, now: str) -> None:
        self._conn.execute(
            "INSERT INTO identity (id, signing_key, certificate, encryption_key, created_at,"
            " updated_at) VALUES (1, ?, ?, ?, ?, ?)",
            (identity.signing_key, identity.certificate, identity.encryption_key, now, now),
        )

    def replace_certificate(self, certificate: bytes, now: str) -> None:
        self._conn.execute(
            "UPDATE identity SET certificate = ?, updated_at = ? WHERE id = 1", (certificate, now)
        )
