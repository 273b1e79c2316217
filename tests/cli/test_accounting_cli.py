"""``report accounting`` through the command line (DESIGN §6).

The PDF is for handing to the person and is not encrypted, so the command asks before writing
it: scripts confirm with ``--yes``, and without a terminal to ask on it refuses at once.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.policy import Policy
from desktop.session import Session
from tests.cli.conftest import FLOOR, CliRunner, add, record_body, run_cli, run_on_terminal
from tests.conftest import PASSPHRASE, US_PROFILE
from tests.factories import us_share_body

PERSON = "MRN-40021"
"""The person of ``us_share_body``: a mandated report, accountable under HIPAA, that their
parent (the suspected abuser) was not told of."""


@pytest.fixture
def us_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A locked US (HIPAA) store with one accountable disclosure; passphrase in the environment."""
    directory = tmp_path / "store"
    session = Session.create(directory, PASSPHRASE, US_PROFILE, Policy(), FLOOR)
    try:
        a_month_ago = (datetime.now(UTC) - timedelta(days=30)).isoformat()
        add(session, record_body(us_share_body, when=a_month_ago))
    finally:
        session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    return directory


def written(folder: Path) -> list[str]:
    """Every file in ``folder``, temporary ones included."""
    return sorted(path.name for path in folder.iterdir())


def test_without_yes_and_without_a_terminal_it_refuses_and_writes_nothing(
    us_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = run_cli(
        "--store", us_store, "report", "accounting", "--subject", PERSON, "--out", out / "a.pdf",
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "--yes" in done.stderr.decode()
    assert "Check before handing it over: 1 of these disclosures" in done.stderr.decode()
    assert "1 entry covering 1 disclosure" in done.stdout.decode()
    assert written(out) == []


def test_with_yes_it_writes_an_owner_only_pdf_and_the_audit_chain_holds(
    cli: CliRunner, us_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    pdf = out / "accounting.pdf"
    done = cli(
        "--store", us_store, "report", "accounting", "--subject", PERSON, "--out", pdf, "--yes"
    )
    assert done.code == 0, done.err
    assert pdf.read_bytes().startswith(b"%PDF-")
    if os.name != "nt":
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert written(out) == ["accounting.pdf"]  # no temporary file left behind
    verified = cli("--store", us_store, "audit", "verify")
    assert verified.code == 0, verified.err


def test_a_start_before_the_six_years_is_invalid_input(
    cli: CliRunner, us_store: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "accounting.pdf"
    done = cli(
        "--store", us_store, "report", "accounting", "--subject", PERSON,
        "--from", "2001-01-01", "--out", pdf, "--yes",
    )  # fmt: skip
    assert done.code == 4
    assert "six years" in done.err
    assert not pdf.exists()


@pytest.mark.parametrize(("answer", "code"), [(b"y\n", 0), (b"n\n", 1)])
def test_on_a_terminal_it_asks_first(
    us_store: Path, tmp_path: Path, answer: bytes, code: int
) -> None:
    pdf = tmp_path / "accounting.pdf"
    done = run_on_terminal(
        "--store", us_store, "report", "accounting", "--subject", PERSON, "--out", pdf,
        answer=answer,
    )  # fmt: skip
    assert done.returncode == code, done.stderr.decode()
    assert "unencrypted, for handing to the person?" in done.stdout.decode()
    assert pdf.exists() is (code == 0)
