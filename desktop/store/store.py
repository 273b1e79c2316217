"""The encrypted store on disk: ``store.db`` (SQLCipher), ``keyslots.json`` and ``backups/``.

One ``Store`` owns one connection, used only by the thread that opened it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from desktop.domain.canonical import canonical_json
from desktop.store import migrations
from desktop.store.atomic import (
    TEMP_SUFFIX,
    ensure_private_dir,
    install_atomic,
    remove_stale_temporaries,
)
from desktop.store.audit import AuditLog, utc_now
from desktop.store.audit import verify as verify_chain
from desktop.store.backup import extract_backup
from desktop.store.connection import DEFAULT_HMAC, Connection, integrity_ok, open_encrypted
from desktop.store.errors import BackupInvalid, StoreCorrupt, StoreExists, StoreNotFound
from desktop.store.exports import ExportRepository
from desktop.store.identity import IdentityRepository
from desktop.store.imported import ImportRepository
from desktop.store.keyslots import DATA_KEY_BYTES, Argon2Params, KeySlots
from desktop.store.recipients import RecipientRepository
from desktop.store.records import RecordRepository
from desktop.store.review import ReviewRepository
from desktop.store.trust import TrustRepository

DB_FILE = "store.db"
KEYSLOTS_FILE = "keyslots.json"
BACKUPS_DIR = "backups"
DB_SIDE_FILES = (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm")


def store_exists(directory: Path) -> bool:
    return (directory / KEYSLOTS_FILE).exists()


class Store:
    def __init__(
        self, directory: Path, conn: Connection, keyslots: KeySlots, data_key: bytearray
    ) -> None:
        self.directory = directory
        self._conn = conn
        self._keyslots = keyslots
        self._data_key = data_key
        self.audit = AuditLog(conn)
        self.records = RecordRepository(conn, self.audit)
        self.identity = IdentityRepository(conn)
        self.recipients = RecipientRepository(conn)
        self.exports = ExportRepository(conn)
        self.trust = TrustRepository(conn)
        self.imported = ImportRepository(conn)
        self.review = ReviewRepository(conn)

    # -- lifecycle ----------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        directory: Path,
        passphrase: str,
        params: Argon2Params,
        recovery_key: X25519PublicKey | None = None,
    ) -> Store:
        """A new, empty store. The key file is written last: until it exists there is no store."""
        if store_exists(directory):
            raise StoreExists(f"a store already exists in {directory}")
        ensure_private_dir(directory)
        # A database without a key file is what a killed `init` leaves: it can hold no records.
        for name in DB_SIDE_FILES:
            with contextlib.suppress(FileNotFoundError):
                (directory / name).unlink()
        data_key = bytearray(secrets.token_bytes(DATA_KEY_BYTES))
        store_id = str(uuid.uuid4())
        conn = open_encrypted(directory / DB_FILE, data_key, DEFAULT_HMAC)
        try:
            migrations.migrate(conn)
            with _transaction(conn):
                conn.execute("INSERT INTO meta (key, value) VALUES ('store_id', ?)", (store_id,))
                conn.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (utc_now(),))
            keyslots = KeySlots.new(store_id)
            keyslots.set_passphrase(bytes(data_key), passphrase, params)
            if recovery_key is not None:
                keyslots.set_recovery(bytes(data_key), recovery_key)
            keyslots.save(directory / KEYSLOTS_FILE)
        except BaseException:
            conn.close()
            raise
        _restrict(directory)
        return cls(directory, conn, keyslots, data_key)

    @classmethod
    def open(cls, directory: Path, passphrase: str) -> Store:
        keyslots = cls._read_keyslots(directory)
        return cls._open_with_key(directory, keyslots, keyslots.unwrap_with_passphrase(passphrase))

    @classmethod
    def open_with_recovery_key(cls, directory: Path, org_key: X25519PrivateKey) -> Store:
        keyslots = cls._read_keyslots(directory)
        return cls._open_with_key(directory, keyslots, keyslots.unwrap_with_recovery_key(org_key))

    @staticmethod
    def _read_keyslots(directory: Path) -> KeySlots:
        path = directory / KEYSLOTS_FILE
        if not path.exists():
            raise StoreNotFound(f"no store in {directory}")
        if not (directory / DB_FILE).exists():
            raise StoreCorrupt(f"the database file is missing from {directory}")
        return KeySlots.load(path)

    @classmethod
    def _open_with_key(cls, directory: Path, keyslots: KeySlots, data_key: bytearray) -> Store:
        conn = open_encrypted(directory / DB_FILE, data_key, keyslots.hmac_algorithm)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            if row is None or row[0] != keyslots.store_id:
                raise StoreCorrupt("the key file and the database belong to different stores")
            migrations.migrate(conn)
        except BaseException:
            conn.close()
            raise
        remove_stale_temporaries(directory)
        if (directory / BACKUPS_DIR).is_dir():
            remove_stale_temporaries(directory / BACKUPS_DIR)
        return cls(directory, conn, keyslots, data_key)

    def close(self) -> None:
        """Close the connection and wipe the data key from memory (as far as Python allows)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for i in range(len(self._data_key)):
            self._data_key[i] = 0

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise StoreCorrupt("the store is locked")
        return self._conn

    @property
    def store_id(self) -> str:
        return self._keyslots.store_id

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with _transaction(self.conn) as conn:
                yield conn
        except BaseException:
            self.audit.forget_head()
            raise

    @staticmethod
    def restore(
        backup_file: Path, directory: Path, passphrase: str, replace: bool
    ) -> dict[str, Any]:
        """Install a verified backup as the store in ``directory``; return the backup's manifest.

        Everything is checked in a scratch folder first (hashes, passphrase, integrity, audit
        chain), so a bad backup or a wrong passphrase changes nothing. A store already there is
        moved to a ``replaced-…`` folder, never deleted.
        """
        if store_exists(directory) and not replace:
            raise StoreExists(
                f"a store already exists in {directory}; confirm with --yes to replace it"
                " (the current store is kept in a 'replaced-…' folder)"
            )
        ensure_private_dir(directory)
        scratch = directory / f".restore-{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"
        scratch.mkdir(mode=0o700)
        try:
            extracted = extract_backup(backup_file, scratch)
            extracted.keyslots.save(scratch / KEYSLOTS_FILE)
            probe = Store.open(scratch, passphrase)
            try:
                result = verify_chain(probe.conn)
                if not result.ok or not probe.integrity_ok():
                    raise BackupInvalid(f"the backup does not verify: {result.problem}")
            finally:
                probe.close()
            if store_exists(directory):
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                aside = directory / f"replaced-{stamp}"
                aside.mkdir(mode=0o700)
                for name in (KEYSLOTS_FILE, *DB_SIDE_FILES):
                    if (directory / name).exists():
                        os.replace(directory / name, aside / name)
            # The database first: without its key file next to it, it is not yet a store.
            install_atomic(scratch / DB_FILE, directory / DB_FILE)
            install_atomic(scratch / KEYSLOTS_FILE, directory / KEYSLOTS_FILE)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return extracted.manifest

    # -- keys ---------------------------------------------------------------------------
    def change_passphrase(self, new_passphrase: str, params: Argon2Params, actor: str) -> None:
        """Rewrap the data key; the database is not rewritten."""
        updated = self._keyslots.copy()
        updated.set_passphrase(bytes(self._data_key), new_passphrase, params)
        updated.save(self.directory / KEYSLOTS_FILE)
        self._keyslots = updated
        with self.transaction():
            self.audit.append(
                actor, "passphrase_changed", detail={"keyslots_generation": updated.generation}
            )

    def set_recovery_key(self, org_key: X25519PublicKey) -> None:
        updated = self._keyslots.copy()
        updated.set_recovery(bytes(self._data_key), org_key)
        updated.save(self.directory / KEYSLOTS_FILE)
        self._keyslots = updated

    @property
    def has_recovery_slot(self) -> bool:
        return self._keyslots.has_recovery()

    @property
    def data_key(self) -> bytes:
        return bytes(self._data_key)

    @property
    def keyslots(self) -> KeySlots:
        return self._keyslots

    # -- small tables -------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_profile(self, profile: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO profile (id, body) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            (canonical_json(profile).decode("utf-8"),),
        )

    def profile(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT body FROM profile WHERE id = 1").fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def schema_version(self) -> int:
        return migrations.current_version(self.conn)

    def integrity_ok(self) -> bool:
        return integrity_ok(self.conn)


@contextlib.contextmanager
def _transaction(conn: Connection) -> Iterator[Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _restrict(directory: Path) -> None:
    if os.name == "nt":
        return
    for name in (*DB_SIDE_FILES, KEYSLOTS_FILE):
        path = directory / name
        if path.exists():
            os.chmod(path, 0o600)
