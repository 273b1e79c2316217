"""Opening a report bundle: decrypt, then verify every byte before believing any of it.

The order is the point (security.md §3.5): the size, before anything; the envelope (only a
recipient's key opens it, and any change to it is caught); the container's exact layout; the
manifest's signature over its exact bytes, with the certificate it names, before any other
member is parsed; each document's hash and size; the PDF's own PAdES signature, which must be
by the manifest's signer; and only then the JSON, strictly. Whether that signer is to be
trusted is not decided here: ``report open`` shows the certificate's fingerprint so the reader
can compare it with the practitioner's, and the supervisor's import checks its trust store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import loads_canonical, validate_document
from desktop.key_agreement import key_fingerprint
from desktop.reports.bundle_errors import BundleMalformed, BundleRejected
from desktop.reports.container import MAX_BUNDLE_BYTES, NOT_A_BUNDLE, unpack
from desktop.reports.envelope import open_envelope
from desktop.reports.manifest import BundleInfo, MemberDigest, SignedManifest, read_manifest
from desktop.reports.model import ReportHead
from desktop.reports.pades import validate

CARRIED = ("withdrawals", "records")
"""The lists of documents ``report.json`` carries from the practitioner's store."""


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle whose every check passed: what it says, and the two documents it carries."""

    info: BundleInfo
    pdf: bytes
    report_json: bytes
    """Canonical JSON with its head validated; the records and withdrawals it carries are
    validated where they are used (see ``_head``)."""
    report: dict[str, Any] | None = None
    """``report_json`` as parsed here, if asked for (``keep_report``): an import reads the
    records out of it instead of parsing the whole document a second time."""


def open_bundle(
    data: bytes, private_key: X25519PrivateKey, *, keep_report: bool = False
) -> OpenedBundle:
    """Decrypt and verify a bundle; ``BundleMalformed`` or ``BundleRejected`` say what failed."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleMalformed(f"{NOT_A_BUNDLE}: it is larger than {MAX_BUNDLE_BYTES >> 20} MiB")
    container = open_envelope(data, private_key, NOT_A_BUNDLE, "the report bundle")
    members = unpack(container)
    del container
    signed = read_manifest(members.manifest, members.signature)
    manifest = signed.manifest
    if key_fingerprint(private_key.public_key()) not in manifest.recipients:
        raise BundleRejected(
            "the report was addressed to other keys and re-encrypted for yours:"
            " ask its author for a copy addressed to you"
        )
    _check_member("report.json", members.report_json, manifest.report_json)
    _check_member("report.pdf", members.report_pdf, manifest.report_pdf)
    _check_pdf_signature(members.report_pdf, signed)
    head, report = _head(members.report_json)
    if (
        head.report_id != manifest.report_id
        or head.generated_at != manifest.created_at
        or head.audit_checkpoint != manifest.audit_checkpoint
    ):
        raise BundleRejected("report.json does not describe the report its manifest names")
    return OpenedBundle(
        BundleInfo(signed, head),
        members.report_pdf,
        members.report_json,
        report if keep_report else None,
    )


def _check_member(name: str, data: bytes, expected: MemberDigest) -> None:
    if MemberDigest.of(data) != expected:
        raise BundleRejected(
            f"{name} is not the one the report's author signed: it was changed or replaced"
        )


def _check_pdf_signature(pdf: bytes, signed: SignedManifest) -> None:
    check = validate(pdf, signed.certificate)
    if check.problem is not None:
        raise BundleRejected(f"report.pdf's own signature cannot be checked: {check.problem}")
    if check.signer_sha256 != signed.manifest.signer.key_id:
        raise BundleRejected("report.pdf was signed by someone other than the report's author")
    if not check.ok:
        raise BundleRejected("report.pdf's own signature does not verify")


def _head(document: bytes) -> tuple[ReportHead, dict[str, Any]]:
    """The report's head, validated strictly, and the whole document parsed; the documents it
    carries are only counted here.

    Validating 10,000 records against the record model takes about three seconds, the whole
    budget for opening a bundle, and ``report open`` uses none of them: the PDF it writes is
    checked by its own signature. An import, which stores them, validates each one.
    """
    try:
        fields = loads_canonical(document, max_bytes=MAX_BUNDLE_BYTES)
        if not isinstance(fields, dict) or not all(
            isinstance(fields.get(name), list) for name in CARRIED
        ):
            raise InvalidDocument("the document is not a report")
        head = validate_document(
            ReportHead, {key: value for key, value in fields.items() if key not in CARRIED}
        )
    except InvalidDocument as exc:
        raise BundleMalformed(f"report.json is not a valid report ({exc})") from None
    if len(fields["records"]) != head.figures.records:
        raise BundleRejected("report.json holds a different number of records than it counts")
    return head, fields
