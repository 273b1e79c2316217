"""The supervisor's review of what practitioners sent, and the practitioner's side of its outcome.

Reached as ``Session.review``: the session owns the store, the keys and the policy; this holds
the review's own rules. A supervisor's store indexes every imported record (``index``, in the
import's transaction), lists and filters them, and keeps each acknowledgement, query and
sign-off as a statement signed with the supervisor's key. ``export`` writes a practitioner's
statements into a ``.dlreview`` file sealed to them; the practitioner's ``import_file`` checks
each statement against their own records before keeping it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop.domain.canonical import sha256_hex
from desktop.identity import IdentityError, certificate_fingerprint, check_issued_certificate
from desktop.record_index import index_document
from desktop.reports.bundle_errors import BundleMalformed, BundleRejected
from desktop.reports.envelope import open_envelope, seal
from desktop.review.attention import NEEDS_SIGN_OFF, Reason, record_reasons, unnotified
from desktop.review.statement import (
    MAX_FILE_BYTES,
    NOT_A_REVIEW_FILE,
    Action,
    Reviewer,
    Signed,
    Statement,
    make_review_file,
    read_review_file,
    sign_statement,
    verify_statement,
)
from desktop.store.atomic import refuse_existing, write_atomic
from desktop.store.audit import utc_now
from desktop.store.errors import InvalidRequest, RecordNotFound
from desktop.store.review import (
    ReviewFilter,
    ReviewItem,
    ReviewRow,
    StoredAction,
    StoredOutcome,
)

if TYPE_CHECKING:
    from desktop.session import Session
    from desktop.store.store import Store

__all__ = [
    "ACTOR",
    "STATE_AFTER",
    "ImportedReviews",
    "PractitionerSummary",
    "Review",
    "ReviewFilter",
    "ReviewItem",
    "ReviewRow",
    "review_item",
    "waits",
]

ACTOR: Final = "supervisor"

#: Where each action leaves an item: its state, and whether it still waits in the queue.
STATE_AFTER: Final = {
    Action.ACKNOWLEDGE: "acknowledged",
    Action.QUERY: "queried",
    Action.SIGN_OFF: "signed_off",
}


@dataclass(frozen=True)
class PractitionerSummary:
    fingerprint: str
    name: str
    records: int
    waiting: int


@dataclass(frozen=True)
class ImportedReviews:
    reviewer: str
    added: int
    already_held: int


def waits(reasons: int, state: str) -> bool:
    """Whether an item waits in the queue: it has reasons, and no action settled them yet.

    A query waits on the practitioner, not the supervisor; an acknowledgement does not settle
    what the contract says needs a sign-off (V5 whole record, V9 advice not recorded).
    """
    if not reasons:
        return False
    if state == "open":
        return True
    return state == "acknowledged" and bool(reasons & NEEDS_SIGN_OFF)


def review_item(signer: str, document: dict[str, Any], reasons: Reason) -> ReviewItem:
    index = index_document(document)
    return ReviewItem(
        signer_sha256=signer,
        record_id=document["id"],
        version=int(document["version"]),
        record_hash=str(document["hash"]),
        case_id=index.case_id,
        subject_id=index.subject_id,
        event_at=index.event_at,
        status=index.status,
        outcome=index.outcome,
        recipient_summary=index.recipient_summary,
        reasons=int(reasons),
    )


class Review:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _store(self) -> Store:
        return self._session.store

    # -- the supervisor's index (inside the import's transaction) -------------------------
    def note_signer(self, certificate: x509.Certificate, name: str) -> None:
        self._store.review.note_signer(
            certificate_fingerprint(certificate),
            certificate.public_bytes(serialization.Encoding.DER),
            name,
            utc_now(),
        )

    def index(
        self,
        signer: str,
        record_ids: Iterable[str],
        latest: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        """(Re)index these of a signer's imported records from their latest versions.

        ``latest`` holds latest versions the caller has parsed already (an import's new ones),
        so that they are not read back from the store and parsed again."""
        withdrawals = self._withdrawals(signer)
        known = latest or {}
        for record_id in dict.fromkeys(record_ids):
            document = known.get(record_id) or self._store.imported.latest_document(
                signer, record_id
            )
            if document is None:  # a withdrawal naming a record not imported (yet)
                continue
            reasons = record_reasons(document)
            if unnotified(document, withdrawals):
                reasons |= Reason.RECIPIENTS_TO_NOTIFY
            self._store.review.put_item(
                review_item(signer, document, reasons), waits(reasons, "open")
            )

    def _withdrawals(self, signer: str) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self._store.imported.withdrawal_bodies(signer)]

    def finish_pending(self) -> int:
        """Index records imported before the review existed (schema 5); return how many."""
        pending = self._store.review.unindexed()
        if pending:
            by_signer: dict[str, list[str]] = {}
            for signer, record_id in pending:
                by_signer.setdefault(signer, []).append(record_id)
            with self._store.transaction():
                for signer, record_ids in by_signer.items():
                    self.index(signer, record_ids)
        return len(pending)

    # -- reading the review -------------------------------------------------------------
    def practitioners(self) -> list[PractitionerSummary]:
        return [PractitionerSummary(*row) for row in self._store.review.signers()]

    def rows(
        self,
        where: ReviewFilter | None = None,
        limit: int | None = None,
        after: ReviewRow | None = None,
    ) -> list[ReviewRow]:
        """Matching items, newest first; ``after`` a row already shown: the next page."""
        return list(self._store.review.rows(where or ReviewFilter(), limit, after))

    def count(self, where: ReviewFilter | None = None) -> int:
        return int(self._store.review.count(where or ReviewFilter()))

    def find(self, record_id: str, signer: str | None = None) -> ReviewRow:
        """The imported record with this id (from this practitioner, if several sent one)."""
        found = self.rows(ReviewFilter(record_id=record_id, signer_sha256=signer))
        if not found:
            raise RecordNotFound(f"no imported record {record_id}")
        if len(found) > 1:
            raise InvalidRequest(
                "records from more than one practitioner have this id: say whose"
                " (their fingerprint, from 'review practitioners')"
            )
        return found[0]

    def history(self, signer: str, record_id: str) -> list[dict[str, Any]]:
        """Every imported version of a practitioner's record, oldest first, hashes included."""
        versions = self._store.imported.version_documents(signer, record_id)
        if not versions:
            raise RecordNotFound(f"no imported record {record_id}")
        return list(versions)

    def actions(self, signer: str, record_id: str) -> list[Statement]:
        """What the supervisor did about a record, oldest first."""
        return [
            Statement.model_validate(json.loads(stored.statement), by_name=False)
            for stored in self._store.review.actions(signer, record_id)
        ]

    # -- acting on it ------------------------------------------------------------------
    def act(
        self, signer: str | None, record_id: str, action: Action, comment: str | None = None
    ) -> Statement:
        """Acknowledge, query or sign off the latest version of an imported record.

        The statement is signed with this store's key and kept with the audit entry in one
        transaction; a query needs a comment (it is the question for the practitioner).
        """
        comment = (comment or "").strip() or None
        if action is Action.QUERY and comment is None:
            raise InvalidRequest("a query needs a comment: what should the practitioner look at?")
        session = self._session
        row = self.find(record_id, signer)
        item = row.item
        identity = session.identity()
        profile = session.profile()
        statement = Statement(
            format="disclosure-log-review/1",
            action_id=str(uuid.uuid4()),
            action=action,
            practitioner_sha256=item.signer_sha256,
            record_id=item.record_id,
            version=item.version,
            record_hash=item.record_hash,
            comment=comment,
            acted_at=datetime.now(UTC).replace(microsecond=0),
            reviewer=Reviewer(
                name=profile.name,
                role=profile.role,
                certificate_sha256=certificate_fingerprint(identity.certificate),
            ),
        )
        signed = sign_statement(statement, identity.signing_key)
        state = STATE_AFTER[action]
        store = self._store
        with store.transaction():
            store.review.add_action(
                statement.action_id,
                StoredAction(
                    item.signer_sha256,
                    item.record_id,
                    item.version,
                    action.value,
                    statement.acted_at.isoformat(),
                    signed.text,
                    signed.signature,
                ),
            )
            store.review.set_state(
                item.signer_sha256, item.record_id, state, waits(item.reasons, state)
            )
            store.audit.append(
                ACTOR,
                f"review_{action.value}",
                object_type="record",
                object_id=item.record_id,
                object_hash=bytes.fromhex(item.record_hash),
                detail={"signer_sha256": item.signer_sha256, "version": item.version},
            )
        return statement

    # -- the .dlreview file ---------------------------------------------------------------
    def export(self, signer: str, out: Path) -> int:
        """Write every action on a practitioner's records into a ``.dlreview`` file sealed to
        them; return how many. Their key comes from their identity card, which must have been
        added with ``recipients add`` (the card binds that key to the certificate)."""
        session = self._session
        refuse_existing(out)
        recipient = next(
            (
                r
                for r in session.recipients()
                if r.card is not None and r.card.fingerprint_sha256 == signer
            ),
            None,
        )
        if recipient is None:
            raise InvalidRequest(
                "to send reviews back, add the practitioner's identity card first"
                " ('recipients add CARD'): it holds the key the file is encrypted to"
            )
        stored = list(self._store.review.actions(signer))
        if not stored:
            raise InvalidRequest(
                "there is nothing to send: no review of this practitioner's records"
            )
        identity = session.identity()
        signed = [
            Signed(
                Statement.model_validate(json.loads(s.statement), by_name=False),
                s.statement,
                s.signature,
            )
            for s in stored
        ]
        plaintext = make_review_file(signed, identity.certificate, signer, datetime.now(UTC))
        sealed = seal(plaintext, [recipient.encryption_key])
        with self._store.transaction():
            self._store.audit.append(
                ACTOR,
                "review_exported",
                detail={
                    "signer_sha256": signer,
                    "actions": len(stored),
                    "file_sha256": sha256_hex(sealed),
                },
            )
            write_atomic(out, sealed)
        return len(stored)

    def import_file(self, data: bytes) -> ImportedReviews:
        """Keep a supervisor's reviews of this store's records, once every one checks out.

        The file must open with this store's key, every statement must verify with the
        reviewer's certificate, the reviewer must be someone this store encrypts reports to
        (their card was added after a fingerprint check) or certified by the organisation's
        CA, and every statement must be about a version of a record held here with that very
        hash. Anything else refuses the whole file and changes nothing; the same file again
        changes nothing.
        """
        session = self._session
        file_sha256 = sha256_hex(data)
        try:
            return self._import_file(data)
        except (BundleMalformed, BundleRejected) as exc:
            session._audit("review_import_refused", reason=exc.reason, file_sha256=file_sha256)
            raise

    def _import_file(self, data: bytes) -> ImportedReviews:
        session = self._session
        if len(data) > MAX_FILE_BYTES:
            raise BundleMalformed(f"{NOT_A_REVIEW_FILE}: it is far too large")
        plaintext = open_envelope(
            data, session.identity().encryption_key, NOT_A_REVIEW_FILE, "the review file"
        )
        opened = read_review_file(plaintext)
        reviewer = self._trusted_reviewer(opened.certificate)
        store = self._store
        fresh = []
        for signed in opened.statements:
            statement = signed.statement
            held = store.review.outcome_statement(statement.action_id)
            if held is not None:
                if held != signed.text:
                    raise BundleRejected(
                        "the file holds a review that differs from the same review received"
                        " before: ask the supervisor"
                    )
                continue
            try:
                document = session.record(statement.record_id, statement.version)
            except RecordNotFound:
                raise BundleRejected(
                    "the file reviews a record this store does not hold: it is not for you"
                ) from None
            if document["hash"] != statement.record_hash:
                raise BundleRejected(
                    "the file reviews a version of a record that differs from yours"
                )
            fresh.append(signed)
        certificate = opened.certificate.public_bytes(serialization.Encoding.DER)
        now = utc_now()
        if fresh:
            with store.transaction():
                for signed in fresh:
                    statement = signed.statement
                    store.review.add_outcome(
                        StoredOutcome(
                            statement.action_id,
                            statement.record_id,
                            statement.version,
                            statement.action.value,
                            statement.acted_at.isoformat(),
                            signed.text,
                            signed.signature,
                            certificate,
                        ),
                        now,
                    )
                store.audit.append(
                    "practitioner",
                    "review_imported",
                    detail={
                        "reviewer_sha256": certificate_fingerprint(opened.certificate),
                        "added": len(fresh),
                    },
                )
        return ImportedReviews(reviewer, len(fresh), len(opened.statements) - len(fresh))

    def _trusted_reviewer(self, certificate: x509.Certificate) -> str:
        """The reviewer's name, if this store knows them; ``BundleRejected`` if not."""
        fingerprint = certificate_fingerprint(certificate)
        for recipient in self._session.recipients():
            if recipient.card is not None and recipient.card.fingerprint_sha256 == fingerprint:
                return recipient.name
        try:
            check_issued_certificate(
                certificate.public_bytes(serialization.Encoding.DER),
                self._session.policy.trusted_ca_certificates,
            )
        except IdentityError:
            raise BundleRejected(
                "the reviews are signed by someone this store does not know: add your"
                " supervisor's identity card with 'recipients add' after checking its"
                " fingerprint with them"
            ) from None
        return certificate.subject.rfc4514_string()

    def outcomes(self, record_id: str) -> list[Statement]:
        """The supervisor's reviews of one of this store's records, oldest first, each
        verified again against the certificate it was received with."""
        return [
            verify_statement(
                stored.statement,
                stored.signature,
                x509.load_der_x509_certificate(stored.certificate),
            )
            for stored in self._store.review.outcomes(record_id)
        ]
