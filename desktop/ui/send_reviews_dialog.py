"""File > Send reviews to a practitioner…: a supervisor writes their reviews of one practitioner's
records (sign-offs, acknowledgements, queries) into a ``.dlreview`` file for them (issue 6).

The dialog lists the practitioners whose reports were imported here, each with the fingerprint
of the certificate their reports were signed with, and says when that practitioner's identity
card has not been added yet: the file is encrypted to the key on their card, so it must be added
first (``recipients add`` at a command prompt; the GUI has no way to add one yet). Send asks where
to write the file (``choose_file``, which tests replace), suggesting
``reviews-<name>-<date>.dlreview``, and runs ``session.review.export`` on the session thread.
The result says how many reviews were written; a refusal says why in the review's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.progress import CancelCheck, ProgressCallback
from desktop.session import Session, Stopped
from desktop.ui.export_dialog import ADD_RECIPIENT_COMMAND
from desktop.ui.session_dialog import SessionDialog
from desktop.ui.widgets import form_combo
from desktop.ui.wording import fill_in
from desktop.ui.worker import SessionHost

REVIEW_SUFFIX = ".dlreview"


@dataclass(frozen=True)
class PractitionerChoice:
    """A practitioner whose reports were imported, as the combo offers them."""

    name: str
    fingerprint: str
    records: int
    has_card: bool
    """Whether their identity card was added here (the file is encrypted to its key)."""


@dataclass(frozen=True)
class Sent:
    path: Path
    count: int
    name: str
    """The practitioner's."""


def practitioner_choices(session: Session) -> list[PractitionerChoice]:
    cards = {
        recipient.card.fingerprint_sha256
        for recipient in session.recipients()
        if recipient.card is not None
    }
    return [
        PractitionerChoice(p.name, p.fingerprint, p.records, p.fingerprint in cards)
        for p in session.review.practitioners()
    ]


def grouped(fingerprint: str) -> str:
    """``3F2A 9C01 …``: a fingerprint as people read it out to each other."""
    digits = fingerprint.upper()
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def file_name_part(name: str) -> str:
    """A name as part of a file name: letters and digits, words joined by hyphens."""
    return "-".join(re.findall(r"[^\W_]+", name))[:60] or "practitioner"


class SendReviewsDialog(SessionDialog):
    def __init__(self, host: SessionHost, parent: QWidget | None = None) -> None:
        super().__init__(
            host, "sendReviewsDialog", self.tr("Send reviews to a practitioner"), parent
        )
        #: Asks where to write the file (given a suggested name); None when the user chose
        #: nothing. Tests replace it.
        self.choose_file: Callable[[str], Path | None] = self._ask_file
        self.choices: list[PractitionerChoice] = []
        self.written: Sent | None = None
        self._loaded = False

        intro = QLabel(
            self.tr(
                "Your sign-offs, acknowledgements and queries of one practitioner's records,"
                " in a file for them. It is signed by you and encrypted to them: they import it"
                " to see the outcome on their records."
            )
        )
        intro.setWordWrap(True)
        self.practitioner_combo = form_combo()
        self.practitioner_combo.setObjectName("sendReviewsPractitioner")
        self.practitioner_combo.setAccessibleName(self.tr("Practitioner"))
        self.practitioner_combo.setAccessibleDescription(
            self.tr("Whose records your reviews are about, and who the file is for")
        )
        self.practitioner_combo.addItem(self.tr("Loading the practitioners…"), None)
        self.practitioner_combo.currentIndexChanged.connect(self._practitioner_changed)
        self.fingerprint_label = QLabel()
        self.fingerprint_label.setObjectName("sendReviewsFingerprint")
        self.fingerprint_label.setWordWrap(True)
        self.fingerprint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.no_card_label = QLabel()
        self.no_card_label.setObjectName("sendReviewsNoCard")
        self.no_card_label.setWordWrap(True)
        self.no_card_label.setTextFormat(Qt.TextFormat.PlainText)
        self.no_card_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.no_card_label.hide()

        form = QFormLayout()
        label = QLabel(self.tr("&Practitioner:"))
        label.setBuddy(self.practitioner_combo)
        form.addRow(label, self.practitioner_combo)
        form.addRow(self.tr("Fingerprint:"), self.fingerprint_label)

        self.send_button = QPushButton(self.tr("&Send…"))
        self.send_button.setObjectName("sendReviewsStart")
        self.send_button.setAccessibleName(self.tr("Send the reviews"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.no_card_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addStretch(1)
        layout.addLayout(self.button_row(self.send_button))
        self.resize(560, 340)

        self.set_inputs(self.practitioner_combo, self.send_button)
        self.update_controls()
        self.practitioner_combo.setFocus()
        self.submit(practitioner_choices, self._choices_arrived, self._choices_failed)

    # -- practitioners --------------------------------------------------------------------
    def _choices_arrived(self, choices: list[PractitionerChoice]) -> None:
        self._loaded = True
        self.choices = choices
        self.practitioner_combo.blockSignals(True)
        self.practitioner_combo.clear()
        for number, choice in enumerate(choices):
            self.practitioner_combo.addItem(
                fill_in(
                    self.tr("%1 (%n records imported)", "", choice.records),
                    choice.name or self.tr("no name"),
                ),
                number,
            )
        if not choices:
            self.practitioner_combo.addItem(self.tr("Nobody yet"), None)
            self.status_label.setText(
                self.tr(
                    "No practitioner's reports have been imported here yet, so there is no"
                    " review to send. Import their reports first (File > Import reports or"
                    " reviews…)."
                )
            )
        self.practitioner_combo.blockSignals(False)
        self._practitioner_changed()

    def _choices_failed(self, reason: str) -> None:
        self.show_failure(fill_in(self.tr("The practitioners could not be read: %1"), reason))

    def selected(self) -> PractitionerChoice | None:
        number = self.practitioner_combo.currentData()
        return self.choices[number] if isinstance(number, int) else None

    def _practitioner_changed(self, *_args: object) -> None:
        choice = self.selected()
        self.fingerprint_label.setText("" if choice is None else grouped(choice.fingerprint))
        self.fingerprint_label.setAccessibleName(
            self.tr("Fingerprint")
            if choice is None
            else fill_in(self.tr("Fingerprint: %1"), grouped(choice.fingerprint))
        )
        missing = choice is not None and not choice.has_card
        if missing and choice is not None:
            self.no_card_label.setText(
                fill_in(
                    self.tr(
                        "The identity card of %1 has not been added here, and the file is"
                        " encrypted to the key on it. Ask them for their identity card file"
                        " (they make it with 'disclosure-log-cli identity card --out FILE'),"
                        " check with them that its fingerprint is the one above, then add it"
                        " from a command prompt:\n%2\nwhere CARD is the card file and NAME a"
                        " name for them."
                    ),
                    choice.name or self.tr("this practitioner"),
                    ADD_RECIPIENT_COMMAND,
                )
            )
        self.no_card_label.setVisible(missing)
        self.update_controls()

    def update_controls(self) -> None:
        ready = self._loaded and self.selected() is not None
        self.practitioner_combo.setEnabled(True)  # keeps the focus while the list loads
        self.send_button.setEnabled(ready)

    # -- sending --------------------------------------------------------------------------
    def suggested_name(self, choice: PractitionerChoice) -> str:
        return f"reviews-{file_name_part(choice.name)}-{date.today().isoformat()}{REVIEW_SUFFIX}"

    def _ask_file(self, suggested: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the reviews as"),
            str(Path.home() / suggested),
            self.tr("Reviews for a practitioner (*.dlreview)"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix == REVIEW_SUFFIX else path.with_name(path.name + REVIEW_SUFFIX)

    def send(self) -> None:
        """Ask where to write the file, then write it on the session thread."""
        choice = self.selected()
        if self.running or choice is None:
            return
        out = self.choose_file(self.suggested_name(choice))
        if out is None or self._closed:  # chose nothing, or locked meanwhile
            return
        signer, name = choice.fingerprint, choice.name

        def export(
            session: Session, _progress: ProgressCallback, should_cancel: CancelCheck
        ) -> Sent:
            if should_cancel():
                raise Stopped("stopped before the file was written")
            return Sent(out, session.review.export(signer, out), name)

        self.written = None
        self.run(
            fill_in(self.tr("Writing the reviews to %1…"), out),
            export,
            self._sent,
            self._stopped,
            self._failed,
        )

    def _sent(self, sent: Sent) -> None:
        self.written = sent
        text = fill_in(
            self.tr("%n reviews written to %1, encrypted to %2.", "", sent.count),
            sent.path,
            sent.name,
        )
        self.status_label.setText(
            text
            + " "
            + self.tr(
                "Give them the file: they import it with File > Import reports or reviews…,"
                " or by dropping it on their Disclosure Log window."
            )
        )
        self.message.emit(text)

    def _stopped(self) -> None:
        text = self.tr("Sending was stopped. Nothing was written.")
        self.status_label.setText(text)
        self.message.emit(text)

    def _failed(self, reason: str) -> None:
        self.show_failure(fill_in(self.tr("The reviews could not be sent: %1"), reason))
