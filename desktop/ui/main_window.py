"""The main window: a menu bar, a toolbar and one page at a time.

Pages: welcome (no store yet), unlock, progress (long work such as filling the demo store or a
backup), and the records browser. While locked only the unlock page exists for the user: the
records page is emptied and every action that needs the session is disabled. The window does not
hold the session; the controller decides which page shows.

Every command is in the menu bar (File, Record, Edit, Help), so each is reachable with Alt and
a letter; the toolbar repeats the everyday ones. A backup runs on the session thread behind the
progress page, with Cancel; locking or closing the window stops it, and the session's keys are
dropped only after it has stopped (the session thread runs one job at a time). Reports and the
accounting of disclosures have their own non-modal dialogs (one of each at a time), which run
their work with progress and Cancel the same way (``LongJob``) and close, stopping it, on lock.
So does importing reports and reviews (File > Import reports or reviews…, or files dropped on
the window; see ``import_dialog``), and a supervisor's sending reviews back to a practitioner
(File > Send reviews to a practitioner…; see ``send_reviews_dialog``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.progress import CancelCheck, ProgressCallback
from desktop.session import Session
from desktop.ui.accounting_dialog import AccountingDialog
from desktop.ui.browser import RecordsBrowser
from desktop.ui.export_dialog import ExportReportDialog
from desktop.ui.import_dialog import (
    ImportReportsDialog,
    accept_file_drag,
    ask_report_files,
    dropped_files,
)
from desktop.ui.record_form import Mode, RecordForm
from desktop.ui.review_view import ReviewView
from desktop.ui.send_reviews_dialog import SendReviewsDialog
from desktop.ui.session_dialog import SessionDialog
from desktop.ui.unlock_page import UnlockPage
from desktop.ui.worker import LongJob, SessionHost


class Page(IntEnum):
    WELCOME = 0
    UNLOCK = 1
    PROGRESS = 2
    RECORDS = 3


class View(IntEnum):
    """What the records page shows (View menu): your records, or the review of imported ones."""

    RECORDS = 0
    REVIEW = 1


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

    def __init__(self, host: SessionHost, store_dir: Path, parent: QWidget | None = None) -> None:
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
        self.mark_advice_action = QAction(self.tr("&Mark advice received…"), self)
        self.mark_advice_action.setObjectName("markAdviceAction")
        self.mark_advice_action.setToolTip(
            self.tr("Record the advice the selected record was waiting for, as a new version")
        )
        self.mark_advice_action.triggered.connect(lambda: self.open_record_form(Mode.ADVICE))

        self.withdraw_action = QAction(self.tr("&Withdraw consent…"), self)
        self.withdraw_action.setObjectName("withdrawConsentAction")
        self.withdraw_action.setToolTip(
            self.tr("Record that the selected record's person withdrew consent")
        )
        self.withdraw_action.setEnabled(False)
        self.accounting_action = QAction(self.tr("Accounting of &disclosures…"), self)
        self.accounting_action.setObjectName("accountingAction")
        self.accounting_action.setToolTip(
            self.tr(
                "List what was shared about a person (the selected record's, or another), to"
                " check and hand to them when they ask"
            )
        )
        self.accounting_action.triggered.connect(self.open_accounting_dialog)

        self.export_action = QAction(self.tr("&Export report…"), self)
        self.export_action.setObjectName("exportReportAction")
        self.export_action.setToolTip(
            self.tr(
                "Make a signed report of your records for a period, encrypted to your supervisor"
                " or your organisation"
            )
        )
        self.export_action.triggered.connect(self.open_export_dialog)
        self.import_action = QAction(self.tr("&Import reports or reviews…"), self)
        self.import_action.setObjectName("importReportsAction")
        self.import_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_I))
        self.import_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.import_action.setToolTip(
            self.tr(
                "Check and import the reports practitioners sent you (.dlreport files), or the"
                " reviews your supervisor sent back (.dlreview files); you can also drop them on"
                " this window (Ctrl+I)"
            )
        )
        self.import_action.triggered.connect(lambda _checked=False: self.import_reports())
        self.send_reviews_action = QAction(self.tr("&Send reviews to a practitioner…"), self)
        self.send_reviews_action.setObjectName("sendReviewsAction")
        self.send_reviews_action.setToolTip(
            self.tr(
                "Write your sign-offs, acknowledgements and queries of a practitioner's records"
                " into a signed file, encrypted to them, for them to import"
            )
        )
        self.send_reviews_action.triggered.connect(self.open_send_reviews_dialog)
        self.backup_action = QAction(self.tr("&Back up…"), self)
        self.backup_action.setObjectName("backupAction")
        self.backup_action.setToolTip(
            self.tr("Write an encrypted, checked copy of all your records to a folder you choose")
        )
        self.backup_action.triggered.connect(self.back_up)
        self.quit_action = QAction(
            self.tr("E&xit") if sys.platform == "win32" else self.tr("&Quit"), self
        )
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.setToolTip(self.tr("Lock your records and close Disclosure Log"))
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(self.tr("&About Disclosure Log"), self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.setToolTip(
            self.tr("Which version of Disclosure Log this is and where it keeps your records")
        )
        self.about_action.triggered.connect(self.show_about)
        self.store_dir = store_dir
        self.about_box: QMessageBox | None = None
        #: Asks where to write a backup; None when the user chose nothing. Tests replace it.
        self.choose_backup_directory: Callable[[], Path | None] = self._ask_backup_directory
        self._backup = LongJob(host)  # the progress page shows every job's progress
        #: The open report and accounting dialogs (one of each at a time); closed on lock.
        self.export_dialog: ExportReportDialog | None = None
        self.accounting_dialog: AccountingDialog | None = None
        self.import_dialog: ImportReportsDialog | None = None
        self.send_reviews_dialog: SendReviewsDialog | None = None
        #: Asks which reports to import; empty when the user chose nothing. Tests replace it.
        self.choose_report_files: Callable[[], list[Path]] = lambda: ask_report_files(self)
        self.setAcceptDrops(True)

        self.toolbar = QToolBar(self.tr("Main toolbar"))
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setAccessibleName(self.tr("Main toolbar"))
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(16, 16))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.new_record_action)
        self.toolbar.addAction(self.like_record_action)
        self.toolbar.addAction(self.amend_action)
        self.toolbar.addAction(self.mark_advice_action)
        self.toolbar.addAction(self.find_action)
        self.toolbar.addAction(self.withdraw_action)
        self.toolbar.addAction(self.lock_action)
        for action, name in (
            (self.new_record_action, self.tr("New record")),
            (self.like_record_action, self.tr("New record like this one")),
            (self.amend_action, self.tr("Amend")),
            (self.mark_advice_action, self.tr("Mark advice received")),
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
        self.welcome_page.set_store(store_dir)
        self.unlock_page.set_store(store_dir)
        self.host.progress.connect(self.progress_page.set_progress)
        self.progress_page.cancel_requested.connect(self.cancel_backup)

        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        self._build_views(host)
        for page in Page:
            widget = (self.welcome_page, self.unlock_page, self.progress_page, self.views)[page]
            self.stack.insertWidget(page, widget)
        self.setCentralWidget(self.stack)
        self.statusBar().setObjectName("statusBar")
        self._build_menus()
        self.review_view.import_command = (
            self.tr("%1 → %2")
            .replace("%1", self.tr("File"))
            .replace("%2", self.import_action.text().replace("&", ""))
        )
        self.show_page(Page.UNLOCK)

    def _build_menus(self) -> None:
        """Every command once, each menu opened with Alt and its underlined letter."""
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName(self.tr("Menu bar"))
        menus: tuple[tuple[str, str, str, tuple[QAction | None, ...]], ...] = (
            (
                "fileMenu",
                self.tr("&File"),
                self.tr("File"),
                (
                    self.import_action,
                    self.export_action,
                    self.send_reviews_action,
                    self.backup_action,
                    None,
                    self.lock_action,
                    None,
                    self.quit_action,
                ),
            ),
            (
                "recordMenu",
                self.tr("&Record"),
                self.tr("Record"),
                (
                    self.new_record_action,
                    self.like_record_action,
                    self.amend_action,
                    self.mark_advice_action,
                    None,
                    self.withdraw_action,
                    self.accounting_action,
                ),
            ),
            ("editMenu", self.tr("&Edit"), self.tr("Edit"), (self.find_action,)),
            (
                "viewMenu",
                self.tr("&View"),
                self.tr("View"),
                (self.records_view_action, self.review_view_action),
            ),
            ("helpMenu", self.tr("&Help"), self.tr("Help"), (self.about_action,)),
        )
        for object_name, title, name, actions in menus:
            menu = bar.addMenu(title)
            menu.setObjectName(object_name)
            menu.setAccessibleName(name)
            for action in actions:
                if action is None:
                    menu.addSeparator()
                    continue
                menu.addAction(action)
                action.setStatusTip(action.toolTip())  # said in the status bar as it is chosen

    def _build_views(self, host: SessionHost) -> None:
        """The records page holds two views, switched in the View menu (Ctrl+1, Ctrl+2): the
        records browser and the supervisor's review of imported records (``review_view``)."""
        self.review_view = ReviewView(host)
        self.review_view.message.connect(self.show_message)
        self.views = QStackedWidget()
        self.views.setObjectName("views")
        self.views.insertWidget(View.RECORDS, self.browser)
        self.views.insertWidget(View.REVIEW, self.review_view)
        self.records_view_action = QAction(self.tr("&Records"), self)
        self.records_view_action.setObjectName("recordsViewAction")
        self.records_view_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_1))
        self.records_view_action.setToolTip(self.tr("Your records (Ctrl+1)"))
        self.review_view_action = QAction(self.tr("Re&view"), self)
        self.review_view_action.setObjectName("reviewViewAction")
        self.review_view_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_2))
        self.review_view_action.setToolTip(
            self.tr(
                "Review the records practitioners sent you: what needs your attention, and your"
                " acknowledgements, queries and sign-offs (Ctrl+2)"
            )
        )
        group = QActionGroup(self)
        group.setExclusive(True)
        for view, action in (
            (View.RECORDS, self.records_view_action),
            (View.REVIEW, self.review_view_action),
        ):
            action.setCheckable(True)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, view=view: self.show_view(view))
        self.records_view_action.setChecked(True)

    def view(self) -> View:
        return View(self.views.currentIndex())

    def show_view(self, view: View) -> None:
        """Show your records or the review (only while unlocked); the view takes the focus."""
        if self.page() is not Page.RECORDS:
            return
        action = self.review_view_action if view is View.REVIEW else self.records_view_action
        action.setChecked(True)
        self.views.setCurrentIndex(view)
        self._update_record_actions()
        if view is View.REVIEW:
            self.review_view.activate()
        else:
            self.browser.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def page(self) -> Page:
        return Page(self.stack.currentIndex())

    def show_page(self, page: Page) -> None:
        unlocked = page is Page.RECORDS
        backing_up = page is Page.PROGRESS and self._backup.running
        if not unlocked and not backing_up:
            self.cancel_backup()  # locking: the keys are dropped once the backup has stopped
            self._close_dialogs()  # and a running export or accounting stops with its dialog
            self.review_view.clear()  # it shows case data too; unlocking opens the records
            self.views.setCurrentIndex(View.RECORDS)
            self.records_view_action.setChecked(True)
        self.lock_action.setEnabled(unlocked or backing_up)
        self.records_view_action.setEnabled(unlocked)
        self.review_view_action.setEnabled(unlocked)
        self.find_action.setEnabled(unlocked)
        self.backup_action.setEnabled(unlocked)
        self.export_action.setEnabled(unlocked)
        self.import_action.setEnabled(unlocked)
        self.send_reviews_action.setEnabled(unlocked)
        self.accounting_action.setEnabled(unlocked)
        self.withdraw_action.setEnabled(unlocked and self.browser.selected_record_id() is not None)
        self.stack.setCurrentIndex(page)
        self._update_record_actions()
        if not unlocked and not backing_up and self.record_form is not None:
            self.record_form.discard()  # no case data stays on screen while locked
        if not unlocked:
            self.statusBar().clearMessage()
        if page is Page.UNLOCK:
            self.unlock_page.reset()
        elif page is Page.WELCOME:
            self.welcome_page.setup_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif page is Page.PROGRESS:
            self.progress_page.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif page is Page.RECORDS and self.view() is View.REVIEW:
            self.review_view.table.setFocus(Qt.FocusReason.OtherFocusReason)
        elif page is Page.RECORDS:
            self.browser.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_record_actions(self, *_args: object) -> None:
        unlocked = self.page() is Page.RECORDS
        records = unlocked and self.view() is View.RECORDS  # not the review's imported ones
        row = self.browser.selected_row() if records else None
        self.new_record_action.setEnabled(unlocked)
        self.like_record_action.setEnabled(row is not None)
        self.amend_action.setEnabled(row is not None)
        self.mark_advice_action.setEnabled(row is not None and row.pending)
        self.find_action.setEnabled(records)
        self.withdraw_action.setEnabled(row is not None)

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

    # -- reports ----------------------------------------------------------------------------
    def open_export_dialog(self) -> ExportReportDialog | None:
        """File > Export report…: for a period, and optionally the selected record's case."""
        if self.page() is not Page.RECORDS:
            return None
        dialog = self.export_dialog
        if dialog is None:
            row = self.browser.selected_row()
            dialog = ExportReportDialog(self.host, None if row is None else row.case_id, self)
            self.export_dialog = dialog
            self._show_dialog(dialog)
        self._bring_forward(dialog)
        return dialog

    def open_accounting_dialog(self) -> AccountingDialog | None:
        """Record > Accounting of disclosures…: for the selected record's person, to start."""
        if self.page() is not Page.RECORDS:
            return None
        dialog = self.accounting_dialog
        if dialog is None:
            row = self.browser.selected_row()
            dialog = AccountingDialog(self.host, "" if row is None else row.subject_id, self)
            self.accounting_dialog = dialog
            self._show_dialog(dialog)
        self._bring_forward(dialog)
        return dialog

    def open_send_reviews_dialog(self) -> SendReviewsDialog | None:
        """File > Send reviews to a practitioner…: a supervisor's reviews, back to their author."""
        if self.page() is not Page.RECORDS:
            return None
        dialog = self.send_reviews_dialog
        if dialog is None:
            dialog = SendReviewsDialog(self.host, self)
            self.send_reviews_dialog = dialog
            self._show_dialog(dialog)
        self._bring_forward(dialog)
        return dialog

    def _show_dialog(self, dialog: SessionDialog) -> None:
        dialog.addAction(self.lock_action)  # Ctrl+L locks from the dialog too
        dialog.message.connect(self.show_message)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.show()

    @staticmethod
    def _bring_forward(dialog: SessionDialog) -> None:
        dialog.raise_()
        dialog.activateWindow()

    def _dialog_closed(self, dialog: SessionDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None
        if self.accounting_dialog is dialog:
            self.accounting_dialog = None
        if self.import_dialog is dialog:
            self.import_dialog = None
        if self.send_reviews_dialog is dialog:
            self.send_reviews_dialog = None
        dialog.deleteLater()

    def _close_dialogs(self) -> None:
        """They show case data, and their work needs the session: closing stops it."""
        for dialog in (
            self.export_dialog,
            self.accounting_dialog,
            self.import_dialog,
            self.send_reviews_dialog,
        ):
            if dialog is not None:
                dialog.reject()

    # -- importing reports --------------------------------------------------------------------
    def import_reports(self, paths: list[Path] | None = None) -> ImportReportsDialog | None:
        """Import ``paths`` (None: ask for them) in the import dialog, which shows how it went."""
        if self.page() is not Page.RECORDS:
            return None
        busy = self.import_dialog is not None and self.import_dialog.running
        if paths is None and not busy:
            paths = self.choose_report_files()
            if not paths or self.page() is not Page.RECORDS:  # chose nothing, or locked
                return None
        dialog = self.import_dialog
        if dialog is None:
            dialog = ImportReportsDialog(self.host, self)
            dialog.imported.connect(self.browser.reload_detail)  # reviews of the shown record
            dialog.imported.connect(self.review_view.data_changed)  # and new imported records
            self.import_dialog = dialog
            self._show_dialog(dialog)
        self._bring_forward(dialog)
        if paths:
            dialog.import_files(paths)
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_file_drag(event, self.page() is Page.RECORDS)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        accept_file_drag(event, self.page() is Page.RECORDS)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event.mimeData())
        if not paths or self.page() is not Page.RECORDS:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_reports(paths)

    # -- backups ----------------------------------------------------------------------------
    def _ask_backup_directory(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Choose a folder for the backup"), str(Path.home())
        )
        return Path(chosen) if chosen else None

    def back_up(self) -> None:
        """Ask for a folder, then write a backup there on the session thread, with progress."""
        if self.page() is not Page.RECORDS or self._backup.running:
            return
        directory = self.choose_backup_directory()
        if directory is None or self.page() is not Page.RECORDS:  # chose nothing, or locked
            return

        def backup(
            session: Session, progress: ProgressCallback, should_cancel: CancelCheck
        ) -> Path:
            return session.backup(directory, progress=progress, should_cancel=should_cancel).path

        self.progress_page.start(
            self.tr("Backing up your records to %1…").replace("%1", str(directory))
        )
        self._backup.start(backup, self._backup_written, self._backup_stopped, self._backup_failed)
        self.show_page(Page.PROGRESS)

    def cancel_backup(self) -> None:
        """Ask a running backup to stop; it removes what it had written."""
        self._backup.cancel()

    def _backup_ended(self) -> None:
        if self.page() is Page.PROGRESS:  # not locked meanwhile: back to the records
            self.show_page(Page.RECORDS)

    def _backup_written(self, path: Path) -> None:
        self._backup_ended()
        self.show_message(self.tr("Backup written to %1").replace("%1", str(path)))

    def _backup_stopped(self) -> None:
        self._backup_ended()
        self.show_message(self.tr("The backup was stopped. Nothing was written."))

    def _backup_failed(self, reason: str) -> None:
        self._backup_ended()
        self.show_message(self.tr("The backup could not be made: %1").replace("%1", reason))

    # -- help -------------------------------------------------------------------------------
    def show_about(self) -> QMessageBox:
        """The version and the store's folder, in a box that does not block (``open()``)."""
        if self.about_box is None:
            box = QMessageBox(self)
            box.setObjectName("aboutBox")
            box.setAccessibleName(self.tr("About Disclosure Log"))
            box.setWindowTitle(self.tr("About Disclosure Log"))
            box.setIcon(QMessageBox.Icon.Information)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setStandardButtons(QMessageBox.StandardButton.Close)
            close = box.button(QMessageBox.StandardButton.Close)
            close.setObjectName("aboutClose")
            close.setAccessibleName(self.tr("Close"))
            box.setText(
                self.tr("Disclosure Log %1").replace("%1", __version__)
                + "\n\n"
                + self.tr("Your records are kept, encrypted, in %1").replace(
                    "%1", str(self.store_dir)
                )
            )
            self.about_box = box
        self.about_box.open()
        return self.about_box

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_backup()  # so the session thread is free to stop
        self._close_dialogs()
        self.closing.emit()
        super().closeEvent(event)
