"""``org keygen`` and ``org policy-check`` through the installed console script (DESIGN §6).

What keygen writes is checked with ``cryptography`` alone, then used the way IT would: the
example policy deployed, a practitioner's request signed by the keygen CA and installed, and a
leaver's store recovered with the keygen recovery key.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from desktop.identity import readable_fingerprint
from desktop.key_agreement import key_fingerprint
from tests.cli.conftest import dns_record, write_json
from tests.conftest import PASSPHRASE, tree_digest

CONSOLE_SCRIPT = Path(sys.executable).parent / "disclosure-log-cli"
ORGANISATION = "Northshire Council"
PRIVATE = ("recovery-private.pem", "report-private.pem", "ca-private.pem")
PUBLIC = ("recovery-public.pem", "report-public.pem", "ca-certificate.pem", "policy.json")
INIT_UK = ("init", "--name", "Sam Practitioner", "--role", "Social worker")
INIT_UK += ("--organisation", ORGANISATION, "--jurisdiction", "UK-ENG")


def console(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``disclosure-log-cli`` entry point pyproject.toml installs, as IT runs it."""
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *[str(a) for a in args]],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    out = tmp_path / "org-keys"
    done = console("org", "keygen", "--out", out, "--organisation", ORGANISATION)
    assert done.returncode == 0, done.stderr
    assert "offline" in done.stdout
    return out


@pytest.fixture
def deployed(keys: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example policy, unedited, as the policy in force."""
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(keys / "policy.json"))
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    return keys / "policy.json"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _private_key(path: Path) -> object:
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _ca(keys: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate((keys / "ca-certificate.pem").read_bytes())


# -- keygen ---------------------------------------------------------------------------------
def test_keygen_writes_private_halves_owner_only_and_public_halves_readable(keys: Path) -> None:
    assert sorted(p.name for p in keys.iterdir()) == sorted(PRIVATE + PUBLIC)
    for name in PRIVATE:
        assert _mode(keys / name) == 0o600, name
    for name in PUBLIC:
        assert _mode(keys / name) == 0o644, name
    for pair in ("recovery", "report"):
        private = _private_key(keys / f"{pair}-private.pem")
        public = serialization.load_pem_public_key((keys / f"{pair}-public.pem").read_bytes())
        assert isinstance(private, X25519PrivateKey)
        assert isinstance(public, X25519PublicKey)
        assert private.public_key().public_bytes_raw() == public.public_bytes_raw()
    assert _private_key(keys / "recovery-private.pem") != _private_key(keys / "report-private.pem")


def test_the_keygen_ca_is_a_ca_for_its_private_key(keys: Path) -> None:
    ca = _ca(keys)
    ca_key = _private_key(keys / "ca-private.pem")
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    assert isinstance(ca_key.curve, ec.SECP256R1)
    assert ca.public_key() == ca_key.public_key()
    ca.verify_directly_issued_by(ca)  # self-signed, and the signature holds
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign
    assert usage.crl_sign
    assert not usage.digital_signature
    assert ORGANISATION in ca.subject.rfc4514_string()
    assert ca.not_valid_before_utc <= datetime.now(UTC) < ca.not_valid_after_utc


def test_keygen_never_overwrites_and_writes_nothing_when_one_file_exists(
    keys: Path, tmp_path: Path
) -> None:
    before = tree_digest(keys)
    again = console("org", "keygen", "--out", keys)
    assert again.returncode == 4
    assert "recovery-private.pem" in again.stderr
    assert tree_digest(keys) == before

    partly = tmp_path / "partly"
    partly.mkdir()
    (partly / "ca-private.pem").write_text("IT's existing key", encoding="utf-8")
    refused = console("org", "keygen", "--out", partly)
    assert refused.returncode == 4
    assert "ca-private.pem" in refused.stderr
    assert [p.name for p in partly.iterdir()] == ["ca-private.pem"]
    assert (partly / "ca-private.pem").read_text(encoding="utf-8") == "IT's existing key"


# -- policy-check ---------------------------------------------------------------------------
def test_the_example_policy_passes_and_is_told_back_in_plain_words(keys: Path) -> None:
    checked = console("org", "policy-check", keys / "policy.json")
    assert checked.returncode == 0, checked.stderr
    recovery = _private_key(keys / "recovery-private.pem")
    report = _private_key(keys / "report-private.pem")
    assert isinstance(recovery, X25519PrivateKey)
    assert isinstance(report, X25519PrivateKey)
    ca_fingerprint = readable_fingerprint(_ca(keys).fingerprint(hashes.SHA256()).hex())
    for expected in (
        ORGANISATION,
        "UK-ENG",
        "UK_GDPR, CL_CONFIDENCE",
        "5 minutes",
        key_fingerprint(recovery.public_key()),
        key_fingerprint(report.public_key()),
        f"CN={ORGANISATION} Practitioner CA",
        ca_fingerprint,
        "7 years",
        "built-in checklist",
    ):
        assert expected in checked.stdout, expected

    as_json = json.loads(console("org", "policy-check", keys / "policy.json", "--json").stdout)
    assert as_json["recovery_key_fingerprint"] == key_fingerprint(recovery.public_key())
    assert as_json["trusted_cas"][0]["fingerprint"] == ca_fingerprint


def test_an_empty_policy_says_what_is_left_to_the_practitioner(tmp_path: Path) -> None:
    checked = console("org", "policy-check", write_json(tmp_path / "policy.json", {}))
    assert checked.returncode == 0, checked.stderr
    said = {line[:16].strip(): line[16:] for line in checked.stdout.splitlines()[1:]}
    assert said["Recovery key"].startswith("none")
    assert said["Report key"].startswith("none")
    assert said["Trusted CAs"].startswith("none")
    assert said["Organisation"] == "not set: each practitioner chooses"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"idle_lock_minutes": 0}, "idle_lock_minutes"),
        ({"recovery_public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n"}, "recovery_public_key"),
        ({"trusted_ca_certificates": ["not a certificate"]}, "trusted_ca_certificates"),
        ({"regimes": ["HIPAA"]}, "regimes"),
        ({"retention_year": 7}, "retention_year"),
        ({"rule_pack": "/nowhere/pack.json"}, "rule_pack"),
    ],
)
def test_a_broken_policy_fails_naming_the_field(
    keys: Path, tmp_path: Path, change: dict[str, object], field: str
) -> None:
    document = json.loads((keys / "policy.json").read_text(encoding="utf-8"))
    broken = write_json(tmp_path / "broken.json", {**document, **change})
    checked = console("org", "policy-check", broken)
    assert checked.returncode == 4
    assert field in checked.stderr
    assert checked.stdout == ""


def test_a_missing_or_unreadable_policy_is_invalid_input(tmp_path: Path) -> None:
    assert console("org", "policy-check", tmp_path / "absent.json").returncode == 4
    (tmp_path / "garbage.json").write_text("{", encoding="utf-8")
    assert console("org", "policy-check", tmp_path / "garbage.json").returncode == 4


# -- the keys in use ------------------------------------------------------------------------
def test_a_request_signed_by_the_keygen_ca_is_installed(
    deployed: Path, keys: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    assert console("--store", store, *INIT_UK).returncode == 0
    assert (
        console("--store", store, "identity", "csr", "--out", tmp_path / "sam.csr").returncode == 0
    )
    request = x509.load_pem_x509_csr((tmp_path / "sam.csr").read_bytes())
    ca, ca_key = _ca(keys), _private_key(keys / "ca-private.pem")
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    now = datetime.now(UTC)
    issued = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(ca.subject)
        .public_key(request.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=730))
        .add_extension(request.extensions.get_extension_for_class(x509.KeyUsage).value, True)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "sam.pem").write_bytes(issued.public_bytes(serialization.Encoding.PEM))

    installed = console("--store", store, "identity", "install-cert", tmp_path / "sam.pem")
    assert installed.returncode == 0, installed.stderr
    shown = json.loads(console("--store", store, "identity", "show", "--json").stdout)
    assert shown["certificate"]["issuer"] == ca.subject.rfc4514_string()


def test_a_store_made_under_the_keygen_policy_is_recovered_with_the_keygen_key(
    deployed: Path, keys: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    assert console("--store", store, *INIT_UK).returncode == 0
    added = console("--store", store, "add", write_json(tmp_path / "r.json", dns_record()))
    assert added.returncode == 0, added.stderr
    listed = console("--store", store, "list", "--json").stdout

    new = "a brand new passphrase for the store"
    recovered = console(
        "--store",
        store,
        "recover",
        "--org-key",
        keys / "recovery-private.pem",
        env={"DISCLOSURE_LOG_PASSPHRASE": "", "DISCLOSURE_LOG_NEW_PASSPHRASE": new},
    )
    assert recovered.returncode == 0, recovered.stderr
    assert console("--store", store, "status").returncode == 3  # the old passphrase is gone
    with_new = {"DISCLOSURE_LOG_PASSPHRASE": new}
    assert console("--store", store, "list", "--json", env=with_new).stdout == listed
    assert console("--store", store, "audit", "verify", env=with_new).returncode == 0
