"""The application's life cycle: first run, unlock, lock, and the demo store.

``AppController`` owns the session thread (``SessionHost``) and the main window, and is the one
place that decides what the user may see: records only after an unlock, nothing of them after a
lock. ``lock()`` is the single way to lock, for the toolbar and Ctrl+L today and for the idle
timer and OS screen-lock listeners later.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from desktop.policy import Policy
from desktop.session import (
    PassphraseTooWeak,
    Profile,
    Session,
    WrongPassphrase,
    store_exists,
)
from desktop.ui.main_window import MainWindow, Page
from desktop.ui.setup_dialog import SetupDialog
from desktop.ui.worker import SessionHost


class AppController(QObject):
    #: The session is open and the records page shows.
    unlocked = Signal()
    #: The session has been locked in the worker thread.
    locked = Signal()
    #: The demo store is ready (True; the records page shows, even if filling it failed) or
    #: could not be created (False).
    demo_ready = Signal(bool)

    # Emitted from the worker thread by ``fill_demo``'s progress callback; queued to this object.
    _demo_progress = Signal(int, int)

    def __init__(self, store_dir: Path, policy: Policy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store_dir = store_dir
        self.policy = policy
        self.host = SessionHost(self)
        self.window = MainWindow(self.host)
        self.setup_dialog: SetupDialog | None = None
        self._unlocked = False
        self._cancel = threading.Event()

        self.window.lock_requested.connect(self.lock)
        self.window.closing.connect(self.shutdown)
        self.window.unlock_page.unlock_requested.connect(self.unlock)
        self.window.welcome_page.setup_requested.connect(self.open_setup)
        self.window.progress_page.cancel_requested.connect(self._cancel.set)
        self.host.unhandled_error.connect(self.window.show_message)
        self._demo_progress.connect(self.window.progress_page.set_progress)
        self.window.unlock_page.set_store(store_dir)
        self.window.welcome_page.set_store(store_dir)

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
        directory, policy = self.store_dir, self.policy

        def unlock() -> Session:
            return Session.unlock(directory, passphrase, policy)

        self.host.open(unlock, self._opened, self._unlock_failed)

    def _unlock_failed(self, error: Exception) -> None:
        if isinstance(error, WrongPassphrase):
            text = self.tr("Wrong passphrase. Check Caps Lock and try again.")
        else:
            text = self.tr("The store could not be opened: %1").replace("%1", str(error))
        self.window.unlock_page.show_error(text)

    def _opened(self) -> None:
        self._unlocked = True
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
        """Hide every record at once, then lock the session in the worker thread."""
        if not self._unlocked:
            return
        self._unlocked = False
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
        progress = self._demo_progress.emit

        def create() -> Session:
            return Session.create(directory, passphrase, profile, policy)

        def fill(session: Session) -> int:
            # ``Session.fill_demo`` is being added alongside this GUI (see the issue).
            return int(session.fill_demo(records, progress=progress, should_cancel=cancel.is_set))

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
        if self.host.running:
            self.window.browser.clear()
        self.host.shutdown()
