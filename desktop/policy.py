"""The organisation policy IT deploys: read-only to the app.

Looked up in ``$DISCLOSURE_LOG_POLICY``, else the machine-wide path for this OS. No policy file
means no organisation settings (a personal install). A policy that is present but invalid is an
error naming the field: silently ignoring IT's settings would be worse.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from desktop.domain.enums import Jurisdiction, Regime
from desktop.domain.regimes import check_regimes

POLICY_ENV = "DISCLOSURE_LOG_POLICY"
POLICY_FILE = "policy.json"
SCHEMA_ID = "disclosure-log-policy/1"


def machine_policy_path() -> Path:
    if sys.platform.startswith("win"):
        return (
            Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "DisclosureLog" / POLICY_FILE
        )
    if sys.platform == "darwin":
        return Path("/Library/Application Support/DisclosureLog") / POLICY_FILE
    return Path("/etc/disclosure-log") / POLICY_FILE


class PolicyError(Exception):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"the organisation policy {path} is invalid: " + "; ".join(problems))


PemText = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class Policy(BaseModel):
    """Every setting IT can enforce. Omitted settings leave the choice to the practitioner."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    format: Annotated[str, Field(pattern=f"^{SCHEMA_ID}$")] = SCHEMA_ID
    organisation: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    jurisdiction: Jurisdiction | None = None
    regimes: list[Regime] | None = None
    idle_lock_minutes: Annotated[int, Field(ge=1, le=240)] = 5
    recovery_public_key: PemText | None = Field(
        default=None,
        description="The organisation's X25519 recovery public key (PEM). Every new store gets"
        " a recovery slot sealed to it.",
    )
    report_public_key: PemText | None = Field(
        default=None,
        description="The organisation's X25519 public key for reports (PEM): a practitioner can"
        " encrypt a report to the organisation as well as, or instead of, a supervisor.",
    )
    trusted_ca_certificates: list[PemText] = Field(default_factory=list)
    retention_years: Annotated[int, Field(ge=1, le=100)] | None = None
    rule_pack: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = None

    @field_validator("recovery_public_key", "report_public_key")
    @classmethod
    def _x25519_key_parses(cls, value: str | None) -> str | None:
        if value is not None:
            _load_x25519(value)
        return value

    @field_validator("trusted_ca_certificates")
    @classmethod
    def _certificates_parse(cls, value: list[str]) -> list[str]:
        for index, pem in enumerate(value):
            try:
                certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
            except (ValueError, UnicodeEncodeError) as exc:
                raise ValueError(f"item {index} is not a PEM X.509 certificate") from exc
            constraints = _basic_constraints(certificate)
            if constraints is None or not constraints.ca:
                raise ValueError(f"item {index} is not a CA certificate (basicConstraints CA)")
        return value

    @field_validator("regimes")
    @classmethod
    def _regimes_fit_jurisdiction(
        cls, value: list[Regime] | None, info: ValidationInfo
    ) -> list[Regime] | None:
        """Checked on the field (``jurisdiction`` comes first), so an error names ``regimes``."""
        if value is not None and not value:
            raise ValueError("list at least one regime, or leave the setting out")
        jurisdiction = info.data.get("jurisdiction")
        if jurisdiction is not None and value is not None:
            problem = check_regimes(jurisdiction, value)
            if problem is not None:
                raise ValueError(problem)
        return value

    def recovery_key(self) -> X25519PublicKey | None:
        return None if self.recovery_public_key is None else _load_x25519(self.recovery_public_key)

    def report_key(self) -> X25519PublicKey | None:
        return None if self.report_public_key is None else _load_x25519(self.report_public_key)


def _load_x25519(pem: str) -> X25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("not a PEM public key") from exc
    if not isinstance(key, X25519PublicKey):
        raise ValueError("the key must be an X25519 public key")
    return key


def _basic_constraints(certificate: x509.Certificate) -> x509.BasicConstraints | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None


EMPTY_POLICY = Policy()


def policy_path() -> Path:
    override = os.environ.get(POLICY_ENV)
    return Path(override) if override else machine_policy_path()


def load_policy(path: Path | None = None) -> Policy:
    """The policy in force. An explicitly named file must exist; the machine-wide one may not."""
    explicit = path is not None or bool(os.environ.get(POLICY_ENV))
    path = path or policy_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise PolicyError(path, ["the file does not exist"]) from None
        return EMPTY_POLICY
    except OSError as exc:
        raise PolicyError(path, [f"cannot be read ({exc.strerror})"]) from exc
    return parse_policy(raw, path)


def parse_policy(raw: bytes, path: Path) -> Policy:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PolicyError(path, [f"not valid JSON ({exc})"]) from exc
    try:
        return Policy.model_validate_json(json.dumps(document))
    except ValidationError as exc:
        raise PolicyError(path, _describe(exc)) from exc


def _describe(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{field}: {error['msg']}")
    return problems


def policy_json_schema() -> dict[str, Any]:
    schema = Policy.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema
