"""Editors for the rule pack's field specs: one generic factory, no hand-written question.

``make_editor(spec)`` turns a field spec from ``checklist.questions()`` (name, type, required,
label, help, allowed values, sub-fields) into a widget with ``value()`` / ``set_value()`` and a
``changed`` signal. ``value()`` returns ``MISSING`` when the field is left unanswered, so the form
sends only what the user answered and the engine's defaults and required-field rules apply.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QDate, QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
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
    }
)


def value_label(value: str) -> str:
    """An enum value in words: ``SAFEGUARDING_CHILD`` → "Safeguarding child"; codes stay as is."""
    if "-" in value or "." in value:
        return value
    return humanise_key(value.lower())


def is_required(spec: dict[str, Any]) -> bool:
    return spec["required"] in ("always", "if_reached")


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
        self.combo = QComboBox()
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
            self.edit = QDateEdit(QDate.currentDate())
            self.edit.setDisplayFormat("yyyy-MM-dd")
        else:
            self.edit = QDateTimeEdit(QDateTime.currentDateTime())
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
        self.editors: dict[str, FieldEditor] = {}
        for sub in spec["fields"]:
            editor = make_editor(sub)
            editor.changed.connect(self.changed)
            self.editors[sub["name"]] = editor
            optional = sub["required"] == "optional"
            label = QLabel(editor.label + (self.tr(" (optional)") if optional else ""))
            label.setBuddy(editor.focus_target())
            label.setWordWrap(True)
            self.form.addRow(label, editor)
        self.layout_.addWidget(holder, 1)

    def value(self) -> Any:
        result = {}
        for name, editor in self.editors.items():
            value = editor.value()
            if value is not MISSING:
                result[name] = value
        return result if result else MISSING

    def set_value(self, value: Any) -> None:
        value = value or {}
        for name, editor in self.editors.items():
            if name in value:
                editor.set_value(value[name])

    def clear_all(self) -> None:
        for editor in self.editors.values():
            editor.set_value(None)


class ListEditor(FieldEditor):
    """Repeatable row groups (recipients, items, claims, objections, consultations)."""

    def __init__(self, spec: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.rows: list[ObjectEditor] = []
        column = QVBoxLayout()
        self.rows_box = QVBoxLayout()
        column.addLayout(self.rows_box)
        self.add_button = QPushButton(self.tr("Add %1").replace("%1", self.label.lower()))
        self._name(self.add_button, self.tr("add"))
        self.add_button.setAccessibleName(self.tr("Add to %1").replace("%1", self.label))
        self.add_button.clicked.connect(self._add_clicked)
        column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.layout_.addLayout(column, 1)
        if spec["required"] == "always":
            self.add_row()

    def _add_clicked(self) -> None:
        row = self.add_row()
        row.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def add_row(self, value: Any = None) -> ObjectEditor:
        row = ObjectEditor({**self.spec, "type": "object"})
        row.setAccessibleName(
            self.tr("%1, entry %2").replace("%1", self.label).replace("%2", str(len(self.rows) + 1))
        )
        remove = QPushButton(self.tr("Remove"))
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
        self.changed.emit()
        return row

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
        return ObjectEditor(spec)
    if kind == "list<object>":
        return ListEditor(spec)
    return StringEditor(spec)
