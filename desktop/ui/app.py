"""``disclosure-log [--store DIR] [--demo] [--screenshot FILE.png]``: the desktop app.

``--demo`` opens a throwaway store of sample records in a temporary folder that is deleted on
exit; ``--screenshot`` (with ``--demo``) renders the main window to a PNG once the first page of
records has loaded, and exits; ``--screen record-form`` renders the record form instead, open on
the first record, and ``--screen review`` the Review view on the first imported record (the demo
store holds reports from three sample practitioners). All work with ``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop import __version__
from desktop.domain.enums import Jurisdiction, Regime
from desktop.policy import EMPTY_POLICY, Policy, PolicyError, load_policy
from desktop.resources import resource_path
from desktop.session import KDF_SECONDS_ENV, Profile, default_store_dir
from desktop.ui.controller import AppController
from desktop.ui.main_window import View
from desktop.ui.record_form import Mode

log = logging.getLogger(__name__)

APP_NAME = "Disclosure Log"
DESKTOP_FILE = "disclosure-log"

DEMO_RECORDS = 300  # more than one page (200), so scrolling fetches more
# Not a secret: the demo store is throwaway sample data, deleted when the app exits.
DEMO_PASSPHRASE = "demo store passphrase"  # noqa: S105 (shown on screen, see above)
# A throwaway store of sample data needs no slow key derivation; 0.05 s keeps --demo quick.
DEMO_KDF_SECONDS = "0.05"
SCREENSHOT_TIMEOUT_MS = 120_000
SCREENS = ("main", "record-form", "review")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure-log",
        description="Record every disclosure of confidential case information, encrypted.",
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="the store folder (default: $DISCLOSURE_LOG_HOME, else your data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throwaway store of sample records, deleted on exit",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE.png",
        help="with --demo: save a picture of the main window to FILE.png and exit",
    )
    parser.add_argument(
        "--screen",
        choices=SCREENS,
        default="main",
        help="with --screenshot: the main window (default), the first record opened in the"
        " record form to amend, or the Review view on the first imported record",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.screenshot is not None and not args.demo:
            parser.error("--screenshot needs --demo")
        if args.demo and args.store is not None:
            parser.error("--demo uses a throwaway store; leave out --store")
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for a usage error
        return exc.code if isinstance(exc.code, int) else 2

    app = _application()
    with contextlib.ExitStack() as cleanup:
        if args.demo:
            folder = cleanup.enter_context(
                tempfile.TemporaryDirectory(
                    prefix="disclosure-log-demo-", ignore_cleanup_errors=True
                )
            )
            cleanup.enter_context(_environment(KDF_SECONDS_ENV, DEMO_KDF_SECONDS))
            store_dir = Path(folder) / "store"
            policy: Policy = EMPTY_POLICY  # the demo does not depend on this machine's policy
        else:
            store_dir = default_store_dir(args.store)
            try:
                policy = load_policy()
            except PolicyError as exc:
                _fatal(str(exc))
                return 1

        controller = AppController(store_dir, policy)
        # Unwound last-in first-out: the session is locked and its thread ended before the
        # demo folder is deleted.
        cleanup.callback(_dispose, controller)
        cleanup.callback(controller.shutdown)

        result: list[int] = []
        if args.screenshot is not None:
            shot = _Screenshot(controller, args.screenshot, args.screen, result, app)  # noqa: F841
        if args.demo:
            controller.start_demo(DEMO_RECORDS, DEMO_PASSPHRASE, _demo_profile())
        else:
            controller.start()
        code = app.exec()
        return result[0] if result else code
    return 1  # not reached; keeps type checkers content


def _application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("DisclosureLog")
    app.setDesktopFileName(DESKTOP_FILE)
    install_translator(app)
    return app


_translators: list[QTranslator] = []


def install_translator(app: QApplication) -> None:
    """Load ``resources/translations/disclosure_log_<locale>.qm``, else the English one.

    English has a translation file too: it holds the singular and plural of every "%n" message
    ("1 record", "2 records"), which Qt takes only from a translation.
    """
    if _translators:
        return
    translator = QTranslator(app)
    folder = str(resource_path("translations"))
    if translator.load(QLocale(), "disclosure_log", "_", folder, ".qm") or translator.load(
        QLocale(QLocale.Language.English), "disclosure_log", "_", folder, ".qm"
    ):
        app.installTranslator(translator)
        _translators.append(translator)


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _demo_profile() -> Profile:
    return Profile(
        name="Alex Morgan",
        role="Social worker (demo)",
        organisation="Demo Borough Council",
        jurisdiction=Jurisdiction.UK_ENG,
        regimes=(Regime.UK_GDPR, Regime.CL_CONFIDENCE),
    )


def _fatal(text: str) -> None:
    print(f"disclosure-log: {text}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        QMessageBox.critical(None, APP_NAME, text)


def _dispose(controller: AppController) -> None:
    controller.window.hide()
    controller.window.deleteLater()
    controller.deleteLater()


class _Screenshot(QObject):
    """Save the window to a PNG once the demo's first page (and its first record) has loaded."""

    def __init__(
        self,
        controller: AppController,
        path: Path,
        screen: str,
        result: list[int],
        app: QApplication,
    ) -> None:
        super().__init__(controller)
        self._controller = controller
        self._path = path
        self._screen = screen
        self._result = result
        self._app = app
        self._ready = False
        self._selected = False
        self._done = False
        browser = controller.window.browser
        controller.demo_ready.connect(self._demo_ready)
        controller.host.pending_changed.connect(self._check)
        browser.model.page_loaded.connect(self._check)
        browser.model.load_failed.connect(self._check)
        browser.detail_loaded.connect(self._check)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._timed_out)
        self._watchdog.start(SCREENSHOT_TIMEOUT_MS)

    def _demo_ready(self, ok: bool) -> None:
        if not ok:
            self._finish(1, "the demo store could not be created")
            return
        self._ready = True
        self._check()

    def _check(self, *_args: object) -> None:
        browser = self._controller.window.browser
        if not self._ready or self._done:
            return
        if self._controller.host.pending or browser.model.loading:
            return
        if not self._selected and browser.model.rowCount() > 0:
            self._selected = True
            browser.table.selectRow(0)  # the detail pane fills in; checked again then
            return
        self._done = True
        if self._screen == "review":
            self._show_review()
        elif self._screen == "record-form":
            form = self._controller.window.open_record_form(Mode.AMEND)
            if form is None:
                self._finish(1, "the record form could not be opened")
                return
            form.ready.connect(lambda: QTimer.singleShot(0, lambda: self._grab(form)))
        else:
            QTimer.singleShot(0, lambda: self._grab(self._controller.window))

    def _show_review(self) -> None:
        """Switch to the Review view, select its first row, and grab once its record shows."""
        window = self._controller.window
        review = window.review_view

        def first_row() -> None:
            if review.model.rowCount() > 0 and not review.table.selectionModel().hasSelection():
                review.table.selectRow(0)

        review.model.changed.connect(first_row)
        review.detail_loaded.connect(
            lambda _record_id: QTimer.singleShot(0, lambda: self._grab(window))
        )
        window.show_view(View.REVIEW)
        first_row()

    def _grab(self, widget: QWidget) -> None:
        widget.repaint()
        if widget.grab().save(str(self._path), "PNG"):
            self._finish(0, None)
        else:
            self._finish(1, f"could not write {self._path}")

    def _timed_out(self) -> None:
        self._finish(1, "timed out waiting for the records to load")

    def _finish(self, code: int, problem: str | None) -> None:
        self._done = True
        self._watchdog.stop()
        if problem is not None:
            print(f"disclosure-log: screenshot failed: {problem}", file=sys.stderr)
        self._result.append(code)
        self._app.exit(code)


if __name__ == "__main__":
    sys.exit(main())
