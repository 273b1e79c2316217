"""The records page's filter bar, detail pane and consent withdrawal, driven as a user would.

A real encrypted store holds records of every outcome. Outcomes, flags and pending states come
from the checklist answers (the stored decision is always the engine's), never from editing a
record's "decision". Every Session call runs in the worker; tests wait with ``qtbot.waitUntil``.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import load_policy
from desktop.session import Session
from desktop.ui.browser import RecordsBrowser
from desktop.ui.controller import AppController
from desktop.ui.main_window import Page
from tests.factories import dns_body, give_consent, uk_share_body
from tests.ui.conftest import PASSPHRASE, WAIT_MS, profile, unlock
from tests.ui.test_app import activate, unnamed_controls

TRANSLATIONS = Path(__file__).resolve().parents[2] / "resources" / "translations"


def body(
    base: Callable[..., dict[str, Any]],
    *,
    case_id: str,
    when: str,
    organisation: str,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> RecordBody:
    """A factory record with its case, time and recipient set; ``change`` edits the answers."""
    document = copy.deepcopy(base())
    answers = document["checklist"]["answers"]
    document["case"]["case_id"] = case_id
    answers["Q17_record"] = {"disclosure_at": when, "record_created_at": when}
    document["decision_at"] = when
    answers["Q4_recipient"]["recipients"][0]["organisation"] = organisation
    if change is not None:
        change(document)
    return validate_document(RecordBody, document)


def with_consent(document: dict[str, Any]) -> None:
    give_consent(document["checklist"]["answers"])


def unsure(document: dict[str, Any]) -> None:
    document["checklist"]["answers"]["Q2_purpose"]["legitimate"] = "UNSURE"  # SEEK_ADVICE


def not_told(document: dict[str, Any]) -> None:
    del document["checklist"]["answers"]["Q14_inform"]  # V2 blocks: shared without a basis
    document["status"] = "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"


@dataclass(frozen=True)
class Store:
    override: str  # SHARE_WITHOUT_CONSENT, CASE-A, 2025-01-10, amended once
    consent: str  # SHARE_WITH_CONSENT, CASE-A, 2025-02-05
    dns: str  # DO_NOT_SHARE, CASE-B, 2025-03-01
    advice: str  # SEEK_ADVICE (pending), CASE-B, 2025-04-02
    flagged: str  # blocked, shared without an established basis (flagged), CASE-C, 2025-05-03

    @property
    def all(self) -> set[str]:
        return {self.override, self.consent, self.dns, self.advice, self.flagged}


@pytest.fixture
def store(store_dir: Path) -> Store:
    session = Session.create(store_dir, PASSPHRASE, profile(), load_policy())
    try:
        override = session.add_record(
            body(
                uk_share_body,
                case_id="CASE-A",
                when="2025-01-10T10:00:00Z",
                organisation="Children's social care MASH",
            )
        ).record_id
        consent = session.add_record(
            body(
                uk_share_body,
                case_id="CASE-A",
                when="2025-02-05T10:00:00Z",
                organisation="School nurse team",
                change=with_consent,
            )
        ).record_id
        dns = session.add_record(
            body(
                dns_body,
                case_id="CASE-B",
                when="2025-03-01T10:00:00Z",
                organisation="Family-support charity",
            )
        ).record_id
        advice = session.add_record(
            body(
                uk_share_body,
                case_id="CASE-B",
                when="2025-04-02T10:00:00Z",
                organisation="Police public protection unit",
                change=unsure,
            )
        ).record_id
        flagged = session.add_record(
            body(
                uk_share_body,
                case_id="CASE-C",
                when="2025-05-03T10:00:00Z",
                organisation="Housing team",
                change=not_told,
            )
        ).record_id
        amended = body(
            uk_share_body,
            case_id="CASE-A",
            when="2025-01-10T10:00:00Z",
            organisation="Children's social care MASH",
        )
        session.amend_record(override, amended, "Corrected the recipient's team")
        return Store(override, consent, dns, advice, flagged)
    finally:
        session.lock()


def shown(browser: RecordsBrowser) -> set[str]:
    model = browser.model
    return {model.row_at(row).record_id for row in range(model.rowCount())}  # type: ignore[union-attr]


def wait_for(qtbot: QtBot, browser: RecordsBrowser, expected: set[str]) -> None:
    """The table settles on exactly ``expected`` (a reload is debounced, then paged in)."""

    def settled() -> bool:
        return (
            not browser.filter_bar._timer.isActive()
            and not browser.model.loading
            and shown(browser) == expected
        )

    qtbot.waitUntil(settled, timeout=WAIT_MS)


def choose(combo: Any, data: Any) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


# -- the filter bar -----------------------------------------------------------------------------
def test_each_filter_narrows_the_table_and_clear_restores_every_record(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    unlock(qtbot, controller)
    browser = controller.window.browser
    bar = browser.filter_bar
    wait_for(qtbot, browser, store.all)

    choose(bar.outcome_combo, "DO_NOT_SHARE")
    wait_for(qtbot, browser, {store.dns})
    choose(bar.outcome_combo, "SHARE_WITH_CONSENT")
    wait_for(qtbot, browser, {store.consent})
    choose(bar.outcome_combo, None)
    wait_for(qtbot, browser, store.all)

    # The basis combo is filled from the rule pack, each code with its label.
    qtbot.waitUntil(lambda: bar.basis_combo.findData("UK-DPA-S1-P18") > 0, timeout=WAIT_MS)
    index = bar.basis_combo.findData("UK-DPA-S1-P18")
    assert bar.basis_combo.itemData(index, Qt.ItemDataRole.ToolTipRole)
    choose(bar.basis_combo, "UK-DPA-S1-P18")
    wait_for(qtbot, browser, {store.override, store.flagged})
    choose(bar.basis_combo, None)

    # Organisation: exact, whatever the case of the letters.
    bar.organisation_edit.setFocus()
    qtbot.keyClicks(bar.organisation_edit, "school NURSE team")
    wait_for(qtbot, browser, {store.consent})
    qtbot.keyClicks(bar.organisation_edit, "s")  # no longer an exact name
    wait_for(qtbot, browser, set())
    assert browser.count_label.text() == "No records match these filters."
    bar.organisation_edit.clear()
    wait_for(qtbot, browser, store.all)

    bar.flagged_check.setChecked(True)
    wait_for(qtbot, browser, {store.flagged})
    bar.flagged_check.setChecked(False)
    bar.pending_check.setChecked(True)
    wait_for(qtbot, browser, {store.advice})
    bar.pending_check.setChecked(False)

    # Dates: both ends included, each optional.
    bar.from_edit.setDate(QDate(2025, 2, 5))
    wait_for(qtbot, browser, store.all - {store.override})
    bar.to_edit.setDate(QDate(2025, 3, 1))
    wait_for(qtbot, browser, {store.consent, store.dns})
    bar.from_edit.setDate(bar.from_edit.minimumDate())  # "Any"
    assert bar.from_edit.text() == "Any"
    wait_for(qtbot, browser, {store.override, store.consent, store.dns})

    # Filters combine with each other, with the case list and with the search box.
    choose(bar.outcome_combo, "SHARE_WITHOUT_CONSENT")
    wait_for(qtbot, browser, {store.override})
    bar.to_edit.setDate(bar.to_edit.minimumDate())
    wait_for(qtbot, browser, {store.override, store.flagged})
    qtbot.waitUntil(lambda: browser.cases_model.rowCount() == 4, timeout=WAIT_MS)
    browser.cases_view.setCurrentIndex(
        browser.cases_model.index(browser.cases_model.row_of("CASE-C"))
    )
    wait_for(qtbot, browser, {store.flagged})
    browser.cases_view.setCurrentIndex(browser.cases_model.index(0))
    wait_for(qtbot, browser, {store.override, store.flagged})
    qtbot.keyClicks(browser.search_edit, "Housing")
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    wait_for(qtbot, browser, {store.flagged})
    browser.search_edit.clear()
    qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
    wait_for(qtbot, browser, {store.override, store.flagged})

    bar.flagged_check.setChecked(True)
    bar.organisation_edit.setText("Housing team")
    wait_for(qtbot, browser, {store.flagged})
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, browser, store.all)
    assert bar.outcome_combo.currentData() is None
    assert not bar.flagged_check.isChecked()
    assert bar.organisation_edit.text() == ""
    assert browser.count_label.text() == "5 records"

    # Newest first, as without filters.
    model = browser.model
    order = [model.row_at(row).record_id for row in range(model.rowCount())]  # type: ignore[union-attr]
    assert order == [store.flagged, store.advice, store.dns, store.consent, store.override]


def test_the_filter_bar_is_named_and_tabs_in_reading_order(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    browser = window.browser
    activate(qtbot, window)
    assert unnamed_controls(window) == []
    controls = browser.filter_bar.controls()
    # Reading order on screen: left to right along a row, rows top to bottom.
    positions = [c.mapTo(window, c.rect().topLeft()) for c in controls]
    rows = [(p.y() // 10, p.x()) for p in positions]
    assert rows == sorted(rows)

    browser.search_edit.setFocus()
    order = [browser.search_edit]
    for _ in range(len(controls) + 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    focus_of = [c.focusProxy() or c for c in controls]
    assert order[1:-1] == focus_of
    assert order[-1] is browser.table


# -- the detail pane ----------------------------------------------------------------------------
def select(qtbot: QtBot, browser: RecordsBrowser, record_id: str) -> str:
    row = next(
        row
        for row in range(browser.model.rowCount())
        if browser.model.row_at(row).record_id == record_id  # type: ignore[union-attr]
    )
    with qtbot.waitSignal(browser.detail_loaded, timeout=WAIT_MS):
        browser.table.selectRow(row)
    return browser.detail.toPlainText()


def test_the_detail_shows_the_record_its_reasons_versions_and_audit_events(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    unlock(qtbot, controller)
    browser = controller.window.browser
    wait_for(qtbot, browser, store.all)

    text = select(qtbot, browser, store.override)
    assert text.startswith("Share without consent (safeguarding override)")
    for expected in (
        f"Id: {store.override}",
        "Case: CASE-A",
        "Person: Child A",
        "Duty social worker, Duty social worker, Children's social care MASH",
        "Refer a disclosure of sexual abuse",
        "The child's account in her own words",
        "Consent: Refused",
        "Override basis claimed: UK-DPA-S1-P18 — ",
        "Told: Before",
        "Checklist decision and reasons",
        "Subtype: safeguarding override",
        "No blocks or flags.",
        "Supervisor sign-off required: Yes",
        "Version history (2 versions)",
        "Version 1, ",
        "Version 2, ",
        "Amendment reason: Corrected the recipient's team",
        "Audit events (2)",
    ):
        assert expected in text, expected
    # Every basis code is shown with the rule pack's label.
    basis = text.split("Basis:\n", 1)[1].split("\n")
    assert basis[0].startswith("UK-GDPR-6-1-E — ")
    assert len(basis[0]) > len("UK-GDPR-6-1-E — ")
    assert "by Sam Practitioner (Social worker, Northshire Council)" in text
    assert len(re.findall(r"Hash: [0-9a-f]{64}", text)) == 4  # two versions, two audit events
    assert browser.detail.isReadOnly()
    assert browser.detail.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard

    text = select(qtbot, browser, store.dns)
    assert text.startswith("Do not share")
    assert "Reason: " in text
    assert "Basis: None" in text
    assert "Why not shared: Consent withdrawn" in text
    assert "Version history (1 versions)" in text or "Version history (1 version)" in text

    # A block says what it is and what to do about it, in words.
    text = select(qtbot, browser, store.flagged)
    assert "Block (stops a final save): V2: " in text
    what = text.split("Block (stops a final save): V2: ", 1)[1].split("\n")[1]
    assert what.startswith("What to do: ")
    assert len(what) > len("What to do: ") + 10

    text = select(qtbot, browser, store.advice)
    assert text.startswith("Seek advice first")
    assert "Status: Awaiting advice" in text


# -- withdraw consent ---------------------------------------------------------------------------
def test_withdraw_consent_lists_the_recipients_to_tell(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    browser = window.browser
    wait_for(qtbot, browser, store.all)
    assert not window.withdraw_action.isEnabled()  # nothing selected yet
    select(qtbot, browser, store.consent)
    assert window.withdraw_action.isEnabled()

    window.withdraw_action.trigger()
    dialog = browser.withdraw_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert dialog.case_edit.text() == "CASE-A"
    assert dialog.subject_edit.text() == "SUBJ-0001"
    assert unnamed_controls(dialog) == []

    # Nothing filled in: the missing fields are named, nothing is saved.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible()
    assert "Who withdrew consent" in dialog.error_label.text()

    qtbot.keyClicks(dialog.by_edit, "The young person")
    qtbot.keyClicks(dialog.scope_edit, "All sharing with health services")
    choose(dialog.how_combo, "ORAL")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.notify_label.isVisible()
    assert dialog.notify_label.text() == "Tell these recipients that consent has been withdrawn:"
    items = [dialog.notify_list.item(row).text() for row in range(dialog.notify_list.count())]
    # Only the record shared with consent, before the withdrawal, counts.
    assert items == ["Duty social worker, Duty social worker, School nurse team (1 record)"]
    assert not dialog.save_button.isVisible()
    assert dialog.result_value is not None
    assert dialog.result_value.recipients_to_notify[0]["record_ids"] == [store.consent]

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # "Close"
    qtbot.waitUntil(lambda: browser.withdraw_dialog is None, timeout=WAIT_MS)


def test_locking_closes_the_withdrawal_dialog_and_resets_the_filters(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    browser = window.browser
    wait_for(qtbot, browser, store.all)
    browser.filter_bar.flagged_check.setChecked(True)
    wait_for(qtbot, browser, {store.flagged})
    select(qtbot, browser, store.flagged)
    window.withdraw_action.trigger()
    assert browser.withdraw_dialog is not None
    with qtbot.waitSignal(controller.locked, timeout=WAIT_MS):
        window.lock_action.trigger()
    assert browser.withdraw_dialog is None
    assert not window.withdraw_action.isEnabled()
    assert not browser.filter_bar.flagged_check.isChecked()
    assert window.page() is Page.UNLOCK


# -- translations -------------------------------------------------------------------------------
def ts_sources(name: str) -> set[str]:
    root = ET.parse(TRANSLATIONS / name).getroot()
    return {source.text or "" for source in root.iter("source")}


def test_the_translation_files_hold_every_message_english_and_welsh() -> None:
    english = ts_sources("disclosure_log_en.ts")
    welsh_root = ET.parse(TRANSLATIONS / "disclosure_log_cy.ts").getroot()
    assert welsh_root.get("language") == "cy_GB"
    assert welsh_root.get("sourcelanguage") == "en_GB"
    assert ts_sources("disclosure_log_cy.ts") == english
    for known in (
        "Share with consent",
        "Clear filters",
        "&Withdraw consent…",
        "Tell these recipients that consent has been withdrawn:",
        "Checklist decision and reasons",
    ):
        assert known in english, known
    # A scaffold: nothing translated yet, every message marked for a translator.
    for translation in welsh_root.iter("translation"):
        assert translation.get("type") == "unfinished"


def test_english_gives_every_count_its_singular_and_the_compiled_files_are_current(
    tmp_path: Path,
) -> None:
    english = ET.parse(TRANSLATIONS / "disclosure_log_en.ts").getroot()
    counted = [m for m in english.iter("message") if m.get("numerus") == "yes"]
    assert len(counted) >= 10
    for message in counted:
        translation = message.find("translation")
        assert translation is not None
        forms = [form.text for form in translation.iter("numerusform")]
        assert translation.get("type") is None, message.findtext("source")  # finished
        assert len(forms) == 2, message.findtext("source")
        assert all(forms), message.findtext("source")
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    for language in ("en", "cy"):
        fresh = tmp_path / f"{language}.qm"
        ts = TRANSLATIONS / f"disclosure_log_{language}.ts"
        subprocess.run([lrelease, "-silent", ts, "-qm", fresh], check=True)
        committed = TRANSLATIONS / f"disclosure_log_{language}.qm"
        assert fresh.read_bytes() == committed.read_bytes(), "run `make translations`"
    assert QCoreApplication.translate("RecordsBrowser", "%n records", "", 1) == "1 record"
    assert QCoreApplication.translate("RecordsBrowser", "%n records", "", 3) == "3 records"


def test_no_visible_text_in_the_main_window_bypasses_translation(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    """Each action, label and button text on the records page matches a .ts source (with %1
    and %n standing for values), so it went through tr()."""
    patterns = [
        re.compile(re.sub(r"%(?:n|\d)", ".*", re.escape(source).replace("%", "%")), re.DOTALL)
        for source in ts_sources("disclosure_log_en.ts")
    ]
    unlock(qtbot, controller)
    window = controller.window
    texts = [action.text() for action in window.findChildren(QAction) if action.text()]
    texts += [
        widget.text()
        for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton)
        if widget.isVisible() and widget.text()
    ]
    assert "Clear filters" in texts
    untranslated = [text for text in texts if not any(p.fullmatch(text) for p in patterns)]
    assert untranslated == []


def test_tab_goes_round_the_withdrawal_dialog_in_reading_order(
    qtbot: QtBot, controller: AppController, store: Store
) -> None:
    unlock(qtbot, controller)
    browser = controller.window.browser
    wait_for(qtbot, browser, store.all)
    select(qtbot, browser, store.consent)
    dialog = browser.open_withdraw_dialog()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    activate(qtbot, dialog)
    expected = [
        dialog.case_edit,
        dialog.subject_edit,
        dialog.by_edit,
        dialog.when_edit,
        dialog.scope_edit,
        dialog.how_combo,
        dialog.effect_combo,
        dialog.notes_edit,
        dialog.save_button,
        dialog.cancel_button,
        dialog.case_edit,  # and round again
    ]
    dialog.case_edit.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(len(expected) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert [w.objectName() for w in order] == [w.objectName() for w in expected]
    # Every Alt+letter in the dialog reaches one control.
    texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)]
    letters = [m.group(1).lower() for t in texts if (m := re.search(r"&(\w)", t))]
    assert len(letters) == len(set(letters)) >= 9
