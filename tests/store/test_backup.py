"""A backup reports its progress and can be stopped at any step, leaving nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.policy import EMPTY_POLICY
from desktop.session import Session, Stopped
from desktop.store.backup import BACKUP_STEPS
from tests.conftest import PASSPHRASE, tree_digest


def store_files(store_dir: Path) -> dict[str, str]:
    """The store's files, less the WAL index (shared memory that every read may touch)."""
    return {
        name: digest for name, digest in tree_digest(store_dir).items() if name != "store.db-shm"
    }


def test_progress_follows_every_step_and_the_backup_restores(
    session: Session, tmp_path: Path
) -> None:
    session.fill_demo(30)
    seen: list[tuple[int, int]] = []

    info = session.backup(tmp_path / "out", progress=lambda done, total: seen.append((done, total)))

    assert seen == [(step, BACKUP_STEPS) for step in range(BACKUP_STEPS + 1)]
    assert [p.name for p in (tmp_path / "out").iterdir()] == [info.path.name]
    restored = Session.restore(info.path, tmp_path / "restored", PASSPHRASE, EMPTY_POLICY)
    try:
        assert restored.status().records == 30
    finally:
        restored.lock()


@pytest.mark.parametrize("stop_after", range(BACKUP_STEPS + 1))
def test_a_backup_stopped_after_any_step_leaves_no_file_and_the_store_as_it_was(
    session: Session, store_dir: Path, tmp_path: Path, stop_after: int
) -> None:
    session.fill_demo(30)
    before = store_files(store_dir)
    audit_head = session.status().audit_head_seq
    out = tmp_path / "out"
    seen: list[int] = []

    with pytest.raises(Stopped):
        session.backup(
            out,
            progress=lambda done, _total: seen.append(done),
            should_cancel=lambda: bool(seen) and seen[-1] >= stop_after,
        )

    assert seen == list(range(stop_after + 1))
    assert not out.exists() or list(out.iterdir()) == []  # not even a hidden .partial file
    assert store_files(store_dir) == before
    assert session.status().audit_head_seq == audit_head  # no "backup_made" event
    # The session carries on: the next backup works.
    assert session.backup(out).path.is_file()


def test_stopping_while_the_database_is_copied_interrupts_the_copy(
    session: Session, tmp_path: Path
) -> None:
    session.fill_demo(500)  # enough for SQLite to ask many times during the copy
    out = tmp_path / "out"
    asked: list[int] = []
    seen: list[int] = []

    def should_cancel() -> bool:
        asked.append(1)
        return len(asked) > 1  # no to the check before starting, yes from then on

    with pytest.raises(Stopped):
        session.backup(
            out, progress=lambda done, _total: seen.append(done), should_cancel=should_cancel
        )

    assert seen == [0]  # stopped inside the copy, before it reported its end
    assert list(out.iterdir()) == []
