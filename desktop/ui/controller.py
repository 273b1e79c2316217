"""The application's life cycle: first run, unlock, lock, and the demo store.

``AppController`` owns the session thread (``SessionHost``) and the main window, and is the one
place that decides what the user may see: records only after an unlock, nothing of them after a
lock. ``lock()`` is the single way to lock: the toolbar and Ctrl+L, the idle timer
(``IdleLock``) and the system's suspend and screen-lock signals (``SystemLockListener``) all
call it. Wrong passphrases are counted, each one after the first makes the user wait a little
longer (``UNLOCK_DELAYS``), and the count is audited by ``Session.unlock`` at the next unlock
(nothing may be written with a wrong passphrase).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from desktop.demo_team import import_team_reports
from desktop.policy import Policy
from desktop.session import (
    PassphraseTooWeak,
    Profile,
    Session,
    WrongPassphrase,
    store_exists,
)
from desktop.ui.lock import (
    IdleLock,
    SystemLockListener,
    clipboard_guard,
    close_windows_showing_data,
)
from desktop.ui.main_window import MainWindow, Page
from desktop.ui.setup_dialog import SetupDialog
from desktop.ui.worker import SessionHost

DEMO_TEAM_RECORDS = 40
"""Sample records each of the demo's three practitioners sends the demo store in a report."""

#: Seconds the unlock screen refuses another try after the 1st, 2nd, 3rd… wrong passphrase; the
#: last value repeats. Argon2id already costs ~0.5 s per guess; this slows a person at the
#: keyboard, not an offline attacker with a copy of the files (security.md §2.6).
UNLOCK_DELAYS: tuple[float, ...] = (0, 1, 2, 4, 8, 16, 30)


def unlock_delay(failures: int, delays: Sequence[float] = UNLOCK_DELAYS) -> float:
    """The wait after ``failures`` wrong passphrases in a row (0 for none)."""
    if failures <= 0 or not delays:
        return 0.0
    return float(delays[min(failures, len(delays)) - 1])


class AppController(QObject):
    #: The session is open and the records page shows.
    unlocked = Signal()
    #: The session has been locked in the worker thread.
    locked = Signal()
    #: The demo store is ready (True; the records page shows, even if filling it failed) or
    #: could not be created (False).
    demo_ready = Signal(bool)

    def __init__(
        self,
        store_dir: Path,
        policy: Policy,
        parent: QObject | None = None,
        *,
        idle_lock: IdleLock | None = None,
        system_lock: SystemLockListener | None = None,
        unlock_delays: Sequence[float] = UNLOCK_DELAYS,
    ) -> None:
        super().__init__(parent)
        self.store_dir = store_dir
        self.policy = policy
        self.unlock_delays = tuple(unlock_delays)
        #: Wrong passphrases since the last successful unlock (audited at the next one).
        self.failed_attempts = 0
        self.idle_lock = idle_lock or IdleLock(policy.idle_lock_minutes * 60.0)
        self.idle_lock.setParent(self)
        self.idle_lock.timed_out.connect(self.lock)
        self.system_lock = system_lock or SystemLockListener()
        self.system_lock.setParent(self)
        self.system_lock.lock_requested.connect(self.lock)
        self.host = SessionHost(self)
        self.window = MainWindow(self.host, store_dir)
        self.setup_dialog: SetupDialog | None = None
        self._unlocked = False
        self._cancel = threading.Event()

        self.window.lock_requested.connect(self.lock)
        self.window.closing.connect(self.shutdown)
        self.window.unlock_page.unlock_requested.connect(self.unlock)
        self.window.welcome_page.setup_requested.connect(self.open_setup)
        self.window.progress_page.cancel_requested.connect(self._cancel.set)
        self.host.unhandled_error.connect(self.window.show_message)

    @property
    def is_unlocked(self) -> bool:
        return self._unlocked

    # -- starting ---------------------------------------------------------------------------
    def start(self) -> None:
        """Show the window: the unlock screen, or on first run the setup dialog."""
        self.window.show()
        if store_exists(self.store_dir):
            self.window.show_page(Page.UNLOCK)
        else:
            self.window.show_page(Page.WELCOME)
            self.open_setup()

    def open_setup(self) -> SetupDialog:
        if self.setup_dialog is None:
            dialog = SetupDialog(self.policy, self.store_dir, self.window)
            dialog.create_requested.connect(self.create)
            dialog.finished.connect(self._setup_closed)
            self.setup_dialog = dialog
        # open(), not exec(): window-modal without a nested event loop.
        self.setup_dialog.open()
        return self.setup_dialog

    def _setup_closed(self, _result: int) -> None:
        dialog, self.setup_dialog = self.setup_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    # -- opening the session ----------------------------------------------------------------
    def create(self, profile: Profile, passphrase: str) -> None:
        """Create the store on the worker thread (Argon2id runs there), then show the records."""
        directory, policy = self.store_dir, self.policy

        def create() -> Session:
            return Session.create(directory, passphrase, profile, policy)

        self.host.open(create, self._created, self._create_failed)

    def _created(self) -> None:
        if self.setup_dialog is not None:
            self.setup_dialog.set_busy(False)
            self.setup_dialog.accept()
        self._opened()

    def _create_failed(self, error: Exception) -> None:
        dialog = self.setup_dialog
        if dialog is None:
            self.window.show_message(str(error))
            return
        if isinstance(error, PassphraseTooWeak):
            dialog.show_error(
                self.tr("The passphrase is too short: %1").replace("%1", str(error)),
                dialog.passphrase_edit,
            )
        else:
            dialog.show_error(
                self.tr("The store could not be created: %1").replace("%1", str(error)),
                dialog.name_edit,
            )

    def unlock(self, passphrase: str) -> None:
        """Unlock on the worker thread; a wrong passphrase is answered inline."""
        directory, policy, failed = self.store_dir, self.policy, self.failed_attempts

        def unlock() -> Session:
            return Session.unlock(directory, passphrase, policy, failed_attempts=failed)

        self.host.open(unlock, self._unlocked_now, self._unlock_failed)

    def _unlocked_now(self) -> None:
        self.failed_attempts = 0  # Session.unlock has audited them
        self._opened()

    def _unlock_failed(self, error: Exception) -> None:
        page = self.window.unlock_page
        if isinstance(error, WrongPassphrase):
            self.failed_attempts += 1
            page.show_error(self.tr("Wrong passphrase. Check Caps Lock and try again."))
            page.start_cooldown(unlock_delay(self.failed_attempts, self.unlock_delays))
        else:
            page.show_error(self.tr("The store could not be opened: %1").replace("%1", str(error)))

    def _opened(self) -> None:
        self._unlocked = True
        self.idle_lock.start()
        self.window.show_page(Page.RECORDS)
        self.window.browser.reload()
        self.host.submit(
            lambda session: session.profile(), self._profile_arrived, lambda _error: None
        )
        self.unlocked.emit()

    def _profile_arrived(self, profile: Profile) -> None:
        if self._unlocked:
            self.window.setWindowTitle(
                self.tr("Disclosure Log — %1, %2")
                .replace("%1", profile.name)
                .replace("%2", profile.organisation)
            )

    # -- locking ----------------------------------------------------------------------------
    def lock(self) -> None:
        """Hide every record at once, then lock the session in the worker thread.

        In this order: stop the idle timer, close every dialog and other window (they may show
        case data), empty the records page, clear what the app put on the clipboard, show the
        unlock page, and drop the session (its keys) on the worker thread.
        """
        if not self._unlocked:
            return
        self._unlocked = False
        self.idle_lock.stop()
        close_windows_showing_data(keep=(self.window,))
        clipboard_guard().clear_if_ours()
        self.window.browser.clear()
        self.window.setWindowTitle(self.tr("Disclosure Log"))
        self.window.show_page(Page.UNLOCK)
        self.window.unlock_page.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        self.host.close(self.locked.emit)

    # -- the demo store ---------------------------------------------------------------------
    def start_demo(self, records: int, passphrase: str, profile: Profile) -> None:
        """Create a throwaway store in ``store_dir``, fill it with sample records, open it."""
        self.window.show()
        self.window.unlock_page.set_hint(
            self.tr("This is a demo store; its passphrase is: %1").replace("%1", passphrase)
        )
        self.window.progress_page.start(
            self.tr("Making a throwaway store with %n sample records…", "", records)
        )
        self.window.show_page(Page.PROGRESS)
        directory, policy, cancel = self.store_dir, self.policy, self._cancel
        progress = self.host.progress.emit

        def create() -> Session:
            return Session.create(directory, passphrase, profile, policy)

        def fill(session: Session) -> int:
            made = int(session.fill_demo(records, progress=progress, should_cancel=cancel.is_set))
            # Reports from three sample practitioners, so the Review view has work in it.
            import_team_reports(
                session, directory.parent / "team", DEMO_TEAM_RECORDS, cancel.is_set
            )
            return made

        def filled(count: int) -> None:
            self._opened()
            self.window.show_message(self.tr("%n sample records made.", "", count))
            self.demo_ready.emit(True)

        def fill_failed(error: Exception) -> None:
            self._opened()
            self.window.show_message(
                self.tr("The sample records could not be made: %1").replace("%1", str(error))
            )
            self.demo_ready.emit(True)

        def create_failed(error: Exception) -> None:
            self.window.show_page(Page.WELCOME)
            self.window.show_message(
                self.tr("The demo store could not be created: %1").replace("%1", str(error))
            )
            self.demo_ready.emit(False)

        def created() -> None:
            self.host.submit(fill, filled, fill_failed)

        self.host.open(create, created, create_failed)

    # -- ending -----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop long work, lock the session and end its thread. Safe to call twice."""
        self._cancel.set()
        self._unlocked = False
        self.idle_lock.stop()
        clipboard_guard().clear_if_ours()
        if self.host.running:
            self.window.browser.clear()
        self.host.shutdown()
