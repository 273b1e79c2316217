"""Helpers for the command-line tests: run the CLI in-process or as a real subprocess.

In-process runs (``cli``) are fast and used for most checks; subprocess runs (``run_cli``) are
used where the exit status or stderr of the real program matters (wrong passphrase, bad input).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.domain.strict_json import parse_record_body
from desktop.policy import Policy, load_policy
from desktop.session import Session
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import dns_body, give_consent, uk_share_body

REPO = Path(__file__).resolve().parents[2]
FLOOR = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
"""What ``$DISCLOSURE_LOG_KDF_SECONDS=0.01`` calibrates to, without paying for calibration."""


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


CliRunner = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """``cli("status", "--json")``: ``desktop.cli.main`` in this process, output captured."""

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse: --version, usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_cli(
    *args: str | Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """The real program in a child process; the environment is this test's (see conftest)."""
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *[str(a) for a in args]],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def run_on_terminal(
    *args: str | Path, answer: bytes, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """The real program with a pseudo-terminal for its input, on which ``answer`` is typed."""
    import pty  # noqa: PLC0415 - POSIX only: the tests that type on a terminal run on Linux CI

    controller, terminal = pty.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "desktop.cli", *[str(a) for a in args]],
            cwd=REPO,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        os.write(controller, answer)
        out, err = child.communicate(timeout=timeout)
    finally:
        os.close(controller)
        os.close(terminal)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


@pytest.fixture
def session(store_dir: Path) -> Iterator[Session]:
    """As the suite's ``session``, at the KDF floor straight away (saves one derivation)."""
    opened = Session.create(store_dir, PASSPHRASE, PROFILE, load_policy(), FLOOR)
    yield opened
    opened.lock()


def make_store(directory: Path, documents: list[dict[str, Any]]) -> list[str]:
    """A locked store holding ``documents`` (for module-scoped fixtures: no policy, no env)."""
    session = Session.create(directory, PASSPHRASE, PROFILE, Policy(), FLOOR)
    try:
        return [add(session, document) for document in documents]
    finally:
        session.lock()


def add(session: Session, document: dict[str, Any]) -> str:
    return session.add_record(parse_record_body(json.dumps(document).encode())).record_id


@pytest.fixture
def store(session: Session, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An initialised, locked store, with its passphrase in the environment."""
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    return store_dir


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def record_body(
    base: Callable[..., dict[str, Any]] = uk_share_body,
    *,
    case_id: str | None = None,
    subject_id: str | None = None,
    when: str | None = None,
    organisation: str | None = None,
    recipient_name: str | None = None,
    purpose: str | None = None,
    item: str | None = None,
    notes: str | None = None,
    basis_codes: list[str] | None = None,
    consent: bool = False,
) -> dict[str, Any]:
    """A valid record document from a factory, with the fields the tests vary replaced.

    Outcomes and basis codes are varied through the checklist answers: the decision stored with
    a record is always the checklist engine's.
    """
    body = copy.deepcopy(base())
    answers = body["checklist"]["answers"]
    if case_id is not None:
        body["case"]["case_id"] = case_id
    if subject_id is not None:
        body["subject"]["subject_id"] = subject_id
    if when is not None:
        if "Q17_record" in answers:
            answers["Q17_record"]["disclosure_at"] = when
            answers["Q17_record"]["record_created_at"] = when
        body["decision_at"] = when
    if organisation is not None:
        answers["Q4_recipient"]["recipients"][0]["organisation"] = organisation
    if recipient_name is not None:
        answers["Q4_recipient"]["recipients"][0]["name"] = recipient_name
    if purpose is not None:
        answers["Q2_purpose"]["purpose_statement"] = purpose
    if item is not None:
        answers.setdefault("Q12_minimum_necessary", {"items": []})["items"] = [
            {"description": item, "fact_or_opinion": "FACT", "justification": "Needed."}
        ]
    if notes is not None:
        body["notes"] = notes
    if consent:
        give_consent(answers)
    if basis_codes is not None:
        # The override basis is claimed at Q11; the engine turns YES claims into the basis.
        # Ordinary confidential information needs an Art 6 code and a confidence code.
        answers["Q6_information_type"] = {"info_types": ["CONFIDENTIAL"]}
        claimed = list(basis_codes)
        if not any(code.startswith("UK-GDPR-6-1-") for code in claimed):
            claimed.append("UK-GDPR-6-1-E")
        if not any(code.startswith("UK-CL-") for code in claimed):
            claimed.append("UK-CL-LEGAL-REQUIREMENT")
        answers["Q11_override_basis"]["claims"] = [
            {"code": code, "conditions_met": "YES", "justification": "Recorded for the test."}
            for code in claimed
        ]
    return body


def dns_record(**changes: Any) -> dict[str, Any]:
    return record_body(dns_body, **changes)
