"""GUI test fixtures: offscreen Qt, an isolated environment, the real Session and store.

Nothing of ours is mocked: the controller runs the real ``Session`` in its worker thread against
a real encrypted store in ``tmp_path``. Results arrive through the Qt event loop, so tests wait
with ``qtbot.waitUntil`` / ``qtbot.waitSignal``, never ``sleep``.
"""

from __future__ import annotations

import os

# Before anything imports Qt: no display is needed (pass QT_QPA_PLATFORM=xcb to watch).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import copy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import load_policy
from desktop.session import Profile, Session
from desktop.ui.app import install_translator
from desktop.ui.controller import AppController
from desktop.ui.main_window import Page
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import uk_share_body

WAIT_MS = 20_000  # generous: CI machines are slow; waitUntil returns as soon as it holds


@pytest.fixture(scope="session", autouse=True)
def translations(qapp: QApplication) -> None:
    """The translator ``disclosure-log`` installs (it carries English plurals: "1 record")."""
    install_translator(qapp)


@pytest.fixture(autouse=True)
def ui_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No GUI test touches the user's store or the machine's policy; key derivation is quick."""
    monkeypatch.setenv("DISCLOSURE_LOG_HOME", str(tmp_path / "home-store"))
    policy = tmp_path / "ui-policy.json"
    policy.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(policy))
    monkeypatch.setenv("DISCLOSURE_LOG_KDF_SECONDS", "0.01")


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def profile() -> Profile:
    return PROFILE


@dataclass(frozen=True)
class Made:
    record_id: str
    case_id: str
    disclosure_at: str
    organisation: str
    notes: str


def moment_of(index: int) -> str:
    """Record ``index`` happened a little later than record ``index - 1``."""
    day, minute = divmod(index, 60)
    return f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}T09:{minute:02d}:00Z"


def record_body(index: int, case_id: str, notes: str) -> RecordBody:
    """A valid UK record whose case, time, recipient and notes depend on ``index``."""
    body = copy.deepcopy(uk_share_body())
    body["case"] = {"case_id": case_id}
    moment = moment_of(index)
    body["checklist"]["answers"]["Q17_record"] = {
        "disclosure_at": moment,
        "record_created_at": moment,
    }
    body["decision_at"] = moment
    body["checklist"]["answers"]["Q4_recipient"]["recipients"][0]["organisation"] = (
        f"Agency {index:03d}"
    )
    body["notes"] = notes
    return validate_document(RecordBody, body)


def add_records(session: Session, count: int, cases: int = 3) -> list[Made]:
    """``count`` records spread over ``cases`` cases; only record 7 mentions "zebrafish"."""
    made = []
    for index in range(count):
        case_id = f"CASE-{index % cases + 1:02d}"
        notes = "Follow-up by the zebrafish team." if index == 7 else "Strategy discussion."
        saved = session.add_record(record_body(index, case_id, notes))
        made.append(Made(saved.record_id, case_id, moment_of(index), f"Agency {index:03d}", notes))
    return made


@pytest.fixture
def filled_store(store_dir: Path) -> list[Made]:
    """A real encrypted store with 12 records in 3 cases, closed again before the GUI opens it."""
    session = Session.create(store_dir, PASSPHRASE, profile(), load_policy())
    try:
        return add_records(session, 12)
    finally:
        session.lock()


@pytest.fixture
def controller(qtbot: QtBot, store_dir: Path) -> Iterator[AppController]:
    app_controller = AppController(store_dir, load_policy())
    qtbot.addWidget(app_controller.window)
    yield app_controller
    if app_controller.setup_dialog is not None:
        app_controller.setup_dialog.set_busy(False)
    app_controller.shutdown()


def unlock(qtbot: QtBot, controller: AppController, passphrase: str = PASSPHRASE) -> None:
    """Type the passphrase and press Enter, as a user would; wait for the first page."""
    controller.start()
    field = controller.window.unlock_page.passphrase
    qtbot.keyClicks(field, passphrase)
    with qtbot.waitSignal(controller.unlocked, timeout=WAIT_MS):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    model = controller.window.browser.model
    qtbot.waitUntil(lambda: not model.loading and controller.host.pending == 0, timeout=WAIT_MS)
    assert controller.window.page() is Page.RECORDS


@pytest.fixture
def hold_session_thread(controller: AppController) -> Iterator[Callable[[], threading.Event]]:
    """``hold()`` keeps the session thread busy until the event it returns is set (the end of
    the test sets it too, so a failing test does not keep the thread waiting). The session
    thread runs one job at a time, so work queued meanwhile starts only once the test lets it:
    a way to cancel or lock at a known moment."""
    events: list[threading.Event] = []

    def hold() -> threading.Event:
        release = threading.Event()
        events.append(release)
        controller.host.submit(lambda _session: release.wait(WAIT_MS / 1000))
        return release

    yield hold
    for release in events:
        release.set()
