"""View > Review: the supervisor's review of the records practitioners sent (issue 6).

Filters (practitioner, period, outcome, why it needs attention, where its review stands, and
"Needs attention only", on to start: the queue) above a table of imported records, newest first
(``ReviewModel``: a page at a time, with "Show more"). The selected record is shown on the right:
where its review stands and why, what was done about it (who, when, what, comment), the three
actions, and the latest version the practitioner sent, read-only, with its earlier versions.

Acknowledge acts at once; Query… asks for the comment (required: it is the question for the
practitioner) and Sign off… for an optional one. Each action is signed and stored on the session
thread (``session.review.act``); the row then shows its new state, or leaves the table when it
no longer matches (it left the queue). An acknowledgement does not settle what needs a sign-off
(``desktop.review.service.waits``): the status line says it stays in the queue.

Nothing here touches the store: every read and every action is a job on the session thread, and
answers that arrive after a new query, another selection or the lock are dropped.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.review.service import STATE_AFTER, PractitionerSummary, ReviewFilter, ReviewRow, waits
from desktop.review.statement import MAX_COMMENT_CHARS, Action, Statement
from desktop.session import Session
from desktop.ui.detail_view import DetailView, RecordDetail, pack_labels
from desktop.ui.filter_bar import (
    NO_DATE,
    TYPING_DELAY_MS,
    optional_date_edit,
    outcome_filter,
    utc_start_of,
)
from desktop.ui.review_model import (
    REASONS,
    STATES,
    ReviewModel,
    practitioner_label,
    reason_words,
    record_outcome,
    state_label,
)
from desktop.ui.widgets import DateEdit, ErrorLabel
from desktop.ui.wording import fill_in, local_time
from desktop.ui.worker import SessionHost, failure_reason

#: What the queue starts with: every imported record that waits for the supervisor.
QUEUE = ReviewFilter(attention_only=True)


@dataclass(frozen=True)
class ReviewDetail:
    """All the right-hand side shows about one imported record; made on the session thread."""

    row: ReviewRow
    record: RecordDetail
    actions: list[Statement]


@dataclass(frozen=True)
class ActResult:
    statement: Statement
    row: ReviewRow
    """The record's review row as it is after the action."""
    matches: bool
    """Whether it still matches the table's query (False: it leaves the table)."""
    total: int
    """How many rows match the query now."""


def load_review_detail(signer: str, record_id: str) -> Callable[[Session], ReviewDetail]:
    def job(session: Session) -> ReviewDetail:
        review = session.review
        row = review.find(record_id, signer)
        versions = review.history(signer, record_id)
        document = versions[-1]
        basis, reasons, what = pack_labels(session, document)
        record = RecordDetail(
            record_id=record_id,
            document=document,
            history=versions,
            basis_labels=basis,
            reason_labels=reasons,
            what_to_do=what,
        )
        return ReviewDetail(row, record, review.actions(signer, record_id))

    return job


def act_on(
    row: ReviewRow, action: Action, comment: str | None, where: ReviewFilter
) -> Callable[[Session], ActResult]:
    """The job for an action: sign and store it, then read the row back against the query."""
    signer, record_id = row.item.signer_sha256, row.item.record_id
    # The row is in the table, so it matched ``where``'s practitioner: asking for it by its
    # practitioner and id, under the rest of the query, says whether it still matches.
    this_one = replace(where, signer_sha256=signer, record_id=record_id)

    def job(session: Session) -> ActResult:
        statement = session.review.act(signer, record_id, action, comment)
        after = session.review.find(record_id, signer)
        matches = bool(session.review.rows(this_one, 1))
        return ActResult(statement, after, matches, session.review.count(where))

    return job


class ImportedRecordView(DetailView):
    """The detail pane's rendering of a record, for one a practitioner sent: no audit events
    (those are the practitioner's store's), the versions received instead."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewRecord")
        self.setAccessibleName(self.tr("Imported record"))
        self.setAccessibleDescription(
            self.tr("The latest version the practitioner sent, in full, with its versions")
        )

    def _events(self, events: Any) -> list[str]:
        return []


class CommentDialog(QDialog):
    """Query… (a comment is required) and Sign off… (a comment is optional)."""

    def __init__(
        self,
        name: str,
        title: str,
        *,
        prompt: str,
        button_text: str,
        required: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.required = required
        self.explanation = QLabel()
        self.explanation.setObjectName(f"{name}Explanation")
        self.explanation.setWordWrap(True)
        label = QLabel(prompt)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setObjectName(f"{name}Comment")
        self.comment_edit.setAccessibleName(self.tr("Comment"))
        self.comment_edit.setTabChangesFocus(True)
        label.setBuddy(self.comment_edit)
        self.hint_label = QLabel()
        self.hint_label.setObjectName(f"{name}Hint")
        self.hint_label.setWordWrap(True)
        self.send_button = QPushButton(button_text)
        self.send_button.setObjectName(f"{name}Send")
        self.send_button.setAccessibleName(button_text.replace("&", ""))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName(f"{name}Cancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        self.comment_edit.textChanged.connect(self._update)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(label)
        layout.addWidget(self.comment_edit, 1)
        layout.addWidget(self.hint_label)
        layout.addLayout(buttons)
        for first, second in itertools.pairwise(
            [self.comment_edit, self.send_button, self.cancel_button]
        ):
            self.setTabOrder(first, second)
        self.resize(480, 260)
        self._update()

    def comment(self) -> str | None:
        return self.comment_edit.toPlainText().strip() or None

    def _update(self) -> None:
        text = self.comment_edit.toPlainText()
        too_long = len(text) > MAX_COMMENT_CHARS
        missing = self.required and not text.strip()
        self.send_button.setEnabled(not too_long and not missing)
        if too_long:
            hint = self.tr("The comment is too long: at most %1 characters.").replace(
                "%1", str(MAX_COMMENT_CHARS)
            )
        elif missing:
            hint = self.tr("Write what the practitioner should look at, then send the query.")
        else:
            hint = ""
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))

    def accept(self) -> None:
        if self.send_button.isEnabled():  # Enter in the dialog comes here too
            super().accept()


class ReviewView(QWidget):
    #: A message for the status bar.
    message = Signal(str)
    #: The right-hand side now shows this record (its id).
    detail_loaded = Signal(str)
    #: An action was signed and stored.
    acted = Signal(object)

    def __init__(self, host: SessionHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewView")
        self._host = host
        self._generation = 0  # a new one on lock: later answers are dropped
        self._practitioners_generation = 0
        self._detail_for: tuple[str, str] | None = None
        self._detail: ReviewDetail | None = None
        self._acting = False
        self._stale = True
        self._quiet = False
        self.comment_dialog: CommentDialog | None = None
        #: Where the import command is, for the empty view (the main window says exactly).
        self.import_command = self.tr("File → Import reports…")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_DELAY_MS)
        self._timer.timeout.connect(self._apply_filter)

        # -- filters ------------------------------------------------------------------------
        self.practitioner_combo = QComboBox()
        self.practitioner_combo.setObjectName("reviewPractitioner")
        self.practitioner_combo.setAccessibleName(self.tr("Practitioner"))
        self.practitioner_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.practitioner_combo.setMinimumContentsLength(20)
        self.practitioner_combo.addItem(self.tr("All practitioners"), None)
        self.practitioner_combo.currentIndexChanged.connect(self._changed_now)
        self.from_edit = self._date_edit(
            "reviewFrom", self.tr("From date"), self.tr("Only records on or after this day")
        )
        self.to_edit = self._date_edit(
            "reviewTo", self.tr("To date"), self.tr("Only records on or before this day")
        )
        self.outcome_combo = outcome_filter(
            "reviewOutcome", self.tr("Outcome"), self.tr("Any outcome")
        )
        self.outcome_combo.currentIndexChanged.connect(self._changed_now)
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("reviewReason")
        self.reason_combo.setAccessibleName(self.tr("Why it needs attention"))
        self.reason_combo.addItem(self.tr("Any reason"), None)
        for reason in REASONS:
            self.reason_combo.addItem(reason_words(reason)[0], int(reason))
        self.reason_combo.currentIndexChanged.connect(self._changed_now)
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("reviewState")
        self.state_combo.setAccessibleName(self.tr("Review state"))
        self.state_combo.addItem(self.tr("Any state"), None)
        for state in STATES:
            self.state_combo.addItem(state_label(state), state)
        self.state_combo.currentIndexChanged.connect(self._changed_now)
        self.attention_check = QCheckBox(self.tr("Needs attention o&nly"))
        self.attention_check.setObjectName("reviewAttentionOnly")
        self.attention_check.setAccessibleName(self.tr("Needs attention only"))
        self.attention_check.setToolTip(
            self.tr("Only what waits for you: not yet acknowledged, or still to be signed off")
        )
        self.attention_check.setChecked(True)
        self.attention_check.toggled.connect(self._changed_now)
        self.clear_button = QPushButton(self.tr("C&lear filters"))
        self.clear_button.setObjectName("reviewClearFilters")
        self.clear_button.setAccessibleName(self.tr("Clear filters"))
        self.clear_button.setToolTip(self.tr("Back to the queue: everything that needs attention"))
        self.clear_button.clicked.connect(self.clear_filters)

        filters = QVBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for fields, extra in (
            (
                (
                    (self.tr("&Practitioner:"), self.practitioner_combo),
                    (self.tr("Fro&m:"), self.from_edit),
                    (self.tr("&To:"), self.to_edit),
                ),
                (),
            ),
            (
                (
                    (self.tr("&Outcome:"), self.outcome_combo),
                    (self.tr("Why it needs &attention:"), self.reason_combo),
                    (self.tr("&State:"), self.state_combo),
                ),
                (self.attention_check, self.clear_button),
            ),
        ):
            line = QHBoxLayout()
            for text, widget in fields:
                label = QLabel(text)
                label.setBuddy(widget)
                line.addWidget(label)
                line.addWidget(widget)
                line.addSpacing(8)
            for widget in extra:
                line.addWidget(widget)
            line.addStretch(1)
            filters.addLayout(line)

        # -- the table ----------------------------------------------------------------------
        self.model = ReviewModel(host, self)
        self.model.changed.connect(self._update_count)
        self.model.load_failed.connect(self.message)
        self.table = QTableView()
        self.table.setObjectName("reviewTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Imported records"))
        self.table.setAccessibleDescription(
            self.tr("Newest first. Select a record to review it on the right.")
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setAccessibleName(self.tr("Imported record columns"))
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        for column, sample in (
            (ReviewModel.PRACTITIONER, "Practitioner name"),
            (ReviewModel.DATE, "0000-00-00 00:00"),
            (ReviewModel.OUTCOME, "Share without consent"),
            (ReviewModel.RECIPIENT, "Children's social care"),
            (ReviewModel.STATE, "Acknowledged"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("reviewCount")
        self.count_label.setWordWrap(True)
        self.more_button = QPushButton(self.tr("Sho&w more"))
        self.more_button.setObjectName("reviewShowMore")
        self.more_button.setAccessibleName(self.tr("Show more records"))
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()

        # -- the selected record --------------------------------------------------------------
        self.history = QTextBrowser()
        self.history.setObjectName("reviewHistory")
        self.history.setAccessibleName(self.tr("Review"))
        self.history.setAccessibleDescription(
            self.tr("Where the selected record's review stands, why, and what was done about it")
        )
        self.history.setOpenLinks(False)
        self.history.setTabChangesFocus(True)
        self.history.setPlaceholderText(self.tr("Select a record to review it here."))
        self.history.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.acknowledge_button = QPushButton(self.tr("A&cknowledge"))
        self.acknowledge_button.setObjectName("reviewAcknowledge")
        self.acknowledge_button.setAccessibleName(self.tr("Acknowledge"))
        self.acknowledge_button.setToolTip(
            self.tr("You have seen it and have no concerns (signed with your key)")
        )
        self.acknowledge_button.clicked.connect(self.acknowledge)
        self.query_button = QPushButton(self.tr("&Query…"))
        self.query_button.setObjectName("reviewQuery")
        self.query_button.setAccessibleName(self.tr("Query"))
        self.query_button.setToolTip(self.tr("Ask the practitioner about it, with a comment"))
        self.query_button.clicked.connect(self.open_query_dialog)
        self.sign_off_button = QPushButton(self.tr("S&ign off…"))
        self.sign_off_button.setObjectName("reviewSignOff")
        self.sign_off_button.setAccessibleName(self.tr("Sign off"))
        self.sign_off_button.setToolTip(
            self.tr("Sign off the latest version (signed with your key), with an optional comment")
        )
        self.sign_off_button.clicked.connect(self.open_sign_off_dialog)
        self.error_label = ErrorLabel("reviewError")
        self.record_view = ImportedRecordView()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.more_button)
        left_layout.addLayout(bottom)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.history, 2)
        buttons = QHBoxLayout()
        for button in (self.acknowledge_button, self.query_button, self.sign_off_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.error_label)
        right_layout.addWidget(self.record_view, 5)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("reviewSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        # The table's last column holds the reasons, the longest text: the table gets two
        # thirds, the record beside it one third.
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([860, 420])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)

        for first, second in itertools.pairwise(self.controls()):
            self.setTabOrder(first, second)
        self._update_buttons()

    def _date_edit(self, name: str, accessible: str, description: str) -> DateEdit:
        edit = optional_date_edit(name, accessible, description, self.tr("Any"))
        edit.dateChanged.connect(self._changed_later)
        return edit

    def controls(self) -> list[QWidget]:
        """Every control in reading order: the tab order."""
        return [
            self.practitioner_combo,
            self.from_edit,
            self.to_edit,
            self.outcome_combo,
            self.reason_combo,
            self.state_combo,
            self.attention_check,
            self.clear_button,
            self.table,
            self.more_button,
            self.acknowledge_button,
            self.query_button,
            self.sign_off_button,
            self.history,
            self.record_view,
        ]

    # -- life cycle ---------------------------------------------------------------------------
    def activate(self) -> None:
        """The view was switched to: load it if it never was or is out of date; focus the table."""
        if self._stale:
            self.reload()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def reload(self) -> None:
        """Load the practitioners and the table's first page afresh."""
        self._stale = False
        self._load_practitioners()
        self._apply_filter(force=True)

    def data_changed(self) -> None:
        """Reports were imported: reload now if shown, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def clear(self) -> None:
        """On lock: forget everything shown. No case content may outlive the session."""
        self._generation += 1
        self._practitioners_generation += 1
        self._stale = True
        self._acting = False
        self._timer.stop()
        if self.comment_dialog is not None:
            self.comment_dialog.reject()
            self.comment_dialog = None
        self._set_all_to_any()
        self.practitioner_combo.blockSignals(True)
        self.practitioner_combo.clear()
        self.practitioner_combo.addItem(self.tr("All practitioners"), None)
        self.practitioner_combo.blockSignals(False)
        self.model.clear()
        self._show_detail(None)
        self.count_label.clear()
        self.more_button.hide()

    # -- filters ------------------------------------------------------------------------------
    def filter(self) -> ReviewFilter:
        start, end = self.from_edit.date(), self.to_edit.date()
        return ReviewFilter(
            signer_sha256=self.practitioner_combo.currentData(),
            start=None if start == NO_DATE else utc_start_of(start),
            # "To" includes that day; the store's bound is exclusive.
            end=None if end == NO_DATE else utc_start_of(end.addDays(1)),
            outcome=self.outcome_combo.currentData(),
            reason=self.reason_combo.currentData(),
            state=self.state_combo.currentData(),
            attention_only=self.attention_check.isChecked(),
        )

    def clear_filters(self) -> None:
        """Back to the queue; the table reloads once."""
        self._set_all_to_any()
        self._changed_now()

    def _set_all_to_any(self) -> None:
        self._quiet = True
        try:
            self.practitioner_combo.setCurrentIndex(0)
            self.from_edit.setDate(NO_DATE)
            self.to_edit.setDate(NO_DATE)
            self.outcome_combo.setCurrentIndex(0)
            self.reason_combo.setCurrentIndex(0)
            self.state_combo.setCurrentIndex(0)
            self.attention_check.setChecked(True)
        finally:
            self._quiet = False

    def _changed_now(self) -> None:
        self._timer.stop()
        if not self._quiet:
            self._apply_filter()

    def _changed_later(self) -> None:
        if not self._quiet:
            self._timer.start()

    def _apply_filter(self, force: bool = False) -> None:
        self._timer.stop()
        where = self.filter()
        if not force and where == self.model.where and (self.model.loaded or self.model.loading):
            return
        self._show_detail(None)
        self.model.set_filter(where)
        self._update_count()

    def _load_practitioners(self) -> None:
        self._practitioners_generation += 1
        generation = self._practitioners_generation
        self._host.submit(
            lambda session: session.review.practitioners(),
            lambda found: self._practitioners_arrived(generation, found),
            lambda _error: None,  # the combo keeps "All practitioners"
        )

    def _practitioners_arrived(self, generation: int, found: list[PractitionerSummary]) -> None:
        if generation != self._practitioners_generation:
            return
        combo = self.practitioner_combo
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("All practitioners"), None)
        for practitioner in found:
            name = practitioner.name or practitioner.fingerprint[:16] + "…"
            combo.addItem(
                self.tr("%1 (%n records)", "", practitioner.records).replace("%1", name),
                practitioner.fingerprint,
            )
            combo.setItemData(
                combo.count() - 1,
                self.tr("Certificate fingerprint %1").replace("%1", practitioner.fingerprint),
                Qt.ItemDataRole.ToolTipRole,
            )
        found_at = combo.findData(chosen)
        combo.setCurrentIndex(max(found_at, 0))
        combo.blockSignals(False)
        if chosen is not None and found_at < 0:
            self._changed_now()

    # -- the table ----------------------------------------------------------------------------
    def show_more(self) -> None:
        self.model.fetch_more()
        self._update_count()

    def _update_count(self) -> None:
        model = self.model
        shown, total = model.rowCount(), model.total
        queue = model.where.attention_only
        if model.loading and shown == 0:
            text = self.tr("Loading imported records…")
        elif not model.loaded:
            text = ""
        elif shown == 0 and model.imported == 0:
            text = self.tr(
                "No imported records yet. Import reports from practitioners with %1"
            ).replace("%1", self.import_command)
        elif shown == 0 and model.where == QUEUE:
            text = self.tr("Nothing waits for review.")
        elif shown == 0:
            text = self.tr("No imported records match these filters.")
        elif shown >= total:
            text = (
                self.tr("%n records wait for review.", "", total)
                if queue
                else self.tr("%n imported records match.", "", total)
            )
        else:
            template = (
                self.tr("The newest %1 of %n records waiting for review.", "", total)
                if queue
                else self.tr("The newest %1 of %n matching imported records.", "", total)
            )
            text = template.replace("%1", str(shown))
        self.count_label.setText(text)
        self.count_label.setAccessibleName(text)
        more = model.loaded and model.more
        had_focus = self.more_button.hasFocus()
        self.more_button.setVisible(more)
        self.more_button.setEnabled(more and not model.loading)
        if had_focus and not self.more_button.isVisible():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected_row(self) -> ReviewRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        self._show_detail(None if row is None else (row.item.signer_sha256, row.item.record_id))

    # -- the selected record ------------------------------------------------------------------
    def _show_detail(self, key: tuple[str, str] | None, force: bool = False) -> None:
        if key == self._detail_for and not force:
            return
        if key != self._detail_for:
            self.error_label.clear_message()
        self._detail_for = key
        if not force or key is None:
            self._detail = None
            self.history.clear()
            self.record_view.clear()
        self._update_buttons()
        if key is None:
            self.history.setPlaceholderText(self.tr("Select a record to review it here."))
            self.record_view.setPlaceholderText(self.tr("Select a record to read it here."))
            return
        self.history.setPlaceholderText(self.tr("Loading the record…"))
        generation = self._generation
        self._host.submit(
            load_review_detail(*key),
            lambda detail: self._detail_arrived(generation, key, detail),
            lambda error: self._detail_failed(generation, key, error),
        )

    def _detail_arrived(self, generation: int, key: tuple[str, str], detail: ReviewDetail) -> None:
        if generation != self._generation or key != self._detail_for:
            return
        self._detail = detail
        self.history.setHtml(self.review_html(detail))
        self.record_view.show_detail(detail.record)
        self._update_buttons()
        self.detail_loaded.emit(key[1])

    def _detail_failed(self, generation: int, key: tuple[str, str], error: Exception) -> None:
        if generation != self._generation or key != self._detail_for:
            return
        self.history.setPlainText(
            self.tr("This record could not be read: %1").replace("%1", failure_reason(error))
        )

    def review_html(self, detail: ReviewDetail) -> str:
        row = detail.row

        def line(label: str, value: str) -> str:
            return f"<p><b>{html.escape(label)}:</b> {html.escape(value)}</p>"

        def tag(name: str, text: str) -> str:
            return f"<{name}>{html.escape(text)}</{name}>"

        words = reason_words(row.item.reasons)
        parts = [
            tag("h2", self.tr("Review: %1").replace("%1", state_label(row.state))),
            line(self.tr("From"), practitioner_label(row)),
            line(self.tr("Outcome"), record_outcome(row)),
            line(
                self.tr("Why it needs attention"),
                self.tr("; ").join(words) if words else self.tr("Nothing in particular"),
            ),
        ]
        if waits(row.item.reasons, row.state):
            parts.append(tag("p", self.tr("It waits in the queue for you.")))
        parts.append(tag("h3", self.tr("What was done")))
        if not detail.actions:
            parts.append(tag("p", self.tr("Nothing yet.")))
        for statement in detail.actions:
            reviewer = statement.reviewer
            parts.append(
                tag(
                    "p",
                    fill_in(
                        self.tr("%1: %2 by %3 (%4), version %5"),
                        local_time(statement.acted_at.isoformat()),
                        state_label(STATE_AFTER[statement.action]),
                        reviewer.name,
                        reviewer.role,
                        statement.version,
                    ),
                )
            )
            if statement.comment:
                style = "margin-top:0; margin-left:16px"
                parts.append(
                    f'<p style="{style}">'
                    + html.escape(self.tr("Comment: %1").replace("%1", statement.comment))
                    + "</p>"
                )
        return "".join(parts)

    def _update_buttons(self) -> None:
        can_act = self._detail is not None and not self._acting
        for button in (self.acknowledge_button, self.query_button, self.sign_off_button):
            button.setEnabled(can_act)

    # -- acting -------------------------------------------------------------------------------
    def acknowledge(self) -> None:
        self._act(Action.ACKNOWLEDGE, None)

    def open_query_dialog(self) -> CommentDialog | None:
        return self._open_comment_dialog(
            Action.QUERY,
            CommentDialog(
                "queryDialog",
                self.tr("Query this record"),
                prompt=self.tr("&Comment for the practitioner:"),
                button_text=self.tr("&Send query"),
                required=True,
                parent=self,
            ),
            self.tr(
                "Ask the practitioner about this record. They see your comment when they import"
                " your reviews."
            ),
        )

    def open_sign_off_dialog(self) -> CommentDialog | None:
        return self._open_comment_dialog(
            Action.SIGN_OFF,
            CommentDialog(
                "signOffDialog",
                self.tr("Sign off this record"),
                prompt=self.tr("&Comment (optional):"),
                button_text=self.tr("&Sign off"),
                required=False,
                parent=self,
            ),
            self.tr("Sign off the latest version of this record, signed with your key."),
        )

    def _open_comment_dialog(
        self, action: Action, dialog: CommentDialog, explanation: str
    ) -> CommentDialog | None:
        if self._detail is None or self._acting:
            dialog.deleteLater()
            return None
        detail = self._detail
        dialog.explanation.setText(
            explanation
            + "\n"
            + fill_in(
                self.tr("%1, %2, from %3."),
                record_outcome(detail.row),
                local_time(detail.row.item.event_at),
                practitioner_label(detail.row),
            )
        )
        self.comment_dialog = dialog
        dialog.accepted.connect(lambda: self._comment_given(dialog, action, detail.row))
        dialog.finished.connect(lambda _result: self._comment_dialog_closed(dialog))
        dialog.open()
        dialog.comment_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        return dialog

    def _comment_given(self, dialog: CommentDialog, action: Action, row: ReviewRow) -> None:
        current = self._detail
        if current is None or current.row.item != row.item:  # the selection moved meanwhile
            return
        self._act(action, dialog.comment())

    def _comment_dialog_closed(self, dialog: CommentDialog) -> None:
        if self.comment_dialog is dialog:
            self.comment_dialog = None

    def _act(self, action: Action, comment: str | None) -> None:
        if self._detail is None or self._acting:
            return
        row = self._detail.row
        self._acting = True
        self._update_buttons()
        self.error_label.clear_message()
        generation = self._generation
        self._host.submit(
            act_on(row, action, comment, self.model.where),
            lambda result: self._acted(generation, result),
            lambda error: self._act_failed(generation, error),
        )

    def _acted(self, generation: int, result: ActResult) -> None:
        if generation != self._generation:
            return
        self._acting = False
        row = result.row
        key = (row.item.signer_sha256, row.item.record_id)
        number = self.model.row_of(*key)
        had_focus = self.table.hasFocus()
        self.model.update_row(row, result.matches, result.total)
        done = {
            Action.ACKNOWLEDGE: self.tr("Acknowledged."),
            Action.QUERY: self.tr("Query recorded for the practitioner."),
            Action.SIGN_OFF: self.tr("Signed off."),
        }[result.statement.action]
        if waits(row.item.reasons, row.state):
            done += " " + self.tr("It stays in the queue: what it holds needs your sign-off.")
        elif self.model.where.attention_only:
            done += " " + self.tr("It has left the queue.")
        if result.matches or number < 0:
            self._show_detail(key, force=True)
        else:  # it left the table: on to the record that took its place
            remaining = self.model.rowCount()
            if remaining:
                self.table.selectRow(min(number, remaining - 1))
            else:
                self.table.clearSelection()
                self.table.setCurrentIndex(QModelIndex())
                self._show_detail(None)
            if had_focus:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_buttons()
        self.message.emit(done)
        self.acted.emit(result.statement)

    def _act_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._acting = False
        self._update_buttons()
        text = self.tr("This could not be done: %1").replace("%1", failure_reason(error))
        self.error_label.show_message(text)
        self.message.emit(text)
