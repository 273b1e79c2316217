"""Locking without being asked: idle time, system suspend and screen lock, and the clipboard.

After KeePassXC (``InactivityTimer``, ``ScreenLockListener``, ``Clipboard``; qt-anchors §1.4) and
security.md §2.2/§2.6:

- ``IdleLock`` locks after the policy's idle minutes. An application-wide event filter notes the
  time of every key, mouse, wheel and touch event. Deadlines are measured on the wall clock
  (``time.time()``), not only by a ``QTimer`` interval: a timer does not run while the machine
  sleeps, so a laptop closed at 16:59 and opened next morning would otherwise stay unlocked until
  the timer's remaining interval elapsed (KeePassXC #2014). A periodic check compares the clock
  with the deadline and catches that at once.
- ``SystemLockListener`` asks for a lock when the system says it is suspending or the user's
  screen is being locked: ``QGuiApplication.applicationStateChanged`` to ``ApplicationSuspended``
  everywhere, and on Linux the systemd-logind ``PrepareForSleep`` and session ``Lock`` signals and
  the freedesktop ``ScreenSaver.ActiveChanged`` signal through QtDBus (which PySide6-Essentials
  ships). ``ApplicationInactive`` and ``ApplicationHidden`` do not lock by default: on a desktop
  Inactive means only that another window has the focus, so alt-tab to an email would lock the
  store every time, and Hidden (macOS Cmd+H, all windows minimised) is a deliberate user action
  much like it. They can be switched on with ``lock_states``.
- ``ClipboardGuard`` / ``copy_to_clipboard`` put text on the clipboard (with the platforms' "do not
  record this" hints), remember it, and clear it after 30 s, on lock and on quit, but only if the
  clipboard still holds that text: what another application put there afterwards is left alone.

Nothing here touches the session: listeners emit a signal and ``AppController.lock()`` does the
locking.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import SLOT, QEvent, QMimeData, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget

try:  # PySide6-Essentials 6.12 ships QtDBus (checked); a build without it gets Qt's state only.
    from PySide6.QtDBus import QDBusConnection, QDBusInterface
except ImportError:  # pragma: no cover - depends on the PySide6 build
    QDBusConnection = None  # type: ignore[assignment,misc]
    QDBusInterface = None  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

Clock = Callable[[], float]

#: How often the wall clock is compared with the idle deadline (the sleep catcher).
IDLE_CHECK_INTERVAL_MS = 5_000
#: Copied text is removed from the clipboard this long after it was copied.
CLIPBOARD_CLEAR_MS = 30_000

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
    }
)


class IdleLock(QObject):
    """Emits ``timed_out`` once when no user input arrived for ``timeout_seconds``.

    ``clock`` (default ``time.time``) is the wall clock the deadline is measured on; tests pass a
    callable they can move forward. ``check_interval_ms`` is how often the clock is checked even
    when no timer is due (after a suspend). While stopped it costs nothing and emits nothing.
    """

    timed_out = Signal()

    def __init__(
        self,
        timeout_seconds: float,
        clock: Clock = time.time,
        check_interval_ms: int = IDLE_CHECK_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if timeout_seconds <= 0:
            raise ValueError("the idle timeout must be positive")
        self.timeout_seconds = float(timeout_seconds)
        self.clock = clock
        self._last_input = 0.0
        self._active = False
        self._firing = False  # KeePassXC's tryLock: never emit twice while it is being handled
        # The exact deadline (cheap: re-armed only when it fires, not on every mouse move) ...
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self.check)
        # ... and the wall-clock check that survives a suspend.
        self._periodic = QTimer(self)
        self._periodic.setInterval(check_interval_ms)
        self._periodic.timeout.connect(self.check)

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        """Start counting from now (after an unlock)."""
        app = QApplication.instance()
        if app is not None and not self._active:
            app.installEventFilter(self)
        self._active = True
        self._last_input = self.clock()
        self._arm(self.timeout_seconds)
        self._periodic.start()

    def stop(self) -> None:
        """Stop counting (after a lock): no more events are watched."""
        app = QApplication.instance()
        if app is not None and self._active:
            app.removeEventFilter(self)
        self._active = False
        self._deadline.stop()
        self._periodic.stop()

    def reset(self) -> None:
        """The user did something: the idle time starts again."""
        self._last_input = self.clock()

    def remaining(self) -> float:
        """Seconds until the lock, by the wall clock (negative when it is overdue)."""
        return self._last_input + self.timeout_seconds - self.clock()

    @Slot()
    def check(self) -> None:
        """Lock if the deadline has passed on the wall clock; else wait for what is left."""
        if not self._active or self._firing:
            return
        left = self.remaining()
        if left > 0:
            self._arm(left)
            return
        self._firing = True
        try:
            self.stop()
            self.timed_out.emit()
        finally:
            self._firing = False

    def _arm(self, seconds: float) -> None:
        # Never more than the periodic check's reach in the future is needed, but a QTimer's
        # interval is an int of milliseconds: clamp to what it can hold.
        self._deadline.start(max(1, min(int(seconds * 1000) + 1, 2**31 - 1)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = self.clock()
        return False


class SystemLockListener(QObject):
    """Emits ``lock_requested`` when the system suspends or the session's screen is locked.

    ``lock_states`` are the ``Qt.ApplicationState`` values that lock (default: Suspended only;
    see the module notes on why Inactive and Hidden do not). ``listen_dbus`` connects to
    systemd-logind and the screen saver on Linux; where there is no bus it does nothing.
    """

    lock_requested = Signal(str)

    def __init__(
        self,
        lock_states: Iterable[Qt.ApplicationState] = (Qt.ApplicationState.ApplicationSuspended,),
        listen_dbus: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.lock_states = frozenset(lock_states)
        self.dbus_connected: list[str] = []
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self.on_application_state)
        if listen_dbus and sys.platform.startswith("linux"):
            self._connect_dbus()

    @Slot(Qt.ApplicationState)
    def on_application_state(self, state: Qt.ApplicationState) -> None:
        if state in self.lock_states:
            self.lock_requested.emit("application-state")

    @Slot(bool)
    def on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        if going_to_sleep:  # False is the signal sent on waking
            self.lock_requested.emit("sleep")

    @Slot()
    def on_session_lock(self) -> None:
        self.lock_requested.emit("session-lock")

    @Slot(bool)
    def on_screensaver_active(self, active: bool) -> None:
        if active:
            self.lock_requested.emit("screensaver")

    def _connect_dbus(self) -> None:
        """systemd-logind and the screen saver, through QtDBus (in PySide6-Essentials)."""
        if QDBusConnection is None:
            return
        login1 = "org.freedesktop.login1"
        system = QDBusConnection.systemBus()
        if system.isConnected():
            if system.connect(
                login1,
                "/org/freedesktop/login1",
                f"{login1}.Manager",
                "PrepareForSleep",
                self,
                SLOT("on_prepare_for_sleep(bool)"),
            ):
                self.dbus_connected.append("PrepareForSleep")
            # Only our own session's Lock (loginctl lock-session, the desktop's lock screen).
            manager = QDBusInterface(login1, "/org/freedesktop/login1", f"{login1}.Manager", system)
            reply = manager.call("GetSessionByPID", os.getpid()) if manager.isValid() else None
            arguments = reply.arguments() if reply is not None else []
            path = arguments[0] if arguments else None
            path_text = getattr(path, "path", lambda: path)()
            if (
                isinstance(path_text, str)
                and path_text
                and system.connect(
                    login1, path_text, f"{login1}.Session", "Lock", self, SLOT("on_session_lock()")
                )
            ):
                self.dbus_connected.append("Lock")
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for service, path in (
                ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
                ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
            ):
                if session.connect(
                    service,
                    path,
                    service,
                    "ActiveChanged",
                    self,
                    SLOT("on_screensaver_active(bool)"),
                ):
                    self.dbus_connected.append(f"{service}.ActiveChanged")


class ClipboardGuard(QObject):
    """Remembers what the app copied and removes it again (after a delay, on lock, on quit)."""

    def __init__(self, clear_after_ms: int = CLIPBOARD_CLEAR_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._copied: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(clear_after_ms)
        self._timer.timeout.connect(self.clear_if_ours)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.aboutToQuit.connect(self.clear_if_ours)

    @property
    def clear_after_ms(self) -> int:
        return self._timer.interval()

    @clear_after_ms.setter
    def clear_after_ms(self, value: int) -> None:
        self._timer.setInterval(value)

    @property
    def holds_ours(self) -> bool:
        """The clipboard still holds the text this app put there."""
        return self._copied is not None and QGuiApplication.clipboard().text() == self._copied

    def copy(self, text: str) -> None:
        mime = QMimeData()
        mime.setText(text)
        # Ask clipboard managers and history not to keep it (KeePassXC's hints).
        if sys.platform == "darwin":
            mime.setData("application/x-nspasteboard-concealed-type", text.encode("utf-8"))
        elif sys.platform == "win32":
            mime.setData("ExcludeClipboardContentFromMonitorProcessing", b"1")
        else:
            mime.setData("x-kde-passwordManagerHint", b"secret")
        QGuiApplication.clipboard().setMimeData(mime, QClipboard.Mode.Clipboard)
        self._copied = text
        self._timer.start()

    @Slot()
    def clear_if_ours(self) -> None:
        """Empty the clipboard if it still holds what we copied; forget it either way."""
        self._timer.stop()
        if self.holds_ours:
            QGuiApplication.clipboard().clear(QClipboard.Mode.Clipboard)
        self._copied = None


_guard: ClipboardGuard | None = None


def clipboard_guard() -> ClipboardGuard:
    """The application's one clipboard guard (made on first use, after the QApplication)."""
    global _guard  # noqa: PLW0603 (one per process, like the clipboard itself)
    if _guard is None:
        _guard = ClipboardGuard(parent=QApplication.instance())
        _guard.destroyed.connect(_forget_guard)
    return _guard


def _forget_guard(*_args: object) -> None:
    global _guard  # noqa: PLW0603
    _guard = None


def copy_to_clipboard(text: str) -> None:
    """Copy case text for the user; it is cleared after 30 s and whenever the app locks."""
    clipboard_guard().copy(text)


def close_windows_showing_data(keep: Iterable[QWidget] = ()) -> int:
    """Close every dialog, menu and other top-level window but ``keep``; return how many.

    Modal dialogs first, innermost first (``activeModalWidget``), so a nested ``exec()`` loop
    ends; then every other visible top-level widget. Dialogs are rejected (their owners see
    "cancelled"), everything else is hidden.
    """
    kept = set(keep)
    closed = 0
    seen: set[int] = set()
    while (modal := QApplication.activeModalWidget()) is not None and modal not in kept:
        if id(modal) in seen:  # it refused to close; hide it and go on
            modal.hide()
            break
        seen.add(id(modal))
        _close(modal)
        closed += 1
    for widget in QApplication.topLevelWidgets():
        if widget in kept or not widget.isVisible():
            continue
        _close(widget)
        closed += 1
    return closed


def _close(widget: QWidget) -> None:
    if isinstance(widget, QDialog):
        widget.reject()
    elif isinstance(widget, QMenu):
        widget.close()
    else:
        widget.hide()
    if widget.isVisible():
        widget.hide()
