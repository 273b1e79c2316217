"""The checklist's input document, exactly as contract §2 defines it.

Only the structure is checked here: unknown fields, types, enum values, fields required at all
times, regimes for the jurisdiction and attest keys for their claim code. Conditional
requirements ("req if immediate_risk") and everything that depends on which questions the
procedure reaches belong to the checklist engine.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import Field, ValidationInfo, field_validator, model_validator

from desktop.domain.base import (
    MAX_ITEMS,
    BoundedList,
    DomainModel,
    IsoDate,
    NonEmptyStr,
    Timestamp,
    field_errors,
)
from desktop.domain.enums import (
    AdviceRole,
    AdviceTiming,
    CapacityOutcome,
    CapacityTest,
    ConsentForm,
    ConsentResult,
    DecisionMakerRole,
    FactOrOpinion,
    FerpaNoticeException,
    InformStatus,
    InfoType,
    InstrumentType,
    Judgement,
    Jurisdiction,
    Method,
    NotInformedReason,
    NotSoughtReason,
    ObjectionBy,
    Origin,
    Para18Reason,
    PurposeCode,
    RecipientKind,
    RedisclosureNotice,
    Regime,
    StatementType,
    WhoAtRisk,
)
from desktop.domain.regimes import regime_problems

ATTEST_KEY_CODES: Final[dict[str, str]] = {
    "subject_incapable_of_consent": "UK-GDPR-9-2-C",
    "para18_reason": "UK-DPA-S1-P18",
    "serious_and_imminent": "US-HIPAA-512J1I",
    "recipient_able_to_prevent_or_lessen": "US-HIPAA-512J1I",
    "threat_description": "US-FERPA-99.36",
}
"""Each ``attest`` key and the only claim code that may carry it (contract §2.2)."""


class Attest(DomainModel):
    subject_incapable_of_consent: bool | None = None
    para18_reason: Para18Reason | None = None
    serious_and_imminent: bool | None = None
    recipient_able_to_prevent_or_lessen: bool | None = None
    threat_description: str | None = None


class Claim(DomainModel):
    """A basis code the practitioner claims, with their judgement that its conditions hold."""

    # Required, but only in a question the procedure reaches (§8.5): the engine checks them there.
    code: NonEmptyStr | None = None
    conditions_met: Judgement | None = None
    justification: str | None = None
    attest: Attest = Attest()

    @model_validator(mode="after")
    def _attest_keys_match_code(self) -> Claim:
        field_errors(
            "Claim",
            (
                (("attest", key), f"only a claim of {code} may attest this")
                for key, code in ATTEST_KEY_CODES.items()
                if getattr(self.attest, key) is not None and self.code != code
            ),
        )
        return self


Claims = BoundedList[Claim]


class Q1Jurisdiction(DomainModel):
    us_state: str | None = None


class Q2Purpose(DomainModel):
    purpose_code: PurposeCode
    purpose_statement: NonEmptyStr
    legitimate: Judgement
    origin: Origin


class Q3Emergency(DomainModel):
    immediate_risk: bool
    nature_of_emergency: str | None = None
    why_no_time: str | None = None
    claims: Claims = Field(default_factory=list)


class Recipient(DomainModel):
    name: str | None = None
    role_title: NonEmptyStr
    organisation: NonEmptyStr
    address: str | None = None
    kind: RecipientKind = RecipientKind.OTHER
    identified: bool
    identity_verified_how: str | None = None
    has_role_in_purpose: Judgement


class Q4Recipient(DomainModel):
    recipients: Annotated[list[Recipient], Field(min_length=1, max_length=MAX_ITEMS)]


# Q5 and Q7-Q11 are checked only when the procedure reaches them (contract §8.5), so their
# `req` fields are optional here; the checklist engine requires them when it gets there.


class Q5Identifiable(DomainModel):
    anonymised_sufficient: bool | None = None
    anonymisation_method: str | None = None
    reidentification_assessment: str | None = None


class Q6InformationType(DomainModel):
    info_types: BoundedList[InfoType]


class Q7Compelled(DomainModel):
    instrument_type: InstrumentType | None = None
    instrument_ref: str | None = None
    instrument_scope: str | None = None
    instrument_valid: Judgement | None = None
    part2_court_order: bool = False
    ferpa_parent_is_party: bool = False
    claims: Claims = Field(default_factory=list)


class Q8ProtectionConcern(DomainModel):
    protection_concern: bool | None = None


class Q9WhoConsents(DomainModel):
    subject_age: int | None = None
    capacity_test: CapacityTest | None = None
    capacity_outcome: CapacityOutcome | None = None
    decision_maker_role: DecisionMakerRole | None = None


class Q10SeekConsent(DomainModel):
    consent_sought: bool | None = None
    not_sought_reason: NotSoughtReason | None = None
    consent_result: ConsentResult | None = None
    consent_forms: BoundedList[ConsentForm] | None = None
    consent_given_at: Timestamp | None = None
    withdrawn_at: Timestamp | None = None
    withdrawal_covers_scope: bool = True
    views: str | None = None
    claims: Claims = Field(default_factory=list)


class OverrideScreen(DomainModel):
    who_at_risk: BoundedList[WhoAtRisk] | None = None
    coercion_suspected: bool | None = None
    serious_crime: bool | None = None
    staff_implicated: bool | None = None
    vital_interest_emergency: bool | None = None


class Q11OverrideBasis(DomainModel):
    claims: Claims = Field(default_factory=list)
    override_screen: OverrideScreen | None = None
    risk_description: str | None = None
    necessity_and_proportionality: str | None = None


class Item(DomainModel):
    description: str | None = None
    fact_or_opinion: FactOrOpinion | None = None
    justification: str | None = None
    within_instrument_scope: bool | None = None


class Q12MinimumNecessary(DomainModel):
    items: BoundedList[Item] = Field(default_factory=list)
    whole_record_disclosed: bool = False


class Objection(DomainModel):
    by_role: ObjectionBy
    overruled: bool
    explanation: str | None = None


class Q13Objections(DomainModel):
    objections: BoundedList[Objection] = Field(default_factory=list)


class OtherInformed(DomainModel):
    who: NonEmptyStr
    status: InformStatus
    not_informed_reason: NotInformedReason | None = None
    narrative: str | None = None


class Q14Inform(DomainModel):
    status: InformStatus
    not_informed_reason: NotInformedReason | None = None
    narrative: str | None = None
    review_date: IsoDate | None = None
    others: BoundedList[OtherInformed] = Field(default_factory=list)
    ferpa_advance_notice_attempted: bool = False
    ferpa_notice_exception: FerpaNoticeException | None = None
    pa_b8_notice_sent: bool = False


class Consultation(DomainModel):
    role: AdviceRole
    timing: AdviceTiming
    outcome: str | None = None


class Q15Advice(DomainModel):
    consultations: BoundedList[Consultation] = Field(default_factory=list)


class Q16Method(DomainModel):
    methods: BoundedList[Method] = Field(default_factory=list)
    security_measures: str | None = None
    verbal_summary: str | None = None
    redisclosure_notices: BoundedList[RedisclosureNotice] = Field(default_factory=list)
    consent_copy_or_scope_attached: bool = False


class AccountingSuspension(DomainModel):
    statement_type: StatementType
    received_at: Timestamp
    written_statement_received: bool = False


class Q17Record(DomainModel):
    disclosure_at: Timestamp | None = None
    record_created_at: Timestamp | None = None
    as_of: Timestamp | None = None
    series_id: str | None = None
    accounting_suspension: AccountingSuspension | None = None

    @model_validator(mode="before")
    @classmethod
    def _as_of_defaults_to_record_created_at(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("as_of") is None:
            created = data.get("record_created_at")
            if created is not None:
                return {**data, "as_of": created}
        return data


class Answers(DomainModel):
    """Answers keyed by the contract's question ids; Q2, Q3, Q4 and Q6 are always required."""

    q1_jurisdiction: Q1Jurisdiction | None = Field(default=None, alias="Q1_jurisdiction")
    q2_purpose: Q2Purpose = Field(alias="Q2_purpose")
    q3_emergency: Q3Emergency = Field(alias="Q3_emergency")
    q4_recipient: Q4Recipient = Field(alias="Q4_recipient")
    q5_identifiable: Q5Identifiable | None = Field(default=None, alias="Q5_identifiable")
    q6_information_type: Q6InformationType = Field(alias="Q6_information_type")
    q7_compelled: Q7Compelled | None = Field(default=None, alias="Q7_compelled")
    q8_protection_concern: Q8ProtectionConcern | None = Field(
        default=None, alias="Q8_protection_concern"
    )
    q9_who_consents: Q9WhoConsents | None = Field(default=None, alias="Q9_who_consents")
    q10_seek_consent: Q10SeekConsent | None = Field(default=None, alias="Q10_seek_consent")
    q11_override_basis: Q11OverrideBasis | None = Field(default=None, alias="Q11_override_basis")
    q12_minimum_necessary: Q12MinimumNecessary | None = Field(
        default=None, alias="Q12_minimum_necessary"
    )
    q13_objections: Q13Objections | None = Field(default=None, alias="Q13_objections")
    q14_inform: Q14Inform | None = Field(default=None, alias="Q14_inform")
    q15_advice: Q15Advice | None = Field(default=None, alias="Q15_advice")
    q16_method: Q16Method | None = Field(default=None, alias="Q16_method")
    q17_record: Q17Record | None = Field(default=None, alias="Q17_record")


QUESTION_IDS: Final[tuple[str, ...]] = tuple(
    str(field.alias) for field in Answers.model_fields.values()
)
"""The contract's question ids, Q1 to Q17 in order."""


class ChecklistInput(DomainModel):
    """Contract §2: the document the checklist engine evaluates."""

    jurisdiction: Jurisdiction
    regimes: Annotated[list[Regime], Field(min_length=1, max_length=MAX_ITEMS)]
    answers: Answers

    @field_validator("regimes")
    @classmethod
    def _regimes_fit_jurisdiction(cls, regimes: list[Regime], info: ValidationInfo) -> list[Regime]:
        jurisdiction = info.data.get("jurisdiction")
        if isinstance(jurisdiction, Jurisdiction):
            field_errors(
                "ChecklistInput",
                (
                    (() if index is None else (index,), message)
                    for index, message in regime_problems(jurisdiction, regimes)
                ),
            )
        return regimes
