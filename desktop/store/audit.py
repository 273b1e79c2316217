"""The hash-chained audit log and the verifier that names the first broken link.

Each entry hashes its own fields together with the previous entry's hash (domain-separated,
RFC 6962 style), so editing, deleting or reordering any row breaks every hash after it. Record
versions are chained per record and each is named by the audit entry that created it, so a
rewritten version is caught even if its own hash is recomputed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from desktop.domain.canonical import canonical_json
from desktop.store.connection import Connection

ZERO_HASH = bytes(32)
_AUDIT_PREFIX = b"\x00disclosure-log-audit/1\n"
_RECORD_PREFIX = b"\x00disclosure-log-record/1\n"
RECORD_EVENTS = ("record_created", "record_amended")
WITHDRAWAL_EVENT = "consent_withdrawn"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def version_hash(prev_hash: bytes, body: bytes) -> bytes:
    return hashlib.sha256(_RECORD_PREFIX + prev_hash + body).digest()


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    ts: str
    actor: str
    event: str
    object_type: str | None
    object_id: str | None
    object_version: int | None
    object_hash: bytes | None
    detail: str

    def content(self) -> bytes:
        return canonical_json(
            {
                "seq": self.seq,
                "ts": self.ts,
                "actor": self.actor,
                "event": self.event,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "object_version": self.object_version,
                "object_hash": self.object_hash.hex() if self.object_hash is not None else None,
                "detail": self.detail,
            }
        )

    def entry_hash(self, prev_hash: bytes) -> bytes:
        return hashlib.sha256(_AUDIT_PREFIX + prev_hash + self.content()).digest()


class AuditLog:
    """Appends to the chain inside the caller's transaction; keeps the head in memory."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._head: tuple[int, bytes] | None = None

    def head(self) -> tuple[int, bytes]:
        if self._head is None:
            row = self._conn.execute(
                "SELECT seq, entry_hash FROM audit ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            self._head = (0, ZERO_HASH) if row is None else (int(row[0]), bytes(row[1]))
        return self._head

    def forget_head(self) -> None:
        """After a rollback the cached head may name a row that was never committed."""
        self._head = None

    def append(
        self,
        actor: str,
        event: str,
        *,
        object_type: str | None = None,
        object_id: str | None = None,
        object_version: int | None = None,
        object_hash: bytes | None = None,
        detail: dict[str, Any] | None = None,
        ts: str | None = None,
    ) -> int:
        seq, prev = self.head()
        entry = AuditEntry(
            seq=seq + 1,
            ts=ts or utc_now(),
            actor=actor,
            event=event,
            object_type=object_type,
            object_id=object_id,
            object_version=object_version,
            object_hash=object_hash,
            detail=canonical_json(detail or {}).decode("utf-8"),
        )
        entry_hash = entry.entry_hash(prev)
        self._conn.execute(
            "INSERT INTO audit (seq, ts, actor, event, object_type, object_id, object_version,"
            " object_hash, detail, prev_hash, entry_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                entry.seq,
                entry.ts,
                entry.actor,
                entry.event,
                entry.object_type,
                entry.object_id,
                entry.object_version,
                entry.object_hash,
                entry.detail,
                prev,
                entry_hash,
            ),
        )
        self._head = (entry.seq, entry_hash)
        return entry.seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    record_versions: int
    head_seq: int
    head_hash: str
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "record_versions": self.record_versions,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problem": self.problem,
        }


def _audit_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(
        "SELECT seq, ts, actor, event, object_type, object_id, object_version, object_hash,"
        " detail, prev_hash, entry_hash FROM audit ORDER BY seq"
    )
    while batch := cursor.fetchmany(4096):
        yield from batch


def verify(conn: Connection) -> VerifyResult:
    """Walk the chain, then every record version and consent withdrawal; stop at the first fault."""
    expected_seq, prev = 1, ZERO_HASH
    object_events = 0
    for row in _audit_rows(conn):
        seq = int(row[0])
        fault = _check_entry(row, expected_seq, prev)
        if fault is not None:
            return _failed(seq, prev, object_events, f"audit entry {seq}: {fault}")
        if row[3] in RECORD_EVENTS or row[3] == WITHDRAWAL_EVENT:
            object_events += 1
        prev = bytes(row[10])
        expected_seq = seq + 1
    head_seq = expected_seq - 1

    versions, fault = _verify_versions(conn)
    if fault is None:
        withdrawals, fault = _verify_withdrawals(conn)
    if fault is not None:
        return _failed(head_seq, prev, versions, fault)
    if versions + withdrawals != object_events:
        return _failed(
            head_seq,
            prev,
            versions,
            f"the audit log names {object_events} saved versions but the store holds "
            f"{versions + withdrawals}: a version was removed or added outside the application",
        )
    return VerifyResult(True, head_seq, versions, head_seq, prev.hex())


def _failed(head_seq: int, head: bytes, versions: int, problem: str) -> VerifyResult:
    return VerifyResult(False, head_seq, versions, head_seq, head.hex(), problem)


def _check_entry(row: tuple[Any, ...], expected_seq: int, prev: bytes) -> str | None:
    seq = int(row[0])
    if seq != expected_seq:
        return f"expected entry {expected_seq} here: an entry is missing or out of order"
    if bytes(row[9]) != prev:
        return "does not link to the entry before it"
    entry = AuditEntry(
        seq=seq,
        ts=row[1],
        actor=row[2],
        event=row[3],
        object_type=row[4],
        object_id=row[5],
        object_version=row[6],
        object_hash=bytes(row[7]) if row[7] is not None else None,
        detail=row[8],
    )
    if entry.entry_hash(prev) != bytes(row[10]):
        return "its contents do not match its hash (the entry was changed)"
    return None


def _verify_versions(conn: Connection) -> tuple[int, str | None]:
    cursor = conn.execute(
        "SELECT r.record_id, v.version, v.body, v.prev_hash, v.hash, a.event, a.object_id,"
        " a.object_version, a.object_hash FROM record_versions v"
        " JOIN records r ON r.id = v.record LEFT JOIN audit a ON a.seq = v.audit_seq"
        " ORDER BY v.record, v.version"
    )
    count, last_record, last_hash = 0, None, ZERO_HASH
    while batch := cursor.fetchmany(4096):
        for record_id, version, body, prev_hash, stored, event, obj_id, obj_ver, obj_hash in batch:
            count += 1
            where = f"record {record_id} version {version}"
            expected_prev = last_hash if record_id == last_record else ZERO_HASH
            if bytes(prev_hash) != expected_prev:
                return count, f"{where}: does not link to the version before it"
            if version_hash(bytes(prev_hash), body.encode("utf-8")) != bytes(stored):
                return (
                    count,
                    f"{where}: its contents do not match its hash (the version was changed)",
                )
            if (
                event not in RECORD_EVENTS
                or obj_id != record_id
                or obj_ver != version
                or obj_hash is None
                or bytes(obj_hash) != bytes(stored)
            ):
                return count, f"{where}: does not match the audit entry that saved it"
            last_record, last_hash = record_id, bytes(stored)
    return count, None


def _verify_withdrawals(conn: Connection) -> tuple[int, str | None]:
    cursor = conn.execute(
        "SELECT w.withdrawal_id, w.body, w.hash, a.event, a.object_id, a.object_hash"
        " FROM consent_withdrawals w LEFT JOIN audit a ON a.seq = w.audit_seq ORDER BY w.id"
    )
    count = 0
    for withdrawal_id, body, stored, event, obj_id, obj_hash in cursor.fetchall():
        count += 1
        where = f"consent withdrawal {withdrawal_id}"
        if version_hash(ZERO_HASH, body.encode("utf-8")) != bytes(stored):
            return count, f"{where}: its contents do not match its hash"
        if (
            event != WITHDRAWAL_EVENT
            or obj_id != withdrawal_id
            or bytes(obj_hash or b"") != bytes(stored)
        ):
            return count, f"{where}: does not match the audit entry that saved it"
    return count, None
