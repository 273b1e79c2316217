"""A supervisor's reviews, both ways, in the GUI (issue 6): the supervisor sends them (File > Send
reviews to a practitioner…), the practitioner imports them (File > Import reports or reviews…,
or a drop) and reads the outcome in the record's detail; and the gaps in a practitioner's series
of reports that an import reveals.

Real stores throughout, as tests/cli/test_review_cli.py builds them: a practitioner (Sam) exports
a real report to the supervisor (Jo), who trusts Sam's certificate, imports it and signs off or
acknowledges records with ``session.review.act``; the review file is the real, sealed one. Only
the file dialogs are replaced (``choose_report_files``, ``choose_file``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.identity import certificate_fingerprint
from desktop.policy import load_policy
from desktop.review.statement import Action
from desktop.session import ReportScope, Session
from desktop.ui.browser import RecordsBrowser
from desktop.ui.controller import AppController
from desktop.ui.main_window import MainWindow
from desktop.ui.send_reviews_dialog import SendReviewsDialog
from tests.conftest import PROFILE
from tests.reports.sent_report import introduce
from tests.ui.conftest import PASSPHRASE, WAIT_MS, add_records, record_body, unlock
from tests.ui.test_app import activate, unnamed_controls
from tests.ui.test_import_gui import ask, audit_events, close, drop, finished, store_state
from tests.ui.test_main_window import choose

SUPERVISOR = dataclasses.replace(PROFILE, name="Jo Supervisor", role="Designated safeguarding lead")
SAM = dataclasses.replace(PROFILE, name="Sam Patel")
SIGNER = "Sam Patel, Northshire Council"
"""How Sam's signing certificate names them: name, organisation."""
EVERYTHING = ReportScope(date(2000, 1, 1), date(2099, 12, 31))
COMMENT = "Signed off: the risk to the child justified sharing without consent."
NO_CARD = (
    "The reviews could not be sent: to send reviews back, add the practitioner's identity card"
    " first ('recipients add CARD'): it holds the key the file is encrypted to"
)


@dataclass(frozen=True)
class Team:
    jo: Path
    sam: Path
    signed_off: str
    """The record Jo signed off, with ``COMMENT``."""
    acknowledged: str
    sam_card: Path
    sam_fingerprint: str


def make_team(tmp_path: Path, jo_dir: Path, sam_dir: Path, sam_card_added: bool) -> Team:
    """Sam's report imported by Jo, who signs off one record and acknowledges another."""
    jo = Session.create(jo_dir, PASSPHRASE, SUPERVISOR, load_policy())
    sam = Session.create(sam_dir, PASSPHRASE, SAM, load_policy())
    try:
        introduce(jo, sam, tmp_path, as_recipient="Jo Supervisor")
        made = add_records(sam, 3)
        report = tmp_path / "sam.dlreport"
        sam.export_report(EVERYTHING, "Jo Supervisor", report)
        assert jo.import_report(report.read_bytes()).versions_added == 3
        jo.review.act(None, made[0].record_id, Action.SIGN_OFF, COMMENT)
        jo.review.act(None, made[1].record_id, Action.ACKNOWLEDGE)
        sam.write_identity_card(tmp_path / "sam.card")
        if sam_card_added:
            jo.add_recipient("Sam Patel", (tmp_path / "sam.card").read_bytes())
        fingerprint = certificate_fingerprint(sam.identity().certificate)
    finally:
        sam.lock()
        jo.lock()
    return Team(
        jo_dir,
        sam_dir,
        made[0].record_id,
        made[1].record_id,
        tmp_path / "sam.card",
        fingerprint,
    )


def select(qtbot: QtBot, browser: RecordsBrowser, record_id: str) -> str:
    row = next(
        row
        for row in range(browser.model.rowCount())
        if (found := browser.model.row_at(row)) is not None and found.record_id == record_id
    )
    with qtbot.waitSignal(browser.detail_loaded, timeout=WAIT_MS):
        browser.table.selectRow(row)
    return browser.detail.toPlainText()


# -- the practitioner receives the reviews ------------------------------------------------------
@dataclass(frozen=True)
class Received:
    team: Team
    reviews: Path
    tampered: Path


@pytest.fixture
def received(tmp_path: Path, store_dir: Path) -> Received:
    """The GUI's store is the practitioner's (Sam); Jo's reviews of it are in a file."""
    team = make_team(tmp_path, tmp_path / "jo", store_dir, sam_card_added=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    reviews = inbox / "reviews.dlreview"
    jo = Session.unlock(team.jo, PASSPHRASE, load_policy())
    try:
        assert jo.review.export(team.sam_fingerprint, reviews) == 2
    finally:
        jo.lock()
    sealed = bytearray(reviews.read_bytes())
    sealed[len(sealed) // 2] ^= 0x01
    tampered = inbox / "tampered.dlreview"
    tampered.write_bytes(bytes(sealed))
    return Received(team, reviews, tampered)


@pytest.fixture
def practitioner_window(qtbot: QtBot, controller: AppController, received: Received) -> MainWindow:
    unlock(qtbot, controller)
    activate(qtbot, controller.window)
    return controller.window


SIGNED_OFF = re.compile(
    r"Signed off by Jo Supervisor \(Designated safeguarding lead\) on"
    r" \d{4}-\d{2}-\d{2} \d{2}:\d{2}, version 1: " + re.escape(COMMENT)
)


def test_a_dropped_review_file_shows_the_sign_off_on_the_record_and_again_changes_nothing(
    qtbot: QtBot,
    controller: AppController,
    practitioner_window: MainWindow,
    received: Received,
) -> None:
    window, team = practitioner_window, received.team
    browser = window.browser
    text = select(qtbot, browser, team.signed_off)
    assert "Supervisor's review" not in text  # not reviewed yet, as far as this store knows

    # Dropped while the record is shown: the detail is read again once the reviews are in.
    with qtbot.waitSignal(browser.detail_loaded, timeout=WAIT_MS):
        assert drop(qtbot, window, received.reviews)
    dialog = finished(qtbot, window)
    imported = "2 reviews by Jo Supervisor imported. Select a record to see its review."
    assert dialog.status_label.text() == imported
    assert not dialog.error_label.isVisible()
    assert not dialog.warning_label.isVisible()
    assert window.statusBar().currentMessage() == imported
    assert unnamed_controls(dialog) == []
    text = browser.detail.toPlainText()
    assert "Supervisor's review" in text
    assert SIGNED_OFF.search(text), text
    assert "this record is now at version" not in text
    assert audit_events(qtbot, controller)[-1] == "review_imported"

    text = select(qtbot, browser, team.acknowledged)
    assert re.search(
        r"Acknowledged by Jo Supervisor \(Designated safeguarding lead\) on [-\d: ]+, version 1$",
        text,
        re.MULTILINE,
    ), text

    # The same file again, from the menu (Alt+F, I): nothing changes.
    close(qtbot, window, dialog)
    assert window.import_action.text() == "&Import reports or reviews…"
    window.choose_report_files = lambda: [received.reviews]
    before = store_state(qtbot, controller)
    choose(qtbot, window, "fileMenu", Qt.Key.Key_I)
    dialog = finished(qtbot, window)
    again = "These reviews were imported before: nothing changed."
    assert dialog.status_label.text() == again
    assert window.statusBar().currentMessage() == again
    assert store_state(qtbot, controller) == before

    # Sam amends the signed-off record: its detail says the review was of the version before.
    ask(
        qtbot,
        controller,
        lambda session: session.amend_record(
            team.signed_off, record_body(0, "CASE-01", "Clarified."), "clarified"
        ),
    )
    text = select(qtbot, browser, team.signed_off)  # the acknowledged one was selected
    assert SIGNED_OFF.search(text), text
    assert (
        "Reviewed version 1; this record is now at version 2, which your supervisor has not"
        " reviewed yet."
    ) in text


def test_a_tampered_review_file_is_refused_and_changes_nothing(
    qtbot: QtBot,
    controller: AppController,
    practitioner_window: MainWindow,
    received: Received,
) -> None:
    window = practitioner_window
    before = store_state(qtbot, controller)
    assert drop(qtbot, window, received.tampered)
    dialog = finished(qtbot, window)

    text = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert text.startswith("tampered.dlreview was not imported: the review file cannot be opened")
    assert dialog.status_label.text() == ""
    assert window.statusBar().currentMessage() == text
    after = store_state(qtbot, controller)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert len(after["audit"]) == len(before["audit"]) + 1
    assert audit_events(qtbot, controller)[-1] == "review_import_refused"
    assert "Supervisor's review" not in select(qtbot, window.browser, received.team.signed_off)


# -- the supervisor sends them ------------------------------------------------------------------
@pytest.fixture
def supervisor_team(tmp_path: Path, store_dir: Path) -> Team:
    """The GUI's store is the supervisor's (Jo); Sam's card has not been added to it yet."""
    return make_team(tmp_path, store_dir, tmp_path / "sam", sam_card_added=False)


@pytest.fixture
def supervisor_window(qtbot: QtBot, controller: AppController, supervisor_team: Team) -> MainWindow:
    unlock(qtbot, controller)
    activate(qtbot, controller.window)
    return controller.window


def open_send_dialog(qtbot: QtBot, window: MainWindow) -> SendReviewsDialog:
    """Alt+F, S; once the practitioners are listed."""
    choose(qtbot, window, "fileMenu", Qt.Key.Key_S)
    dialog = window.send_reviews_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: window.host.pending == 0 and bool(dialog.choices), timeout=WAIT_MS)
    activate(qtbot, dialog)
    return dialog


def send(qtbot: QtBot, window: MainWindow, dialog: SendReviewsDialog, out: Path) -> list[str]:
    """Enter (Send, the default button) with ``out`` chosen in the file dialog; the name the
    file dialog was offered."""
    offered: list[str] = []

    def choose_file(suggested: str) -> Path:
        offered.append(suggested)
        return out

    dialog.choose_file = choose_file
    assert dialog.focusWidget() is dialog.practitioner_combo
    qtbot.keyClick(dialog.practitioner_combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.running and window.host.pending == 0, timeout=WAIT_MS)
    return offered


def test_send_reviews_needs_the_practitioners_card_then_writes_a_file_they_can_import(
    qtbot: QtBot,
    controller: AppController,
    supervisor_window: MainWindow,
    supervisor_team: Team,
    tmp_path: Path,
) -> None:
    window, team = supervisor_window, supervisor_team
    out = tmp_path / "outbox" / "for-sam.dlreview"
    out.parent.mkdir()
    dialog = open_send_dialog(qtbot, window)
    assert unnamed_controls(dialog) == []
    assert dialog.practitioner_combo.currentText() == f"{SIGNER} (3 records imported)"
    grouped = " ".join(re.findall("....", team.sam_fingerprint.upper()))
    assert dialog.fingerprint_label.text() == grouped
    assert dialog.no_card_label.isVisible()
    assert "disclosure-log-cli recipients add CARD --name NAME" in dialog.no_card_label.text()
    # Tab goes round: the practitioner, Send, Close.
    assert dialog.focusWidget() is dialog.practitioner_combo
    order = [dialog.focusWidget()]
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Tab)
        order.append(dialog.focusWidget())
    assert order == [
        dialog.practitioner_combo,
        dialog.send_button,
        dialog.close_button,
        dialog.practitioner_combo,
    ]

    # Without Sam's card: refused in the review's own words, nothing written, nothing stored.
    before = store_state(qtbot, controller)
    offered = send(qtbot, window, dialog, out)
    assert offered == [f"reviews-Sam-Patel-Northshire-Council-{date.today().isoformat()}.dlreview"]
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == NO_CARD
    assert window.statusBar().currentMessage() == NO_CARD
    assert not out.exists()
    assert list(out.parent.iterdir()) == []
    assert store_state(qtbot, controller) == before

    # The card added (at a command prompt, as the dialog says): open the dialog again, send.
    close_send = dialog
    activate(qtbot, close_send)
    qtbot.keyClick(close_send.practitioner_combo, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.send_reviews_dialog is None, timeout=WAIT_MS)
    card = team.sam_card.read_bytes()
    ask(qtbot, controller, lambda session: session.add_recipient("Sam Patel", card))
    activate(qtbot, window)
    dialog = open_send_dialog(qtbot, window)
    assert not dialog.no_card_label.isVisible()
    send(qtbot, window, dialog, out)
    written = f"2 reviews written to {out}, encrypted to {SIGNER}."
    assert not dialog.error_label.isVisible()
    assert dialog.status_label.text().startswith(written)
    assert window.statusBar().currentMessage() == written
    assert out.is_file()
    assert COMMENT.encode() not in out.read_bytes()
    assert audit_events(qtbot, controller)[-1] == "review_exported"

    # Sam's store takes the file.
    sam = Session.unlock(team.sam, PASSPHRASE, load_policy())
    try:
        imported = sam.review.import_file(out.read_bytes())
        assert (imported.reviewer, imported.added, imported.already_held) == ("Jo Supervisor", 2, 0)
        outcomes = sam.review.outcomes(team.signed_off)
        assert [(o.action, o.comment) for o in outcomes] == [(Action.SIGN_OFF, COMMENT)]
    finally:
        sam.lock()


# -- gaps in a practitioner's reports -----------------------------------------------------------
@pytest.fixture
def series(tmp_path: Path, store_dir: Path) -> list[Path]:
    """Sam's reports 1 to 5 to the supervisor, whose store the GUI opens."""
    jo = Session.create(store_dir, PASSPHRASE, SUPERVISOR, load_policy())
    sam = Session.create(tmp_path / "sam", PASSPHRASE, SAM, load_policy())
    try:
        introduce(jo, sam, tmp_path)
        add_records(sam, 1)
        reports = []
        for number in range(1, 6):
            report = tmp_path / f"report-{number}.dlreport"
            sam.export_report(EVERYTHING, "supervisor", report)
            reports.append(report)
    finally:
        sam.lock()
        jo.lock()
    return reports


def test_reports_missing_between_those_imported_are_warned_about_until_they_arrive(
    qtbot: QtBot, controller: AppController, series: list[Path]
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    activate(qtbot, window)
    first, second, third, fourth, fifth = series

    assert drop(qtbot, window, first, third, fifth)
    dialog = finished(qtbot, window)
    gaps = (
        f"Reports 2 and 4 from {SIGNER} have not been imported here: they may have gone to"
        " someone else, or still be on their way."
    )
    assert dialog.warning_label.isVisible()
    assert dialog.warning_label.text() == gaps
    assert dialog.warning_label.accessibleName() == gaps
    assert not dialog.error_label.isVisible()
    assert dialog.status_label.text().startswith("3 of 3 files imported.")
    assert window.statusBar().currentMessage() == f"3 of 3 files imported. {gaps}"

    assert drop(qtbot, window, second)
    dialog = finished(qtbot, window)
    gap = (
        f"Report 4 from {SIGNER} has not been imported here: it may have gone to someone else,"
        " or still be on its way."
    )
    assert dialog.warning_label.text() == gap
    assert window.statusBar().currentMessage().endswith(gap)

    assert drop(qtbot, window, fourth)
    dialog = finished(qtbot, window)
    assert not dialog.warning_label.isVisible()
    assert dialog.status_label.text().startswith("Report 4 from")
    close(qtbot, window, dialog)
