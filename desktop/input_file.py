"""Reading a file someone hands the app (a record, a report, a review file, a certificate).

The GUI opens only a regular file (a device or a pipe could block for ever); never more than one
byte past the limit is read, whatever size the file claims, so a file that grows while it is
read cannot take the memory the limit protects.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class TooLarge(ValueError):
    """The file holds more than the limit allows."""


def read_input(path: Path, limit: int, *, regular_only: bool = True) -> bytes:
    """The file's bytes; ``OSError`` for what cannot be read, ``TooLarge``.

    ``regular_only=False`` also reads a pipe or a terminal, for the command line, where
    ``add /dev/stdin`` is how a script hands over a record; the GUI never waits on one.
    """
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if regular_only and not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "Not a regular file", str(path))
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{path} is larger than {limit:,} bytes")
    return data
