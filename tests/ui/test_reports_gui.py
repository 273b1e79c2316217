"""Reports and the accounting of disclosures from the GUI, driven from the keyboard.

File > Export report… and Record > Accounting of disclosures… run for real: the real Session in
its thread, real encrypted stores, a recipient added from a real identity card of a second
store, which then opens the report. Only the file dialogs and the "write it unencrypted?"
question are replaced (the dialogs' ``choose_file`` and ``confirm`` seams), so nothing modal
is left open. To cancel or lock at a known moment, the session thread is held first
(``hold_session_thread``): the export cannot start until the test lets it.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import load_policy
from desktop.reports.pades import validate
from desktop.session import Session
from desktop.ui.accounting_dialog import AccountingDialog
from desktop.ui.controller import AppController
from desktop.ui.export_dialog import ADD_RECIPIENT_COMMAND, ExportReportDialog, last_full_month
from desktop.ui.main_window import MainWindow, Page
from tests.conftest import PROFILE, US_PROFILE
from tests.factories import us_share_body
from tests.ui.conftest import PASSPHRASE, WAIT_MS, Made, unlock
from tests.ui.test_app import activate, menu_problems, unnamed_controls
from tests.ui.test_main_window import audit_head, choose

T = TypeVar("T")
SUPERVISOR = dataclasses.replace(PROFILE, name="Jo Supervisor", role="Designated safeguarding lead")
PERSON = "MRN-40021"
JANUARY = "report-2025-01-01-to-2025-01-31.dlreport"
"""The filled store's records all fall on 2025-01-01, in three cases of four records each."""


# -- fixtures and helpers -----------------------------------------------------------------------
@pytest.fixture
def supervisor(tmp_path: Path, store_dir: Path, filled_store: list[Made]) -> Path:
    """A second store whose identity card the practitioner's store lists as "supervisor"."""
    directory = tmp_path / "supervisor-store"
    theirs = Session.create(directory, PASSPHRASE, SUPERVISOR, load_policy())
    try:
        card = tmp_path / "jo.card"
        theirs.write_identity_card(card)
    finally:
        theirs.lock()
    ours = Session.unlock(store_dir, PASSPHRASE, load_policy())
    try:
        ours.add_recipient("supervisor", card.read_bytes())
    finally:
        ours.lock()
    return directory


@pytest.fixture
def window(qtbot: QtBot, controller: AppController, filled_store: list[Made]) -> MainWindow:
    unlock(qtbot, controller)
    activate(qtbot, controller.window)
    return controller.window


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


def ask(qtbot: QtBot, controller: AppController, fn: Callable[[Session], T]) -> T:
    """``fn(session)`` on the session thread, as the GUI asks it."""
    answers: list[T] = []
    controller.host.submit(fn, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
    return answers[0]


def select_first_record(qtbot: QtBot, window: MainWindow) -> None:
    browser = window.browser
    browser.table.setFocus()
    browser.table.selectRow(0)
    qtbot.waitUntil(lambda: browser.selected_row() is not None, timeout=WAIT_MS)


def open_export_dialog(qtbot: QtBot, window: MainWindow) -> ExportReportDialog:
    """File > Export report… (Alt+F, E); waits for the recipients to be read."""
    choose(qtbot, window, "fileMenu", Qt.Key.Key_E)
    dialog = window.export_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    activate(qtbot, dialog)
    qtbot.waitUntil(lambda: window.host.pending == 0, timeout=WAIT_MS)
    return dialog


def type_date(qtbot: QtBot, edit: QWidget, digits: str) -> None:
    """Tab into a date field and type the date's digits, as a user does (20250131)."""
    edit.setFocus(Qt.FocusReason.TabFocusReason)
    assert QApplication.focusWidget() is edit
    qtbot.keyClicks(edit, digits)


def choose_january(qtbot: QtBot, dialog: ExportReportDialog) -> None:
    type_date(qtbot, dialog.from_edit, "20250101")
    type_date(qtbot, dialog.to_edit, "20250131")
    assert dialog.suggested_name() == JANUARY


def press(qtbot: QtBot, button: QAbstractButton, letter: Qt.Key) -> None:
    """Alt and the button's underlined letter; the button clicks itself a moment later."""
    with qtbot.waitSignal(button.clicked, timeout=WAIT_MS):
        qtbot.keyClick(
            QApplication.focusWidget() or button.window(), letter, Qt.KeyboardModifier.AltModifier
        )


def export_and_wait(qtbot: QtBot, dialog: ExportReportDialog) -> None:
    press(qtbot, dialog.export_button, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)


def tab_order(qtbot: QtBot, first: QWidget, count: int) -> list[QWidget]:
    """Where Tab takes the focus, ``count`` stops from ``first``."""
    first.setFocus(Qt.FocusReason.TabFocusReason)
    order = [first]
    for _ in range(count - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None
        order.append(focused)
    return order


# -- export -------------------------------------------------------------------------------------
def test_export_from_the_file_menu_writes_a_report_the_recipient_opens(
    qtbot: QtBot,
    controller: AppController,
    supervisor: Path,
    window: MainWindow,
    reports: Path,
    tmp_path: Path,
) -> None:
    assert menu_problems(window) == []
    select_first_record(qtbot, window)
    row = window.browser.selected_row()
    assert row is not None
    case_id = row.case_id
    dialog = open_export_dialog(qtbot, window)

    assert dialog.recipient_combo.isEnabled()
    assert dialog.recipient_combo.currentData() == "supervisor"
    assert "Jo Supervisor" in dialog.recipient_combo.currentText()
    assert not dialog.no_recipients_label.isVisible()
    assert case_id in dialog.case_check.text()
    assert unnamed_controls(dialog) == []
    choose_january(qtbot, dialog)
    dialog.case_check.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.case_check, Qt.Key.Key_Space)
    assert dialog.case_check.isChecked()
    suggested: list[str] = []
    out = reports / "january.dlreport"
    dialog.choose_file = lambda name: suggested.append(name) or out
    shown: list[int] = []
    dialog.progress_bar.valueChanged.connect(shown.append)

    export_and_wait(qtbot, dialog)

    assert suggested == [JANUARY]  # the period only: file names are not encrypted
    assert dialog.exported is not None, dialog.error_label.text()
    assert shown[-1] == dialog.progress_bar.maximum() > 0  # the bar went all the way
    assert not dialog.progress_bar.isVisible()
    assert dialog.close_button.text() == "Close"
    assert [path.name for path in reports.iterdir()] == ["january.dlreport"]
    manifest = dialog.exported.info.manifest
    assert manifest.sequence == 1
    assert f"Report {manifest.report_id}, number 1 of your reports." in dialog.status_label.text()
    assert "Records: 4 (4 final" in dialog.status_label.text()
    assert window.statusBar().currentMessage() == (
        f"Report {manifest.report_id} (number 1, 4 records) written to {out}"
    )

    # The supervisor's own store opens it: decrypted with their key, both signatures checked.
    theirs = Session.unlock(supervisor, PASSPHRASE, load_policy())
    try:
        info = theirs.open_report(out.read_bytes(), tmp_path / "opened.pdf")
    finally:
        theirs.lock()
    assert info.manifest.report_id == manifest.report_id
    assert info.head.case_id == case_id
    assert info.head.figures.records == 4
    assert (tmp_path / "opened.pdf").read_bytes().startswith(b"%PDF")


def test_without_recipients_export_stays_off_and_says_how_to_add_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = open_export_dialog(qtbot, window)
    period = (dialog.from_edit.date().toPython(), dialog.to_edit.date().toPython())
    assert period == last_full_month(date.today())
    assert dialog.no_recipients_label.isVisible()
    assert ADD_RECIPIENT_COMMAND in dialog.no_recipients_label.text()
    assert "identity card" in dialog.no_recipients_label.text()
    assert not dialog.export_button.isEnabled()
    assert not dialog.recipient_combo.isEnabled()
    assert unnamed_controls(dialog) == []
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.export_dialog is None, timeout=WAIT_MS)


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
        (date(2024, 3, 1), date(2024, 2, 1), date(2024, 2, 29)),
        (date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 31)),
    ],
)
def test_the_default_period_is_the_last_full_month(today: date, start: date, end: date) -> None:
    assert last_full_month(today) == (start, end)


def test_a_refused_or_cancelled_export_writes_nothing_and_uses_no_number(
    qtbot: QtBot,
    controller: AppController,
    supervisor: Path,
    window: MainWindow,
    reports: Path,
    hold_session_thread: Callable[[], threading.Event],
) -> None:
    dialog = open_export_dialog(qtbot, window)
    choose_january(qtbot, dialog)
    head = audit_head(qtbot, controller)

    # A file already there is never written over; the message says why, with no case content.
    kept = reports / "kept.dlreport"
    kept.write_bytes(b"an earlier report")
    dialog.choose_file = lambda _name: kept
    export_and_wait(qtbot, dialog)
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == (
        f"The report could not be made: {kept} already exists: choose another name,"
        " or move it first"
    )
    assert kept.read_bytes() == b"an earlier report"

    # Cancel, pressed while the export waits for the session thread: it stops at once.
    out = reports / "january.dlreport"
    dialog.choose_file = lambda _name: out
    release = hold_session_thread()
    press(qtbot, dialog.export_button, Qt.Key.Key_E)
    assert dialog.running
    assert dialog.progress_bar.isVisible()
    assert not dialog.export_button.isEnabled()
    assert dialog.close_button.hasFocus()
    assert dialog.close_button.text() == "Cancel"
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Space)
    assert dialog.status_label.text() == "Stopping…"
    release.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT_MS)

    assert dialog.isVisible()  # Cancel stops the export, not the dialog
    assert dialog.status_label.text() == "The export was stopped. Nothing was written."
    assert window.statusBar().currentMessage() == "The export was stopped. Nothing was written."
    assert sorted(path.name for path in reports.iterdir()) == ["kept.dlreport"]  # no temp file
    assert audit_head(qtbot, controller) == head  # nothing audited: the store is as it was
    assert dialog.export_button.isEnabled()

    export_and_wait(qtbot, dialog)
    assert dialog.exported is not None, dialog.error_label.text()
    assert dialog.exported.info.manifest.sequence == 1  # the refused and stopped ones took none
    assert dialog.exported.info.head.figures.records == 12
    assert out.exists()


def test_locking_during_an_export_closes_the_dialog_and_writes_nothing(
    qtbot: QtBot,
    controller: AppController,
    supervisor: Path,
    window: MainWindow,
    reports: Path,
    hold_session_thread: Callable[[], threading.Event],
) -> None:
    select_first_record(qtbot, window)
    dialog = open_export_dialog(qtbot, window)
    choose_january(qtbot, dialog)
    out = reports / "january.dlreport"
    dialog.choose_file = lambda _name: out
    release = hold_session_thread()
    press(qtbot, dialog.export_button, Qt.Key.Key_E)
    assert dialog.running

    # Ctrl+L from the dialog: everything is hidden at once, while the export is still queued.
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.export_dialog is None
    assert not dialog.isVisible()
    assert window.page() is Page.UNLOCK
    assert window.browser.model.rowCount() == 0
    assert not window.export_action.isEnabled()
    with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
        release.set()
    assert list(reports.iterdir()) == []

    # After the next unlock the report is the first of the series.
    unlock(qtbot, controller)
    activate(qtbot, window)
    dialog = open_export_dialog(qtbot, window)
    choose_january(qtbot, dialog)
    dialog.choose_file = lambda _name: out
    export_and_wait(qtbot, dialog)
    assert dialog.exported is not None, dialog.error_label.text()
    assert dialog.exported.info.manifest.sequence == 1


def test_the_export_dialog_reads_in_order_with_tab(
    qtbot: QtBot, supervisor: Path, window: MainWindow
) -> None:
    select_first_record(qtbot, window)
    dialog = open_export_dialog(qtbot, window)
    expected = [
        dialog.from_edit,
        dialog.to_edit,
        dialog.case_check,
        dialog.recipient_combo,
        dialog.export_button,
        dialog.close_button,
        dialog.from_edit,  # and round again
    ]
    assert tab_order(qtbot, dialog.from_edit, len(expected)) == expected
    assert unnamed_controls(dialog) == []


# -- the accounting of disclosures --------------------------------------------------------------
def us_record(days_ago: int, subject_id: str) -> RecordBody:
    """A mandated report by a HIPAA covered entity: accountable, the person not told."""
    body = copy.deepcopy(us_share_body())
    body["subject"]["subject_id"] = subject_id
    moment = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    body["checklist"]["answers"]["Q17_record"] = {
        "disclosure_at": moment,
        "record_created_at": moment,
    }
    body["decision_at"] = moment
    return validate_document(RecordBody, body)


@pytest.fixture
def us_store(store_dir: Path) -> list[str]:
    """A US (HIPAA) store: three disclosures about ``PERSON``, and an older one about someone
    else; returns the days of ``PERSON``'s, oldest first."""
    session = Session.create(store_dir, PASSPHRASE, US_PROFILE, load_policy())
    try:
        session.add_record(us_record(400, "MRN-9999"))
        for days_ago in (300, 120, 10):
            session.add_record(us_record(days_ago, PERSON))
    finally:
        session.lock()
    today = datetime.now(UTC).date()
    return [(today - timedelta(days=days)).isoformat() for days in (300, 120, 10)]


def test_accounting_is_prepared_checked_confirmed_then_written_signed(
    qtbot: QtBot, controller: AppController, us_store: list[str], tmp_path: Path
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    activate(qtbot, window)
    select_first_record(qtbot, window)  # the newest: PERSON's
    choose(qtbot, window, "recordMenu", Qt.Key.Key_D)
    dialog = window.accounting_dialog
    assert isinstance(dialog, AccountingDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    activate(qtbot, dialog)
    assert dialog.subject_edit.text() == PERSON
    assert not dialog.save_button.isEnabled()  # nothing to save before it is prepared
    assert unnamed_controls(dialog) == []

    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Return)  # Prepare is the default button
    qtbot.waitUntil(lambda: dialog.accounting is not None, timeout=WAIT_MS)
    assert "HIPAA accounting of disclosures" in dialog.status_label.text()
    assert "3 entries (3 disclosures in all)." in dialog.status_label.text()
    entries = [dialog.entries_list.item(row).text() for row in range(dialog.entries_list.count())]
    assert [entry.split(":")[0] for entry in entries] == us_store  # in order, for checking
    assert all("Texas DFPS Statewide Intake" in entry for entry in entries)
    assert dialog.warning_label.isVisible()  # the person was not told, for safety: check first
    assert "3 of these disclosures were kept from the person" in dialog.warning_label.text()
    assert dialog.save_button.isEnabled()
    assert unnamed_controls(dialog) == []

    pdf = tmp_path / "for-the-person.pdf"
    dialog.choose_file = lambda _name: pdf
    asked: list[tuple[str, bool]] = []
    answer = False

    def confirm(question: str) -> bool:
        asked.append((question, pdf.exists()))
        return answer

    dialog.confirm = confirm
    head = ask(qtbot, controller, lambda session: session.status().audit_head_seq)
    press(qtbot, dialog.save_button, Qt.Key.Key_D)  # Save PDF…, answered No
    [(question, existed)] = asked
    assert "NOT encrypted" in question
    assert "for handing to the person" in question
    assert str(pdf) in question
    assert not existed
    assert not pdf.exists()
    assert dialog.status_label.text() == "Not written: the PDF was not confirmed."
    assert ask(qtbot, controller, lambda session: session.status().audit_head_seq) == head

    answer = True
    press(qtbot, dialog.save_button, Qt.Key.Key_D)
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=WAIT_MS)
    assert len(asked) == 2
    assert not asked[1][1]  # asked before anything was written
    certificate = ask(qtbot, controller, lambda session: session.identity().certificate)
    assert validate(pdf.read_bytes(), certificate).ok
    assert window.statusBar().currentMessage() == (f"Accounting written to {pdf} (not encrypted)")

    # Tab reads the dialog in order (the start date is off until its box is ticked).
    expected = [
        dialog.subject_edit,
        dialog.since_check,
        dialog.prepare_button,
        dialog.entries_list,
        dialog.save_button,
        dialog.close_button,
        dialog.subject_edit,
    ]
    assert tab_order(qtbot, dialog.subject_edit, len(expected)) == expected
    # Asking for another period needs preparing again before saving.
    dialog.since_check.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.since_check, Qt.Key.Key_Space)
    assert dialog.since_edit.isEnabled()
    assert not dialog.save_button.isEnabled()
    assert dialog.entries_list.count() == 0

    # Locking closes it: it shows case data.
    qtbot.keyClick(dialog.since_check, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.accounting_dialog is None
    assert not dialog.isVisible()
    assert window.page() is Page.UNLOCK
