"""The bundle's manifest: which report, who signed it, where it sits in the signer's series, and
the hash and size of each document it carries.

It is canonical JSON (RFC 8785), and its exact bytes are signed with the practitioner's ECDSA
P-256 key over ``"disclosure-log-report-bundle/1\\n" + bytes``: the prefix keeps a signature made
for anything else (an identity card) from ever passing for a manifest's, and the reverse.

It is made in two steps because the PDF shows the manifest's hash in its footer yet is itself
listed in the manifest. The *core* (everything but ``report_pdf``) is hashed first and printed
in the footer; the full manifest adds the signed PDF's hash and size. A reader gets the core's
hash back by leaving ``report_pdf`` out (``core_sha256``).

The bundle's hash, which the audit log records and the practitioner's next report names as its
predecessor, is the SHA-256 of the full manifest's bytes: it commits to both documents and to
everything the manifest says, and every recipient computes the same value (the encrypted file
differs with each sealing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Final, Literal, cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import Field, StringConstraints

from desktop.domain.base import DomainModel, Sha256Hex, Timestamp, Uuid4Str
from desktop.domain.canonical import canonical_json, sha256_hex
from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import loads_canonical, validate_document
from desktop.identity import certificate_fingerprint
from desktop.reports.bundle_errors import BundleMalformed, BundleRejected
from desktop.reports.container import MAX_MANIFEST_BYTES, NOT_A_BUNDLE
from desktop.reports.envelope import MAX_RECIPIENTS
from desktop.reports.model import AuditCheckpoint, ReportHead

BUNDLE_FORMAT: Final = "disclosure-log-report-bundle/1"
SIGNED_PREFIX: Final = BUNDLE_FORMAT.encode("ascii") + b"\n"
PDF_MEMBER: Final = "report_pdf"
_ECDSA = ec.ECDSA(hashes.SHA256())

KeyFingerprint = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
Pem = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class MemberDigest(DomainModel):
    """What a document in the bundle must hash to, and how long it is."""

    sha256: Sha256Hex
    size: Annotated[int, Field(ge=0)]

    @classmethod
    def of(cls, data: bytes) -> MemberDigest:
        return cls(sha256=sha256_hex(data), size=len(data))


class Signer(DomainModel):
    """The practitioner's signing certificate, carried so a recipient can check it and pin it."""

    key_id: Sha256Hex
    """SHA-256 of the certificate's DER bytes: the fingerprint ``identity show`` reads out."""
    certificate: Pem


class ManifestCore(DomainModel):
    """The manifest without the PDF's digest: what the PDF's footer hash covers."""

    format: Literal["disclosure-log-report-bundle/1"]
    report_id: Uuid4Str
    created_at: Timestamp
    signer: Signer
    sequence: Annotated[int, Field(ge=1)]
    """1, 2, 3… for each report exported from the signer's store."""
    previous_bundle_sha256: Sha256Hex | None
    """The hash of the signer's report before this one; null for the first."""
    audit_checkpoint: AuditCheckpoint
    recipients: Annotated[list[KeyFingerprint], Field(min_length=1, max_length=MAX_RECIPIENTS)]
    """Every key the bundle is encrypted to (``desktop.key_agreement.key_fingerprint``)."""
    report_json: MemberDigest


class Manifest(ManifestCore):
    report_pdf: MemberDigest


def core_sha256(manifest: Mapping[str, object]) -> str:
    """The hash the PDF's footer shows: the canonical JSON of the manifest but ``report_pdf``."""
    return sha256_hex(canonical_json({k: v for k, v in manifest.items() if k != PDF_MEMBER}))


def sign_manifest(manifest: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.sign(SIGNED_PREFIX + manifest, _ECDSA)


@dataclass(frozen=True)
class SignedManifest:
    """A manifest whose signature verified with the certificate it names."""

    manifest: Manifest
    certificate: x509.Certificate
    sha256: str
    """The bundle's hash."""
    core_sha256: str
    """The hash in the PDF's footer."""


def read_manifest(document: bytes, signature: bytes) -> SignedManifest:
    """The manifest in ``document``, once ``signature`` verifies over its exact bytes.

    Only what is needed to find the key is read first: the manifest itself, strictly.
    """
    try:
        fields = loads_canonical(document, max_bytes=MAX_MANIFEST_BYTES)
        manifest = validate_document(Manifest, fields)
    except InvalidDocument as exc:
        raise BundleMalformed(f"{NOT_A_BUNDLE}: its manifest cannot be read ({exc})") from None
    try:
        certificate = x509.load_pem_x509_certificate(manifest.signer.certificate.encode("ascii"))
    except ValueError:
        raise BundleMalformed(f"{NOT_A_BUNDLE}: its signer's certificate cannot be read") from None
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise BundleRejected("the report's signing certificate is not for an ECDSA P-256 key")
    if certificate_fingerprint(certificate) != manifest.signer.key_id:
        raise BundleRejected("the report's manifest names a certificate it does not carry")
    try:
        key.verify(signature, SIGNED_PREFIX + document, _ECDSA)
    except InvalidSignature:
        raise BundleRejected(
            "the report's signature does not verify: the manifest was changed, or signed by"
            " someone other than the certificate it names"
        ) from None
    core = core_sha256(cast(dict[str, object], fields))  # an object: a Manifest validated from it
    return SignedManifest(manifest, certificate, sha256_hex(document), core)


@dataclass(frozen=True)
class BundleInfo:
    """What a verified (or just made) bundle says: no case content, safe to show and audit."""

    signed: SignedManifest
    head: ReportHead

    @property
    def manifest(self) -> Manifest:
        return self.signed.manifest

    @property
    def signer_fingerprint(self) -> str:
        return self.manifest.signer.key_id

    @property
    def signer_name(self) -> str:
        """Whom the signing certificate names: "name, organisation" as its subject gives them."""
        subject = self.signed.certificate.subject
        names = [
            str(attribute.value)
            for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
            for attribute in subject.get_attributes_for_oid(oid)
        ]
        return ", ".join(names) or subject.rfc4514_string()
