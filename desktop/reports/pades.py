"""The PDF's own signature (PAdES baseline B-B), made and checked with pyHanko, in memory.

The report PDF carries the practitioner's signature so that it stays verifiable when it travels
alone (DESIGN §4). Nothing is written to disk: the report is confidential, so the PDF, the
key and the certificate go in and come out as bytes. ECDSA P-256 keys sign about five times
faster than RSA (perf-baseline), but any key pyHanko supports is accepted.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

FIELD_NAME = "PractitionerSignature"

# pyHanko logs every failed check with a traceback; ``validate`` returns what failed instead, so
# without a handler of its own the command line would print them to stderr.
logging.getLogger("pyhanko").addHandler(logging.NullHandler())


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_pdf(
    pdf: bytes,
    key: PrivateKeyTypes,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...] = (),
) -> bytes:
    """``pdf`` with a PAdES B-B signature by ``key`` over the whole file.

    ``chain`` holds any certificates between ``certificate`` and the root (an organisation CA),
    embedded so that a reader holding only the root can validate.
    """
    signer = signers.SimpleSigner(
        signing_cert=_asn1_certificate(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [_asn1_certificate(c) for c in chain]
        ),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signed: io.BytesIO = signers.sign_pdf(writer, metadata, signer=signer)
    return signed.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko's validator found; ``problem`` says why the PDF could not be checked."""

    intact: bool
    """The signed bytes are the ones that were signed."""
    valid: bool
    """The signature over them is cryptographically sound."""
    trusted: bool
    """The signer's certificate chains to the trust root given."""
    whole_file: bool
    """Nothing was added to the file after it was signed."""
    problem: str | None = None
    signer_sha256: str | None = None
    """SHA-256 of the certificate the signature names (its DER bytes), when it could be read."""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.whole_file


def validate(pdf: bytes, trust_root: x509.Certificate) -> SignatureCheck:
    """Check the PDF's one signature with pyHanko, trusting ``trust_root`` and nothing else."""
    context = ValidationContext(trust_roots=[_asn1_certificate(trust_root)], allow_fetching=False)
    try:
        signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        if len(signatures) != 1:
            return SignatureCheck(False, False, False, False, "the PDF is not signed exactly once")
        status = validate_pdf_signature(signatures[0], context)
    except (PdfError, ValueError) as exc:  # pyHanko's validation errors are ValueErrors
        problem = f"the PDF cannot be checked ({type(exc).__name__})"
        return SignatureCheck(False, False, False, False, problem)
    return SignatureCheck(
        intact=status.intact and _padding_untouched(signatures[0].pkcs7_content),
        valid=status.valid,
        trusted=status.trusted,
        whole_file=status.coverage is SignatureCoverageLevel.ENTIRE_FILE,
        signer_sha256=hashlib.sha256(signatures[0].signer_cert.dump()).hexdigest(),
    )


def _padding_untouched(contents: bytes) -> bool:
    """Whether the space reserved for the signature holds only zeros after it.

    That space is the one part of the file the signature cannot cover, and pyHanko reads the
    signature and ignores what follows it, so without this check a changed byte there would
    go unnoticed.
    """
    used = len(cms.ContentInfo.load(contents).dump())
    return not contents[used:].strip(b"\0")
