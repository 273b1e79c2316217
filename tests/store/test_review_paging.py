"""The review's pages: newest first, the next page after the last row shown (keyset), so a row
acted on between pages shifts nothing; and the queue's pages read an index, not the table."""

from __future__ import annotations

from dataclasses import replace

from desktop.review.service import ReviewFilter, ReviewItem, ReviewRow
from desktop.session import Session

SAM, ALEX = "a" * 64, "b" * 64


def item(signer: str, number: int, event_at: str, reasons: int = 1) -> ReviewItem:
    return ReviewItem(
        signer_sha256=signer,
        record_id=f"00000000-0000-4000-8000-{number:012d}",
        version=1,
        record_hash="0" * 64,
        case_id="CASE-1",
        subject_id="P-1",
        event_at=event_at,
        status="FINAL",
        outcome="SHARE_WITHOUT_CONSENT",
        recipient_summary="Agency",
        reasons=reasons,
    )


def fill(session: Session) -> list[ReviewItem]:
    """Nine items; three share a moment, and one id was sent by both practitioners."""
    items = [
        item(SAM, 1, "2025-01-01T09:00:00Z"),
        item(SAM, 2, "2025-01-02T09:00:00Z", reasons=0),
        item(ALEX, 3, "2025-01-03T09:00:00Z"),
        item(SAM, 4, "2025-01-03T09:00:00Z"),
        item(ALEX, 5, "2025-01-03T09:00:00Z", reasons=0),
        item(SAM, 6, "2025-01-04T09:00:00Z"),
        item(ALEX, 6, "2025-01-04T09:00:00Z"),
        item(ALEX, 7, "2025-01-05T09:00:00Z"),
        item(SAM, 8, "2025-01-06T09:00:00Z"),
    ]
    with session.store.transaction():
        for entry in items:
            session.store.review.put_item(entry, bool(entry.reasons))
    return items


def keys(rows: list[ReviewRow]) -> list[tuple[str, str]]:
    return [(row.item.signer_sha256, row.item.record_id) for row in rows]


def pages(session: Session, where: ReviewFilter, size: int) -> list[list[ReviewRow]]:
    found: list[list[ReviewRow]] = []
    after: ReviewRow | None = None
    while page := session.review.rows(where, size, after):
        found.append(page)
        after = page[-1]
    return found


def test_pages_after_the_last_row_shown_give_every_row_once_in_order(session: Session) -> None:
    items = fill(session)
    everything = session.review.rows(ReviewFilter())
    assert len(everything) == len(items)
    moments = [row.item.event_at for row in everything]
    assert moments == sorted(moments, reverse=True)
    for size in (1, 2, 3, 4):
        paged = pages(session, ReviewFilter(), size)
        assert all(len(page) <= size for page in paged)
        assert keys([row for page in paged for row in page]) == keys(everything)

    queue = ReviewFilter(attention_only=True)
    waiting = session.review.rows(queue)
    assert len(waiting) == session.review.count(queue) == 7
    assert keys([row for page in pages(session, queue, 2) for row in page]) == keys(waiting)
    sams = ReviewFilter(signer_sha256=SAM)
    assert keys([row for page in pages(session, sams, 2) for row in page]) == keys(
        session.review.rows(sams)
    )


def test_a_row_settled_between_pages_shifts_nothing(session: Session) -> None:
    fill(session)
    queue = ReviewFilter(attention_only=True)
    waiting = session.review.rows(queue)
    first = session.review.rows(queue, 3)
    settled = first[1].item
    with session.store.transaction():
        session.store.review.set_state(
            settled.signer_sha256, settled.record_id, "signed_off", False
        )
    rest = session.review.rows(queue, 10, first[-1])
    assert keys(rest) == keys(waiting[3:])  # an offset would have skipped one
    assert session.review.count(queue) == 6


def test_the_queues_next_page_reads_an_index(session: Session) -> None:
    fill(session)
    queue = ReviewFilter(attention_only=True)
    after = session.review.rows(queue, 2)[-1]
    seen: list[str] = []
    session.store.conn.set_trace_callback(seen.append)
    try:
        session.review.rows(queue, 2, after)
        session.review.rows(replace(queue, attention_only=False), 2, after)
    finally:
        session.store.conn.set_trace_callback(None)
    statements = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(statements) == 2
    for statement in statements:
        plan = session.store.conn.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
        details = [str(row[-1]) for row in plan]
        assert not any(d.startswith("SCAN i") or d == "SCAN review_items" for d in details), details
