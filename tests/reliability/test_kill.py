"""kill -9 in the middle of saving: every acknowledged record survives, none is half there."""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.domain.enums import Jurisdiction, Regime
from desktop.policy import EMPTY_POLICY
from desktop.session import Profile, Session, WrongPassphrase
from desktop.store.connection import cipher_integrity_ok
from tests.reliability.kill_child import PASSPHRASES

ROOT = Path(__file__).resolve().parents[2]
PROFILE = Profile(
    "Crash Tester",
    "Social worker",
    "Test Council",
    Jurisdiction.UK_ENG,
    (Regime.UK_GDPR, Regime.CL_CONFIDENCE),
)


def _spawn(mode: str, store: Path, number: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.kill_child", mode, str(store), str(number)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _run_and_kill(
    child: subprocess.Popen[str], rng: random.Random, window: tuple[float, float] = (0.05, 0.5)
) -> list[str]:
    """Collect acknowledgements until a random moment after READY, then SIGKILL the child."""
    assert child.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    lines: list[str] = []
    ready = child.stdout.readline()
    assert ready.strip() == "READY", child.stderr.read() if child.stderr else ready
    deadline = time.monotonic() + rng.uniform(*window)
    while time.monotonic() < deadline:
        if selector.select(timeout=max(0.0, deadline - time.monotonic())):
            line = child.stdout.readline()
            if not line:
                break
            lines.append(line)
    child.send_signal(signal.SIGKILL)
    child.wait()
    # Whatever was already written to the pipe before the kill was acknowledged too.
    lines.extend(child.stdout.readlines())
    selector.close()
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    return [line for line in lines if line.startswith("ACK ")]


def test_kill_during_adds_loses_no_acknowledged_record(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    cycles = int(request.config.getoption("--cycles"))
    store = tmp_path / "store"
    Session.create(store, PASSPHRASES[0], PROFILE, EMPTY_POLICY).lock()
    rng = random.Random(20261121)
    acknowledged: dict[str, int] = {}
    next_number = 0
    for cycle in range(cycles):
        child = _spawn("add", store, next_number)
        for line in _run_and_kill(child, rng):
            _, record_id, number = line.split()
            acknowledged[record_id] = int(number)
            next_number = int(number) + 1
        session = Session.unlock(store, PASSPHRASES[0], EMPTY_POLICY)
        try:
            assert session.store.integrity_ok(), f"cycle {cycle}: integrity_check failed"
            assert cipher_integrity_ok(session.store.conn), f"cycle {cycle}: page MAC failure"
            result = session.verify_audit()
            assert result.ok, f"cycle {cycle}: {result.problem}"
            status = session.status()
            # At most one record may have committed after its acknowledgement was lost.
            assert len(acknowledged) <= status.records <= len(acknowledged) + cycle + 1
            assert status.versions == status.records
            for record_id, number in list(acknowledged.items())[-50:]:
                assert session.record(record_id)["notes"] == f"crash-test record number {number}"
            next_number = max(next_number, status.records)
        finally:
            session.lock()
    session = Session.unlock(store, PASSPHRASES[0], EMPTY_POLICY)
    try:
        for record_id, number in acknowledged.items():
            assert session.record(record_id)["notes"] == f"crash-test record number {number}"
        assert session.search("crash-test")  # the full-text index survived too
    finally:
        session.lock()
    assert len(acknowledged) > cycles  # the test really exercised commits


def test_kill_during_passphrase_change_leaves_old_or_new_working(tmp_path: Path) -> None:
    store = tmp_path / "store"
    Session.create(store, PASSPHRASES[0], PROFILE, EMPTY_POLICY).lock()
    rng = random.Random(7)
    current, changes, cycle = 0, 0, 0
    # At least 25 kills, and on until 25 changes were acknowledged however slow the machine is
    # (each change derives a key, about 0.2 s here; a loaded CI machine completes fewer per kill).
    while cycle < 25 or changes <= 25:
        assert cycle < 250, f"only {changes} passphrase changes completed in {cycle} cycles"
        cycle += 1
        acks = _run_and_kill(_spawn("passwd", store, current), rng, window=(0.3, 1.5))
        changes += len(acks)
        opened = []
        for index, passphrase in enumerate(PASSPHRASES):
            try:
                session = Session.unlock(store, passphrase, EMPTY_POLICY)
            except WrongPassphrase:
                continue
            assert session.store.integrity_ok()
            assert session.verify_audit().ok
            session.lock()
            opened.append(index)
        # Never neither: the key file is replaced atomically, so exactly one passphrase works.
        assert len(opened) == 1, f"cycle {cycle}: opened with {opened}"
        current = opened[0]
