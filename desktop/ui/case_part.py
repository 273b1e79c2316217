"""The top of the record form: the case, the person, others named, and minimum necessary.

These are the record's own fields (brief §3a fields 4, 5 and 22), not checklist answers: the
form reads them with ``fields()`` and fills them from a stored record with ``set_from``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktop.domain.enums import SubjectRole
from desktop.ui.record_form_fields import (
    MISSING,
    DateTimeEditor,
    FieldEditor,
    ListEditor,
    field_spec,
    line_edit,
    value_label,
)
from desktop.ui.record_parts import other_individuals_spec
from desktop.ui.widgets import form_combo


class CasePart(QGroupBox):
    """Who the record is about, who else is named, and the minimum-necessary attestation."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Case and person"), parent)
        self.setObjectName("recordPart")
        self.case_edit = self._line("caseEdit", self.tr("Case number"))
        self.case_reference_edit = self._line("caseReference", self.tr("Case reference"))
        self.subject_id_edit = self._line("subjectIdEdit", self.tr("Person's ID"))
        self.subject_name_edit = self._line("subjectNameEdit", self.tr("Person's name"))
        self.subject_dob = DateTimeEditor(
            field_spec("date_of_birth", "date", self.tr("Date of birth"))
        )
        self.subject_dob.changed.connect(self.changed)
        self.subject_role = form_combo()
        self.subject_role.setObjectName("subjectRole")
        self.subject_role.setAccessibleName(self.tr("Person's role"))
        for role in SubjectRole:
            self.subject_role.addItem(value_label(role.value), role.value)
        self.subject_role.currentIndexChanged.connect(self.changed)
        self.others_editor = ListEditor(other_individuals_spec())
        self.others_editor.changed.connect(self.changed)
        self.attest_box = QCheckBox(self.tr("I share only the information that is necessary"))
        self.attest_box.setObjectName("minimumNecessary")
        self.attest_box.setAccessibleName(self.tr("Minimum necessary attestation"))
        self.attest_box.toggled.connect(self.changed)
        self.not_applicable_edit = self._line(
            "minimumNecessaryNotApplicable", self.tr("Why minimum necessary does not apply")
        )

        form = QFormLayout(self)
        for label, widget in (
            (self.tr("&Case number"), self.case_edit),
            (self.tr("Case r&eference (optional)"), self.case_reference_edit),
            (self.tr("Person's &ID"), self.subject_id_edit),
            (self.tr("Person's &name (optional)"), self.subject_name_edit),
            (self.tr("Date of birth (optional)"), self.subject_dob),
            (self.tr("Person's &role"), self.subject_role),
            (self.tr("Other people named (optional)"), self.others_editor),
        ):
            buddy = QLabel(label)
            buddy.setBuddy(widget.focus_target() if isinstance(widget, FieldEditor) else widget)
            form.addRow(buddy, widget)
        form.addRow(self.attest_box)
        reason_label = QLabel(self.tr("If not: &why minimum necessary does not apply (optional)"))
        reason_label.setWordWrap(True)
        reason_label.setBuddy(self.not_applicable_edit)
        form.addRow(reason_label, self.not_applicable_edit)
        # Only without the attestation is there a reason why it does not apply.
        self.attest_box.toggled.connect(
            lambda attested: form.setRowVisible(self.not_applicable_edit, not attested)
        )

    def _line(self, name: str, accessible: str) -> QLineEdit:
        edit = line_edit(name, accessible)
        edit.textChanged.connect(self.changed)
        return edit

    def words(self) -> dict[str, str]:
        """The record fields shown here, in words, for naming problems with them."""
        return {
            "case": self.tr("Case number"),
            "subject": self.tr("Person"),
            "other_individuals": self.others_editor.label,
            "minimum_necessary_not_applicable_reason": self.not_applicable_edit.accessibleName(),
        }

    def set_case_and_person(self, stored: dict[str, Any]) -> None:
        self.case_edit.setText(stored["case"]["case_id"])
        self.case_reference_edit.setText(stored["case"].get("reference") or "")
        subject = stored["subject"]
        self.subject_id_edit.setText(subject["subject_id"])
        self.subject_name_edit.setText(subject.get("name") or "")
        self.subject_dob.set_value(subject.get("date_of_birth"))
        self.subject_role.setCurrentIndex(max(self.subject_role.findData(subject["role"]), 0))

    def set_disclosure(self, stored: dict[str, Any]) -> None:
        """What belongs to this disclosure: others named, and minimum necessary."""
        self.others_editor.set_value(stored.get("other_individuals"))
        self.attest_box.setChecked(bool(stored.get("minimum_necessary_attestation")))
        reason = stored.get("minimum_necessary_not_applicable_reason")
        self.not_applicable_edit.setText(reason or "")

    def fields(self) -> dict[str, Any]:
        """The record fields shown here, as the record body has them."""
        subject: dict[str, Any] = {
            "subject_id": self.subject_id_edit.text().strip(),
            "role": self.subject_role.currentData(),
        }
        if self.subject_name_edit.text().strip():
            subject["name"] = self.subject_name_edit.text().strip()
        dob = self.subject_dob.value()
        if dob is not MISSING:
            subject["date_of_birth"] = dob
        case = {"case_id": self.case_edit.text().strip()}
        if self.case_reference_edit.text().strip():
            case["reference"] = self.case_reference_edit.text().strip()
        fields: dict[str, Any] = {
            "case": case,
            "subject": subject,
            "minimum_necessary_attestation": self.attest_box.isChecked(),
        }
        not_applicable = self.not_applicable_edit.text().strip()
        if not_applicable and not self.attest_box.isChecked():
            fields["minimum_necessary_not_applicable_reason"] = not_applicable
        others = self.others_editor.value()
        if others is not MISSING:
            fields["other_individuals"] = others
        return fields
