"""Reading consent withdrawals back (they are written by ``RecordRepository.add_withdrawal``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from desktop.store.connection import Connection


def withdrawal_documents(conn: Connection, case_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every withdrawal (of one case, if given) in the order recorded, each with its hash."""
    sql = "SELECT body, hash FROM consent_withdrawals"
    params: tuple[str, ...] = ()
    if case_id is not None:
        sql += " WHERE case_id = ?"
        params = (case_id,)
    for body, digest in conn.execute(sql + " ORDER BY id", params):
        document: dict[str, Any] = json.loads(body)
        document["hash"] = bytes(digest).hex()
        yield document
