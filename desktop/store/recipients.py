"""The recipients reports can be encrypted to: identity cards accepted after a fingerprint check."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store.connection import Connection


@dataclass(frozen=True)
class StoredRecipient:
    name: str
    card: bytes
    added_at: str


_COLUMNS = "name, card, added_at"


def _recipient(row: tuple[str, bytes, str]) -> StoredRecipient:
    return StoredRecipient(row[0], bytes(row[1]), row[2])


class RecipientRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, recipient: StoredRecipient) -> None:
        self._conn.execute(
            f"INSERT INTO recipients ({_COLUMNS}) VALUES (?, ?, ?)",
            (recipient.name, recipient.card, recipient.added_at),
        )

    def get(self, name: str) -> StoredRecipient | None:
        """By name, ignoring case (names are unique that way)."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM recipients WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else _recipient(row)

    def all(self) -> list[StoredRecipient]:
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM recipients ORDER BY name").fetchall()
        return [_recipient(row) for row in rows]
