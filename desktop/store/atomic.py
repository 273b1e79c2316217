"""Atomic, owner-only file writes (the Electrum pattern).

A reader sees either the old file or the new one, never a torn mix: write a temporary file in
the same directory, fsync it, rename it over the target, then fsync the directory so the rename
itself survives power loss.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

from desktop.store.errors import InvalidRequest

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700
TEMP_SUFFIX = ".partial"


def fsync_dir(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS journals the rename.
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(directory: Path) -> None:
    directory.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
    if os.name != "nt":
        os.chmod(directory, OWNER_ONLY_DIR)


def temp_path_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def write_atomic(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` atomically; the file is readable by its owner only."""
    tmp = temp_path_for(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


def install_atomic(source: Path, target: Path) -> None:
    """Move an already-written, fsynced file into place atomically."""
    os.replace(source, target)
    fsync_dir(target.parent)


def remove_stale_temporaries(directory: Path) -> None:
    """Delete what a killed process left behind: files and scratch folders named ``.*.partial``.

    Nothing with a final name is ever touched; these never carry one.
    """
    for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                leftover.unlink()


def write_new(target: Path, data: bytes, mode: int = OWNER_ONLY_FILE) -> None:
    """Create ``target`` whole, with ``mode``; ``FileExistsError`` if it exists, left untouched.

    For files that must never replace another (an organisation's private keys): the data goes to
    a temporary file first and is then hard-linked to the final name, which fails rather than
    overwrite, so a reader never sees a half-written key under the final name either.
    """
    tmp = temp_path_for(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            if os.name != "nt":
                os.fchmod(fh.fileno(), mode)  # the umask may have narrowed a public file's mode
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(target.parent)


def refuse_existing(path: Path) -> None:
    """A file the app writes for people (a report, a PDF, a review file) never replaces one
    already there (an earlier report, a kept PDF)."""
    if path.exists() or path.is_symlink():
        raise InvalidRequest(f"{path} already exists: choose another name, or move it first")
    if not path.parent.is_dir():
        raise InvalidRequest(f"there is no folder {path.parent}")
