"""The real app in a process of its own, driven as a user drives it, and timed (``make bench``).

``python -m tests.bench.gui_probe start STORE``: start ``disclosure-log --store STORE`` and print
``shown`` when the unlock screen's passphrase field is first painted; the parent times the whole
process from its start. ``python -m tests.bench.gui_probe session STORE PASSFILE``: also type the
passphrase and press Enter, type searches at a typist's pace, drag the records table's scroll bar
from top to bottom, and print one JSON line of figures.

"Blocked" is measured with a 5 ms precise timer on the GUI thread: any gap between its ticks
longer than the interval is time the event loop could not run (no frame could be drawn).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop.ui.app import main as app_main

TYPING_GAP_MS = 120  # a brisk typist
SEARCH_WORDS = (
    "police",
    "school",
    "referral",
    "nurse",
    "court",
    "attendance",
    "strategy",
    "mother",
)
SCROLL_STEPS = 120
SCROLL_STEP_MS = 25  # a fast drag of the scroll bar thumb: top to bottom in three seconds
HEARTBEAT_MS = 5


class Painted(QObject):
    """Calls ``then`` after the next paint of ``widget`` for which ``when()`` holds."""

    def __init__(self, widget: QWidget, when: Callable[[], bool], then: Callable[[], None]):
        super().__init__(widget)
        self._when, self._then, self._done = when, then, False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint and self._when():
            self._done = True
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


class Heartbeat(QObject):
    """Largest gaps between ticks of a precise timer: how long the GUI thread was held."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now


def _find(cls: type[Any], name: str) -> Any:
    for top in QApplication.topLevelWidgets():
        found = top if top.objectName() == name else top.findChild(cls, name)
        if found is not None:
            return found
    return None


class SessionRun(QObject):
    """Unlock, search, scroll: each step starts when the previous one has been seen on screen."""

    def __init__(self, app: QApplication, passphrase: str) -> None:
        super().__init__(app)
        self.app = app
        self.passphrase = passphrase
        self.figures: dict[str, Any] = {}
        self.heartbeat = Heartbeat(self)
        self.search_ms: list[float] = []
        self._words = list(SEARCH_WORDS)

    def begin(self) -> None:
        field = _find(QLineEdit, "unlockPassphrase")
        window = _find(QWidget, "mainWindow")
        self.browser = window.browser
        self.model = self.browser.model
        self.viewport = self.browser.table.viewport()
        QTest.keyClicks(field, self.passphrase)
        started = time.perf_counter()
        Painted(
            self.viewport,
            lambda: self.model.rowCount() > 0,
            lambda: self._unlocked(started),
        )
        QTest.keyClick(field, Qt.Key.Key_Return)

    def _unlocked(self, started: float) -> None:
        self.figures["unlock_to_rows_s"] = time.perf_counter() - started
        self._when_idle(self._window_ready)

    def _when_idle(self, then: Callable[[], None]) -> None:
        """After every read the app sent has come back (polled: no hook into the app)."""
        host = _find(QWidget, "mainWindow").browser._host

        def check() -> None:
            if self.model.loading or host.pending:
                QTimer.singleShot(10, check)
            else:
                then()

        check()

    def _window_ready(self) -> None:
        self.figures["records"] = self.model.rowCount()
        self._next_word()

    # -- typing searches ------------------------------------------------------------------
    def _next_word(self) -> None:
        if not self._words:
            self.browser.search_edit.clear()
            QTest.keyClick(self.browser.search_edit, Qt.Key.Key_Return)
            self._when_idle(self._scroll)
            return
        word = self._words.pop(0)
        self.browser.search_edit.clear()
        self.browser.search_edit.setFocus()
        self._type(word, 0)

    def _type(self, word: str, typed: int) -> None:
        QTest.keyClick(self.browser.search_edit, word[typed])
        if typed + 1 < len(word):
            QTimer.singleShot(TYPING_GAP_MS, lambda: self._type(word, typed + 1))
            return
        last_key = time.perf_counter()

        def shown() -> bool:
            query = self.model.query
            return query.text == word and (self.model.rowCount() > 0 or not self.model.loading)

        def seen() -> None:
            self.search_ms.append((time.perf_counter() - last_key) * 1000)
            self._when_idle(self._next_word)

        Painted(self.viewport, shown, seen)

    # -- scrolling ------------------------------------------------------------------------
    def _scroll(self) -> None:
        self.browser.table.setFocus()
        bar = self.browser.table.verticalScrollBar()
        self.heartbeat.start()
        self._scroll_step(bar, 0)

    def _scroll_step(self, bar: Any, step: int) -> None:
        bar.setValue(round(bar.maximum() * step / SCROLL_STEPS))
        if step < SCROLL_STEPS:
            QTimer.singleShot(SCROLL_STEP_MS, lambda: self._scroll_step(bar, step + 1))
            return
        started = time.perf_counter()
        last = self.model.rowCount() - 1

        def last_row_shown() -> None:
            self.heartbeat.stop()
            gaps = sorted(self.heartbeat.gaps)
            self.figures["scroll_last_rows_ms"] = (time.perf_counter() - started) * 1000
            self.figures["scroll_max_block_ms"] = gaps[-1] if gaps else 0.0
            self.figures["scroll_p99_block_ms"] = gaps[int(len(gaps) * 0.99)] if gaps else 0.0
            self._finish()

        Painted(self.viewport, lambda: self.model.row_at(last) is not None, last_row_shown)
        self.viewport.update()

    def _finish(self) -> None:
        self.figures["search_ms"] = self.search_ms
        self.figures["search_p95_ms"] = (
            statistics.quantiles(self.search_ms, n=20)[-1]
            if len(self.search_ms) >= 2
            else max(self.search_ms)
        )
        self.figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(self.figures), flush=True)
        self.app.exit(0)


def _when_unlock_screen_painted(then: Callable[[], None]) -> None:
    def look() -> None:
        field = _find(QLineEdit, "unlockPassphrase")
        if field is None or not field.isVisible():
            QTimer.singleShot(1, look)
        else:
            Painted(field, lambda: True, then)
            field.update()

    QTimer.singleShot(0, look)


def main(argv: list[str]) -> int:
    mode, store = argv[0], argv[1]
    app = QApplication(sys.argv[:1])
    if mode == "start":

        def shown() -> None:
            print("shown", flush=True)
            app.exit(0)

        _when_unlock_screen_painted(shown)
    else:
        run = SessionRun(app, Path(argv[2]).read_text().strip())
        _when_unlock_screen_painted(run.begin)
    return app_main(["--store", store])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
