"""The supervisor's review table: imported records, newest first, a page at a time.

A query (a ``ReviewFilter``) first loads its newest ``PAGE_SIZE`` rows and counts every match,
in one job on the session thread: an indexed read of 500 rows and an indexed count, so the
queue opens at once over 100,000 imported records. "Show more" asks for the next page after the
last row shown (the store pages by key, not by offset, so a row settled meanwhile shifts
nothing). Display text is worked out once per row as it arrives; ``data()`` is a lookup.

A row acted on is replaced in place, or removed when it no longer matches (it left the queue).
Answers for an older query, or arriving after ``clear()`` (the lock), are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.review.attention import Reason
from desktop.review.service import ReviewFilter, ReviewRow
from desktop.session import Session
from desktop.ui.wording import local_time, outcome_label, status_label
from desktop.ui.worker import SessionHost

PAGE_SIZE = 500

ModelIndex = QModelIndex | QPersistentModelIndex

_CONTEXT = "ReviewWording"

#: Why a record needs the supervisor's attention, each reason in plain words.
REASONS: Mapping[Reason, object] = {
    Reason.WITHOUT_CONSENT: QT_TRANSLATE_NOOP("ReviewWording", "Shared without consent"),
    Reason.NO_ESTABLISHED_BASIS: QT_TRANSLATE_NOOP(
        "ReviewWording", "Shared without an established basis"
    ),
    Reason.OBJECTION_OVERRULED: QT_TRANSLATE_NOOP("ReviewWording", "An objection was overruled"),
    Reason.NOT_INFORMED: QT_TRANSLATE_NOOP("ReviewWording", "The person was not told"),
    Reason.EMERGENCY_RECORDED_LATE: QT_TRANSLATE_NOOP(
        "ReviewWording", "Emergency recorded over 24 hours later"
    ),
    Reason.WHOLE_RECORD: QT_TRANSLATE_NOOP("ReviewWording", "The whole record was shared"),
    Reason.OPEN_FLAGS: QT_TRANSLATE_NOOP("ReviewWording", "The checklist raised flags"),
    Reason.SIGN_OFF_REQUIRED: QT_TRANSLATE_NOOP("ReviewWording", "Needs your sign-off"),
    Reason.RECIPIENTS_TO_NOTIFY: QT_TRANSLATE_NOOP(
        "ReviewWording", "Consent withdrawn: recipients still to be told"
    ),
}

#: Where a record's review stands.
STATES: Mapping[str, object] = {
    "open": QT_TRANSLATE_NOOP("ReviewWording", "Open"),
    "acknowledged": QT_TRANSLATE_NOOP("ReviewWording", "Acknowledged"),
    "queried": QT_TRANSLATE_NOOP("ReviewWording", "Queried"),
    "signed_off": QT_TRANSLATE_NOOP("ReviewWording", "Signed off"),
}


def _translate(text: object) -> str:
    return QCoreApplication.translate(_CONTEXT, str(text))


def reason_words(bits: int) -> list[str]:
    """Each reason in ``bits``, in plain words, in a fixed order."""
    return [_translate(words) for reason, words in REASONS.items() if bits & reason]


def state_label(state: str) -> str:
    source = STATES.get(state)
    return _translate(source) if source is not None else state


def practitioner_label(row: ReviewRow) -> str:
    """The practitioner's name as their report gave it; their fingerprint's start if none."""
    return row.practitioner or row.item.signer_sha256[:16] + "…"


def record_outcome(row: ReviewRow) -> str:
    """The decision in the brief's plain terms; a record without one says its status."""
    item = row.item
    return outcome_label(item.outcome) if item.outcome else status_label(item.status)


@dataclass(frozen=True)
class ReviewPage:
    """One page of a query, made on the session thread."""

    rows: list[ReviewRow]
    total: int
    """How many rows match the query in all."""
    imported: int
    """How many imported records there are at all (only counted when nothing matched)."""


def first_page(where: ReviewFilter) -> Callable[[Session], ReviewPage]:
    def job(session: Session) -> ReviewPage:
        rows = session.review.rows(where, PAGE_SIZE)
        total = session.review.count(where) if len(rows) == PAGE_SIZE else len(rows)
        imported = total if total else session.review.count(ReviewFilter())
        return ReviewPage(rows, total, imported)

    return job


def next_page(where: ReviewFilter, after: ReviewRow) -> Callable[[Session], list[ReviewRow]]:
    return lambda session: session.review.rows(where, PAGE_SIZE, after)


class ReviewModel(QAbstractTableModel):
    """Columns: Practitioner, Date, Outcome, Recipient, State, Why it needs attention (last,
    as it is the longest)."""

    #: A query's first page, or a further page, arrived (or a row changed): counts changed.
    changed = Signal()
    #: Rows could not be loaded: a message for people.
    load_failed = Signal(str)

    PRACTITIONER, DATE, OUTCOME, RECIPIENT, STATE, REASONS = range(6)

    def __init__(self, host: SessionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._host = host
        self._where = ReviewFilter(attention_only=True)
        self._rows: list[tuple[ReviewRow, tuple[str, ...]]] = []
        self._total = 0
        self._imported = 0
        self._generation = 0
        self._loading = False
        self._loaded = False
        self._headers = (
            self.tr("Practitioner"),
            self.tr("Date"),
            self.tr("Outcome"),
            self.tr("Recipient"),
            self.tr("State"),
            self.tr("Why it needs attention"),
        )

    # -- what the table shows -------------------------------------------------------------
    @property
    def where(self) -> ReviewFilter:
        return self._where

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def loaded(self) -> bool:
        """A query's first page has arrived (and nothing was cleared since)."""
        return self._loaded

    @property
    def total(self) -> int:
        """How many rows match in all (the table holds the first ``rowCount()`` of them)."""
        return self._total

    @property
    def imported(self) -> int:
        """Imported records at all, when the query matched none (to say which empty it is)."""
        return self._imported

    @property
    def more(self) -> bool:
        return len(self._rows) < self._total

    def set_filter(self, where: ReviewFilter) -> None:
        """Show ``where``'s rows from the newest."""
        self._reset(where)
        self._loading = True
        generation = self._generation
        self._host.submit(
            first_page(where),
            lambda page: self._first_page_arrived(generation, page),
            lambda error: self._failed(generation, error),
        )

    def refresh(self) -> None:
        self.set_filter(self._where)

    def fetch_more(self) -> None:
        """The next page after the last row shown."""
        if self._loading or not self.more or not self._rows:
            return
        self._loading = True
        generation = self._generation
        self._host.submit(
            next_page(self._where, self._rows[-1][0]),
            lambda rows: self._more_arrived(generation, rows),
            lambda error: self._failed(generation, error),
        )

    def clear(self) -> None:
        """Forget every row (on lock: no case content may outlive the session)."""
        self._reset(ReviewFilter(attention_only=True))

    def _reset(self, where: ReviewFilter) -> None:
        self.beginResetModel()
        self._generation += 1
        self._where = where
        self._rows = []
        self._total = 0
        self._imported = 0
        self._loading = False
        self._loaded = False
        self.endResetModel()

    def row_at(self, row: int) -> ReviewRow | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def row_of(self, signer: str, record_id: str) -> int:
        """Where that practitioner's record is in the table; -1 if it is not."""
        for number, (row, _) in enumerate(self._rows):
            if row.item.record_id == record_id and row.item.signer_sha256 == signer:
                return number
        return -1

    def update_row(self, row: ReviewRow, matches: bool, total: int) -> None:
        """After an action: ``row`` as it is now, whether it still matches the query, and how
        many rows match now. A row that no longer matches leaves the table."""
        number = self.row_of(row.item.signer_sha256, row.item.record_id)
        self._total = total
        if number >= 0 and matches:
            self._rows[number] = (row, _display(row))
            self.dataChanged.emit(self.index(number, 0), self.index(number, len(self._headers) - 1))
        elif number >= 0:
            self.beginRemoveRows(QModelIndex(), number, number)
            del self._rows[number]
            self.endRemoveRows()
        self.changed.emit()

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:
            return None
        return self._rows[index.row()][1][index.column()]

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
    def _first_page_arrived(self, generation: int, page: ReviewPage) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._loaded = True
        self._total = page.total
        self._imported = page.imported
        if page.rows:
            self.beginInsertRows(QModelIndex(), 0, len(page.rows) - 1)
            self._rows = [(row, _display(row)) for row in page.rows]
            self.endInsertRows()
        self.changed.emit()

    def _more_arrived(self, generation: int, rows: list[ReviewRow]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        shown = len(self._rows)
        if rows:
            self.beginInsertRows(QModelIndex(), shown, shown + len(rows) - 1)
            self._rows.extend((row, _display(row)) for row in rows)
            self.endInsertRows()
        if len(rows) < PAGE_SIZE:  # the end: rows that joined meanwhile were not counted
            self._total = len(self._rows)
        self.changed.emit()

    def _failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.load_failed.emit(
            QCoreApplication.translate(
                "ReviewModel", "The imported records could not be loaded: %1"
            ).replace("%1", str(error))
        )
        self.changed.emit()


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)


def _display(row: ReviewRow) -> tuple[str, ...]:
    words = reason_words(row.item.reasons)
    return (
        practitioner_label(row),
        local_time(row.item.event_at),
        record_outcome(row),
        row.item.recipient_summary,
        state_label(row.state),
        QCoreApplication.translate("ReviewModel", "; ").join(words)
        if words
        else QCoreApplication.translate("ReviewModel", "None"),
    )
