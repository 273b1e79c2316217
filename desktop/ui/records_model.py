"""Table and list models over the session: windowed, filtered and searched in SQL.

``RecordsModel`` follows the perf baseline's windowed model (and Anki's browser): a query first
shows its newest page at once (a keyset read of ``PAGE_SIZE`` rows), then asks for the ids of
every matching record (8 bytes each, a covering-index read: about half a second at a million
records) and sets the row count from them. Rows themselves are fetched in blocks of ``BLOCK``
ids when a view first asks for one of them, kept up to ``CACHED_ROWS``, and shown as "…" until
they arrive; scrolling to the end of a million rows therefore fetches one or two blocks. Every
read runs on the session worker, never on the GUI thread, and display text is worked out once
per row when a block arrives, so ``data()`` is two dictionary lookups (a repaint calls it
hundreds of times: perf-baseline, "Qt"). There is no proxy model: filtering and searching are
the store's job (an index or FTS5).

Results that arrive for an older query (the user typed on, picked another case, or locked) are
recognised by a generation number and dropped; reads for an older query that are still running
are stopped (``should_stop``) so that they do not hold up the one the user is waiting for.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Sequence
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

from desktop.session import RecordFilter, RecordRow, Session
from desktop.ui.wording import flags_label, local_time, outcome_label
from desktop.ui.worker import SessionHost

PAGE_SIZE = 200
BLOCK = 256
CACHED_ROWS = 20_000  # about 20 MB of rows and their display text

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


# The jobs below run on the worker thread: they capture only immutable values and a
# ``should_stop`` that reads one integer of the model (safe across threads under the GIL).


def _first_page(
    query: RecordQuery, should_stop: Callable[[], bool]
) -> Callable[[Session], list[RecordRow]]:
    where, text = query.where(), query.text
    if query.searching:
        return lambda session: session.search(text, where, should_stop=should_stop)
    return lambda session: session.list_records(where=where)


def _all_ids(
    query: RecordQuery, should_stop: Callable[[], bool]
) -> Callable[[Session], array[int]]:
    where, text = query.where(), query.text
    return lambda session: session.record_ids(where, text, should_stop=should_stop)


def _block(rowids: Sequence[int]) -> Callable[[Session], list[RecordRow]]:
    wanted = tuple(rowids)
    return lambda session: session.rows(wanted)


class RecordsModel(QAbstractTableModel):
    """The records table. Columns: Date, Case, Outcome, Recipient, Basis, Flags/status."""

    #: Rows were added to the table: (how many, whether more may follow).
    page_loaded = Signal(int, bool)
    #: Rows could not be loaded: a message for people.
    load_failed = Signal(str)

    DATE, CASE, OUTCOME, RECIPIENT, BASIS, FLAGS = range(6)

    def __init__(self, host: SessionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._query = RecordQuery()
        self._ids: Sequence[int] = ()
        self._rows: dict[int, tuple[RecordRow, tuple[str, ...]]] = {}  # by rowid, oldest first
        self._asked: set[int] = set()  # blocks asked for and not yet arrived
        self._generation = 0
        self._loading = False
        self._exhausted = True  # every matching id is known
        self._headers = (
            self.tr("Date"),
            self.tr("Case"),
            self.tr("Outcome"),
            self.tr("Recipient"),
            self.tr("Basis"),
            self.tr("Flags/status"),
        )
        self._placeholder = self.tr("…")
        self._placeholder_spoken = self.tr("Loading")

    # -- what the table shows -------------------------------------------------------------
    @property
    def query(self) -> RecordQuery:
        return self._query

    @property
    def loading(self) -> bool:
        """The first page or the id window is still on its way."""
        return self._loading

    @property
    def exhausted(self) -> bool:
        """Every matching record is counted in ``rowCount()``."""
        return self._exhausted

    @property
    def cached_rows(self) -> int:
        return len(self._rows)

    def set_query(self, query: RecordQuery) -> None:
        """Show ``query``'s records from the newest; the first page is asked for at once."""
        self._reset(query)
        self._loading = True
        generation = self._generation
        self._host.submit(
            _first_page(query, self._stale(generation)),
            lambda rows: self._first_page_arrived(generation, rows),
            lambda error: self._failed(generation, error),
        )

    def refresh(self) -> None:
        self.set_query(self._query)

    def clear(self) -> None:
        """Forget every row (on lock: no case content may outlive the session)."""
        self._reset(RecordQuery())

    def _reset(self, query: RecordQuery) -> None:
        self.beginResetModel()
        self._generation += 1
        self._query = query
        self._ids = ()
        self._rows = {}
        self._asked = set()
        self._loading = False
        self._exhausted = True
        self.endResetModel()

    def _stale(self, generation: int) -> Callable[[], bool]:
        return lambda: generation != self._generation

    def row_at(self, row: int) -> RecordRow | None:
        """The row's record, or ``None`` while its block is on its way."""
        if not 0 <= row < len(self._ids):
            return None
        entry = self._rows.get(self._ids[row])
        return None if entry is None else entry[0]

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:
            return None
        row = index.row()
        entry = self._rows.get(self._ids[row])
        if entry is None:
            self._ask_for_block(row // BLOCK)
            if role == RECORD_ID_ROLE:
                return None
            spoken = role == Qt.ItemDataRole.AccessibleTextRole
            return self._placeholder_spoken if spoken else self._placeholder
        if role == RECORD_ID_ROLE:
            return entry[0].record_id
        return entry[1][index.column()]

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

    # -- results (GUI thread) ---------------------------------------------------------------
    def _first_page_arrived(self, generation: int, rows: list[RecordRow]) -> None:
        if generation != self._generation:
            return
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._ids = [row.rowid for row in rows]
            self._keep(rows)
            self.endInsertRows()
        more = len(rows) == PAGE_SIZE
        if more:
            self._exhausted = False
            self._host.submit(
                _all_ids(self._query, self._stale(generation)),
                lambda ids: self._window_arrived(generation, ids),
                lambda error: self._failed(generation, error),
            )
        else:
            self._loading = False
        self.page_loaded.emit(len(rows), more)

    def _window_arrived(self, generation: int, ids: array[int]) -> None:
        if generation != self._generation:
            return
        shown = len(self._ids)
        self._loading = False
        self._exhausted = True
        if list(ids[:shown]) == list(self._ids):
            if len(ids) > shown:
                self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                self._ids = ids
                self.endInsertRows()
        else:  # a record was saved in between: the rows already fetched stay valid by id
            self.beginResetModel()
            self._ids = ids
            self._asked = set()
            self.endResetModel()
        self.page_loaded.emit(len(ids) - shown, False)

    def _ask_for_block(self, block: int) -> None:
        if block in self._asked:
            return
        self._asked.add(block)
        generation = self._generation
        rowids = self._ids[block * BLOCK : (block + 1) * BLOCK]
        self._host.submit(
            _block(rowids),
            lambda rows: self._block_arrived(generation, block, rows),
            lambda error: self._failed(generation, error),
        )

    def _block_arrived(self, generation: int, block: int, rows: list[RecordRow]) -> None:
        if generation != self._generation:
            return
        self._asked.discard(block)
        self._keep(rows)
        first = block * BLOCK
        last = min(first + BLOCK, len(self._ids)) - 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(self._headers) - 1))

    def _keep(self, rows: list[RecordRow]) -> None:
        """Cache rows with their display text, forgetting the oldest beyond ``CACHED_ROWS``."""
        for row in rows:
            self._rows.pop(row.rowid, None)
            self._rows[row.rowid] = (row, _display(row))
        excess = len(self._rows) - CACHED_ROWS
        if excess > 0:
            for rowid in list(itertools.islice(self._rows, excess)):
                del self._rows[rowid]

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return  # includes the reads stopped because a newer query replaced them
        self._loading = False
        self._exhausted = True
        self.load_failed.emit(
            QCoreApplication.translate(
                "RecordsModel", "The records could not be loaded: %1"
            ).replace("%1", str(error))
        )


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        RECORD_ID_ROLE,
    }
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
