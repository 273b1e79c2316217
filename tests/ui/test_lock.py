"""Unlock slowdown and locking without being asked: idle, sleep, suspend, dialogs, clipboard.

The real Session and store throughout; time is injected (short delays, a movable clock), so no
test sleeps: each waits with ``qtbot.waitUntil`` for what the user would see.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout
from pytestqt.qtbot import QtBot

from desktop.policy import load_policy
from desktop.session import Session
from desktop.ui.controller import AppController, unlock_delay
from desktop.ui.lock import IdleLock, SystemLockListener, clipboard_guard, copy_to_clipboard
from desktop.ui.main_window import Page
from tests.ui.conftest import PASSPHRASE, WAIT_MS, Made, unlock

WRONG = "wrong horse battery staple"


class FakeClock:
    """A wall clock the test moves: ``now += 3600`` is a night asleep."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_controller(qtbot: QtBot, store_dir: Path, **kwargs: object) -> Iterator[AppController]:
    kwargs.setdefault("system_lock", SystemLockListener(listen_dbus=False))
    app_controller = AppController(store_dir, load_policy(), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(app_controller.window)
    yield app_controller
    app_controller.shutdown()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fast(qtbot: QtBot, store_dir: Path) -> Iterator[AppController]:
    """A controller whose wrong-passphrase waits are 0, 0.3, 0.6 s."""
    yield from make_controller(qtbot, store_dir, unlock_delays=(0, 0.3, 0.6))


@pytest.fixture
def clocked(qtbot: QtBot, store_dir: Path, clock: FakeClock) -> Iterator[AppController]:
    """A controller that locks after 60 s idle on ``clock``, checking the clock every 20 ms."""
    idle = IdleLock(60, clock=clock, check_interval_ms=20)
    yield from make_controller(qtbot, store_dir, idle_lock=idle)


def wrong_try(qtbot: QtBot, controller: AppController, attempts: int) -> None:
    page = controller.window.unlock_page
    page.passphrase.setFocus()
    qtbot.keyClicks(page.passphrase, WRONG)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.failed_attempts == attempts, timeout=WAIT_MS)


# -- the unlock slowdown ----------------------------------------------------------------------
def test_the_wait_grows_with_each_wrong_passphrase_and_is_capped() -> None:
    assert [unlock_delay(n) for n in range(9)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]


def test_wrong_passphrases_slow_down_the_next_try_and_are_audited_at_unlock(
    qtbot: QtBot, fast: AppController, filled_store: list[Made], store_dir: Path
) -> None:
    fast.start()
    page = fast.window.unlock_page

    wrong_try(qtbot, fast, 1)  # the first mistake costs nothing extra
    assert page.passphrase.isEnabled()
    assert page.unlock_button.isEnabled()
    assert not page.cooldown_label.isVisible()
    page.passphrase.clear()

    wrong_try(qtbot, fast, 2)
    assert page.error_label.text() == "Wrong passphrase. Check Caps Lock and try again."
    assert not page.passphrase.isEnabled()
    assert not page.unlock_button.isEnabled()
    assert page.cooldown_label.isVisible()
    assert page.cooldown_label.text() == (
        "Too many wrong passphrases. You can try again in 1 second."
    )
    # Enter does nothing while waiting.
    page._submit()
    assert fast.host.pending == 0
    qtbot.waitUntil(page.unlock_button.isEnabled, timeout=WAIT_MS)
    assert page.passphrase.isEnabled()
    assert not page.cooldown_label.isVisible()
    assert page.passphrase.hasFocus()
    assert page.passphrase.selectedText() == WRONG  # typing replaces it

    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(fast.unlocked, timeout=WAIT_MS):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert fast.failed_attempts == 0
    fast.shutdown()

    session = Session.unlock(store_dir, PASSPHRASE, load_policy())
    try:
        rows = session.store.conn.execute(
            "SELECT detail FROM audit WHERE event='unlock_failed'"
        ).fetchall()
    finally:
        session.lock()
    assert [json.loads(row[0]) for row in rows] == [{"attempts": 2}]


# -- idle lock -----------------------------------------------------------------------------------
def test_idle_lock_fires_after_the_timeout(
    qtbot: QtBot, store_dir: Path, filled_store: list[Made]
) -> None:
    for controller in make_controller(qtbot, store_dir, idle_lock=IdleLock(0.3)):
        unlock(qtbot, controller)
        assert controller.idle_lock.active
        with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
            pass
        assert controller.window.page() is Page.UNLOCK
        assert controller.window.browser.model.rowCount() == 0
        assert not controller.idle_lock.active


def test_input_resets_the_idle_time(
    qtbot: QtBot, clocked: AppController, clock: FakeClock, filled_store: list[Made]
) -> None:
    unlock(qtbot, clocked)
    table = clocked.window.browser.table
    clock.now += 50
    qtbot.keyClick(table, Qt.Key.Key_Down)  # the user is still there, 50 s in
    clock.now += 20  # 70 s after the unlock: past the original deadline
    clocked.idle_lock.check()
    qtbot.wait(60)  # three periodic checks
    assert clocked.is_unlocked
    assert clocked.idle_lock.remaining() == pytest.approx(40)

    clock.now += 41  # 61 s after the last key
    qtbot.waitUntil(lambda: not clocked.is_unlocked, timeout=WAIT_MS)
    assert clocked.window.page() is Page.UNLOCK


def test_the_wall_clock_check_catches_a_machine_that_slept(
    qtbot: QtBot, clocked: AppController, clock: FakeClock, filled_store: list[Made]
) -> None:
    unlock(qtbot, clocked)
    qtbot.wait(60)
    assert clocked.is_unlocked
    clock.now += 8 * 3600  # the lid closed overnight: no timer ran, the clock moved on
    with qtbot.waitSignal(clocked.locked, timeout=WAIT_MS):
        pass
    assert clocked.window.page() is Page.UNLOCK


# -- what locking does ------------------------------------------------------------------------
def test_locking_closes_dialogs_and_clears_only_our_clipboard_text(
    qtbot: QtBot, fast: AppController, filled_store: list[Made]
) -> None:
    unlock(qtbot, fast)
    dialog = QDialog(fast.window)
    QVBoxLayout(dialog).addWidget(QLabel("CASE-01: strategy discussion notes"))
    dialog.open()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    clipboard = QGuiApplication.clipboard()
    copy_to_clipboard("CASE-01 strategy discussion")
    assert clipboard.text() == "CASE-01 strategy discussion"

    with qtbot.waitSignal(fast.locked, timeout=WAIT_MS):
        fast.lock()
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert clipboard.text() == ""
    assert not fast.window.browser.isVisible()

    # Text another application copied after ours is left alone.
    unlock(qtbot, fast)
    copy_to_clipboard("CASE-02 notes")
    clipboard.setText("a shopping list")
    with qtbot.waitSignal(fast.locked, timeout=WAIT_MS):
        fast.lock()
    assert clipboard.text() == "a shopping list"
    clipboard.clear()


def test_copied_text_is_cleared_after_a_while(qtbot: QtBot) -> None:
    guard = clipboard_guard()
    default = guard.clear_after_ms
    assert default == 30_000
    guard.clear_after_ms = 50
    try:
        copy_to_clipboard("CASE-03 referral")
        assert guard.holds_ours
        qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=WAIT_MS)
        assert not guard.holds_ours
    finally:
        guard.clear_after_ms = default


# -- system events ----------------------------------------------------------------------------
def test_system_suspend_locks_but_switching_windows_does_not(
    qtbot: QtBot, fast: AppController, filled_store: list[Made]
) -> None:
    unlock(qtbot, fast)
    listener = fast.system_lock
    listener.on_application_state(Qt.ApplicationState.ApplicationInactive)  # alt-tab
    listener.on_application_state(Qt.ApplicationState.ApplicationHidden)
    assert fast.is_unlocked

    with qtbot.waitSignal(fast.locked, timeout=WAIT_MS):
        QGuiApplication.instance().applicationStateChanged.emit(  # type: ignore[union-attr]
            Qt.ApplicationState.ApplicationSuspended
        )
    assert fast.window.page() is Page.UNLOCK


@pytest.mark.parametrize(
    ("handler", "argument"),
    [("on_prepare_for_sleep", True), ("on_session_lock", None), ("on_screensaver_active", True)],
)
def test_logind_and_screensaver_signals_lock(
    qtbot: QtBot, fast: AppController, filled_store: list[Made], handler: str, argument: object
) -> None:
    unlock(qtbot, fast)
    slot = getattr(fast.system_lock, handler)
    if argument is not None:
        slot(not argument)  # waking up / the screen saver ending: nothing happens
        assert fast.is_unlocked
    with qtbot.waitSignal(fast.locked, timeout=WAIT_MS):
        slot() if argument is None else slot(argument)
