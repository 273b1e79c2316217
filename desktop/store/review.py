"""The supervisor's review of imported records, and the practitioner's copy of its outcome.

``review_items`` is the index the review reads: one row per imported record, written in the
import's transaction from the record's latest version. The caller holds the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from desktop.store.connection import Connection

OPEN = "open"


@dataclass(frozen=True)
class ReviewItem:
    """A record's latest imported version as the review lists it."""

    signer_sha256: str
    record_id: str
    version: int
    record_hash: str
    case_id: str
    subject_id: str
    event_at: str
    status: str
    outcome: str | None
    recipient_summary: str
    reasons: int


@dataclass(frozen=True)
class ReviewRow:
    """One line of the review: the item, its state, and whose it is."""

    item: ReviewItem
    state: str
    attention: bool
    practitioner: str
    """The signer's name as their report gave it ('' if only known by fingerprint)."""


@dataclass(frozen=True)
class ReviewFilter:
    """Which items to list; ``reason`` is a bit of ``desktop.review.attention.Reason``."""

    signer_sha256: str | None = None
    start: str | None = None
    end: str | None = None
    outcome: str | None = None
    reason: int | None = None
    state: str | None = None
    attention_only: bool = False
    record_id: str | None = None

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        for column, value in (
            ("i.attention", 1 if self.attention_only else None),
            ("i.signer_sha256", self.signer_sha256),
            ("i.outcome", self.outcome),
            ("i.state", self.state),
            ("i.record_id", self.record_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.start is not None:
            clauses.append("i.event_at >= ?")
            params.append(self.start)
        if self.end is not None:
            clauses.append("i.event_at < ?")
            params.append(self.end)
        if self.reason is not None:
            clauses.append("(i.reasons & ?) != 0")
            params.append(self.reason)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class StoredAction:
    signer_sha256: str
    record_id: str
    version: int
    action: str
    acted_at: str
    statement: str
    signature: bytes


@dataclass(frozen=True)
class StoredOutcome:
    action_id: str
    record_id: str
    version: int
    action: str
    acted_at: str
    statement: str
    signature: bytes
    certificate: bytes


_ITEM = (
    "i.signer_sha256, i.record_id, i.version, i.record_hash, i.case_id, i.subject_id,"
    " i.event_at, i.status, i.outcome, i.recipient_summary, i.reasons"
)
_ACTION = "signer_sha256, record_id, version, action, acted_at, statement, signature"
_OUTCOME = "action_id, record_id, version, action, acted_at, statement, signature, certificate"


def _row(values: Any) -> ReviewRow:
    v = values
    item = ReviewItem(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], int(v[10] or 0))
    return ReviewRow(item, str(values[11]), bool(values[12]), str(values[13] or ""))


class ReviewRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- who signed the imported reports ------------------------------------------------
    def note_signer(self, signer_sha256: str, certificate: bytes, name: str, at: str) -> None:
        """Remember a report's signer; a later report's name wins (people change names)."""
        self._conn.execute(
            "INSERT INTO imported_signers (signer_sha256, certificate, name, first_seen)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (signer_sha256) DO UPDATE SET name = excluded.name",
            (signer_sha256, certificate, name, at),
        )

    def signer_certificate(self, signer_sha256: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT certificate FROM imported_signers WHERE signer_sha256 = ?", (signer_sha256,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    def signers(self) -> list[tuple[str, str, int, int]]:
        """Each practitioner with imported records: fingerprint, name, records, waiting."""
        rows = self._conn.execute(
            "SELECT i.signer_sha256, coalesce(s.name, ''), count(*), sum(i.attention)"
            " FROM review_items i LEFT JOIN imported_signers s USING (signer_sha256)"
            " GROUP BY i.signer_sha256 ORDER BY 2, 1"
        ).fetchall()
        return [(str(a), str(b), int(c), int(d or 0)) for a, b, c, d in rows]

    # -- the review's index -------------------------------------------------------------
    def put_item(self, item: ReviewItem, attention: bool) -> None:
        """Index a record's newest version. A new version, or new reasons to look at it (a
        consent withdrawal that arrived later), puts it back to 'open'."""
        self._conn.execute(
            "INSERT INTO review_items (signer_sha256, record_id, version, record_hash, case_id,"
            " subject_id, event_at, status, outcome, recipient_summary, reasons, state, attention)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,'open',?)"
            " ON CONFLICT (signer_sha256, record_id) DO UPDATE SET version = excluded.version,"
            " record_hash = excluded.record_hash, case_id = excluded.case_id,"
            " subject_id = excluded.subject_id, event_at = excluded.event_at,"
            " status = excluded.status, outcome = excluded.outcome,"
            " recipient_summary = excluded.recipient_summary, reasons = excluded.reasons,"
            " state = CASE WHEN excluded.version = version AND excluded.reasons IS reasons"
            "   THEN state ELSE 'open' END,"
            " attention = CASE WHEN excluded.version = version AND excluded.reasons IS reasons"
            "   THEN attention ELSE excluded.attention END",
            (
                item.signer_sha256,
                item.record_id,
                item.version,
                item.record_hash,
                item.case_id,
                item.subject_id,
                item.event_at,
                item.status,
                item.outcome,
                item.recipient_summary,
                item.reasons,
                int(attention),
            ),
        )

    def unindexed(self) -> list[tuple[str, str]]:
        """Records imported before the review existed, whose reasons are still to be found."""
        rows = self._conn.execute(
            "SELECT signer_sha256, record_id FROM review_items WHERE reasons IS NULL"
        ).fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def set_state(self, signer_sha256: str, record_id: str, state: str, attention: bool) -> None:
        self._conn.execute(
            "UPDATE review_items SET state = ?, attention = ?"
            " WHERE signer_sha256 = ? AND record_id = ?",
            (state, int(attention), signer_sha256, record_id),
        )

    def rows(
        self, where: ReviewFilter, limit: int | None = None, after: ReviewRow | None = None
    ) -> list[ReviewRow]:
        """Matching items, newest first; with ``after``, those that come after that row (the
        next page: a row acted on meanwhile and no longer matching shifts nothing)."""
        sql, params = where.where()
        if after is not None:
            # (event_at DESC, record_id, signer) after the given row; the first bound is a
            # range on event_at, so an index on it still leads the way.
            item = after.item
            sql += (" AND " if sql else " WHERE ") + (
                "i.event_at <= ? AND NOT (i.event_at = ? AND (i.record_id < ?"
                " OR (i.record_id = ? AND i.signer_sha256 <= ?)))"
            )
            params += [item.event_at, item.event_at, item.record_id, item.record_id]
            params.append(item.signer_sha256)
        query = (
            f"SELECT {_ITEM}, i.state, i.attention, s.name FROM review_items i"
            f" LEFT JOIN imported_signers s USING (signer_sha256){sql}"
            " ORDER BY i.event_at DESC, i.record_id, i.signer_sha256"
        )
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        return [_row(values) for values in self._conn.execute(query, params)]

    def count(self, where: ReviewFilter) -> int:
        sql, params = where.where()
        return int(
            self._conn.execute(f"SELECT count(*) FROM review_items i{sql}", params).fetchone()[0]
        )

    def row(self, signer_sha256: str, record_id: str) -> ReviewRow | None:
        found = self.rows(ReviewFilter(signer_sha256=signer_sha256, record_id=record_id))
        return found[0] if found else None

    # -- the supervisor's signed actions ------------------------------------------------
    def add_action(self, action_id: str, action: StoredAction) -> None:
        self._conn.execute(
            f"INSERT INTO review_actions (action_id, {_ACTION}) VALUES (?,?,?,?,?,?,?,?)",
            (
                action_id,
                action.signer_sha256,
                action.record_id,
                action.version,
                action.action,
                action.acted_at,
                action.statement,
                action.signature,
            ),
        )

    def actions(self, signer_sha256: str, record_id: str | None = None) -> Iterator[StoredAction]:
        """A practitioner's actions (on one record, if given), oldest first."""
        sql = f"SELECT {_ACTION} FROM review_actions WHERE signer_sha256 = ?"
        params: list[object] = [signer_sha256]
        if record_id is not None:
            sql += " AND record_id = ?"
            params.append(record_id)
        for row in self._conn.execute(sql + " ORDER BY seq", params):
            yield StoredAction(row[0], row[1], row[2], row[3], row[4], row[5], bytes(row[6]))

    # -- the practitioner's copy ---------------------------------------------------------
    def outcome_statement(self, action_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT statement FROM review_outcomes WHERE action_id = ?", (action_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def add_outcome(self, outcome: StoredOutcome, at: str) -> None:
        self._conn.execute(
            f"INSERT INTO review_outcomes ({_OUTCOME}, imported_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                outcome.action_id,
                outcome.record_id,
                outcome.version,
                outcome.action,
                outcome.acted_at,
                outcome.statement,
                outcome.signature,
                outcome.certificate,
                at,
            ),
        )

    def outcomes(self, record_id: str) -> list[StoredOutcome]:
        rows = self._conn.execute(
            f"SELECT {_OUTCOME} FROM review_outcomes WHERE record_id = ? ORDER BY seq",
            (record_id,),
        ).fetchall()
        return [
            StoredOutcome(
                row[0], row[1], row[2], row[3], row[4], row[5], bytes(row[6]), bytes(row[7])
            )
            for row in rows
        ]
