"""Turning a current store back into an older schema, to test what a migration does to it."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.store import migrations


def tables_created_after(version: int) -> list[str]:
    """The tables the migrations after ``version`` create, newest first (so drops succeed)."""
    folder = Path(migrations.__file__).parent
    scripts = sorted(f for f in folder.glob("*.sql") if int(f.name[:4]) > version)
    found = [
        name
        for script in scripts
        for name in re.findall(r"^CREATE TABLE (\w+)", script.read_text(), flags=re.MULTILINE)
    ]
    return found[::-1]
