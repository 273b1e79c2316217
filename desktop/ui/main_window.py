"""The main window: a toolbar and one page at a time.

Pages: welcome (no store yet), unlock, progress (long work such as filling the demo store), and
the records browser. While locked only the unlock page exists for the user: the records page is
emptied and every action that needs the session is disabled. The window has no knowledge of the
session; the controller decides which page shows.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.browser import RecordsBrowser
from desktop.ui.record_form import Mode, RecordForm
from desktop.ui.unlock_page import UnlockPage
from desktop.ui.worker import SessionHost


class Page(IntEnum):
    WELCOME = 0
    UNLOCK = 1
    PROGRESS = 2
    RECORDS = 3


def _centred(*widgets: QWidget, parent: QWidget) -> None:
    box = QWidget()
    box.setMaximumWidth(560)
    inner = QVBoxLayout(box)
    for widget in widgets:
        inner.addWidget(widget)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box, 3)
    row.addStretch(1)
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


class WelcomePage(QWidget):
    """No store yet: one way forward, setting one up."""

    setup_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        title = QLabel(self.tr("Welcome to Disclosure Log"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.setup_button = QPushButton(self.tr("&Set up…"))
        self.setup_button.setObjectName("welcomeSetup")
        self.setup_button.setAccessibleName(self.tr("Set up a new store"))
        self.setup_button.clicked.connect(self.setup_requested)
        _centred(title, self.text, self.setup_button, parent=self)

    def set_store(self, directory: object) -> None:
        self.text.setText(
            self.tr(
                "There are no records on this computer yet. Set up an encrypted store in %1 to"
                " start recording disclosures."
            ).replace("%1", str(directory))
        )


class ProgressPage(QWidget):
    """Long work with a progress bar and a way out (DESIGN §5: the GUI never just hangs)."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressPage")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setObjectName("progressBar")
        self.bar.setAccessibleName(self.tr("Progress"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("progressCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        _centred(self.label, self.bar, self.cancel_button, parent=self)

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)

    def set_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(self.tr("Stopping…"))
        self.cancel_requested.emit()


class MainWindow(QMainWindow):
    #: The user asked to lock (toolbar or Ctrl+L).
    lock_requested = Signal()
    #: The window is closing: the controller stops the session thread.
    closing = Signal()

    def __init__(self, host: SessionHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Disclosure Log"))
        self.setAccessibleName(self.tr("Disclosure Log"))
        self.resize(1280, 800)

        self.lock_action = QAction(self.tr("&Lock"), self)
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.lock_action.setToolTip(
            self.tr("Lock: hide your records until the passphrase is entered again (Ctrl+L)")
        )
        self.lock_action.triggered.connect(self.lock_requested)

        self.find_action = QAction(self.tr("&Find"), self)
        self.find_action.setObjectName("findAction")
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setToolTip(self.tr("Search the records (Ctrl+F)"))

        self.host = host
        self.record_form: RecordForm | None = None
        self.new_record_action = QAction(self.tr("&New record…"), self)
        self.new_record_action.setObjectName("newRecordAction")
        self.new_record_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_record_action.setToolTip(self.tr("Record a disclosure (Ctrl+N)"))
        self.new_record_action.triggered.connect(lambda: self.open_record_form(Mode.NEW))
        self.like_record_action = QAction(self.tr("New record &like this one"), self)
        self.like_record_action.setObjectName("likeRecordAction")
        self.like_record_action.setToolTip(
            self.tr("A new record with the selected record's case, person and recipient")
        )
        self.like_record_action.triggered.connect(lambda: self.open_record_form(Mode.LIKE))
        self.amend_action = QAction(self.tr("&Amend…"), self)
        self.amend_action.setObjectName("amendAction")
        self.amend_action.setToolTip(self.tr("Amend the selected record, giving a reason"))
        self.amend_action.triggered.connect(lambda: self.open_record_form(Mode.AMEND))

        self.withdraw_action = QAction(self.tr("&Withdraw consent…"), self)
        self.withdraw_action.setObjectName("withdrawConsentAction")
        self.withdraw_action.setToolTip(
            self.tr("Record that the selected record's person withdrew consent")
        )
        self.withdraw_action.setEnabled(False)

        self.toolbar = QToolBar(self.tr("Main toolbar"))
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setAccessibleName(self.tr("Main toolbar"))
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(16, 16))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.new_record_action)
        self.toolbar.addAction(self.like_record_action)
        self.toolbar.addAction(self.amend_action)
        self.toolbar.addAction(self.find_action)
        self.toolbar.addAction(self.withdraw_action)
        self.toolbar.addAction(self.lock_action)
        for action, name in (
            (self.new_record_action, self.tr("New record")),
            (self.like_record_action, self.tr("New record like this one")),
            (self.amend_action, self.tr("Amend")),
            (self.lock_action, self.tr("Lock")),
            (self.find_action, self.tr("Find")),
            (self.withdraw_action, self.tr("Withdraw consent")),
        ):
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(name)
        extension = self.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setAccessibleName(self.tr("More toolbar actions"))
        self.addToolBar(self.toolbar)

        self.welcome_page = WelcomePage()
        self.unlock_page = UnlockPage()
        self.progress_page = ProgressPage()
        self.browser = RecordsBrowser(host)
        self.find_action.triggered.connect(self.browser.focus_search)
        self.withdraw_action.triggered.connect(self.browser.open_withdraw_dialog)
        self.browser.record_selected.connect(
            lambda record_id: self.withdraw_action.setEnabled(
                record_id is not None and self.page() is Page.RECORDS
            )
        )
        self.browser.message.connect(self.show_message)
        self.browser.record_selected.connect(self._update_record_actions)

        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        for page in Page:
            widget = (self.welcome_page, self.unlock_page, self.progress_page, self.browser)[page]
            self.stack.insertWidget(page, widget)
        self.setCentralWidget(self.stack)
        self.statusBar().setObjectName("statusBar")
        self.show_page(Page.UNLOCK)

    def page(self) -> Page:
        return Page(self.stack.currentIndex())

    def show_page(self, page: Page) -> None:
        unlocked = page is Page.RECORDS
        self.lock_action.setEnabled(unlocked)
        self.find_action.setEnabled(unlocked)
        self.withdraw_action.setEnabled(unlocked and self.browser.selected_record_id() is not None)
        self.stack.setCurrentIndex(page)
        self._update_record_actions()
        if not unlocked and self.record_form is not None:
            self.record_form.discard()  # no case data stays on screen while locked
        if not unlocked:
            self.statusBar().clearMessage()
        if page is Page.UNLOCK:
            self.unlock_page.reset()
        elif page is Page.WELCOME:
            self.welcome_page.setup_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif page is Page.RECORDS:
            self.browser.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_record_actions(self, *_args: object) -> None:
        unlocked = self.page() is Page.RECORDS
        selected = unlocked and self.browser.selected_record_id() is not None
        self.new_record_action.setEnabled(unlocked)
        self.like_record_action.setEnabled(selected)
        self.amend_action.setEnabled(selected)

    def open_record_form(self, mode: Mode = Mode.NEW) -> RecordForm | None:
        """Open the record form (one at a time); LIKE and AMEND start from the selected record."""
        if self.page() is not Page.RECORDS:
            return None
        if self.record_form is not None and self.record_form.isVisible():
            self.record_form.raise_()
            self.record_form.activateWindow()
            return self.record_form
        record_id = None if mode is Mode.NEW else self.browser.selected_record_id()
        if mode is not Mode.NEW and record_id is None:
            self.show_message(self.tr("Select a record first."))
            return None
        form = RecordForm(self.host, mode, record_id, parent=self)
        form.saved.connect(self._record_saved)
        form.finished.connect(lambda _result: self._record_form_closed(form))
        self.record_form = form
        form.show()
        return form

    def _record_form_closed(self, form: RecordForm) -> None:
        if self.record_form is form:
            self.record_form = None
        form.deleteLater()

    def _record_saved(self, _record_id: str) -> None:
        self.show_message(self.tr("Record saved."))
        self.browser.reload()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
