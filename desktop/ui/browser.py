"""The records page: the case list (left), search, the filter bar and the records table
(middle), the detail of the selected record (right).

Picking a case, typing a search or changing a filter sets the table's query; the store does the
filtering (an index or FTS5), the model pages through the result from the newest. The detail is
fetched through the worker when the current row changes; an answer for a row that is no longer
current is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.session import RecordRow, Session
from desktop.ui.detail_view import DetailView, RecordDetail, load_detail
from desktop.ui.filter_bar import FilterBar
from desktop.ui.records_model import CasesModel, RecordQuery, RecordsModel
from desktop.ui.withdraw_dialog import WithdrawConsentDialog
from desktop.ui.worker import SessionHost

# Short enough that results show within 100 ms of the last keystroke (make bench); searches
# that a later keystroke replaces are stopped in the store, so typing on costs little.
SEARCH_DELAY_MS = 30
# A one-letter prefix matches nearly every record and takes FTS5 most of a second at a
# million records (a read that cannot be stopped part-way): searching starts at two.
MIN_SEARCH_CHARS = 2


class RecordsBrowser(QWidget):
    #: The detail pane now shows this record.
    detail_loaded = Signal(str)
    #: The case list was (re)loaded.
    cases_loaded = Signal()
    #: A message for the status bar.
    message = Signal(str)
    #: The selected record changed: its id, or ``None`` when nothing is selected.
    record_selected = Signal(object)

    def __init__(self, host: SessionHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordsBrowser")
        self._host = host
        self._detail_for: str | None = None
        self._cases_generation = 0
        self._basis_generation = 0
        self.withdraw_dialog: WithdrawConsentDialog | None = None

        self.cases_model = CasesModel(self)
        self.cases_view = QListView()
        self.cases_view.setObjectName("casesView")
        self.cases_view.setModel(self.cases_model)
        self.cases_view.setAccessibleName(self.tr("Cases"))
        self.cases_view.setAccessibleDescription(self.tr("Pick a case to list only its records"))
        self.cases_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cases_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cases_view.setUniformItemSizes(True)
        self.cases_view.selectionModel().currentChanged.connect(self._case_changed)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setAccessibleName(self.tr("Search records"))
        self.search_edit.setPlaceholderText(
            self.tr("Search recipients, purpose, information and notes (Ctrl+F)")
        )
        self.search_edit.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_query)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self._apply_query)

        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(self._apply_query)

        self.model = RecordsModel(host, self)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.load_failed.connect(self.message)
        self.table = QTableView()
        self.table.setObjectName("recordsTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Records"))
        self.table.setAccessibleDescription(
            self.tr("Newest first. Select a record to read it in the detail pane.")
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(False)  # order comes from the store's index
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setAccessibleName(self.tr("Record columns"))
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics = self.table.fontMetrics()
        # Wide enough for the usual values; the whole text is in each cell's tooltip, and the
        # flags column keeps the rest so it is never scrolled out of sight.
        for column, sample in (
            (RecordsModel.DATE, "0000-00-00 00:00"),
            (RecordsModel.CASE, "C-0000-00000"),
            (RecordsModel.OUTCOME, "Share without consent"),
            (RecordsModel.RECIPIENT, "Children's social care"),
            (RecordsModel.BASIS, "UK-GDPR-6-1-E"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        rows.setAccessibleName(self.tr("Record rows"))
        corner = self.table.findChild(QAbstractButton)
        if corner is not None:
            corner.setAccessibleName(self.tr("Select all records"))
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.dataChanged.connect(self._rows_arrived)

        self.count_label = QLabel()
        self.count_label.setObjectName("recordsCount")

        self.detail = DetailView()

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.search_edit)
        middle_layout.addWidget(self.filter_bar)
        middle_layout.addWidget(self.table, 1)
        middle_layout.addWidget(self.count_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("browserSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.cases_view)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([210, 760, 310])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        # Reading order: cases, search, the filter bar left to right, the table, the detail.
        chain = [self.cases_view, self.search_edit, *self.filter_bar.controls(), self.table]
        for first, second in zip(chain, [*chain[1:], self.detail], strict=True):
            self.setTabOrder(first, second)

    # -- life cycle ---------------------------------------------------------------------------
    def reload(self) -> None:
        """After unlocking: load the cases and the newest records."""
        self._load_cases()
        self._load_basis_codes()
        self.model.set_query(self._query())
        self._update_count()

    def clear(self) -> None:
        """On lock: forget everything shown. No case content may outlive the session."""
        self._search_timer.stop()
        self._cases_generation += 1
        self._basis_generation += 1
        self._detail_for = None
        self.close_withdraw_dialog()
        self.search_edit.blockSignals(True)
        self.search_edit.setText("")  # unlike clear(), also empties the undo history
        self.search_edit.blockSignals(False)
        self.filter_bar.reset()
        self.model.clear()
        self.cases_model.clear()
        self.detail.clear()
        self.count_label.clear()
        self.record_selected.emit(None)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def selected_row(self) -> RecordRow | None:
        """The list row of the selected record (its case and person), if one is selected."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def selected_record_id(self) -> str | None:
        row = self.selected_row()
        return None if row is None else row.record_id

    # -- withdraw consent ---------------------------------------------------------------------
    def open_withdraw_dialog(self) -> WithdrawConsentDialog:
        """Open the withdrawal dialog, prefilled from the selected record; not modal."""
        self.close_withdraw_dialog()
        row = self.selected_row()
        dialog = WithdrawConsentDialog(
            self._host,
            case_id="" if row is None else row.case_id,
            subject_id="" if row is None else row.subject_id,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self._withdraw_dialog_gone(dialog))
        dialog.saved.connect(
            lambda result: self.message.emit(
                self.tr(
                    "Consent withdrawal saved; %n recipients to tell.",
                    "",
                    len(result.recipients_to_notify),
                )
            )
        )
        self.withdraw_dialog = dialog
        dialog.open()
        return dialog

    def close_withdraw_dialog(self) -> None:
        """On lock: the dialog shows case data, so it goes."""
        if self.withdraw_dialog is not None:
            dialog, self.withdraw_dialog = self.withdraw_dialog, None
            dialog.close()

    def _withdraw_dialog_gone(self, dialog: WithdrawConsentDialog) -> None:
        if self.withdraw_dialog is dialog:
            self.withdraw_dialog = None

    # -- queries ----------------------------------------------------------------------------
    def _query(self) -> RecordQuery:
        current = self.cases_view.currentIndex()
        case_id = self.cases_model.case_at(current.row()) if current.isValid() else None
        text = self.search_edit.text().strip()
        return RecordQuery(
            case_id=case_id,
            text=text if len(text) >= MIN_SEARCH_CHARS else "",
            filters=self.filter_bar.filters(),
        )

    def _apply_query(self) -> None:
        self._search_timer.stop()
        query = self._query()
        if query == self.model.query and (self.model.loading or self.model.rowCount()):
            self._update_count()  # e.g. one letter typed: say why nothing was searched
            return
        self._show_detail(None)
        self.model.set_query(query)
        self._update_count()

    def _load_cases(self) -> None:
        self._cases_generation += 1
        generation = self._cases_generation
        self._host.submit(
            lambda session: session.cases(),
            lambda cases: self._cases_arrived(generation, cases),
            lambda error: self._cases_failed(generation, error),
        )

    def _load_basis_codes(self) -> None:
        """The basis combo offers the user's rule pack's codes, each with its label."""
        self._basis_generation += 1
        generation = self._basis_generation

        def job(session: Session) -> list[tuple[str, str]]:
            pack = session.rule_pack(session.profile().jurisdiction)
            return [(code.code, code.label) for code in pack.basis_codes]

        self._host.submit(
            job,
            lambda codes: self._basis_arrived(generation, codes),
            lambda error: None,  # the combo keeps "Any basis"; nothing else depends on it
        )

    def _basis_arrived(self, generation: int, codes: list[tuple[str, str]]) -> None:
        if generation == self._basis_generation:
            self.filter_bar.set_basis_codes(codes)

    def _cases_arrived(self, generation: int, cases: list[tuple[str, int, str]]) -> None:
        if generation != self._cases_generation:
            return
        selected = self._query().case_id
        self.cases_model.set_cases(cases)
        self.cases_view.selectionModel().blockSignals(True)
        self.cases_view.setCurrentIndex(self.cases_model.index(self.cases_model.row_of(selected)))
        self.cases_view.selectionModel().blockSignals(False)
        self.cases_loaded.emit()

    def _cases_failed(self, generation: int, error: Exception) -> None:
        if generation == self._cases_generation:
            self.message.emit(
                self.tr("The cases could not be loaded: %1").replace("%1", str(error))
            )

    def _case_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._apply_query()

    # -- table and detail ---------------------------------------------------------------------
    def _page_loaded(self, _count: int, _more: bool) -> None:
        self._update_count()

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        if self.model.loading and shown == 0:
            text = self.tr("Loading records…")
        elif shown == 0:
            if self.model.query.searching:
                text = self.tr("No records match this search.")
            elif self.model.query.filtering:
                text = self.tr("No records match these filters.")
            else:
                text = self.tr("No records yet.")
        elif self.model.exhausted:
            text = self.tr("%n records", "", shown)
        else:
            text = self.tr("The newest %n records; counting the rest…", "", shown)
        if 0 < len(self.search_edit.text().strip()) < MIN_SEARCH_CHARS:
            text = self.tr("Type at least two letters to search.") + " " + text
        self.count_label.setText(text)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        self._show_detail(None if row is None else row.record_id)

    def _rows_arrived(self, first: QModelIndex, last: QModelIndex) -> None:
        """A row selected before its block arrived (a long jump with the keyboard) is shown
        in the detail pane once it is there."""
        current = self.table.currentIndex()
        if current.isValid() and first.row() <= current.row() <= last.row():
            self._row_changed(current, current)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self.table.selectionModel().hasSelection():
            self._show_detail(None)

    def _show_detail(self, record_id: str | None) -> None:
        if record_id == self._detail_for:
            return
        self._detail_for = record_id
        self.record_selected.emit(record_id)
        self.detail.clear()
        if record_id is None:
            self.detail.setPlaceholderText(self.tr("Select a record to read it here."))
            return
        self.detail.setPlaceholderText(self.tr("Loading the record…"))
        self._host.submit(
            load_detail(record_id),
            lambda detail: self._detail_arrived(record_id, detail),
            lambda error: self._detail_failed(record_id, error),
        )

    def reload_detail(self) -> None:
        """Read the shown record again (reviews of it were imported, say); it stays shown
        until the new reading arrives."""
        record_id = self._detail_for
        if record_id is None:
            return
        self._host.submit(
            load_detail(record_id),
            lambda detail: self._detail_arrived(record_id, detail),
            lambda error: self._detail_failed(record_id, error),
        )

    def _detail_arrived(self, record_id: str, detail: RecordDetail) -> None:
        if record_id != self._detail_for:
            return
        self.detail.show_detail(detail)
        self.detail_loaded.emit(record_id)

    def _detail_failed(self, record_id: str, error: Exception) -> None:
        if record_id != self._detail_for:
            return
        self.detail.show_problem(
            self.tr("This record could not be read: %1").replace("%1", str(error))
        )
