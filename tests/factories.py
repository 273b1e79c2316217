"""Valid record documents (JSON-ready dicts) and a signing identity for tests across the suite.

Each call returns a fresh dict; keyword overrides replace top-level fields. The ``decision``
is written by hand to match what the contract's engine gives for these answers.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from desktop.identity import new_identity


def _no_accounting() -> dict[str, bool]:
    return {
        "hipaa_accountable": False,
        "part2_accountable": False,
        "ferpa_record_required": False,
        "privacy_act_accountable": False,
    }


def uk_share_body(**overrides: Any) -> dict[str, Any]:
    """A UK safeguarding referral made without consent (SAFEGUARDING_OVERRIDE)."""
    body: dict[str, Any] = {
        "status": "FINAL",
        "case": {"case_id": "CASE-2025-0142", "reference": "Early help 7/25"},
        "subject": {
            "subject_id": "SUBJ-0001",
            "name": "Child A",
            "date_of_birth": "2011-05-04",
            "role": "CHILD",
        },
        "checklist": {
            "jurisdiction": "UK-ENG",
            "regimes": ["UK_GDPR", "CL_CONFIDENCE"],
            "answers": {
                "Q2_purpose": {
                    "purpose_code": "SAFEGUARDING_CHILD",
                    "purpose_statement": "Refer a disclosure of sexual abuse to children's "
                    "social care for a s.47 enquiry.",
                    "legitimate": "YES",
                    "origin": "PROACTIVE",
                },
                "Q3_emergency": {"immediate_risk": False},
                "Q4_recipient": {
                    "recipients": [
                        {
                            "name": "Duty social worker",
                            "role_title": "Duty social worker",
                            "organisation": "Children's social care MASH",
                            "kind": "OTHER",
                            "identified": True,
                            "identity_verified_how": "Called the published MASH number",
                            "has_role_in_purpose": "YES",
                        }
                    ]
                },
                "Q5_identifiable": {"anonymised_sufficient": False},
                "Q6_information_type": {
                    "info_types": ["CONFIDENTIAL", "SPECIAL_CATEGORY_SEX_LIFE"]
                },
                "Q7_compelled": {"instrument_type": "NONE"},
                "Q8_protection_concern": {"protection_concern": True},
                "Q9_who_consents": {
                    "subject_age": 14,
                    "capacity_test": "GILLICK",
                    "capacity_outcome": "HAS_CAPACITY",
                    "decision_maker_role": "SUBJECT",
                },
                "Q10_seek_consent": {
                    "consent_sought": True,
                    "consent_result": "REFUSED",
                    "views": "Does not want anyone told.",
                },
                "Q11_override_basis": {
                    "claims": [
                        {"code": "UK-GDPR-6-1-E", "conditions_met": "YES"},
                        {"code": "UK-GDPR-9-2-G", "conditions_met": "YES"},
                        {
                            "code": "UK-DPA-S1-P18",
                            "conditions_met": "YES",
                            "attest": {"para18_reason": "WOULD_PREJUDICE_PROTECTION"},
                        },
                        {"code": "UK-CL-PUBLIC-INTEREST", "conditions_met": "YES"},
                    ],
                    "override_screen": {
                        "who_at_risk": ["SUBJECT"],
                        "coercion_suspected": False,
                        "serious_crime": True,
                        "staff_implicated": False,
                        "vital_interest_emergency": False,
                    },
                },
                "Q12_minimum_necessary": {
                    "items": [
                        {
                            "description": "The child's account in her own words",
                            "fact_or_opinion": "FACT",
                            "justification": "Core of the concern.",
                        }
                    ]
                },
                "Q13_objections": {
                    "objections": [
                        {
                            "by_role": "SUBJECT",
                            "overruled": True,
                            "explanation": "Risk of significant harm outweighs her wish.",
                        }
                    ]
                },
                "Q14_inform": {"status": "BEFORE", "narrative": "Told her who will be told."},
                "Q15_advice": {"consultations": [{"role": "DSL", "timing": "BEFORE"}]},
                "Q16_method": {"methods": ["PHONE", "SECURE_EMAIL"]},
                "Q17_record": {
                    "disclosure_at": "2025-03-10T11:20:00Z",
                    "record_created_at": "2025-03-10T12:05:00Z",
                },
            },
        },
        "decision": {
            "outcome": "SHARE_WITHOUT_CONSENT",
            "subtype": "SAFEGUARDING_OVERRIDE",
            "decided_at": "Q11_override_basis",
            "reason_codes": [],
            "basis_codes": [
                "UK-GDPR-6-1-E",
                "UK-GDPR-9-2-G",
                "UK-DPA-S1-P18",
                "UK-CL-PUBLIC-INTEREST",
            ],
            "blocks": [],
            "flags": [],
            "inform_subject": {"decision": "YES", "timing": "BEFORE"},
            "requires_supervisor_signoff": True,
            "accounting": _no_accounting(),
        },
        "rule_pack": {"id": "UK-ENG", "version": "1.0.0"},
        "decision_at": "2025-03-10T11:00:00+00:00",
        "minimum_necessary_attestation": True,
        "notes": "Strategy discussion to follow.",
    }
    body.update(overrides)
    return body


def us_share_body(**overrides: Any) -> dict[str, Any]:
    """A US mandated child-abuse report by a HIPAA covered entity (REQUIRED_BY_LAW)."""
    body: dict[str, Any] = {
        "status": "FINAL",
        "case": {"case_id": "TX-2025-88"},
        "subject": {"subject_id": "MRN-40021", "name": "Patient B", "role": "CHILD"},
        "checklist": {
            "jurisdiction": "US",
            "regimes": ["HIPAA"],
            "answers": {
                "Q1_jurisdiction": {"us_state": "TX"},
                "Q2_purpose": {
                    "purpose_code": "SAFEGUARDING_CHILD",
                    "purpose_statement": "Report of suspected child abuse required by "
                    "Tex. Fam. Code 261.101.",
                    "legitimate": "YES",
                    "origin": "PROACTIVE",
                },
                "Q3_emergency": {"immediate_risk": False},
                "Q4_recipient": {
                    "recipients": [
                        {
                            "name": "DFPS intake specialist",
                            "role_title": "Intake specialist",
                            "organisation": "Texas DFPS Statewide Intake",
                            "address": "DFPS Statewide Intake, Austin, TX",
                            "kind": "OTHER",
                            "identified": True,
                            "has_role_in_purpose": "YES",
                        }
                    ]
                },
                "Q5_identifiable": {"anonymised_sufficient": False},
                "Q6_information_type": {"info_types": ["CONFIDENTIAL"]},
                "Q7_compelled": {
                    "instrument_type": "MANDATED_REPORT",
                    "instrument_ref": "Tex. Fam. Code 261.101",
                    "instrument_valid": "YES",
                    "claims": [{"code": "US-HIPAA-512B1II", "conditions_met": "YES"}],
                },
                "Q12_minimum_necessary": {
                    "items": [
                        {
                            "description": "Injuries and imaging findings",
                            "fact_or_opinion": "FACT",
                            "justification": "Basis of the suspicion.",
                            "within_instrument_scope": True,
                        }
                    ]
                },
                "Q14_inform": {
                    "status": "NOT_INFORMED",
                    "not_informed_reason": "PR_IS_SUSPECTED_ABUSER",
                },
                "Q16_method": {"methods": ["PHONE"]},
                "Q17_record": {
                    "disclosure_at": "2025-04-02T15:40:00Z",
                    "record_created_at": "2025-04-02T16:10:00Z",
                },
            },
        },
        "decision": {
            "outcome": "SHARE_WITHOUT_CONSENT",
            "subtype": "REQUIRED_BY_LAW",
            "decided_at": "Q7_compelled",
            "reason_codes": [],
            "basis_codes": ["US-STATE-MANDATED-REPORT", "US-HIPAA-512A", "US-HIPAA-512B1II"],
            "blocks": [],
            "flags": [],
            "inform_subject": {"decision": "NO"},
            "requires_supervisor_signoff": False,
            "accounting": {**_no_accounting(), "hipaa_accountable": True},
        },
        "rule_pack": {"id": "US", "version": "1.0.0"},
        "decision_at": "2025-04-02T15:30:00-05:00",
        "minimum_necessary_attestation": True,
    }
    body.update(overrides)
    return body


def dns_body(**overrides: Any) -> dict[str, Any]:
    """A UK decision not to share after consent was withdrawn (DO_NOT_SHARE)."""
    body: dict[str, Any] = {
        "status": "FINAL",
        "case": {"case_id": "EH-2025-031"},
        "subject": {"subject_id": "SUBJ-0077", "name": "Parent C", "role": "PARENT_CARER"},
        "checklist": {
            "jurisdiction": "UK-ENG",
            "regimes": ["UK_GDPR", "CL_CONFIDENCE"],
            "answers": {
                "Q2_purpose": {
                    "purpose_code": "DIRECT_CARE",
                    "purpose_statement": "Continue sharing the family assessment with a "
                    "family-support charity.",
                    "legitimate": "YES",
                    "origin": "PROACTIVE",
                },
                "Q3_emergency": {"immediate_risk": False},
                "Q4_recipient": {
                    "recipients": [
                        {
                            "name": "Family support worker",
                            "role_title": "Family support worker",
                            "organisation": "Family-support charity",
                            "identified": True,
                            "has_role_in_purpose": "YES",
                        }
                    ]
                },
                "Q5_identifiable": {"anonymised_sufficient": False},
                "Q6_information_type": {"info_types": ["CONFIDENTIAL"]},
                "Q7_compelled": {"instrument_type": "NONE"},
                "Q8_protection_concern": {"protection_concern": False},
                "Q9_who_consents": {
                    "capacity_test": "NOT_NEEDED",
                    "capacity_outcome": "HAS_CAPACITY",
                    "decision_maker_role": "SUBJECT",
                },
                "Q10_seek_consent": {
                    "consent_sought": True,
                    "consent_result": "WITHDRAWN",
                    "consent_forms": ["EXPLICIT_WRITTEN"],
                    "consent_given_at": "2025-02-03T10:00:00Z",
                    "withdrawn_at": "2025-02-17T10:30:00Z",
                    "views": "No longer wants the charity involved.",
                },
                "Q11_override_basis": {
                    "override_screen": {
                        "who_at_risk": [],
                        "coercion_suspected": False,
                        "serious_crime": False,
                        "staff_implicated": False,
                        "vital_interest_emergency": False,
                    }
                },
                "Q14_inform": {"status": "AFTER", "narrative": "Withdrawal acknowledged."},
            },
        },
        "decision": {
            "outcome": "DO_NOT_SHARE",
            "decided_at": "Q11_override_basis",
            "reason_codes": ["NO_LAWFUL_BASIS"],
            "basis_codes": [],
            "blocks": [],
            "flags": [],
            "inform_subject": {"decision": "YES", "timing": "AFTER"},
            "requires_supervisor_signoff": False,
            "accounting": _no_accounting(),
        },
        "rule_pack": {"id": "UK-ENG", "version": "1.0.0"},
        "decision_at": "2025-02-17T11:00:00Z",
        "not_sharing": {
            "reasoning_narrative": "Consent withdrawn; no safeguarding concern and no other basis.",
            "review_trigger": "New information about risk to the children",
        },
    }
    body.update(overrides)
    return body


def signing_identity(
    name: str = "Sam Practitioner",
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A practitioner's signing key and self-signed certificate, made as a store makes them."""
    identity = new_identity(name, "Northshire Council")
    return identity.signing_key, identity.certificate


def give_consent(answers: dict[str, Any]) -> None:
    """Consent is the basis: no protection concern overriding it, explicit consent given."""
    answers["Q8_protection_concern"] = {"protection_concern": False}
    answers["Q10_seek_consent"] = {
        "consent_sought": True,
        "consent_result": "GIVEN",
        "consent_forms": ["EXPLICIT_WRITTEN"],
        "consent_given_at": "2025-01-02T09:00:00Z",
        "views": "Agrees to the referral.",
    }
    answers.pop("Q11_override_basis", None)
    answers.pop("Q13_objections", None)
