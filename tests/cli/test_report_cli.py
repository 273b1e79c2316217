"""``report export`` and ``report open`` (DESIGN §6), between two real stores.

The practitioner adds the supervisor's identity card as a recipient and exports; the supervisor
opens the bundle in their own store. The commands run as the real program (exit codes, stderr);
the cancel and failure paths, which only the GUI reaches, go through ``Session``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop.domain.canonical import sha256_hex
from desktop.domain.enums import Jurisdiction, Regime
from desktop.identity import Identity
from desktop.policy import Policy
from desktop.reports.bundle_reader import OpenedBundle, open_bundle
from desktop.session import Profile, ReportScope, Session, Stopped, StoreError
from tests.cli.conftest import FLOOR, dns_record, make_store, record_body, run_cli
from tests.cli.test_identity_cli import owner_only
from tests.conftest import PASSPHRASE
from tests.reports.conftest import latest_documents
from tests.reports.test_collect import expected_figures
from tests.reports.test_pades import pyhanko_validate
from tests.reports.test_pdf import tool

MARKER = "Quillfeather-3c9e marker"
"""In the notes of one record: it must be in the PDF the supervisor reads, nowhere else."""
SUPERVISOR = Profile(
    name="Jo Supervisor",
    role="Designated safeguarding lead",
    organisation="Northshire Council",
    jurisdiction=Jurisdiction.UK_ENG,
    regimes=(Regime.UK_GDPR, Regime.CL_CONFIDENCE),
)
SCOPE = ReportScope(date(2000, 1, 1), date(2099, 12, 31))
PERIOD = ("--from", SCOPE.start.isoformat(), "--to", SCOPE.end.isoformat())
ENV = {"DISCLOSURE_LOG_PASSPHRASE": PASSPHRASE}


@dataclass(frozen=True)
class Stores:
    practitioner: Path
    supervisor: Path


@pytest.fixture
def stores(tmp_path: Path) -> Stores:
    """A practitioner with five records who lists the supervisor as recipient ``supervisor``."""
    practitioner = tmp_path / "practitioner"
    make_store(
        practitioner,
        [
            record_body(notes=f"Met at home. {MARKER}."),
            record_body(consent=True, case_id="CASE-2025-0200"),
            record_body(basis_codes=["UK-STAT-CA1989-S47"]),
            dns_record(),
            record_body(when="2025-06-01T10:00:00Z"),
        ],
    )
    supervisor = tmp_path / "supervisor"
    with opened(supervisor, create=True) as session:
        card = session_card(session, tmp_path / "jo.card")
    with opened(practitioner) as session:
        session.add_recipient("supervisor", card)
    return Stores(practitioner, supervisor)


@contextmanager
def opened(
    directory: Path, *, create: bool = False, policy: Policy | None = None
) -> Iterator[Session]:
    """A session on a test store (a new supervisor's, with ``create``), locked on leaving."""
    policy = policy or Policy()
    if create:
        session = Session.create(directory, PASSPHRASE, SUPERVISOR, policy, FLOOR)
    else:
        session = Session.unlock(directory, PASSPHRASE, policy)
    try:
        yield session
    finally:
        session.lock()


def session_card(session: Session, path: Path) -> bytes:
    session.write_identity_card(path)
    return path.read_bytes()


def export(store: Path, out: Path, *extra: str) -> Any:
    return run_cli(
        "--store", store, "report", "export", *PERIOD, "--to-recipient", "supervisor",
        "--out", out, *extra, env=ENV,
    )  # fmt: skip


def field(output: bytes, label: str) -> str:
    found = re.search(rf"^{label} +(.+)$", output.decode(), re.MULTILINE)
    assert found, (label, output)
    return found.group(1)


def records_line(figures: dict[str, Any]) -> str:
    return (
        f"{figures['records']} ({figures['final']} final, {figures['shared']} of them shared;"
        f" {figures['pending']} not final)"
    )


def expected(store: Path) -> dict[str, Any]:
    """The figures, counted here from the store's own rows."""
    with opened(store) as session:
        counted = expected_figures(latest_documents(session, SCOPE))
    return {k: dict(v) if isinstance(v, Counter) else v for k, v in counted.items()}


def identity(store: Path) -> Identity:
    with opened(store) as session:
        return session.identity()


def audit_rows(store: Path) -> list[tuple[str, str]]:
    with opened(store) as session:
        rows = session.store.conn.execute("SELECT event, detail FROM audit ORDER BY seq")
        return [(str(event), str(detail)) for event, detail in rows]


def exported_rows(store: Path) -> list[tuple[Any, ...]]:
    with opened(store) as session:
        return list(session.store.conn.execute("SELECT * FROM exported_reports ORDER BY seq"))


def audit_verifies(store: Path) -> None:
    done = run_cli("--store", store, "audit", "verify", env=ENV)
    assert done.returncode == 0, done.stderr


def shows(data: bytes, marker: str) -> bool:
    return any(marker.encode(codec) in data for codec in ("utf-8", "utf-16-le", "utf-16-be"))


# -- the journey ------------------------------------------------------------------------------
def test_a_supervisor_opens_the_report_a_practitioner_exported(
    stores: Stores, tmp_path: Path
) -> None:
    out = tmp_path / "outbox" / "march.dlreport"
    out.parent.mkdir()
    done = export(stores.practitioner, out)
    assert done.returncode == 0, done.stderr
    found = re.search(rb"^Report ([0-9a-f-]{36}) written to ", done.stdout, re.MULTILINE)
    assert found, done.stdout
    report_id = found.group(1).decode()
    figures = expected(stores.practitioner)
    assert figures["records"] == 5
    assert field(done.stdout, "Sequence") == "1"
    assert field(done.stdout, "Records") == records_line(figures)
    with opened(stores.practitioner) as session:
        fingerprint = session.certificate().fingerprint
        certificate = tmp_path / "practitioner.pem"
        session.write_certificate(certificate)
    assert field(done.stdout, "Fingerprint") == fingerprint
    assert owner_only(out)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left
    for marker in (MARKER, "Sam Practitioner", "CASE-2025-0200"):
        assert not shows(out.read_bytes(), marker), marker

    pdf = tmp_path / "read" / "march.pdf"
    pdf.parent.mkdir()
    done = run_cli("--store", stores.supervisor, "report", "open", out, "--pdf-out", pdf, env=ENV)
    assert done.returncode == 0, done.stderr
    assert field(done.stdout, "Signed by") == "Sam Practitioner, Northshire Council"
    assert field(done.stdout, "Fingerprint") == fingerprint
    assert field(done.stdout, "Report") == f"{report_id}, number 1 from its author"
    assert field(done.stdout, "Period") == "2000-01-01 to 2099-12-31"
    assert field(done.stdout, "Records") == records_line(figures)
    assert owner_only(pdf)
    assert [p.name for p in pdf.parent.iterdir()] == [pdf.name]
    validated = pyhanko_validate(pdf, certificate)
    assert validated.returncode == 0, validated.stderr
    assert "INTACT:TRUSTED,UNTOUCHED" in validated.stdout
    assert MARKER in " ".join(tool("pdftotext", "-enc", "UTF-8", pdf, "-").split())

    for store, event in (
        (stores.practitioner, "report_exported"),
        (stores.supervisor, "report_opened"),
    ):
        audit_verifies(store)
        rows = audit_rows(store)
        assert [detail for name, detail in rows if name == event]
        assert not any(shows(detail.encode(), MARKER) for _, detail in rows)


def test_each_export_takes_the_next_number_and_names_the_bundle_before_it(
    stores: Stores, tmp_path: Path
) -> None:
    supervisor = identity(stores.supervisor)
    bundles: list[OpenedBundle] = []
    for number in (1, 2, 3):
        out = tmp_path / f"report-{number}.dlreport"
        done = export(stores.practitioner, out)
        assert done.returncode == 0, done.stderr
        assert field(done.stdout, "Sequence") == str(number)
        bundles.append(open_bundle(out.read_bytes(), supervisor.encryption_key))
    manifests = [bundle.info.manifest for bundle in bundles]
    hashes = [bundle.info.signed.sha256 for bundle in bundles]
    assert [m.sequence for m in manifests] == [1, 2, 3]
    assert [m.previous_bundle_sha256 for m in manifests] == [None, hashes[0], hashes[1]]
    assert len({m.report_id for m in manifests}) == 3
    figures = expected(stores.practitioner)
    assert all(b.info.head.figures.model_dump(mode="json") == figures for b in bundles)

    rows = exported_rows(stores.practitioner)
    assert [row[:4] for row in rows] == [
        (
            m.sequence,
            m.report_id,
            h,
            sha256_hex((tmp_path / f"report-{m.sequence}.dlreport").read_bytes()),
        )
        for m, h in zip(manifests, hashes, strict=True)
    ]
    audited = [json.loads(d) for e, d in audit_rows(stores.practitioner) if e == "report_exported"]
    assert [(a["sequence"], a["bundle_sha256"]) for a in audited] == [
        (1, hashes[0]),
        (2, hashes[1]),
        (3, hashes[2]),
    ]
    audit_verifies(stores.practitioner)


def test_the_practitioner_can_export_to_the_organisation_report_key(
    tmp_path: Path,
) -> None:
    organisation = X25519PrivateKey.generate()
    pem = organisation.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    policy = Policy(report_public_key=pem.decode())
    store = tmp_path / "practitioner"
    make_store(store, [record_body()])
    out = tmp_path / "to-org.dlreport"
    with opened(store, policy=policy) as session:
        session.export_report(SCOPE, "Organisation", out)
    opened_bundle = open_bundle(out.read_bytes(), organisation)
    assert opened_bundle.info.head.figures.records == 1


# -- refusals ---------------------------------------------------------------------------------
def test_export_refuses_bad_requests_and_uses_no_number(stores: Stores, tmp_path: Path) -> None:
    kept = tmp_path / "kept.dlreport"
    kept.write_bytes(b"an earlier report")
    new = tmp_path / "new.dlreport"
    store = ("--store", stores.practitioner, "report", "export")
    requests = {
        "a day that does not exist": (*store, "--from", "2025-02-30", "--to", "2025-03-01",
                                      "--to-recipient", "supervisor", "--out", new),
        "a period that ends before it starts": (*store, "--from", "2025-03-02", "--to",
                                                "2025-03-01", "--to-recipient", "supervisor",
                                                "--out", new),
        "an unknown recipient": (*store, *PERIOD, "--to-recipient", "nobody", "--out", new),
        "no organisation key": (*store, *PERIOD, "--to-recipient", "organisation", "--out", new),
        "an existing file": (*store, *PERIOD, "--to-recipient", "supervisor", "--out", kept),
        "a missing folder": (*store, *PERIOD, "--to-recipient", "supervisor",
                             "--out", tmp_path / "nowhere" / "r.dlreport"),
    }  # fmt: skip
    for name, arguments in requests.items():
        done = run_cli(*arguments, env=ENV)
        assert done.returncode == 4, (name, done.stderr)
        assert done.stderr.startswith(b"disclosure-log-cli: "), name
        assert b"Traceback" not in done.stderr, name
    assert kept.read_bytes() == b"an earlier report"
    assert not new.exists()
    assert not list(tmp_path.glob(".*.partial"))
    assert exported_rows(stores.practitioner) == []
    assert "report_exported" not in [name for name, _ in audit_rows(stores.practitioner)]


def test_report_open_refuses_what_does_not_verify_and_writes_no_pdf(
    stores: Stores, tmp_path: Path
) -> None:
    bundle = tmp_path / "report.dlreport"
    with opened(stores.practitioner) as session:
        session.export_report(SCOPE, "supervisor", bundle)
    data = bundle.read_bytes()
    changed = bytearray(data)
    changed[len(data) // 2] ^= 0x20
    stranger = tmp_path / "stranger"
    with opened(stranger, create=True):
        pass
    kept_pdf = tmp_path / "kept.pdf"
    kept_pdf.write_bytes(b"kept")
    files = {
        "garbage.dlreport": b"\x00garbage" * 100,
        "a-pdf.dlreport": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        "changed.dlreport": bytes(changed),
        "cut.dlreport": data[:-100],
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    cases = [
        (stores.supervisor, "garbage.dlreport", 4, "not a Disclosure Log report bundle"),
        (stores.supervisor, "a-pdf.dlreport", 4, "not a Disclosure Log report bundle"),
        (stores.supervisor, "changed.dlreport", 1, "damaged or was changed"),
        (stores.supervisor, "cut.dlreport", 1, "damaged or was changed"),
        (stranger, "report.dlreport", 1, "not for your key"),
    ]
    for store, name, code, message in cases:
        pdf = tmp_path / f"{name}.pdf"
        done = run_cli(
            "--store", store, "report", "open", tmp_path / name, "--pdf-out", pdf, env=ENV
        )
        assert done.returncode == code, (name, done.stderr)
        assert message.encode() in done.stderr, (name, done.stderr)
        assert b"Traceback" not in done.stderr
        assert not pdf.exists(), name
    done = run_cli(
        "--store", stores.supervisor, "report", "open", bundle, "--pdf-out", kept_pdf, env=ENV
    )
    assert done.returncode == 4
    assert kept_pdf.read_bytes() == b"kept"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


# -- cancelled or failed exports --------------------------------------------------------------
def nothing_exported(session: Session, folder: Path) -> None:
    assert list(folder.iterdir()) == []
    assert session.store.exports.next_position().sequence == 1
    events = [row[0] for row in session.store.conn.execute("SELECT event FROM audit")]
    assert "report_exported" not in events


class CancelAt:
    """A ``should_cancel`` that says yes the ``n``-th time it is asked, and only then."""

    def __init__(self, n: int) -> None:
        self.n, self.asked = n, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked == self.n


def test_an_export_cancelled_at_any_point_leaves_no_file_and_uses_no_number(
    stores: Stores, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir()
    out = folder / "report.dlreport"
    with opened(stores.practitioner) as session:
        for cancel_at in itertools.count(1):
            try:
                exported = session.export_report(
                    SCOPE, "supervisor", out, should_cancel=CancelAt(cancel_at)
                )
            except Stopped:
                nothing_exported(session, folder)
                continue
            break
        assert cancel_at > 3  # cancelled while collecting, drawing, and before writing
        assert exported.info.manifest.sequence == 1
        assert [p.name for p in folder.iterdir()] == [out.name]


def test_an_export_that_fails_to_write_leaves_no_file_and_uses_no_number(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    folder = tmp_path / "outbox"
    folder.mkdir()
    with opened(stores.practitioner) as session:
        monkeypatch.setattr("desktop.session.write_atomic", disk_full)
        with pytest.raises(OSError, match="No space left"):
            session.export_report(SCOPE, "supervisor", folder / "report.dlreport")
        nothing_exported(session, folder)
        assert session.verify_audit().ok


def test_an_export_overtaken_by_another_is_refused_and_the_series_stays_a_line(
    stores: Stores, tmp_path: Path
) -> None:
    """Two exports at once (two windows, a script): the one that finishes second would name the
    same predecessor and take the same number, so it is refused and writes nothing."""
    overtaking, overtaken = tmp_path / "second.dlreport", tmp_path / "first.dlreport"
    with opened(stores.practitioner) as session:
        asked = itertools.count(1)

        def export_meanwhile() -> bool:
            if next(asked) == 2:  # drawing the PDF: its number and predecessor are taken
                session.export_report(SCOPE, "supervisor", overtaking)
            return False

        with pytest.raises(StoreError, match="exported from this store meanwhile"):
            session.export_report(SCOPE, "supervisor", overtaken, should_cancel=export_meanwhile)
        assert overtaking.exists()
        assert not overtaken.exists()
        assert session.store.exports.next_position().sequence == 2
