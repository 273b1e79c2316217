"""What the report and accounting dialogs share: work on the session with progress and Cancel.

A ``SessionDialog`` is not modal and shows case data, so the main window closes it on lock.
Closing it (Close, Escape, the lock) stops its long work (``LongJob.abandon``); answers that
arrive after it closed are dropped, so nothing reaches a closed window. While long work runs,
its inputs are disabled, the progress bar shows, and the Close button reads Cancel: pressing it
stops the work and keeps the dialog open.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.session import Session
from desktop.ui.widgets import ErrorLabel
from desktop.ui.worker import LongJob, LongWork, SessionHost, failure_reason

T = TypeVar("T")


class SessionDialog(QDialog):
    #: A message for the main window's status bar.
    message = Signal(str)

    def __init__(
        self, host: SessionHost, name: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._host = host
        self._closed = False
        #: What the user fills in or picks, in reading order: disabled while long work runs.
        self.inputs: list[QWidget] = []

        self.status_label = QLabel()
        self.status_label.setObjectName(f"{name}Status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = ErrorLabel(f"{name}Error")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName(f"{name}Progress")
        self.progress_bar.setAccessibleName(self.tr("Progress"))
        self.progress_bar.hide()
        self.close_button = QPushButton()
        self.close_button.setObjectName(f"{name}Close")
        self.close_button.clicked.connect(self._close_clicked)
        self._set_close_text(self.tr("Close"))
        self._job = LongJob(host, self._show_progress)

    @property
    def running(self) -> bool:
        return self._job.running

    # -- work on the session ----------------------------------------------------------------
    def run(
        self,
        text: str,
        work: LongWork[T],
        on_done: Callable[[T], None],
        on_stopped: Callable[[], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Run long ``work`` with the progress bar and Cancel; ``text`` says what it does."""
        self.error_label.clear_message()
        self.status_label.setText(text)
        self.progress_bar.setRange(0, 0)  # busy until the first step is reported
        self.progress_bar.show()
        self._set_inputs_enabled(False)
        self._set_close_text(self.tr("Cancel"))
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)

        def ended(then: Callable[..., None]) -> Callable[..., None]:
            def end(*result: Any) -> None:
                self.progress_bar.hide()
                self.close_button.setEnabled(True)
                self._set_close_text(self.tr("Close"))
                self._set_inputs_enabled(True)
                then(*result)

            return end

        self._job.start(work, ended(on_done), ended(on_stopped), ended(on_failed))

    def submit(
        self,
        fn: Callable[[Session], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Short work; its answer is dropped if the dialog has closed meanwhile."""
        self._host.submit(
            fn,
            lambda result: None if self._closed else on_done(result),
            lambda error: None if self._closed else on_failed(failure_reason(error)),
        )

    def button_row(self, *buttons: QPushButton) -> QHBoxLayout:
        """``buttons`` then Close, on the right, in reading and Tab order. Not a
        ``QDialogButtonBox``: that makes its default button its focus proxy, so Tab from the
        last button would go back to the default one instead of round to the first field."""
        row = QHBoxLayout()
        row.addStretch(1)
        for button in (*buttons, self.close_button):
            row.addWidget(button)
        return row

    def set_inputs(self, *widgets: QWidget) -> None:
        """The dialog's inputs in reading order, which Tab follows, then Close."""
        self.inputs = list(widgets)
        for first, second in itertools.pairwise([*widgets, self.close_button]):
            self.setTabOrder(first, second)

    def show_failure(self, text: str) -> None:
        self.status_label.clear()
        self.error_label.show_message(text)
        self.message.emit(text)

    # -- controls -----------------------------------------------------------------------------
    def update_controls(self) -> None:
        """Enable what can be used now (after long work, or when what it depends on changes).
        By default every input; dialogs whose inputs depend on their state say more."""
        for widget in self.inputs:
            widget.setEnabled(True)

    def _set_inputs_enabled(self, enabled: bool) -> None:
        if enabled:
            self.update_controls()
            return
        for widget in self.inputs:
            widget.setEnabled(False)

    def _set_close_text(self, text: str) -> None:
        self.close_button.setText(text)
        self.close_button.setAccessibleName(text)

    def _show_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)

    def _close_clicked(self) -> None:
        if not self.running:
            self.reject()
            return
        self.close_button.setEnabled(False)
        self.status_label.setText(self.tr("Stopping…"))
        self._job.cancel()

    def done(self, result: int) -> None:
        """However it closes (Close, Escape, the lock), long work stops and answers are dropped."""
        self._closed = True
        self._job.abandon()
        super().done(result)
