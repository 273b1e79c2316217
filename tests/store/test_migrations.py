"""Schema migrations keep every record: a store saved by the schema-3 code opens under schema 4."""

from __future__ import annotations

from pathlib import Path

from desktop.domain.records import RecordBody
from desktop.policy import EMPTY_POLICY
from desktop.session import RecordFilter, Session
from desktop.store.migrations import latest_version
from desktop.store.records import INDEXED_THROUGH, LOOKUP_BATCH
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import uk_share_body
from tests.store.old_schema import tables_created_after

# What the schema-3 code kept: every saved record counted, the ones without look-up entries
# queued in lookup_queue (there was no watermark).
TO_SCHEMA_3 = (
    "INSERT OR IGNORE INTO lookup_queue (record) SELECT id FROM records WHERE id >"
    " (SELECT n FROM counters WHERE name = 'indexed_through')",
    "UPDATE counters SET n = n + (SELECT count(*) FROM records WHERE id >"
    " (SELECT n FROM counters WHERE name = 'indexed_through')) WHERE name IN"
    " ('records', 'versions')",
    "DELETE FROM counters WHERE name = 'indexed_through'",
    "PRAGMA user_version = 3",
)


def _body(notes: str) -> RecordBody:
    return RecordBody.model_validate(uk_share_body(notes=notes))


def test_a_schema_3_store_with_waiting_look_ups_migrates_with_every_record(
    store_dir: Path,
) -> None:
    session = Session.create(store_dir, PASSPHRASE, PROFILE, EMPTY_POLICY)
    saved = [session.add_record(_body(f"migration kestrel {n}")) for n in range(LOOKUP_BATCH + 6)]
    session.amend_record(saved[3].record_id, _body("migration kestrel amended osprey"), "typo")
    waiting = session.store.records.queued_for_lookups()
    assert waiting == 7  # six new since the batch, one amended
    conn = session.store.conn
    conn.execute("BEGIN IMMEDIATE")
    for table in tables_created_after(4):  # later schemas' tables, made again on migrating
        conn.execute(f"DROP TABLE {table}")
    for statement in TO_SCHEMA_3:
        conn.execute(statement)
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM lookup_queue").fetchone()[0] == waiting
    session.lock()

    migrated = Session.unlock(store_dir, PASSPHRASE, EMPTY_POLICY)
    try:
        status = migrated.status()
        assert status.schema_version == latest_version() >= 4
        assert (status.records, status.versions) == (len(saved), len(saved) + 1)
        assert migrated.verify_audit().ok  # every version re-hashed and matched to its entry
        assert [v["version"] for v in migrated.history(saved[3].record_id)] == [1, 2]

        found = {row.record_id for row in migrated.search("kestrel", limit=500)}
        assert found == {s.record_id for s in saved}
        assert [r.record_id for r in migrated.search("osprey")] == [saved[3].record_id]
        assert migrated.list_records(RecordFilter(basis_code="UK-GDPR-6-1-E"), limit=500)
        conn = migrated.store.conn
        assert conn.execute("SELECT count(*) FROM lookup_queue").fetchone()[0] == 0
        assert migrated.store.records.counter(INDEXED_THROUGH) == max(
            row[0] for row in conn.execute("SELECT id FROM records")
        )
        assert (
            conn.execute(
                "INSERT INTO records_fts (records_fts) VALUES ('integrity-check')"
            ).fetchall()
            == []
        )
    finally:
        migrated.lock()


def test_counts_stay_exact_across_look_up_batches(session: Session) -> None:
    """New records wait above the watermark; the counts include them before and after."""
    for n in range(1, 2 * LOOKUP_BATCH + 4):
        session.add_record(_body(f"batch heron {n}"))
        status = session.status()
        assert (status.records, status.versions) == (n, n)
        assert session.store.records.queued_for_lookups() == n % LOOKUP_BATCH
    assert len(session.search("heron", limit=500)) == 2 * LOOKUP_BATCH + 3
    assert session.store.records.queued_for_lookups() == 0
    assert session.status().records == 2 * LOOKUP_BATCH + 3
