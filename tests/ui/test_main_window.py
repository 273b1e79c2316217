"""The menu bar and backups, driven from the keyboard: Alt and a letter, then the command's letter.

Backups run for real (the real Session in its thread, a real encrypted store); the folder is
chosen through the window's ``choose_backup_directory`` seam. To cancel a backup at a known
moment, a job that waits for an event is queued first: the session thread runs one job at a
time, so the backup cannot start until the test lets that job finish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from desktop import __version__
from desktop.policy import load_policy
from desktop.session import Session
from desktop.ui.controller import AppController
from desktop.ui.main_window import MainWindow, Page
from desktop.ui.record_form import Mode
from tests.ui.conftest import PASSPHRASE, WAIT_MS, Made, unlock
from tests.ui.test_app import activate, menu_problems, unnamed_controls

MENUS = {
    "fileMenu": (
        Qt.Key.Key_F,
        [
            "importReportsAction",
            "exportReportAction",
            "sendReviewsAction",
            "backupAction",
            "lockAction",
            "quitAction",
        ],
    ),
    "recordMenu": (
        Qt.Key.Key_R,
        [
            "newRecordAction",
            "likeRecordAction",
            "amendAction",
            "markAdviceAction",
            "withdrawConsentAction",
            "accountingAction",
        ],
    ),
    "editMenu": (Qt.Key.Key_E, ["findAction"]),
    "viewMenu": (Qt.Key.Key_V, ["recordsViewAction", "reviewViewAction"]),
    "helpMenu": (Qt.Key.Key_H, ["aboutAction"]),
}


def menu(window: MainWindow, name: str) -> QMenu:
    found = window.menuBar().findChild(QMenu, name)
    assert found is not None
    return found


def open_menu(qtbot: QtBot, window: MainWindow, name: str) -> QMenu:
    """Alt and the menu's letter, sent where the keyboard focus is, as a user types it."""
    key, _ = MENUS[name]
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, Qt.KeyboardModifier.AltModifier)
    opened = menu(window, name)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is opened, timeout=WAIT_MS)
    return opened


def choose(qtbot: QtBot, window: MainWindow, name: str, letter: Qt.Key) -> None:
    """Open a menu with Alt+letter and pick a command by its underlined letter."""
    opened = open_menu(qtbot, window, name)
    qtbot.keyClick(opened, letter)
    qtbot.waitUntil(lambda: not opened.isVisible(), timeout=WAIT_MS)


def folder_contents(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def unlocked(qtbot: QtBot, controller: AppController, filled_store: list[Made]) -> MainWindow:
    unlock(qtbot, controller)
    activate(qtbot, controller.window)
    return controller.window


@pytest.fixture
def backups(tmp_path: Path, controller: AppController) -> Path:
    """The folder the user picks in the (replaced) folder dialog."""
    folder = tmp_path / "backups"
    folder.mkdir()
    controller.window.choose_backup_directory = lambda: folder
    return folder


def audit_head(qtbot: QtBot, controller: AppController) -> int:
    heads: list[int] = []
    controller.host.submit(lambda session: session.status().audit_head_seq, heads.append)
    qtbot.waitUntil(lambda: bool(heads), timeout=WAIT_MS)
    return heads[0]


# -- the menus ----------------------------------------------------------------------------------
def test_every_menu_opens_with_alt_and_a_letter_and_names_its_commands(
    qtbot: QtBot, unlocked: MainWindow
) -> None:
    window = unlocked
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Record", "&Edit", "&View", "&Help"]
    assert menu_problems(window) == []
    toolbar_actions = set(window.toolbar.actions())
    in_menus: set[QAction] = set()

    for name, (_key, expected) in MENUS.items():
        opened = open_menu(qtbot, window, name)
        commands = [action for action in opened.actions() if not action.isSeparator()]
        assert [action.objectName() for action in commands] == expected
        assert opened.accessibleName()
        assert unnamed_controls(opened) == []
        in_menus.update(commands)
        qtbot.keyClick(opened, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda opened=opened: not opened.isVisible(), timeout=WAIT_MS)

    # The toolbar's buttons are the menus' commands, not copies of them.
    assert toolbar_actions <= in_menus
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert window.lock_action.shortcut() == QKeySequence("Ctrl+L")
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.new_record_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)


def test_record_commands_follow_the_selection_and_open_from_the_menu(
    qtbot: QtBot, controller: AppController, unlocked: MainWindow
) -> None:
    window = unlocked
    browser = window.browser
    record_menu = open_menu(qtbot, window, "recordMenu")
    enabled = {
        action.objectName()
        for action in record_menu.actions()
        if action.isEnabled() and not action.isSeparator()
    }
    assert enabled == {"newRecordAction", "accountingAction"}  # nothing selected yet
    qtbot.keyClick(record_menu, Qt.Key.Key_Escape)

    # Edit > Find puts the cursor in the search box.
    choose(qtbot, window, "editMenu", Qt.Key.Key_F)
    assert QApplication.focusWidget() is browser.search_edit

    browser.table.setFocus()
    browser.table.selectRow(0)
    qtbot.waitUntil(lambda: browser.selected_record_id() is not None, timeout=WAIT_MS)
    assert window.amend_action.isEnabled()
    assert not window.mark_advice_action.isEnabled()  # a final record waits for no advice

    choose(qtbot, window, "recordMenu", Qt.Key.Key_W)
    dialog = browser.withdraw_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    browser.close_withdraw_dialog()
    qtbot.waitUntil(lambda: browser.withdraw_dialog is None, timeout=WAIT_MS)

    activate(qtbot, window)
    choose(qtbot, window, "recordMenu", Qt.Key.Key_A)
    form = window.record_form
    assert form is not None
    assert form.mode is Mode.AMEND
    qtbot.waitUntil(form.isVisible, timeout=WAIT_MS)
    form.discard()
    qtbot.waitUntil(lambda: window.record_form is None, timeout=WAIT_MS)

    # File > Lock from the main window closes a new record's form with everything else.
    activate(qtbot, window)
    choose(qtbot, window, "recordMenu", Qt.Key.Key_N)
    form = window.record_form
    assert form is not None
    assert form.mode is Mode.NEW
    activate(qtbot, window)
    with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
        choose(qtbot, window, "fileMenu", Qt.Key.Key_L)
    assert window.page() is Page.UNLOCK
    assert window.record_form is None or not window.record_form.isVisible()
    assert browser.model.rowCount() == 0


def test_about_names_the_version_and_the_store_folder_even_while_locked(
    qtbot: QtBot, controller: AppController, filled_store: list[Made], store_dir: Path
) -> None:
    controller.start()
    window = controller.window
    activate(qtbot, window)
    assert window.page() is Page.UNLOCK
    choose(qtbot, window, "helpMenu", Qt.Key.Key_A)
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    assert f"Disclosure Log {__version__}" in box.text()
    assert str(store_dir) in box.text()
    assert unnamed_controls(window) == []
    activate(qtbot, box)
    qtbot.keyClick(QApplication.focusWidget() or box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    assert QApplication.activeModalWidget() is None


def test_quit_from_the_file_menu_closes_the_window_and_locks(
    qtbot: QtBot, controller: AppController, unlocked: MainWindow
) -> None:
    choose(qtbot, unlocked, "fileMenu", Qt.Key.Key_Q)
    qtbot.waitUntil(lambda: not unlocked.isVisible(), timeout=WAIT_MS)
    assert not controller.host.running  # the session was locked and its thread ended
    assert not controller.is_unlocked


# -- backups ------------------------------------------------------------------------------------
def test_back_up_from_the_file_menu_writes_a_backup_that_restores(
    qtbot: QtBot, controller: AppController, unlocked: MainWindow, backups: Path, tmp_path: Path
) -> None:
    window = unlocked
    bar = window.progress_page.bar
    shown: list[int] = []
    bar.valueChanged.connect(shown.append)

    choose(qtbot, window, "fileMenu", Qt.Key.Key_B)
    assert window.page() is Page.PROGRESS  # the records are out of sight while it runs
    assert window.progress_page.cancel_button.hasFocus()
    assert not window.backup_action.isEnabled()
    assert window.lock_action.isEnabled()  # the user can still lock at any moment
    qtbot.waitUntil(
        lambda: window.page() is Page.RECORDS and controller.host.pending == 0, timeout=WAIT_MS
    )

    assert shown[-1] == bar.maximum() > 0  # the bar went all the way
    [name] = folder_contents(backups)
    written = backups / name
    assert name.endswith(".dlbackup")
    assert window.statusBar().currentMessage() == f"Backup written to {written}"
    assert window.backup_action.isEnabled()
    restored = Session.restore(written, tmp_path / "restored", PASSPHRASE, load_policy())
    try:
        assert restored.status().records == 12
    finally:
        restored.lock()


def test_cancel_stops_the_backup_and_leaves_no_file_and_no_audit_event(
    qtbot: QtBot,
    controller: AppController,
    unlocked: MainWindow,
    backups: Path,
    hold_session_thread: Callable[[], threading.Event],
) -> None:
    window = unlocked
    head = audit_head(qtbot, controller)
    release = hold_session_thread()
    choose(qtbot, window, "fileMenu", Qt.Key.Key_B)
    cancel = window.progress_page.cancel_button
    assert window.page() is Page.PROGRESS
    assert cancel.hasFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Space)
    assert not cancel.isEnabled()
    assert window.progress_page.label.text() == "Stopping…"
    release.set()  # only now can the backup start: it sees the cancel at once

    qtbot.waitUntil(
        lambda: window.page() is Page.RECORDS and controller.host.pending == 0, timeout=WAIT_MS
    )
    assert window.statusBar().currentMessage() == "The backup was stopped. Nothing was written."
    assert folder_contents(backups) == []  # not even a hidden .partial file
    assert audit_head(qtbot, controller) == head  # no "backup made" event: the store is as it was
    assert window.backup_action.isEnabled()


def test_locking_during_a_backup_stops_it_before_the_keys_are_dropped(
    qtbot: QtBot,
    controller: AppController,
    unlocked: MainWindow,
    backups: Path,
    hold_session_thread: Callable[[], threading.Event],
) -> None:
    window = unlocked
    release = hold_session_thread()
    choose(qtbot, window, "fileMenu", Qt.Key.Key_B)
    assert window.page() is Page.PROGRESS

    qtbot.keyClick(
        window.progress_page.cancel_button, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
    )
    # Everything is hidden at once, while the backup is still queued behind the held job.
    assert window.page() is Page.UNLOCK
    assert not window.browser.isVisible()
    assert window.browser.model.rowCount() == 0
    assert not window.backup_action.isEnabled()
    with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
        release.set()

    assert folder_contents(backups) == []
    assert window.page() is Page.UNLOCK
    assert window.statusBar().currentMessage() == "The backup was stopped. Nothing was written."

    # After the next unlock, backing up works again.
    unlock(qtbot, controller)
    activate(qtbot, window)
    choose(qtbot, window, "fileMenu", Qt.Key.Key_B)
    qtbot.waitUntil(
        lambda: window.page() is Page.RECORDS and controller.host.pending == 0, timeout=WAIT_MS
    )
    assert len(folder_contents(backups)) == 1


def test_a_backup_that_cannot_be_written_says_why_and_changes_nothing(
    qtbot: QtBot, controller: AppController, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    window.choose_backup_directory = lambda: None  # the user closed the folder dialog
    choose(qtbot, window, "fileMenu", Qt.Key.Key_B)
    assert window.page() is Page.RECORDS  # no backup started
    assert window.backup_action.isEnabled()

    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("not a folder", encoding="utf-8")
    before = folder_contents(tmp_path)
    window.choose_backup_directory = lambda: not_a_folder / "backups"
    choose(qtbot, window, "fileMenu", Qt.Key.Key_B)
    qtbot.waitUntil(
        lambda: window.page() is Page.RECORDS and controller.host.pending == 0, timeout=WAIT_MS
    )
    assert window.statusBar().currentMessage() == "The backup could not be made: Not a directory"
    assert folder_contents(tmp_path) == before
    assert window.backup_action.isEnabled()
