"""Record > Accounting of disclosures…: what was shared about one person, to hand to them.

The person's id starts as the selected record's (it can be changed) and a start date is
optional (left out, the law decides: the last six years under HIPAA, the whole record in the
UK). "Prepare" computes the accounting on the session thread with progress and Cancel
(``Session.accounting``, which writes nothing) and shows how many entries it has and the first
few, so the practitioner can check it. "Save PDF…" asks for the file (``choose_file``) and then,
before anything is written, asks the practitioner to confirm (``confirm``) that the PDF is not
encrypted and is for handing to the person (the CLI's question, in the same words); only then is
it written (``Session.write_accounting``). Tests replace both seams.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.progress import CancelCheck, ProgressCallback
from desktop.reports.accounting import Accounting, AccountingLaw
from desktop.session import Session
from desktop.ui.session_dialog import SessionDialog
from desktop.ui.widgets import ErrorLabel, date_edit
from desktop.ui.wording import fill_in
from desktop.ui.worker import SessionHost

#: Entries listed for checking; the PDF has them all.
SHOWN_ENTRIES = 10
PDF_SUFFIX = ".pdf"


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


class AccountingDialog(SessionDialog):
    def __init__(
        self, host: SessionHost, subject_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(host, "accountingDialog", self.tr("Accounting of disclosures"), parent)
        #: Asks where to write the PDF (given a suggested file name); None when the user chose
        #: nothing. Tests replace it.
        self.choose_file: Callable[[str], Path | None] = self._ask_file
        #: Asks the practitioner the given question before the unencrypted PDF is written;
        #: True to write it. Tests replace it.
        self.confirm: Callable[[str], bool] = self._ask_to_confirm
        self.accounting: Accounting | None = None
        self.written: Path | None = None
        self._writing = False

        intro = QLabel(
            self.tr(
                "Everything shared about one person that the law lets them be told: for"
                " handing to them when they ask (HIPAA in the US, a subject access request"
                " in the UK). Prepare it, check it, then save it as a PDF."
            )
        )
        intro.setWordWrap(True)
        self.subject_edit = QLineEdit(subject_id)
        self.subject_edit.setObjectName("accountingSubject")
        self.subject_edit.setAccessibleName(self.tr("Person id"))
        self.since_check = QCheckBox(self.tr("&Start from:"))
        self.since_check.setObjectName("accountingSinceKnown")
        self.since_check.setAccessibleName(self.tr("Start from a date"))
        self.since_check.setToolTip(
            self.tr(
                "Leave unticked for everything the law covers: the last six years under HIPAA,"
                " the whole record in the UK"
            )
        )
        self.since_edit = date_edit(
            "accountingSince",
            self.tr("Start date"),
            self.tr("The first day the accounting covers"),
        )
        self.since_edit.setDate(QDate.currentDate().addYears(-1))
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_check)
        since_row.addWidget(self.since_edit, 1)

        form = QFormLayout()
        subject_label = QLabel(self.tr("Person &id:"))
        subject_label.setBuddy(self.subject_edit)
        form.addRow(subject_label, self.subject_edit)
        form.addRow(self.tr("Period:"), since_row)

        self.prepare_button = QPushButton(self.tr("&Prepare"))
        self.prepare_button.setObjectName("accountingPrepare")
        self.prepare_button.setAccessibleName(self.tr("Prepare the accounting"))
        self.prepare_button.setDefault(True)
        self.prepare_button.clicked.connect(self.prepare)

        self.warning_label = ErrorLabel("accountingWarning")
        self.entries_label = QLabel(self.tr("&Entries:"))
        self.entries_list = QListWidget()
        self.entries_list.setObjectName("accountingEntries")
        self.entries_list.setAccessibleName(self.tr("Entries in the accounting"))
        self.entries_label.setBuddy(self.entries_list)

        self.save_button = QPushButton(self.tr("Save P&DF…"))
        self.save_button.setObjectName("accountingSave")
        self.save_button.setAccessibleName(self.tr("Save the accounting as a PDF"))
        self.save_button.clicked.connect(self.save_pdf)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.prepare_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.entries_label)
        layout.addWidget(self.entries_list, 1)
        layout.addLayout(self.button_row(self.save_button))
        self.resize(560, 520)

        self.set_inputs(
            self.subject_edit,
            self.since_check,
            self.since_edit,
            self.prepare_button,
            self.entries_list,
            self.save_button,
        )
        self.subject_edit.textChanged.connect(self._changed)
        self.since_check.toggled.connect(self._changed)
        self.since_edit.dateChanged.connect(self._changed)
        self.update_controls()
        self.subject_edit.setFocus()

    def update_controls(self) -> None:
        self.subject_edit.setEnabled(not self._writing)
        self.since_check.setEnabled(not self._writing)
        self.since_edit.setEnabled(self.since_check.isChecked() and not self._writing)
        self.prepare_button.setEnabled(bool(self.subject_edit.text().strip()) and not self._writing)
        self.entries_list.setEnabled(True)
        self.save_button.setEnabled(self.accounting is not None and not self._writing)

    def _changed(self, *_args: object) -> None:
        """What was prepared no longer matches what is asked: prepare again before saving."""
        if self.accounting is not None:
            self.accounting = None
            self.entries_list.clear()
            self.status_label.clear()
            self.warning_label.clear_message()
        self.update_controls()

    # -- preparing ------------------------------------------------------------------------
    def since(self) -> date | None:
        return self.since_edit.date().toPython() if self.since_check.isChecked() else None

    def prepare(self) -> None:
        subject_id = self.subject_edit.text().strip()
        if self.running or self._writing or not subject_id:
            return
        since = self.since()
        self._changed()

        def accounting(
            session: Session, progress: ProgressCallback, should_cancel: CancelCheck
        ) -> Accounting:
            return session.accounting(subject_id, since, progress, should_cancel)

        self.run(
            self.tr("Preparing the accounting…"),
            accounting,
            self._prepared,
            self._stopped,
            self._failed,
        )

    def _prepared(self, accounting: Accounting) -> None:
        self.accounting = accounting
        scope = accounting.scope
        law = (
            self.tr("HIPAA accounting of disclosures")
            if scope.law is AccountingLaw.HIPAA
            else self.tr("UK subject access: who received the person's information")
        )
        start = self.tr("the first record") if scope.start is None else scope.start.isoformat()
        self.status_label.setText(
            fill_in(self.tr("%1, from %2 to %3:"), law, start, scope.end.isoformat())
            + " "
            + self.tr("%n entries", "", accounting.entry_count)
            + " "
            + self.tr("(%n disclosures in all).", "", accounting.disclosure_count)
        )
        if accounting.not_told_for_safety:
            self.warning_label.show_message(
                self.tr(
                    "Check before handing it over: %n of these disclosures were kept from the"
                    " person for someone's safety or an investigation; ask your supervisor or"
                    " privacy officer whether they may be shown.",
                    "",
                    accounting.not_told_for_safety,
                )
            )
        self.entries_list.clear()
        lines = self._entry_lines(accounting)
        for _when, text in lines[:SHOWN_ENTRIES]:
            self.entries_list.addItem(text)
        if len(lines) > SHOWN_ENTRIES:
            self.entries_list.addItem(
                self.tr("… and %n more in the PDF", "", len(lines) - SHOWN_ENTRIES)
            )
        if not lines:
            self.entries_list.addItem(self.tr("No disclosures to list."))
        self.entries_list.setCurrentRow(0)
        self.update_controls()

    def _entry_lines(self, accounting: Accounting) -> list[tuple[datetime, str]]:
        """Each entry and each series as one line, in the order they began."""
        lines = [
            (
                entry.shared_at,
                fill_in(
                    self.tr("%1: to %2"),
                    _day(entry.shared_at),
                    "; ".join(receiver.name for receiver in entry.receivers),
                ),
            )
            for entry in accounting.entries
        ]
        lines += [
            (
                series.first.shared_at,
                fill_in(
                    self.tr("%1 to %2: %3 disclosures to %4"),
                    _day(series.first.shared_at),
                    _day(series.last_at),
                    series.count,
                    "; ".join(receiver.name for receiver in series.first.receivers),
                ),
            )
            for series in accounting.series
        ]
        return sorted(lines, key=lambda line: line[0])

    def _stopped(self) -> None:
        self.status_label.setText(self.tr("Preparing the accounting was stopped."))

    def _failed(self, reason: str) -> None:
        self.show_failure(fill_in(self.tr("The accounting could not be prepared: %1"), reason))

    # -- saving ---------------------------------------------------------------------------
    def suggested_name(self) -> str:
        return f"accounting-of-disclosures-{date.today().isoformat()}{PDF_SUFFIX}"

    def _ask_file(self, suggested: str) -> Path | None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the accounting as"),
            str(Path.home() / suggested),
            self.tr("PDF documents (*.pdf)"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == PDF_SUFFIX else path.with_name(path.name + PDF_SUFFIX)

    def _ask_to_confirm(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Write an unencrypted PDF?"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save_pdf(self) -> None:
        """Ask for the file, confirm it may be written unencrypted, then write it."""
        accounting = self.accounting
        if accounting is None or self.running or self._writing:
            return
        path = self.choose_file(self.suggested_name())
        if path is None or self._closed:  # chose nothing, or locked meanwhile
            return
        question = fill_in(
            self.tr(
                "This PDF is NOT encrypted: anyone who has the file can read it. It is meant"
                " for handing to the person it is about; check it is for the person asking."
                "\n\nWrite it to %1, unencrypted, for handing to the person?"
            ),
            path,
        )
        if not self.confirm(question):
            if not self._closed:
                self.status_label.setText(self.tr("Not written: the PDF was not confirmed."))
            return
        if self._closed:
            return
        self._writing = True
        self.error_label.clear_message()
        self.status_label.setText(fill_in(self.tr("Writing the accounting to %1…"), path))
        self.update_controls()
        self.submit(
            lambda session: session.write_accounting(accounting, path),
            lambda _digest: self._written(path),
            self._write_failed,
        )

    def _written(self, path: Path) -> None:
        self._writing = False
        self.written = path
        self.update_controls()
        self.status_label.setText(
            fill_in(
                self.tr(
                    "The accounting is written to %1, signed by you. It is not encrypted: give"
                    " it only to the person it is about."
                ),
                path,
            )
        )
        self.message.emit(fill_in(self.tr("Accounting written to %1 (not encrypted)"), path))

    def _write_failed(self, reason: str) -> None:
        self._writing = False
        self.update_controls()
        self.show_failure(fill_in(self.tr("The accounting could not be written: %1"), reason))
