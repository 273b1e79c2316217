"""Open the SQLCipher database with the raw data key and the settings every connection needs.

``sqlite3`` (plain, unencrypted) can be passed instead of sqlcipher3 so that ``make bench`` can
run the very same store code on plain SQLite and print the ratio.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from desktop.store.errors import Stopped, StoreCorrupt, WrongPassphrase

Connection = Any  # sqlcipher3.Connection and sqlite3.Connection share the DB-API surface used here
# Page MAC. SQLCipher 4's default is HMAC-SHA512; HMAC-SHA256 (a 256-bit key, equally sound as a
# MAC) measured 5-6x cheaper per page on CPUs with SHA extensions, which most current laptops have,
# and MAC work is most of the cost of writing encrypted pages. Recorded in keyslots.json per store.
DEFAULT_HMAC = "HMAC_SHA256"
HMAC_ALGORITHMS = frozenset({"HMAC_SHA256", "HMAC_SHA512"})
PAGE_CACHE_KIB = 64 * 1024  # a 64 MB page cache brings repeated encrypted queries to plain speed


def _settings(conn: Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    conn.execute("PRAGMA busy_timeout = 5000")


#: SQLite VM steps between checks of a stoppable read: about a millisecond of work.
STOP_CHECK_STEPS = 1000


@contextmanager
def stoppable(conn: Connection, should_stop: Callable[[], bool] | None) -> Iterator[None]:
    """Abandon the statements inside when ``should_stop()`` turns true, raising ``Stopped``.

    Why: the GUI sends searches as the user types, one at a time to the session thread; a search
    for a short prefix over a million records would otherwise hold up the one the user wants. A
    backup's copy stops the same way when the user cancels it. Only for reads of the store (a
    copy only reads it): an interrupted statement ends, and the store is untouched.
    """
    if should_stop is None:
        yield
        return
    conn.set_progress_handler(lambda: 1 if should_stop() else 0, STOP_CHECK_STEPS)
    try:
        yield
    except (sqlite3.OperationalError, sqlcipher3.OperationalError) as exc:
        if should_stop():
            raise Stopped("the read was no longer wanted") from exc
        raise
    finally:
        conn.set_progress_handler(None, 0)


def open_encrypted(
    path: Path, data_key: bytes | bytearray, hmac_algorithm: str = DEFAULT_HMAC
) -> Connection:
    """Open (or create) the database; raise WrongPassphrase if the key does not decrypt it."""
    if hmac_algorithm not in HMAC_ALGORITHMS:
        raise StoreCorrupt("the key file names a page MAC this version does not use")
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=True)
    try:
        # Before the key: a wrong key must print nothing to stderr (the wheel defaults to WARN).
        conn.execute("PRAGMA cipher_log_level = NONE")
        # The default too, so that VACUUM INTO (backups) writes its copy with the same MAC.
        conn.execute(f"PRAGMA cipher_default_hmac_algorithm = {hmac_algorithm}")
        conn.execute(f"PRAGMA key = \"x'{bytes(data_key).hex()}'\"")
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {hmac_algorithm}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            raise WrongPassphrase("the data key does not open this database") from exc
        _settings(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def open_plain(path: Path) -> Connection:
    """Unencrypted SQLite with the same settings: used only by the benchmarks as the baseline."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
    _settings(conn)
    return conn


def integrity_ok(conn: Connection) -> bool:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return bool(rows == [("ok",)])


def cipher_integrity_ok(conn: Connection) -> bool:
    """Every page's HMAC verifies (SQLCipher only; plain SQLite has no page MACs)."""
    try:
        rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    except (sqlite3.DatabaseError, sqlcipher3.DatabaseError) as exc:
        raise StoreCorrupt("the database failed its integrity check") from exc
    return bool(rows == [])
