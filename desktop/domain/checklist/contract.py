"""What the checklist contract fixes, so that a rule pack can be checked against it.

A rule pack carries every text, code list and threshold the engine uses, but it may not change
the contract: the question ids, the validation ids and their severities (§6), the legal-basis
codes of each side (§5), and the rules of the decision procedure (§4) whose plain-language
explanation the pack must give. These are listed here once; the packs are checked against them
when they load.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from desktop.domain.checklist_input import QUESTION_IDS

VALIDATION_IDS: Final[tuple[str, ...]] = tuple(f"V{n}" for n in range(1, 21))
"""V1 to V20 in order (§6): blocks and flags are reported in this order."""

FLAG_IDS: Final[frozenset[str]] = frozenset({"V4", "V5", "V9", "V16", "V17", "V20"})
"""The validations §6 marks F; every other one is a block."""


class Rule(StrEnum):
    """Each rule of §4.1 and §4.3 that can fire; the pack explains each one in plain words.

    The value is ``question id.rule``: the trace names the question a rule belongs to, and the
    pack lists each question's rules under that question.
    """

    Q1_PACK = "Q1_jurisdiction.PACK"
    Q2_NOT_LEGITIMATE = "Q2_purpose.NOT_LEGITIMATE"
    Q2_UNSURE = "Q2_purpose.UNSURE"
    Q2_LEGITIMATE = "Q2_purpose.LEGITIMATE"
    Q3_EMERGENCY = "Q3_emergency.EMERGENCY"
    Q3_ROLE_NOT_CONFIRMED = "Q3_emergency.ROLE_NOT_CONFIRMED"
    Q3_NO_EMERGENCY = "Q3_emergency.NO_EMERGENCY"
    Q4_NO_ROLE = "Q4_recipient.NO_ROLE"
    Q4_NOT_CONFIRMED = "Q4_recipient.NOT_CONFIRMED"
    Q4_CONFIRMED = "Q4_recipient.CONFIRMED"
    Q5_ANONYMISED = "Q5_identifiable.ANONYMISED"
    Q5_IDENTIFIABLE = "Q5_identifiable.IDENTIFIABLE"
    Q6_LAYERS = "Q6_information_type.LAYERS"
    Q7_NONE = "Q7_compelled.NONE"
    Q7_POLICE_REQUEST = "Q7_compelled.POLICE_REQUEST"
    Q7_INVALID = "Q7_compelled.INVALID"
    Q7_UNSURE = "Q7_compelled.UNSURE"
    Q7_VALID = "Q7_compelled.VALID"
    Q8_CONCERN = "Q8_protection_concern.CONCERN"
    Q8_NO_CONCERN = "Q8_protection_concern.NO_CONCERN"
    Q9_RECORDED = "Q9_who_consents.RECORDED"
    Q10_CONSENT_NOT_BASIS = "Q10_seek_consent.CONSENT_NOT_BASIS"
    Q10_NOT_SOUGHT = "Q10_seek_consent.NOT_SOUGHT"
    Q10_GIVEN = "Q10_seek_consent.GIVEN"
    Q10_REFUSED = "Q10_seek_consent.REFUSED"
    Q11_CAPACITOUS_REFUSAL = "Q11_override_basis.CAPACITOUS_REFUSAL"
    Q11_CLAIM_UNSURE = "Q11_override_basis.CLAIM_UNSURE"
    Q11_LEGAL_PROHIBITION = "Q11_override_basis.LEGAL_PROHIBITION"
    Q11_NO_LAWFUL_BASIS = "Q11_override_basis.NO_LAWFUL_BASIS"
    Q11_OVERRIDE = "Q11_override_basis.OVERRIDE"
    Q14_ANONYMISED = "Q14_inform.ANONYMISED"
    Q14_OMITTED_PENDING = "Q14_inform.OMITTED_PENDING"
    Q14_OMITTED_NOT_SHARED = "Q14_inform.OMITTED_NOT_SHARED"
    Q14_OMITTED_SHARED = "Q14_inform.OMITTED_SHARED"
    Q14_BEFORE = "Q14_inform.BEFORE"
    Q14_AFTER = "Q14_inform.AFTER"
    Q14_PROMPTLY = "Q14_inform.PROMPTLY"
    Q14_NO_DUTY = "Q14_inform.NO_DUTY"
    Q14_CANNOT_UNDERSTAND = "Q14_inform.CANNOT_UNDERSTAND"
    Q14_NOT_INFORMED = "Q14_inform.NOT_INFORMED"

    @property
    def question(self) -> str:
        return self.value.split(".", 1)[0]

    @property
    def local_id(self) -> str:
        """The rule's id within its question, as the pack lists it."""
        return self.value.split(".", 1)[1]


RULES_BY_QUESTION: Final[dict[str, tuple[str, ...]]] = {
    question: tuple(rule.local_id for rule in Rule if rule.question == question)
    for question in QUESTION_IDS
}
"""For each question id, the local ids of its rules in order (empty for most record questions)."""

UK_BASIS_CODES: Final[frozenset[str]] = frozenset(
    {
        "UK-CONSENT-EXPLICIT",
        "UK-CONSENT-IMPLIED-CARE",
        "UK-GDPR-6-1-C",
        "UK-GDPR-6-1-D",
        "UK-GDPR-6-1-E",
        "UK-GDPR-6-1-F",
        "UK-GDPR-6-1-EA-SAFEGUARDING",
        "UK-GDPR-9-2-C",
        "UK-GDPR-9-2-F",
        "UK-GDPR-9-2-G",
        "UK-GDPR-9-2-H",
        "UK-GDPR-9-2-I",
        "UK-GDPR-9-2-J",
        "UK-DPA-S1-P6",
        "UK-DPA-S1-P10",
        "UK-DPA-S1-P11",
        "UK-DPA-S1-P18",
        "UK-DPA-S1-P30",
        "UK-DPA-S2-P2",
        "UK-DPA-S2-P5",
        "UK-CL-CONSENT",
        "UK-CL-LEGAL-REQUIREMENT",
        "UK-CL-PUBLIC-INTEREST",
        "UK-STAT-CA1989-S47",
        "UK-STAT-CA2004-S11",
        "UK-STAT-CDA1998-S115",
        "UK-STAT-CARE2014-S42-S45",
        "UK-STAT-SSWBA2014-S128-S130",
        "UK-STAT-ASPSA2007",
        "UK-HPNR-2010-REG2",
        "UK-COURT-ORDER",
        "UK-ANON-NOT-PERSONAL-DATA",
    }
)
"""§5, UK side."""

US_BASIS_CODES: Final[frozenset[str]] = frozenset(
    {
        "US-HIPAA-AUTH-508",
        "US-HIPAA-TPO-506",
        "US-HIPAA-510B",
        "US-HIPAA-512A",
        "US-HIPAA-512B1I",
        "US-HIPAA-512B1II",
        "US-HIPAA-512C",
        "US-HIPAA-512D",
        "US-HIPAA-512E1I",
        "US-HIPAA-512E1II",
        "US-HIPAA-512F1I",
        "US-HIPAA-512F1IIA",
        "US-HIPAA-512F1IIB",
        "US-HIPAA-512F1IIC",
        "US-HIPAA-512F2",
        "US-HIPAA-512F3",
        "US-HIPAA-512I",
        "US-HIPAA-512J1I",
        "US-HIPAA-512J1II",
        "US-HIPAA-512K2",
        "US-HIPAA-512K5",
        "US-HIPAA-514B-DEID",
        "US-HIPAA-514E-LDS",
        "US-42CFR2-2.31-CONSENT",
        "US-42CFR2-2.12C6-CHILD-ABUSE-REPORT",
        "US-42CFR2-2.51-EMERGENCY",
        "US-42CFR2-2.52-RESEARCH",
        "US-42CFR2-2.64-COURT-ORDER",
        "US-FERPA-99.30-CONSENT",
        "US-FERPA-99.31A1",
        "US-FERPA-99.31A9",
        "US-FERPA-1232G-B2B",
        "US-FERPA-99.36",
        "US-FERPA-1232G-B1L",
        "US-FERPA-99.31B-DEID",
        "US-PA-552A-B3-ROUTINE-USE",
        "US-PA-552A-B7",
        "US-PA-552A-B8",
        "US-PA-552A-B11",
        "US-STATE-MANDATED-REPORT",
        "US-STATE-DUTY-TO-WARN",
        "US-STATE-DISEASE-REPORTING",
    }
)
"""§5, US side."""


def contract_basis_codes(*, uk: bool) -> frozenset[str]:
    """The §5 codes of one side: a UK pack carries exactly the UK codes, the US pack the US ones."""
    return UK_BASIS_CODES if uk else US_BASIS_CODES


US_ONLY_FIELDS: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("Q1_jurisdiction", "us_state"),
        ("Q7_compelled", "part2_court_order"),
        ("Q7_compelled", "ferpa_parent_is_party"),
        ("Q14_inform", "ferpa_advance_notice_attempted"),
        ("Q14_inform", "ferpa_notice_exception"),
        ("Q14_inform", "pa_b8_notice_sent"),
        ("Q17_record", "as_of"),
        ("Q17_record", "series_id"),
        ("Q17_record", "accounting_suspension"),
    }
)
"""Answer fields that only US law gives a meaning (Part 2, FERPA, the Privacy Act, HIPAA
accounting). A UK pack leaves them off the form; omitted, they keep their contract defaults,
which is what they mean in the UK."""
