"""Record versions (append-only, hash-chained per record) and the index rows used to find them.

A version's stored document is canonical JSON of its header (less the hashes) and body, hashed
with the previous version's hash. The ``records`` row, basis and recipient side tables and the
full-text entry describe the latest version and are replaced when a record is amended.

Look-up entries (full text, basis codes, recipient organisations) are written in batches. FTS5
writes a new segment (about a dozen pages) per transaction and each basis code lands on its own
index page: more than the rest of a save together, and every page written costs SQLCipher an
encryption and a MAC (about 14 µs a page here, against 1 µs for plain SQLite's write: the whole
of the gap between the two). So a save writes as few pages as it can:

- The records saved since the last batch are those above a watermark (``counters`` row
  ``indexed_through``): a new record is not queued anywhere, and the record and version counts
  are brought up to date with each batch (``counter`` adds what is waiting).
- An amended record whose look-up entries must be replaced is queued in ``lookup_queue``.

The save that fills a batch writes the whole batch, and a search or a filter by basis or
organisation first writes whatever is waiting, so results are always complete.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.domain.canonical import canonical_json
from desktop.record_index import RecordIndex, index_document
from desktop.store.audit import WITHDRAWAL_EVENT, ZERO_HASH, AuditLog, version_hash
from desktop.store.connection import Connection
from desktop.store.errors import RecordNotFound

PAGE_SIZE = 200
LOOKUP_BATCH = 64
INDEXED_THROUGH = "indexed_through"  # the highest record id whose look-up entries are written


@dataclass(frozen=True)
class RecordRow:
    """One line of a list: enough for a table, no full document."""

    rowid: int
    record_id: str
    case_id: str
    subject_id: str
    version: int
    status: str
    outcome: str | None
    subtype: str | None
    event_at: str
    flagged: bool
    pending: bool
    recipient_summary: str
    basis_summary: str


@dataclass(frozen=True)
class RecordFilter:
    case_id: str | None = None
    subject_id: str | None = None
    date_from: str | None = None  # inclusive, compared with event_at
    date_to: str | None = None  # exclusive upper bound
    outcome: str | None = None
    basis_code: str | None = None
    recipient_organisation: str | None = None
    flagged_only: bool = False
    pending_only: bool = False


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the (event_at, rowid) of the last row already shown."""

    event_at: str
    rowid: int


_ROW_COLUMNS = (
    "r.id, r.record_id, r.case_id, r.subject_id, r.latest_version, r.status, r.outcome,"
    " r.subtype, r.event_at, r.flagged, r.pending, r.recipient_summary, r.basis_summary"
)


def _row(values: tuple[Any, ...]) -> RecordRow:
    return RecordRow(
        rowid=values[0],
        record_id=values[1],
        case_id=values[2],
        subject_id=values[3],
        version=values[4],
        status=values[5],
        outcome=values[6],
        subtype=values[7],
        event_at=values[8],
        flagged=bool(values[9]),
        pending=bool(values[10]),
        recipient_summary=values[11],
        basis_summary=values[12],
    )


def fts_query(text: str) -> str | None:
    """Turn what a person typed into a safe FTS5 query: every word, as a prefix, all required."""
    words = [w.replace('"', '""') for w in text.split() if w.strip('"')]
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


class RecordRepository:
    def __init__(self, conn: Connection, audit: AuditLog) -> None:
        self._conn = conn
        self._audit = audit

    # -- writing (the caller holds the transaction) ------------------------------------
    def add(
        self,
        actor: str,
        record_id: str,
        document: dict[str, Any],
        index: RecordIndex,
        now: str,
        *,
        bulk: bool = False,
    ) -> bytes:
        """A new record. ``bulk`` (many saves in one transaction) indexes its text at once:
        FTS5 already batches a large transaction in memory, so queueing would only add work."""
        body = canonical_json(document)
        digest = version_hash(ZERO_HASH, body)
        seq = self._audit.append(
            actor,
            "record_created",
            object_type="record",
            object_id=record_id,
            object_version=1,
            object_hash=digest,
            ts=now,
        )
        cur = self._conn.execute(
            f"INSERT INTO records (record_id, latest_version, created_at, updated_at,"
            f" {', '.join(_INDEX_COLUMNS)}) VALUES (?, 1, ?, ?, {_INDEX_MARKS})",
            (record_id, now, now, *_index_values(index)),
        )
        rowid = int(cur.lastrowid)
        self._conn.execute(
            "INSERT INTO record_versions (record, version, audit_seq, body, prev_hash, hash)"
            " VALUES (?,1,?,?,?,?)",
            (rowid, seq, body.decode("utf-8"), ZERO_HASH, digest),
        )
        self._count_case(index.case_id, index.event_at, +1)
        if bulk and self._indexed_through() == rowid - 1:
            # Nothing waits below this record: index it now (FTS5 batches a large transaction
            # in memory itself) and move the watermark over it.
            self._write_lookups([(rowid, index)])
            self._bump(INDEXED_THROUGH, +1)
            self._bump("records", +1)
            self._bump("versions", +1)
        elif bulk or self.queued_for_lookups() >= LOOKUP_BATCH:
            self.write_queued_lookups()
        return digest

    def amend(
        self,
        actor: str,
        record_id: str,
        document: dict[str, Any],
        index: RecordIndex,
        now: str,
    ) -> tuple[int, bytes]:
        """A new version of an existing record; the index rows follow it."""
        row = self._conn.execute(
            "SELECT id, latest_version, case_id FROM records WHERE record_id = ?", (record_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFound(f"no record with id {record_id}")
        rowid, latest, old_case = int(row[0]), int(row[1]), row[2]
        prev, previous_body = self._conn.execute(
            "SELECT hash, body FROM record_versions WHERE record = ? AND version = ?",
            (rowid, latest),
        ).fetchone()
        # Unindexing needs exactly the values the latest version was indexed with.
        previous = index_document(json.loads(previous_body))
        version = latest + 1
        document = {**document, "version": version}
        body = canonical_json(document)
        digest = version_hash(bytes(prev), body)
        seq = self._audit.append(
            actor,
            "record_amended",
            object_type="record",
            object_id=record_id,
            object_version=version,
            object_hash=digest,
            ts=now,
        )
        self._conn.execute(
            "INSERT INTO record_versions (record, version, audit_seq, body, prev_hash, hash)"
            " VALUES (?,?,?,?,?,?)",
            (rowid, version, seq, body.decode("utf-8"), bytes(prev), digest),
        )
        self._conn.execute(
            f"UPDATE records SET latest_version = ?, updated_at = ?,"
            f" {', '.join(f'{column} = ?' for column in _INDEX_COLUMNS)} WHERE id = ?",
            (version, now, *_index_values(index), rowid),
        )
        if not self._waiting(rowid):  # a waiting record has no look-up entries yet
            self._remove_lookups(rowid, previous)
            self._conn.execute("INSERT INTO lookup_queue (record) VALUES (?)", (rowid,))
        if self.queued_for_lookups() >= LOOKUP_BATCH:
            self.write_queued_lookups()
        if old_case != index.case_id:
            self._count_case(old_case, index.event_at, -1)
            self._count_case(index.case_id, index.event_at, +1)
        for case_id in {old_case, index.case_id}:  # the amended event may have moved or left
            self._conn.execute(
                "UPDATE cases SET last_event_at = coalesce((SELECT max(event_at) FROM records"
                " WHERE case_id = ?), last_event_at) WHERE case_id = ?",
                (case_id, case_id),
            )
        self._bump("versions", +1)
        return version, digest

    def add_withdrawal(
        self,
        actor: str,
        withdrawal_id: str,
        case_id: str,
        subject_id: str,
        document: dict[str, Any],
    ) -> bytes:
        """A consent withdrawal: hashed and audited like a record version, never changed."""
        body = canonical_json(document)
        digest = version_hash(ZERO_HASH, body)
        seq = self._audit.append(
            actor,
            WITHDRAWAL_EVENT,
            object_type="consent_withdrawal",
            object_id=withdrawal_id,
            object_hash=digest,
            detail={"recipients_to_notify": len(document.get("recipients_to_notify", []))},
        )
        self._conn.execute(
            "INSERT INTO consent_withdrawals (withdrawal_id, case_id, subject_id, audit_seq, body,"
            " hash) VALUES (?,?,?,?,?,?)",
            (withdrawal_id, case_id, subject_id, seq, body.decode("utf-8"), digest),
        )
        self._bump("consent_withdrawals", +1)
        return digest

    # -- look-up entries: full text, basis codes, recipient organisations ----------------
    def _indexed_through(self) -> int:
        return self.counter(INDEXED_THROUGH)

    def _waiting(self, rowid: int) -> bool:
        if rowid > self._indexed_through():
            return True
        row = self._conn.execute("SELECT 1 FROM lookup_queue WHERE record = ?", (rowid,))
        return row.fetchone() is not None

    def _new_since_batch(self) -> int:
        """Records saved since the last batch (a short rowid range at the end of the table)."""
        row = self._conn.execute(
            "SELECT count(*) FROM records WHERE id > ?", (self._indexed_through(),)
        ).fetchone()
        return int(row[0])

    def queued_for_lookups(self) -> int:
        """Records whose look-up entries are waiting: new since the batch, or amended."""
        queued = self._conn.execute("SELECT count(*) FROM lookup_queue").fetchone()[0]
        return self._new_since_batch() + int(queued)

    def write_queued_lookups(self) -> int:
        """Write the look-up entries of every waiting record (the caller holds the transaction)."""
        watermark = self._indexed_through()
        # CROSS JOIN keeps the (small) queue as the outer loop; left to itself the planner
        # scanned every record (half a second at a million records).
        rows = self._conn.execute(
            "SELECT r.id, v.body FROM (SELECT record FROM lookup_queue UNION"
            " SELECT id FROM records WHERE id > ?) q CROSS JOIN records r ON r.id = q.record"
            " CROSS JOIN record_versions v ON v.record = r.id AND v.version = r.latest_version",
            (watermark,),
        ).fetchall()
        self._write_lookups([(rowid, index_document(json.loads(body))) for rowid, body in rows])
        self._conn.execute("DELETE FROM lookup_queue")
        new = sum(1 for rowid, _ in rows if rowid > watermark)
        if new:
            self._bump(INDEXED_THROUGH, max(rowid for rowid, _ in rows) - watermark)
            self._bump("records", new)
            self._bump("versions", new)
        return len(rows)

    def _write_lookups(self, entries: list[tuple[int, RecordIndex]]) -> None:
        self._conn.executemany(
            "INSERT INTO records_fts (rowid, recipients, purpose, items, notes) VALUES (?,?,?,?,?)",
            [(rowid, *_fts_values(index)) for rowid, index in entries],
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO record_basis (code, record) VALUES (?, ?)",
            [(code, rowid) for rowid, index in entries for code in index.basis_codes],
        )
        self._conn.executemany(
            "INSERT OR IGNORE INTO record_recipient_orgs (organisation, record) VALUES (?, ?)",
            [(org, rowid) for rowid, index in entries for org in index.recipient_orgs],
        )

    def _remove_lookups(self, rowid: int, index: RecordIndex) -> None:
        """Remove exactly the entries ``index`` wrote (FTS5 needs the indexed values back)."""
        self._conn.execute(
            "INSERT INTO records_fts (records_fts, rowid, recipients, purpose, items, notes)"
            " VALUES ('delete', ?, ?, ?, ?, ?)",
            (rowid, *_fts_values(index)),
        )
        self._conn.executemany(
            "DELETE FROM record_basis WHERE code = ? AND record = ?",
            [(code, rowid) for code in index.basis_codes],
        )
        self._conn.executemany(
            "DELETE FROM record_recipient_orgs WHERE organisation = ? AND record = ?",
            [(org, rowid) for org in index.recipient_orgs],
        )

    def _count_case(self, case_id: str, event_at: str, delta: int) -> None:
        self._conn.execute(
            "INSERT INTO cases (case_id, records, last_event_at) VALUES (?, ?, ?)"
            " ON CONFLICT (case_id) DO UPDATE SET records = records + excluded.records,"
            " last_event_at = max(last_event_at, excluded.last_event_at)",
            (case_id, delta, event_at),
        )

    def _bump(self, name: str, delta: int) -> None:
        self._conn.execute(
            "INSERT INTO counters (name, n) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET n = n + excluded.n",
            (name, delta),
        )

    # -- reading ------------------------------------------------------------------------
    def exists(self, record_id: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM records WHERE record_id = ?", (record_id,))
        return row.fetchone() is not None

    def version_document(self, record_id: str, version: int | None = None) -> dict[str, Any]:
        """The stored document of one version (latest by default), with its hashes added."""
        sql = (
            "SELECT v.body, v.prev_hash, v.hash FROM record_versions v JOIN records r"
            " ON r.id = v.record WHERE r.record_id = ? AND v.version = "
        )
        if version is None:
            row = self._conn.execute(sql + "r.latest_version", (record_id,)).fetchone()
        else:
            row = self._conn.execute(sql + "?", (record_id, version)).fetchone()
        if row is None:
            what = "record" if version is None else f"version {version} of record"
            raise RecordNotFound(f"no {what} {record_id}")
        return _with_hashes(row)

    def history(self, record_id: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT v.body, v.prev_hash, v.hash FROM record_versions v JOIN records r"
            " ON r.id = v.record WHERE r.record_id = ? ORDER BY v.version",
            (record_id,),
        ).fetchall()
        if not rows:
            raise RecordNotFound(f"no record {record_id}")
        return [_with_hashes(row) for row in rows]

    def page(
        self, where: RecordFilter, after: Cursor | None = None, limit: int = PAGE_SIZE
    ) -> list[RecordRow]:
        """Newest first, keyset-paged on (event_at, rowid)."""
        keyset = (
            None
            if after is None
            else ("(r.event_at, r.id) < (?, ?)", [after.event_at, after.rowid])
        )
        sql, params = _select(_ROW_COLUMNS, where, None, keyset)
        return [_row(v) for v in self._conn.execute(sql + " LIMIT ?", [*params, limit])]

    def search(
        self,
        text: str,
        where: RecordFilter | None = None,
        before_rowid: int | None = None,
        limit: int = PAGE_SIZE,
    ) -> list[RecordRow]:
        """Full-text matches, most recently saved first (ranking common terms does not scale)."""
        query = fts_query(text)
        if query is None:
            return []
        keyset = None if before_rowid is None else ("f.rowid < ?", [before_rowid])
        sql, params = _select(_ROW_COLUMNS, where or RecordFilter(), query, keyset)
        return [_row(v) for v in self._conn.execute(sql + " LIMIT ?", [*params, limit])]

    def ids(self, where: RecordFilter, text: str | None = None) -> array[int]:
        """Every matching record's rowid, in the order ``page`` (or ``search``) lists them.

        The table's window: a covering-index (or FTS doclist) read of ids only, about half a
        second at a million records, so that any row can be reached at once and its block of
        rows fetched by key. Compact (8 bytes an id) because it is kept while the table shows.
        """
        query = fts_query(text) if text else None
        if text and query is None:
            return array("q")
        sql, params = _select("r.id" if query is None else "f.rowid", where, query, None)
        return array("q", (row[0] for row in self._conn.execute(sql, params)))

    def rows(self, rowids: Sequence[int]) -> list[RecordRow]:
        """The list rows of ``rowids`` (a block of the window), in the order given."""
        marks = ",".join("?" * len(rowids))
        found = {
            values[0]: _row(values)
            for values in self._conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM records r WHERE r.id IN ({marks})", list(rowids)
            )
        }
        return [found[rowid] for rowid in rowids if rowid in found]

    def cases(self) -> list[tuple[str, int, str]]:
        return [
            (row[0], int(row[1]), row[2])
            for row in self._conn.execute(
                "SELECT case_id, records, last_event_at FROM cases WHERE records > 0"
                " ORDER BY last_event_at DESC"
            ).fetchall()
        ]

    def audit_events(self, record_id: str) -> list[dict[str, Any]]:
        """The audit entries that saved each version (reached by key: no index on the log)."""
        rows = self._conn.execute(
            "SELECT a.seq, a.ts, a.actor, a.event, a.object_version, a.object_hash"
            " FROM records r JOIN record_versions v ON v.record = r.id"
            " JOIN audit a ON a.seq = v.audit_seq WHERE r.record_id = ? ORDER BY a.seq",
            (record_id,),
        ).fetchall()
        return [
            {
                "seq": seq,
                "ts": ts,
                "actor": actor,
                "event": event,
                "version": version,
                "hash": bytes(digest).hex(),
            }
            for seq, ts, actor, event, version, digest in rows
        ]

    def recently_saved(self, limit: int) -> list[str]:
        """Record ids, most recently created first (rowid order: no extra index needed)."""
        rows = self._conn.execute(
            "SELECT record_id FROM records ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [row[0] for row in rows]

    def case_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM cases WHERE records > 0").fetchone()[0])

    def counter(self, name: str) -> int:
        """A kept count; ``records`` and ``versions`` include the saves since the last batch."""
        row = self._conn.execute("SELECT n FROM counters WHERE name = ?", (name,)).fetchone()
        kept = 0 if row is None else int(row[0])
        return kept + self._new_since_batch() if name in ("records", "versions") else kept


_INDEX_COLUMNS = (
    "case_id",
    "subject_id",
    "status",
    "outcome",
    "subtype",
    "event_at",
    "flagged",
    "pending",
    "recipient_summary",
    "basis_summary",
)
_INDEX_MARKS = ", ".join("?" * len(_INDEX_COLUMNS))


def _index_values(index: RecordIndex) -> tuple[Any, ...]:
    """The ``records`` row's columns that describe the latest version, in _INDEX_COLUMNS order."""
    return (
        index.case_id,
        index.subject_id,
        index.status,
        index.outcome,
        index.subtype,
        index.event_at,
        int(index.flagged),
        int(index.pending),
        index.recipient_summary,
        ", ".join(index.basis_codes),
    )


def _fts_values(index: RecordIndex) -> tuple[str, str, str, str]:
    return (index.fts_recipients, index.fts_purpose, index.fts_items, index.fts_notes)


def _with_hashes(row: tuple[Any, ...]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row[0])
    document["prev_hash"] = bytes(row[1]).hex()
    document["hash"] = bytes(row[2]).hex()
    return document


def _select(
    columns: str,
    where: RecordFilter,
    fts: str | None,
    keyset: tuple[str, list[Any]] | None,
) -> tuple[str, list[Any]]:
    """One ordered SELECT over the records: a list (newest event first) or, given an FTS query,
    the matches (most recently saved first), narrowed by ``where`` and a keyset position."""
    clauses, params = _filter_sql(where)
    # A search for ids alone reads only the FTS doclist: joining every match to its row would
    # cost a lookup per match (hundreds of thousands for a common word).
    join = bool(clauses) or "r." in columns
    if fts is not None:
        clauses.insert(0, "records_fts MATCH ?")
        params.insert(0, fts)
    if keyset is not None:
        clauses.append(keyset[0])
        params += keyset[1]
    if fts is None:
        sql = f"SELECT {columns} FROM records r"
        order = " ORDER BY r.event_at DESC, r.id DESC"
    else:
        sql = f"SELECT {columns} FROM records_fts f"
        sql += " JOIN records r ON r.id = f.rowid" if join else ""
        order = " ORDER BY f.rowid DESC"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    return sql + order, params


def _filter_sql(where: RecordFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("r.case_id", where.case_id),
        ("r.subject_id", where.subject_id),
        ("r.outcome", where.outcome),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if where.date_from is not None:
        clauses.append("r.event_at >= ?")
        params.append(where.date_from)
    if where.date_to is not None:
        clauses.append("r.event_at < ?")
        params.append(where.date_to)
    if where.basis_code is not None:
        clauses.append("r.id IN (SELECT record FROM record_basis WHERE code = ?)")
        params.append(where.basis_code)
    if where.recipient_organisation is not None:
        clauses.append("r.id IN (SELECT record FROM record_recipient_orgs WHERE organisation = ?)")
        params.append(where.recipient_organisation)
    if where.flagged_only:
        clauses.append("r.flagged = 1")
    if where.pending_only:
        clauses.append("r.pending = 1")
    return clauses, params
