"""Editors for the rule pack's field specs: one generic factory, no hand-written question.

``make_editor(spec)`` turns a field spec from ``checklist.questions()`` (name, type, required,
label, help, allowed values, sub-fields) into a widget with ``value()`` / ``set_value()`` and a
``changed`` signal. ``value()`` returns ``MISSING`` when the field is left unanswered, so the form
sends only what the user answered and the engine's defaults and required-field rules apply.
``FieldGroup`` puts the editors of one question (or of one part of the record, from specs the
form writes with ``field_spec``) under a title.
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    Qt,
    QTimeZone,
    Signal,
    SignalInstance,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.checklist_input import ATTEST_KEY_CODES
from desktop.ui.widgets import DateEdit, DateTimeEdit, ErrorLabel, form_combo
from desktop.ui.wording import humanise_key


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

#: Sensible defaults (issue 4): a proactive share, no emergency, nothing compelled, and the
#: presumption of capacity (contract §2.3 Q9: presumed capacity is HAS_CAPACITY with NOT_NEEDED).
DEFAULTS: Final[dict[str, Any]] = {
    "origin": "PROACTIVE",
    "instrument_type": "NONE",
    "capacity_test": "NOT_NEEDED",
    "capacity_outcome": "HAS_CAPACITY",
    "decision_maker_role": "SUBJECT",
    "kind": "OTHER",
    "withdrawal_covers_scope": True,
}
#: Datetimes that default to now: when it was shared and when it was recorded.
NOW_FIELDS: Final = frozenset({"disclosure_at", "record_created_at"})
#: Strings that hold a sentence or more get a multi-line editor.
LONG_TEXT: Final = frozenset(
    {
        "purpose_statement",
        "nature_of_emergency",
        "why_no_time",
        "views",
        "risk_description",
        "necessity_and_proportionality",
        "narrative",
        "verbal_summary",
        "reidentification_assessment",
        "notes",
    }
)


def value_label(value: str) -> str:
    """An enum value in words: ``SAFEGUARDING_CHILD`` → "Safeguarding child"; codes stay as is."""
    if "-" in value or "." in value:
        return value
    return humanise_key(value.lower())


def is_required(spec: dict[str, Any]) -> bool:
    return spec["required"] in ("always", "if_reached")


def field_spec(
    name: str,
    kind: str,
    label: str,
    help_text: str | None = None,
    *,
    fields: list[dict[str, Any]] | None = None,
    required: str = "optional",
) -> dict[str, Any]:
    """A field spec written by the form itself, shaped like those the rule pack gives."""
    return {
        "name": name,
        "type": kind,
        "label": label,
        "required": required,
        "help": help_text,
        "allowed": [],
        "fields": fields or [],
    }


class FieldEditor(QWidget):
    """One field of an answer: ``value()`` is JSON-ready, or ``MISSING``."""

    changed = Signal()

    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.name: str = spec["name"]
        self.label: str = spec["label"] or humanise_key(self.name)
        self.setObjectName(f"field_{self.name}")
        self.setAccessibleName(self.label)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        if spec.get("help"):
            self.setToolTip(spec["help"])

    def focus_target(self) -> QWidget:
        """The first control of the editor: the one its label points to."""
        for child in self.findChildren(QWidget):
            if child.focusPolicy() & Qt.FocusPolicy.TabFocus:
                return child
        return self

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def _name(self, widget: QWidget, suffix: str = "") -> None:
        widget.setAccessibleName(f"{self.label} {suffix}".strip())
        widget.setObjectName(f"{self.name}{('_' + suffix) if suffix else ''}")
        for inner in widget.findChildren(QLineEdit):  # a spin box's or date edit's own field
            inner.setAccessibleName(widget.accessibleName())


class BoolEditor(FieldEditor):
    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox(self.tr("Yes"))
        self._name(self.box)
        self.box.setChecked(bool(DEFAULTS.get(self.name, False)))
        self.box.toggled.connect(self.changed)
        self.layout_.addWidget(self.box)
        self.layout_.addStretch(1)

    def value(self) -> Any:
        if not self.box.isChecked() and not is_required(self.spec):
            # An optional flag left unticked takes the contract's default.
            return MISSING if self.name not in DEFAULTS else False
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))


class JudgementEditor(FieldEditor):
    """A professional judgement: Yes / No / Not sure, none chosen until the user decides."""

    WORDS: Final = {"YES": "Yes", "NO": "No", "UNSURE": "Not sure"}

    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for code in spec["allowed"] or list(self.WORDS):
            words = {"YES": self.tr("Yes"), "NO": self.tr("No"), "UNSURE": self.tr("Not sure")}
            button = QRadioButton(words.get(code, value_label(code)))
            self._name(button, words.get(code, code))
            self.group.addButton(button)
            self.buttons[code] = button
            self.layout_.addWidget(button)
            button.toggled.connect(self._toggled)
        self.layout_.addStretch(1)

    def _toggled(self, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> Any:
        for code, button in self.buttons.items():
            if button.isChecked():
                return code
        return MISSING

    def set_value(self, value: Any) -> None:
        button = self.buttons.get(str(value))
        if button is not None:
            button.setChecked(True)


class EnumEditor(FieldEditor):
    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = form_combo()
        self._name(self.combo)
        self.combo.addItem(self.tr("— choose —"), None)
        for code in spec["allowed"]:
            self.combo.addItem(value_label(code), code)
        self.set_value(DEFAULTS.get(self.name))
        self.combo.currentIndexChanged.connect(self.changed)
        self.layout_.addWidget(self.combo, 1)

    def value(self) -> Any:
        data = self.combo.currentData()
        return MISSING if data is None else data

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if value is not None else 0
        self.combo.setCurrentIndex(max(index, 0))


class EnumListEditor(FieldEditor):
    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.list = QListWidget()
        self._name(self.list)
        for code in spec["allowed"]:
            item = QListWidgetItem(value_label(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        rows = min(len(spec["allowed"]), 5)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 8 if rows else 30)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.layout_.addWidget(self.list, 1)

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def value(self) -> Any:
        chosen = [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self.items()
            if item.checkState() == Qt.CheckState.Checked
        ]
        return chosen if chosen or is_required(self.spec) else MISSING

    def set_value(self, value: Any) -> None:
        wanted = set(value or [])
        for item in self.items():
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def check(self, code: str) -> None:
        for item in self.items():
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked)


class StringEditor(FieldEditor):
    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.long = self.name in LONG_TEXT
        self.edit: QLineEdit | QPlainTextEdit
        if self.long:
            self.edit = QPlainTextEdit()
            self.edit.setTabChangesFocus(True)
            self.edit.setFixedHeight(54)
            self.edit.textChanged.connect(self.changed)
        else:
            self.edit = QLineEdit()
            self.edit.textChanged.connect(lambda _text: self.changed.emit())
        self._name(self.edit)
        self.layout_.addWidget(self.edit, 1)

    def text(self) -> str:
        edit = self.edit
        return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()

    def value(self) -> Any:
        text = self.text().strip()
        return text if text else MISSING

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if isinstance(self.edit, QPlainTextEdit):
            self.edit.setPlainText(text)
        else:
            self.edit.setText(text)


class IntEditor(FieldEditor):
    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = QSpinBox()
        self._name(self.spin)
        self.spin.setRange(-1, 130)
        self.spin.setSpecialValueText(self.tr("Not known"))
        self.spin.setValue(-1)
        self.spin.valueChanged.connect(lambda _value: self.changed.emit())
        self.layout_.addWidget(self.spin)
        self.layout_.addStretch(1)

    def value(self) -> Any:
        return MISSING if self.spin.value() < 0 else self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(-1 if value is None else int(value))


class DateTimeEditor(FieldEditor):
    """A date and time with its offset from UTC; a tick box says whether it is known."""

    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.date_only = spec["type"] == "date"
        self.known = QCheckBox(self.tr("Known"))
        self._name(self.known, self.tr("known"))
        self.edit: QDateTimeEdit
        if self.date_only:
            self.edit = DateEdit()
            self.edit.setDisplayFormat("yyyy-MM-dd")
        else:
            self.edit = DateTimeEdit(QDateTime.currentDateTime())
            self.edit.setDisplayFormat("yyyy-MM-dd HH:mm t")
        self.edit.setCalendarPopup(True)
        self._name(self.edit)
        self.known.setChecked(self.name in NOW_FIELDS)
        self.edit.setEnabled(self.known.isChecked())
        self.known.toggled.connect(self.edit.setEnabled)
        self.known.toggled.connect(self.changed)
        self.edit.dateTimeChanged.connect(lambda _value: self.changed.emit())
        self.layout_.addWidget(self.known)
        self.layout_.addWidget(self.edit, 1)

    def value(self) -> Any:
        if not self.known.isChecked():
            return MISSING
        if self.date_only:
            return self.edit.date().toString("yyyy-MM-dd")
        moment = self.edit.dateTime()
        return moment.toOffsetFromUtc(moment.offsetFromUtc()).toString(Qt.DateFormat.ISODate)

    def set_value(self, value: Any) -> None:
        if not value:
            self.known.setChecked(False)
            return
        self.known.setChecked(True)
        if self.date_only:
            self.edit.setDate(QDate.fromString(str(value)[:10], "yyyy-MM-dd"))
            return
        moment = QDateTime.fromString(str(value).replace("Z", "+00:00"), Qt.DateFormat.ISODate)
        if moment.isValid():
            self.edit.setDateTime(moment.toTimeZone(QTimeZone.systemTimeZone()))


class ObjectEditor(FieldEditor):
    """Sub-fields in a form; the value omits what is unanswered (``MISSING`` when empty)."""

    def __init__(
        self, spec: dict[str, Any], parent: QWidget | None = None, framed: bool = True
    ) -> None:
        super().__init__(spec, parent)
        holder = QFrame() if framed else QWidget()
        if isinstance(holder, QFrame):
            holder.setFrameShape(QFrame.Shape.StyledPanel)
        self.form = QFormLayout(holder)
        self.editors = add_field_rows(self.form, spec["fields"], self.changed)
        self.layout_.addWidget(holder, 1)

    def value(self) -> Any:
        return answered(self.editors)

    def set_value(self, value: Any) -> None:
        fill(self.editors, value)

    def clear_all(self) -> None:
        for editor in self.editors.values():
            editor.set_value(None)


class ClaimEditor(ObjectEditor):
    """A basis claim: only the confirmations its chosen code needs are asked (contract §2.2).

    Each ``attest`` key belongs to one code; confirmations for another code would make the
    claim invalid, so they are hidden and left out of the value when another code is chosen.
    """

    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.editors["code"].changed.connect(self._show_attests)
        self._show_attests()

    def _attest(self) -> ObjectEditor:
        attest = self.editors["attest"]
        assert isinstance(attest, ObjectEditor)
        return attest

    def _needed_keys(self) -> list[str]:
        code = self.editors["code"].value()
        return [key for key in self._attest().editors if ATTEST_KEY_CODES.get(key) == code]

    def _show_attests(self) -> None:
        attest = self._attest()
        needed = self._needed_keys()
        for key, editor in attest.editors.items():
            attest.form.setRowVisible(editor, key in needed)
        self.form.setRowVisible(attest, bool(needed))

    def value(self) -> Any:
        value = super().value()
        if value is MISSING or "attest" not in value:
            return value
        shown = self._needed_keys()
        attest = {key: answer for key, answer in value["attest"].items() if key in shown}
        if attest:
            value["attest"] = attest
        else:
            del value["attest"]
        return value


class ListEditor(FieldEditor):
    """Repeatable row groups (recipients, items, claims, objections, consultations)."""

    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.rows: list[ObjectEditor] = []
        column = QVBoxLayout()
        self.rows_box = QVBoxLayout()
        column.addLayout(self.rows_box)
        self.layout_.addLayout(column, 1)
        self.add_button = QPushButton(self.tr("Add %1").replace("%1", self.label.lower()))
        self._name(self.add_button, self.tr("add"))
        self.add_button.setAccessibleName(self.tr("Add to %1").replace("%1", self.label))
        self.add_button.clicked.connect(self._add_clicked)
        if spec["required"] == "always":
            self.add_row()
        # Laid out after the first row, so Tab reaches that row before the button.
        column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _add_clicked(self) -> None:
        row = self.add_row()
        row.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def add_row(self, value: Any = None) -> ObjectEditor:
        row = object_editor({**self.spec, "type": "object"})
        row.setAccessibleName(
            self.tr("%1, entry %2").replace("%1", self.label).replace("%2", str(len(self.rows) + 1))
        )
        remove = QPushButton(self.tr("Remove"))
        remove.setObjectName(f"{self.name}_remove")
        remove.setAccessibleName(
            self.tr("Remove %1 entry %2")
            .replace("%1", self.label)
            .replace("%2", str(len(self.rows) + 1))
        )
        row.layout_.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        remove.clicked.connect(lambda: self.remove_row(row))
        row.changed.connect(self.changed)
        if value:
            row.set_value(value)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        row.show()  # now, not when the event loop next runs: the new row can take the focus
        self._tab_before_add_button(row)
        self.changed.emit()
        return row

    def _tab_before_add_button(self, row: ObjectEditor) -> None:
        """A row added on screen joins the window's tab order at the end; Tab should reach it
        where it is read, between what comes before the Add button and the button."""
        if self.add_button.parentWidget() is None:
            return  # the first row, while the editor is built: the button is laid out after it
        before = previous_tab_stop(self.add_button, skip=row)
        chain = [*tab_stops(row), self.add_button]
        if before is not self.add_button:
            chain.insert(0, before)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def remove_row(self, row: ObjectEditor) -> None:
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self.changed.emit()

    def value(self) -> Any:
        values = [value for value in (row.value() for row in self.rows) if value is not MISSING]
        return values if values or is_required(self.spec) else MISSING

    def set_value(self, value: Any) -> None:
        for row in list(self.rows):
            self.remove_row(row)
        for entry in value or []:
            self.add_row(entry)
        if not self.rows and self.spec["required"] == "always":
            self.add_row()


def make_editor(spec: dict[str, Any]) -> FieldEditor:
    """The editor for one pack field spec, chosen by its type."""
    kind = spec["type"]
    if kind == "bool":
        return BoolEditor(spec)
    if kind == "judgement":
        return JudgementEditor(spec)
    if kind == "enum":
        return EnumEditor(spec)
    if kind == "list<enum>":
        return EnumListEditor(spec)
    if kind == "int":
        return IntEditor(spec)
    if kind in ("datetime", "date"):
        return DateTimeEditor(spec)
    if kind == "object":
        return object_editor(spec)
    if kind == "list<object>":
        return ListEditor(spec)
    return StringEditor(spec)


def line_edit(name: str, accessible: str) -> QLineEdit:
    """A one-line text field the form writes itself, named for tests and screen readers."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    return edit


def is_tab_stop(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None


def tab_stops(widget: QWidget) -> list[QWidget]:
    """The controls inside ``widget`` that Tab stops at, in their focus order."""
    stops = []
    current = widget.nextInFocusChain()
    while current is not None and widget.isAncestorOf(current):
        if is_tab_stop(current):
            stops.append(current)
        current = current.nextInFocusChain()
    return stops


def previous_tab_stop(widget: QWidget, skip: QWidget | None = None) -> QWidget:
    """The Tab stop before ``widget``, leaving out those inside ``skip``; ``widget`` itself
    when there is none."""
    before = widget.previousInFocusChain()
    while (
        before is not None
        and before is not widget
        and (not is_tab_stop(before) or (skip is not None and skip.isAncestorOf(before)))
    ):
        before = before.previousInFocusChain()
    return widget if before is None else before


def answered(editors: dict[str, FieldEditor]) -> Any:
    """The answered fields by name; ``MISSING`` when none is."""
    answer = {}
    for name, editor in editors.items():
        value = editor.value()
        if value is not MISSING:
            answer[name] = value
    return answer if answer else MISSING


def fill(editors: dict[str, FieldEditor], answer: dict[str, Any] | None) -> None:
    """Set the fields ``answer`` has; the others keep what they show."""
    for name, editor in editors.items():
        if answer and name in answer:
            editor.set_value(answer[name])


def add_field_rows(
    form: QFormLayout, specs: list[dict[str, Any]], changed: SignalInstance
) -> dict[str, FieldEditor]:
    """A labelled row per field spec, each label its editor's buddy; edits emit ``changed``."""
    editors: dict[str, FieldEditor] = {}
    for spec in specs:
        editor = make_editor(spec)
        editor.changed.connect(changed)
        editors[spec["name"]] = editor
        optional = spec["required"] == "optional"  # conditional ones are not
        suffix = QCoreApplication.translate("FieldEditor", " (optional)") if optional else ""
        label = QLabel(editor.label + suffix)
        label.setWordWrap(True)
        label.setBuddy(editor.focus_target())
        form.addRow(label, editor)
    return editors


def object_editor(spec: dict[str, Any]) -> ObjectEditor:
    """An object's editor; a basis claim (a code and its confirmations) gets its own."""
    names = {sub["name"] for sub in spec["fields"]}
    return ClaimEditor(spec) if {"code", "attest"} <= names else ObjectEditor(spec)


class FieldGroup(QGroupBox):
    """A titled group of editors: one checklist question, or one part of the record.

    ``group`` has the shape of a question from ``checklist.questions()``: an id, a title, a
    text, an optional help and the field specs.
    """

    changed = Signal()

    def __init__(
        self, group: dict[str, Any], prefix: str = "question", parent: QWidget | None = None
    ) -> None:
        super().__init__(group["title"], parent)
        self.question_id: str = group["id"]
        self.setObjectName(f"{prefix}_{self.question_id}")
        self.setAccessibleName(group["title"])
        layout = QVBoxLayout(self)
        text = QLabel(group["text"])
        text.setWordWrap(True)
        font = text.font()
        font.setBold(True)
        text.setFont(font)
        layout.addWidget(text)
        if group.get("help"):
            help_label = QLabel(group["help"])
            help_label.setWordWrap(True)
            help_label.setObjectName(f"help_{self.question_id}")
            layout.addWidget(help_label)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.editors = add_field_rows(self.form, group["fields"], self.changed)
        self.error_label = ErrorLabel(f"errors_{self.question_id}")
        layout.addWidget(self.error_label)

    def value(self) -> Any:
        return answered(self.editors)

    def set_value(self, answer: dict[str, Any] | None) -> None:
        fill(self.editors, answer)
