"""Small widgets shared by the pages and dialogs."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

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
