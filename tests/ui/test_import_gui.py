"""Importing practitioners' reports from the GUI: File > Import reports… and files dropped on it.

The GUI opens a supervisor's real store; a practitioner's real store, made in the test, exports
real reports to the supervisor, who trusts the practitioner's certificate (as tests/cli does
with ``trust add``). Only the file dialog is replaced (the window's ``choose_report_files``
seam); drops are real ``QDropEvent``s carrying file URLs, sent to the records table so they
reach the window the way a drop from a file manager does. Whatever is refused or stopped must
leave every table of the supervisor's store as it was (the audit log gains only a refusal).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.domain.canonical import canonical_json
from desktop.policy import load_policy
from desktop.reports.container import pack, unpack
from desktop.reports.envelope import open_sealed, seal
from desktop.reports.manifest import sign_manifest
from desktop.session import ReportScope, Session
from desktop.ui.controller import AppController
from desktop.ui.import_dialog import ImportReportsDialog
from desktop.ui.main_window import MainWindow, Page
from tests.conftest import PROFILE
from tests.reports.sent_report import introduce
from tests.reports.test_import_cancel import every_table
from tests.ui.conftest import PASSPHRASE, WAIT_MS, add_records, unlock
from tests.ui.test_app import activate, menu_problems, unnamed_controls
from tests.ui.test_main_window import choose

T = TypeVar("T")
SUPERVISOR = dataclasses.replace(PROFILE, name="Jo Supervisor", role="Designated safeguarding lead")
SAM = dataclasses.replace(PROFILE, name="Sam Patel")
SIGNER = "Sam Patel, Northshire Council"
"""How the reports' signing certificate names Sam: name, organisation."""
EVERYTHING = ReportScope(date(2000, 1, 1), date(2099, 12, 31))


@dataclass(frozen=True)
class Reports:
    """Sam's reports to the supervisor, as files: 3 records, then 2 more; and two bad ones."""

    first: Path
    second: Path
    tampered: Path
    """The second with one byte changed."""
    replayed: Path
    """Signed by Sam, numbered 1 again but not the first: an alert."""


@pytest.fixture
def reports(tmp_path: Path, store_dir: Path) -> Reports:
    """The GUI's store is the supervisor's (Jo), who trusts Sam's certificate."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    jo = Session.create(store_dir, PASSPHRASE, SUPERVISOR, load_policy())
    sam = Session.create(tmp_path / "sam", PASSPHRASE, SAM, load_policy())
    try:
        introduce(jo, sam, tmp_path)
        add_records(sam, 3)
        first = folder / "first.dlreport"
        sam.export_report(EVERYTHING, "supervisor", first)
        add_records(sam, 2)
        second = folder / "second.dlreport"
        sam.export_report(EVERYTHING, "supervisor", second)
        genuine = second.read_bytes()
        flipped = bytearray(genuine)
        flipped[len(genuine) // 2] ^= 0x01
        tampered = folder / "tampered.dlreport"
        tampered.write_bytes(bytes(flipped))
        replayed = folder / "replayed.dlreport"
        replayed.write_bytes(renumbered(genuine, sam, jo, 1))
    finally:
        sam.lock()
        jo.lock()
    return Reports(first, second, tampered, replayed)


def renumbered(bundle: bytes, author: Session, to: Session, sequence: int) -> bytes:
    """``bundle`` numbered ``sequence``, signed again by its author and sealed to ``to``: what
    an author could make, and a supervisor must refuse and flag."""
    identity = author.identity()
    members = unpack(open_sealed(bundle, identity.encryption_key))
    fields = json.loads(members.manifest)
    fields["sequence"] = sequence
    manifest = canonical_json(fields)
    forged = dataclasses.replace(
        members, manifest=manifest, signature=sign_manifest(manifest, identity.signing_key)
    )
    return seal(pack(forged), [to.identity().encryption_key.public_key()])


@pytest.fixture
def window(qtbot: QtBot, controller: AppController, reports: Reports) -> MainWindow:
    unlock(qtbot, controller)
    activate(qtbot, controller.window)
    return controller.window


def ask(qtbot: QtBot, controller: AppController, fn: Callable[[Session], T]) -> T:
    """``fn(session)`` on the session thread, as the GUI asks it."""
    answers: list[T] = []
    controller.host.submit(fn, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
    return answers[0]


def store_state(qtbot: QtBot, controller: AppController) -> dict[str, Any]:
    """Every table of the supervisor's store, the audit log included."""
    return ask(qtbot, controller, every_table)


def audit_events(qtbot: QtBot, controller: AppController) -> list[str]:
    rows = ask(
        qtbot,
        controller,
        lambda session: session.store.conn.execute(
            "SELECT event FROM audit ORDER BY seq"
        ).fetchall(),
    )
    return [event for (event,) in rows]


def imported_reports(qtbot: QtBot, controller: AppController) -> list[int]:
    rows = ask(
        qtbot,
        controller,
        lambda session: session.store.conn.execute(
            "SELECT seq FROM imported_reports ORDER BY seq"
        ).fetchall(),
    )
    return [sequence for (sequence,) in rows]


def drop(qtbot: QtBot, window: MainWindow, *paths: Path) -> bool:
    """Drag ``paths`` over the records table and drop them there, as from a file manager;
    True if the window took the drag (the drop itself says what it makes of the files)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    target = window.browser.table.viewport()
    where = target.rect().center()
    enter = QDragEnterEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(
        QPointF(where),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, dropped)
    assert dropped.isAccepted()
    return True


def finished(qtbot: QtBot, window: MainWindow) -> ImportReportsDialog:
    dialog = window.import_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.running and window.host.pending == 0, timeout=WAIT_MS)
    return dialog


def close(qtbot: QtBot, window: MainWindow, dialog: ImportReportsDialog) -> None:
    """Escape, as a keyboard user closes it; back to the main window."""
    activate(qtbot, dialog)
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.import_dialog is None, timeout=WAIT_MS)
    activate(qtbot, window)


# -- importing ----------------------------------------------------------------------------------
def test_import_from_the_file_menu_by_keyboard_then_again_changes_nothing(
    qtbot: QtBot, controller: AppController, window: MainWindow, reports: Reports
) -> None:
    assert menu_problems(window) == []
    assert window.import_action.shortcut() == QKeySequence("Ctrl+I")
    asked: list[bool] = []

    def choose_files() -> list[Path]:
        asked.append(True)
        return [reports.first]

    window.choose_report_files = choose_files
    shown: list[int] = []

    # Alt+F, then I: the file dialog (replaced), then the import with its progress bar.
    choose(qtbot, window, "fileMenu", Qt.Key.Key_I)
    assert asked == [True]
    dialog = window.import_dialog
    assert dialog is not None
    dialog.progress_bar.valueChanged.connect(shown.append)
    assert dialog.running
    assert dialog.close_button.text() == "Cancel"
    assert dialog.focusWidget() is dialog.close_button  # Space or Enter cancels
    dialog = finished(qtbot, window)

    expected = f"Report 1 from {SIGNER} imported: 3 record versions added."
    assert dialog.status_label.text() == expected
    assert not dialog.error_label.isVisible()
    assert window.statusBar().currentMessage() == expected
    assert shown[-1] == dialog.progress_bar.maximum() > 0  # the bar went all the way
    assert not dialog.progress_bar.isVisible()
    assert dialog.close_button.text() == "Close"
    assert unnamed_controls(dialog) == []
    assert imported_reports(qtbot, controller) == [1]
    assert audit_events(qtbot, controller)[-1] == "report_imported"

    # Escape closes the dialog; Ctrl+I in the main window asks again: the same file again.
    close(qtbot, window, dialog)
    before = store_state(qtbot, controller)
    qtbot.keyClick(
        QApplication.focusWidget() or window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
    )
    assert asked == [True, True]
    dialog = finished(qtbot, window)
    again = f"Report 1 from {SIGNER} was imported before: nothing changed."
    assert dialog.status_label.text() == again
    assert window.statusBar().currentMessage() == again
    assert store_state(qtbot, controller) == before

    # The file dialog closed with nothing chosen: nothing happens.
    close(qtbot, window, dialog)
    window.choose_report_files = list
    choose(qtbot, window, "fileMenu", Qt.Key.Key_I)
    assert window.import_dialog is None
    assert store_state(qtbot, controller) == before


def test_several_dropped_files_import_one_after_another_with_one_summary(
    qtbot: QtBot, controller: AppController, window: MainWindow, reports: Reports, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a report", encoding="utf-8")
    assert drop(qtbot, window, reports.first, notes, reports.second)
    dialog = finished(qtbot, window)

    assert dialog.status_label.text() == "\n".join(
        (
            "2 of 3 files imported.",
            f"first.dlreport: Report 1 from {SIGNER} imported: 3 record versions added.",
            f"second.dlreport: Report 2 from {SIGNER} imported: 2 record versions added.",
        )
    )
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == (
        "notes.txt was not imported: only Disclosure Log reports and reviews (files ending in"
        " .dlreport or .dlreview) can be imported."
    )
    assert window.statusBar().currentMessage() == "2 of 3 files imported."
    assert imported_reports(qtbot, controller) == [1, 2]


def test_a_drop_of_files_that_are_not_reports_is_refused_unread(
    qtbot: QtBot, controller: AppController, window: MainWindow, tmp_path: Path
) -> None:
    before = store_state(qtbot, controller)
    picture = tmp_path / "report.pdf"
    picture.write_bytes(b"%PDF-1.7 not a report bundle")
    assert drop(qtbot, window, picture)
    dialog = window.import_dialog
    assert dialog is not None
    assert not dialog.running  # nothing was started: the file is refused by its name
    refusal = (
        "report.pdf was not imported: only Disclosure Log reports and reviews (files ending in"
        " .dlreport or .dlreview) can be imported."
    )
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == refusal
    assert window.statusBar().currentMessage() == refusal
    assert store_state(qtbot, controller) == before  # not even audited


def test_a_tampered_report_is_refused_in_the_importers_words_and_changes_nothing(
    qtbot: QtBot, controller: AppController, window: MainWindow, reports: Reports
) -> None:
    before = store_state(qtbot, controller)
    assert drop(qtbot, window, reports.tampered)
    dialog = finished(qtbot, window)

    text = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert text.startswith("tampered.dlreport was not imported: the report bundle cannot be")
    assert "alert" not in text
    assert dialog.status_label.text() == ""
    assert window.statusBar().currentMessage() == text
    after = store_state(qtbot, controller)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert audit_events(qtbot, controller)[-1] == "report_import_refused"
    assert len(after["audit"]) == len(before["audit"]) + 1


def test_a_replayed_report_is_refused_and_said_to_be_recorded_as_an_alert(
    qtbot: QtBot, controller: AppController, window: MainWindow, reports: Reports
) -> None:
    assert drop(qtbot, window, reports.first)
    finished(qtbot, window)
    before = store_state(qtbot, controller)
    assert drop(qtbot, window, reports.replayed)
    dialog = finished(qtbot, window)

    text = dialog.error_label.text()
    assert text.startswith(
        "replayed.dlreport was not imported, and this was recorded as an alert in the audit"
        " log: another report numbered 1 by the same signer was imported before"
    )
    assert imported_reports(qtbot, controller) == [1]
    assert audit_events(qtbot, controller)[-1] == "report_import_alert"
    after = store_state(qtbot, controller)
    assert len(after["audit"]) == len(before["audit"]) + 1


# -- stopping -----------------------------------------------------------------------------------
@pytest.fixture
def paused_after_decrypting(
    controller: AppController,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """(reached, go_on): the session thread, once an import reports its first step done (the
    bundle decrypted and verified), sets ``reached`` and waits for ``go_on``. Connected
    directly, so it runs on the session thread, in the middle of ``Session.import_report``."""
    reached, go_on = threading.Event(), threading.Event()

    def at_step(done: int, _total: int) -> None:
        if done == 1 and not reached.is_set():
            assert threading.current_thread() is not threading.main_thread()
            reached.set()
            go_on.wait(WAIT_MS / 1000)

    controller.host.progress.connect(at_step, Qt.ConnectionType.DirectConnection)
    yield reached, go_on
    go_on.set()
    controller.host.progress.disconnect(at_step)


def test_cancel_in_the_middle_of_an_import_leaves_the_store_as_it_was(
    qtbot: QtBot,
    controller: AppController,
    window: MainWindow,
    reports: Reports,
    paused_after_decrypting: tuple[threading.Event, threading.Event],
) -> None:
    reached, go_on = paused_after_decrypting
    before = store_state(qtbot, controller)
    assert drop(qtbot, window, reports.first)
    dialog = window.import_dialog
    assert dialog is not None
    qtbot.waitUntil(reached.is_set, timeout=WAIT_MS)
    assert dialog.running
    assert dialog.progress_bar.isVisible()
    activate(qtbot, dialog)
    assert dialog.close_button.hasFocus()
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Space)  # Cancel
    assert dialog.status_label.text() == "Stopping…"
    go_on.set()
    dialog = finished(qtbot, window)

    assert dialog.isVisible()  # Cancel stops the import, not the dialog
    assert dialog.status_label.text() == "The import was stopped. Nothing was imported."
    assert not dialog.error_label.isVisible()
    assert window.statusBar().currentMessage() == "The import was stopped. Nothing was imported."
    assert store_state(qtbot, controller) == before  # nothing stored, nothing audited

    # Dropped again, it imports.
    assert drop(qtbot, window, reports.first)
    dialog = finished(qtbot, window)
    assert dialog.status_label.text().startswith("Report 1 from")


def test_locking_during_an_import_stops_it_and_closes_the_dialog(
    qtbot: QtBot,
    controller: AppController,
    window: MainWindow,
    reports: Reports,
    hold_session_thread: Callable[[], threading.Event],
) -> None:
    before = store_state(qtbot, controller)
    release = hold_session_thread()
    assert drop(qtbot, window, reports.first, reports.second)
    dialog = window.import_dialog
    assert dialog is not None
    assert dialog.running

    # Ctrl+L from the dialog: it closes at once, while the import is still queued.
    activate(qtbot, dialog)
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.import_dialog is None
    assert not dialog.isVisible()
    assert window.page() is Page.UNLOCK
    assert not window.import_action.isEnabled()
    assert not drop(qtbot, window, reports.first)  # while locked, drops are not taken
    with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
        release.set()

    unlock(qtbot, controller)
    after = store_state(qtbot, controller)
    assert after["imported_reports"] == before["imported_reports"] == []
    assert [e for e in audit_events(qtbot, controller) if e.startswith("report_")] == []
