"""The checklist engine's output document (contract §3)."""

from __future__ import annotations

from pydantic import field_validator, model_validator

from desktop.domain.base import BoundedList, DomainModel, NonEmptyStr, domain_error, field_errors
from desktop.domain.checklist_input import QUESTION_IDS
from desktop.domain.enums import (
    InformDecision,
    InformTiming,
    Outcome,
    ReasonCode,
    Subtype,
)


class Issue(DomainModel):
    """A block or flag: a validation id (``V1``) and its §6 message."""

    id: NonEmptyStr
    message: NonEmptyStr


class InformSubject(DomainModel):
    decision: InformDecision
    timing: InformTiming | None = None


class Accounting(DomainModel):
    hipaa_accountable: bool
    part2_accountable: bool
    ferpa_record_required: bool
    privacy_act_accountable: bool


class ChecklistOutput(DomainModel):
    outcome: Outcome
    subtype: Subtype | None = None
    decided_at: NonEmptyStr
    reason_codes: BoundedList[ReasonCode]
    basis_codes: BoundedList[NonEmptyStr]
    blocks: BoundedList[Issue]
    flags: BoundedList[Issue]
    inform_subject: InformSubject
    requires_supervisor_signoff: bool
    accounting: Accounting

    @field_validator("decided_at")
    @classmethod
    def _decided_at_is_a_question(cls, decided_at: str) -> str:
        if decided_at not in QUESTION_IDS:
            raise domain_error("must be a question id such as Q11_override_basis")
        return decided_at

    @model_validator(mode="after")
    def _outcome_shape(self) -> ChecklistOutput:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        without_consent = self.outcome is Outcome.SHARE_WITHOUT_CONSENT
        if without_consent and self.subtype is None:
            problems.append((("subtype",), "required when the outcome is SHARE_WITHOUT_CONSENT"))
        if not without_consent and self.subtype is not None:
            problems.append(
                (("subtype",), "allowed only when the outcome is SHARE_WITHOUT_CONSENT")
            )
        expected_reasons = 1 if self.outcome is Outcome.DO_NOT_SHARE else 0
        if len(self.reason_codes) != expected_reasons:
            problems.append(
                (("reason_codes",), "one reason code for DO_NOT_SHARE, none for other outcomes")
            )
        field_errors("ChecklistOutput", problems)
        return self
