"""Making a report bundle (``.dlreport``): the report, signed twice, packed and sealed.

Everything happens in memory: the PDF and the JSON are confidential and never touch the disk in
the clear. In order: ``report.json``; the manifest's core and its hash, which goes in the PDF's
footer; the PDF, PAdES-signed; the full manifest and its signature; the container; the envelope.

The envelope is sealed to the chosen recipients and always to the practitioner's own key as
well: they can open and check exactly what they sent, and that copy exposes nothing their store
(which holds that key beside the records) does not already hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from desktop.domain.canonical import canonical_json, sha256_hex
from desktop.identity import Identity, certificate_fingerprint
from desktop.key_agreement import key_fingerprint
from desktop.progress import CancelCheck, ProgressCallback
from desktop.reports.bundle_errors import BundleError
from desktop.reports.collect import ReportContent
from desktop.reports.container import MAX_BUNDLE_BYTES, Members, pack
from desktop.reports.envelope import seal
from desktop.reports.manifest import (
    BUNDLE_FORMAT,
    BundleInfo,
    Manifest,
    ManifestCore,
    MemberDigest,
    SignedManifest,
    Signer,
    core_sha256,
    sign_manifest,
)
from desktop.reports.pades import sign_pdf
from desktop.reports.pdf_report import render_pdf
from desktop.reports.report_json import report_json
from desktop.store.errors import Stopped


@dataclass(frozen=True)
class SealedBundle:
    """A bundle ready to write, and what it says (for the audit log and for people)."""

    data: bytes
    info: BundleInfo
    file_sha256: str
    """The hash of the encrypted file, to match a file on disk to its audit entry."""


class ExportSteps:
    """One progress bar over a whole export: collecting the records (n steps), drawing the PDF
    (2n: its two passes), then signing, sealing and writing (1)."""

    def __init__(self, progress: ProgressCallback | None) -> None:
        self._progress = progress
        self._records = 0

    def collecting(self, done: int, total: int) -> None:
        self._records = total
        self._report(done)

    def drawing(self, done: int, _total: int) -> None:
        self._report(self._records + done)

    def finished(self) -> None:
        self._report(3 * self._records + 1)

    def _report(self, done: int) -> None:
        if self._progress is not None:
            self._progress(done, 3 * self._records + 1)


def make_bundle(
    content: ReportContent,
    signer: Identity,
    recipients: Sequence[X25519PublicKey],
    *,
    sequence: int,
    previous_sha256: str | None,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> SealedBundle:
    """``content`` as a bundle sealed to ``recipients`` and to ``signer``'s own key.

    ``sequence`` and ``previous_sha256`` place it in the signer's series; ``progress`` and
    ``should_cancel`` follow the PDF's drawing (``Stopped`` when cancelled).
    """
    document = report_json(content)
    keys = [*recipients, signer.encryption_key.public_key()]
    core = ManifestCore(
        format=BUNDLE_FORMAT,
        report_id=content.head.report_id,
        created_at=content.head.generated_at,
        signer=Signer(
            key_id=certificate_fingerprint(signer.certificate),
            certificate=signer.certificate_pem().decode("ascii"),
        ),
        sequence=sequence,
        previous_bundle_sha256=previous_sha256,
        audit_checkpoint=content.head.audit_checkpoint,
        recipients=sorted({key_fingerprint(key) for key in keys}),
        report_json=MemberDigest.of(document),
    ).model_dump(mode="json")
    footer_hash = core_sha256(core)
    pdf = render_pdf(
        content, footer_hash=footer_hash, progress=progress, should_cancel=should_cancel
    )
    pdf = sign_pdf(pdf, signer.signing_key, signer.certificate)
    if should_cancel is not None and should_cancel():
        raise Stopped("the report was cancelled")
    manifest = canonical_json({**core, "report_pdf": MemberDigest.of(pdf).model_dump()})
    container = pack(Members(manifest, sign_manifest(manifest, signer.signing_key), document, pdf))
    del document, pdf  # the container holds them; a 10,000-record report is ~60 MB of each
    sealed = seal(container, keys)
    if len(sealed) > MAX_BUNDLE_BYTES:
        raise BundleError(
            f"the report is larger than a bundle may be ({MAX_BUNDLE_BYTES >> 20} MiB):"
            " choose a shorter period or one case"
        )
    signed = SignedManifest(
        Manifest.model_validate_json(manifest),
        signer.certificate,
        sha256_hex(manifest),
        footer_hash,
    )
    return SealedBundle(sealed, BundleInfo(signed, content.head), sha256_hex(sealed))
