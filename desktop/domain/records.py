"""The disclosure record (DESIGN §2): a header, the contract's input and output, and notes.

``RecordBody`` is what a practitioner writes (and what ``add FILE.json`` accepts);
``RecordVersionHeader`` is what the store assigns to each saved version. Beside records sit
consent withdrawals, supervisor sign-offs and accounting requests.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field, field_validator, model_validator

from desktop.domain.base import (
    BoundedList,
    DomainModel,
    IsoDate,
    NonEmptyStr,
    Sha256Hex,
    ShortId,
    Timestamp,
    Uuid4Str,
    domain_error,
    field_errors,
)
from desktop.domain.checklist_input import ChecklistInput
from desktop.domain.checklist_output import ChecklistOutput
from desktop.domain.enums import (
    Origin,
    Outcome,
    RecordStatus,
    Regime,
    SubjectRole,
    WithdrawalEffect,
    WithdrawalHow,
)

SEEK_ADVICE_NOT_FINAL: Final = (
    "a record that needs advice cannot be final; save it as PENDING_ADVICE or DRAFT"
)
BLOCKED_NOT_FINAL: Final = (
    "a record with blocking validations cannot be final; save as DRAFT, or as "
    "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS if the disclosure already happened"
)


class CaseRef(DomainModel):
    case_id: ShortId
    """The organisation's case number."""
    reference: str | None = None


class Subject(DomainModel):
    """The person the information is about; accounting is per subject."""

    subject_id: ShortId
    name: str | None = None
    date_of_birth: IsoDate | None = None
    role: SubjectRole


class OtherIndividual(DomainModel):
    """Someone else named in the disclosure who could be harmed if identified (brief field 5)."""

    description: NonEmptyStr
    identity_protection_needed: bool = False
    reason: str | None = None


class RulePackRef(DomainModel):
    id: NonEmptyStr
    version: NonEmptyStr


class Request(DomainModel):
    """Who asked for the information, and how (brief field 9)."""

    requester_name: str | None = None
    requester_role: str | None = None
    requester_organisation: NonEmptyStr
    contact: str | None = None
    received_at: Timestamp
    channel: str | None = None
    identity_verified_how: str | None = None
    request_document_ref: str | None = None
    stated_purpose: str | None = None


class Communication(DomainModel):
    what_said: NonEmptyStr
    at: Timestamp
    by: NonEmptyStr


class NotSharing(DomainModel):
    """The reasoning behind a decision not to share (brief §3a.3)."""

    reasoning_narrative: NonEmptyStr
    review_trigger: str | None = None
    review_date: IsoDate | None = None
    request_summary: str | None = None
    communicated_to_requester: Communication | None = None
    alternative_action: str | None = None


class ConsentScope(DomainModel):
    recipients: str | None = None
    items: str | None = None
    purpose: str | None = None


class ConsentDetails(DomainModel):
    """Consent evidence beyond checklist Q10 (brief field 26)."""

    given_by_name: str | None = None
    relationship: str | None = None
    scope: ConsentScope | None = None
    evidence_ref: str | None = None
    expires_at: Timestamp | None = None


class CapacityDetails(DomainModel):
    """Who assessed capacity or competence, and when (brief field 27)."""

    assessor: str | None = None
    assessed_at: Timestamp | None = None
    notes: str | None = None


class EmergencyReview(DomainModel):
    """The retrospective review an emergency disclosure needs (brief field 39)."""

    retrospective_review_by: str | None = None
    review_at: Timestamp | None = None


class RecordBody(DomainModel):
    """One version of a disclosure record as the practitioner writes it."""

    status: RecordStatus = RecordStatus.FINAL
    case: CaseRef
    subject: Subject
    other_individuals: BoundedList[OtherIndividual] = Field(default_factory=list)
    checklist: ChecklistInput
    decision: ChecklistOutput | None = None
    rule_pack: RulePackRef | None = None
    decision_at: Timestamp
    request: Request | None = None
    not_sharing: NotSharing | None = None
    consent_details: ConsentDetails | None = None
    capacity_details: CapacityDetails | None = None
    emergency_review: EmergencyReview | None = None
    minimum_necessary_attestation: bool = False
    minimum_necessary_not_applicable_reason: str | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _record_rules(self) -> RecordBody:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if self.outcome is Outcome.DO_NOT_SHARE and self.not_sharing is None:
            problems.append(
                (("not_sharing",), "required when the decision is DO_NOT_SHARE: give the reasons")
            )
        if self.checklist.answers.q2_purpose.origin is Origin.REQUEST and self.request is None:
            problems.append(
                (("request",), "required when checklist Q2_purpose.origin is REQUEST: who asked")
            )
        # Without a decision the record is not decided yet: the checklist engine fills it in
        # before saving, and these rules then hold against what the engine decided.
        if self.status is RecordStatus.FINAL and self.decision is not None:
            if self.decision.outcome is Outcome.SEEK_ADVICE:
                problems.append((("status",), SEEK_ADVICE_NOT_FINAL))
            elif self.decision.blocks:
                problems.append((("status",), BLOCKED_NOT_FINAL))
        field_errors("RecordBody", problems)
        return self

    @property
    def outcome(self) -> Outcome | None:
        return self.decision.outcome if self.decision else None


class Practitioner(DomainModel):
    """Who decided and disclosed (brief field 40)."""

    name: NonEmptyStr
    role: NonEmptyStr
    organisation: NonEmptyStr
    registration_number: str | None = None


class RecordVersionHeader(DomainModel):
    """What the store assigns to each saved version of a record (brief field 1)."""

    id: Uuid4Str
    version: Annotated[int, Field(ge=1)]
    hash: Sha256Hex
    prev_hash: Sha256Hex
    created_at: Timestamp
    created_by: Practitioner
    amend_reason: str | None = None
    retention_until: IsoDate | None = None  # from the policy's retention years (brief field 44)


STORE_ASSIGNED_FIELDS: Final[frozenset[str]] = frozenset(RecordVersionHeader.model_fields)
"""Header fields a record document may carry but ``add`` ignores (the store assigns them)."""

ENGINE_ASSIGNED_FIELDS: Final[frozenset[str]] = frozenset({"decision", "rule_pack"})
"""What the checklist engine writes on saving: a decision is never taken from the input."""


class RecipientNotification(DomainModel):
    """A recipient told that consent was withdrawn, and when."""

    organisation: NonEmptyStr
    role_title: str | None = None
    name: str | None = None
    notified_at: Timestamp


class ConsentWithdrawal(DomainModel):
    """A subject's withdrawal of consent (brief field 41); recipients are notified later."""

    case_id: ShortId
    subject_id: ShortId
    withdrawn_at: Timestamp
    by_whom: NonEmptyStr
    scope: NonEmptyStr
    how: WithdrawalHow
    effect: WithdrawalEffect = WithdrawalEffect.STOP_FUTURE
    record_ids: BoundedList[Uuid4Str] = Field(default_factory=list)
    recipients_notified: BoundedList[RecipientNotification] = Field(default_factory=list)
    notes: str = ""


class SupervisorSignOff(DomainModel):
    """A supervisor's sign-off over one record version's hash (brief field 43)."""

    signer_name: NonEmptyStr
    signer_role: NonEmptyStr
    signed_at: Timestamp
    comment: str | None = None
    record_hash: Sha256Hex


class AccountingExtension(DomainModel):
    written_reason: str | None = None
    new_date: IsoDate | None = None
    sent_at: Timestamp | None = None


ACCOUNTING_REGIMES = frozenset({Regime.HIPAA, Regime.PART2, Regime.FERPA, Regime.PRIVACY_ACT})


class AccountingRequest(DomainModel):
    """A person's request for an accounting of disclosures (brief §3a.4)."""

    requested_at: Timestamp
    regime: Regime
    subject_id: ShortId
    period_from: IsoDate | None = None
    due_at: IsoDate | None = None
    extension: AccountingExtension | None = None
    fee_status: str | None = None
    suspended_entries: BoundedList[Uuid4Str] = Field(default_factory=list)
    provided_at: Timestamp | None = None
    copy_ref: str | None = None
    handled_by_title: str | None = None

    @field_validator("regime")
    @classmethod
    def _regime_has_accounting(cls, regime: Regime) -> Regime:
        if regime not in ACCOUNTING_REGIMES:
            raise domain_error("must be HIPAA, PART2, FERPA or PRIVACY_ACT")
        return regime
