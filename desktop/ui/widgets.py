"""Small widgets shared by the pages and dialogs."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QLineEdit, QWidget

#: Characters a form's combo box shows when closed; longer choices are shown whole when open.
COMBO_CHARS = 28

# White on dark red (contrast 7:1); the words carry the message, the colour only draws the eye.
ERROR_STYLE = "QLabel { color: #ffffff; background-color: #b00020; padding: 6px; }"


class ErrorLabel(QLabel):
    """An inline error (no modal box, as in KeePassXC) that screen readers announce."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleName(text)
        self.show()
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))

    def clear_message(self) -> None:
        self.hide()
        self.clear()
        self.setAccessibleName("")


def form_combo(parent: QWidget | None = None) -> QComboBox:
    """A combo box whose width does not follow its longest choice: a long recipient or code
    label would otherwise widen the whole form past the window (and scroll it sideways)."""
    combo = QComboBox(parent)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_CHARS)
    return combo


class DateTimeEdit(QDateTimeEdit):
    """A date (and time) field that Tab leaves at once: it is typed (sections fill in as you
    type) or picked from the calendar, and Tab moves on to the next control, in reading order,
    rather than stepping through the year, month, day, hour and minute first."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class DateEdit(DateTimeEdit):
    """A date field (``QDateEdit`` is a ``QDateTimeEdit`` showing the date only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QDate.currentDate(), parent)


def date_edit(name: str, accessible: str, description: str) -> DateEdit:
    """A ``DateEdit`` in the one format used in the UK and the US, with a calendar, named for
    tests and screen readers (its own text field too, which a screen reader reaches)."""
    edit = DateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setAccessibleDescription(description)
    edit.setToolTip(description)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    inner = edit.findChild(QLineEdit)
    if inner is not None:
        inner.setAccessibleName(accessible)
    return edit
