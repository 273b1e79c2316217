"""The supervisor's checks on a verified bundle before it is stored (security.md §3.3-§3.5).

``open_bundle`` has already proved that the bytes are what the certificate's key signed. What it
leaves to the import: whether that key is one to believe (pinned and not revoked, or certified
by an organisation CA from the policy), whether the report moves its signer's series forward
(its number, the report it names before it, its audit checkpoint, a date not in the future),
and whether every record and withdrawal it carries holds to the strict model and to its own
hash chain. Pure functions: the session holds the store.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop.domain.canonical import canonical_json_of_checked
from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import validate_document
from desktop.identity import IdentityError, check_issued_certificate
from desktop.reports.bundle_errors import BundleMalformed, BundleRejected
from desktop.reports.manifest import SignedManifest
from desktop.reports.model import ReportRecord, WithdrawalVersion
from desktop.store.audit import ZERO_HASH, version_hash
from desktop.store.imported import ImportedReport, ImportedVersion, ImportedWithdrawal
from desktop.store.trust import PinnedCertificate

PINNED: Final = "pinned"
ORGANISATION_CA: Final = "organisation_ca"
_HASHES = ("hash", "prev_hash")


class ImportRefused(BundleRejected):
    """A sound bundle that may not be imported; ``alert`` marks a signer saying two things."""

    def __init__(self, reason: str, message: str, *, alert: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.alert = alert


class ImportInvalid(BundleMalformed):
    """A signed report whose records do not hold to the model: nothing of it is stored."""

    reason = "invalid_record"


@dataclass(frozen=True)
class Carried:
    """What a report carries from its author's store, checked and ready to store."""

    versions: list[ImportedVersion]
    withdrawals: list[ImportedWithdrawal]
    latest: dict[str, dict[str, Any]]
    """Each record's latest version in the report, as parsed (hashes included), by record id."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a report is parsed, checked and stored (memory
    is still freed as usual; only cycles wait). Each full collection walks every live object,
    the parsed report's million among them: a 10,000-record import ran about a second longer
    with it on (``make bench``). Parsed JSON holds no cycles, so nothing piles up."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- who signed it ----------------------------------------------------------------------------
def signer_trust(
    certificate: x509.Certificate,
    pinned: PinnedCertificate | None,
    trusted_cas: Sequence[str],
) -> str:
    """How the signer is trusted (``PINNED`` or ``ORGANISATION_CA``), or ``ImportRefused``.

    A revoked pin wins over a CA: revoking is how a supervisor stops a key the organisation
    certified but that should no longer be believed.
    """
    if pinned is not None and pinned.revoked_at is not None:
        raise ImportRefused(
            "revoked_signer",
            f"the report is signed with a certificate revoked on {pinned.revoked_at[:10]}",
        )
    if pinned is not None:
        return PINNED
    if trusted_cas:
        try:
            check_issued_certificate(
                certificate.public_bytes(serialization.Encoding.DER), trusted_cas
            )
        except IdentityError:
            pass
        else:
            return ORGANISATION_CA
    raise ImportRefused(
        "untrusted_signer",
        "the report's signer is not in your trust store: check their fingerprint with them,"
        " then 'trust add' their certificate",
    )


#: How far ahead of this computer's clock a report may say it was made (clocks differ a little;
#: a report from tomorrow is a wrong clock or a forgery, security.md §3.4).
CLOCK_LEEWAY: Final = timedelta(hours=24)


def made_in_the_past(created_at: datetime, now: datetime) -> None:
    """``ImportRefused`` for a report that says it was made more than a day from now."""
    if created_at > now + CLOCK_LEEWAY:
        raise ImportRefused(
            "from_the_future",
            f"the report says it was made on {created_at.date().isoformat()}, after today:"
            " check the clocks of both computers",
        )


# -- where it sits in the signer's series -----------------------------------------------------
def already_imported(
    signed: SignedManifest,
    same_id: ImportedReport | None,
    same_place: ImportedReport | None,
    below: ImportedReport | None,
    above: ImportedReport | None,
) -> bool:
    """True if this very report was imported before; ``ImportRefused`` if it may not be.

    ``same_id`` is the report imported under this report id, ``same_place`` the one at this
    signer and number, ``below`` and ``above`` the signer's imported reports nearest before and
    after this number. Another report under an id or number already taken is the signer saying
    two things (an alert), and so is one that does not link to the report just before or after
    it. A report may arrive after later ones (USB sticks reorder) and fill the gap, but the
    signer's audit log must move forward through the series: a replay cannot slot in.
    """
    manifest = signed.manifest
    if same_id is not None:
        if same_id.manifest_sha256 == signed.sha256:
            return True
        raise ImportRefused(
            "report_id_reused",
            "another report with this report's id was imported before: the two differ",
            alert=True,
        )
    if same_place is not None:
        raise ImportRefused(
            "sequence_reused",
            f"another report numbered {manifest.sequence} by the same signer was imported"
            " before: the two differ",
            alert=True,
        )
    follows = below is not None and below.sequence == manifest.sequence - 1
    if follows and below is not None and manifest.previous_bundle_sha256 != below.manifest_sha256:
        raise ImportRefused(
            "series_forked",
            f"the report is number {manifest.sequence} from its signer but names another report"
            f" before it than the number {below.sequence} imported: their series has forked",
            alert=True,
        )
    precedes = above is not None and above.sequence == manifest.sequence + 1
    if precedes and above is not None and above.previous_sha256 not in (None, signed.sha256):
        raise ImportRefused(
            "series_forked",
            f"the report is number {manifest.sequence} from its signer, but the number"
            f" {above.sequence} imported names another report before it: their series has forked",
            alert=True,
        )
    checkpoint = manifest.audit_checkpoint
    if below is not None and (
        checkpoint.seq < below.checkpoint_seq
        or (checkpoint.seq == below.checkpoint_seq and checkpoint.head != below.checkpoint_head)
    ):
        raise ImportRefused(
            "checkpoint_backwards",
            "the report's audit checkpoint is behind the one of the signer's report before it:"
            " their audit log cannot go backwards",
        )
    if above is not None and (
        checkpoint.seq > above.checkpoint_seq
        or (checkpoint.seq == above.checkpoint_seq and checkpoint.head != above.checkpoint_head)
    ):
        raise ImportRefused(
            "checkpoint_backwards",
            f"the report's audit checkpoint is ahead of the one in the signer's report number"
            f" {above.sequence}: their audit log cannot go backwards",
        )
    return False


# -- what it carries --------------------------------------------------------------------------
def read_carried(fields: dict[str, Any]) -> Carried:
    """Every record version and withdrawal in the report, validated and hash-checked.

    ``fields`` is ``report.json`` as ``open_bundle`` parsed it (``keep_report``): canonical
    JSON, its head checked there.
    """
    versions = [
        version
        for number, entry in enumerate(fields["records"], start=1)
        for version in _record_versions(number, entry)
    ]
    withdrawals = [
        _withdrawal(number, entry) for number, entry in enumerate(fields["withdrawals"], start=1)
    ]
    records = {version.record_id for version in versions if version.version == 1}
    if len(records) != len(fields["records"]) or len(
        {withdrawal.withdrawal_id for withdrawal in withdrawals}
    ) != len(withdrawals):
        raise ImportInvalid("report.json lists a record or a consent withdrawal twice")
    latest = {entry["record_id"]: entry["versions"][-1] for entry in fields["records"]}
    return Carried(versions, withdrawals, latest)


def _valid(model: type[ReportRecord] | type[WithdrawalVersion], what: str, entry: object) -> None:
    try:
        validate_document(model, entry)
    except InvalidDocument as exc:
        detail = exc.details[0] if exc.details else {"field": "$", "message": str(exc)}
        raise ImportInvalid(
            f"report.json: {what} is not valid ({detail['field']}: {detail['message']})"
        ) from None


def _hashed(document: dict[str, Any]) -> tuple[str, str]:
    """The body a store hashes (the document less its hashes), and the hash it must have."""
    body = canonical_json_of_checked({k: v for k, v in document.items() if k not in _HASHES})
    return body.decode("utf-8"), str(document["hash"])


def _record_versions(number: int, entry: dict[str, Any]) -> list[ImportedVersion]:
    what = f"record {number}"
    _valid(ReportRecord, what, entry)
    record_id = entry["record_id"]
    previous = ZERO_HASH
    versions = []
    for expected, document in enumerate(entry["versions"], start=1):
        body, digest = _hashed(document)
        if (
            document["id"] != record_id
            or document["version"] != expected
            or document["prev_hash"] != previous.hex()
            or version_hash(previous, body.encode("utf-8")).hex() != digest
        ):
            raise ImportRefused(
                "record_chain_broken",
                f"report.json: {what}, version {expected}, does not match its hash chain",
            )
        previous = bytes.fromhex(digest)
        versions.append(
            ImportedVersion(
                record_id,
                expected,
                document["case"]["case_id"],
                document["subject"]["subject_id"],
                body,
                digest,
            )
        )
    return versions


def _withdrawal(number: int, entry: dict[str, Any]) -> ImportedWithdrawal:
    what = f"consent withdrawal {number}"
    _valid(WithdrawalVersion, what, entry)
    body, digest = _hashed(entry)
    if version_hash(ZERO_HASH, body.encode("utf-8")).hex() != digest:
        raise ImportRefused(
            "withdrawal_hash_mismatch", f"report.json: {what} does not match its hash"
        )
    return ImportedWithdrawal(entry["id"], body, digest)


class _Hashed(Protocol):
    @property
    def hash(self) -> str: ...


H = TypeVar("H", bound=_Hashed)


def unheld(items: Sequence[H], held: Callable[[H], str | None]) -> list[H]:
    """The items the store does not hold yet (``held`` gives a stored item's hash, or None).

    Reports with overlapping periods carry the same versions, which are stored once; a version
    held under another hash is the signer rewriting what they sent before.
    """
    new = []
    for item in items:
        stored = held(item)
        if stored is None:
            new.append(item)
        elif stored != item.hash:
            raise ImportRefused(
                "content_rewritten",
                "the report carries a record or withdrawal that differs from the same version"
                " in a report imported before",
                alert=True,
            )
    return new
