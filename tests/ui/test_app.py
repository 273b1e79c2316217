"""The GUI driven as a user drives it: keyboard and mouse, the real Session, a real store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QScrollBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.policy import load_policy
from desktop.session import Cursor, Session, store_exists
from desktop.ui.app import main
from desktop.ui.controller import AppController
from desktop.ui.main_window import Page, View
from desktop.ui.records_model import RecordsModel
from tests.ui.conftest import PASSPHRASE, WAIT_MS, Made, profile, unlock

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit, QTextEdit)


def unnamed_controls(root: QWidget) -> list[str]:
    """Visible controls a screen reader could not name (scroll bars are Qt's own, and named)."""
    widgets = [root, *root.findChildren(QWidget)]
    return [
        f"{type(widget).__name__} {widget.objectName()!r}"
        for widget in widgets
        if widget.isVisible()
        and not isinstance(widget, QScrollBar)
        and (isinstance(widget, CONTROLS) or widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and not widget.accessibleName().strip()
    ]


def menu_problems(window: QMainWindow) -> list[str]:
    """Menus without an accessible name, and menu commands without a text, an underlined letter
    of their own in their menu (Alt+F then B), a tooltip or a status bar tip."""
    problems = []
    menus = [action.menu() for action in window.menuBar().actions()]
    assert menus
    for menu in menus:
        assert isinstance(menu, QMenu)
        if not menu.accessibleName().strip():
            problems.append(f"menu {menu.objectName()!r} has no accessible name")
        letters: list[str] = []
        for action in menu.actions():
            if action.isSeparator():
                continue
            mnemonic = re.search(r"&([^&])", action.text())
            letters.append(mnemonic.group(1).lower() if mnemonic else "")
            if not (mnemonic and action.toolTip().strip() and action.statusTip().strip()):
                problems.append(f"{action.objectName()!r}: {action.text()!r} is not fully named")
        if len(set(letters)) != len(letters):
            problems.append(f"menu {menu.objectName()!r} repeats a letter: {letters}")
    return problems


def activate(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=WAIT_MS)


# -- first run ------------------------------------------------------------------------------
def test_first_run_setup_by_keyboard_creates_the_store_and_opens_it(
    qtbot: QtBot, controller: AppController, store_dir: Path
) -> None:
    controller.start()
    dialog = controller.setup_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert controller.window.page() is Page.WELCOME
    assert "recovery key" in dialog.warning_label.text()
    assert "cannot be opened" in dialog.warning_label.text()
    activate(qtbot, dialog)

    assert dialog.focusWidget() is dialog.name_edit
    qtbot.keyClicks(dialog.name_edit, "Sam Practitioner")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.role_edit
    qtbot.keyClicks(dialog.role_edit, "Social worker")
    qtbot.keyClicks(dialog.organisation_edit, "Northshire Council")
    # England is the first jurisdiction; both UK regimes are ticked for it.
    assert dialog.jurisdiction().value == "UK-ENG"
    assert [r.value for r in dialog.regimes()] == ["UK_GDPR", "CL_CONFIDENCE"]
    assert not any(
        box.isVisible() for regime, box in dialog.regime_boxes.items() if regime.value == "HIPAA"
    )
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.keyClicks(dialog.confirm_edit, PASSPHRASE + "x")
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    assert dialog.error_label.isVisible()
    assert "not the same" in dialog.error_label.text()
    assert not store_exists(store_dir)

    # The mistyped confirmation is selected, so typing replaces it.
    assert dialog.confirm_edit.selectedText() == PASSPHRASE + "x"
    qtbot.keyClicks(dialog.confirm_edit, PASSPHRASE)
    with qtbot.waitSignal(controller.unlocked, timeout=WAIT_MS):
        qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    model = controller.window.browser.model
    qtbot.waitUntil(lambda: not model.loading and controller.host.pending == 0, timeout=WAIT_MS)

    assert controller.window.page() is Page.RECORDS
    assert model.rowCount() == 0
    assert controller.window.browser.count_label.text() == "No records yet."
    assert store_exists(store_dir)
    assert "Sam Practitioner" in controller.window.windowTitle()
    # The store really is the user's: the passphrase they typed opens it.
    controller.lock()
    reopened = Session.unlock(store_dir, PASSPHRASE, load_policy())
    assert reopened.profile().organisation == "Northshire Council"
    reopened.lock()


def test_setup_follows_the_organisation_policy(
    qtbot: QtBot, tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy_file = tmp_path / "org-policy.json"
    policy_file.write_text(
        '{"organisation": "Mercy Clinic", "jurisdiction": "US", "regimes": ["HIPAA", "PART2"]}',
        encoding="utf-8",
    )
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(policy_file))
    app_controller = AppController(store_dir, load_policy())
    qtbot.addWidget(app_controller.window)
    try:
        app_controller.start()
        dialog = app_controller.setup_dialog
        assert dialog is not None
        assert dialog.organisation_edit.text() == "Mercy Clinic"
        assert dialog.organisation_edit.isReadOnly()
        assert not dialog.jurisdiction_combo.isEnabled()
        assert dialog.jurisdiction().value == "US"
        assert [r.value for r in dialog.regimes()] == ["HIPAA", "PART2"]
        assert not any(box.isEnabled() for box in dialog.regime_boxes.values())
        assert dialog.policy_label.isVisible()
    finally:
        app_controller.shutdown()


# -- unlock and lock ------------------------------------------------------------------------
def test_wrong_passphrase_is_answered_inline_and_the_window_stays_locked(
    qtbot: QtBot, controller: AppController, filled_store: list[Made]
) -> None:
    controller.start()
    window = controller.window
    page = window.unlock_page
    assert window.page() is Page.UNLOCK
    assert not window.browser.isVisible()
    assert not window.lock_action.isEnabled()
    activate(qtbot, window)

    qtbot.keyClicks(page.passphrase, "wrong horse battery staple")
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(page.error_label.isVisible, timeout=WAIT_MS)

    assert page.error_label.text() == "Wrong passphrase. Check Caps Lock and try again."
    assert page.passphrase.selectedText() == "wrong horse battery staple"
    assert page.passphrase.hasFocus()
    assert page.passphrase.isEnabled()
    assert window.page() is Page.UNLOCK
    assert not controller.is_unlocked
    assert window.browser.model.rowCount() == 0

    # The text is selected, so typing replaces it.
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    with qtbot.waitSignal(controller.unlocked, timeout=WAIT_MS):
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert window.page() is Page.RECORDS
    assert page.passphrase.text() == ""  # not left behind in a hidden field
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == 12, timeout=WAIT_MS)


def test_ctrl_l_locks_and_hides_every_record(
    qtbot: QtBot, controller: AppController, filled_store: list[Made]
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    browser = window.browser
    browser.table.selectRow(0)
    qtbot.waitUntil(lambda: bool(browser.detail.toPlainText()), timeout=WAIT_MS)
    activate(qtbot, window)

    with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
        qtbot.keyClick(browser.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert window.page() is Page.UNLOCK
    assert window.unlock_page.isVisible()
    assert not browser.isVisible()
    assert browser.model.rowCount() == 0
    assert browser.cases_model.rowCount() == 1  # only "All cases (0 records)"
    assert browser.detail.toPlainText() == ""
    assert not window.lock_action.isEnabled()
    assert window.windowTitle() == "Disclosure Log"
    # Locked for real: a call to the session is refused in the worker.
    errors: list[Exception] = []
    controller.host.submit(lambda session: session.cases(), on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)

    unlock(qtbot, controller)
    assert browser.model.rowCount() == 12


# -- the records page -----------------------------------------------------------------------
def test_records_newest_first_case_filter_search_and_detail(
    qtbot: QtBot, controller: AppController, filled_store: list[Made]
) -> None:
    unlock(qtbot, controller)
    browser = controller.window.browser
    model = browser.model
    table = browser.table

    newest_first = sorted(filled_store, key=lambda made: made.disclosure_at, reverse=True)
    assert [model.row_at(row).record_id for row in range(model.rowCount())] == [  # type: ignore[union-attr]
        made.record_id for made in newest_first
    ]
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Date"
    first = [model.index(0, column).data() for column in range(model.columnCount())]
    assert first[1] == newest_first[0].case_id
    assert first[2] == "Share without consent (safeguarding override)"
    assert first[3].startswith(newest_first[0].organisation)
    assert "UK-DPA-S1-P18" in first[4]
    assert first[5] == "Final"
    assert browser.count_label.text() == "12 records"

    # The case list: "All cases" and each case with its count; picking one filters the table.
    qtbot.waitUntil(lambda: browser.cases_model.rowCount() == 4, timeout=WAIT_MS)
    assert browser.cases_model.index(0).data() == "All cases (12 records)"
    case_row = browser.cases_model.row_of("CASE-02")
    rect = browser.cases_view.visualRect(browser.cases_model.index(case_row))
    qtbot.mouseClick(browser.cases_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: model.rowCount() == 4 and not model.loading, timeout=WAIT_MS)
    assert {model.row_at(row).case_id for row in range(4)} == {"CASE-02"}  # type: ignore[union-attr]

    # Back to all cases by keyboard, then search.
    browser.cases_view.setFocus()
    qtbot.keyClick(browser.cases_view, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: model.rowCount() == 12 and not model.loading, timeout=WAIT_MS)
    qtbot.keyClicks(browser.search_edit, "zebrafish")
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.loading, timeout=WAIT_MS)
    zebrafish = next(made for made in filled_store if "zebrafish" in made.notes)
    assert model.row_at(0).record_id == zebrafish.record_id  # type: ignore[union-attr]

    # Selecting the row shows the whole record, readably.
    rect = table.visualRect(model.index(0, 2))
    with qtbot.waitSignal(browser.detail_loaded, timeout=WAIT_MS) as shown:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == [zebrafish.record_id]
    text = browser.detail.toPlainText()
    assert f"Id: {zebrafish.record_id}" in text
    assert "Notes: Follow-up by the zebrafish team." in text
    assert "Purpose statement: Refer a disclosure" in text
    assert browser.detail.isReadOnly()

    # Clearing the search brings every record back.
    browser.search_edit.clear()
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: model.rowCount() == 12 and not model.loading, timeout=WAIT_MS)


# Index rows for a million records, written straight into the store in one statement: the
# table reads only these (ids, then blocks of rows), and saving a million real records would take
# minutes. Record i happened i minutes after a fixed moment, so the oldest is record 1.
MILLION_ROWS = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO records (record_id, case_id, subject_id, latest_version, status, outcome, subtype,
    event_at, created_at, updated_at, flagged, pending, recipient_summary, basis_summary)
SELECT printf('00000000-0000-4000-8000-%012d', i), printf('CASE-%03d', i % 500),
    printf('S-%04d', i % 5000), 1, 'FINAL', 'SHARE_WITH_CONSENT', NULL,
    strftime('%Y-%m-%dT%H:%M:%SZ', 1600000000 + i * 60, 'unixepoch'), '2025-01-01T00:00:00Z',
    '2025-01-01T00:00:00Z', 0, 0, printf('Agency %d', i), 'UK-GDPR-6-1-A'
FROM n
"""


def test_a_million_row_table_opens_at_the_newest_and_reaches_the_oldest(
    qtbot: QtBot, controller: AppController, store_dir: Path
) -> None:
    session = Session.create(store_dir, PASSPHRASE, profile(), load_policy())
    try:
        with session.store.transaction():
            session.store.conn.execute(MILLION_ROWS)
    finally:
        session.lock()
    unlock(qtbot, controller)
    browser = controller.window.browser
    model = browser.model
    assert model.rowCount() == 1_000_000
    assert model.row_at(0).record_id == "00000000-0000-4000-8000-000001000000"  # type: ignore[union-attr]

    browser.table.setFocus()
    browser.table.selectRow(0)
    qtbot.keyClick(browser.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert browser.table.currentIndex().row() == 999_999
    qtbot.waitUntil(lambda: model.row_at(999_999) is not None, timeout=WAIT_MS)
    assert model.row_at(999_999).record_id == "00000000-0000-4000-8000-000000000001"  # type: ignore[union-attr]
    assert model.index(999_999, RecordsModel.RECIPIENT).data() == "Agency 1"
    qtbot.keyClick(browser.table, Qt.Key.Key_PageUp)
    qtbot.waitUntil(
        lambda: model.row_at(browser.table.currentIndex().row()) is not None, timeout=WAIT_MS
    )
    assert model.cached_rows < 1000  # the first page and the blocks at the end, nothing between


def test_typing_a_search_shows_the_last_words_results_and_one_letter_searches_nothing(
    qtbot: QtBot, controller: AppController, filled_store: list[Made]
) -> None:
    unlock(qtbot, controller)
    browser = controller.window.browser
    model = browser.model
    zebrafish = next(made for made in filled_store if "zebrafish" in made.notes)
    browser.search_edit.setFocus()

    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Z)
    qtbot.waitUntil(lambda: not browser._search_timer.isActive(), timeout=WAIT_MS)
    assert model.query.text == ""  # one letter: every record still listed, and the reason why
    assert model.rowCount() == 12
    assert browser.count_label.text() == "Type at least two letters to search. 12 records"

    # Typed on without pausing: each keystroke may start a search; only the last one's shows.
    qtbot.keyClicks(browser.search_edit, "ebrafi")
    qtbot.waitUntil(
        lambda: (
            model.query.text == "zebrafi" and not model.loading and controller.host.pending == 0
        ),
        timeout=WAIT_MS,
    )
    assert [model.row_at(row).record_id for row in range(model.rowCount())] == [  # type: ignore[union-attr]
        zebrafish.record_id
    ]
    assert browser.count_label.text() == "1 record"  # English plurals from the .qm file


def test_a_long_list_shows_its_newest_page_then_reaches_any_row_by_fetching_its_block(
    qtbot: QtBot, controller: AppController, store_dir: Path
) -> None:
    session = Session.create(store_dir, PASSPHRASE, profile(), load_policy())
    try:
        session.fill_demo(3000, seed=5)
        expected: list[str] = []  # newest first, read by keyset paging (not the window's code)
        after = None
        while page := session.list_records(after=after, limit=500):
            expected += [row.record_id for row in page]
            after = Cursor(page[-1].event_at, page[-1].rowid)
    finally:
        session.lock()
    unlock(qtbot, controller)
    browser = controller.window.browser
    model = browser.model
    assert model.rowCount() == len(expected) == 3000
    assert browser.count_label.text() == "3000 records"
    assert model.cached_rows == 200  # the first page; nothing else was needed to paint
    assert [model.row_at(row).record_id for row in range(200)] == expected[:200]  # type: ignore[union-attr]
    middle = model.index(1500, RecordsModel.CASE)
    assert middle.data() == "…"  # asked for, on its way
    qtbot.waitUntil(lambda: model.row_at(1500) is not None, timeout=WAIT_MS)
    assert model.row_at(1500).record_id == expected[1500]  # type: ignore[union-attr]
    assert middle.data() == model.row_at(1500).case_id  # type: ignore[union-attr]

    browser.table.setFocus()
    browser.table.selectionModel().setCurrentIndex(
        model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    qtbot.keyClick(browser.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert browser.table.currentIndex().row() == 2999
    qtbot.waitUntil(lambda: browser.selected_record_id() == expected[-1], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: expected[-1] in browser.detail.toPlainText(), timeout=WAIT_MS)
    assert model.cached_rows < 1000  # blocks around what was shown, never the whole list


def test_tab_moves_through_the_records_page_in_reading_order(
    qtbot: QtBot, controller: AppController, filled_store: list[Made]
) -> None:
    unlock(qtbot, controller)
    browser = controller.window.browser
    activate(qtbot, controller.window)
    browser.cases_view.setFocus()
    bar = browser.filter_bar
    expected = [
        browser.cases_view,
        browser.search_edit,
        bar.from_edit,
        bar.to_edit,
        bar.outcome_combo,
        bar.basis_combo,
        bar.organisation_edit,
        bar.flagged_check,
        bar.pending_check,
        bar.clear_button,
        browser.table,
        browser.detail,
    ]
    order = [browser.cases_view]
    for _ in range(len(expected) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == expected
    # Ctrl+F jumps to the search from anywhere.
    qtbot.keyClick(browser.detail, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is browser.search_edit


# -- accessibility ----------------------------------------------------------------------------
def test_every_visible_control_has_an_accessible_name(
    qtbot: QtBot, controller: AppController, store_dir: Path
) -> None:
    controller.start()
    dialog = controller.setup_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert unnamed_controls(dialog) == []
    assert unnamed_controls(controller.window) == []  # the welcome page behind it

    for edit, text in (
        (dialog.name_edit, "Sam Practitioner"),
        (dialog.role_edit, "Social worker"),
        (dialog.organisation_edit, "Northshire Council"),
        (dialog.passphrase_edit, PASSPHRASE),
        (dialog.confirm_edit, PASSPHRASE),
    ):
        qtbot.keyClicks(edit, text)
    with qtbot.waitSignal(controller.unlocked, timeout=WAIT_MS):
        qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    assert unnamed_controls(controller.window) == []  # the records page
    assert menu_problems(controller.window) == []

    controller.lock()
    assert unnamed_controls(controller.window) == []  # the unlock page
    controller.window.show_page(Page.PROGRESS)
    assert unnamed_controls(controller.window) == []  # the progress page


def test_cancelling_setup_leaves_a_way_back_by_keyboard(
    qtbot: QtBot, controller: AppController, store_dir: Path
) -> None:
    controller.start()
    dialog = controller.setup_dialog
    assert dialog is not None
    activate(qtbot, dialog)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: controller.setup_dialog is None, timeout=WAIT_MS)
    window = controller.window
    assert window.page() is Page.WELCOME
    assert not store_exists(store_dir)
    assert not window.lock_action.isEnabled()
    activate(qtbot, window)
    assert window.welcome_page.setup_button.hasFocus()
    qtbot.keyClick(window.welcome_page.setup_button, Qt.Key.Key_Space)
    assert controller.setup_dialog is not None
    qtbot.waitUntil(controller.setup_dialog.isVisible, timeout=WAIT_MS)


# -- the command line -------------------------------------------------------------------------
def test_demo_screenshot_writes_a_picture_of_the_main_window(tmp_path: Path, qapp: object) -> None:
    target = tmp_path / "s.png"
    assert main(["--demo", "--screenshot", str(target)]) == 0
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage(str(target))
    assert image.width() >= 800
    assert image.height() >= 500
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 10  # text, lines and panes, not a blank rectangle


def test_the_demo_holds_reports_from_three_practitioners_to_review(
    qtbot: QtBot, controller: AppController, tmp_path: Path
) -> None:
    window = controller.window
    with qtbot.waitSignal(controller.demo_ready, timeout=120_000):
        controller.start_demo(20, PASSPHRASE, profile())
    qtbot.waitUntil(lambda: controller.host.pending == 0, timeout=WAIT_MS)
    window.show_view(View.REVIEW)
    review = window.review_view
    qtbot.waitUntil(lambda: review.model.rowCount() > 0, timeout=WAIT_MS)
    combo = review.practitioner_combo
    names = [combo.itemText(i).split(",")[0] for i in range(1, combo.count())]
    assert sorted(names) == ["Alex Rivera", "Priya Shah", "Sam Patel"]  # "Name, Organisation"

    target = tmp_path / "review.png"
    assert main(["--demo", "--screenshot", str(target), "--screen", "review"]) == 0
    assert QImage(str(target)).width() >= 800


def test_usage_errors_exit_2() -> None:
    assert main(["--screenshot", "x.png"]) == 2
    assert main(["--demo", "--store", "somewhere"]) == 2


def test_demo_store_fills_with_progress_and_can_be_cancelled(
    qtbot: QtBot, controller: AppController
) -> None:
    window = controller.window
    progress = window.progress_page

    def cancel_on_first_progress(value: int) -> None:
        if value > 0 and progress.cancel_button.isEnabled():
            qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)

    progress.bar.valueChanged.connect(cancel_on_first_progress)
    with qtbot.waitSignal(controller.demo_ready, timeout=60_000) as ready:
        controller.start_demo(10_000, PASSPHRASE, profile())
        assert window.page() is Page.PROGRESS
        assert progress.cancel_button.isVisible()
    assert ready.args == [True]
    model = window.browser.model
    qtbot.waitUntil(lambda: not model.loading and controller.host.pending == 0, timeout=WAIT_MS)
    assert window.page() is Page.RECORDS
    assert not progress.cancel_button.isEnabled()
    made = int(window.statusBar().currentMessage().split()[0])
    assert 0 < made < 10_000  # stopped early; what was made is kept
    assert model.rowCount() == made
