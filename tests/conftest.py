"""Shared fixtures: every test gets its own store directory, policy path and a fast KDF."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.enums import Jurisdiction, Regime
from desktop.policy import load_policy
from desktop.session import Profile, Session

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSPHRASE = "correct horse battery staple"
PROFILE = Profile(
    name="Sam Practitioner",
    role="Social worker",
    organisation="Northshire Council",
    jurisdiction=Jurisdiction.UK_ENG,
    regimes=(Regime.UK_GDPR, Regime.CL_CONFIDENCE),
)
"""The practitioner every test store belongs to, unless a test needs another."""
US_PROFILE = Profile(
    name="Sam Practitioner",
    role="Hospital social worker",
    organisation="Riverside General Hospital",
    jurisdiction=Jurisdiction.US,
    regimes=(Regime.HIPAA,),
)
"""The practitioner of a US store, where HIPAA applies."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cycles", type=int, default=200, help="kill -9 cycles for the crash test (release: 5000)"
    )


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the machine's policy, the user's store or a real passphrase."""
    monkeypatch.setenv("DISCLOSURE_LOG_HOME", str(tmp_path / "home-store"))
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(tmp_path / "no-policy.json"))
    # The floor (64 MiB, t=3) still applies; only the calibration target is lowered.
    monkeypatch.setenv("DISCLOSURE_LOG_KDF_SECONDS", "0.01")
    for name in ("DISCLOSURE_LOG_PASSPHRASE", "DISCLOSURE_LOG_NEW_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "no-policy.json").write_text("{}", encoding="utf-8")


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def session(store_dir: Path) -> Iterator[Session]:
    opened = Session.create(store_dir, PASSPHRASE, PROFILE, load_policy())
    yield opened
    opened.lock()


def tree_digest(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under a directory, to prove an operation changed nothing."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def tables_but_audit(conn: Any) -> dict[str, list[str]]:
    """Every table but the audit log, row by row: what a refused import must leave as it was
    (a refusal is audited; nothing else may change)."""
    names = [
        str(name)
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%' AND name != 'audit'"
        )
    ]
    return {name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"'))) for name in names}
