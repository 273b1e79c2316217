"""Encrypted backups: one ``.dlbackup`` file holding the database copy and its key file.

The database copy is made with ``VACUUM INTO`` (SQLCipher writes it encrypted with the same data
key: the backup API is refused for encrypted databases, and copying live files can tear). The key
file travels with it, so the backup opens with the passphrase (or recovery key) of the day it was
made. Every backup is reopened and checked before it gets its final name.

A backup reports its progress (``progress(done, BACKUP_STEPS)``) and can be stopped:
``should_cancel()`` is asked between its steps and while the database is copied. Stopped, it
raises ``Stopped`` and leaves nothing behind: its work happens in a scratch folder and a
``.partial`` file, both removed, and the store itself is only read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.progress import CancelCheck, ProgressCallback
from desktop.store.atomic import (
    OWNER_ONLY_FILE,
    ensure_private_dir,
    install_atomic,
    temp_path_for,
)
from desktop.store.connection import (
    cipher_integrity_ok,
    integrity_ok,
    open_encrypted,
    stoppable,
)
from desktop.store.errors import BackupInvalid, Stopped, StoreCorrupt
from desktop.store.keyslots import KeySlots

BACKUP_FORMAT = "disclosure-log-backup/1"
BACKUP_SUFFIX = ".dlbackup"
MEMBERS = ("manifest.json", "keyslots.json", "store.db")
MAX_BACKUP_BYTES = 64 * 1024**3
MAX_SMALL_MEMBER = 1024 * 1024
#: The steps a backup reports: copy the database, check the copy, write the file, verify the file.
BACKUP_STEPS = 4


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    sha256: str
    records: int
    size: int


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _scratch_dir(near: Path) -> Iterator[Path]:
    """A private scratch folder beside the destination (same filesystem, removed afterwards)."""
    scratch = Path(tempfile.mkdtemp(prefix=".dlbackup-", suffix=".partial", dir=near))
    try:
        os.chmod(scratch, 0o700)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def make_backup(
    conn: Any,
    keyslots: KeySlots,
    data_key: bytes,
    dest_dir: Path,
    records: int,
    *,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> BackupInfo:
    def step_done(done: int) -> None:
        if progress is not None:
            progress(done, BACKUP_STEPS)
        if should_cancel is not None and should_cancel():
            raise Stopped("the backup was stopped; nothing was written")

    step_done(0)
    ensure_private_dir(dest_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = dest_dir / f"disclosure-log-{keyslots.store_id[:8]}-{stamp}{BACKUP_SUFFIX}"
    with _scratch_dir(dest_dir) as scratch:
        db_copy = scratch / "store.db"
        with stoppable(conn, should_cancel):
            conn.execute("VACUUM INTO ?", (str(db_copy),))
        step_done(1)
        _check_database(db_copy, keyslots, data_key, expect_records=records)
        step_done(2)
        manifest = {
            "format": BACKUP_FORMAT,
            "store_id": keyslots.store_id,
            "created_at": datetime.now(UTC).isoformat(),
            "records": records,
            "members": {
                "keyslots.json": hashlib.sha256(keyslots.to_bytes()).hexdigest(),
                "store.db": _sha256_file(db_copy),
            },
        }
        tmp = temp_path_for(final)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
        try:
            with os.fdopen(fd, "wb") as fh:
                with tarfile.open(fileobj=fh, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
                    _add_bytes(tar, "keyslots.json", keyslots.to_bytes())
                    tar.add(db_copy, arcname="store.db", filter=_anonymous)
                fh.flush()
                os.fsync(fh.fileno())
            step_done(3)
            # Verify the file as written, through the same path a restore takes.
            with _scratch_dir(dest_dir) as check_dir:
                extracted = extract_backup(tmp, check_dir)
                _check_database(extracted.db, extracted.keyslots, data_key, expect_records=records)
            step_done(4)  # the last chance to stop: after this the backup is in place
            install_atomic(tmp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
    return BackupInfo(final, _sha256_file(final), records, final.stat().st_size)


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _anonymous(tarfile.TarInfo(name))
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _check_database(db: Path, keyslots: KeySlots, data_key: bytes, expect_records: int) -> None:
    conn = open_encrypted(db, data_key, keyslots.hmac_algorithm)
    try:
        if not integrity_ok(conn) or not cipher_integrity_ok(conn):
            raise BackupInvalid("the backup copy failed its integrity check")
        row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        if row is None or row[0] != keyslots.store_id:
            raise BackupInvalid("the backup copy belongs to a different store")
        count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        if count != expect_records:
            raise BackupInvalid("the backup copy does not hold every record")
    finally:
        conn.close()
    for side in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(db) + side).unlink()


@dataclass(frozen=True)
class ExtractedBackup:
    manifest: dict[str, Any]
    keyslots: KeySlots
    db: Path


def extract_backup(backup: Path, into: Path) -> ExtractedBackup:
    """Read a backup defensively: only the three known members, sizes bounded, hashes checked."""
    if not backup.is_file():
        raise BackupInvalid(f"{backup} is not a file")
    if backup.stat().st_size > MAX_BACKUP_BYTES:
        raise BackupInvalid("the backup file is larger than any backup this app writes")
    try:
        with tarfile.open(backup, mode="r:") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if sorted(names) != sorted(MEMBERS) or not all(m.isfile() for m in members):
                raise BackupInvalid("the backup file does not have the expected contents")
            by_name = {m.name: m for m in members}
            manifest = json.loads(_read_member(tar, by_name["manifest.json"], MAX_SMALL_MEMBER))
            keyslots_raw = _read_member(tar, by_name["keyslots.json"], MAX_SMALL_MEMBER)
            db_path = into / "store.db"
            source = tar.extractfile(by_name["store.db"])
            if source is None:
                raise BackupInvalid("the backup file is damaged")
            fd = os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
    except (tarfile.TarError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise BackupInvalid("the backup file is damaged or is not a Disclosure Log backup") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupInvalid("this is not a Disclosure Log backup this version can read")
    hashes = manifest.get("members")
    if not isinstance(hashes, dict):
        raise BackupInvalid("the backup manifest is damaged")
    if hashlib.sha256(keyslots_raw).hexdigest() != hashes.get("keyslots.json"):
        raise BackupInvalid("the key file in the backup does not match its manifest")
    if _sha256_file(db_path) != hashes.get("store.db"):
        raise BackupInvalid("the database in the backup does not match its manifest")
    try:
        keyslots = KeySlots.from_bytes(keyslots_raw)
    except StoreCorrupt as exc:
        raise BackupInvalid("the key file in the backup is damaged") from exc
    if keyslots.store_id != manifest.get("store_id"):
        raise BackupInvalid("the backup manifest and key file disagree")
    return ExtractedBackup(manifest, keyslots, db_path)


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    if member.size > limit:
        raise BackupInvalid("the backup file is damaged (a member is too large)")
    source = tar.extractfile(member)
    if source is None:
        raise BackupInvalid("the backup file is damaged")
    data = source.read(limit + 1)
    if len(data) > limit:
        raise BackupInvalid("the backup file is damaged (a member is too large)")
    return data
