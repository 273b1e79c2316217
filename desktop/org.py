"""IT's side of the product: the organisation's keys, and a policy told back in plain words.

``org keygen`` makes, once and on an offline machine, everything a policy refers to: the
recovery key pair (every new store seals its data key to the public half, so a leaver's store
can be opened with the private half), the report key pair (practitioners can encrypt reports to
the organisation), and a CA that certifies practitioners' signing keys. Private halves are
written owner-only and are meant to go to offline storage; the public halves fill a policy that
IT edits and deploys. ``org policy-check`` reads a policy exactly as the app will and says what
it will enforce, so IT sees a mistake before the laptops do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop.domain.enums import Jurisdiction, Regime
from desktop.identity import CertificateInfo, certificate_name, self_signed
from desktop.key_agreement import key_fingerprint
from desktop.policy import SCHEMA_ID, Policy, PolicyError, load_policy
from desktop.session import organisation_pack
from desktop.store.atomic import OWNER_ONLY_DIR, OWNER_ONLY_FILE, write_new

PUBLIC_FILE = 0o644
CA_VALIDITY = timedelta(days=10 * 365)
"""Long enough to outlast a fleet's laptops; a CA is replaced by adding the new one to the
policy beside the old before the old expires."""

CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)
EXAMPLE_JURISDICTION = Jurisdiction.UK_ENG
EXAMPLE_REGIMES = (Regime.UK_GDPR, Regime.CL_CONFIDENCE)
EXAMPLE_RETENTION_YEARS = 7

RECOVERY_PRIVATE = "recovery-private.pem"
RECOVERY_PUBLIC = "recovery-public.pem"
REPORT_PRIVATE = "report-private.pem"
REPORT_PUBLIC = "report-public.pem"
CA_PRIVATE = "ca-private.pem"
CA_CERTIFICATE = "ca-certificate.pem"
POLICY = "policy.json"


class OrgFilesExist(Exception):
    """``org keygen`` would replace files already there: an organisation's keys are never lost
    to a second run."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        super().__init__(
            f"not written: {directory} already holds {', '.join(names)}"
            " (choose an empty folder; existing keys are never replaced)"
        )


@dataclass(frozen=True)
class OrgFile:
    name: str
    data: bytes
    private: bool


def organisation_files(organisation: str, now: datetime | None = None) -> list[OrgFile]:
    """Fresh organisation keys, the CA certificate and an example policy holding the public
    halves, as files to write (nothing is written here)."""
    recovery = X25519PrivateKey.generate()
    report = X25519PrivateKey.generate()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_pem = _pem(ca_certificate(ca_key, organisation, now))
    recovery_public = _public_pem(recovery)
    report_public = _public_pem(report)
    policy = {
        "format": SCHEMA_ID,
        "organisation": organisation,
        "jurisdiction": EXAMPLE_JURISDICTION.value,
        "regimes": [r.value for r in EXAMPLE_REGIMES],
        "idle_lock_minutes": Policy.model_fields["idle_lock_minutes"].default,
        "recovery_public_key": recovery_public.decode("ascii"),
        "report_public_key": report_public.decode("ascii"),
        "trusted_ca_certificates": [ca_pem.decode("ascii")],
        "retention_years": EXAMPLE_RETENTION_YEARS,
    }
    return [
        OrgFile(RECOVERY_PRIVATE, _private_pem(recovery), private=True),
        OrgFile(RECOVERY_PUBLIC, recovery_public, private=False),
        OrgFile(REPORT_PRIVATE, _private_pem(report), private=True),
        OrgFile(REPORT_PUBLIC, report_public, private=False),
        OrgFile(CA_PRIVATE, _private_pem(ca_key), private=True),
        OrgFile(CA_CERTIFICATE, ca_pem, private=False),
        OrgFile(POLICY, (json.dumps(policy, indent=2) + "\n").encode("utf-8"), private=False),
    ]


def ca_certificate(
    key: ec.EllipticCurvePrivateKey, organisation: str, now: datetime | None = None
) -> x509.Certificate:
    """A self-signed CA that may only certify (pathLen 0: practitioners, no sub-CAs)."""
    return self_signed(
        key,
        certificate_name(f"{organisation} Practitioner CA", organisation),
        x509.BasicConstraints(ca=True, path_length=0),
        CA_KEY_USAGE,
        CA_VALIDITY,
        now=now,
    )


def write_organisation_files(directory: Path, files: list[OrgFile]) -> None:
    """Write every file or, if any is already there, none (``OrgFilesExist``)."""
    existing = [f.name for f in files if (directory / f.name).exists()]
    if existing:
        raise OrgFilesExist(directory, existing)
    directory.mkdir(mode=OWNER_ONLY_DIR, parents=True, exist_ok=True)
    for file in files:
        write_new(
            directory / file.name, file.data, OWNER_ONLY_FILE if file.private else PUBLIC_FILE
        )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _private_pem(key: X25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_pem(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# -- policy-check ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicySummary:
    """What a valid policy enforces; ``None`` means the practitioner chooses (or: not used)."""

    path: str
    organisation: str | None
    jurisdiction: str | None
    regimes: list[str] | None
    idle_lock_minutes: int
    recovery_key_fingerprint: str | None
    report_key_fingerprint: str | None
    trusted_cas: list[CertificateInfo]
    retention_years: int | None
    rule_pack: str | None

    def lines(self) -> list[tuple[str, str]]:
        """(setting, what it means), for people."""
        chooses = "not set: each practitioner chooses"
        cas = [f"{ca.subject}  fingerprint {ca.fingerprint}" for ca in self.trusted_cas]
        return [
            ("Organisation", self.organisation or chooses),
            ("Jurisdiction", self.jurisdiction or chooses),
            ("Regimes", ", ".join(self.regimes) if self.regimes else chooses),
            ("Idle lock", f"the app locks after {self.idle_lock_minutes} minutes idle"),
            (
                "Recovery key",
                f"{self.recovery_key_fingerprint}\nevery new store can be recovered with its"
                " private half"
                if self.recovery_key_fingerprint
                else "none: a store whose passphrase is lost cannot be recovered",
            ),
            (
                "Report key",
                f"{self.report_key_fingerprint}\nreports can be encrypted to the organisation"
                if self.report_key_fingerprint
                else "none: reports go to supervisors' identity cards only",
            ),
            (
                "Trusted CAs",
                "\n".join(cas)
                if cas
                else "none: practitioners' certificates stay self-signed"
                " ('identity install-cert' refuses every issued certificate)",
            ),
            (
                "Retention",
                f"records may be purged {self.retention_years} years after the disclosure"
                if self.retention_years
                else "not set: records carry no retention date",
            ),
            ("Rule pack", self.rule_pack or "the built-in checklist for each jurisdiction"),
        ]


def check_policy(path: Path) -> PolicySummary:
    """The policy at ``path`` as the app reads it; ``PolicyError`` naming the field if not valid.

    A rule pack the app could not read is only a warning on a laptop (the built-in checklist is
    used), but here it is an error: IT asked for that pack and would not get it.
    """
    policy = load_policy(path)
    warnings: list[str] = []
    pack = organisation_pack(policy, warnings)
    if warnings:
        raise PolicyError(path, [f"rule_pack: {w}" for w in warnings])
    recovery = policy.recovery_key()
    report = policy.report_key()
    return PolicySummary(
        path=str(path),
        organisation=policy.organisation,
        jurisdiction=None if policy.jurisdiction is None else policy.jurisdiction.value,
        regimes=None if policy.regimes is None else [r.value for r in policy.regimes],
        idle_lock_minutes=policy.idle_lock_minutes,
        recovery_key_fingerprint=None if recovery is None else key_fingerprint(recovery),
        report_key_fingerprint=None if report is None else key_fingerprint(report),
        trusted_cas=[
            CertificateInfo.of(x509.load_pem_x509_certificate(pem.encode("ascii")))
            for pem in policy.trusted_ca_certificates
        ],
        retention_years=policy.retention_years,
        rule_pack=None
        if pack is None
        else f"{pack.id} version {pack.version}"
        f" ({pack.jurisdiction.value}) from {policy.rule_pack}",
    )
