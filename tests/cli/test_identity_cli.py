"""``identity`` and ``recipients`` through the command line (DESIGN §6).

The practitioner's certificate, request and card are checked with ``cryptography`` alone;
an organisation CA made here issues the certificates ``identity install-cert`` must accept or
refuse; cards travel from one real store to another.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import NameOID

from desktop.identity import new_identity
from desktop.identity_card import make_card
from desktop.policy import load_policy
from desktop.reports.envelope import open_sealed, seal
from desktop.session import Session
from tests.cli.conftest import CliRunner, run_cli, run_on_terminal, write_json
from tests.conftest import PASSPHRASE, tree_digest

INIT = ("init", "--role", "Social worker", "--organisation", "Northshire Council")
INIT_UK = (*INIT, "--jurisdiction", "UK-ENG")
NOW = datetime.now(UTC)
SUPERVISOR_CARD = make_card(
    new_identity("Jo Supervisor", "Northshire Council"), "Jo Supervisor", "Lead", "Northshire"
)


# -- an organisation CA ---------------------------------------------------------------------
class Authority:
    """A CA as an organisation would run it, issuing what ``identity install-cert`` is given."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=30))
            .not_valid_after(NOW + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def issue(
        self,
        public_key: Any,
        *,
        days: tuple[int, int] = (-1, 365),
        non_repudiation: bool = True,
    ) -> bytes:
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=non_repudiation,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sam Practitioner")]))
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW + timedelta(days=days[0]))
            .not_valid_after(NOW + timedelta(days=days[1]))
            .add_extension(usage, critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM)


ORG_CA = Authority("Northshire Council Issuing CA")
OTHER_CA = Authority("Somewhere Else CA")


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write_json(tmp_path / "policy.json", {"trusted_ca_certificates": [ORG_CA.pem]})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(path))
    return path


@pytest.fixture
def init(cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)

    def make(name: str = "Sam Practitioner", folder: str = "store") -> Path:
        directory = tmp_path / folder
        done = cli("--store", directory, *INIT_UK, "--name", name)
        assert done.code == 0, done.err
        return directory

    return make


def audit_events(store: Path) -> list[str]:
    session = Session.unlock(store, PASSPHRASE, load_policy())
    try:
        return [row[0] for row in session.store.conn.execute("SELECT event FROM audit")]
    finally:
        session.lock()


def shown(cli: CliRunner, store: Path) -> dict[str, Any]:
    done = cli("--store", store, "identity", "show", "--json")
    assert done.code == 0, done.err
    return dict(done.json())


def owner_only(path: Path) -> bool:
    return os.name == "nt" or stat.S_IMODE(path.stat().st_mode) == 0o600


# -- identity -------------------------------------------------------------------------------
def test_identity_show_gives_a_stable_fingerprint_of_the_certificate_written(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path
) -> None:
    store = init()
    first, second = shown(cli, store), shown(cli, store)
    assert first == second
    assert first["name"] == "Sam Practitioner"
    assert first["organisation"] == "Northshire Council"
    assert first["certificate"]["self_signed"] is True

    out = tmp_path / "me.pem"
    done = cli("--store", store, "identity", "cert", "--out", out)
    assert done.code == 0, done.err
    assert owner_only(out)
    certificate = x509.load_pem_x509_certificate(out.read_bytes())
    digest = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert first["certificate"]["fingerprint_sha256"] == digest
    groups = first["fingerprint"].split(" ")
    assert len(groups) == 16
    assert all(len(g) == 4 for g in groups)
    assert "".join(groups) == digest.upper()
    assert first["fingerprint"] in done.out

    human = cli("--store", store, "identity", "show")
    assert human.code == 0
    assert first["fingerprint"] in human.out
    assert "self-signed" in human.out
    assert audit_events(store).count("identity_created") == 1


def test_the_certificate_is_self_signed_for_signing_with_non_repudiation(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path
) -> None:
    store = init()
    out = tmp_path / "me.pem"
    assert cli("--store", store, "identity", "cert", "--out", out).code == 0
    certificate = x509.load_pem_x509_certificate(out.read_bytes())
    certificate.verify_directly_issued_by(certificate)
    assert certificate.subject == certificate.issuer
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Sam Practitioner"
    )
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    public = certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)


def test_the_certificate_request_verifies_and_is_for_the_same_key(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path
) -> None:
    store = init()
    assert cli("--store", store, "identity", "cert", "--out", tmp_path / "me.pem").code == 0
    done = cli("--store", store, "identity", "csr", "--out", tmp_path / "me.csr")
    assert done.code == 0, done.err
    assert owner_only(tmp_path / "me.csr")
    request = x509.load_pem_x509_csr((tmp_path / "me.csr").read_bytes())
    assert request.is_signature_valid
    certificate = x509.load_pem_x509_certificate((tmp_path / "me.pem").read_bytes())
    assert request.public_key() == certificate.public_key()
    assert request.subject == certificate.subject


def _request_key(cli: CliRunner, store: Path, tmp_path: Path) -> Any:
    assert cli("--store", store, "identity", "csr", "--out", tmp_path / "me.csr").code == 0
    return x509.load_pem_x509_csr((tmp_path / "me.csr").read_bytes()).public_key()


def test_a_certificate_from_a_trusted_ca_is_installed(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path, policy: Path
) -> None:
    store = init()
    before = shown(cli, store)
    issued = tmp_path / "issued.pem"
    issued.write_bytes(ORG_CA.issue(_request_key(cli, store, tmp_path)))

    done = cli("--store", store, "identity", "install-cert", issued)
    assert done.code == 0, done.err
    assert "Northshire Council Issuing CA" in done.out

    after = shown(cli, store)
    assert after["certificate"]["issuer"] == "CN=Northshire Council Issuing CA"
    assert after["certificate"]["self_signed"] is False
    assert after["fingerprint"] != before["fingerprint"]
    expected = x509.load_pem_x509_certificate(issued.read_bytes())
    assert after["certificate"]["fingerprint_sha256"] == expected.fingerprint(hashes.SHA256()).hex()
    assert "certificate_installed" in audit_events(store)
    assert cli("--store", store, "audit", "verify").code == 0


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (OTHER_CA.issue, 1, "not issued by a certificate authority"),
        (lambda key: ORG_CA.issue(key, days=(-400, -30)), 1, "expired"),
        (lambda key: ORG_CA.issue(key, days=(30, 400)), 1, "not valid until"),
        (lambda key: ORG_CA.issue(key, non_repudiation=False), 1, "non-repudiation"),
        (lambda key: b"-----BEGIN CERTIFICATE-----\nnonsense\n", 4, "X.509"),
        (lambda key: b"\x00" * 100, 4, "X.509"),
    ],
    ids=["unlisted-ca", "expired", "not-yet-valid", "no-non-repudiation", "bad-pem", "bad-der"],
)
def test_a_certificate_that_fails_a_check_is_refused_and_changes_nothing(
    cli: CliRunner,
    init: Callable[..., Path],
    tmp_path: Path,
    policy: Path,
    make: Callable[[Any], bytes],
    code: int,
    message: str,
) -> None:
    store = init()
    issued = tmp_path / "issued.pem"
    issued.write_bytes(make(_request_key(cli, store, tmp_path)))
    before = tree_digest(store)
    done = run_cli("--store", store, "identity", "install-cert", issued)
    assert done.returncode == code, done.stderr
    assert message in done.stderr.decode()
    assert done.stdout == b""
    assert tree_digest(store) == before


def test_a_trusted_certificate_for_another_key_is_refused(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path, policy: Path
) -> None:
    """The key is known only inside the store: it is opened (an ``unlocked`` entry), and then
    nothing else changes."""
    store = init()
    before = shown(cli, store)
    issued = tmp_path / "issued.pem"
    issued.write_bytes(ORG_CA.issue(ec.generate_private_key(ec.SECP256R1()).public_key()))
    events = audit_events(store)
    done = run_cli("--store", store, "identity", "install-cert", issued)
    assert done.returncode == 1
    assert "another key" in done.stderr.decode()
    assert audit_events(store) == [*events, "unlocked", "unlocked"]  # ours, and the check's
    assert shown(cli, store)["certificate"] == before["certificate"]


def test_without_trusted_cas_in_the_policy_no_certificate_is_installed(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path
) -> None:
    store = init()
    issued = tmp_path / "issued.pem"
    issued.write_bytes(ORG_CA.issue(_request_key(cli, store, tmp_path)))
    done = cli("--store", store, "identity", "install-cert", issued)
    assert done.code == 1
    assert "trusted_ca_certificates" in done.err


# -- cards and recipients -------------------------------------------------------------------
def test_a_card_goes_from_one_store_into_anothers_recipients(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path
) -> None:
    practitioner = init()
    supervisor = init("Jo Supervisor", "supervisor-store")
    card = tmp_path / "jo.card"
    made = cli("--store", supervisor, "identity", "card", "--out", card)
    assert made.code == 0, made.err
    assert owner_only(card)
    fingerprint = shown(cli, supervisor)["fingerprint"]
    assert fingerprint in made.out

    added = cli("--store", practitioner, "recipients", "add", card, "--name", "supervisor", "--yes")
    assert added.code == 0, added.err
    assert fingerprint in added.out
    assert "Jo Supervisor" in added.out

    [listed] = cli("--store", practitioner, "recipients", "list", "--json").json()
    assert listed["name"] == "supervisor"
    assert listed["source"] == "card"
    assert listed["holder"] == {
        "name": "Jo Supervisor",
        "role": "Social worker",
        "organisation": "Northshire Council",
    }
    assert listed["certificate"]["fingerprint"] == fingerprint
    human = cli("--store", practitioner, "recipients", "list")
    assert "supervisor" in human.out
    assert fingerprint in human.out

    # What the practitioner encrypts to that recipient, the supervisor's store opens.
    session = Session.unlock(practitioner, PASSPHRASE, load_policy())
    try:
        recipient = session.recipient("supervisor")
        assert recipient is not None
        sealed = seal(b"a report", [recipient.encryption_key])
    finally:
        session.lock()
    session = Session.unlock(supervisor, PASSPHRASE, load_policy())
    try:
        assert open_sealed(sealed, session.identity().encryption_key) == b"a report"
    finally:
        session.lock()

    again = cli("--store", practitioner, "recipients", "add", card, "--name", "Supervisor", "--yes")
    assert again.code == 0
    assert audit_events(practitioner).count("recipient_added") == 1


def _tampered(card: Path, tmp_path: Path) -> Path:
    document = json.loads(card.read_bytes())
    signed = document["card"]
    document["card"] = signed.replace("Jo Supervisor", "Mallory")
    assert document["card"] != signed
    return write_json(tmp_path / "tampered.card", document)


def test_a_tampered_card_is_refused_before_the_store_is_opened(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path
) -> None:
    practitioner = init()
    card = tmp_path / "sup.card"
    card.write_bytes(SUPERVISOR_CARD)
    before = tree_digest(practitioner)
    tampered = _tampered(card, tmp_path)
    done = run_cli(
        "--store", practitioner, "recipients", "add", tampered, "--name", "boss", "--yes"
    )
    assert done.returncode == 1
    assert "changed" in done.stderr.decode()
    garbage = write_json(tmp_path / "garbage.card", {"format": "something else"})
    done = run_cli("--store", practitioner, "recipients", "add", garbage, "--name", "x", "--yes")
    assert done.returncode == 4
    assert "identity card" in done.stderr.decode()
    assert tree_digest(practitioner) == before


def test_recipients_add_without_yes_and_without_a_terminal_refuses_at_once(
    init: Callable[..., Path], tmp_path: Path
) -> None:
    practitioner = init()
    card = tmp_path / "sup.card"
    card.write_bytes(SUPERVISOR_CARD)
    before = tree_digest(practitioner)
    done = run_cli("--store", practitioner, "recipients", "add", card, "--name", "boss", timeout=60)
    assert done.returncode == 1
    assert "--yes" in done.stderr.decode()
    assert "Jo Supervisor" in done.stdout.decode()  # the card was shown, fingerprint and all
    assert tree_digest(practitioner) == before


@pytest.mark.parametrize(("answer", "code"), [(b"yes\n", 0), (b"n\n", 1), (b"\n", 1)])
def test_on_a_terminal_recipients_add_asks_first(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path, answer: bytes, code: int
) -> None:
    practitioner = init()
    card = tmp_path / "sup.card"
    card.write_bytes(SUPERVISOR_CARD)
    done = run_on_terminal(
        "--store", practitioner, "recipients", "add", card, "--name", "boss", answer=answer
    )
    assert done.returncode == code, done.stderr.decode()
    assert "Does this fingerprint match" in done.stdout.decode()
    names = [r["name"] for r in cli("--store", practitioner, "recipients", "list", "--json").json()]
    assert names == (["boss"] if code == 0 else [])


def test_the_organisation_report_key_from_the_policy_is_listed(
    cli: CliRunner, init: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    practitioner = init()
    key = X25519PrivateKey.generate().public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    path = write_json(tmp_path / "org-policy.json", {"report_public_key": pem})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(path))
    [organisation] = cli("--store", practitioner, "recipients", "list", "--json").json()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert organisation["name"] == "organisation"
    assert organisation["source"] == "policy"
    assert organisation["encryption_key_fingerprint"] == "sha256:" + hashlib.sha256(raw).hexdigest()
    refused = cli("--store", practitioner, "recipients", "add", tmp_path / "x", "--name", "x")
    assert refused.code == 4  # no such card file

    bad = write_json(tmp_path / "bad-policy.json", {"report_public_key": "not a key"})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(bad))
    failed = cli("--store", practitioner, "recipients", "list")
    assert failed.code == 4
    assert "report_public_key" in failed.err
