"""``Session``: an unlocked store + the practitioner's profile + the organisation policy.

Every use case is a method here, used the same way by the CLI and the GUI, and only the session
writes audit events. A session belongs to the thread that opened it (one connection, one thread).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from platformdirs import user_data_dir

from desktop import __version__
from desktop.domain.canonical import sha256_hex
from desktop.domain.checklist import RulePack, builtin_pack, evaluate, load_pack
from desktop.domain.enums import Jurisdiction, Outcome, RecordStatus, Regime
from desktop.domain.errors import InvalidDocument
from desktop.domain.records import ConsentWithdrawal, Practitioner, RecordBody
from desktop.domain.regimes import check_regimes
from desktop.domain.strict_json import validate_document
from desktop.identity import (
    CertificateInfo,
    Identity,
    IdentityError,
    IdentityRejected,
    certificate_fingerprint,
    certificate_request,
    check_certificate_key,
    check_issued_certificate,
    load_certificates,
    new_identity,
)
from desktop.identity_card import MAX_CARD_BYTES, IdentityCard, make_card, read_card
from desktop.key_agreement import key_fingerprint
from desktop.policy import Policy
from desktop.progress import CancelCheck, ProgressCallback
from desktop.record_index import (
    event_time,
    index_document,
    recipient_key,
    recipients_of,
    utc_key,
)
from desktop.reports.accounting import (
    Accounting,
    AccountingRefused,
    AccountingScope,
    account,
    accounting_law,
    period_start,
)
from desktop.reports.bundle_errors import BundleError, BundleMalformed, BundleRejected
from desktop.reports.collect import ReportScope, collect
from desktop.reports.container import MAX_BUNDLE_BYTES
from desktop.reports.importer import (
    ImportRefused,
    already_imported,
    collector_paused,
    made_in_the_past,
    read_carried,
    signer_trust,
    unheld,
)
from desktop.reports.manifest import BundleInfo
from desktop.review.service import Review
from desktop.store.atomic import refuse_existing, write_atomic
from desktop.store.audit import VerifyResult, utc_now
from desktop.store.audit import verify as verify_chain
from desktop.store.backup import BackupInfo, make_backup
from desktop.store.connection import stoppable
from desktop.store.errors import (
    InvalidRequest,
    RecordNotFound,
    Stopped,
    StoreCorrupt,
    StoreError,
    StoreExists,
    StoreNotFound,
    WrongPassphrase,
)
from desktop.store.exports import ExportEntry, SeriesPosition
from desktop.store.identity import StoredIdentity
from desktop.store.imported import ImportedReport
from desktop.store.keyslots import DEFAULT_TARGET_SECONDS, Argon2Params, calibrate
from desktop.store.recipients import StoredRecipient
from desktop.store.records import PAGE_SIZE, Cursor, RecordFilter, RecordRow
from desktop.store.store import (
    BACKUPS_DIR,
    Store,
    store_exists,
)
from desktop.store.trust import PinnedCertificate
from desktop.store.withdrawals import withdrawal_documents

if TYPE_CHECKING:
    from desktop.reports.bundle import SealedBundle

__all__ = [
    "MAX_BUNDLE_BYTES",
    "MAX_CARD_BYTES",
    "ORGANISATION_RECIPIENT",
    "BundleError",
    "BundleInfo",
    "BundleMalformed",
    "BundleRejected",
    "CertificateInfo",
    "Cursor",
    "ExportedReport",
    "IdentityCard",
    "IdentityError",
    "IdentityRejected",
    "ImportRefused",
    "ImportedBundle",
    "InvalidRequest",
    "PassphraseTooWeak",
    "Profile",
    "Recipient",
    "RecordFilter",
    "RecordNotFound",
    "RecordRow",
    "ReportScope",
    "SavedVersion",
    "Session",
    "Stopped",
    "StoreCorrupt",
    "StoreError",
    "StoreExists",
    "StoreNotFound",
    "TrustEntry",
    "WrongPassphrase",
    "default_store_dir",
    "organisation_pack",
    "pack_for",
    "store_exists",
]

HOME_ENV = "DISCLOSURE_LOG_HOME"
DEMO_BATCH = 2000
KDF_SECONDS_ENV = "DISCLOSURE_LOG_KDF_SECONDS"
MIN_PASSPHRASE_CHARS = 10
ACTOR = "practitioner"
ORGANISATION_RECIPIENT = "organisation"
"""The recipient name of the organisation's report key (policy ``report_public_key``)."""
MAX_RECIPIENT_NAME_CHARS = 100
MAX_SUBJECT_ID_CHARS = 64
"""As the records' ``subject_id`` (``ShortId``)."""


class PassphraseTooWeak(StoreError):
    pass


def default_store_dir(explicit: Path | None = None) -> Path:
    """``--store``, else ``$DISCLOSURE_LOG_HOME``, else the platform data dir."""
    if explicit is not None:
        return explicit
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env)
    return Path(user_data_dir("DisclosureLog", appauthor=False))


def kdf_params() -> Argon2Params:
    """Calibrated Argon2id cost; ``$DISCLOSURE_LOG_KDF_SECONDS`` lowers the target (tests, CI)."""
    try:
        target = float(os.environ.get(KDF_SECONDS_ENV, DEFAULT_TARGET_SECONDS))
    except ValueError:
        target = DEFAULT_TARGET_SECONDS
    return calibrate(max(0.0, min(target, 5.0)))


def check_passphrase(passphrase: str) -> None:
    if len(passphrase.strip()) < MIN_PASSPHRASE_CHARS:
        raise PassphraseTooWeak(
            f"the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters;"
            " several unrelated words are easiest to remember"
        )


@dataclass(frozen=True)
class Profile:
    name: str
    role: str
    organisation: str
    jurisdiction: Jurisdiction
    regimes: tuple[Regime, ...]
    registration_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "organisation": self.organisation,
            "jurisdiction": self.jurisdiction.value,
            "regimes": [r.value for r in self.regimes],
            "registration_number": self.registration_number,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        return cls(
            name=data["name"],
            role=data["role"],
            organisation=data["organisation"],
            jurisdiction=Jurisdiction(data["jurisdiction"]),
            regimes=tuple(Regime(r) for r in data["regimes"]),
            registration_number=data.get("registration_number"),
        )

    def practitioner(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "organisation": self.organisation,
            "registration_number": self.registration_number,
        }


def apply_policy(profile: Profile, policy: Policy) -> Profile:
    """Check a new profile against what the organisation enforces."""
    problems = []
    if policy.jurisdiction is not None and profile.jurisdiction != policy.jurisdiction:
        problems.append(f"your organisation sets the jurisdiction to {policy.jurisdiction.value}")
    if policy.regimes is not None and set(profile.regimes) != set(policy.regimes):
        problems.append(
            "your organisation sets the regimes to " + ",".join(r.value for r in policy.regimes)
        )
    problem = check_regimes(profile.jurisdiction, list(profile.regimes))
    if problem is not None:
        problems.append(problem)
    for label, value in (
        ("name", profile.name),
        ("role", profile.role),
        ("organisation", profile.organisation),
    ):
        if not value.strip():
            problems.append(f"the {label} is empty")
    if problems:
        raise InvalidRequest("; ".join(problems))
    return profile


def organisation_pack(policy: Policy, warnings: list[str]) -> RulePack | None:
    """The rule pack the policy names, if valid; else a warning, and the built-in pack is used."""
    if policy.rule_pack is None:
        return None
    path = Path(policy.rule_pack)
    try:
        return load_pack(path.read_bytes())
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror})"
    except InvalidDocument as exc:
        problem = f"is not a valid rule pack ({exc})"
    warnings.append(
        f"The organisation's rule pack {path} {problem}; the built-in checklist is used."
    )
    return None


def pack_for(organisation: RulePack | None, jurisdiction: Jurisdiction) -> RulePack:
    if organisation is not None and organisation.jurisdiction is jurisdiction:
        return organisation
    return builtin_pack(jurisdiction)


@dataclass(frozen=True)
class SavedVersion:
    record_id: str
    version: int
    hash: str


@dataclass(frozen=True)
class WithdrawalResult:
    withdrawal_id: str
    hash: str
    recipients_to_notify: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class StoreStatus:
    path: str
    store_id: str
    schema_version: int
    app_version: str
    records: int
    versions: int
    cases: int
    consent_withdrawals: int
    audit_head_seq: int
    audit_head: str
    recovery_slot: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Recipient:
    """Someone reports can be encrypted to: an identity card accepted into this store, or
    (``card`` None) the organisation's report key from the policy."""

    name: str
    encryption_key: X25519PublicKey
    card: IdentityCard | None = None
    added_at: str | None = None

    @property
    def key_fingerprint(self) -> str:
        return key_fingerprint(self.encryption_key)


def recipient_name_problem(name: str) -> str | None:
    if not name or len(name) > MAX_RECIPIENT_NAME_CHARS:
        return f"a recipient's name has 1 to {MAX_RECIPIENT_NAME_CHARS} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "a recipient's name cannot contain control characters"
    if name.casefold() == ORGANISATION_RECIPIENT:
        return f"{ORGANISATION_RECIPIENT!r} names the organisation's own report key"
    return None


@dataclass(frozen=True)
class ExportedReport:
    """A report bundle written to disk: where, what it says, and the encrypted file's hash."""

    path: Path
    info: BundleInfo
    file_sha256: str


@dataclass(frozen=True)
class ImportedBundle:
    """The outcome of ``import_report``: what the report says, and what changed."""

    info: BundleInfo
    already_imported: bool
    trusted_as: str
    """How its signer is trusted: ``pinned`` or ``organisation_ca``."""
    versions_added: int
    withdrawals_added: int
    missing: tuple[int, ...] = ()
    """Numbers of the signer's reports not imported, between the first and last that were
    (a warning: they may have gone to someone else, or still be on their way)."""


IMPORT_STEPS = 3
"""An import's steps, as ``progress`` counts them: opening the bundle (decrypting it and
checking its signatures and hashes), checking its signer and records, storing them."""


class _ImportSteps:
    """Reports each step of an import as it starts, and stops it (``Stopped``) when asked,
    between steps and at the end of its transaction, which then rolls back."""

    def __init__(
        self, progress: ProgressCallback | None, should_cancel: CancelCheck | None
    ) -> None:
        self._progress = progress
        self._should_cancel = should_cancel

    def start(self, step: int) -> None:
        self.check()
        if self._progress is not None:
            self._progress(step, IMPORT_STEPS)

    def check(self) -> None:
        if self._should_cancel is not None and self._should_cancel():
            raise Stopped("the import was stopped: nothing was imported")

    @contextmanager
    def before_commit(self) -> Iterator[None]:
        """Inside the transaction, around all of its work: the last moment to stop."""
        yield
        self.check()


@dataclass(frozen=True)
class TrustEntry:
    """A certificate reports are accepted under: pinned in this store, or (``source``
    ``policy``) an organisation CA from the policy."""

    certificate: x509.Certificate
    source: str
    added_at: str | None = None
    revoked_at: str | None = None

    @classmethod
    def pinned(cls, stored: PinnedCertificate) -> TrustEntry:
        certificate = x509.load_der_x509_certificate(stored.certificate)
        return cls(certificate, "pinned", stored.added_at, stored.revoked_at)


def fingerprint_hex(text: str) -> str:
    """A SHA-256 fingerprint as typed: hex, in any case, grouped by spaces or colons."""
    digits = re.sub(r"[\s:]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise InvalidRequest(
            "a fingerprint is 64 hexadecimal digits (SHA-256), as 'trust list' shows"
        )
    return digits


class Session:
    def __init__(self, store: Store, policy: Policy) -> None:
        self._store: Store | None = store
        self.policy = policy
        self.warnings: list[str] = []
        self._organisation_pack = organisation_pack(policy, self.warnings)

    # -- the checklist ------------------------------------------------------------------
    def rule_pack(self, jurisdiction: Jurisdiction) -> RulePack:
        return pack_for(self._organisation_pack, jurisdiction)

    def decide(self, body: RecordBody) -> RecordBody:
        """Run the checklist on the record's answers; the decision is never taken from input.

        The status rules then hold against that decision: blocks forbid FINAL (save as DRAFT,
        or as DISCLOSURE_WITHOUT_ESTABLISHED_BASIS if the disclosure already happened), and a
        record that needs advice is pending, whatever was asked for.
        """
        pack = self.rule_pack(body.checklist.jurisdiction)
        try:
            decision = evaluate(body.checklist.to_document(), pack)
        except InvalidDocument as exc:
            details = [
                {"field": f"checklist.{d['field']}", "message": d["message"]} for d in exc.details
            ]
            raise InvalidDocument("the checklist answers are not valid", details=details) from exc
        status = body.status
        if decision["outcome"] == Outcome.SEEK_ADVICE and status is RecordStatus.FINAL:
            status = RecordStatus.PENDING_ADVICE
        document = body.to_document()
        document.update(
            decision=decision,
            rule_pack={"id": pack.id, "version": pack.version},
            status=status.value,
        )
        return validate_document(RecordBody, document)

    # -- opening and closing ------------------------------------------------------------
    @classmethod
    def create(
        cls,
        directory: Path,
        passphrase: str,
        profile: Profile,
        policy: Policy,
        params: Argon2Params | None = None,
    ) -> Session:
        check_passphrase(passphrase)
        apply_policy(profile, policy)
        store = Store.create(directory, passphrase, params or kdf_params(), policy.recovery_key())
        session = cls(store, policy)
        with store.transaction():
            store.set_profile(profile.as_dict())
            store.audit.append(
                ACTOR,
                "store_created",
                detail={
                    "app_version": __version__,
                    "recovery_slot": store.has_recovery_slot,
                    "jurisdiction": profile.jurisdiction.value,
                },
            )
            session._create_identity()
        return session

    @classmethod
    def unlock(
        cls, directory: Path, passphrase: str, policy: Policy, failed_attempts: int = 0
    ) -> Session:
        """Open the store. ``failed_attempts`` (wrong passphrases since the last unlock) is
        audited now: with a wrong passphrase nothing may be written, so it waits until here."""
        store = Store.open(directory, passphrase)
        session = cls(store, policy)
        if failed_attempts:
            session._audit("unlock_failed", attempts=failed_attempts)
        session._audit("unlocked")
        session.review.finish_pending()
        return session

    @classmethod
    def recover(
        cls,
        directory: Path,
        org_key_pem: bytes,
        new_passphrase: str,
        policy: Policy,
        org_key_password: bytes | None = None,
    ) -> Session:
        """Open a store whose passphrase is lost with the organisation's private key."""
        check_passphrase(new_passphrase)
        try:
            key = serialization.load_pem_private_key(org_key_pem, password=org_key_password)
        except (ValueError, TypeError) as exc:
            raise WrongPassphrase("the organisation key file could not be read") from exc
        if not isinstance(key, X25519PrivateKey):
            raise WrongPassphrase("the organisation key file does not hold an X25519 key")
        store = Store.open_with_recovery_key(directory, key)
        session = cls(store, policy)
        store.change_passphrase(new_passphrase, kdf_params(), "organisation-recovery")
        session._audit("recovered_with_organisation_key", actor="organisation-recovery")
        return session

    def lock(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def locked(self) -> bool:
        return self._store is None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise WrongPassphrase("the store is locked")
        return self._store

    def _audit(self, event: str, actor: str = ACTOR, **detail: Any) -> None:
        with self.store.transaction():
            self.store.audit.append(actor, event, detail=detail)

    @cached_property
    def review(self) -> Review:
        """The supervisor's review of imported records, and the outcome of reviews received."""
        return Review(self)

    def profile(self) -> Profile:
        data = self.store.profile()
        if data is None:
            raise StoreError("the store has no practitioner profile")
        return Profile.from_dict(data)

    # -- records ------------------------------------------------------------------------
    def _document(
        self, record_id: str, version: int, body: RecordBody, reason: str | None
    ) -> dict[str, Any]:
        now = utc_now()
        document: dict[str, Any] = body.to_document()
        document.update(
            {
                "id": record_id,
                "version": version,
                "created_at": now,
                "created_by": self.profile().practitioner(),
                "amend_reason": reason,
                "retention_until": self._retention_until(document),
            }
        )
        return document

    def _retention_until(self, document: dict[str, Any]) -> str | None:
        years = self.policy.retention_years
        if years is None:
            return None
        moment = datetime.fromisoformat(utc_key(event_time(document)).replace("Z", "+00:00"))
        day = moment.date()
        try:
            until = day.replace(year=day.year + years)
        except ValueError:  # 29 February
            until = date(day.year + years, 3, 1)
        return until.isoformat()

    def add_record(self, body: RecordBody) -> SavedVersion:
        record_id = str(uuid.uuid4())
        document = self._document(record_id, 1, self.decide(body), None)
        store = self.store
        with store.transaction():
            digest = store.records.add(
                ACTOR, record_id, document, index_document(document), document["created_at"]
            )
        return SavedVersion(record_id, 1, digest.hex())

    def amend_record(self, record_id: str, body: RecordBody, reason: str) -> SavedVersion:
        if not reason.strip():
            raise InvalidRequest("an amendment needs a reason")
        store = self.store
        document = self._document(record_id, 0, self.decide(body), reason)
        with store.transaction():
            version, digest = store.records.amend(
                ACTOR,
                record_id,
                document,
                index_document(document),
                document["created_at"],
            )
        return SavedVersion(record_id, version, digest.hex())

    def record(self, record_id: str, version: int | None = None) -> dict[str, Any]:
        return self.store.records.version_document(record_id, version)

    def history(self, record_id: str) -> list[dict[str, Any]]:
        return self.store.records.history(record_id)

    def list_records(
        self, where: RecordFilter | None = None, after: Cursor | None = None, limit: int = PAGE_SIZE
    ) -> list[RecordRow]:
        where = where or RecordFilter()
        self._write_queued_lookups(where)
        return self.store.records.page(where, after, limit)

    def _write_queued_lookups(self, where: RecordFilter, searching: bool = False) -> None:
        """Searching and filtering by basis or organisation need every look-up entry written."""
        if not searching and where.basis_code is None and where.recipient_organisation is None:
            return
        store = self.store
        if store.records.queued_for_lookups():
            with store.transaction():
                store.records.write_queued_lookups()

    def search(
        self,
        text: str,
        where: RecordFilter | None = None,
        before_rowid: int | None = None,
        limit: int = PAGE_SIZE,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[RecordRow]:
        """Matches, most recently saved first; ``should_stop`` abandons the read (``Stopped``)."""
        self._write_queued_lookups(RecordFilter(), searching=True)
        with stoppable(self.store.conn, should_stop):
            return self.store.records.search(text, where, before_rowid, limit)

    def record_ids(
        self,
        where: RecordFilter | None = None,
        text: str = "",
        should_stop: Callable[[], bool] | None = None,
    ) -> array[int]:
        """Every listed (or, with ``text``, matching) record's row id, in list order: the
        table's window over a store of any size (see ``RecordRepository.ids``)."""
        where = where or RecordFilter()
        self._write_queued_lookups(where, searching=bool(text.strip()))
        with stoppable(self.store.conn, should_stop):
            return self.store.records.ids(where, text.strip() or None)

    def rows(self, rowids: Sequence[int]) -> list[RecordRow]:
        """The list rows of a block of row ids from ``record_ids``, in that order."""
        return self.store.records.rows(rowids)

    def audit_events(self, record_id: str) -> list[dict[str, Any]]:
        """The audit entries about one record: when each version was saved, and by whom."""
        return self.store.records.audit_events(record_id)

    def recent_recipients(self, limit: int = 10) -> list[dict[str, Any]]:
        """Recipients of the most recently saved records, newest first, each once: the form
        offers them so a practitioner need not type a MASH's details every time."""
        seen: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in self.store.records.recently_saved(limit * 5):
            for recipient in recipients_of(self.store.records.version_document(row)):
                seen.setdefault(recipient_key(recipient), recipient)
        return list(seen.values())[:limit]

    def cases(self) -> list[tuple[str, int, str]]:
        return self.store.records.cases()

    # -- consent withdrawal -------------------------------------------------------------
    def withdraw_consent(self, withdrawal: ConsentWithdrawal) -> WithdrawalResult:
        """Record a withdrawal and list who received information on the strength of that consent."""
        store = self.store
        withdrawn_at = utc_key(withdrawal.withdrawn_at.isoformat())
        to_notify: dict[tuple[str, str, str], dict[str, Any]] = {}
        where = RecordFilter(
            case_id=withdrawal.case_id,
            subject_id=withdrawal.subject_id,
            outcome="SHARE_WITH_CONSENT",
            date_to=withdrawn_at,
        )
        chosen = set(withdrawal.record_ids)
        after = None
        while rows := store.records.page(where, after):
            for row in rows:
                if chosen and row.record_id not in chosen:
                    continue
                for recipient in recipients_of(store.records.version_document(row.record_id)):
                    to_notify.setdefault(
                        recipient_key(recipient),
                        {
                            "name": recipient.get("name"),
                            "role_title": recipient["role_title"],
                            "organisation": recipient["organisation"],
                            "address": recipient.get("address"),
                            "record_ids": [],
                        },
                    )["record_ids"].append(row.record_id)
            after = Cursor(rows[-1].event_at, rows[-1].rowid)
        withdrawal_id = str(uuid.uuid4())
        document = withdrawal.model_dump(mode="json")
        document.update(
            {
                "id": withdrawal_id,
                "created_at": utc_now(),
                "created_by": self.profile().practitioner(),
                "recipients_to_notify": list(to_notify.values()),
            }
        )
        with store.transaction():
            digest = store.records.add_withdrawal(
                ACTOR, withdrawal_id, withdrawal.case_id, withdrawal.subject_id, document
            )
        return WithdrawalResult(withdrawal_id, digest.hex(), list(to_notify.values()))

    def consent_withdrawals(self, case_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every consent withdrawal (of one case, if given) as recorded, each with its hash."""
        return withdrawal_documents(self.store.conn, case_id)

    # -- identity and recipients --------------------------------------------------------
    def identity(self) -> Identity:
        """The practitioner's keys and certificate; a store made before identities gets them now."""
        stored = self.store.identity.get()
        if stored is None:
            with self.store.transaction():
                return self._create_identity()
        return Identity.from_bytes(stored.signing_key, stored.certificate, stored.encryption_key)

    def _create_identity(self) -> Identity:
        """New keys and a self-signed certificate, saved and audited in the caller's transaction."""
        profile = self.profile()
        identity = new_identity(profile.name, profile.organisation)
        self.store.identity.create(
            StoredIdentity(
                identity.signing_key_bytes(),
                identity.certificate_bytes(),
                identity.encryption_key_bytes(),
            ),
            utc_now(),
        )
        self.store.audit.append(
            ACTOR,
            "identity_created",
            detail={
                "certificate_sha256": certificate_fingerprint(identity.certificate),
                "encryption_key": key_fingerprint(identity.encryption_key.public_key()),
            },
        )
        return identity

    def certificate(self) -> CertificateInfo:
        return CertificateInfo.of(self.identity().certificate)

    def write_certificate(self, path: Path) -> CertificateInfo:
        """The signing certificate (PEM): for a supervisor's trust store, or to check a PDF."""
        identity = self.identity()
        write_atomic(path, identity.certificate_pem())
        return CertificateInfo.of(identity.certificate)

    def write_certificate_request(self, path: Path) -> None:
        """A PKCS#10 request (PEM) for the organisation's CA to certify the signing key."""
        profile = self.profile()
        write_atomic(path, certificate_request(self.identity(), profile.name, profile.organisation))

    def write_identity_card(self, path: Path) -> CertificateInfo:
        """A signed card that others add as a recipient, to encrypt reports and reviews to us."""
        profile = self.profile()
        identity = self.identity()
        write_atomic(path, make_card(identity, profile.name, profile.role, profile.organisation))
        return CertificateInfo.of(identity.certificate)

    @staticmethod
    def check_certificate(data: bytes, policy: Policy) -> x509.Certificate:
        """What ``install_certificate`` checks that needs no store (trusted CA, dates, key
        usage), so that a refused file can be refused before the store is even opened."""
        return check_issued_certificate(data, policy.trusted_ca_certificates)

    def install_certificate(self, data: bytes) -> CertificateInfo:
        """Use a certificate the organisation issued for our signing key instead of ours."""
        certificate = self.check_certificate(data, self.policy)
        identity = self.identity()
        check_certificate_key(certificate, identity)
        with self.store.transaction():
            self.store.identity.replace_certificate(
                certificate.public_bytes(serialization.Encoding.DER), utc_now()
            )
            self.store.audit.append(
                ACTOR,
                "certificate_installed",
                detail={
                    "certificate_sha256": certificate_fingerprint(certificate),
                    "previous_certificate_sha256": certificate_fingerprint(identity.certificate),
                    "issuer": certificate.issuer.rfc4514_string(),
                },
            )
        return CertificateInfo.of(certificate)

    @staticmethod
    def read_card(data: bytes) -> IdentityCard:
        """A card whose signature verifies. Whose it is, only its fingerprint can tell: show it."""
        return read_card(data)

    def recipients(self) -> list[Recipient]:
        """Who reports can be encrypted to: the organisation, if the policy gives its report
        key, then the cards accepted into this store."""
        organisation = self.recipient(ORGANISATION_RECIPIENT)
        cards = [self._recipient(stored) for stored in self.store.recipients.all()]
        return [organisation, *cards] if organisation is not None else cards

    def recipient(self, name: str) -> Recipient | None:
        if name.strip().casefold() == ORGANISATION_RECIPIENT:
            key = self.policy.report_key()
            return None if key is None else Recipient(ORGANISATION_RECIPIENT, key)
        stored = self.store.recipients.get(name.strip())
        return None if stored is None else self._recipient(stored)

    @staticmethod
    def _recipient(stored: StoredRecipient) -> Recipient:
        """A stored card is checked again each time: the store is encrypted, not tamper-proof
        against someone holding its key."""
        try:
            card = read_card(stored.card)
        except IdentityError as exc:
            raise StoreCorrupt(
                f"the identity card of recipient {stored.name!r} no longer verifies"
            ) from exc
        return Recipient(stored.name, card.encryption_key, card, stored.added_at)

    def add_recipient(self, name: str, card_data: bytes) -> Recipient:
        """Accept a card, once the user has checked its fingerprint, as recipient ``name``.

        The same key under the same name again changes nothing; a listed name is never given
        another key (that would silently send reports to someone else).
        """
        card = read_card(card_data)
        name = name.strip()
        problem = recipient_name_problem(name)
        if problem is not None:
            raise InvalidRequest(problem)
        existing = self.recipient(name)
        if existing is not None:
            same = existing.card is not None and (
                existing.card.fingerprint_sha256 == card.fingerprint_sha256
                and existing.key_fingerprint == key_fingerprint(card.encryption_key)
            )
            if same:
                return existing
            raise InvalidRequest(f"a recipient named {existing.name!r} is already listed")
        added = Recipient(name, card.encryption_key, card, utc_now())
        with self.store.transaction():
            self.store.recipients.add(StoredRecipient(name, card_data, str(added.added_at)))
            self.store.audit.append(
                ACTOR,
                "recipient_added",
                detail={
                    "certificate_sha256": card.fingerprint_sha256,
                    "encryption_key": added.key_fingerprint,
                },
            )
        return added

    # -- accounting of disclosures -----------------------------------------------------
    def accounting(
        self,
        subject_id: str,
        since: date | None = None,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> Accounting:
        """One person's accounting of disclosures as of now: HIPAA 164.528 in the US, the list
        of recipients of a UK subject access request in the UK. Nothing is written.

        It covers this store's own records and every record imported from practitioners'
        reports about the person, each once (``merge_imported``), under this store's law."""
        subject_id = subject_id.strip()
        if not 1 <= len(subject_id) <= MAX_SUBJECT_ID_CHARS:
            raise InvalidRequest(f"a person's id has 1 to {MAX_SUBJECT_ID_CHARS} characters")
        profile = self.profile()
        now = datetime.now(UTC)
        try:
            law = accounting_law(profile.jurisdiction, profile.regimes)
            start = period_start(law, now.date(), since)
        except AccountingRefused as exc:
            raise InvalidRequest(str(exc)) from exc
        thresholds = self.rule_pack(profile.jurisdiction).thresholds
        scope = AccountingScope(
            law=law,
            subject_id=subject_id,
            start=start,
            end=now.date(),
            practitioner=Practitioner.model_validate(profile.practitioner()),
            oral_suspension_days=thresholds.oral_suspension_days,
        )
        return account(
            self,
            scope,
            generated_at=now,
            imported=self.store.imported.latest_of_subject(subject_id),
            own_hashes=self._own_hashes,
            progress=progress,
            should_cancel=should_cancel,
        )

    def _own_hashes(self, record_id: str) -> list[str]:
        """The hashes of this store's own versions of a record, oldest first; none if none."""
        records = self.store.records
        if not records.exists(record_id):
            return []
        return [str(version["hash"]) for version in records.history(record_id)]

    def write_accounting(self, accounting: Accounting, path: Path) -> str:
        """Write ``accounting`` as a PDF signed by the practitioner, for handing to the person;
        return its SHA-256.

        The file is not encrypted, so callers ask first. It is written atomically and owner-only
        in the transaction that audits it; the audit holds no case content and not whose it is:
        only the number of entries and the file's hash.
        """
        # ReportLab and pyHanko load only when a PDF is made.
        from desktop.reports.accounting_pdf import render_accounting  # noqa: PLC0415
        from desktop.reports.pades import sign_pdf  # noqa: PLC0415

        identity = self.identity()
        signed = sign_pdf(render_accounting(accounting), identity.signing_key, identity.certificate)
        digest = sha256_hex(signed)
        with self.store.transaction():
            self.store.audit.append(
                ACTOR,
                "accounting_written",
                detail={
                    "entries": accounting.entry_count,
                    "disclosures": accounting.disclosure_count,
                    "sha256": digest,
                },
            )
            write_atomic(path, signed)
        return digest

    # -- summary reports ----------------------------------------------------------------
    def export_report(
        self,
        scope: ReportScope,
        recipient: str,
        out: Path,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> ExportedReport:
        """Write a signed report of ``scope`` to ``out``, encrypted to ``recipient`` and to us.

        ``progress(done, total)`` follows it to the end; once ``should_cancel()`` is true it
        stops with ``Stopped``. Cancelled or failed, it leaves no file and uses no sequence
        number: the number is taken in the transaction that audits the export and writes it.
        """
        if scope.start > scope.end:
            raise InvalidRequest("the report's period ends before it starts")
        to = self.recipient(recipient)
        if to is None:
            hint = (
                "the organisation policy gives no report key"
                if recipient.strip().casefold() == ORGANISATION_RECIPIENT
                else "see 'recipients list'"
            )
            raise InvalidRequest(f"no recipient named {recipient.strip()!r}: {hint}")
        refuse_existing(out)
        # ReportLab and pyHanko load only when a report is made.
        from desktop.reports.bundle import ExportSteps, make_bundle  # noqa: PLC0415

        identity = self.identity()
        steps = ExportSteps(progress)
        content = collect(
            self,
            scope,
            report_id=str(uuid.uuid4()),
            generated_at=datetime.now(UTC),
            progress=steps.collecting,
            should_cancel=should_cancel,
        )
        position = self.store.exports.next_position()
        bundle = make_bundle(
            content,
            identity,
            [to.encryption_key],
            sequence=position.sequence,
            previous_sha256=position.previous_sha256,
            progress=steps.drawing,
            should_cancel=should_cancel,
        )
        del content
        if should_cancel is not None and should_cancel():  # the last moment nothing is written
            raise Stopped("the export was stopped; nothing was written")
        self._save_export(bundle, position, out)
        steps.finished()
        return ExportedReport(out, bundle.info, bundle.file_sha256)

    def _save_export(self, bundle: SealedBundle, position: SeriesPosition, out: Path) -> None:
        """Take the sequence number, audit the export and write the file: all or nothing."""
        store = self.store
        info = bundle.info
        manifest = info.manifest
        written = False
        try:
            with store.transaction():
                if store.exports.next_position() != position:
                    raise StoreError(
                        "another report was exported from this store meanwhile: export again"
                    )
                store.exports.add(
                    ExportEntry(
                        manifest.sequence,
                        manifest.report_id,
                        info.signed.sha256,
                        bundle.file_sha256,
                        utc_now(),
                    )
                )
                store.audit.append(
                    ACTOR,
                    "report_exported",
                    object_type="report",
                    object_id=manifest.report_id,
                    object_hash=bytes.fromhex(info.signed.sha256),
                    detail={
                        "sequence": manifest.sequence,
                        "bundle_sha256": info.signed.sha256,
                        "file_sha256": bundle.file_sha256,
                        "recipients": manifest.recipients,
                    },
                )
                refuse_existing(out)
                write_atomic(out, bundle.data)
                written = True
        except BaseException:
            if written:  # the commit itself failed
                out.unlink(missing_ok=True)
            raise

    def open_report(self, data: bytes, pdf_out: Path) -> BundleInfo:
        """Decrypt and verify a report bundle sent to us; write its PDF to ``pdf_out``.

        Nothing is written unless every check passes (``BundleError`` says which did not).
        Whether the signer is who they say is for the reader to judge: show the fingerprint.
        """
        from desktop.reports.bundle_reader import open_bundle  # noqa: PLC0415 - loads pyHanko

        refuse_existing(pdf_out)
        opened = open_bundle(data, self.identity().encryption_key)
        write_atomic(pdf_out, opened.pdf)
        info = opened.info
        with self.store.transaction():
            self.store.audit.append(
                ACTOR,
                "report_opened",
                object_type="report",
                object_id=info.manifest.report_id,
                object_hash=bytes.fromhex(info.signed.sha256),
                detail={
                    "sequence": info.manifest.sequence,
                    "signer_sha256": info.signer_fingerprint,
                },
            )
        return info

    def import_report(
        self,
        data: bytes,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> ImportedBundle:
        """Verify a report bundle sent to us and store what it carries, in one transaction.

        The same report again changes nothing. A refusal (``BundleError``) is audited with a
        reason code and the file's hash, never its content, after everything else rolled back.
        ``progress(done, IMPORT_STEPS)`` follows its steps; once ``should_cancel()`` is true it
        stops with ``Stopped``, the store as it was and nothing audited.
        """
        file_sha256 = sha256_hex(data)
        try:
            with collector_paused():
                imported = self._import_report(data, file_sha256, progress, should_cancel)
        except BundleError as exc:
            alert = isinstance(exc, ImportRefused) and exc.alert
            self._audit(
                "report_import_alert" if alert else "report_import_refused",
                reason=exc.reason,
                file_sha256=file_sha256,
            )
            raise
        if progress is not None:
            progress(IMPORT_STEPS, IMPORT_STEPS)
        return imported

    def _import_report(
        self,
        data: bytes,
        file_sha256: str,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> ImportedBundle:
        from desktop.reports.bundle_reader import open_bundle  # noqa: PLC0415 - loads pyHanko

        steps = _ImportSteps(progress, should_cancel)
        steps.start(0)
        opened = open_bundle(data, self.identity().encryption_key, keep_report=True)
        steps.start(1)
        info = opened.info
        signed, manifest, signer = info.signed, info.manifest, info.signer_fingerprint
        store = self.store
        trusted_as = signer_trust(
            signed.certificate, store.trust.get(signer), self.policy.trusted_ca_certificates
        )
        made_in_the_past(manifest.created_at, datetime.now(UTC))
        assert opened.report is not None
        carried = read_carried(opened.report)
        del opened
        steps.start(2)
        imported = store.imported
        with store.transaction(), steps.before_commit():
            if already_imported(
                signed,
                imported.report(manifest.report_id),
                imported.at(signer, manifest.sequence),
                *imported.neighbours(signer, manifest.sequence),
            ):
                return ImportedBundle(info, True, trusted_as, 0, 0)
            imported.add_report(
                ImportedReport(
                    manifest.report_id,
                    signer,
                    manifest.sequence,
                    signed.sha256,
                    file_sha256,
                    manifest.audit_checkpoint.seq,
                    manifest.audit_checkpoint.head,
                    utc_now(),
                    manifest.previous_bundle_sha256,
                )
            )
            versions = unheld(
                carried.versions, lambda v: imported.version_hash(signer, v.record_id, v.version)
            )
            withdrawals = unheld(
                carried.withdrawals, lambda w: imported.withdrawal_hash(signer, w.withdrawal_id)
            )
            for version in versions:
                imported.add_version(signer, manifest.report_id, version)
            for withdrawal in withdrawals:
                imported.add_withdrawal(signer, manifest.report_id, withdrawal)
            self.review.note_signer(signed.certificate, info.signer_name)
            # A record with new versions here has its latest one here (a report carries every
            # version); one only named by a withdrawal is read from the store.
            renewed = {version.record_id for version in versions}
            self.review.index(
                signer,
                [*renewed, *(i for w in withdrawals for i in json.loads(w.body)["record_ids"])],
                {record_id: carried.latest[record_id] for record_id in renewed},
            )
            missing = tuple(imported.missing(signer))
            store.audit.append(
                ACTOR,
                "report_imported",
                object_type="report",
                object_id=manifest.report_id,
                object_hash=bytes.fromhex(signed.sha256),
                detail={
                    "signer_sha256": signer,
                    "trusted_as": trusted_as,
                    "sequence": manifest.sequence,
                    "file_sha256": file_sha256,
                    "versions_added": len(versions),
                    "withdrawals_added": len(withdrawals),
                    "missing": list(missing),
                },
            )
        return ImportedBundle(info, False, trusted_as, len(versions), len(withdrawals), missing)

    # -- the supervisor's trust store ---------------------------------------------------
    @staticmethod
    def read_signing_certificate(data: bytes) -> x509.Certificate:
        """A practitioner's certificate (PEM or DER), read before the store is opened; only an
        ECDSA P-256 key signs reports, so no other is worth trusting."""
        certificate = load_certificates(data)[0]
        key = certificate.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise IdentityError("the certificate is not for an ECDSA P-256 key: none signs reports")
        return certificate

    def trust_certificate(self, data: bytes) -> TrustEntry:
        """Pin a practitioner's certificate, once its fingerprint was checked with them.

        Pinned already: nothing changes. Revoked: refused, or revoking would mean nothing.
        """
        certificate = self.read_signing_certificate(data)
        fingerprint = certificate_fingerprint(certificate)
        store = self.store
        held = store.trust.get(fingerprint)
        if held is not None and held.revoked_at is not None:
            raise IdentityRejected(
                f"this certificate was revoked on {held.revoked_at[:10]}: it is never trusted again"
            )
        if held is not None:
            return TrustEntry.pinned(held)
        pinned = PinnedCertificate(
            fingerprint, certificate.public_bytes(serialization.Encoding.DER), utc_now()
        )
        with store.transaction():
            store.trust.add(pinned)
            store.audit.append(ACTOR, "trust_added", detail={"certificate_sha256": fingerprint})
        return TrustEntry.pinned(pinned)

    def trusted_certificates(self) -> list[TrustEntry]:
        """The pinned certificates (revoked ones included), then the policy's organisation CAs."""
        pinned = [TrustEntry.pinned(stored) for stored in self.store.trust.all()]
        authorities = [
            TrustEntry(x509.load_pem_x509_certificate(pem.encode("ascii")), "policy")
            for pem in self.policy.trusted_ca_certificates
        ]
        return [*pinned, *authorities]

    def revoke_trust(self, fingerprint: str) -> TrustEntry:
        """Stop accepting reports signed with a certificate (pinned, or of a practitioner whose
        reports were imported); it stays listed, revoked."""
        digits = fingerprint_hex(fingerprint)
        store = self.store
        held = store.trust.get(digits)
        if held is not None and held.revoked_at is not None:
            return TrustEntry.pinned(held)
        now = utc_now()
        pinned = held is not None
        if held is None:
            # A practitioner trusted through the organisation's CA was never pinned: their
            # certificate, as their reports carried it, is kept here revoked.
            certificate = store.review.signer_certificate(digits)
            if certificate is None:
                raise InvalidRequest(
                    "no pinned certificate, and no practitioner whose reports you imported,"
                    " has this fingerprint (see 'trust list' and 'review practitioners')"
                )
            held = PinnedCertificate(digits, certificate, now)
        with store.transaction():
            if pinned:
                store.trust.revoke(digits, now)
            else:
                store.trust.add(replace(held, revoked_at=now))
            store.audit.append(ACTOR, "trust_revoked", detail={"certificate_sha256": digits})
        return TrustEntry.pinned(replace(held, revoked_at=now))

    # -- integrity, keys and backups ----------------------------------------------------
    def verify_audit(self) -> VerifyResult:
        return verify_chain(self.store.conn)

    def change_passphrase(self, new_passphrase: str) -> None:
        check_passphrase(new_passphrase)
        self.store.change_passphrase(new_passphrase, kdf_params(), ACTOR)

    def backup(
        self,
        dest_dir: Path | None = None,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> BackupInfo:
        """Write a verified, encrypted backup into ``dest_dir`` (default: the store's own folder).

        ``progress(done, total)`` follows its steps; once ``should_cancel()`` is true it stops
        with ``Stopped``, leaving no file behind and nothing audited.
        """
        store = self.store
        target = dest_dir if dest_dir is not None else store.directory / BACKUPS_DIR
        info = make_backup(
            store.conn,
            store.keyslots,
            store.data_key,
            target,
            store.records.counter("records"),
            progress=progress,
            should_cancel=should_cancel,
        )
        self._audit("backup_made", sha256=info.sha256, records=info.records, bytes=info.size)
        return info

    @classmethod
    def restore(
        cls,
        backup_file: Path,
        directory: Path,
        passphrase: str,
        policy: Policy,
        replace: bool = False,
    ) -> Session:
        """Restore a backup into ``directory``; an existing store is moved aside, never deleted."""
        manifest = Store.restore(backup_file, directory, passphrase, replace)
        session = cls.unlock(directory, passphrase, policy)
        session._audit("restored_from_backup", backup_records=manifest.get("records"))
        return session

    # -- demo ---------------------------------------------------------------------------
    def fill_demo(
        self,
        count: int,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
        seed: int = 0,
    ) -> int:
        """Add ``count`` synthetic records, committing in batches; cancelling keeps what is done."""
        from desktop.demo_data import generate  # noqa: PLC0415 - only demos pay for loading it

        store = self.store
        created_by = self.profile().practitioner()
        start = store.records.counter("records")
        documents = generate(count, seed=seed, start_index=start)
        done = 0
        while done < count:
            if should_cancel is not None and should_cancel():
                break
            batch = min(DEMO_BATCH, count - done)
            with store.transaction():
                for document in itertools.islice(documents, batch):
                    now = utc_now()
                    record_id = str(uuid.uuid4())
                    document.update(
                        {
                            "id": record_id,
                            "version": 1,
                            "created_at": now,
                            "created_by": created_by,
                            "amend_reason": None,
                            "retention_until": self._retention_until(document),
                        }
                    )
                    store.records.add(
                        ACTOR, record_id, document, index_document(document), now, bulk=True
                    )
            done += batch
            if progress is not None:
                progress(done, count)
        self._audit("demo_records_added", count=done)
        return done

    # -- status -------------------------------------------------------------------------
    def status(self) -> StoreStatus:
        store = self.store
        seq, head = store.audit.head()
        return StoreStatus(
            path=str(store.directory),
            store_id=store.store_id,
            schema_version=store.schema_version(),
            app_version=__version__,
            records=store.records.counter("records"),
            versions=store.records.counter("versions"),
            cases=store.records.case_count(),
            consent_withdrawals=store.records.counter("consent_withdrawals"),
            audit_head_seq=seq,
            audit_head=head.hex(),
            recovery_slot=store.has_recovery_slot,
        )
