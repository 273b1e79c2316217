"""How long work reports its progress and learns it should stop: one pair of types for the
store (backups), the reports and the GUI's background jobs."""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[int, int], None]
"""Called with (done, total) as the work goes on."""

CancelCheck = Callable[[], bool]
"""Asked between steps; once it returns True the work stops with ``Stopped``."""
