"""No everyday operation scans a table that grows with the records.

Timing assertions are flaky; query plans are not. A full scan is invisible at test sizes and costs
half a second at a million records, so every statement the everyday paths execute is captured
(with its parameters) and its plan checked. `audit verify`, backups and the case list read
everything by design and are not everyday saves or look-ups.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.domain.records import RecordBody
from desktop.session import RecordFilter, Session
from desktop.store.records import LOOKUP_BATCH
from tests.factories import uk_share_body

GROWING = (
    "records",
    "record_versions",
    "record_basis",
    "record_recipient_orgs",
    "audit",
    "consent_withdrawals",
)
ALIASES = {"r": "records", "v": "record_versions", "a": "audit", "w": "consent_withdrawals"}


def _scans(session: Session, statement: str) -> list[str]:
    plan = session.store.conn.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
    found = []
    for row in plan:
        detail = row[-1]
        if detail.startswith("SCAN "):
            table = detail.split()[1]
            if ALIASES.get(table, table) in GROWING:
                found.append(detail)
    return found


def _statements(session: Session, action: Callable[[], object]) -> list[str]:
    seen: list[str] = []
    session.store.conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        session.store.conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))]


@pytest.fixture
def filled(session: Session) -> tuple[Session, str]:
    saved = None
    for _ in range(LOOKUP_BATCH + 3):  # crosses a batch of look-up entries
        saved = session.add_record(RecordBody.model_validate(uk_share_body()))
    assert saved is not None
    return session, saved.record_id


def test_everyday_statements_use_indexes(filled: tuple[Session, str]) -> None:
    session, record_id = filled
    body = RecordBody.model_validate(uk_share_body())
    first = session.list_records()[0]
    actions: list[Callable[[], object]] = [
        lambda: session.add_record(body),
        lambda: session.amend_record(record_id, body, "corrected"),
        lambda: session.record(record_id),
        lambda: session.record(record_id, 1),
        lambda: session.history(record_id),
        lambda: session.list_records(RecordFilter(case_id="CASE-2025-0142")),
        lambda: session.list_records(
            RecordFilter(date_from="2025-01-01T00:00:00Z", date_to="2025-04-01T00:00:00Z")
        ),
        lambda: session.list_records(RecordFilter(basis_code="UK-GDPR-6-1-E")),
        lambda: session.list_records(RecordFilter(recipient_organisation="Police")),
        lambda: session.list_records(RecordFilter(subject_id="S-1")),
        lambda: session.search("social care"),
        lambda: session.rows([first.rowid, first.rowid - 1]),
        session.status,
    ]
    checked = 0
    for action in actions:
        for statement in _statements(session, action):
            assert _scans(session, statement) == [], statement
            checked += 1
    assert checked > len(actions)
    assert first.record_id


def test_batch_indexing_reads_only_the_queue(filled: tuple[Session, str]) -> None:
    session, _ = filled
    body = RecordBody.model_validate(uk_share_body())
    statements: list[str] = []
    for _ in range(LOOKUP_BATCH):
        statements += _statements(session, lambda: session.add_record(body))
    batch_reads = [s for s in statements if "lookup_queue" in s and "JOIN" in s]
    assert batch_reads, "no batch of look-up entries was written"
    for statement in batch_reads:
        assert _scans(session, statement) == [], statement


def test_the_id_window_reads_ids_only_in_index_order(filled: tuple[Session, str]) -> None:
    """The table's window reads every matching id by design: from a covering index or the FTS
    doclist, already in list order (a sort of a million ids would be half a second more)."""
    session, _ = filled
    for where, text in (
        (RecordFilter(), ""),
        (RecordFilter(case_id="CASE-2025-0142"), ""),
        (RecordFilter(), "social care"),
    ):
        statements = _statements(session, lambda w=where, t=text: session.record_ids(w, t))
        reads = [s for s in statements if "lookup_queue" not in s]
        assert reads
        for statement in reads:
            plan = [
                row[-1] for row in session.store.conn.execute(f"EXPLAIN QUERY PLAN {statement}")
            ]
            assert not any("TEMP B-TREE" in step for step in plan), plan
            scans = [step for step in plan if step.startswith("SCAN ")]
            assert all("COVERING INDEX" in step or "VIRTUAL TABLE" in step for step in scans), plan
