"""A supervisor's signed review action, and the ``.dlreview`` file that carries them back.

Each acknowledgement, query or sign-off is a *statement*: canonical JSON naming the record
version it is about by its hash, signed with the supervisor's ECDSA P-256 key over
``"disclosure-log-review/1\\n" + bytes`` (the prefix keeps it from passing for a report
manifest's or an identity card's signature, and the reverse). It stays verifiable wherever it is
kept: in the supervisor's store, in the file, in the practitioner's store.

A ``.dlreview`` file is canonical JSON listing statements with the reviewer's certificate,
sealed (desktop.reports.envelope) to the practitioner's key, because comments are about cases.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import Field, StringConstraints

from desktop.domain.base import DomainModel, Sha256Hex, Timestamp, Uuid4Str
from desktop.domain.canonical import canonical_json
from desktop.domain.enums import ContractEnum
from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import loads_canonical, validate_document
from desktop.identity import certificate_fingerprint
from desktop.reports.bundle_errors import BundleMalformed, BundleRejected

STATEMENT_FORMAT: Final = "disclosure-log-review/1"
FILE_FORMAT: Final = "disclosure-log-review-file/1"
SIGNED_PREFIX: Final = STATEMENT_FORMAT.encode("ascii") + b"\n"
MAX_COMMENT_CHARS: Final = 4_000
MAX_STATEMENTS: Final = 100_000
MAX_FILE_BYTES: Final = 128 * 1024 * 1024
NOT_A_REVIEW_FILE: Final = "this is not a Disclosure Log review file"
_ECDSA = ec.ECDSA(hashes.SHA256())

Label = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Comment = Annotated[str, StringConstraints(min_length=1, max_length=MAX_COMMENT_CHARS)]
Pem = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class Action(ContractEnum):
    ACKNOWLEDGE = "acknowledge"
    QUERY = "query"
    SIGN_OFF = "sign_off"


class Reviewer(DomainModel):
    name: Label
    role: Label
    certificate_sha256: Sha256Hex


class Statement(DomainModel):
    """What the supervisor did about one version of one practitioner's record."""

    format: Literal["disclosure-log-review/1"]
    action_id: Uuid4Str
    action: Action
    practitioner_sha256: Sha256Hex
    """The certificate that signed the report the record came in."""
    record_id: Uuid4Str
    version: Annotated[int, Field(ge=1)]
    record_hash: Sha256Hex
    comment: Comment | None
    acted_at: Timestamp
    reviewer: Reviewer


class SignedEntry(DomainModel):
    statement: Annotated[str, StringConstraints(min_length=2, max_length=64_000)]
    signature: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ReviewFile(DomainModel):
    format: Literal["disclosure-log-review-file/1"]
    created_at: Timestamp
    reviewer_certificate: Pem
    practitioner_sha256: Sha256Hex
    entries: Annotated[list[SignedEntry], Field(min_length=1, max_length=MAX_STATEMENTS)]


@dataclass(frozen=True)
class Signed:
    """A statement with its exact signed bytes and signature."""

    statement: Statement
    text: str
    signature: bytes


def sign_statement(statement: Statement, key: ec.EllipticCurvePrivateKey) -> Signed:
    text = canonical_json(statement.model_dump(mode="json")).decode("utf-8")
    return Signed(statement, text, key.sign(SIGNED_PREFIX + text.encode("utf-8"), _ECDSA))


def verify_statement(text: str, signature: bytes, certificate: x509.Certificate) -> Statement:
    """The statement in ``text``, once ``signature`` by ``certificate``'s key verifies over it."""
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise BundleRejected("the reviewer's certificate is not for an ECDSA key")
    try:
        key.verify(signature, SIGNED_PREFIX + text.encode("utf-8"), _ECDSA)
    except InvalidSignature:
        raise BundleRejected(
            "a review in the file does not match its signature: it was changed"
        ) from None
    try:
        statement = validate_document(
            Statement, loads_canonical(text.encode("utf-8"), max_bytes=64_000)
        )
    except InvalidDocument as exc:
        raise BundleMalformed(f"{NOT_A_REVIEW_FILE}: a review cannot be read ({exc})") from None
    if statement.reviewer.certificate_sha256 != certificate_fingerprint(certificate):
        raise BundleRejected("a review in the file names another reviewer than the one who signed")
    return statement


def make_review_file(
    signed: list[Signed], certificate: x509.Certificate, practitioner: str, now: datetime
) -> bytes:
    """The plaintext of a ``.dlreview`` file: canonical JSON, to be sealed."""
    return canonical_json(
        {
            "format": FILE_FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "reviewer_certificate": certificate.public_bytes(serialization.Encoding.PEM).decode(
                "ascii"
            ),
            "practitioner_sha256": practitioner,
            "entries": [
                {"statement": s.text, "signature": base64.b64encode(s.signature).decode("ascii")}
                for s in signed
            ],
        }
    )


@dataclass(frozen=True)
class OpenedReviews:
    certificate: x509.Certificate
    practitioner_sha256: str
    statements: list[Signed]


def read_review_file(plaintext: bytes) -> OpenedReviews:
    """Every statement in an opened ``.dlreview`` file, each verified with the certificate it
    carries (whether that reviewer is one to believe is the caller's question)."""
    try:
        document = validate_document(
            ReviewFile, loads_canonical(plaintext, max_bytes=MAX_FILE_BYTES)
        )
    except InvalidDocument as exc:
        raise BundleMalformed(f"{NOT_A_REVIEW_FILE} ({exc})") from None
    try:
        certificate = x509.load_pem_x509_certificate(document.reviewer_certificate.encode("ascii"))
    except ValueError:
        raise BundleMalformed(
            f"{NOT_A_REVIEW_FILE}: its reviewer's certificate cannot be read"
        ) from None
    statements = []
    for entry in document.entries:
        try:
            signature = base64.b64decode(entry.signature, validate=True)
        except ValueError:
            raise BundleMalformed(f"{NOT_A_REVIEW_FILE}: a signature cannot be read") from None
        statement = verify_statement(entry.statement, signature, certificate)
        if statement.practitioner_sha256 != document.practitioner_sha256:
            raise BundleRejected("the file mixes reviews of different practitioners' records")
        statements.append(Signed(statement, entry.statement, signature))
    if len({s.statement.action_id for s in statements}) != len(statements):
        raise BundleMalformed(f"{NOT_A_REVIEW_FILE}: it lists a review twice")
    return OpenedReviews(certificate, document.practitioner_sha256, statements)
