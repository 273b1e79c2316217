"""The checklist contract's enums (contract §2, §3) and the product's own.

Values equal the contract strings exactly; validation accepts only those exact strings (no case
folding, no numbers). Jurisdictions keep their external form (``UK-ENG``), so their member names
differ from their values.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema


class ContractEnum(StrEnum):
    """A StrEnum that validates from its exact string value even inside strict models.

    Documents are parsed from JSON, where an enum can only be a string; pydantic's strict mode
    would demand an enum instance. Lax enum validation matches values exactly (``"yes"`` and
    ``1`` still fail), so only the enum schema is relaxed.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        return {**schema, "strict": False} if schema["type"] == "enum" else schema


class Jurisdiction(ContractEnum):
    UK_ENG = "UK-ENG"
    UK_WAL = "UK-WAL"
    UK_SCO = "UK-SCO"
    UK_NI = "UK-NI"
    US = "US"

    @property
    def is_uk(self) -> bool:
        return self is not Jurisdiction.US


class Regime(ContractEnum):
    UK_GDPR = "UK_GDPR"
    CL_CONFIDENCE = "CL_CONFIDENCE"
    HIPAA = "HIPAA"
    PART2 = "PART2"
    FERPA = "FERPA"
    PRIVACY_ACT = "PRIVACY_ACT"
    STATE_ONLY = "STATE_ONLY"


UK_REGIMES: frozenset[Regime] = frozenset({Regime.UK_GDPR, Regime.CL_CONFIDENCE})
US_REGIMES: frozenset[Regime] = frozenset(
    {Regime.HIPAA, Regime.PART2, Regime.FERPA, Regime.PRIVACY_ACT, Regime.STATE_ONLY}
)


def allowed_regimes(jurisdiction: Jurisdiction) -> frozenset[Regime]:
    """The regimes a jurisdiction may declare (contract §2.1)."""
    return UK_REGIMES if jurisdiction.is_uk else US_REGIMES


class PurposeCode(ContractEnum):
    SAFEGUARDING_CHILD = "SAFEGUARDING_CHILD"
    SAFEGUARDING_ADULT = "SAFEGUARDING_ADULT"
    CRIME_PREVENTION_DETECTION = "CRIME_PREVENTION_DETECTION"
    LEGAL_PROCEEDINGS = "LEGAL_PROCEEDINGS"
    PUBLIC_HEALTH = "PUBLIC_HEALTH"
    EMERGENCY_LIFE = "EMERGENCY_LIFE"
    DIRECT_CARE = "DIRECT_CARE"
    RESEARCH = "RESEARCH"
    FAMILY_INVOLVEMENT = "FAMILY_INVOLVEMENT"
    OTHER = "OTHER"


class Judgement(ContractEnum):
    """A professional judgement; the engine never infers one (contract §1)."""

    YES = "YES"
    NO = "NO"
    UNSURE = "UNSURE"


class Origin(ContractEnum):
    PROACTIVE = "PROACTIVE"
    REQUEST = "REQUEST"


class RecipientKind(ContractEnum):
    SUBJECT = "SUBJECT"
    PARENT = "PARENT"
    SCHOOL_OFFICIAL = "SCHOOL_OFFICIAL"
    OTHER = "OTHER"


class InfoType(ContractEnum):
    CONFIDENTIAL = "CONFIDENTIAL"
    SPECIAL_CATEGORY_HEALTH = "SPECIAL_CATEGORY_HEALTH"
    SPECIAL_CATEGORY_SEX_LIFE = "SPECIAL_CATEGORY_SEX_LIFE"
    SPECIAL_CATEGORY_OTHER = "SPECIAL_CATEGORY_OTHER"
    CRIMINAL_OFFENCE = "CRIMINAL_OFFENCE"
    PART2_SUD_RECORD = "PART2_SUD_RECORD"
    EDUCATION_RECORD = "EDUCATION_RECORD"
    PSYCHOTHERAPY_NOTES = "PSYCHOTHERAPY_NOTES"
    THIRD_PARTY_INFO = "THIRD_PARTY_INFO"


class InstrumentType(ContractEnum):
    NONE = "NONE"
    STATUTE_DUTY = "STATUTE_DUTY"
    MANDATED_REPORT = "MANDATED_REPORT"
    COURT_ORDER = "COURT_ORDER"
    COURT_ORDERED_WARRANT = "COURT_ORDERED_WARRANT"
    JUDICIAL_SUBPOENA = "JUDICIAL_SUBPOENA"
    GRAND_JURY_SUBPOENA = "GRAND_JURY_SUBPOENA"
    ATTORNEY_SUBPOENA = "ATTORNEY_SUBPOENA"
    ADMINISTRATIVE_REQUEST = "ADMINISTRATIVE_REQUEST"
    POLICE_REQUEST_NO_ORDER = "POLICE_REQUEST_NO_ORDER"


class CapacityTest(ContractEnum):
    MCA_S3 = "MCA_S3"
    GILLICK = "GILLICK"
    SCOTLAND_12PLUS_PRESUMPTION = "SCOTLAND_12PLUS_PRESUMPTION"
    NOT_NEEDED = "NOT_NEEDED"


class CapacityOutcome(ContractEnum):
    HAS_CAPACITY = "HAS_CAPACITY"
    LACKS_CAPACITY = "LACKS_CAPACITY"
    FLUCTUATING = "FLUCTUATING"
    NOT_ASSESSED = "NOT_ASSESSED"


class DecisionMakerRole(ContractEnum):
    SUBJECT = "SUBJECT"
    PARENTAL_RESPONSIBILITY_HOLDER = "PARENTAL_RESPONSIBILITY_HOLDER"
    LPA_ATTORNEY = "LPA_ATTORNEY"
    DEPUTY = "DEPUTY"
    HIPAA_PERSONAL_REPRESENTATIVE = "HIPAA_PERSONAL_REPRESENTATIVE"
    FERPA_PARENT = "FERPA_PARENT"
    FERPA_ELIGIBLE_STUDENT = "FERPA_ELIGIBLE_STUDENT"
    PART2_MINOR_PATIENT = "PART2_MINOR_PATIENT"
    NO_ONE = "NO_ONE"


class NotSoughtReason(ContractEnum):
    INCREASE_RISK = "INCREASE_RISK"
    PREJUDICE_INVESTIGATION = "PREJUDICE_INVESTIGATION"
    DELAY_EMERGENCY = "DELAY_EMERGENCY"
    NOT_GENUINE_CHOICE = "NOT_GENUINE_CHOICE"
    CANNOT_CONTACT = "CANNOT_CONTACT"
    LACKS_CAPACITY = "LACKS_CAPACITY"
    LEGAL_COMPULSION = "LEGAL_COMPULSION"


class ConsentResult(ContractEnum):
    GIVEN = "GIVEN"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"


class ConsentForm(ContractEnum):
    EXPLICIT_WRITTEN = "EXPLICIT_WRITTEN"
    EXPLICIT_VERBAL = "EXPLICIT_VERBAL"
    IMPLIED_DIRECT_CARE = "IMPLIED_DIRECT_CARE"
    HIPAA_AUTHORIZATION = "HIPAA_AUTHORIZATION"
    HIPAA_AGREEMENT_NO_OBJECTION = "HIPAA_AGREEMENT_NO_OBJECTION"
    PART2_CONSENT = "PART2_CONSENT"
    FERPA_WRITTEN = "FERPA_WRITTEN"


class WhoAtRisk(ContractEnum):
    SUBJECT = "SUBJECT"
    CHILDREN = "CHILDREN"
    OTHER_ADULTS = "OTHER_ADULTS"
    PUBLIC = "PUBLIC"


class FactOrOpinion(ContractEnum):
    FACT = "FACT"
    OPINION = "OPINION"


class ObjectionBy(ContractEnum):
    SUBJECT = "SUBJECT"
    PARENT_CARER = "PARENT_CARER"
    OTHER = "OTHER"


class InformStatus(ContractEnum):
    BEFORE = "BEFORE"
    AFTER = "AFTER"
    WILL_INFORM_BY = "WILL_INFORM_BY"
    NOT_INFORMED = "NOT_INFORMED"


class NotInformedReason(ContractEnum):
    INCREASE_RISK = "INCREASE_RISK"
    PREJUDICE_INVESTIGATION = "PREJUDICE_INVESTIGATION"
    PR_IS_SUSPECTED_ABUSER = "PR_IS_SUSPECTED_ABUSER"
    LAW_ENFORCEMENT_SUSPENSION = "LAW_ENFORCEMENT_SUSPENSION"
    NOT_CONTACTABLE = "NOT_CONTACTABLE"
    COURT_DIRECTED = "COURT_DIRECTED"
    SUBJECT_CANNOT_UNDERSTAND = "SUBJECT_CANNOT_UNDERSTAND"
    NO_DUTY_TO_INFORM = "NO_DUTY_TO_INFORM"
    OTHER = "OTHER"


class FerpaNoticeException(ContractEnum):
    NONDISCLOSURE_SUBPOENA = "NONDISCLOSURE_SUBPOENA"
    EX_PARTE_ORDER = "EX_PARTE_ORDER"


class AdviceRole(ContractEnum):
    SUPERVISOR = "SUPERVISOR"
    DSL = "DSL"
    CALDICOTT_GUARDIAN = "CALDICOTT_GUARDIAN"
    DPO = "DPO"
    LEGAL = "LEGAL"
    PRIVACY_OFFICER = "PRIVACY_OFFICER"
    OTHER = "OTHER"


class AdviceTiming(ContractEnum):
    BEFORE = "BEFORE"
    AFTER = "AFTER"


class Method(ContractEnum):
    SECURE_EMAIL = "SECURE_EMAIL"
    PHONE = "PHONE"
    IN_PERSON = "IN_PERSON"
    STRATEGY_MEETING = "STRATEGY_MEETING"
    MARAC = "MARAC"
    PORTAL = "PORTAL"
    POST = "POST"


class RedisclosureNotice(ContractEnum):
    PART2_STATEMENT_1 = "PART2_STATEMENT_1"
    PART2_STATEMENT_2 = "PART2_STATEMENT_2"
    FERPA_99_33 = "FERPA_99_33"
    LOCAL_CONFIDENTIALITY_NOTICE = "LOCAL_CONFIDENTIALITY_NOTICE"


class StatementType(ContractEnum):
    WRITTEN = "WRITTEN"
    ORAL = "ORAL"


class Para18Reason(ContractEnum):
    CONSENT_CANNOT_BE_GIVEN = "CONSENT_CANNOT_BE_GIVEN"
    CANNOT_REASONABLY_OBTAIN = "CANNOT_REASONABLY_OBTAIN"
    WOULD_PREJUDICE_PROTECTION = "WOULD_PREJUDICE_PROTECTION"


class Outcome(ContractEnum):
    SHARE_WITH_CONSENT = "SHARE_WITH_CONSENT"
    SHARE_WITHOUT_CONSENT = "SHARE_WITHOUT_CONSENT"
    SHARE_ANONYMISED = "SHARE_ANONYMISED"
    DO_NOT_SHARE = "DO_NOT_SHARE"
    SEEK_ADVICE = "SEEK_ADVICE"


class Subtype(ContractEnum):
    REQUIRED_BY_LAW = "REQUIRED_BY_LAW"
    COURT_ORDER = "COURT_ORDER"
    EMERGENCY = "EMERGENCY"
    SAFEGUARDING_OVERRIDE = "SAFEGUARDING_OVERRIDE"
    PUBLIC_INTEREST = "PUBLIC_INTEREST"
    PERMITTED_DISCLOSURE = "PERMITTED_DISCLOSURE"


class ReasonCode(ContractEnum):
    NO_LEGITIMATE_PURPOSE = "NO_LEGITIMATE_PURPOSE"
    RECIPIENT_NO_ROLE = "RECIPIENT_NO_ROLE"
    INSUFFICIENT_REQUEST = "INSUFFICIENT_REQUEST"
    CONSENT_REFUSED_NO_OVERRIDE = "CONSENT_REFUSED_NO_OVERRIDE"
    NO_LAWFUL_BASIS = "NO_LAWFUL_BASIS"
    LEGAL_PROHIBITION = "LEGAL_PROHIBITION"


class InformDecision(ContractEnum):
    YES = "YES"
    NO = "NO"
    NOT_REQUIRED = "NOT_REQUIRED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    CONDITIONAL = "CONDITIONAL"


class InformTiming(ContractEnum):
    BEFORE = "BEFORE"
    AFTER = "AFTER"
    PROMPTLY = "PROMPTLY"


# Product enums (not in the contract).


class RecordStatus(ContractEnum):
    DRAFT = "DRAFT"
    FINAL = "FINAL"
    PENDING_ADVICE = "PENDING_ADVICE"
    DISCLOSURE_WITHOUT_ESTABLISHED_BASIS = "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"


class SubjectRole(ContractEnum):
    CHILD = "CHILD"
    ADULT_AT_RISK = "ADULT_AT_RISK"
    ADULT = "ADULT"
    PARENT_CARER = "PARENT_CARER"
    ALLEGED_PERPETRATOR = "ALLEGED_PERPETRATOR"
    THIRD_PARTY = "THIRD_PARTY"
    OTHER = "OTHER"


class WithdrawalHow(ContractEnum):
    WRITTEN = "WRITTEN"
    ORAL = "ORAL"


class WithdrawalEffect(ContractEnum):
    STOP_FUTURE = "STOP_FUTURE"
    REASSESS_BASIS = "REASSESS_BASIS"
