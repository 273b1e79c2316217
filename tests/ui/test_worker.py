"""The session thread: every Session call runs there, answers come back on the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.policy import load_policy
from desktop.session import Session, WrongPassphrase
from desktop.ui.worker import SessionHost, SessionLocked
from tests.ui.conftest import PASSPHRASE, WAIT_MS


@pytest.fixture
def host(qtbot: QtBot) -> SessionHost:
    session_host = SessionHost()
    yield session_host
    session_host.shutdown()


def test_session_is_opened_used_and_locked_on_one_other_thread(
    qtbot: QtBot, host: SessionHost, filled_store: object, store_dir: Path
) -> None:
    gui_thread = threading.get_ident()
    seen: dict[str, int] = {}
    answers: list[object] = []

    def opener() -> Session:
        seen["open"] = threading.get_ident()
        return Session.unlock(store_dir, PASSPHRASE, load_policy())

    def count(session: Session) -> int:
        seen["call"] = threading.get_ident()
        return len(session.list_records(limit=500))

    host.open(opener, lambda: answers.append(("opened", threading.get_ident())))
    host.submit(count, lambda n: answers.append((n, threading.get_ident())))
    host.close(lambda: answers.append(("closed", threading.get_ident())))
    qtbot.waitUntil(lambda: len(answers) == 3, timeout=WAIT_MS)

    assert seen["open"] == seen["call"] != gui_thread
    assert answers == [("opened", gui_thread), (12, gui_thread), ("closed", gui_thread)]


def test_errors_come_back_to_the_caller_and_calls_after_close_are_refused(
    qtbot: QtBot, host: SessionHost, filled_store: object, store_dir: Path
) -> None:
    errors: list[Exception] = []
    host.open(
        lambda: Session.unlock(store_dir, "not the passphrase", load_policy()),
        on_error=errors.append,
    )
    host.submit(lambda session: session.cases(), on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=WAIT_MS)
    assert isinstance(errors[0], WrongPassphrase)
    assert isinstance(errors[1], SessionLocked)
    assert host.pending == 0


def test_shutdown_locks_the_session_and_ends_the_thread(
    qtbot: QtBot, filled_store: object, store_dir: Path
) -> None:
    host = SessionHost()
    holder: list[Session] = []

    def opener() -> Session:
        session = Session.unlock(store_dir, PASSPHRASE, load_policy())
        holder.append(session)
        return session

    with qtbot.waitSignal(host.pending_changed, check_params_cb=lambda n: n == 0, timeout=WAIT_MS):
        host.open(opener)
    host.shutdown()
    assert not host.running
    assert holder[0].locked
    with pytest.raises(RuntimeError):
        host.submit(lambda session: None)
