"""The organisation policy: valid files load, invalid ones name the field, the schema is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

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
        "trusted_ca_certificates": [],
        "retention_years": 7,
    }
    policy = parse_policy(json.dumps(document).encode(), tmp_path / "p.json")
    assert policy.jurisdiction is Jurisdiction.UK_WAL
    assert policy.regimes == [Regime.UK_GDPR, Regime.CL_CONFIDENCE]
    assert policy.recovery_key() is not None
    assert policy.idle_lock_minutes == 10


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"jurisdiction": "UK"}, "jurisdiction"),
        ({"idle_lock_minutes": "5"}, "idle_lock_minutes"),
        ({"idle_lock_minutes": 0}, "idle_lock_minutes"),
        ({"lock_minutes": 5}, "lock_minutes"),
        ({"recovery_public_key": "not a key"}, "recovery_public_key"),
        ({"regimes": []}, "regimes"),
        ({"retention_years": 1000}, "retention_years"),
    ],
)
def test_invalid_policy_names_the_field(tmp_path: Path, document: dict, field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(json.dumps(document).encode(), tmp_path / "p.json")
    assert any(problem.startswith(field) for problem in caught.value.problems), caught.value


def test_regimes_must_fit_the_jurisdiction(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="HIPAA"):
        parse_policy(b'{"jurisdiction": "UK-ENG", "regimes": ["HIPAA"]}', tmp_path / "p.json")


def test_not_json_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not valid JSON"):
        parse_policy(b"{", tmp_path / "p.json")


def test_environment_override_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    """resources/schemas/policy.schema.json is generated from the model; regenerate it if this fails:
    python -c 'import json; from desktop.policy import policy_json_schema as s;
    print(json.dumps(s(), indent=2))' > resources/schemas/policy.schema.json"""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == policy_json_schema()
