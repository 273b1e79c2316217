"""Contract input documents for the checklist tests, built from a clean starting point.

``consent_share`` and ``override_share`` are complete, valid documents whose evaluation raises
no block and no flag (the tests check that). A test changes only what its rule reads, with
``answer`` (merge fields into one answer) or by replacing a whole answer, so each test shows
exactly the input that makes its rule fire or not.
"""

from __future__ import annotations

import copy
from typing import Any

UK_REGIMES = ["UK_GDPR", "CL_CONFIDENCE"]
US_REGIMES = ["HIPAA"]


def consent_share(jurisdiction: str = "UK-ENG", regimes: list[str] | None = None) -> dict[str, Any]:
    """An adult with capacity gives explicit consent: SHARE_WITH_CONSENT at Q10."""
    uk = jurisdiction != "US"
    return {
        "jurisdiction": jurisdiction,
        "regimes": list(regimes or (UK_REGIMES if uk else US_REGIMES)),
        "answers": {
            "Q2_purpose": {
                "purpose_code": "SAFEGUARDING_ADULT",
                "purpose_statement": "Refer to the housing support team.",
                "legitimate": "YES",
                "origin": "PROACTIVE",
            },
            "Q3_emergency": {"immediate_risk": False},
            "Q4_recipient": {
                "recipients": [
                    {
                        "name": "Sam Officer",
                        "role_title": "Housing support officer",
                        "organisation": "Northshire Housing",
                        "kind": "OTHER",
                        "identified": True,
                        "identity_verified_how": "Known colleague",
                        "has_role_in_purpose": "YES",
                    }
                ]
            },
            "Q5_identifiable": {"anonymised_sufficient": False},
            "Q6_information_type": {"info_types": ["CONFIDENTIAL"]},
            "Q7_compelled": {"instrument_type": "NONE"},
            "Q8_protection_concern": {"protection_concern": False},
            "Q9_who_consents": {
                "subject_age": 40,
                "capacity_test": "NOT_NEEDED",
                "capacity_outcome": "HAS_CAPACITY",
                "decision_maker_role": "SUBJECT",
            },
            "Q10_seek_consent": {
                "consent_sought": True,
                "consent_result": "GIVEN",
                "consent_forms": ["EXPLICIT_WRITTEN" if uk else "HIPAA_AUTHORIZATION"],
                "consent_given_at": "2025-04-01T09:00:00Z",
                "views": "Happy for housing to know.",
            },
            "Q12_minimum_necessary": {
                "items": [
                    {
                        "description": "Current address and support needs",
                        "fact_or_opinion": "FACT",
                        "justification": "Needed to arrange support.",
                    }
                ]
            },
            "Q14_inform": {"status": "BEFORE"},
            "Q17_record": {
                "disclosure_at": "2025-04-01T10:00:00Z",
                "record_created_at": "2025-04-01T10:30:00Z",
            },
        },
    }


def override_share(
    jurisdiction: str = "UK-ENG",
    regimes: list[str] | None = None,
    claims: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Consent not sought (it would increase risk): SHARE_WITHOUT_CONSENT at Q11, advice taken."""
    uk = jurisdiction != "US"
    document = consent_share(jurisdiction, regimes)
    answers = document["answers"]
    answers["Q2_purpose"]["purpose_code"] = "SAFEGUARDING_CHILD"
    answers["Q8_protection_concern"] = {"protection_concern": True}
    answers["Q10_seek_consent"] = {
        "consent_sought": False,
        "not_sought_reason": "INCREASE_RISK",
        "views": "Not asked: the carer may retaliate.",
    }
    default_claims = (
        [yes("UK-GDPR-6-1-E"), yes("UK-CL-PUBLIC-INTEREST")] if uk else [yes("US-HIPAA-512B1II")]
    )
    answers["Q11_override_basis"] = {
        "claims": default_claims if claims is None else claims,
        "override_screen": screen(who_at_risk=["CHILDREN"]),
    }
    answers["Q15_advice"] = {"consultations": [{"role": "DSL", "timing": "BEFORE"}]}
    return document


def compelled_share(jurisdiction: str, instrument: str, **q7: Any) -> dict[str, Any]:
    """A valid legal instrument: SHARE_WITHOUT_CONSENT at Q7, items within its scope."""
    document = consent_share(jurisdiction)
    answers = document["answers"]
    answers["Q7_compelled"] = {
        "instrument_type": instrument,
        "instrument_ref": "Order 2025/118",
        "instrument_valid": "YES",
        **q7,
    }
    for item in answers["Q12_minimum_necessary"]["items"]:
        item["within_instrument_scope"] = True
    return document


def yes(code: str, **attest: Any) -> dict[str, Any]:
    return claim(code, "YES", **attest)


def claim(code: str, conditions_met: str, **attest: Any) -> dict[str, Any]:
    made: dict[str, Any] = {"code": code, "conditions_met": conditions_met}
    if attest:
        made["attest"] = attest
    return made


def screen(**overrides: Any) -> dict[str, Any]:
    """Q11's override screen with nothing in it but what the test sets."""
    return {
        "who_at_risk": ["SUBJECT"],
        "coercion_suspected": False,
        "serious_crime": False,
        "staff_implicated": False,
        "vital_interest_emergency": False,
        **overrides,
    }


def answer(document: dict[str, Any], question: str, **fields: Any) -> dict[str, Any]:
    """A copy of the document with fields merged into one answer (None removes a field)."""
    changed = copy.deepcopy(document)
    target = changed["answers"].setdefault(question, {})
    for name, value in fields.items():
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return changed


def without(document: dict[str, Any], question: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    del changed["answers"][question]
    return changed


def ids(issues: list[dict[str, str]]) -> list[str]:
    return [issue["id"] for issue in issues]
