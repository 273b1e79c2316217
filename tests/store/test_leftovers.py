"""What a killed backup, restore or key-file write leaves behind is removed at the next unlock."""

from __future__ import annotations

from pathlib import Path

from desktop.policy import EMPTY_POLICY
from desktop.session import Session
from tests.conftest import PASSPHRASE


def test_unlock_removes_partial_files_and_folders_only(session: Session, store_dir: Path) -> None:
    session.backup()
    session.lock()
    backups = store_dir / "backups"
    leftovers = [
        store_dir / ".keyslots.json.1a2b3c.partial",
        backups / ".disclosure-log-x.dlbackup.4d5e6f.partial",
    ]
    for path in leftovers:
        path.write_bytes(b"encrypted leftovers")
    scratch = store_dir / ".restore-0011aabb.partial"
    scratch.mkdir()
    (scratch / "store.db").write_bytes(b"encrypted copy")
    kept = sorted(p.name for p in backups.iterdir() if not p.name.endswith(".partial"))

    Session.unlock(store_dir, PASSPHRASE, EMPTY_POLICY).lock()

    assert not any(path.exists() for path in [*leftovers, scratch])
    assert sorted(p.name for p in backups.iterdir()) == kept
    assert len(kept) == 1
    assert (store_dir / "keyslots.json").exists()
