"""Table and list models over the session: lazy, keyset-paged, filtered and searched in SQL.

``RecordsModel`` holds only the rows already fetched, newest first, in pages of ``PAGE_SIZE``. The
next page is asked for with the position of the last row (``Cursor(event_at, rowid)`` for a list,
``before_rowid`` for a search), never an OFFSET, and always through the session worker, never on
the GUI thread. Display text is worked out once when a page arrives, so ``data()`` is two list
lookups (a repaint calls it hundreds of times: perf-baseline, "Qt"). There is no proxy model:
filtering and searching are the store's job (an index or FTS5).

Results that arrive for an older query (the user typed on, picked another case, or locked) are
recognised by a generation number and dropped.

Scrolling to the very end of a huge store still loads every page on the way (perf-baseline: a
plain ``fetchMore`` model reaches the end of 1M rows in 6.5 s). The later step, when the session
offers it, is a windowed model: the first page at once, then an id window and a separately kept
count, with blocks of rows fetched for whatever is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.session import Cursor, RecordFilter, RecordRow, Session
from desktop.ui.wording import flags_label, local_time, outcome_label
from desktop.ui.worker import SessionHost

PAGE_SIZE = 200

ModelIndex = QModelIndex | QPersistentModelIndex

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class RecordQuery:
    """What the table shows: all records or one case's, narrowed by the filter bar's
    ``filters`` (its ``case_id`` is ignored: the case list sets that), optionally matching a
    search. Every part becomes SQL in the store: there is no proxy model."""

    case_id: str | None = None
    text: str = ""
    filters: RecordFilter = field(default_factory=RecordFilter)

    @property
    def searching(self) -> bool:
        return bool(self.text.strip())

    @property
    def filtering(self) -> bool:
        return replace(self.filters, case_id=None) != RecordFilter()

    def where(self) -> RecordFilter:
        return replace(self.filters, case_id=self.case_id)


def _fetch_page(
    query: RecordQuery, last: RecordRow | None, limit: int
) -> Callable[[Session], list[RecordRow]]:
    """The job for one page; it captures only immutable values and runs on the worker thread."""
    where = query.where()
    if query.searching:
        before = None if last is None else last.rowid
        text = query.text

        def search(session: Session) -> list[RecordRow]:
            return session.search(text, where, before, limit)

        return search
    after = None if last is None else Cursor(last.event_at, last.rowid)

    def page(session: Session) -> list[RecordRow]:
        return session.list_records(where=where, after=after, limit=limit)

    return page


class RecordsModel(QAbstractTableModel):
    """The records table. Columns: Date, Case, Outcome, Recipient, Basis, Flags/status."""

    #: A page arrived: (rows in it, whether more may follow).
    page_loaded = Signal(int, bool)
    #: A page could not be loaded: a message for people.
    load_failed = Signal(str)

    DATE, CASE, OUTCOME, RECIPIENT, BASIS, FLAGS = range(6)

    def __init__(self, host: SessionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._query = RecordQuery()
        self._rows: list[RecordRow] = []
        self._text: list[tuple[str, ...]] = []
        self._generation = 0
        self._loading = False
        self._exhausted = True  # nothing to fetch until a query is set
        self._headers = (
            self.tr("Date"),
            self.tr("Case"),
            self.tr("Outcome"),
            self.tr("Recipient"),
            self.tr("Basis"),
            self.tr("Flags/status"),
        )

    # -- what the table shows -------------------------------------------------------------
    @property
    def query(self) -> RecordQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def set_query(self, query: RecordQuery) -> None:
        """Show ``query``'s records from the newest; the first page is asked for at once."""
        self._reset(query, exhausted=False)
        self.fetchMore(QModelIndex())

    def refresh(self) -> None:
        self.set_query(self._query)

    def clear(self) -> None:
        """Forget every row (on lock: no case content may outlive the session)."""
        self._reset(RecordQuery(), exhausted=True)

    def _reset(self, query: RecordQuery, *, exhausted: bool) -> None:
        self.beginResetModel()
        self._generation += 1
        self._query = query
        self._rows = []
        self._text = []
        self._loading = False
        self._exhausted = exhausted
        self.endResetModel()

    def row_at(self, row: int) -> RecordRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return self._text[index.row()][index.column()]
        if role == RECORD_ID_ROLE:
            return self._rows[index.row()].record_id
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return self._headers[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._loading:
            return
        self._loading = True
        generation = self._generation
        last = self._rows[-1] if self._rows else None
        self._host.submit(
            _fetch_page(self._query, last, PAGE_SIZE),
            lambda rows: self._page_arrived(generation, rows),
            lambda error: self._page_failed(generation, error),
        )

    # -- results (GUI thread) ---------------------------------------------------------------
    def _page_arrived(self, generation: int, rows: list[RecordRow]) -> None:
        if generation != self._generation:
            return  # an older query's page
        self._loading = False
        self._exhausted = len(rows) < PAGE_SIZE
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self._text.extend(_display(row) for row in rows)
            self.endInsertRows()
        self.page_loaded.emit(len(rows), not self._exhausted)

    def _page_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True
        self.load_failed.emit(
            QCoreApplication.translate(
                "RecordsModel", "The records could not be loaded: %1"
            ).replace("%1", str(error))
        )


def _display(row: RecordRow) -> tuple[str, ...]:
    return (
        local_time(row.event_at),
        row.case_id,
        outcome_label(row.outcome, row.subtype),
        row.recipient_summary,
        row.basis_summary,
        flags_label(row.status, row.flagged, row.pending),
    )


class CasesModel(QAbstractListModel):
    """The case list: "All cases" first, then each case with its count, most recent first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cases: list[tuple[str, int, str]] = []
        self._labels: list[str] = [self._all_label(0)]

    def _all_label(self, total: int) -> str:
        return self.tr("All cases (%n records)", "", total)

    def set_cases(self, cases: list[tuple[str, int, str]]) -> None:
        self.beginResetModel()
        self._cases = list(cases)
        total = sum(count for _, count, _ in self._cases)
        self._labels = [self._all_label(total)] + [
            self.tr("%1 (%n records)", "", count).replace("%1", case_id)
            for case_id, count, _ in self._cases
        ]
        self.endResetModel()

    def clear(self) -> None:
        self.set_cases([])

    def case_at(self, row: int) -> str | None:
        """The case id on ``row``; ``None`` for "All cases"."""
        return self._cases[row - 1][0] if 1 <= row <= len(self._cases) else None

    def row_of(self, case_id: str | None) -> int:
        if case_id is None:
            return 0
        for row, (candidate, _, _) in enumerate(self._cases, start=1):
            if candidate == case_id:
                return row
        return 0

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._labels)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._labels[index.row()]
        if role == CASE_ID_ROLE:
            return self.case_at(index.row())
        return None
