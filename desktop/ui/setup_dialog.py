"""First run: who the practitioner is, which law applies, and the passphrase that guards it all.

Settings the organisation's policy fixes (organisation, jurisdiction, regimes) are filled in and
cannot be changed here. The dialog checks what it can see (empty fields, a short or mistyped
passphrase, no regime) and otherwise leaves the rules to the session: it asks for a store with
``create_requested`` and the controller answers with ``show_error`` or ``accept()``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Jurisdiction, Regime, allowed_regimes
from desktop.policy import Policy
from desktop.session import MIN_PASSPHRASE_CHARS, Profile
from desktop.ui.widgets import ErrorLabel
from desktop.ui.wording import jurisdiction_label, regime_label


class SetupDialog(QDialog):
    #: The user asked for a new store: (Profile, passphrase).
    create_requested = Signal(object, str)

    def __init__(self, policy: Policy, directory: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupDialog")
        self.setWindowTitle(self.tr("Set up Disclosure Log"))
        self.setAccessibleName(self.tr("Set up Disclosure Log"))
        self.setModal(True)
        self._policy = policy
        self._busy = False

        intro = QLabel(
            self.tr(
                "Your records will be kept encrypted in %1. Tell us who you are and which law"
                " applies to your work; every record you make will carry this."
            ).replace("%1", str(directory))
        )
        intro.setWordWrap(True)

        self.name_edit = self._line_edit("setupName", self.tr("Your name"))
        self.role_edit = self._line_edit("setupRole", self.tr("Your role"))
        self.role_edit.setPlaceholderText(self.tr("for example: Social worker"))
        self.registration_edit = self._line_edit(
            "setupRegistration", self.tr("Professional registration number (optional)")
        )
        self.organisation_edit = self._line_edit("setupOrganisation", self.tr("Organisation"))

        self.jurisdiction_combo = QComboBox()
        self.jurisdiction_combo.setObjectName("setupJurisdiction")
        self.jurisdiction_combo.setAccessibleName(self.tr("Jurisdiction"))
        for jurisdiction in Jurisdiction:
            self.jurisdiction_combo.addItem(
                jurisdiction_label(jurisdiction.value), jurisdiction.value
            )

        self.regimes_box = QGroupBox(self.tr("Law that applies to your records"))
        self.regimes_box.setObjectName("setupRegimes")
        self.regimes_box.setAccessibleName(self.tr("Law that applies to your records"))
        regimes_layout = QVBoxLayout(self.regimes_box)
        self.regime_boxes: dict[Regime, QCheckBox] = {}
        for regime in Regime:
            box = QCheckBox(regime_label(regime.value))
            box.setObjectName(f"setupRegime_{regime.value}")
            box.setAccessibleName(regime_label(regime.value))
            regimes_layout.addWidget(box)
            self.regime_boxes[regime] = box

        self.passphrase_edit = self._line_edit("setupPassphrase", self.tr("Passphrase"))
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = self._line_edit("setupConfirm", self.tr("Confirm passphrase"))
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)

        recovery = (
            self.tr("Your organisation has a recovery key for this computer's records.")
            if policy.recovery_public_key is not None
            else self.tr(
                "Your organisation has not set up a recovery key, so nobody can open your"
                " records without this passphrase."
            )
        )
        self.warning_label = QLabel(
            self.tr(
                "<b>Choose a passphrase you will remember.</b> If you forget it, your records"
                " cannot be opened unless your organisation has a recovery key."
            )
            + " "
            + recovery
            + " "
            + self.tr(
                "Use at least %n characters; several unrelated words are easiest to remember.",
                "",
                MIN_PASSPHRASE_CHARS,
            )
        )
        self.warning_label.setObjectName("setupWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setTextFormat(Qt.TextFormat.RichText)

        self.policy_label = QLabel(
            self.tr("Settings your organisation has fixed are filled in and cannot be changed.")
        )
        self.policy_label.setWordWrap(True)

        self.error_label = ErrorLabel("setupError")

        self.busy = QProgressBar()
        self.busy.setObjectName("setupBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Creating your encrypted store"))
        self.busy.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText(self.tr("&Create store"))
        self.create_button.setObjectName("setupCreate")
        self.create_button.setAccessibleName(self.tr("Create store"))
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setObjectName("setupCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self._buddy(self.tr("&Name:"), self.name_edit), self.name_edit)
        form.addRow(self._buddy(self.tr("&Role:"), self.role_edit), self.role_edit)
        form.addRow(
            self._buddy(self.tr("Re&gistration number:"), self.registration_edit),
            self.registration_edit,
        )
        form.addRow(
            self._buddy(self.tr("&Organisation:"), self.organisation_edit), self.organisation_edit
        )
        form.addRow(
            self._buddy(self.tr("&Jurisdiction:"), self.jurisdiction_combo),
            self.jurisdiction_combo,
        )
        form.addRow(self.regimes_box)
        form.addRow(self.warning_label)
        form.addRow(
            self._buddy(self.tr("&Passphrase:"), self.passphrase_edit), self.passphrase_edit
        )
        form.addRow(
            self._buddy(self.tr("Con&firm passphrase:"), self.confirm_edit), self.confirm_edit
        )

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.policy_label)
        layout.addWidget(self.error_label)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

        self._apply_policy(policy)
        self.jurisdiction_combo.currentIndexChanged.connect(self._jurisdiction_changed)
        self._jurisdiction_changed()

        chain: list[QWidget] = [
            self.name_edit,
            self.role_edit,
            self.registration_edit,
            self.organisation_edit,
            self.jurisdiction_combo,
            *self.regime_boxes.values(),
            self.passphrase_edit,
            self.confirm_edit,
            self.create_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ---------------------------------------------------------------------------
    def _line_edit(self, name: str, accessible: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        return edit

    def _buddy(self, text: str, field: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(field)
        return label

    def _apply_policy(self, policy: Policy) -> None:
        fixed = False
        if policy.organisation is not None:
            self.organisation_edit.setText(policy.organisation)
            self.organisation_edit.setReadOnly(True)
            self.organisation_edit.setToolTip(self.tr("Set by your organisation"))
            fixed = True
        if policy.jurisdiction is not None:
            self.jurisdiction_combo.setCurrentIndex(
                self.jurisdiction_combo.findData(policy.jurisdiction.value)
            )
            self.jurisdiction_combo.setEnabled(False)
            self.jurisdiction_combo.setToolTip(self.tr("Set by your organisation"))
            fixed = True
        if policy.regimes is not None:
            fixed = True
        self.policy_label.setVisible(fixed)

    def _jurisdiction_changed(self) -> None:
        jurisdiction = self.jurisdiction()
        allowed = allowed_regimes(jurisdiction)
        fixed = None if self._policy.regimes is None else set(self._policy.regimes)
        for regime, box in self.regime_boxes.items():
            box.setVisible(regime in allowed)
            if fixed is not None:
                box.setChecked(regime in fixed)
                box.setEnabled(False)
                box.setToolTip(self.tr("Set by your organisation"))
            else:
                # A UK store normally needs both; a US one depends on the service, so none.
                box.setChecked(regime in allowed and jurisdiction.is_uk)

    # -- reading ----------------------------------------------------------------------------
    def jurisdiction(self) -> Jurisdiction:
        return Jurisdiction(self.jurisdiction_combo.currentData())

    def regimes(self) -> tuple[Regime, ...]:
        return tuple(
            regime
            for regime, box in self.regime_boxes.items()
            if box.isChecked() and regime in allowed_regimes(self.jurisdiction())
        )

    def profile(self) -> Profile:
        registration = self.registration_edit.text().strip()
        return Profile(
            name=self.name_edit.text().strip(),
            role=self.role_edit.text().strip(),
            organisation=self.organisation_edit.text().strip(),
            jurisdiction=self.jurisdiction(),
            regimes=self.regimes(),
            registration_number=registration or None,
        )

    # -- talking to the controller ------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (
            self.name_edit,
            self.role_edit,
            self.registration_edit,
            self.organisation_edit,
            self.passphrase_edit,
            self.confirm_edit,
            self.create_button,
            self.cancel_button,
        ):
            widget.setEnabled(not busy)
        self.regimes_box.setEnabled(not busy)
        self.jurisdiction_combo.setEnabled(not busy and self._policy.jurisdiction is None)

    def show_error(self, text: str, field: QWidget | None = None) -> None:
        self.set_busy(False)
        self.error_label.show_message(text)
        target = field or self.passphrase_edit
        if isinstance(target, QLineEdit):
            target.selectAll()
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def reject(self) -> None:
        if self._busy:
            return  # the store is being written; let it finish
        super().reject()

    def _submit(self) -> None:
        if self._busy:
            return
        problem = self._problem()
        if problem is not None:
            self.show_error(*problem)
            return
        self.error_label.clear_message()
        passphrase = self.passphrase_edit.text()
        self.set_busy(True)
        self.create_requested.emit(self.profile(), passphrase)

    def _problem(self) -> tuple[str, QWidget] | None:
        for edit, message in (
            (self.name_edit, self.tr("Enter your name.")),
            (self.role_edit, self.tr("Enter your role.")),
            (self.organisation_edit, self.tr("Enter your organisation.")),
        ):
            if not edit.text().strip():
                return message, edit
        if not self.regimes():
            first = next(
                box
                for regime, box in self.regime_boxes.items()
                if regime in allowed_regimes(self.jurisdiction())
            )
            return self.tr("Tick at least one law that applies to your records."), first
        passphrase = self.passphrase_edit.text()
        if len(passphrase.strip()) < MIN_PASSPHRASE_CHARS:
            return (
                self.tr("The passphrase needs at least %n characters.", "", MIN_PASSPHRASE_CHARS),
                self.passphrase_edit,
            )
        if passphrase != self.confirm_edit.text():
            return self.tr("The two passphrases are not the same."), self.confirm_edit
        return None
