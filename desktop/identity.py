"""The practitioner's keys and certificate, and the checks on a certificate the organisation issues.

Pure functions over keys and bytes: the session keeps what they make inside the encrypted store
and writes the files. A practitioner holds two key pairs. ECDSA P-256 signs (report manifests,
the PDF's PAdES signature, identity cards): Acrobat and pyHanko both validate it. X25519
receives files sealed to them (desktop/reports/envelope.py). The certificate is self-signed
until the organisation issues one for the same key (``identity csr``, ``identity install-cert``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509 import verification
from cryptography.x509.oid import NameOID

SELF_SIGNED_VALIDITY = timedelta(days=5 * 365)
CLOCK_SKEW = timedelta(minutes=10)
"""A certificate starts a little in the past, so a slow clock elsewhere still accepts it."""

SIGNING_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # nonRepudiation: pyHanko requires it for signing by default
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


class IdentityError(Exception):
    """A certificate or identity card cannot be read (invalid input); the message is for people."""


class IdentityRejected(IdentityError):
    """A certificate or identity card was read but fails a check: it must not be trusted."""


@dataclass(frozen=True)
class Identity:
    """The practitioner's private keys and current certificate (they never leave the store)."""

    signing_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    encryption_key: X25519PrivateKey

    @classmethod
    def from_bytes(cls, signing_key: bytes, certificate: bytes, encryption_key: bytes) -> Identity:
        """From the stored forms: PKCS#8 DER, certificate DER, raw X25519 private key."""
        key = serialization.load_der_private_key(signing_key, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise IdentityError("the stored signing key is not an ECDSA key")
        return cls(
            signing_key=key,
            certificate=x509.load_der_x509_certificate(certificate),
            encryption_key=X25519PrivateKey.from_private_bytes(encryption_key),
        )

    def signing_key_bytes(self) -> bytes:
        return self.signing_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def certificate_bytes(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def encryption_key_bytes(self) -> bytes:
        return self.encryption_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def certificate_name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def new_identity(name: str, organisation: str, now: datetime | None = None) -> Identity:
    """Fresh key pairs and a self-signed certificate naming the practitioner."""
    signing_key = ec.generate_private_key(ec.SECP256R1())
    return Identity(
        signing_key=signing_key,
        certificate=self_signed_certificate(signing_key, name, organisation, now),
        encryption_key=X25519PrivateKey.generate(),
    )


def self_signed_certificate(
    key: ec.EllipticCurvePrivateKey, name: str, organisation: str, now: datetime | None = None
) -> x509.Certificate:
    return self_signed(
        key,
        certificate_name(name, organisation),
        x509.BasicConstraints(ca=False, path_length=None),
        SIGNING_KEY_USAGE,
        SELF_SIGNED_VALIDITY,
        now=now,
    )


def self_signed(
    key: ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    constraints: x509.BasicConstraints,
    usage: x509.KeyUsage,
    validity: timedelta,
    *,
    now: datetime | None = None,
) -> x509.Certificate:
    """A self-signed certificate: a practitioner's until the organisation issues one, or the
    organisation's own CA (``org keygen``)."""
    now = now or datetime.now(UTC)
    subject_key_id = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + validity)
        .add_extension(constraints, critical=True)
        .add_extension(usage, critical=True)
        .add_extension(subject_key_id, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(subject_key_id),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )


def certificate_request(identity: Identity, name: str, organisation: str) -> bytes:
    """A PKCS#10 request (PEM) for the organisation to certify the signing key."""
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(certificate_name(name, organisation))
        .add_extension(SIGNING_KEY_USAGE, critical=True)
        .sign(identity.signing_key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM)


# -- fingerprints and descriptions ----------------------------------------------------------
def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """Hex SHA-256 of the certificate's DER bytes (what ``openssl x509 -fingerprint`` shows)."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def readable_fingerprint(hex_digest: str) -> str:
    """Upper-case groups of four hex digits, to read aloud and compare: ``3F2A 9C01 …``."""
    digits = hex_digest.upper()
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    self_signed: bool
    not_before: str
    not_after: str
    serial_number: str
    fingerprint_sha256: str

    @classmethod
    def of(cls, certificate: x509.Certificate) -> CertificateInfo:
        return cls(
            subject=certificate.subject.rfc4514_string(),
            issuer=certificate.issuer.rfc4514_string(),
            self_signed=certificate.issuer == certificate.subject,
            not_before=certificate.not_valid_before_utc.isoformat(),
            not_after=certificate.not_valid_after_utc.isoformat(),
            serial_number=format(certificate.serial_number, "x"),
            fingerprint_sha256=certificate_fingerprint(certificate),
        )

    @property
    def fingerprint(self) -> str:
        return readable_fingerprint(self.fingerprint_sha256)


# -- a certificate the organisation issued --------------------------------------------------
def load_certificates(data: bytes) -> list[x509.Certificate]:
    """One DER certificate, or PEM: the certificate first, then any intermediate CAs."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise IdentityError("the file does not hold an X.509 certificate (PEM or DER)") from exc


def check_issued_certificate(
    data: bytes, trusted_cas: Sequence[str], now: datetime | None = None
) -> x509.Certificate:
    """The organisation's certificate in ``data``, if it may stand for a practitioner's key.

    It must be valid now, allow signing with non-repudiation, and chain to a CA the
    organisation's policy lists; otherwise ``IdentityRejected`` says why. Whether it is for
    this store's key is ``check_certificate_key``: this half needs no store, so a refused file
    is refused before the store is opened.
    """
    now = now or datetime.now(UTC)
    certificate, *intermediates = load_certificates(data)
    if now < certificate.not_valid_before_utc:
        raise IdentityRejected(
            f"the certificate is not valid until {certificate.not_valid_before_utc:%Y-%m-%d %H:%M}"
            " UTC"
        )
    if now > certificate.not_valid_after_utc:
        raise IdentityRejected(
            f"the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        )
    usage = _key_usage(certificate)
    if usage is None or not (usage.digital_signature and usage.content_commitment):
        raise IdentityRejected(
            "the certificate does not allow signing with non-repudiation"
            " (key usage digitalSignature and nonRepudiation are needed)"
        )
    if not trusted_cas:
        raise IdentityRejected(
            "the organisation policy lists no trusted certificate authorities"
            " (trusted_ca_certificates), so no issued certificate can be checked"
        )
    _verify_chain(certificate, intermediates, trusted_cas, now)
    return certificate


def check_certificate_key(certificate: x509.Certificate, identity: Identity) -> None:
    """``IdentityRejected`` unless the certificate is for the identity's signing key."""
    ours = identity.signing_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    theirs = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if theirs != ours:
        raise IdentityRejected(
            "the certificate is for another key, not this store's signing key"
            " (request one with 'identity csr')"
        )


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _verify_chain(
    certificate: x509.Certificate,
    intermediates: list[x509.Certificate],
    trusted_cas: Sequence[str],
    now: datetime,
) -> None:
    """RFC 5280 path validation to a policy CA; extensions beyond basic constraints are free:
    an organisation's CA need not follow the Web PKI's profile."""
    roots = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in trusted_cas]
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store(roots))
        .time(now)
        .extension_policies(
            ca_policy=verification.ExtensionPolicy.permit_all().require_present(
                x509.BasicConstraints, verification.Criticality.AGNOSTIC, None
            ),
            ee_policy=verification.ExtensionPolicy.permit_all(),
        )
        .build_client_verifier()
    )
    try:
        verifier.verify(certificate, intermediates)
    except verification.VerificationError as exc:
        raise IdentityRejected(
            f"the certificate was not issued by a certificate authority the organisation policy"
            f" trusts (issuer: {certificate.issuer.rfc4514_string()})"
        ) from exc
