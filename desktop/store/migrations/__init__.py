"""Numbered SQL migrations, applied in order; ``PRAGMA user_version`` records the last applied."""

from __future__ import annotations

import sqlite3
from importlib import resources

from desktop.store.connection import Connection


def _migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files(__package__).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return _migrations()[-1][0]


def current_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int | None = None) -> int:
    """Bring the schema up to date (or up to ``target``, for tests of a migration), each
    migration in its own transaction; return the version."""
    version = current_version(conn)
    for number, script in _migrations():
        if number <= version or (target is not None and number > target):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = number
    return version


def _statements(script: str) -> list[str]:
    """Split a script into statements (executescript would commit implicitly)."""
    statements: list[str] = []
    buffer = ""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    for line in lines:
        buffer += line + "\n"
        if _complete(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _complete(buffer: str) -> bool:
    text = buffer.strip()
    return bool(text) and sqlite3.complete_statement(text)
