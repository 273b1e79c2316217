"""The filter bar above the records table: date range, outcome, basis code, recipient
organisation, "flagged only" and "pending only", and a way to clear them all.

The bar only says what the user asked for, as a ``RecordFilter``; the browser puts it in the
table's query and the store does the filtering in SQL (perf-baseline, "Qt": never a proxy model).
Discrete choices (combos, check boxes, Clear) apply at once; typing in the organisation field or
a date is applied after a short pause, so each keystroke does not start a query.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.session import RecordFilter
from desktop.ui.widgets import DateEdit, date_edit
from desktop.ui.wording import OUTCOMES, translate

#: Typing in a field waits this long before the table reloads.
TYPING_DELAY_MS = 250
#: A date edit at its minimum means "no date": it shows "Any" (Qt's special value text).
NO_DATE = QDate(1990, 1, 1)
UTC_FORMAT = "yyyy-MM-ddTHH:mm:ssZ"


def utc_start_of(day: QDate) -> str:
    """The first moment of ``day`` on this computer's clock, as a stored UTC time."""
    return QDateTime(day, QTime(0, 0)).toUTC().toString(UTC_FORMAT)


def optional_date_edit(name: str, accessible: str, description: str, any_text: str) -> DateEdit:
    """A date filter that starts empty ("Any"), for the records' and the review's filters."""
    edit = date_edit(name, accessible, description)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(any_text)
    edit.setDate(NO_DATE)
    return edit


def outcome_filter(name: str, accessible: str, any_text: str) -> QComboBox:
    """Any outcome, or one of the brief's (§5) outcomes in words; the data is the code."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    combo.addItem(any_text, None)
    for code, source in OUTCOMES.items():
        combo.addItem(translate(str(source)), code)
    return combo


class FilterBar(QWidget):
    #: The filters changed: reload the table from its first page.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.setAccessibleName(self.tr("Filters"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_DELAY_MS)
        self._timer.timeout.connect(self.changed)
        self._quiet = False

        self.from_edit = self._date_edit(
            "filterFrom", self.tr("From date"), self.tr("Only records on or after this day")
        )
        self.to_edit = self._date_edit(
            "filterTo", self.tr("To date"), self.tr("Only records on or before this day")
        )

        self.outcome_combo = outcome_filter(
            "filterOutcome", self.tr("Outcome"), self.tr("Any outcome")
        )
        self.outcome_combo.currentIndexChanged.connect(self._changed_now)

        self.basis_combo = QComboBox()
        self.basis_combo.setObjectName("filterBasis")
        self.basis_combo.setAccessibleName(self.tr("Basis code"))
        self.basis_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.basis_combo.setMinimumContentsLength(14)
        self.basis_combo.addItem(self.tr("Any basis"), None)
        self.basis_combo.currentIndexChanged.connect(self._changed_now)

        self.organisation_edit = QLineEdit()
        self.organisation_edit.setObjectName("filterOrganisation")
        self.organisation_edit.setAccessibleName(self.tr("Recipient organisation"))
        self.organisation_edit.setPlaceholderText(self.tr("Any organisation (exact name)"))
        self.organisation_edit.setClearButtonEnabled(True)
        self.organisation_edit.textChanged.connect(self._changed_later)
        self.organisation_edit.returnPressed.connect(self._changed_now)

        self.flagged_check = QCheckBox(self.tr("F&lagged only"))
        self.flagged_check.setObjectName("filterFlagged")
        self.flagged_check.setAccessibleName(self.tr("Flagged only"))
        self.flagged_check.toggled.connect(self._changed_now)
        self.pending_check = QCheckBox(self.tr("Pe&nding only"))
        self.pending_check.setObjectName("filterPending")
        self.pending_check.setAccessibleName(self.tr("Pending only"))
        self.pending_check.toggled.connect(self._changed_now)

        self.clear_button = QPushButton(self.tr("Clear filters"))
        self.clear_button.setObjectName("filterClear")
        self.clear_button.setAccessibleName(self.tr("Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        row = (
            (self.tr("Fro&m:"), self.from_edit),
            (self.tr("&To:"), self.to_edit),
            (self.tr("&Outcome:"), self.outcome_combo),
            (self.tr("&Basis:"), self.basis_combo),
        )
        for column, (text, widget) in enumerate(row):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column * 2)
            grid.addWidget(widget, 0, column * 2 + 1)
        organisation_label = QLabel(self.tr("Recipient or&ganisation:"))
        organisation_label.setBuddy(self.organisation_edit)
        second = QHBoxLayout()
        second.addWidget(organisation_label)
        second.addWidget(self.organisation_edit, 1)
        second.addWidget(self.flagged_check)
        second.addWidget(self.pending_check)
        second.addWidget(self.clear_button)
        grid.addLayout(second, 1, 0, 1, 8)
        grid.setColumnStretch(7, 1)
        self.setLayout(grid)

        chain = self.controls()
        for first, second_widget in itertools.pairwise(chain):
            self.setTabOrder(first, second_widget)

    def _date_edit(self, name: str, accessible: str, description: str) -> DateEdit:
        edit = optional_date_edit(name, accessible, description, self.tr("Any"))
        edit.dateChanged.connect(self._changed_later)
        return edit

    # -- what the user chose ----------------------------------------------------------------
    def controls(self) -> list[QWidget]:
        """The controls in reading order (the tab order)."""
        return [
            self.from_edit,
            self.to_edit,
            self.outcome_combo,
            self.basis_combo,
            self.organisation_edit,
            self.flagged_check,
            self.pending_check,
            self.clear_button,
        ]

    def filters(self) -> RecordFilter:
        start = self.from_edit.date()
        end = self.to_edit.date()
        organisation = self.organisation_edit.text().strip()
        return RecordFilter(
            date_from=None if start == NO_DATE else utc_start_of(start),
            # The user means "up to and including that day"; the store's bound is exclusive.
            date_to=None if end == NO_DATE else utc_start_of(end.addDays(1)),
            outcome=self.outcome_combo.currentData(),
            basis_code=self.basis_combo.currentData(),
            recipient_organisation=organisation or None,
            flagged_only=self.flagged_check.isChecked(),
            pending_only=self.pending_check.isChecked(),
        )

    def set_basis_codes(self, codes: list[tuple[str, str]]) -> None:
        """Fill the basis combo with the rule pack's ``(code, label)`` pairs, keeping the choice."""
        chosen = self.basis_combo.currentData()
        self.basis_combo.blockSignals(True)
        self.basis_combo.clear()
        self.basis_combo.addItem(self.tr("Any basis"), None)
        for code, label in codes:
            self.basis_combo.addItem(code, code)
            index = self.basis_combo.count() - 1
            self.basis_combo.setItemData(index, label, Qt.ItemDataRole.ToolTipRole)
            self.basis_combo.setItemData(
                index,
                self.tr("%1: %2").replace("%1", code).replace("%2", label),
                Qt.ItemDataRole.AccessibleTextRole,
            )
        found = self.basis_combo.findData(chosen)
        self.basis_combo.setCurrentIndex(max(found, 0))
        self.basis_combo.blockSignals(False)
        if chosen is not None and found < 0:
            self._changed_now()

    def clear_filters(self) -> None:
        """Every filter back to "any"; the table reloads once."""
        self._set_all_to_any()
        self._changed_now()

    def reset(self) -> None:
        """On lock: back to no filters, quietly (the table is emptied anyway)."""
        self._set_all_to_any()
        self.basis_combo.blockSignals(True)
        self.basis_combo.clear()
        self.basis_combo.addItem(self.tr("Any basis"), None)
        self.basis_combo.blockSignals(False)
        self._timer.stop()

    def _set_all_to_any(self) -> None:
        self._quiet = True
        try:
            self.from_edit.setDate(NO_DATE)
            self.to_edit.setDate(NO_DATE)
            self.outcome_combo.setCurrentIndex(0)
            self.basis_combo.setCurrentIndex(0)
            self.organisation_edit.setText("")  # unlike clear(), also empties the undo history
            self.flagged_check.setChecked(False)
            self.pending_check.setChecked(False)
        finally:
            self._quiet = False

    # -- telling the browser ----------------------------------------------------------------
    def _changed_now(self) -> None:
        self._timer.stop()
        if not self._quiet:
            self.changed.emit()

    def _changed_later(self) -> None:
        if not self._quiet:
            self._timer.start()
