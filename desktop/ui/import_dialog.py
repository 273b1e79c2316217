"""File > Import reports or reviews… and files dropped on the window: a supervisor imports the
signed, encrypted reports practitioners sent them (DESIGN §4, issue 6), and a practitioner the
reviews their supervisor sent back (``.dlreview``: sign-offs, acknowledgements and queries of
their records, which the record's detail then shows).

The main window asks for the files (its ``choose_report_files`` seam, which tests replace) or
takes them from a drop (``dropped_files``), then hands them to this dialog, which imports them
one after another on the session thread with progress and Cancel (``Session.import_report``:
decrypt, verify every signature and hash, check the signer and the records, store them in one
transaction; ``session.review.import_file`` for reviews, which checks each review against the
record version it is about). The GUI thread only looks at the names: reading a file and
everything after happens on the session thread. Files not named ``*.dlreport`` or ``*.dlreview``
are refused by name, unread.

One summary at the end: what was imported (which report, from whom, how much was new), what was
imported before (nothing changed), and, in the error line that screen readers announce, what was
refused with the importer's own words, saying so when the refusal was recorded as an alert;
and, in a warning line also announced, which of a practitioner's reports are missing between
the first and the last imported (they may have gone to someone else, or still be on their way).
Cancel (or locking, which closes the dialog) stops the import: the report being imported is
rolled back; those imported before it stay imported.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from desktop.input_file import TooLarge, read_input
from desktop.progress import CancelCheck, ProgressCallback
from desktop.review.service import ImportedReviews
from desktop.review.statement import MAX_FILE_BYTES as MAX_REVIEW_FILE_BYTES
from desktop.session import (
    IMPORT_STEPS,
    MAX_BUNDLE_BYTES,
    BundleError,
    ImportedBundle,
    ImportRefused,
    Session,
    Stopped,
)
from desktop.ui.export_dialog import REPORT_SUFFIX
from desktop.ui.session_dialog import SessionDialog
from desktop.ui.widgets import ErrorLabel
from desktop.ui.wording import fill_in
from desktop.ui.worker import LongWork, SessionHost, failure_reason

log = logging.getLogger(__name__)

REVIEW_SUFFIX = ".dlreview"
#: Black on amber (contrast over 12:1); the words carry the warning, the colour only draws the eye.
WARNING_STYLE = "QLabel { color: #000000; background-color: #ffd54f; padding: 6px; }"


class Outcome(Enum):
    IMPORTED = "imported"
    ALREADY_IMPORTED = "already_imported"
    REVIEWS_IMPORTED = "reviews_imported"
    """A review file, with reviews not held before (``reviews``)."""
    REVIEWS_HELD = "reviews_held"
    """A review file whose every review was imported before: nothing changed."""
    REFUSED = "refused"
    """The importer refused it; ``reason`` is its message, written for people."""
    ALERT = "alert"
    """Refused, and recorded in the audit log as an alert (a signer saying two things)."""
    NOT_A_REPORT = "not_a_report"
    """Not named ``*.dlreport`` or ``*.dlreview``: refused by its name, never read."""
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    """The file could not be read (``reason``: the system's words)."""
    FAILED = "failed"
    """Something else went wrong (``reason``)."""
    STOPPED = "stopped"
    """Cancelled before it was imported (or while, which rolled it back)."""


PROBLEMS = frozenset(
    {
        Outcome.REFUSED,
        Outcome.ALERT,
        Outcome.NOT_A_REPORT,
        Outcome.TOO_LARGE,
        Outcome.UNREADABLE,
        Outcome.FAILED,
    }
)


@dataclass(frozen=True)
class FileOutcome:
    path: Path
    outcome: Outcome
    imported: ImportedBundle | None = None
    reason: str = ""
    reviews: ImportedReviews | None = None


# -- choosing the files (GUI thread: names only) ------------------------------------------------
def is_report_name(path: Path) -> bool:
    return path.suffix.lower() == REPORT_SUFFIX


def is_review_name(path: Path) -> bool:
    return path.suffix.lower() == REVIEW_SUFFIX


def is_importable_name(path: Path) -> bool:
    """A report (``.dlreport``) or a review file (``.dlreview``), by its name alone."""
    return is_report_name(path) or is_review_name(path)


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries, in order, each once; empty when it carries none."""
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return list(dict.fromkeys(path for path in paths if path.name))


def accept_file_drag(event: QDragEnterEvent | QDragMoveEvent, allowed: bool) -> None:
    """Let files be dragged in while ``allowed``; which of them can be imported is said on
    drop."""
    if allowed and dropped_files(event.mimeData()):
        event.acceptProposedAction()
    else:
        event.ignore()


def ask_report_files(parent: QWidget) -> list[Path]:
    """The system's file dialog, for one or more reports or review files; empty when the user
    chose nothing."""
    chosen, _filter = QFileDialog.getOpenFileNames(
        parent,
        QCoreApplication.translate(
            "ImportReportsDialog", "Choose the reports or reviews to import"
        ),
        str(Path.home()),
        ";;".join(
            (
                QCoreApplication.translate(
                    "ImportReportsDialog",
                    "Disclosure Log reports and reviews (*.dlreport *.dlreview)",
                ),
                QCoreApplication.translate(
                    "ImportReportsDialog", "Disclosure Log reports (*.dlreport)"
                ),
                QCoreApplication.translate(
                    "ImportReportsDialog", "Reviews from your supervisor (*.dlreview)"
                ),
            )
        ),
    )
    return [Path(name) for name in chosen]


# -- importing (the session thread) -------------------------------------------------------------
def size_limit(path: Path) -> int:
    """The most a report, or a review file, may hold."""
    return MAX_REVIEW_FILE_BYTES if is_review_name(path) else MAX_BUNDLE_BYTES


def import_one(
    session: Session, path: Path, progress: ProgressCallback, should_cancel: CancelCheck
) -> FileOutcome:
    """Read and import one report or review file; every way it can end, as a ``FileOutcome``."""
    if not is_importable_name(path):
        return FileOutcome(path, Outcome.NOT_A_REPORT)
    try:
        data = read_input(path, size_limit(path))
    except TooLarge:
        return FileOutcome(path, Outcome.TOO_LARGE)
    except OSError as exc:
        return FileOutcome(path, Outcome.UNREADABLE, reason=failure_reason(exc))
    if is_review_name(path):
        return import_reviews(session, path, data, progress, should_cancel)
    try:
        imported = session.import_report(data, progress, should_cancel)
    except Stopped:
        return FileOutcome(path, Outcome.STOPPED)
    except ImportRefused as exc:
        return FileOutcome(path, Outcome.ALERT if exc.alert else Outcome.REFUSED, reason=str(exc))
    except BundleError as exc:
        return FileOutcome(path, Outcome.REFUSED, reason=str(exc))
    except Exception as exc:  # one file's failure does not stop the others
        log.debug("importing a report failed", exc_info=True)
        return FileOutcome(path, Outcome.FAILED, reason=failure_reason(exc.with_traceback(None)))
    outcome = Outcome.ALREADY_IMPORTED if imported.already_imported else Outcome.IMPORTED
    return FileOutcome(path, outcome, imported)


def import_reviews(
    session: Session,
    path: Path,
    data: bytes,
    progress: ProgressCallback,
    should_cancel: CancelCheck,
) -> FileOutcome:
    """Import a review file: one quick step, which cannot be stopped once it has started."""
    if should_cancel():
        return FileOutcome(path, Outcome.STOPPED)
    progress(0, IMPORT_STEPS)
    try:
        reviews = session.review.import_file(data)
    except BundleError as exc:
        return FileOutcome(path, Outcome.REFUSED, reason=str(exc))
    except Exception as exc:  # one file's failure does not stop the others
        log.debug("importing reviews failed", exc_info=True)
        return FileOutcome(path, Outcome.FAILED, reason=failure_reason(exc.with_traceback(None)))
    progress(IMPORT_STEPS, IMPORT_STEPS)
    outcome = Outcome.REVIEWS_IMPORTED if reviews.added else Outcome.REVIEWS_HELD
    return FileOutcome(path, outcome, reviews=reviews)


def import_files(paths: Sequence[Path]) -> LongWork[list[FileOutcome]]:
    """The work of importing ``paths`` one after another, one progress bar over them all."""
    files = tuple(paths)

    def work(
        session: Session, progress: ProgressCallback, should_cancel: CancelCheck
    ) -> list[FileOutcome]:
        outcomes: list[FileOutcome] = []
        for index, path in enumerate(files):
            if should_cancel():
                break

            def overall(done: int, total: int, index: int = index) -> None:
                progress(index * total + done, len(files) * total)

            outcome = import_one(session, path, overall, should_cancel)
            if outcome.outcome is Outcome.STOPPED:
                break
            outcomes.append(outcome)
        stopped = files[len(outcomes) :]
        return [*outcomes, *(FileOutcome(path, Outcome.STOPPED) for path in stopped)]

    return work


def _printable(text: str) -> str:
    """A certificate's name as one line of plain text, whatever characters it holds."""
    return "".join(char if char.isprintable() else " " for char in text)


# -- the dialog ---------------------------------------------------------------------------------
class ImportReportsDialog(SessionDialog):
    #: Something new was stored (a report, or reviews): what shows it may be out of date.
    imported = Signal()

    def __init__(self, host: SessionHost, parent: QWidget | None = None) -> None:
        super().__init__(host, "importReportsDialog", self.tr("Import reports or reviews"), parent)
        self.outcomes: list[FileOutcome] = []
        intro = QLabel(
            self.tr(
                "Reports that practitioners sent you, and reviews your supervisor sent back,"
                " are checked before anything is stored: that they were sent to you, who"
                " signed them, and that nothing in them changed. Importing a file again"
                " changes nothing. You can also drop report files (.dlreport) or review files"
                " (.dlreview) on this window or the main window."
            )
        )
        intro.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warning_label = ErrorLabel("importReportsDialogWarning")
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.setTextFormat(Qt.TextFormat.PlainText)
        self.setAcceptDrops(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.error_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addStretch(1)
        layout.addLayout(self.button_row())
        self.set_inputs()
        self.resize(560, 320)

    # -- starting -------------------------------------------------------------------------------
    def import_files(self, paths: Sequence[Path]) -> bool:
        """Import ``paths`` in the background; False (and a message) if it cannot start now."""
        if self.running:
            self.message.emit(self.tr("Files are being imported: wait for them, or cancel, first."))
            return False
        files = list(dict.fromkeys(paths))
        importable = [path for path in files if is_importable_name(path)]
        self.warning_label.clear_message()
        if not importable:
            self.outcomes = [FileOutcome(path, Outcome.NOT_A_REPORT) for path in files]
            self._show_outcomes()
            return False
        count = len(files)
        self.outcomes = []
        self.run(
            self.tr("Checking and importing %n files…", "", count)
            if count > 1
            else fill_in(self.tr("Checking and importing %1…"), files[0].name),
            import_files(files),
            self._imported,
            self._stopped,
            self._failed,
        )
        return True

    # -- drops on the dialog itself -------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_file_drag(event, not self.running)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        accept_file_drag(event, not self.running)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_files(paths)

    # -- the end ----------------------------------------------------------------------------------
    def _imported(self, outcomes: list[FileOutcome]) -> None:
        self.outcomes = outcomes
        self._show_outcomes()
        if any(o.outcome in (Outcome.IMPORTED, Outcome.REVIEWS_IMPORTED) for o in outcomes):
            self.imported.emit()

    def _stopped(self) -> None:
        self.error_label.clear_message()
        self.warning_label.clear_message()
        text = self.tr("The import was stopped. Nothing was imported.")
        self.status_label.setText(text)
        self.message.emit(text)

    def _failed(self, reason: str) -> None:
        self.outcomes = []
        self.warning_label.clear_message()
        self.show_failure(fill_in(self.tr("The files could not be imported: %1"), reason))

    def _show_outcomes(self) -> None:
        outcomes = self.outcomes
        if all(o.outcome is Outcome.STOPPED for o in outcomes):
            self._stopped()
            return
        several = len(outcomes) > 1
        problems = [self.describe(o, several) for o in outcomes if o.outcome in PROBLEMS]
        others = [self.describe(o, several) for o in outcomes if o.outcome not in PROBLEMS]
        warnings = self.gaps(outcomes)
        if several:
            imported = sum(
                o.outcome in (Outcome.IMPORTED, Outcome.REVIEWS_IMPORTED) for o in outcomes
            )
            headline = fill_in(self.tr("%1 of %2 files imported."), imported, len(outcomes))
            others.insert(0, headline)
        if problems:
            self.error_label.show_message("\n".join(problems))
        else:
            self.error_label.clear_message()
        if warnings:
            self.warning_label.show_message("\n".join(warnings))
        else:
            self.warning_label.clear_message()
        self.status_label.setText("\n".join(others))
        first = others[0] if several else (problems or others)[0]
        self.message.emit(" ".join((first, *warnings)))

    def gaps(self, outcomes: Sequence[FileOutcome]) -> list[str]:
        """For each practitioner, their reports still missing after the last of theirs imported
        here: the numbers between the first and the last imported, not imported."""
        last: dict[str, ImportedBundle] = {}
        for outcome in outcomes:
            if outcome.outcome is Outcome.IMPORTED and outcome.imported is not None:
                last[outcome.imported.info.signer_fingerprint] = outcome.imported
        warnings = []
        for imported in last.values():
            if not imported.missing:
                continue
            template = (
                self.tr(
                    "Reports %1 from %2 have not been imported here: they may have gone to"
                    " someone else, or still be on their way."
                )
                if len(imported.missing) > 1
                else self.tr(
                    "Report %1 from %2 has not been imported here: it may have gone to someone"
                    " else, or still be on its way."
                )
            )
            warnings.append(
                fill_in(
                    template,
                    self.number_list(imported.missing),
                    _printable(imported.info.signer_name),
                )
            )
        return warnings

    def number_list(self, numbers: Sequence[int]) -> str:
        """``2 and 4``, ``2, 3 and 7``, ``2 to 5 and 9``: runs of three or more shortened."""
        runs: list[list[int]] = []
        for number in sorted(set(numbers)):
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        parts: list[str] = []
        for run in runs:
            if len(run) > 2:
                parts.append(fill_in(self.tr("%1 to %2"), run[0], run[-1]))
            else:
                parts.extend(str(number) for number in run)
        if len(parts) == 1:
            return parts[0]
        return fill_in(self.tr("%1 and %2"), self.tr(", ").join(parts[:-1]), parts[-1])

    def describe(self, outcome: FileOutcome, with_name: bool) -> str:
        """What became of one file, in a sentence; ``with_name`` starts it with the file's."""
        name = outcome.path.name
        kind = outcome.outcome
        imported = outcome.imported
        reviews = outcome.reviews
        if kind is Outcome.IMPORTED and imported is not None:
            info = imported.info
            text = fill_in(
                self.tr(
                    "Report %1 from %2 imported: %n record versions added.",
                    "",
                    imported.versions_added,
                ),
                info.manifest.sequence,
                _printable(info.signer_name),
            )
            if imported.withdrawals_added:
                text += " " + self.tr(
                    "%n consent withdrawals added.", "", imported.withdrawals_added
                )
        elif kind is Outcome.ALREADY_IMPORTED and imported is not None:
            info = imported.info
            text = fill_in(
                self.tr("Report %1 from %2 was imported before: nothing changed."),
                info.manifest.sequence,
                _printable(info.signer_name),
            )
        elif kind is Outcome.REVIEWS_IMPORTED and reviews is not None:
            text = fill_in(
                self.tr("%n reviews by %1 imported.", "", reviews.added),
                _printable(reviews.reviewer),
            )
            if reviews.already_held:
                text += " " + self.tr(
                    "%n others in the file were imported before.", "", reviews.already_held
                )
            text += " " + self.tr("Select a record to see its review.")
        elif kind is Outcome.REVIEWS_HELD:
            text = self.tr("These reviews were imported before: nothing changed.")
        elif kind is Outcome.REFUSED:
            return fill_in(self.tr("%1 was not imported: %2."), name, outcome.reason)
        elif kind is Outcome.ALERT:
            return fill_in(
                self.tr(
                    "%1 was not imported, and this was recorded as an alert in the audit log:"
                    " %2. Its signer's key has signed two reports that contradict each other:"
                    " check with the practitioner, and tell whoever looks after your"
                    " organisation's security."
                ),
                name,
                outcome.reason,
            )
        elif kind is Outcome.NOT_A_REPORT:
            return fill_in(
                self.tr(
                    "%1 was not imported: only Disclosure Log reports and reviews (files ending"
                    " in .dlreport or .dlreview) can be imported."
                ),
                name,
            )
        elif kind is Outcome.TOO_LARGE:
            return fill_in(
                self.tr(
                    "%1 was not imported: it is larger than %2 MiB, so it is not a review file."
                )
                if is_review_name(outcome.path)
                else self.tr(
                    "%1 was not imported: it is larger than %2 MiB, so it is not a report."
                ),
                name,
                size_limit(outcome.path) >> 20,
            )
        elif kind is Outcome.UNREADABLE:
            return fill_in(self.tr("%1 could not be read: %2."), name, outcome.reason)
        elif kind is Outcome.STOPPED:
            return fill_in(self.tr("%1 was not imported: the import was stopped."), name)
        else:
            return fill_in(self.tr("%1 could not be imported: %2."), name, outcome.reason)
        return fill_in(self.tr("%1: %2"), name, text) if with_name else text
