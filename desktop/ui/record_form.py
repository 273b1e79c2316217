"""Record a disclosure: the checklist questions the procedure reaches, and the live outcome.

The form is driven by the rule pack: ``checklist.questions()`` gives every question with its
plain-language text, help and field specs, and ``record_form_fields.make_editor`` builds the
widgets. On every change the answers are evaluated on the GUI thread (the engine is pure and
takes about 0.1 ms): the questions shown are those the procedure reaches (Q2-Q4 and Q6 always,
Q5 and Q7-Q11 as far as the procedure gets, Q12-Q17 always as the record part), and the outcome
panel shows the outcome in words, the basis, and every block and flag with what to do. Q1 asks
only what the profile does not give (the US state); the record's own parts (``case_part``, and
the consent, capacity and emergency-review groups of ``record_parts``) show as the answers need.

The rule pack is the session's (the organisation's when its policy names one), fetched with the
record on the worker thread, so the preview shows what saving will decide. Saving goes through the
session worker (``SessionHost.submit``); the form stays open with its content when saving fails,
and the error is shown in the form.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.domain.checklist import RulePack, evaluate, questions
from desktop.domain.enums import Jurisdiction
from desktop.domain.errors import InvalidDocument
from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.ui.case_part import CasePart
from desktop.ui.record_form_fields import (
    MISSING,
    DateTimeEditor,
    FieldEditor,
    FieldGroup,
    ListEditor,
    field_spec,
    line_edit,
    previous_tab_stop,
    value_label,
)
from desktop.ui.record_parts import AFTER_QUESTION, needed_parts, part_groups
from desktop.ui.widgets import ErrorLabel, form_combo
from desktop.ui.wording import humanise_key, jurisdiction_label, regime_label
from desktop.ui.worker import SessionHost

#: Questions the outcome phase always reads, and the record part (contract §1, §4.2).
ALWAYS: Final = frozenset(
    {
        "Q1_jurisdiction",
        "Q2_purpose",
        "Q3_emergency",
        "Q4_recipient",
        "Q6_information_type",
        "Q12_minimum_necessary",
        "Q13_objections",
        "Q14_inform",
        "Q15_advice",
        "Q16_method",
        "Q17_record",
    }
)
#: Questions shown only when the procedure reaches them, in the procedure's order.
PROCEDURE: Final = (
    "Q5_identifiable",
    "Q7_compelled",
    "Q8_protection_concern",
    "Q9_who_consents",
    "Q10_seek_consent",
    "Q11_override_basis",
)
ORDER: Final = ("Q2_purpose", "Q3_emergency", "Q4_recipient", "Q5_identifiable")
#: Q1's fields the practitioner's profile (or the amended record) already answers.
FROM_PROFILE: Final = frozenset({"jurisdiction", "regimes"})


class Mode(Enum):
    NEW = "new"
    LIKE = "like"  # a new record like the selected one: same case, person and recipient
    AMEND = "amend"
    ADVICE = "advice"  # amend a record awaiting advice: the advice came back


def _question_of(field: str) -> str | None:
    parts = field.split(".")
    if "answers" in parts and parts.index("answers") + 1 < len(parts):
        return parts[parts.index("answers") + 1]
    return None


@dataclass(frozen=True)
class FormStart:
    """What the form needs from the session, read on the worker thread."""

    jurisdiction: str
    regimes: list[str]
    pack: RulePack
    questions: list[dict[str, Any]]
    recents: list[dict[str, Any]]
    stored: dict[str, Any] | None


class RecordForm(QDialog):
    """Record (or amend) one disclosure, guided by the checklist."""

    #: A version was saved: the record id.
    saved = Signal(str)
    #: Everything the form needed arrived and the questions are built.
    ready = Signal()

    def __init__(
        self,
        host: SessionHost,
        mode: Mode = Mode.NEW,
        record_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordForm")
        self.host = host
        self.mode = mode
        #: A new version of the record (with a reason) rather than a new record.
        self.amending = mode in (Mode.AMEND, Mode.ADVICE)
        self.record_id = record_id
        titles = {
            Mode.NEW: self.tr("New record"),
            Mode.LIKE: self.tr("New record like this one"),
            Mode.AMEND: self.tr("Amend record"),
            Mode.ADVICE: self.tr("Mark advice received"),
        }
        self.setWindowTitle(titles[mode])
        self.setAccessibleName(titles[mode])
        self.resize(1100, 760)
        #: Asked before Esc throws answers away; tests answer it directly (never a modal left).
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self.is_ready = False
        self.busy = False
        self.dirty = False
        self.saved_version: Any = None
        self.output: dict[str, Any] | None = None
        self.problems: list[dict[str, str]] = []
        self.visible_questions: set[str] = set(ALWAYS)
        self._sticky: set[str] = set()
        self._loading = True
        self._decision_at: str | None = None
        self.boxes: dict[str, FieldGroup] = {}
        self.parts: dict[str, FieldGroup] = {}
        #: Parts the stored record has: kept on screen (and saved) whatever the answers.
        self._kept_parts: set[str] = set()
        self.stored: dict[str, Any] | None = None

        self.loading_label = QLabel(self.tr("Loading the checklist…"))
        outer = QVBoxLayout(self)
        outer.addWidget(self.loading_label)
        self._outer = outer
        self.host.submit(self._load_job(), self._loaded, self._load_failed)

    # -- loading ----------------------------------------------------------------------------
    def _load_job(self) -> Callable[[Any], FormStart]:
        record_id = self.record_id
        amending = self.amending

        def load(session: Any) -> FormStart:
            stored = session.record(record_id) if record_id else None
            if stored is not None and amending:
                jurisdiction = stored["checklist"]["jurisdiction"]
                regimes = list(stored["checklist"]["regimes"])
            else:
                profile = session.profile()
                jurisdiction = profile.jurisdiction.value
                regimes = [regime.value for regime in profile.regimes]
            # The pack saving will use (Session.decide): the organisation's when it has one.
            pack = session.rule_pack(Jurisdiction(jurisdiction))
            return FormStart(
                jurisdiction=jurisdiction,
                regimes=regimes,
                pack=pack,
                questions=questions(jurisdiction, regimes, pack),
                recents=session.recent_recipients(10),
                stored=stored,
            )

        return load

    def _load_failed(self, error: Exception) -> None:
        self.loading_label.setText(
            self.tr("The form could not be opened: %1").replace("%1", str(error))
        )

    def _loaded(self, start: FormStart) -> None:
        if not isValid(self) or not self.isVisible():
            return
        self.stored = start.stored
        self.jurisdiction = start.jurisdiction
        self.regimes = start.regimes
        self.pack = start.pack
        self.question_specs = {q["id"]: q for q in start.questions}
        self.recents = start.recents
        self._build()
        if start.stored is not None:
            self._prefill(start.stored)
        advice_row = self._start_advice() if self.mode is Mode.ADVICE else None
        self._loading = False
        self.is_ready = True
        self.reevaluate()
        self.dirty = False
        if advice_row is None:
            self.case_part.case_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._column.activate()  # laid out now, so the scroll reaches the question
            self.scroll_area.ensureWidgetVisible(self.boxes["Q15_advice"])
            advice_row.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
        self.ready.emit()

    def _start_advice(self) -> FieldEditor:
        """Mark advice received: the reason is given, and a new entry waits in Q15 (advice)."""
        self.reason_edit.setText(self.tr("Advice received"))
        consultations = self.boxes["Q15_advice"].editors["consultations"]
        assert isinstance(consultations, ListEditor)
        return consultations.add_row()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.loading_label.hide()
        row = QHBoxLayout()
        self._outer.addLayout(row, 1)

        self.scroll_area = scroll = QScrollArea()
        scroll.setObjectName("recordFormScroll")
        scroll.setAccessibleName(self.tr("Questions"))
        scroll.setWidgetResizable(True)
        page = QWidget()
        self._column = column = QVBoxLayout(page)
        scroll.setWidget(page)
        row.addWidget(scroll, 2)

        where = QLabel(
            self.tr("Rules: %1 — %2")
            .replace("%1", jurisdiction_label(self.jurisdiction))
            .replace("%2", ", ".join(regime_label(r) for r in self.regimes))
        )
        where.setWordWrap(True)
        column.addWidget(where)
        where_box = self._build_where_question()
        if where_box is not None:
            column.addWidget(where_box)

        self.case_part = CasePart()
        self.case_part.changed.connect(self._changed)
        column.addWidget(self.case_part)
        self.parts = part_groups()
        for part in self.parts.values():
            part.changed.connect(self._changed)
        for question_id, spec in self.question_specs.items():
            if question_id == "Q1_jurisdiction":
                continue  # asked above, without what the profile gives
            box = FieldGroup(spec)
            box.changed.connect(self._changed)
            self.boxes[question_id] = box
            column.addWidget(box)
            if question_id == "Q4_recipient":
                self._add_recent_recipients(box)
            if question_id == "Q2_purpose":
                column.addWidget(self._build_request_part())
            if question_id in AFTER_QUESTION:
                column.addWidget(self.parts[AFTER_QUESTION[question_id]])
        column.addWidget(self._build_not_sharing_part())
        notes_box = QGroupBox(self.tr("Notes"))
        notes_layout = QVBoxLayout(notes_box)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setAccessibleName(self.tr("Notes"))
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(70)
        self.notes_edit.textChanged.connect(self._changed)
        notes_layout.addWidget(self.notes_edit)
        column.addWidget(notes_box)
        column.addStretch(1)

        panel = self._build_outcome_panel()
        row.addWidget(panel, 1)
        # The dialog is already on screen: a layout would show these only after the event loop
        # runs again, so a question shown by the first evaluation could still count as hidden.
        scroll.show()
        panel.show()

    def _build_where_question(self) -> FieldGroup | None:
        """Q1 without what the profile gives (jurisdiction, regimes): the US state, say."""
        spec = self.question_specs["Q1_jurisdiction"]
        fields = [f for f in spec["fields"] if f["name"] not in FROM_PROFILE]
        if not fields:
            return None
        text = self.tr(
            "Your profile gives the jurisdiction and the rules (above); answer the rest."
        )
        box = FieldGroup({**spec, "text": text, "help": None, "fields": fields})
        box.changed.connect(self._changed)
        self.boxes["Q1_jurisdiction"] = box
        return box

    def _line(self, name: str, accessible: str) -> QLineEdit:
        edit = line_edit(name, accessible)
        edit.textChanged.connect(self._changed)
        return edit

    def _build_request_part(self) -> QWidget:
        self.request_box = QGroupBox(self.tr("Who asked for the information"))
        self.request_box.setObjectName("requestPart")
        form = QFormLayout(self.request_box)
        self.requester_org_edit = self._line(
            "requesterOrganisation", self.tr("Requester's organisation")
        )
        self.requester_name_edit = self._line("requesterName", self.tr("Requester's name"))
        self.request_received = DateTimeEditor(
            field_spec("received_at", "datetime", self.tr("Request received"), required="always")
        )
        self.request_received.known.setChecked(True)
        self.request_received.changed.connect(self._changed)
        form.addRow(self.tr("Organisation"), self.requester_org_edit)
        form.addRow(self.tr("Name (optional)"), self.requester_name_edit)
        form.addRow(self.tr("Received"), self.request_received)
        self.request_box.hide()
        return self.request_box

    def _build_not_sharing_part(self) -> QWidget:
        self.not_sharing_box = QGroupBox(self.tr("Why you are not sharing"))
        self.not_sharing_box.setObjectName("notSharingPart")
        form = QFormLayout(self.not_sharing_box)
        self.not_sharing_edit = QPlainTextEdit()
        self.not_sharing_edit.setObjectName("notSharingReasons")
        self.not_sharing_edit.setAccessibleName(self.tr("Reasons for not sharing"))
        self.not_sharing_edit.setTabChangesFocus(True)
        self.not_sharing_edit.setFixedHeight(60)
        self.not_sharing_edit.textChanged.connect(self._changed)
        self.review_date = DateTimeEditor(field_spec("review_date", "date", self.tr("Review date")))
        self.review_date.changed.connect(self._changed)
        form.addRow(self.tr("Reasons"), self.not_sharing_edit)
        form.addRow(self.tr("Review date (optional)"), self.review_date)
        self.not_sharing_box.hide()
        return self.not_sharing_box

    def _add_recent_recipients(self, box: FieldGroup) -> None:
        self.recent_combo = form_combo()
        self.recent_combo.setObjectName("recentRecipients")
        self.recent_combo.setAccessibleName(self.tr("Recent recipients"))
        self.recent_combo.addItem(self.tr("— a recent recipient —"), None)
        for recipient in self.recents:
            words = f"{recipient.get('role_title', '')} — {recipient.get('organisation', '')}"
            if recipient.get("name"):
                words += f" ({recipient['name']})"
            self.recent_combo.addItem(words, recipient)
        self.recent_combo.setEnabled(bool(self.recents))
        self.recent_combo.activated.connect(self._recent_chosen)
        box.form.insertRow(0, self.tr("Recent recipients"), self.recent_combo)
        # Reading order: the combo comes before the recipient's fields.
        before = previous_tab_stop(box.editors["recipients"].focus_target())
        QWidget.setTabOrder(before, self.recent_combo)

    def _recent_chosen(self, index: int) -> None:
        recipient = self.recent_combo.itemData(index)
        if not recipient:
            return
        editor = self.boxes["Q4_recipient"].editors["recipients"]
        assert isinstance(editor, ListEditor)
        empty = [row for row in editor.rows if row.value() is MISSING]
        if empty:
            empty[0].set_value(recipient)
        else:
            editor.add_row(recipient)
        self.recent_combo.setCurrentIndex(0)

    def _build_outcome_panel(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("outcomePanel")
        layout = QVBoxLayout(panel)
        heading = QLabel(self.tr("Outcome so far"))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.outcome_label = QLabel()
        self.outcome_label.setObjectName("outcomeLabel")
        self.outcome_label.setWordWrap(True)
        big = self.outcome_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.outcome_label.setFont(big)
        layout.addWidget(self.outcome_label)
        self.basis_label = QLabel()
        self.basis_label.setObjectName("basisLabel")
        self.basis_label.setWordWrap(True)
        layout.addWidget(self.basis_label)
        self.issues_label = QLabel()
        self.issues_label.setObjectName("issuesLabel")
        self.issues_label.setWordWrap(True)
        self.issues_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.issues_label)
        self.error_label = ErrorLabel("recordFormErrors")
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.already_happened = QCheckBox(self.tr("This disclosure has already happened"))
        self.already_happened.setObjectName("alreadyHappened")
        self.already_happened.setAccessibleName(self.tr("This disclosure has already happened"))
        self.already_happened.toggled.connect(self._changed)
        self.already_label = QLabel(
            self.tr(
                "It will be saved as shared without an established basis and flagged for"
                " escalation to your supervisor."
            )
        )
        self.already_label.setWordWrap(True)
        layout.addWidget(self.already_happened)
        layout.addWidget(self.already_label)

        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("amendReason")
        self.reason_edit.setAccessibleName(self.tr("Reason for the amendment"))
        self.reason_edit.textChanged.connect(self._changed)
        reason_label = QLabel(self.tr("Reason for the &amendment"))
        reason_label.setBuddy(self.reason_edit)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_edit)
        reason_label.setVisible(self.amending)
        self.reason_edit.setVisible(self.amending)

        # Two columns, so the panel stays narrow and the questions get the width.
        buttons = QGridLayout()
        self.draft_button = QPushButton(self.tr("Save as &draft"))
        self.draft_button.setObjectName("saveDraft")
        self.draft_button.setAccessibleName(self.tr("Save as draft"))
        self.draft_button.clicked.connect(lambda: self.save("DRAFT"))
        self.pending_button = QPushButton(self.tr("Save as &pending advice"))
        self.pending_button.setObjectName("savePending")
        self.pending_button.setAccessibleName(self.tr("Save as pending advice"))
        self.pending_button.clicked.connect(lambda: self.save("PENDING_ADVICE"))
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setObjectName("saveFinal")
        self.save_button.setAccessibleName(self.tr("Save"))
        self.save_button.clicked.connect(self._save_final)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelRecord")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        order = (self.save_button, self.draft_button, self.pending_button, self.cancel_button)
        for index, button in enumerate(order):
            button.setAutoDefault(False)
            buttons.addWidget(button, index // 2, index % 2)
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)  # reading order: row by row
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_default)
        return panel

    # -- prefilling -------------------------------------------------------------------------
    def _prefill(self, stored: dict[str, Any]) -> None:
        self.case_part.set_case_and_person(stored)
        answers = stored["checklist"]["answers"]
        if self.mode is Mode.LIKE:
            # The same case, person and recipient, and where the practitioner works.
            for question_id in ("Q1_jurisdiction", "Q4_recipient"):
                if question_id in self.boxes:
                    self.boxes[question_id].set_value(answers.get(question_id))
            return
        for question_id, box in self.boxes.items():
            box.set_value(answers.get(question_id))
        self._sticky = {q for q in PROCEDURE if q in answers}
        self._decision_at = stored.get("decision_at")
        self.notes_edit.setPlainText(stored.get("notes") or "")
        self.case_part.set_disclosure(stored)
        self._kept_parts = {key for key in self.parts if stored.get(key)}
        for key, part in self.parts.items():
            part.set_value(stored.get(key))
        request = stored.get("request") or {}
        self.requester_org_edit.setText(request.get("requester_organisation") or "")
        self.requester_name_edit.setText(request.get("requester_name") or "")
        if request.get("received_at"):
            self.request_received.set_value(request["received_at"])
        not_sharing = stored.get("not_sharing") or {}
        self.not_sharing_edit.setPlainText(not_sharing.get("reasoning_narrative") or "")
        self.review_date.set_value(not_sharing.get("review_date"))
        if stored.get("status") == "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS":
            self.already_happened.setChecked(True)

    # -- evaluating -------------------------------------------------------------------------
    def _changed(self) -> None:
        if self._loading:
            return
        self.dirty = True
        self.reevaluate()

    def checklist_document(self, shown: set[str] | None = None) -> dict[str, Any]:
        shown = self.visible_questions if shown is None else shown
        answers = {}
        for question_id, box in self.boxes.items():
            if question_id in shown:
                value = box.value()
                if value is not MISSING:
                    answers[question_id] = value
        return {"jurisdiction": self.jurisdiction, "regimes": self.regimes, "answers": answers}

    def _walk(self) -> tuple[set[str], dict[str, Any] | None, list[dict[str, str]]]:
        """The questions the procedure reaches, its output, or what is missing to go on."""
        shown = set(ALWAYS) | self._sticky
        for _ in range(len(PROCEDURE) + 2):
            try:
                output = evaluate(self.checklist_document(shown), self.pack)
            except InvalidDocument as exc:
                named = {_question_of(d["field"]) for d in exc.details}
                added = {q for q in named if q in PROCEDURE and q not in shown}
                if added:
                    shown |= added
                    continue
                self._sticky = shown - ALWAYS
                return shown, None, exc.details
            decided = output["decided_at"]
            reached: set[str] = set()
            if decided not in ORDER[:3]:
                for question_id in PROCEDURE:
                    reached.add(question_id)
                    if question_id == decided:
                        break
            q7 = self.boxes["Q7_compelled"].value()
            if isinstance(q7, dict) and q7.get("instrument_type") == "POLICE_REQUEST_NO_ORDER":
                reached -= {"Q8_protection_concern", "Q9_who_consents", "Q10_seek_consent"}
            self._sticky = reached
            return set(ALWAYS) | reached, output, []
        return shown, None, []

    def reevaluate(self) -> None:
        shown, output, problems = self._walk()
        self.visible_questions = shown
        self.output = output
        self.problems = problems
        for question_id, box in self.boxes.items():
            box.setVisible(question_id in shown)
        self._show_problems(problems)
        self._show_outcome()

    def _field_words(self, field: str) -> str:
        """A problem's field path in the form's own words."""
        parts = [p for p in field.split(".") if not p.isdigit()]
        question_id = _question_of(field)
        if question_id and question_id in self.question_specs:
            spec = self.question_specs[question_id]
            words = [spec["title"]]
            fields = spec["fields"]
            for part in parts[parts.index(question_id) + 1 :]:
                match = next((f for f in fields if f["name"] == part), None)
                if match is None:
                    break
                words.append(match["label"])
                fields = match["fields"]
            return " — ".join(words)
        record_words = {
            **self.case_part.words(),
            **{key: part.title() for key, part in self.parts.items()},
            "not_sharing": self.tr("Why you are not sharing"),
            "request": self.tr("Who asked for the information"),
            "status": self.tr("Status"),
            "notes": self.tr("Notes"),
        }
        return record_words.get(parts[0], humanise_key(parts[-1])) if parts else field

    def _show_problems(self, problems: list[dict[str, str]]) -> None:
        by_question: dict[str, list[str]] = {}
        for problem in problems:
            question_id = _question_of(problem["field"])
            if question_id in self.boxes:
                by_question.setdefault(question_id, []).append(
                    f"{self._field_words(problem['field'])}: {problem['message']}"
                )
        for question_id, box in self.boxes.items():
            if question_id in by_question:
                box.error_label.show_message("\n".join(by_question[question_id]))
            else:
                box.error_label.clear_message()

    def _show_outcome(self) -> None:
        output = self.output
        outcome = None if output is None else output["outcome"]
        words = {
            "SHARE_WITH_CONSENT": self.tr("Share with consent"),
            "SHARE_WITHOUT_CONSENT": self.tr("Share without consent (state the basis)"),
            "DO_NOT_SHARE": self.tr("Do not share (state the reasons)"),
            "SEEK_ADVICE": self.tr("Seek advice first"),
            "SHARE_ANONYMISED": self.tr("Shared anonymised"),
        }
        if output is None:
            self.outcome_label.setText(self.tr("Not decided yet: answer the questions marked"))
            self.basis_label.setText(
                "\n".join(
                    f"• {self._field_words(p['field'])}: {p['message']}" for p in self.problems
                )
            )
            self.issues_label.clear()
        else:
            text = words.get(outcome or "", outcome or "")
            if output.get("subtype"):
                text += " — " + value_label(output["subtype"])
            if output["reason_codes"]:
                text += " — " + ", ".join(value_label(r) for r in output["reason_codes"])
            self.outcome_label.setText(text)
            labels = {code.code: code.label for code in self.pack.basis_codes}
            basis = [
                f"{labels[code]} ({code})" if code in labels else code
                for code in output["basis_codes"]
            ]
            self.basis_label.setText(
                self.tr("Basis: %1").replace("%1", "; ".join(basis))
                if basis
                else self.tr("Basis: none")
            )
            lines = []
            validations = self.pack.validation_by_id
            for kind, key in ((self.tr("Blocked"), "blocks"), (self.tr("Flag"), "flags")):
                for issue in output[key]:
                    what = validations[issue["id"]].what_to_do
                    lines.append(
                        f"{kind} ({issue['id']}): {issue['message']}\n"
                        + self.tr("What to do: %1").replace("%1", what)
                    )
            self.issues_label.setText(
                "\n\n".join(lines) if lines else self.tr("No blocks or flags.")
            )
        self.outcome_label.setAccessibleName(self.outcome_label.text())
        self.basis_label.setAccessibleName(self.basis_label.text())
        self.issues_label.setAccessibleName(self.issues_label.text())

        origin = self.boxes["Q2_purpose"].editors["origin"].value()
        self.request_box.setVisible(origin == "REQUEST")
        self.not_sharing_box.setVisible(outcome == "DO_NOT_SHARE")
        needed = needed_parts(self.checklist_document()["answers"], outcome) | self._kept_parts
        for key, part in self.parts.items():
            part.setVisible(key in needed)
        blocked = bool(output and output["blocks"])
        self.already_happened.setVisible(blocked)
        self.already_label.setVisible(blocked and self.already_happened.isChecked())
        self._update_buttons()

    def final_status(self) -> str | None:
        """The status "Save" would give, or None when only a draft can be saved."""
        output = self.output
        if output is None or output["outcome"] == "SEEK_ADVICE":
            return None
        if not output["blocks"]:
            return "FINAL"
        if self.already_happened.isChecked():
            return "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"
        return None

    def _update_buttons(self) -> None:
        status = self.final_status()
        idle = self.is_ready and not self.busy
        self.save_button.setEnabled(idle and status is not None)
        if status == "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS":
            self.save_button.setText(self.tr("&Save as shared without a basis"))
        else:
            self.save_button.setText(self.tr("&Save"))
        self.save_button.setAccessibleName(self.save_button.text().replace("&", ""))
        seek = self.output is not None and self.output["outcome"] == "SEEK_ADVICE"
        self.pending_button.setVisible(seek)
        self.pending_button.setEnabled(idle and seek)
        self.draft_button.setEnabled(idle)

    # -- saving -----------------------------------------------------------------------------
    def _save_final(self) -> None:
        status = self.final_status()
        if status is not None:
            self.save(status)

    def save_default(self) -> None:
        """Ctrl+S: the final save when allowed, else pending advice, else say why not."""
        if self.save_button.isEnabled():
            self.save_button.click()
        elif self.pending_button.isEnabled():
            self.pending_button.click()
        elif self.is_ready and not self.busy:
            self.error_label.show_message(
                self.tr(
                    "This record cannot be saved as final yet: see the outcome panel. You can"
                    " save it as a draft."
                )
            )

    def body_document(self, status: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": status,
            **self.case_part.fields(),
            "checklist": self.checklist_document(),
            "decision_at": self._decision_at or datetime.now(UTC).isoformat(timespec="seconds"),
            "notes": self.notes_edit.toPlainText().strip(),
        }
        for key, part in self.parts.items():
            value = part.value()
            if part.isVisibleTo(self) and value is not MISSING:
                body[key] = value
        if self.request_box.isVisibleTo(self):
            request: dict[str, Any] = {
                "requester_organisation": self.requester_org_edit.text().strip(),
                "received_at": self.request_received.value(),
            }
            if self.requester_name_edit.text().strip():
                request["requester_name"] = self.requester_name_edit.text().strip()
            body["request"] = request
        if self.not_sharing_box.isVisibleTo(self):
            not_sharing: dict[str, Any] = {
                "reasoning_narrative": self.not_sharing_edit.toPlainText().strip()
            }
            review = self.review_date.value()
            if review is not MISSING:
                not_sharing["review_date"] = review
            body["not_sharing"] = not_sharing
        return body

    def save(self, status: str) -> None:
        if not self.is_ready or self.busy:
            return
        self.error_label.clear_message()
        reason = self.reason_edit.text().strip()
        if self.amending and not reason:
            self.error_label.show_message(self.tr("Give a reason for the amendment."))
            self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        try:
            body = validate_document(RecordBody, self.body_document(status))
        except InvalidDocument as exc:
            self._save_failed(exc)
            return
        record_id = self.record_id if self.amending else None
        if record_id is not None:

            def job(session: Any) -> Any:
                return session.amend_record(record_id, body, reason)
        else:

            def job(session: Any) -> Any:
                return session.add_record(body)

        self.busy = True
        self._update_buttons()
        self.host.submit(job, self._saved, self._save_failed)

    def _saved(self, saved: Any) -> None:
        if not isValid(self):  # closed by a lock while the save ran; the record is saved
            return
        self.busy = False
        self.saved_version = saved
        self.dirty = False
        self.saved.emit(saved.record_id)
        self.accept()

    def _save_failed(self, error: Exception) -> None:
        if not isValid(self):
            return
        self.busy = False
        self._update_buttons()
        if isinstance(error, InvalidDocument):
            lines = [f"• {self._field_words(d['field'])}: {d['message']}" for d in error.details]
            self._show_problems(error.details)
            text = self.tr("Not saved:") + "\n" + "\n".join(lines)
        else:
            text = self.tr("Not saved: %1").replace("%1", str(error))
        self.error_label.show_message(text)

    # -- closing ----------------------------------------------------------------------------
    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Discard this record?"),
            self.tr("Your answers have not been saved. Close the form and discard them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def cancel(self) -> None:
        """Esc, Cancel or the window's close button: ask first if there are unsaved answers."""
        if self.busy:
            return
        if self.dirty and not self.confirm_discard():
            return
        self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and self.dirty and not self.confirm_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:
        """Close without asking: what locking the app does (no case data stays on screen)."""
        self.dirty = False
        super().reject()

    def discard(self) -> None:
        """Close without asking (the app is locking: no case data stays on screen)."""
        self.busy = False
        self.reject()
