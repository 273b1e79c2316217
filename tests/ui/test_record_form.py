"""Recording a disclosure through the checklist form, as a practitioner does it.

The real Session and encrypted store run in the worker thread; the form evaluates the answers
live; saving goes through the worker. Toggles are pressed with the space bar, text is typed,
buttons are clicked.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.domain.enums import Jurisdiction, Regime
from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import load_policy
from desktop.resources import resource_path
from desktop.session import Session
from desktop.ui.controller import AppController
from desktop.ui.main_window import MainWindow
from desktop.ui.record_form import Mode, RecordForm
from desktop.ui.record_form_fields import (
    BoolEditor,
    ClaimEditor,
    EnumEditor,
    EnumListEditor,
    JudgementEditor,
    ListEditor,
    ObjectEditor,
    StringEditor,
    is_tab_stop,
)
from desktop.ui.record_parts import CAPACITY, CONSENT, EMERGENCY
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import uk_share_body
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
        Mode.ADVICE: window.mark_advice_action,
    }[mode]
    assert action.isEnabled()
    action.trigger()
    form = window.record_form
    assert form is not None
    qtbot.waitUntil(lambda: form.is_ready, timeout=WAIT_MS)
    form.confirm_discard = lambda: True
    return form


# -- driving the widgets -------------------------------------------------------------------
def field_of(current: Any, *path: str | int) -> Any:
    """The editor at ``path`` under a question, a part or an editor: names and row numbers."""
    for part in path:
        if isinstance(part, int):
            assert isinstance(current, ListEditor)
            current = current.rows[part]
        else:
            current = current.editors[part]
    return current


def editor(form: RecordForm, question: str, *path: str | int) -> Any:
    """A field of a question, or (``consent_details``…) of a part of the record."""
    return field_of(form.boxes[question] if question in form.boxes else form.parts[question], *path)


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
    qtbot.keyClicks(form.case_part.case_edit, "CASE-NEW-1")
    qtbot.keyClicks(form.case_part.subject_id_edit, "SUBJ-9")
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


def select_row(qtbot: QtBot, window: MainWindow, row: int) -> str:
    table = window.browser.table
    table.selectionModel().setCurrentIndex(
        window.browser.model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    record_id = window.browser.selected_record_id()
    assert record_id is not None
    qtbot.waitUntil(window.amend_action.isEnabled, timeout=WAIT_MS)
    return record_id


def select_first_record(qtbot: QtBot, window: MainWindow) -> str:
    return select_row(qtbot, window, 0)


def select_record(qtbot: QtBot, window: MainWindow, record_id: str) -> None:
    """Select the row of one record, once the table has it."""
    model = window.browser.model

    def row_of() -> int | None:
        for row in range(model.rowCount()):
            shown = model.row_at(row)
            if shown is not None and shown.record_id == record_id:
                return row
        return None

    qtbot.waitUntil(lambda: row_of() is not None, timeout=WAIT_MS)
    row = row_of()
    assert row is not None
    assert select_row(qtbot, window, row) == record_id


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
    assert form.case_part.case_edit.text() == "CASE-NEW-1"

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
    assert form.case_part.case_edit.text() == made.case_id
    assert form.case_part.subject_id_edit.text() == "SUBJ-0001"
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
    qtbot.keyClicks(form.case_part.case_edit, "CASE-X")
    controller.lock()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=WAIT_MS)
    assert not window.new_record_action.isEnabled()
    assert not window.amend_action.isEnabled()


# -- the record's own parts ----------------------------------------------------------------
def answer_consent(qtbot: QtBot, form: RecordForm) -> None:
    """A Gillick-competent child gives explicit written consent and is told before."""
    answer_basics(qtbot, form)
    choose(qtbot, editor(form, "Q9_who_consents", "capacity_test"), "GILLICK")
    tick(qtbot, editor(form, "Q10_seek_consent", "consent_sought"))
    choose(qtbot, editor(form, "Q10_seek_consent", "consent_result"), "GIVEN")
    check_item(qtbot, editor(form, "Q10_seek_consent", "consent_forms"), "EXPLICIT_WRITTEN")
    type_into(qtbot, editor(form, "Q10_seek_consent", "views"), "Wants the school nurse told.")
    choose(qtbot, editor(form, "Q14_inform", "status"), "BEFORE")


def test_consent_capacity_and_other_people_are_saved_and_come_back_to_amend(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    assert "Q1_jurisdiction" not in form.boxes  # England: the profile answers all of Q1
    for part in (CONSENT, CAPACITY, EMERGENCY):
        assert not form.parts[part].isVisibleTo(form), part
    answer_consent(qtbot, form)
    assert form.outcome_label.text().startswith("Share with consent")
    assert form.parts[CONSENT].isVisibleTo(form)
    assert form.parts[CAPACITY].isVisibleTo(form)  # Gillick: assessed, not presumed
    assert not form.parts[EMERGENCY].isVisibleTo(form)

    qtbot.keyClicks(form.case_part.case_reference_edit, "Early help 9/25")
    type_into(qtbot, editor(form, CONSENT, "relationship"), "Herself")
    type_into(qtbot, editor(form, CONSENT, "scope", "purpose"), "Support at school")
    type_into(qtbot, editor(form, CONSENT, "evidence_ref"), "Form EH-12")
    type_into(qtbot, editor(form, CAPACITY, "assessor"), "Sam Practitioner")
    others = form.case_part.others_editor
    click(qtbot, others.add_button)
    assert form.focusWidget() is others.rows[0].focus_target()  # the new entry, to type in
    type_into(qtbot, field_of(others, 0, "description"), "Mother's partner")
    tick(qtbot, field_of(others, 0, "identity_protection_needed"))
    type_into(qtbot, field_of(others, 0, "reason"), "Alleged to be violent")
    # Not attested: the reason it does not apply may be given; attesting hides it.
    part = form.case_part
    assert part.not_applicable_edit.isVisibleTo(form)
    part.attest_box.setFocus()
    qtbot.keyClick(part.attest_box, Qt.Key.Key_Space)
    assert not part.not_applicable_edit.isVisibleTo(form)
    qtbot.keyClick(part.attest_box, Qt.Key.Key_Space)
    assert part.not_applicable_edit.isVisibleTo(form)
    qtbot.keyClicks(
        form.case_part.not_applicable_edit, "She asked for her whole plan to be shared."
    )
    assert unnamed_controls(form) == [], unnamed_controls(form)

    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert document["status"] == "FINAL"
    assert document["case"] == {"case_id": "CASE-NEW-1", "reference": "Early help 9/25"}
    assert document["consent_details"] == {
        "relationship": "Herself",
        "scope": {"purpose": "Support at school"},
        "evidence_ref": "Form EH-12",
    }
    assert document["capacity_details"] == {"assessor": "Sam Practitioner"}
    assert "emergency_review" not in document
    assert document["other_individuals"] == [
        {
            "description": "Mother's partner",
            "identity_protection_needed": True,
            "reason": "Alleged to be violent",
        }
    ]
    assert document["minimum_necessary_not_applicable_reason"].startswith("She asked")

    select_record(qtbot, window, document["id"])
    amend = open_form(qtbot, window, Mode.AMEND)
    assert amend.case_part.case_reference_edit.text() == "Early help 9/25"
    assert editor(amend, CONSENT, "evidence_ref").text() == "Form EH-12"
    assert editor(amend, CONSENT, "scope", "purpose").text() == "Support at school"
    assert amend.parts[CAPACITY].isVisibleTo(amend)
    assert editor(amend, CAPACITY, "assessor").text() == "Sam Practitioner"
    assert amend.case_part.others_editor.value() == document["other_individuals"]
    assert amend.case_part.not_applicable_edit.text().startswith("She asked")


def test_tab_follows_the_reading_order_through_the_questions_and_parts(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    answer_consent(qtbot, form)
    click(qtbot, form.case_part.others_editor.add_button)
    page = form.scroll_area.widget()
    page.layout().activate()
    stops = [form.case_part.case_edit]
    current = form.case_part.case_edit.nextInFocusChain()
    while current is not form.case_part.case_edit:
        if is_tab_stop(current) and current.isVisibleTo(form) and page.isAncestorOf(current):
            stops.append(current)
        current = current.nextInFocusChain()
    names = [stop.objectName() for stop in stops]
    # Every part is reached, each right after the question it follows from.
    assert names.index("recentRecipients") < names.index("role_title")
    assert names.index("views") < names.index("given_by_name")
    assert names.index("decision_maker_role") < names.index("assessor")
    assert names.index("subjectRole") < names.index("description") < names.index("purpose_code")
    # Down the page, never back up (a Remove button ends its entry, top right of it).
    fields = [stop for stop in stops if not stop.objectName().endswith("_remove")]
    tops = [field.mapTo(page, QPoint(0, 0)).y() for field in fields]
    backwards = [
        (first.objectName(), second.objectName())
        for (first, top), (second, next_top) in itertools.pairwise(zip(fields, tops, strict=True))
        if next_top < top - 5
    ]
    assert backwards == []


def test_an_emergency_asks_who_reviews_it_afterwards(qtbot: QtBot, window: MainWindow) -> None:
    form = open_form(qtbot, window)
    answer_basics(qtbot, form)
    review = form.parts[EMERGENCY]
    assert not review.isVisibleTo(form)
    tick(qtbot, editor(form, "Q3_emergency", "immediate_risk"))
    assert review.isVisibleTo(form)
    type_into(qtbot, editor(form, "Q3_emergency", "nature_of_emergency"), "Threat to kill.")
    type_into(qtbot, editor(form, "Q3_emergency", "why_no_time"), "He is on his way.")
    type_into(qtbot, editor(form, EMERGENCY, "retrospective_review_by"), "Team manager")
    tick(qtbot, editor(form, "Q3_emergency", "immediate_risk"))
    assert not review.isVisibleTo(form)  # no emergency, no review
    tick(qtbot, editor(form, "Q3_emergency", "immediate_risk"))
    assert form.outcome_label.text().endswith("— Emergency")
    document = save(qtbot, window, form, lambda: click(qtbot, form.draft_button))
    assert document["emergency_review"] == {"retrospective_review_by": "Team manager"}


# -- the organisation's rule pack, and Q1 ----------------------------------------------------
@pytest.fixture
def organisation_pack(tmp_path: Path) -> dict[str, Any]:
    """A reworded copy of the England pack, named by the policy before the app starts."""
    pack = json.loads(resource_path("checklists", "UK-ENG.json").read_text(encoding="utf-8"))
    pack["id"], pack["version"] = "NORTHSHIRE-UK-ENG", "2.0.0"
    purpose = next(q for q in pack["questions"] if q["id"] == "Q2_purpose")
    purpose["title"] = "Why you are sharing (Northshire)"
    advice = next(v for v in pack["validations"] if v["id"] == "V9")
    advice["message"] = "Northshire: record the duty manager's advice."
    advice["what_to_do"] = "Ring the Northshire duty desk on 0100 000 000."
    path = tmp_path / "northshire-pack.json"
    path.write_text(json.dumps(pack), encoding="utf-8")
    policy = Path(os.environ["DISCLOSURE_LOG_POLICY"])
    policy.write_text(json.dumps({"rule_pack": str(path)}), encoding="utf-8")
    return pack


def test_the_organisations_rule_pack_drives_the_questions_the_preview_and_the_save(
    qtbot: QtBot,
    organisation_pack: dict[str, Any],
    controller: AppController,
    filled_store: list[Made],
) -> None:
    unlock(qtbot, controller)
    window = controller.window
    form = open_form(qtbot, window)
    assert form.boxes["Q2_purpose"].title() == "Why you are sharing (Northshire)"
    answer_override(qtbot, form)
    issues = form.issues_label.text()
    assert "Flag (V9): Northshire: record the duty manager's advice." in issues
    assert "What to do: Ring the Northshire duty desk on 0100 000 000." in issues
    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert document["rule_pack"] == {"id": "NORTHSHIRE-UK-ENG", "version": "2.0.0"}
    flags = {flag["id"]: flag["message"] for flag in document["decision"]["flags"]}
    assert flags["V9"] == "Northshire: record the duty manager's advice."


@pytest.fixture
def us_window(qtbot: QtBot, store_dir: Path) -> Any:
    """A store set up by a practitioner in the United States, unlocked."""
    us_profile = dataclasses.replace(PROFILE, jurisdiction=Jurisdiction.US, regimes=(Regime.HIPAA,))
    Session.create(store_dir, PASSPHRASE, us_profile, load_policy()).lock()
    app_controller = AppController(store_dir, load_policy())
    qtbot.addWidget(app_controller.window)
    unlock(qtbot, app_controller)
    yield app_controller.window
    app_controller.shutdown()


def test_a_us_practitioner_is_asked_the_state_and_it_is_saved(
    qtbot: QtBot, us_window: MainWindow
) -> None:
    form = open_form(qtbot, us_window)
    where = form.boxes["Q1_jurisdiction"]
    assert where.isVisibleTo(form)
    assert list(where.editors) == ["us_state"]  # jurisdiction and regimes: from the profile
    type_into(qtbot, editor(form, "Q1_jurisdiction", "us_state"), "TX")
    answer_basics(qtbot, form, legitimate="UNSURE")
    assert unnamed_controls(form) == [], unnamed_controls(form)
    document = save(
        qtbot,
        us_window,
        form,
        lambda: qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier),
    )
    checklist = document["checklist"]
    assert (checklist["jurisdiction"], checklist["regimes"]) == ("US", ["HIPAA"])
    assert checklist["answers"]["Q1_jurisdiction"] == {"us_state": "TX"}


# -- basis claims --------------------------------------------------------------------------
def shown_confirmations(form: RecordForm, claim: ClaimEditor) -> list[str]:
    """The confirmations the user sees for one claim."""
    attest = field_of(claim, "attest")
    if not attest.isVisibleTo(form):
        return []
    return [key for key, field in attest.editors.items() if field.isVisibleTo(form)]


def test_confirmations_are_asked_only_for_the_chosen_basis_code(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window)
    answer_override(qtbot, form)
    claims: ListEditor = editor(form, "Q11_override_basis", "claims")
    first = claims.rows[0]
    assert isinstance(first, ClaimEditor)
    assert shown_confirmations(form, first) == []  # 6(1)(e) needs none

    add_claim(qtbot, form, "UK-DPA-S1-P18")
    claim = claims.rows[-1]
    assert isinstance(claim, ClaimEditor)
    assert shown_confirmations(form, claim) == ["para18_reason"]
    reason = field_of(claim, "attest", "para18_reason")
    choose(qtbot, reason, "WOULD_PREJUDICE_PROTECTION")
    choose(qtbot, field_of(claim, "code"), "UK-GDPR-9-2-C")
    assert shown_confirmations(form, claim) == ["subject_incapable_of_consent"]
    assert "attest" not in claim.value()  # another code's confirmation is never sent
    choose(qtbot, field_of(claim, "code"), "UK-DPA-S1-P18")
    assert shown_confirmations(form, claim) == ["para18_reason"]

    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    saved = document["checklist"]["answers"]["Q11_override_basis"]["claims"]
    assert [(c["code"], c.get("attest") or {}) for c in saved] == [
        ("UK-GDPR-6-1-E", {}),
        ("UK-CL-PUBLIC-INTEREST", {}),
        ("UK-DPA-S1-P18", {"para18_reason": "WOULD_PREJUDICE_PROTECTION"}),
    ]


# -- mark advice received --------------------------------------------------------------------
def add_pending_record(qtbot: QtBot, window: MainWindow) -> str:
    """A referral saved while its purpose was in doubt: it waits for advice."""
    body = uk_share_body(status="PENDING_ADVICE")
    body["checklist"]["answers"]["Q2_purpose"]["legitimate"] = "UNSURE"
    record = validate_document(RecordBody, body)
    got: list[str] = []
    window.host.submit(lambda session: session.add_record(record).record_id, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    window.browser.reload()
    return got[0]


def test_mark_advice_received_turns_a_pending_record_into_a_final_version(
    qtbot: QtBot, window: MainWindow
) -> None:
    select_first_record(qtbot, window)
    assert not window.mark_advice_action.isEnabled()  # a final record waits for nothing
    record_id = add_pending_record(qtbot, window)
    select_record(qtbot, window, record_id)
    qtbot.waitUntil(window.mark_advice_action.isEnabled, timeout=WAIT_MS)

    form = open_form(qtbot, window, Mode.ADVICE)
    assert form.windowTitle() == "Mark advice received"
    assert form.reason_edit.text() == "Advice received"
    assert form.outcome_label.text() == "Seek advice first"
    # The form opens at the advice question, on a new consultation.
    advice = form.boxes["Q15_advice"]
    consultations: ListEditor = editor(form, "Q15_advice", "consultations")
    assert len(consultations.rows) == 2  # the DSL consulted before, and this one
    new = consultations.rows[-1]
    assert form.focusWidget() is new.focus_target()
    assert form.scroll_area.verticalScrollBar().value() > 0
    top = advice.mapTo(form.scroll_area.widget(), advice.rect().topLeft()).y()
    assert top >= form.scroll_area.verticalScrollBar().value()

    choose(qtbot, field_of(new, "role"), "SUPERVISOR")
    choose(qtbot, field_of(new, "timing"), "BEFORE")
    type_into(qtbot, field_of(new, "outcome"), "Refer now: it is a s.47 matter.")
    judge(qtbot, editor(form, "Q2_purpose", "legitimate"), "YES")
    assert form.outcome_label.text().startswith("Share without consent")
    document = save(qtbot, window, form, lambda: click(qtbot, form.save_button))
    assert (document["id"], document["version"]) == (record_id, 2)
    assert document["status"] == "FINAL"
    assert document["amend_reason"] == "Advice received"
    assert document["checklist"]["answers"]["Q15_advice"]["consultations"][-1] == {
        "role": "SUPERVISOR",
        "timing": "BEFORE",
        "outcome": "Refer now: it is a s.47 matter.",
    }
