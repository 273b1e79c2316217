"""View > Review: the supervisor's queue over imported records, and acknowledging, querying and
signing off from the GUI (issue 6).

The GUI opens a supervisor's real store (Jo) holding real reports imported from two
practitioners' real stores: Sam (an override that needs a sign-off, a share with consent and a
decision not to share) and Alex (a US share without consent, the person not told). The stores
are made once per module and copied for each test. Every action goes through the buttons and
the comment dialog, runs on the session thread, and is checked in the store
(``session.review.actions``).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop.identity import certificate_fingerprint
from desktop.policy import Policy
from desktop.review.statement import Action
from desktop.session import ReportScope, Session
from desktop.ui import review_model
from desktop.ui.controller import AppController
from desktop.ui.main_window import MainWindow, Page, View
from desktop.ui.review_view import CommentDialog, ReviewView
from tests.cli.conftest import FLOOR, add, dns_record, record_body
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import us_share_body
from tests.ui.conftest import WAIT_MS, unlock
from tests.ui.test_app import activate, menu_problems, unnamed_controls
from tests.ui.test_browse import ts_sources
from tests.ui.test_import_gui import ask
from tests.ui.test_main_window import choose

SUPERVISOR = dataclasses.replace(PROFILE, name="Jo Supervisor", role="Designated safeguarding lead")
SAM = dataclasses.replace(PROFILE, name="Sam Patel")
ALEX = dataclasses.replace(PROFILE, name="Alex Rivera")
EVERYTHING = ReportScope(date(2000, 1, 1), date(2099, 12, 31))

SAM_REASONS = "Shared without consent; An objection was overruled; Needs your sign-off"
ALEX_REASONS = "Shared without consent; The person was not told"


@dataclass(frozen=True)
class Team:
    """The supervisor's store (a copy per test) and what it imported."""

    template: Path
    sam: str
    """Sam's certificate fingerprint."""
    alex: str
    ids: dict[str, str]
    """Record ids: Sam's override, consent and refusal; Alex's US share."""


def by_outcome(session: Session) -> dict[str, str]:
    return {str(row.outcome): row.record_id for row in session.list_records()}


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Team:
    folder = tmp_path_factory.mktemp("review-team")
    jo = Session.create(folder / "jo", PASSPHRASE, SUPERVISOR, Policy(), FLOOR)
    try:
        jo.write_identity_card(folder / "jo.card")
        fingerprints: dict[str, str] = {}
        ids: dict[str, str] = {}
        for name, profile, documents in (
            ("sam", SAM, [record_body(), record_body(consent=True), dns_record()]),
            ("alex", ALEX, [record_body(us_share_body)]),
        ):
            author = Session.create(folder / name, PASSPHRASE, profile, Policy(), FLOOR)
            try:
                for document in documents:
                    add(author, document)
                author.add_recipient("supervisor", (folder / "jo.card").read_bytes())
                author.write_certificate(folder / f"{name}.pem")
                report = folder / f"{name}.dlreport"
                author.export_report(EVERYTHING, "supervisor", report)
                fingerprints[name] = certificate_fingerprint(author.identity().certificate)
                outcomes = by_outcome(author)
            finally:
                author.lock()
            jo.trust_certificate((folder / f"{name}.pem").read_bytes())
            jo.import_report(report.read_bytes())
            if name == "sam":
                ids["override"] = outcomes["SHARE_WITHOUT_CONSENT"]
                ids["consent"] = outcomes["SHARE_WITH_CONSENT"]
                ids["refusal"] = outcomes["DO_NOT_SHARE"]
            else:
                ids["us_share"] = outcomes["SHARE_WITHOUT_CONSENT"]
    finally:
        jo.lock()
    return Team(folder / "jo", fingerprints["sam"], fingerprints["alex"], ids)


@pytest.fixture
def supervisor_store(team: Team, store_dir: Path) -> Path:
    shutil.copytree(team.template, store_dir)
    return store_dir


@pytest.fixture
def window(qtbot: QtBot, controller: AppController, supervisor_store: Path) -> MainWindow:
    unlock(qtbot, controller)
    activate(qtbot, controller.window)
    return controller.window


def settled(qtbot: QtBot, window: MainWindow) -> ReviewView:
    """The review view once its table shows what the filters say (a typed date applies after
    a pause), has loaded, and the session thread is idle."""
    view = window.review_view
    qtbot.waitUntil(
        lambda: (
            view.model.where == view.filter()
            and view.model.loaded
            and not view.model.loading
            and window.host.pending == 0
        ),
        timeout=WAIT_MS,
    )
    return view


def keys(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key typed where the keyboard focus is."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifier)


def open_review(qtbot: QtBot, window: MainWindow) -> ReviewView:
    """Ctrl+2, as a user switches to the review."""
    keys(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.view() is View.REVIEW
    return settled(qtbot, window)


def table(view: ReviewView) -> list[tuple[str, ...]]:
    """Each row's practitioner, outcome, reasons and state, as shown."""
    model = view.model
    return [
        tuple(
            str(model.index(row, column).data())
            for column in (model.PRACTITIONER, model.OUTCOME, model.REASONS, model.STATE)
        )
        for row in range(model.rowCount())
    ]


def shown_ids(view: ReviewView) -> list[str]:
    found = []
    for number in range(view.model.rowCount()):
        row = view.model.row_at(number)
        assert row is not None
        found.append(row.item.record_id)
    return found


def mnemonics(widgets: list[QWidget]) -> list[str]:
    letters = []
    for widget in widgets:
        if isinstance(widget, QLabel | QAbstractButton) and widget.isVisible():
            found = re.search(r"&([^&])", widget.text())
            if found:
                letters.append(found.group(1).lower())
    return letters


def actions(
    qtbot: QtBot, controller: AppController, signer: str, record_id: str
) -> list[tuple[Action, str | None]]:
    """What the store holds about a record: each action and its comment, in the order taken."""
    stored = ask(qtbot, controller, lambda session: session.review.actions(signer, record_id))
    return [(statement.action, statement.comment) for statement in stored]


def select(qtbot: QtBot, view: ReviewView, record_id: str) -> None:
    """Move to the record's row with the arrow keys, from the top; wait for its detail."""
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(view.model.rowCount()):
        if view.selected_row() is not None and view.selected_row().item.record_id == record_id:
            break
        qtbot.keyClick(view.table, Qt.Key.Key_Down)
    row = view.selected_row()
    assert row is not None
    assert row.item.record_id == record_id
    qtbot.waitUntil(view.acknowledge_button.isEnabled, timeout=WAIT_MS)
    assert record_id in view.record_view.toPlainText()


def comment_dialog(qtbot: QtBot, view: ReviewView) -> CommentDialog:
    """The comment dialog, once open (a button's Alt+letter clicks it after a moment)."""
    qtbot.waitUntil(lambda: view.comment_dialog is not None, timeout=WAIT_MS)
    dialog = view.comment_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    activate(qtbot, dialog)
    return dialog


# -- the queue -----------------------------------------------------------------------------------
def test_switching_to_the_review_shows_the_queue_named_and_keyboard_reachable(
    qtbot: QtBot, window: MainWindow, team: Team
) -> None:
    assert window.view() is View.RECORDS
    assert window.review_view_action.shortcut() == QKeySequence("Ctrl+2")
    assert window.records_view_action.shortcut() == QKeySequence("Ctrl+1")

    # Alt+V, then V: the review; the table has the focus.
    choose(qtbot, window, "viewMenu", Qt.Key.Key_V)
    view = settled(qtbot, window)
    activate(qtbot, window)
    assert window.view() is View.REVIEW
    assert window.review_view_action.isChecked()
    assert view.table.hasFocus()
    assert not window.amend_action.isEnabled()  # the records' commands are for your records
    assert not window.find_action.isEnabled()

    assert view.attention_check.isChecked()
    rows = table(view)
    assert [
        (who.split(",")[0], outcome, reasons, state) for who, outcome, reasons, state in rows
    ] == [
        ("Alex Rivera", "Share without consent", ALEX_REASONS, "Open"),
        ("Sam Patel", "Share without consent", SAM_REASONS, "Open"),
    ]
    assert shown_ids(view) == [team.ids["us_share"], team.ids["override"]]
    assert view.count_label.text() == "2 records wait for review."
    assert not view.more_button.isVisible()
    combo = view.practitioner_combo
    assert [combo.itemText(i).split(",")[0] for i in range(combo.count())] == [
        "All practitioners",
        "Alex Rivera",
        "Sam Patel",
    ]
    assert combo.itemText(2).endswith("(3 records)")
    assert combo.itemText(1).endswith("(1 record)")
    assert [combo.itemData(i) for i in range(combo.count())] == [None, team.alex, team.sam]

    # Named for screen readers; every letter opens one thing; every menu is complete.
    assert unnamed_controls(window) == []
    assert menu_problems(window) == []
    letters = mnemonics(view.findChildren(QWidget))
    menu_letters = [
        re.search(r"&(.)", a.text()).group(1).lower() for a in window.menuBar().actions()
    ]
    assert len(set(letters + menu_letters)) == len(letters + menu_letters), letters + menu_letters

    # Ctrl+1: back to the records, which are as they were.
    keys(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.view() is View.RECORDS
    assert window.browser.table.hasFocus()
    assert window.find_action.isEnabled()


def test_each_filter_narrows_the_list(qtbot: QtBot, window: MainWindow, team: Team) -> None:
    ids = team.ids
    view = open_review(qtbot, window)

    def now() -> list[str]:
        settled(qtbot, window)
        return shown_ids(view)

    # Practitioner, by keyboard: Alt+P, then Down to the second name (Sam).
    keys(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert view.practitioner_combo.hasFocus()
    keys(qtbot, Qt.Key.Key_Down)
    keys(qtbot, Qt.Key.Key_Down)
    assert view.practitioner_combo.currentData() == team.sam
    assert now() == [ids["override"]]
    assert view.count_label.text() == "1 record waits for review."

    # Needs attention only, off (Alt+N): all of Sam's records.
    keys(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # clicks it after a moment
    qtbot.waitUntil(lambda: not view.attention_check.isChecked(), timeout=WAIT_MS)
    assert set(now()) == {ids["override"], ids["consent"], ids["refusal"]}
    assert view.count_label.text() == "3 imported records match."

    # Outcome: a decision not to share.
    view.outcome_combo.setCurrentIndex(view.outcome_combo.findData("DO_NOT_SHARE"))
    assert now() == [ids["refusal"]]
    assert table(view)[0][1] == "Do not share"
    assert table(view)[0][2] == "None"

    # Clear filters (Alt+L): the queue again.
    keys(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(view.attention_check.isChecked, timeout=WAIT_MS)
    assert view.practitioner_combo.currentIndex() == 0
    assert now() == [ids["us_share"], ids["override"]]

    # Why it needs attention: the person was not told.
    view.reason_combo.setCurrentIndex(view.reason_combo.findText("The person was not told"))
    assert now() == [ids["us_share"]]
    view.reason_combo.setCurrentIndex(view.reason_combo.findText("Needs your sign-off"))
    assert now() == [ids["override"]]
    view.reason_combo.setCurrentIndex(0)

    # The period: from 1 April 2025 (Alex's share is from the 2nd; Sam's from March).
    view.from_edit.setDate(QDate(2025, 4, 1))
    assert now() == [ids["us_share"]]
    view.from_edit.setDate(view.from_edit.minimumDate())
    view.to_edit.setDate(QDate(2025, 3, 31))
    assert now() == [ids["override"]]
    view.to_edit.setDate(view.to_edit.minimumDate())
    assert now() == [ids["us_share"], ids["override"]]

    # State: nothing is queried yet.
    view.state_combo.setCurrentIndex(view.state_combo.findData("queried"))
    assert now() == []
    assert view.count_label.text() == "No imported records match these filters."
    view.state_combo.setCurrentIndex(view.state_combo.findData("open"))
    assert now() == [ids["us_share"], ids["override"]]


# -- acting --------------------------------------------------------------------------------------
def test_acknowledge_query_and_sign_off_change_the_state_and_the_queue(
    qtbot: QtBot, controller: AppController, window: MainWindow, team: Team
) -> None:
    ids = team.ids
    view = open_review(qtbot, window)

    # Acknowledge Sam's override: it needs a sign-off, so it stays in the queue, acknowledged.
    select(qtbot, view, ids["override"])
    assert "Review: Open" in view.history.toPlainText()
    assert "Nothing yet." in view.history.toPlainText()
    qtbot.mouseClick(view.acknowledge_button, Qt.MouseButton.LeftButton)
    settled(qtbot, window)
    assert window.statusBar().currentMessage() == (
        "Acknowledged. It stays in the queue: what it holds needs your sign-off."
    )
    assert shown_ids(view) == [ids["us_share"], ids["override"]]
    assert table(view)[1][3] == "Acknowledged"
    assert view.selected_row() is not None
    assert view.selected_row().item.record_id == ids["override"]
    qtbot.waitUntil(
        lambda: "Acknowledged by Jo Supervisor" in view.history.toPlainText(), timeout=WAIT_MS
    )
    assert "Review: Acknowledged" in view.history.toPlainText()
    assert actions(qtbot, controller, team.sam, ids["override"]) == [(Action.ACKNOWLEDGE, None)]

    # Query Alex's share, with a typed comment: a query waits on the practitioner, not on you.
    select(qtbot, view, ids["us_share"])
    qtbot.mouseClick(view.query_button, Qt.MouseButton.LeftButton)
    dialog = comment_dialog(qtbot, view)
    assert dialog.comment_edit.hasFocus()
    assert not dialog.send_button.isEnabled()
    qtbot.keyClicks(dialog.comment_edit, "Why was she not told?")
    assert dialog.send_button.isEnabled()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    settled(qtbot, window)
    assert window.statusBar().currentMessage() == (
        "Query recorded for the practitioner. It has left the queue."
    )
    assert shown_ids(view) == [ids["override"]]
    assert view.count_label.text() == "1 record waits for review."
    assert actions(qtbot, controller, team.alex, ids["us_share"]) == [
        (Action.QUERY, "Why was she not told?")
    ]
    # The next record took its place, selected.
    assert view.selected_row() is not None
    assert view.selected_row().item.record_id == ids["override"]

    # Sign off Sam's override with a comment: the queue is empty.
    qtbot.waitUntil(view.sign_off_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(view.sign_off_button, Qt.MouseButton.LeftButton)
    dialog = comment_dialog(qtbot, view)
    assert dialog.send_button.isEnabled()  # a comment is optional
    qtbot.keyClicks(dialog.comment_edit, "Agreed with DSL.")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    settled(qtbot, window)
    assert window.statusBar().currentMessage() == "Signed off. It has left the queue."
    assert shown_ids(view) == []
    assert view.count_label.text() == "Nothing waits for review."
    assert not view.acknowledge_button.isEnabled()
    assert actions(qtbot, controller, team.sam, ids["override"]) == [
        (Action.ACKNOWLEDGE, None),
        (Action.SIGN_OFF, "Agreed with DSL."),
    ]

    # Everything, with where each review stands; the history says who did what, and why.
    view.attention_check.setChecked(False)
    settled(qtbot, window)
    states = {
        record_id: row[3] for record_id, row in zip(shown_ids(view), table(view), strict=True)
    }
    assert states == {
        ids["us_share"]: "Queried",
        ids["override"]: "Signed off",
        ids["consent"]: "Open",
        ids["refusal"]: "Open",
    }
    select(qtbot, view, ids["us_share"])
    qtbot.waitUntil(
        lambda: "Comment: Why was she not told?" in view.history.toPlainText(), timeout=WAIT_MS
    )
    text = view.history.toPlainText()
    assert "Review: Queried" in text
    assert "Queried by Jo Supervisor (Designated safeguarding lead), version 1" in text
    assert ALEX_REASONS in text


def test_a_query_without_a_comment_cannot_be_sent(
    qtbot: QtBot, controller: AppController, window: MainWindow, team: Team
) -> None:
    view = open_review(qtbot, window)
    select(qtbot, view, team.ids["us_share"])
    keys(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    dialog = comment_dialog(qtbot, view)
    assert not dialog.send_button.isEnabled()
    assert dialog.hint_label.isVisible()
    assert dialog.hint_label.text() == (
        "Write what the practitioner should look at, then send the query."
    )
    qtbot.keyClicks(dialog.comment_edit, "   ")  # spaces are no comment
    assert not dialog.send_button.isEnabled()
    dialog.accept()  # as Enter on the dialog would: refused
    assert dialog.isVisible()
    qtbot.keyClick(dialog.comment_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.comment_dialog is None, timeout=WAIT_MS)
    settled(qtbot, window)
    assert actions(qtbot, controller, team.alex, team.ids["us_share"]) == []
    assert shown_ids(view) == [team.ids["us_share"], team.ids["override"]]
    assert table(view)[0][3] == "Open"


def test_the_review_works_from_the_keyboard_alone(
    qtbot: QtBot, controller: AppController, window: MainWindow, team: Team
) -> None:
    ids = team.ids
    view = open_review(qtbot, window)
    assert view.table.hasFocus()
    keys(qtbot, Qt.Key.Key_Down)  # the first row: Alex's share
    qtbot.waitUntil(view.acknowledge_button.isEnabled, timeout=WAIT_MS)
    assert view.selected_row() is not None
    assert view.selected_row().item.record_id == ids["us_share"]

    # Tab goes round the view in reading order.
    view.practitioner_combo.setFocus()
    order = [QApplication.focusWidget()]
    expected = [c for c in view.controls() if c is not view.more_button]  # one page: hidden
    for _ in range(len(expected) - 1):
        keys(qtbot, Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == expected

    # Alt+C acknowledges Alex's share: nothing in it needs a sign-off, so it is settled.
    with qtbot.waitSignal(view.acted, timeout=WAIT_MS):
        keys(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    settled(qtbot, window)
    assert window.statusBar().currentMessage() == "Acknowledged. It has left the queue."
    assert shown_ids(view) == [ids["override"]]
    assert actions(qtbot, controller, team.alex, ids["us_share"]) == [(Action.ACKNOWLEDGE, None)]

    # Alt+Q, type, Tab to Send query, Space.
    qtbot.waitUntil(view.query_button.isEnabled, timeout=WAIT_MS)
    keys(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    dialog = comment_dialog(qtbot, view)
    qtbot.keyClicks(dialog.comment_edit, "Was the objection recorded with the family?")
    keys(qtbot, Qt.Key.Key_Tab)
    assert dialog.send_button.hasFocus()
    keys(qtbot, Qt.Key.Key_Space)
    settled(qtbot, window)
    assert shown_ids(view) == []
    assert view.count_label.text() == "Nothing waits for review."

    # Alt+N: everything; the queried one, signed off with Alt+I and Enter (no comment).
    activate(qtbot, window)
    view.table.setFocus()
    keys(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not view.attention_check.isChecked(), timeout=WAIT_MS)
    settled(qtbot, window)
    select(qtbot, view, ids["override"])
    keys(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    dialog = comment_dialog(qtbot, view)
    keys(qtbot, Qt.Key.Key_Tab)
    assert dialog.send_button.hasFocus()
    keys(qtbot, Qt.Key.Key_Return)
    settled(qtbot, window)
    assert window.statusBar().currentMessage() == "Signed off."
    assert actions(qtbot, controller, team.sam, ids["override"]) == [
        (Action.QUERY, "Was the objection recorded with the family?"),
        (Action.SIGN_OFF, None),
    ]
    row = view.selected_row()
    assert row is not None
    assert row.item.record_id == ids["override"]
    assert row.state == "signed_off"

    # Ctrl+1: your records again.
    activate(qtbot, window)
    keys(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.view() is View.RECORDS


def test_show_more_brings_the_next_page(
    qtbot: QtBot, window: MainWindow, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_model, "PAGE_SIZE", 3)  # four records: a page and a bit
    view = open_review(qtbot, window)
    assert view.count_label.text() == "2 records wait for review."
    assert not view.more_button.isVisible()

    view.attention_check.setChecked(False)
    settled(qtbot, window)
    first = shown_ids(view)
    assert len(first) == 3
    assert view.count_label.text() == "The newest 3 of 4 matching imported records."
    assert view.more_button.isVisible()
    assert view.more_button.isEnabled()

    # Alt+W, as a keyboard user asks for more; the button goes once there is no more.
    view.table.setFocus()
    keys(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: view.model.rowCount() == 4, timeout=WAIT_MS)
    settled(qtbot, window)
    assert shown_ids(view)[:3] == first
    assert set(shown_ids(view)) == set(team.ids.values())
    assert view.count_label.text() == "4 imported records match."
    assert not view.more_button.isVisible()


def test_locking_empties_the_review_and_unlocking_opens_the_records(
    qtbot: QtBot, controller: AppController, window: MainWindow, team: Team
) -> None:
    view = open_review(qtbot, window)
    select(qtbot, view, team.ids["override"])
    keys(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.page() is Page.UNLOCK
    assert view.model.rowCount() == 0
    assert view.record_view.toPlainText() == ""
    assert view.history.toPlainText() == ""
    assert view.practitioner_combo.count() == 1
    assert not window.review_view_action.isEnabled()
    qtbot.waitUntil(
        lambda: not controller.is_unlocked and window.host.pending == 0, timeout=WAIT_MS
    )

    unlock(qtbot, controller)
    assert window.view() is View.RECORDS
    view = open_review(qtbot, window)
    assert shown_ids(view) == [team.ids["us_share"], team.ids["override"]]


def test_no_text_in_the_review_bypasses_translation(
    qtbot: QtBot, window: MainWindow, team: Team
) -> None:
    """Each label, button, column, choice and message of the review and its dialog matches a
    .ts source (with %1 and %n standing for values), so it went through tr()."""
    patterns = [
        re.compile(re.sub(r"%(?:n|\d)", ".*", re.escape(text)), re.DOTALL)
        for source in ts_sources("disclosure_log_en.ts")
        for text in {source, source.replace("&", "")}  # an accessible name: no Alt+letter
    ]
    view = open_review(qtbot, window)
    select(qtbot, view, team.ids["override"])
    qtbot.mouseClick(view.query_button, Qt.MouseButton.LeftButton)
    dialog = comment_dialog(qtbot, view)
    widgets = view.findChildren(QWidget) + dialog.findChildren(QWidget)
    texts = [w.text() for w in widgets if isinstance(w, QLabel | QAbstractButton) and w.isVisible()]
    texts += [w.accessibleName() for w in widgets if w.isVisible() and w.accessibleName()]
    texts += [dialog.windowTitle(), view.count_label.text()]
    model = view.model
    texts += [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    texts += [str(model.index(0, c).data()) for c in (model.DATE, model.OUTCOME, model.STATE)]
    for combo in (view.outcome_combo, view.reason_combo, view.state_combo):
        texts += [combo.itemText(i) for i in range(combo.count())]
    texts.append(view.practitioner_combo.itemText(0))
    texts += [
        line
        for line in view.history.toPlainText().splitlines()
        if line.strip() and not line.startswith(("From:", "Outcome:", "Why it needs attention:"))
    ]
    texts = [text for text in texts if text and not re.fullmatch(r"[\d: -]+", text)]
    assert "Why it needs attention" in texts
    untranslated = [text for text in texts if not any(p.fullmatch(text) for p in patterns)]
    assert untranslated == [], untranslated
    qtbot.keyClick(dialog.comment_edit, Qt.Key.Key_Escape)


# -- empty -----------------------------------------------------------------------------------------
@pytest.fixture
def empty_supervisor(store_dir: Path) -> Path:
    Session.create(store_dir, PASSPHRASE, SUPERVISOR, Policy(), FLOOR).lock()
    return store_dir


def test_with_nothing_imported_the_review_says_how_to_import(
    qtbot: QtBot, controller: AppController, empty_supervisor: Path
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    activate(qtbot, window)
    view = open_review(qtbot, window)
    assert view.model.rowCount() == 0
    command = window.import_action.text().replace("&", "")
    assert view.count_label.text() == (
        f"No imported records yet. Import reports from practitioners with File → {command}"
    )
    assert not view.acknowledge_button.isEnabled()
    view.attention_check.setChecked(False)
    settled(qtbot, window)
    assert view.count_label.text().startswith("No imported records yet.")
    assert unnamed_controls(window) == []
