"""``Session`` over a real SQCipher store: versions and their hash chain, keyset paging, the
counts in ``status`` and ``cases``, and that a failed write leaves the store as it was."""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from desktop.domain.canonical import canonical_json
from desktop.domain.records import ConsentWithdrawal, RecordBody
from desktop.domain.strict_json import parse_record_body, validate_document
from desktop.policy import EMPTY_POLICY, Policy
from desktop.record_index import index_document
from desktop.session import Cursor, RecordFilter, RecordNotFound, Session, WrongPassphrase
from desktop.store.audit import ZERO_HASH, utc_now, version_hash
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import dns_body, uk_share_body

FLOOR = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)


@pytest.fixture
def opened(store_dir: Path) -> Iterator[Session]:
    session = Session.create(store_dir, PASSPHRASE, PROFILE, Policy(), FLOOR)
    yield session
    session.lock()


def body(case_id: str = "CASE-1", when: str = "2025-03-10T11:20:00Z", **top: Any) -> Any:
    document = copy.deepcopy(uk_share_body(**top))
    document["case"]["case_id"] = case_id
    document["checklist"]["answers"]["Q17_record"]["disclosure_at"] = when
    return parse_record_body(json.dumps(document).encode())


def stored_body(document: dict[str, Any]) -> bytes:
    """The bytes a version's hash covers: the document as stored, without its hashes."""
    return canonical_json({k: v for k, v in document.items() if k not in ("hash", "prev_hash")})


def real_counts(session: Session) -> dict[str, int]:
    conn = session.store.conn

    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "records": one("SELECT count(*) FROM records"),
        "versions": one("SELECT count(*) FROM record_versions"),
        "cases": one("SELECT count(DISTINCT case_id) FROM records"),
        "consent_withdrawals": one("SELECT count(*) FROM consent_withdrawals"),
        "audit_head_seq": one("SELECT coalesce(max(seq), 0) FROM audit"),
    }


def status_counts(session: Session) -> dict[str, int]:
    status = session.status()
    return {key: getattr(status, key) for key in real_counts(session)}


# -- versions -------------------------------------------------------------------------------
def test_versions_are_hash_chained_and_named_by_the_audit_log(opened: Session) -> None:
    saved = opened.add_record(body(notes="First account."))
    assert saved.version == 1
    first = opened.record(saved.record_id)
    assert first["hash"] == saved.hash
    assert first["prev_hash"] == ZERO_HASH.hex()
    assert version_hash(ZERO_HASH, stored_body(first)).hex() == saved.hash

    second = opened.amend_record(saved.record_id, body(notes="Second account."), "Correction")
    third = opened.amend_record(saved.record_id, body(case_id="CASE-2"), "Wrong case number")
    assert (second.version, third.version) == (2, 3)

    history = opened.history(saved.record_id)
    assert [d["version"] for d in history] == [1, 2, 3]
    assert history[0] == first
    assert [d["notes"] for d in history] == [
        "First account.",
        "Second account.",
        uk_share_body()["notes"],
    ]
    assert [d["amend_reason"] for d in history] == [None, "Correction", "Wrong case number"]
    previous = ZERO_HASH
    for document in history:
        assert document["prev_hash"] == previous.hex()
        assert document["id"] == saved.record_id
        digest = version_hash(previous, stored_body(document))
        assert document["hash"] == digest.hex()
        previous = digest
    assert [h["hash"] for h in history] == [saved.hash, second.hash, third.hash]
    assert opened.record(saved.record_id) == history[2]
    assert opened.record(saved.record_id, 2) == history[1]

    audit = opened.store.conn.execute(
        "SELECT event, object_version, object_hash FROM audit WHERE object_id = ? ORDER BY seq",
        (saved.record_id,),
    ).fetchall()
    assert [(e, v, bytes(h).hex()) for e, v, h in audit] == [
        ("record_created", 1, saved.hash),
        ("record_amended", 2, second.hash),
        ("record_amended", 3, third.hash),
    ]
    result = opened.verify_audit()
    assert result.ok, result.problem
    assert result.record_versions == 3
    row = opened.list_records()[0]
    assert (row.record_id, row.version, row.case_id) == (saved.record_id, 3, "CASE-2")


def test_reading_an_unknown_record_or_version_raises(opened: Session) -> None:
    saved = opened.add_record(body())
    with pytest.raises(RecordNotFound):
        opened.record(str(uuid.uuid4()))
    with pytest.raises(RecordNotFound):
        opened.record(saved.record_id, 2)
    with pytest.raises(RecordNotFound):
        opened.history(str(uuid.uuid4()))


# -- paging ---------------------------------------------------------------------------------
def _walk(session: Session, where: RecordFilter, page: int) -> list[str]:
    seen: list[str] = []
    after = None
    while rows := session.list_records(where, after, limit=page):
        assert len(rows) <= page
        seen.extend(row.record_id for row in rows)
        after = Cursor(rows[-1].event_at, rows[-1].rowid)
    return seen


def test_keyset_paging_walks_every_record_exactly_once_newest_first(opened: Session) -> None:
    # Nine distinct times for 450 records: most rows share their time with 49 others, so pages
    # break inside runs of equal times and only the (event_at, rowid) key keeps the walk exact.
    times = [f"2025-{m:02d}-15T10:00:00Z" for m in range(1, 10)]
    added: list[tuple[str, int, str, str]] = []  # (event time, order saved, id, case)
    for i in range(450):
        case = f"CASE-{i % 3}"
        when = times[(i * 7) % 9]
        record_id = opened.add_record(body(case_id=case, when=when)).record_id
        added.append((when, i, record_id, case))
    newest_first = [r[2] for r in sorted(added, reverse=True)]

    for page in (200, 37, 1000):
        walked = _walk(opened, RecordFilter(), page)
        assert len(walked) == len(set(walked)) == 450
        assert walked == newest_first

    in_case = _walk(opened, RecordFilter(case_id="CASE-1"), 25)
    assert in_case == [r[2] for r in sorted(added, reverse=True) if r[3] == "CASE-1"]
    assert len(in_case) == 150

    window = RecordFilter(date_from="2025-03-15T10:00:00Z", date_to="2025-05-15T10:00:00Z")
    assert _walk(opened, window, 30) == [
        r[2] for r in sorted(added, reverse=True) if times[2] <= r[0] < times[4]
    ]
    assert opened.status().records == 450


# -- counts ---------------------------------------------------------------------------------
def test_status_counts_equal_the_real_counts(opened: Session) -> None:
    a = [opened.add_record(body("CASE-A", f"2025-0{m}-01T10:00:00Z")).record_id for m in (1, 2, 3)]
    opened.add_record(body("CASE-B", "2025-04-01T10:00:00Z"))
    opened.add_record(body("CASE-B", "2025-05-01T10:00:00Z"))
    only_c = opened.add_record(body("CASE-C", "2025-06-01T10:00:00Z")).record_id
    assert status_counts(opened) == real_counts(opened)

    opened.amend_record(a[0], body("CASE-A", "2025-01-02T10:00:00Z"), "Time corrected")
    # Case C's only record belonged to case B: case C has no records left.
    opened.amend_record(only_c, body("CASE-B", "2025-06-01T10:00:00Z"), "Wrong case")
    opened.withdraw_consent(
        validate_document(
            ConsentWithdrawal,
            {
                "case_id": "CASE-A",
                "subject_id": "SUBJ-0001",
                "withdrawn_at": "2025-07-01T10:00:00Z",
                "by_whom": "The young person",
                "scope": "All sharing",
                "how": "WRITTEN",
            },
        )
    )
    counts = real_counts(opened)
    assert counts["cases"] == 2
    assert counts["versions"] == 8
    assert status_counts(opened) == counts


def test_cases_counts_and_latest_event_follow_adds_and_amendments(opened: Session) -> None:
    opened.add_record(body("CASE-A", "2025-01-10T10:00:00Z"))
    moved = opened.add_record(body("CASE-A", "2025-02-10T10:00:00Z")).record_id
    opened.add_record(body("CASE-B", "2025-03-10T10:00:00Z"))
    opened.add_record(body("CASE-B", "2025-01-20T10:00:00Z"))
    assert opened.cases() == [
        ("CASE-B", 2, "2025-03-10T10:00:00Z"),
        ("CASE-A", 2, "2025-02-10T10:00:00Z"),
    ]

    opened.amend_record(moved, body("CASE-B", "2025-06-10T10:00:00Z"), "Belongs to case B")
    expected = Counter(row.case_id for row in opened.list_records())
    assert (
        {case: n for case, n, _ in opened.cases()} == dict(expected) == {"CASE-A": 1, "CASE-B": 3}
    )
    latest = {case: last for case, _, last in opened.cases()}
    # Each case's latest event is that of its own latest record, not of one that moved away.
    assert latest == {"CASE-A": "2025-01-10T10:00:00Z", "CASE-B": "2025-06-10T10:00:00Z"}
    assert [case for case, _, _ in opened.cases()] == ["CASE-B", "CASE-A"]

    # Within one case, an event corrected to an earlier time no longer counts as the latest.
    opened.amend_record(moved, body("CASE-B", "2025-02-01T10:00:00Z"), "Wrong date")
    assert opened.cases() == [
        ("CASE-B", 3, "2025-03-10T10:00:00Z"),
        ("CASE-A", 1, "2025-01-10T10:00:00Z"),
    ]


# -- failures leave the store as it was -----------------------------------------------------
def test_amending_an_unknown_record_raises_and_changes_nothing(opened: Session) -> None:
    opened.add_record(body())
    before = opened.status()
    with pytest.raises(RecordNotFound):
        opened.amend_record(str(uuid.uuid4()), body(), "typo")
    assert opened.status() == before
    assert real_counts(opened) == status_counts(opened)

    opened.add_record(body())
    after = opened.status()
    assert after.audit_head_seq == before.audit_head_seq + 1
    result = opened.verify_audit()
    assert result.ok, result.problem


def test_a_failed_write_rolls_back_fully_and_the_chain_continues(opened: Session) -> None:
    existing = opened.add_record(body()).record_id
    before = opened.status()
    counts = real_counts(opened)
    store = opened.store

    def document(record_id: str) -> dict[str, Any]:
        doc = {k: v for k, v in opened.record(existing).items() if k not in ("hash", "prev_hash")}
        doc["id"] = record_id
        return doc

    fresh = str(uuid.uuid4())

    def two_adds_the_second_refused() -> None:
        with store.transaction():
            doc = document(fresh)
            store.records.add("practitioner", fresh, doc, index_document(doc), utc_now())
            assert store.records.exists(fresh)
            dup = document(existing)  # the same record id again: the records table refuses it
            store.records.add("practitioner", existing, dup, index_document(dup), utc_now())

    with pytest.raises(sqlcipher3.IntegrityError):
        two_adds_the_second_refused()

    assert opened.status() == before
    assert real_counts(opened) == counts
    assert not store.records.exists(fresh)
    result = opened.verify_audit()
    assert result.ok, result.problem

    # The chain continues from the last committed entry, not from the rolled-back ones.
    opened.add_record(body())
    assert opened.status().audit_head_seq == before.audit_head_seq + 1
    result = opened.verify_audit()
    assert result.ok, result.problem


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET detail = '{}' WHERE seq = 1",
        "DELETE FROM audit WHERE seq = 1",
        "UPDATE record_versions SET body = '{}'",
        "DELETE FROM record_versions",
        "UPDATE consent_withdrawals SET body = '{}'",
        "DELETE FROM consent_withdrawals",
    ],
)
def test_the_audit_log_versions_and_withdrawals_are_append_only(opened: Session, sql: str) -> None:
    opened.add_record(parse_record_body(json.dumps(dns_body()).encode()))
    opened.withdraw_consent(
        validate_document(
            ConsentWithdrawal,
            {
                "case_id": "EH-2025-031",
                "subject_id": "SUBJ-0077",
                "withdrawn_at": datetime(2025, 2, 17, 10, 30).isoformat() + "Z",
                "by_whom": "Parent C",
                "scope": "All sharing",
                "how": "ORAL",
            },
        )
    )
    before = real_counts(opened)
    with pytest.raises(sqlcipher3.DatabaseError, match="append-only"):
        opened.store.conn.execute(sql)
    assert real_counts(opened) == before
    assert opened.verify_audit().ok


def test_a_locked_session_refuses_use_and_the_store_reopens(
    opened: Session, store_dir: Path
) -> None:
    saved = opened.add_record(body())
    opened.lock()
    assert opened.locked
    with pytest.raises(WrongPassphrase):
        opened.record(saved.record_id)
    with pytest.raises(WrongPassphrase):
        Session.unlock(store_dir, PASSPHRASE + " ", Policy())
    reopened = Session.unlock(store_dir, PASSPHRASE, Policy())
    try:
        assert reopened.record(saved.record_id)["hash"] == saved.hash
    finally:
        reopened.lock()


def test_failed_unlocks_are_audited_at_the_next_unlock(session: Session, store_dir: Path) -> None:
    session.lock()
    opened = Session.unlock(store_dir, PASSPHRASE, EMPTY_POLICY, failed_attempts=3)
    try:
        events = [
            row[0]
            for row in opened.store.conn.execute(
                "SELECT detail FROM audit WHERE event = ?", ("unlock_failed",)
            )
        ]
        assert events == ['{"attempts":3}']
        assert opened.verify_audit().ok
    finally:
        opened.lock()


def test_a_records_audit_events_and_recent_recipients(session: Session) -> None:
    first = session.add_record(RecordBody.model_validate(uk_share_body()))
    session.amend_record(first.record_id, RecordBody.model_validate(uk_share_body()), "typo")
    events = session.audit_events(first.record_id)
    assert [(e["event"], e["version"]) for e in events] == [
        ("record_created", 1),
        ("record_amended", 2),
    ]
    assert events[1]["hash"] == session.record(first.record_id)["hash"]
    recent = session.recent_recipients()
    assert [r["organisation"] for r in recent] == ["Children's social care MASH"]
