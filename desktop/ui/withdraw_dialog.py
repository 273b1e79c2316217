"""Record that a person withdrew their consent, then say who must be told.

The dialog is prefilled with the selected record's case and person. On "Save" the withdrawal is
checked (``validate_document``), saved through the worker, and the dialog turns into the list of
recipients who had information on the strength of that consent: "Tell these recipients that
consent has been withdrawn". The dialog shows case data, so locking closes it (the browser does).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InvalidDocument
from desktop.domain.records import ConsentWithdrawal
from desktop.domain.strict_json import validate_document
from desktop.session import Session, WithdrawalResult
from desktop.ui.widgets import DateTimeEdit
from desktop.ui.worker import SessionHost

UTC_FORMAT = "yyyy-MM-ddTHH:mm:ssZ"


class WithdrawConsentDialog(QDialog):
    #: The withdrawal was saved; the recipients to notify are listed.
    saved = Signal(object)

    def __init__(
        self,
        host: SessionHost,
        case_id: str = "",
        subject_id: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("withdrawConsentDialog")
        self.setWindowTitle(self.tr("Withdraw consent"))
        self.setAccessibleName(self.tr("Withdraw consent"))
        self._host = host
        self.result_value: WithdrawalResult | None = None

        intro = QLabel(
            self.tr(
                "Record that the person withdrew their consent. Saving lists everyone who"
                " received information on the strength of that consent."
            )
        )
        intro.setWordWrap(True)

        self.case_edit = self._line("withdrawCase", self.tr("Case"), case_id)
        self.subject_edit = self._line("withdrawSubject", self.tr("Person id"), subject_id)
        self.by_edit = self._line("withdrawBy", self.tr("Who withdrew consent"), "")
        self.by_edit.setPlaceholderText(self.tr("For example: the person, or their parent"))
        self.when_edit = DateTimeEdit(QDateTime.currentDateTime())
        self.when_edit.setObjectName("withdrawWhen")
        self.when_edit.setAccessibleName(self.tr("When consent was withdrawn"))
        self.when_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when_edit.setCalendarPopup(True)
        inner = self.when_edit.findChild(QLineEdit)
        if inner is not None:
            inner.setAccessibleName(self.tr("When consent was withdrawn"))
        self.scope_edit = self._line("withdrawScope", self.tr("What the withdrawal covers"), "")
        self.scope_edit.setPlaceholderText(self.tr("For example: all sharing with the school"))
        self.how_combo = QComboBox()
        self.how_combo.setObjectName("withdrawHow")
        self.how_combo.setAccessibleName(self.tr("How consent was withdrawn"))
        self.how_combo.addItem(self.tr("In writing"), "WRITTEN")
        self.how_combo.addItem(self.tr("Orally"), "ORAL")
        self.effect_combo = QComboBox()
        self.effect_combo.setObjectName("withdrawEffect")
        self.effect_combo.setAccessibleName(self.tr("Effect of the withdrawal"))
        self.effect_combo.addItem(self.tr("Stop sharing from now on"), "STOP_FUTURE")
        self.effect_combo.addItem(self.tr("Reassess the basis for sharing"), "REASSESS_BASIS")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("withdrawNotes")
        self.notes_edit.setAccessibleName(self.tr("Notes"))
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(self.fontMetrics().height() * 4)

        form = QFormLayout()
        for text, widget in (
            (self.tr("&Case:"), self.case_edit),
            (self.tr("&Person id:"), self.subject_edit),
            (self.tr("&Who withdrew:"), self.by_edit),
            (self.tr("Wh&en:"), self.when_edit),
            (self.tr("&Scope:"), self.scope_edit),
            (self.tr("&How:"), self.how_combo),
            (self.tr("E&ffect:"), self.effect_combo),
            (self.tr("&Notes:"), self.notes_edit),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)

        self.error_label = QLabel()
        self.error_label.setObjectName("withdrawError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.notify_label = QLabel(
            self.tr("Tell these recipients that consent has been withdrawn:")
        )
        self.notify_label.setObjectName("withdrawNotifyLabel")
        self.notify_label.setWordWrap(True)
        self.notify_list = QListWidget()
        self.notify_list.setObjectName("withdrawNotifyList")
        self.notify_list.setAccessibleName(self.tr("Recipients to tell"))
        self.notify_label.setBuddy(self.notify_list)
        self.notify_label.hide()
        self.notify_list.hide()

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("Sa&ve"))  # Alt+S is Scope
        self.save_button.setObjectName("withdrawSave")
        self.save_button.setAccessibleName(self.tr("Save the withdrawal"))
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("withdrawCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.notify_label)
        layout.addWidget(self.notify_list, 1)
        layout.addWidget(self.buttons)
        self.resize(520, 480)
        (self.by_edit if case_id and subject_id else self.case_edit).setFocus()

    def _line(self, name: str, accessible: str, text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        return edit

    # -- saving -------------------------------------------------------------------------------
    def withdrawal(self) -> ConsentWithdrawal:
        """What the user entered, checked; raises ``InvalidDocument`` naming the bad fields."""
        document: dict[str, Any] = {
            "case_id": self.case_edit.text().strip(),
            "subject_id": self.subject_edit.text().strip(),
            "withdrawn_at": self.when_edit.dateTime().toUTC().toString(UTC_FORMAT),
            "by_whom": self.by_edit.text().strip(),
            "scope": self.scope_edit.text().strip(),
            "how": self.how_combo.currentData(),
            "effect": self.effect_combo.currentData(),
            "notes": self.notes_edit.toPlainText().strip(),
        }
        return validate_document(ConsentWithdrawal, document)

    def save(self) -> None:
        try:
            withdrawal = self.withdrawal()
        except InvalidDocument as error:
            self._show_error(self._problems(error))
            return
        self.error_label.hide()
        self.save_button.setEnabled(False)
        self.save_button.setText(self.tr("Saving…"))

        def job(session: Session) -> WithdrawalResult:
            return session.withdraw_consent(withdrawal)

        self._host.submit(job, self._saved, self._failed)

    def _problems(self, error: InvalidDocument) -> str:
        names = {
            "case_id": self.tr("Case"),
            "subject_id": self.tr("Person id"),
            "by_whom": self.tr("Who withdrew consent"),
            "scope": self.tr("What the withdrawal covers"),
            "withdrawn_at": self.tr("When consent was withdrawn"),
        }
        fields = []
        for detail in getattr(error, "details", None) or []:
            field = str(detail.get("field", "")).split(".")[0]
            fields.append(names.get(field, field))
        if not fields:
            return self.tr("The withdrawal could not be saved: %1").replace("%1", str(error))
        return self.tr("Please fill in: %1").replace("%1", ", ".join(dict.fromkeys(fields)))

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.save_button.setEnabled(True)
        self.save_button.setText(self.tr("&Save"))

    def _failed(self, error: Exception) -> None:
        self._show_error(self.tr("The withdrawal could not be saved: %1").replace("%1", str(error)))

    def _saved(self, result: WithdrawalResult) -> None:
        self.result_value = result
        for widget in (
            self.case_edit,
            self.subject_edit,
            self.by_edit,
            self.when_edit,
            self.scope_edit,
            self.how_combo,
            self.effect_combo,
            self.notes_edit,
        ):
            widget.setEnabled(False)
        self.notify_list.clear()
        for recipient in result.recipients_to_notify:
            self.notify_list.addItem(self.recipient_text(recipient))
        if not result.recipients_to_notify:
            self.notify_label.setText(
                self.tr(
                    "The withdrawal is saved. No recipient received information on the strength"
                    " of this consent, so nobody needs telling."
                )
            )
        self.notify_label.show()
        self.notify_list.setVisible(bool(result.recipients_to_notify))
        self.save_button.hide()
        self.cancel_button.setText(self.tr("Close"))
        self.cancel_button.setAccessibleName(self.tr("Close"))
        self.cancel_button.setFocus()
        if result.recipients_to_notify:
            self.notify_list.setCurrentRow(0)
            self.notify_list.setFocus()
        self.saved.emit(result)

    def recipient_text(self, recipient: dict[str, Any]) -> str:
        who = ", ".join(
            str(recipient[key])
            for key in ("name", "role_title", "organisation")
            if recipient.get(key)
        )
        records = len(recipient.get("record_ids") or [])
        text = self.tr("%1 (%n records)", "", records).replace("%1", who)
        if recipient.get("address"):
            text += " — " + str(recipient["address"])
        return text
