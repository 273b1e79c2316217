"""The organisation policy: valid files load, invalid ones name the field, the schema is current."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import NameOID

from desktop.domain.enums import Jurisdiction, Regime
from desktop.policy import (
    EMPTY_POLICY,
    POLICY_ENV,
    PolicyError,
    load_policy,
    parse_policy,
    policy_json_schema,
)
from desktop.resources import resource_path

SCHEMA_FILE = resource_path("schemas", "policy.schema.json")


def _pem() -> str:
    key = X25519PrivateKey.generate().public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_full_policy_loads(tmp_path: Path) -> None:
    document = {
        "format": "disclosure-log-policy/1",
        "organisation": "Northshire Council",
        "jurisdiction": "UK-WAL",
        "regimes": ["UK_GDPR", "CL_CONFIDENCE"],
        "idle_lock_minutes": 10,
        "recovery_public_key": _pem(),
        "report_public_key": _pem(),
        "trusted_ca_certificates": [],
        "retention_years": 7,
    }
    policy = parse_policy(json.dumps(document).encode(), tmp_path / "p.json")
    assert policy.jurisdiction is Jurisdiction.UK_WAL
    assert policy.regimes == [Regime.UK_GDPR, Regime.CL_CONFIDENCE]
    assert policy.recovery_key() is not None
    assert policy.report_key() is not None
    assert policy.idle_lock_minutes == 10


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"jurisdiction": "UK"}, "jurisdiction"),
        ({"idle_lock_minutes": "5"}, "idle_lock_minutes"),
        ({"idle_lock_minutes": 0}, "idle_lock_minutes"),
        ({"lock_minutes": 5}, "lock_minutes"),
        ({"recovery_public_key": "not a key"}, "recovery_public_key"),
        ({"report_public_key": "not a key"}, "report_public_key"),
        ({"regimes": []}, "regimes"),
        ({"retention_years": 1000}, "retention_years"),
    ],
)
def test_invalid_policy_names_the_field(tmp_path: Path, document: dict, field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(json.dumps(document).encode(), tmp_path / "p.json")
    assert any(problem.startswith(field) for problem in caught.value.problems), caught.value


def _certificate(ca: bool) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Northshire Council CA")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def test_trusted_certificates_must_be_ca_certificates(tmp_path: Path) -> None:
    good = {"trusted_ca_certificates": [_certificate(ca=True)]}
    assert parse_policy(json.dumps(good).encode(), tmp_path / "p.json").trusted_ca_certificates
    for bad in ([_certificate(ca=False)], ["-----BEGIN CERTIFICATE-----\nAAAA\n"]):
        with pytest.raises(PolicyError, match="trusted_ca_certificates"):
            parse_policy(json.dumps({"trusted_ca_certificates": bad}).encode(), tmp_path / "p")


def test_regimes_must_fit_the_jurisdiction(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="HIPAA"):
        parse_policy(b'{"jurisdiction": "UK-ENG", "regimes": ["HIPAA"]}', tmp_path / "p.json")


def test_not_json_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not valid JSON"):
        parse_policy(b"{", tmp_path / "p.json")


def test_environment_override_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "missing.json"))
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy()


def test_missing_machine_policy_means_no_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(POLICY_ENV)
    monkeypatch.setattr("desktop.policy.machine_policy_path", lambda: tmp_path / "absent.json")
    assert load_policy() == EMPTY_POLICY


def test_published_schema_matches_the_model() -> None:
    """The published schema is generated from the model: `make schemas` regenerates it."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == policy_json_schema()
