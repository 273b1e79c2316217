"""The unlock screen (after KeePassXC's ``DatabaseOpenWidget``).

A failed unlock shows an inline message, not a modal box, and selects the passphrase so the user
can type it again at once. The field is emptied whenever the page is hidden, so a passphrase never
waits on screen behind an unlocked window. The page itself never touches the session: it asks
for an unlock with ``unlock_requested`` and the controller answers with ``show_error`` or by
moving on.

After a wrong passphrase the controller may call ``start_cooldown(seconds)``: the field and the
button stay disabled for that long, and a line under the field counts down in plain words.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets import ErrorLabel


class UnlockPage(QWidget):
    #: The user asked to unlock with this passphrase.
    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockPage")

        self.title = QLabel(self.tr("Disclosure Log is locked"))
        self.title.setObjectName("unlockTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName(self.tr("Disclosure Log is locked"))

        self.store_label = QLabel()
        self.store_label.setObjectName("unlockStoreLabel")
        self.store_label.setWordWrap(True)
        self.store_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("unlockPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setAccessibleDescription(self.tr("The passphrase that opens your records"))
        self.passphrase.setPlaceholderText(self.tr("Enter your passphrase"))
        self.passphrase.returnPressed.connect(self._submit)

        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)

        self.error_label = ErrorLabel("unlockError")

        self.hint_label = QLabel()
        self.hint_label.setObjectName("unlockHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()

        self.busy = QProgressBar()
        self.busy.setObjectName("unlockBusy")
        self.busy.setRange(0, 0)  # indeterminate: key derivation gives no progress
        self.busy.setAccessibleName(self.tr("Unlocking"))
        self.busy.setTextVisible(False)
        self.busy.hide()

        self.cooldown_label = QLabel()
        self.cooldown_label.setObjectName("unlockCooldown")
        self.cooldown_label.setWordWrap(True)
        self.cooldown_label.setAccessibleName(self.tr("Waiting before the next try"))
        self.cooldown_label.hide()
        self._cooldown_until = 0.0
        self._cooldown_timer = QTimer(self)
        self._cooldown_timer.setSingleShot(True)
        self._cooldown_timer.timeout.connect(self._tick_cooldown)

        label = QLabel(self.tr("&Passphrase:"))
        label.setBuddy(self.passphrase)
        form = QFormLayout()
        form.addRow(label, self.passphrase)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)

        box = QWidget()
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.store_label)
        inner.addSpacing(12)
        inner.addWidget(self.error_label)
        inner.addLayout(form)
        inner.addWidget(self.hint_label)
        inner.addWidget(self.cooldown_label)
        inner.addWidget(self.busy)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.setTabOrder(self.passphrase, self.unlock_button)

    def set_store(self, directory: Path) -> None:
        self.store_label.setText(self.tr("Records in %1").replace("%1", str(directory)))

    def set_hint(self, text: str) -> None:
        """A line under the field (the demo shows its throwaway passphrase here)."""
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))

    def reset(self) -> None:
        """Ready for a new attempt: empty field, no error, focus on the field."""
        self.passphrase.clear()
        self.error_label.clear_message()
        self.set_busy(False)
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        usable = not busy and not self.cooling_down
        self.passphrase.setEnabled(usable)
        self.unlock_button.setEnabled(usable)

    # -- slowing down guesses -----------------------------------------------------------------
    @property
    def cooling_down(self) -> bool:
        return self._cooldown_timer.isActive()

    def start_cooldown(self, seconds: float) -> None:
        """Refuse another try for ``seconds``, counting down on screen; 0 or less does nothing."""
        if seconds <= 0:
            return
        self._cooldown_until = time.monotonic() + seconds
        self.passphrase.setEnabled(False)
        self.unlock_button.setEnabled(False)
        self.cooldown_label.show()
        self._tick_cooldown()

    def _tick_cooldown(self) -> None:
        left = self._cooldown_until - time.monotonic()
        if left <= 0:
            self.cooldown_label.clear()
            self.cooldown_label.hide()
            self.passphrase.setEnabled(True)
            self.unlock_button.setEnabled(True)
            self.passphrase.selectAll()
            self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        shown = math.ceil(left)
        self.cooldown_label.setText(
            self.tr("Too many wrong passphrases. You can try again in %n second(s).", "", shown)
        )
        # Wake when the shown number changes (or when the wait ends, if that is sooner).
        until_change = left - (shown - 1)
        self._cooldown_timer.start(max(1, int(until_change * 1000)))

    def show_error(self, text: str) -> None:
        """Say what went wrong inline and select the passphrase for another try."""
        self.set_busy(False)
        self.error_label.show_message(text)
        self.passphrase.selectAll()
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        text = self.passphrase.text()
        if not text:
            self.show_error(self.tr("Type your passphrase first."))
            return
        self.error_label.clear_message()
        self.set_busy(True)
        self.unlock_requested.emit(text)

    def hideEvent(self, event: QHideEvent) -> None:
        # Never leave a passphrase sitting in a hidden field (KeePassXC clears it the same way).
        self.passphrase.clear()
        super().hideEvent(event)
