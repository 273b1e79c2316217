"""Identity cards: how a supervisor hands practitioners the key to encrypt reports to.

A card is a small JSON file (``disclosure-log-identity-card/1``)::

    {"format": "disclosure-log-identity-card/1",
     "card": "<canonical JSON of name, role, organisation, created_at,
               encryption_public_key (X25519 PEM), certificate (signing certificate PEM)>",
     "signature": "<base64 DER ECDSA P-256 / SHA-256 over 'disclosure-log-identity-card/1\\n'
                   followed by the UTF-8 bytes of card>"}

The signed text travels as a string, so the exact bytes that were signed are the ones verified
(nothing is re-serialised before checking). The signature proves the card is whole and was made
with the key in its certificate; who that key belongs to is settled by reading the certificate's
fingerprint aloud, so the fingerprint is shown before a card is accepted.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from pydantic import BaseModel, ConfigDict, StringConstraints

from desktop.domain.canonical import canonical_json
from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import loads_strict, validate_document
from desktop.identity import Identity, IdentityError, IdentityRejected, certificate_fingerprint

CARD_FORMAT = "disclosure-log-identity-card/1"
MAX_CARD_BYTES = 64 * 1024
_SIGNED_PREFIX = CARD_FORMAT.encode("ascii") + b"\n"
_NOT_A_CARD = "this is not a Disclosure Log identity card"

# Shown on a terminal before the card is accepted: no control characters (escape sequences).
Label = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Pem = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class _CardFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: str
    card: Annotated[str, StringConstraints(max_length=MAX_CARD_BYTES)]
    signature: Annotated[str, StringConstraints(max_length=1_000)]


class _CardBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Label
    role: Label
    organisation: Label
    created_at: Label
    encryption_public_key: Pem
    certificate: Pem


@dataclass(frozen=True)
class IdentityCard:
    """A verified card: whose it is, the key to encrypt to, and the certificate that signed it."""

    name: str
    role: str
    organisation: str
    created_at: str
    encryption_key: X25519PublicKey
    certificate: x509.Certificate

    @property
    def fingerprint_sha256(self) -> str:
        return certificate_fingerprint(self.certificate)


def make_card(
    identity: Identity, name: str, role: str, organisation: str, now: datetime | None = None
) -> bytes:
    body = canonical_json(
        {
            "name": name,
            "role": role,
            "organisation": organisation,
            "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "encryption_public_key": identity.encryption_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii"),
            "certificate": identity.certificate_pem().decode("ascii"),
        }
    )
    signature = identity.signing_key.sign(_SIGNED_PREFIX + body, ec.ECDSA(hashes.SHA256()))
    document = {
        "format": CARD_FORMAT,
        "card": body.decode("utf-8"),
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return canonical_json(document) + b"\n"


def read_card(data: bytes) -> IdentityCard:
    """The card in ``data``, once its signature verifies.

    ``IdentityError`` if it is not a readable card; ``IdentityRejected`` if it was changed.
    """
    try:
        outer = validate_document(_CardFile, loads_strict(data, max_bytes=MAX_CARD_BYTES))
        if outer.format != CARD_FORMAT:
            raise IdentityError(f"{_NOT_A_CARD} (or one from a newer version of the app)")
        signed = outer.card.encode("utf-8")
        body = validate_document(_CardBody, loads_strict(signed, max_bytes=MAX_CARD_BYTES))
    except InvalidDocument as exc:
        raise IdentityError(f"{_NOT_A_CARD} ({exc})") from None
    try:
        signature = base64.b64decode(outer.signature, validate=True)
        certificate = x509.load_pem_x509_certificate(body.certificate.encode("ascii"))
    except ValueError:  # bad base64, PEM or ASCII
        raise IdentityError(
            f"{_NOT_A_CARD} (its signature or certificate cannot be read)"
        ) from None
    signing_key = certificate.public_key()
    if not isinstance(signing_key, ec.EllipticCurvePublicKey) or not isinstance(
        signing_key.curve, ec.SECP256R1
    ):
        raise IdentityError(f"{_NOT_A_CARD} (its certificate is not for an ECDSA P-256 key)")
    try:
        signing_key.verify(signature, _SIGNED_PREFIX + signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise IdentityRejected(
            "the identity card's signature does not verify: it was changed after it was made"
        ) from None
    try:
        encryption_key = serialization.load_pem_public_key(
            body.encryption_public_key.encode("ascii")
        )
    except ValueError:
        encryption_key = None
    if not isinstance(encryption_key, X25519PublicKey):
        raise IdentityError(f"{_NOT_A_CARD} (its encryption key is not an X25519 public key)")
    return IdentityCard(
        name=body.name,
        role=body.role,
        organisation=body.organisation,
        created_at=body.created_at,
        encryption_key=encryption_key,
        certificate=certificate,
    )
