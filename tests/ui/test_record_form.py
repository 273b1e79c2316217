"""Recording a disclosure through the checklist form, as a practitioner does it.

The real Session and encrypted store run in the worker thread; the form evaluates the answers
live; saving goes through the worker. Toggles are pressed with the space bar, text is typed,
buttons are clicked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.controller import AppController
from desktop.ui.main_window import MainWindow
from desktop.ui.record_form import Mode, RecordForm
from desktop.ui.record_form_fields import (
    BoolEditor,
    EnumEditor,
    EnumListEditor,
    JudgementEditor,
    ListEditor,
    ObjectEditor,
    StringEditor,
)
from tests.ui.conftest import WAIT_MS, Made, unlock
from tests.ui.test_app import unnamed_controls


@pytest.fixture
def window(qtbot: QtBot, controller: AppController, filled_store: list[Made]) -> MainWindow:
    unlock(qtbot, controller)
    return controller.window


def open_form(qtbot: QtBot, window: MainWindow, mode: Mode = Mode.NEW) -> RecordForm:
    action = {
        Mode.NEW: window.new_record_action,
        Mode.LIKE: window.like_record_action,
        Mode.AMEND: window.amend_action,
    }[mode]
    assert action.isEnabled()
    action.trigger()
    form = window.record_form
    assert form is not None
    qtbot.waitUntil(lambda: form.is_ready, timeout=WAIT_MS)
    form.confirm_discard = lambda: True
    return form


# -- driving the widgets -------------------------------------------------------------------
def editor(form: RecordForm, question: str, *path: str | int) -> Any:
    current: Any = form.boxes[question]
    for part in path:
        if isinstance(part, int):
            assert isinstance(current, ListEditor)
            current = current.rows[part]
        else:
            current = current.editors[part]
    return current


def type_into(qtbot: QtBot, field: StringEditor, text: str) -> None:
    qtbot.keyClicks(field.edit, text)


def choose(qtbot: QtBot, field: EnumEditor, code: str) -> None:
    combo: QComboBox = field.combo
    combo.setFocus()
    target = combo.findData(code)
    assert target > 0, code
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == code


def judge(qtbot: QtBot, field: JudgementEditor, code: str) -> None:
    button = field.buttons[code]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert button.isChecked()


def tick(qtbot: QtBot, field: BoolEditor) -> None:
    before = field.box.isChecked()
    field.box.setFocus()
    qtbot.keyClick(field.box, Qt.Key.Key_Space)
    assert field.box.isChecked() is not before


def check_item(qtbot: QtBot, field: EnumListEditor, code: str) -> None:
    field.check(code)
    assert code in field.value()


def click(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isEnabled(), widget.objectName()
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_Space)


def answer_basics(qtbot: QtBot, form: RecordForm, legitimate: str = "YES") -> None:
    """The record part and the questions always asked: a proactive child-safeguarding share."""
    qtbot.keyClicks(form.case_edit, "CASE-NEW-1")
    qtbot.keyClicks(form.subject_id_edit, "SUBJ-9")
    choose(qtbot, editor(form, "Q2_purpose", "purpose_code"), "SAFEGUARDING_CHILD")
    type_into(qtbot, editor(form, "Q2_purpose", "purpose_statement"), "Refer a concern to MASH.")
    judge(qtbot, editor(form, "Q2_purpose", "legitimate"), legitimate)
    type_into(qtbot, editor(form, "Q4_recipient", "recipients", 0, "role_title"), "Duty worker")
    type_into(qtbot, editor(form, "Q4_recipient", "recipients", 0, "organisation"), "MASH")
    tick(qtbot, editor(form, "Q4_recipient", "recipients", 0, "identified"))
    judge(qtbot, editor(form, "Q4_recipient", "recipients", 0, "has_role_in_purpose"), "YES")
    check_item(qtbot, editor(form, "Q6_information_type", "info_types"), "CONFIDENTIAL")


def add_claim(qtbot: QtBot, form: RecordForm, code: str) -> None:
    claims: ListEditor = editor(form, "Q11_override_basis", "claims")
    click(qtbot, claims.add_button)
    row: ObjectEditor = claims.rows[-1]
    choose(qtbot, row.editors["code"], code)
    judge(qtbot, row.editors["conditions_met"], "YES")


def answer_override(qtbot: QtBot, form: RecordForm, inform: bool = True) -> None:
    """A protection concern: consent is not the basis, so the override basis is claimed."""
    answer_basics(qtbot, form)
    # The procedure walks on: Q5 (identifiable) and Q7 (nothing compels it) have defaults.
    assert {"Q5_identifiable", "Q7_compelled", "Q8_protection_concern"} <= form.visible_questions
    assert "Q11_override_basis" not in form.visible_questions
    tick(qtbot, editor(form, "Q8_protection_concern", "protection_concern"))
    choose(qtbot, editor(form, "Q10_seek_consent", "not_sought_reason"), "INCREASE_RISK")
    type_into(qtbot, editor(form, "Q10_seek_consent", "views"), "Not asked: it would alert him.")
    assert form.boxes["Q11_override_basis"].isVisibleTo(form), (form.problems, form.output)
    add_claim(qtbot, form, "UK-GDPR-6-1-E")
    add_claim(qtbot, form, "UK-CL-PUBLIC-INTEREST")
    if inform:
        choose(qtbot, editor(form, "Q14_inform", "status"), "BEFORE")


def save(qtbot: QtBot, window: MainWindow, form: RecordForm, press: Callable[[], None]) -> Any:
    """Press a save button (or key); wait for the worker; the stored document."""
    with qtbot.waitSignal(form.saved, timeout=WAIT_MS) as blocker:
        press()
    record_id = blocker.args[0]
    got: list[dict[str, Any]] = []
    window.host.submit(lambda session: session.record(record_id), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    assert window.record_form is None  # the form closed after saving
    return got[0]


def select_first_record(qtbot: QtBot, window: MainWindow) -> str:
    table = window.browser.table
    table.selectionModel().setCurrentIndex(
        window.browser.model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    record_id = window.browser.selected_record_id()
    assert record_id is not None
    qtbot.waitUntil(window.amend_action.isEnabled, timeout=WAIT_MS)
    return record_id


# -- outcomes ------------------------------------------------------------------------------
def test_share_without_consent_through_a_protection_concern_and_the_override_basis(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert not window.like_record_action.isEnabled()
    form = open_form(qtbot, window)
    assert not form.save_button.isEnabled()
    assert "Not decided yet" in form.outcome_label.text()
    answer_override(qtbot, form)

    assert form.outcome_label.text().startswith("Share without consent (state the basis)")
    assert "UK-GDPR-6-1-E" in form.basis_label.text()
    assert "UK-CL-PUBLIC-INTEREST" in form.basis_label.text()
    # Flags are shown in words with what to do; no block stops the final save.
    assert "Flag (V9)" in form.issues_label.text()
    assert "What to do:" in form.issues_label.text()
    assert "Blocked" not in form.issues_label.text()
    assert unnamed_controls(form) == [], unnamed_controls(form)

    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert document["status"] == "FINAL"
    assert document["decision"]["outcome"] == "SHARE_WITHOUT_CONSENT"
    assert document["decision"]["subtype"] == "SAFEGUARDING_OVERRIDE"
    assert document["case"]["case_id"] == "CASE-NEW-1"
    assert document["checklist"]["answers"]["Q2_purpose"]["origin"] == "PROACTIVE"
    assert "Q17_record" in document["checklist"]["answers"]


def test_a_purpose_that_is_not_legitimate_is_recorded_as_not_shared_with_reasons(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    answer_basics(qtbot, form, legitimate="NO")
    assert form.outcome_label.text().startswith("Do not share (state the reasons)")
    # The procedure ends at Q2: the questions after it are not asked.
    assert "Q7_compelled" not in form.visible_questions
    assert not form.boxes["Q8_protection_concern"].isVisibleTo(form)
    assert form.not_sharing_box.isVisibleTo(form)

    # Without the reasons the save fails inline and the form keeps every answer.
    click(qtbot, form.save_button)
    assert form.error_label.isVisibleTo(form)
    assert "Why you are not sharing" in form.error_label.text()
    assert form.isVisible()
    assert form.case_edit.text() == "CASE-NEW-1"

    qtbot.keyClicks(form.not_sharing_edit, "Not a legitimate purpose for this request.")
    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert document["decision"]["outcome"] == "DO_NOT_SHARE"
    assert document["not_sharing"]["reasoning_narrative"].startswith("Not a legitimate")


def test_not_sure_asks_for_advice_and_saves_a_pending_record(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    answer_basics(qtbot, form, legitimate="UNSURE")
    assert form.outcome_label.text() == "Seek advice first"
    assert not form.save_button.isEnabled()
    assert form.pending_button.isVisibleTo(form)
    document = save(
        qtbot,
        window,
        form,
        lambda: qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier),
    )
    assert document["status"] == "PENDING_ADVICE"
    assert document["decision"]["outcome"] == "SEEK_ADVICE"


def test_a_block_keeps_save_disabled_but_a_draft_can_be_saved(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    answer_override(qtbot, form, inform=False)
    assert "Blocked (V2): Person not informed" in form.issues_label.text()
    assert not form.save_button.isEnabled()
    document = save(qtbot, window, form, lambda: click(qtbot, form.draft_button))
    assert document["status"] == "DRAFT"
    assert [block["id"] for block in document["decision"]["blocks"]] == ["V2"]


def test_a_blocked_disclosure_that_already_happened_is_saved_for_escalation(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    answer_override(qtbot, form, inform=False)
    assert form.already_happened.isVisibleTo(form)
    assert not form.already_label.isVisibleTo(form)
    form.already_happened.setFocus()
    qtbot.keyClick(form.already_happened, Qt.Key.Key_Space)
    assert "escalation" in form.already_label.text()
    assert form.already_label.isVisibleTo(form)
    assert form.save_button.isEnabled()
    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert document["status"] == "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"


# -- fast paths and amending ---------------------------------------------------------------
def test_new_record_like_this_one_prefills_case_person_and_recipient(
    qtbot: QtBot, window: MainWindow, filled_store: list[Made]
) -> None:
    record_id = select_first_record(qtbot, window)
    made = next(m for m in filled_store if m.record_id == record_id)
    form = open_form(qtbot, window, Mode.LIKE)
    assert form.case_edit.text() == made.case_id
    assert form.subject_id_edit.text() == "SUBJ-0001"
    organisation = editor(form, "Q4_recipient", "recipients", 0, "organisation")
    assert organisation.text() == made.organisation
    # Only those: the purpose is for this disclosure.
    assert editor(form, "Q2_purpose", "purpose_statement").text() == ""
    # Recent recipients are offered; choosing one adds it.
    assert form.recent_combo.count() > 1
    form.recent_combo.setCurrentIndex(1)
    form.recent_combo.activated.emit(1)
    assert len(editor(form, "Q4_recipient", "recipients").rows) == 2
    # Esc asks before throwing answers away; "keep" leaves the form open.
    form.confirm_discard = lambda: False
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert form.isVisible()
    form.confirm_discard = lambda: True
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=WAIT_MS)


def test_amend_saves_version_two_with_the_reason(qtbot: QtBot, window: MainWindow) -> None:
    record_id = select_first_record(qtbot, window)
    form = open_form(qtbot, window, Mode.AMEND)
    assert form.reason_edit.isVisibleTo(form), (form.mode, form.windowTitle())
    assert form.outcome_label.text().startswith("Share without consent")
    assert form.save_button.isEnabled()
    form.notes_edit.setFocus()
    qtbot.keyClick(form.notes_edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.notes_edit, " Parent informed later.")
    click(qtbot, form.save_button)
    assert "reason" in form.error_label.text()
    qtbot.keyClicks(form.reason_edit, "Added a note")
    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert document["id"] == record_id
    assert document["version"] == 2
    assert document["amend_reason"] == "Added a note"
    assert document["notes"].endswith("Parent informed later.")


def test_ctrl_n_opens_the_form_and_lock_closes_it(
    qtbot: QtBot, window: MainWindow, controller: AppController
) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    qtbot.keyClick(window.browser.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.record_form
    assert form is not None
    qtbot.waitUntil(lambda: form.is_ready, timeout=WAIT_MS)
    qtbot.keyClicks(form.case_edit, "CASE-X")
    controller.lock()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=WAIT_MS)
    assert not window.new_record_action.isEnabled()
    assert not window.amend_action.isEnabled()
