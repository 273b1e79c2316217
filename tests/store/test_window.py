"""The table's window: every matching id in list order, rows by block, and reads that can stop."""

from __future__ import annotations

import pytest

from desktop.session import Cursor, RecordFilter, Session, Stopped
from tests.conftest import tree_digest


@pytest.fixture
def demo(session: Session) -> Session:
    session.fill_demo(700, seed=3)
    return session


def _paged(session: Session, where: RecordFilter) -> list[int]:
    """Every row id by keyset paging: the list's own order, read by a different path."""
    found: list[int] = []
    after = None
    while page := session.list_records(where, after, limit=97):
        found += [row.rowid for row in page]
        after = Cursor(page[-1].event_at, page[-1].rowid)
    return found


def _searched(session: Session, text: str, where: RecordFilter) -> list[int]:
    found: list[int] = []
    before = None
    while page := session.search(text, where, before, limit=97):
        found += [row.rowid for row in page]
        before = page[-1].rowid
    return found


@pytest.mark.parametrize(
    "where",
    [
        RecordFilter(),
        RecordFilter(outcome="SHARE_WITHOUT_CONSENT"),
        RecordFilter(date_from="2025-01-01T00:00:00Z", date_to="2025-07-01T00:00:00Z"),
        RecordFilter(flagged_only=True),
        RecordFilter(basis_code="UK-GDPR-6-1-E"),
    ],
)
def test_the_id_window_lists_exactly_what_paging_lists(demo: Session, where: RecordFilter) -> None:
    ids = demo.record_ids(where)
    paged = _paged(demo, where)
    assert list(ids) == paged
    assert paged  # each filter matches some of the demo records


@pytest.mark.parametrize("text", ["police", "school referral", "zzzznothing"])
def test_the_id_window_of_a_search_lists_exactly_what_search_pages_list(
    demo: Session, text: str
) -> None:
    for where in (RecordFilter(), RecordFilter(outcome="SHARE_WITH_CONSENT")):
        assert list(demo.record_ids(where, text)) == _searched(demo, text, where)
    assert (text == "zzzznothing") == (len(demo.record_ids(RecordFilter(), text)) == 0)


def test_rows_come_back_in_the_order_asked(demo: Session) -> None:
    ids = list(demo.record_ids())
    block = [ids[500], ids[3], ids[250], ids[699]]
    rows = demo.rows(block)
    assert [row.rowid for row in rows] == block
    by_page = {row.rowid: row for row in demo.list_records(limit=700)}
    assert rows == [by_page[rowid] for rowid in block]


def test_a_read_that_is_no_longer_wanted_stops_and_changes_nothing(demo: Session) -> None:
    def files() -> dict[str, str]:  # less the WAL index, which every read touches
        return {k: v for k, v in tree_digest(demo.store.directory).items() if "-shm" not in k}

    before = files()
    with pytest.raises(Stopped):
        demo.record_ids(RecordFilter(), should_stop=lambda: True)
    with pytest.raises(Stopped):
        demo.search("s", should_stop=lambda: True)
    assert files() == before
    # The connection is whole afterwards, and a read nobody stops runs to the end.
    assert len(demo.record_ids(RecordFilter(), "p", should_stop=lambda: False)) > 0
    assert len(demo.record_ids()) == 700
