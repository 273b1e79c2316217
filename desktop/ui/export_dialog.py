"""File > Export report…: a signed, encrypted summary report for a supervisor (DESIGN §4).

The user picks the period (by default the last full month), optionally only the case of the
record selected when the dialog opened, and the recipient: the organisation's report key first
when the policy gives one, then the identity cards accepted into the store. With nobody to send
to yet, the dialog says how to add someone and Export stays off. Export asks where to write the
``.dlreport`` (``choose_file``, which tests replace) and runs ``Session.export_report`` with
progress and Cancel; a cancelled or failed export leaves no file and uses no sequence number.

The suggested file name says only the period: file names are not encrypted, so no case number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.progress import CancelCheck, ProgressCallback
from desktop.session import ExportedReport, ReportScope, Session
from desktop.ui.session_dialog import SessionDialog
from desktop.ui.widgets import date_edit, form_combo
from desktop.ui.wording import fill_in
from desktop.ui.worker import SessionHost

REPORT_SUFFIX = ".dlreport"
ADD_RECIPIENT_COMMAND = "disclosure-log-cli recipients add CARD --name NAME"


@dataclass(frozen=True)
class RecipientChoice:
    """Someone a report can be encrypted to, as the combo offers them."""

    name: str
    holder: str | None
    """Who the identity card says holds the key; None for the organisation's report key."""


def recipient_choices(session: Session) -> list[RecipientChoice]:
    return [
        RecipientChoice(
            recipient.name,
            None
            if recipient.card is None
            else ", ".join(
                part
                for part in (recipient.card.name, recipient.card.role, recipient.card.organisation)
                if part
            ),
        )
        for recipient in session.recipients()
    ]


def last_full_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ExportReportDialog(SessionDialog):
    def __init__(
        self,
        host: SessionHost,
        case_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(host, "exportReportDialog", self.tr("Export report"), parent)
        self.case_id = case_id
        #: Asks where to write the report (given a suggested file name); None when the user
        #: chose nothing. Tests replace it.
        self.choose_file: Callable[[str], Path | None] = self._ask_file
        self.exported: ExportedReport | None = None
        self._recipients_loaded = False

        intro = QLabel(
            self.tr(
                "A report of your records for a supervisor. It is signed by you and encrypted:"
                " only the recipient you choose, and you, can open it."
            )
        )
        intro.setWordWrap(True)
        start, end = last_full_month(date.today())
        self.from_edit = date_edit(
            "exportFrom", self.tr("Report from"), self.tr("The first day the report covers")
        )
        self.from_edit.setDate(_qdate(start))
        self.to_edit = date_edit(
            "exportTo", self.tr("Report to"), self.tr("The last day the report covers")
        )
        self.to_edit.setDate(_qdate(end))
        self.case_check = QCheckBox()
        self.case_check.setObjectName("exportOnlyCase")
        if case_id:
            self.case_check.setText(fill_in(self.tr("&Only case %1"), case_id.replace("&", "&&")))
            self.case_check.setAccessibleName(fill_in(self.tr("Only case %1"), case_id))
        else:
            self.case_check.setText(self.tr("&Only one case (select one of its records first)"))
            self.case_check.setAccessibleName(self.tr("Only one case"))
        self.recipient_combo = form_combo()
        self.recipient_combo.setObjectName("exportRecipient")
        self.recipient_combo.setAccessibleName(self.tr("Recipient"))
        self.recipient_combo.setAccessibleDescription(
            self.tr("Who the report is encrypted to; you can always open it too")
        )
        self.recipient_combo.addItem(self.tr("Loading the recipients…"), None)
        self.no_recipients_label = QLabel(
            fill_in(
                self.tr(
                    "There is nobody to send a report to yet. Ask your supervisor for their"
                    " identity card file, then add it from a command prompt:\n%1\nwhere CARD"
                    " is the card file and NAME the name to choose here."
                ),
                ADD_RECIPIENT_COMMAND,
            )
        )
        self.no_recipients_label.setObjectName("exportNoRecipients")
        self.no_recipients_label.setWordWrap(True)
        self.no_recipients_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.no_recipients_label.hide()

        form = QFormLayout()
        for text, widget in (
            (self.tr("&From:"), self.from_edit),
            (self.tr("&To:"), self.to_edit),
            (self.tr("Case:"), self.case_check),
            (self.tr("&Recipient:"), self.recipient_combo),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)

        self.export_button = QPushButton(self.tr("&Export…"))
        self.export_button.setObjectName("exportStart")
        self.export_button.setAccessibleName(self.tr("Export the report"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.no_recipients_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addLayout(self.button_row(self.export_button))
        self.resize(520, 360)

        self.set_inputs(
            self.from_edit,
            self.to_edit,
            self.case_check,
            self.recipient_combo,
            self.export_button,
        )
        self.update_controls()
        self.from_edit.setFocus()
        self.submit(recipient_choices, self._recipients_arrived, self._recipients_failed)

    # -- recipients -----------------------------------------------------------------------
    def _recipients_arrived(self, choices: list[RecipientChoice]) -> None:
        self._recipients_loaded = True
        self.recipient_combo.clear()
        for choice in choices:
            if choice.holder is None:
                text = self.tr("Your organisation (its report key, from the policy)")
            else:
                text = fill_in(self.tr("%1: %2"), choice.name, choice.holder)
            self.recipient_combo.addItem(text, choice.name)
        if not choices:
            self.recipient_combo.addItem(self.tr("Nobody yet"), None)
        self.no_recipients_label.setVisible(not choices)
        self.update_controls()

    def _recipients_failed(self, reason: str) -> None:
        self.show_failure(fill_in(self.tr("The recipients could not be read: %1"), reason))

    def update_controls(self) -> None:
        ready = self._recipients_loaded and self.recipient_combo.currentData() is not None
        self.from_edit.setEnabled(True)
        self.to_edit.setEnabled(True)
        self.case_check.setEnabled(bool(self.case_id))
        self.recipient_combo.setEnabled(ready)
        self.export_button.setEnabled(ready)

    # -- exporting ------------------------------------------------------------------------
    def scope(self) -> ReportScope:
        return ReportScope(
            self.from_edit.date().toPython(),
            self.to_edit.date().toPython(),
            self.case_id if self.case_check.isChecked() else None,
        )

    def suggested_name(self) -> str:
        scope = self.scope()
        return f"report-{scope.start.isoformat()}-to-{scope.end.isoformat()}{REPORT_SUFFIX}"

    def _ask_file(self, suggested: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the report as"),
            str(Path.home() / suggested),
            self.tr("Disclosure Log reports (*.dlreport)"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix == REPORT_SUFFIX else path.with_name(path.name + REPORT_SUFFIX)

    def export(self) -> None:
        """Ask where to write the report, then make it on the session thread."""
        recipient = self.recipient_combo.currentData()
        if self.running or recipient is None:
            return
        scope = self.scope()
        if scope.start > scope.end:
            self.show_failure(self.tr("The period ends before it starts: change the dates."))
            return
        out = self.choose_file(self.suggested_name())
        if out is None or self._closed:  # chose nothing, or locked meanwhile
            return

        def export(
            session: Session, progress: ProgressCallback, should_cancel: CancelCheck
        ) -> ExportedReport:
            return session.export_report(scope, str(recipient), out, progress, should_cancel)

        self.run(
            fill_in(self.tr("Making the report and writing it to %1…"), out),
            export,
            self._exported,
            self._stopped,
            self._failed,
        )

    def _exported(self, exported: ExportedReport) -> None:
        self.exported = exported
        manifest, figures = exported.info.manifest, exported.info.head.figures
        self.status_label.setText(
            "\n".join(
                (
                    fill_in(self.tr("The report is written to %1."), exported.path),
                    fill_in(
                        self.tr("Report %1, number %2 of your reports."),
                        manifest.report_id,
                        manifest.sequence,
                    ),
                    fill_in(
                        self.tr("Records: %1 (%2 final, %3 of them shared; %4 not final)."),
                        figures.records,
                        figures.final,
                        figures.shared,
                        figures.pending,
                    ),
                    fill_in(
                        self.tr("Encrypted to %1, and to you."),
                        self.recipient_combo.currentText(),
                    ),
                )
            )
        )
        self.message.emit(
            fill_in(
                self.tr("Report %1 (number %2, %3 records) written to %4"),
                manifest.report_id,
                manifest.sequence,
                figures.records,
                exported.path,
            )
        )

    def _stopped(self) -> None:
        text = self.tr("The export was stopped. Nothing was written.")
        self.status_label.setText(text)
        self.message.emit(text)

    def _failed(self, reason: str) -> None:
        self.show_failure(fill_in(self.tr("The report could not be made: %1"), reason))
