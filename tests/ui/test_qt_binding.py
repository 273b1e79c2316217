"""The Qt binding must not leak references to ``None``.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call that returns nothing
(``setText``, ``setVisible``…); ``None`` starts with a few thousand references there, so the app
aborted ("none_dealloc") after a minute or two of use. pyproject.toml excludes that release; this
test fails on any binding that brings the leak back. It runs in a child process, since a bad
binding aborts the interpreter.
"""

from __future__ import annotations

import subprocess
import sys

CALLS = 20_000
CHECK = f"""
import sys
from PySide6.QtCore import QObject
thing = QObject()
before = sys.getrefcount(None)
for _ in range({CALLS}):
    thing.setObjectName("x")
    thing.blockSignals(False)
print(before - sys.getrefcount(None))
"""


def test_calls_that_return_nothing_leave_none_alone() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert abs(int(done.stdout.strip())) < 100  # references to None lost over 40,000 calls
