"""Contract §4.1, step by step: where the procedure ends, with what outcome, basis and reason."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.checklist import evaluate
from tests.domain.checklist.builders import (
    answer,
    claim,
    compelled_share,
    consent_share,
    ids,
    override_share,
    screen,
    without,
    yes,
)

LATER_ANSWERS = (
    "Q5_identifiable",
    "Q7_compelled",
    "Q8_protection_concern",
    "Q9_who_consents",
    "Q10_seek_consent",
)


def _ends(output: dict[str, Any]) -> tuple[str, str | None, str, list[str]]:
    return output["outcome"], output["subtype"], output["decided_at"], output["reason_codes"]


# Q2


def test_q2_an_illegitimate_purpose_is_do_not_share() -> None:
    output = evaluate(answer(override_share(), "Q2_purpose", legitimate="NO"))
    assert _ends(output) == ("DO_NOT_SHARE", None, "Q2_purpose", ["NO_LEGITIMATE_PURPOSE"])
    assert output["basis_codes"] == []


def test_q2_an_uncertain_purpose_is_seek_advice_with_no_basis() -> None:
    output = evaluate(answer(override_share(), "Q2_purpose", legitimate="UNSURE"))
    assert _ends(output) == ("SEEK_ADVICE", None, "Q2_purpose", [])
    assert output["basis_codes"] == []


# Q3


def _emergency(**recipient: Any) -> dict[str, Any]:
    document = answer(
        consent_share(),
        "Q3_emergency",
        immediate_risk=True,
        nature_of_emergency="Overdose message at 2 a.m.",
        why_no_time="Life at risk now.",
        claims=[yes("UK-GDPR-6-1-D"), claim("UK-GDPR-9-2-C", "NO"), yes("UK-CL-PUBLIC-INTEREST")],
    )
    document["answers"]["Q4_recipient"]["recipients"][0].update(recipient)
    return document


def test_q3_an_emergency_is_swc_emergency_on_its_yes_claims_only() -> None:
    output = evaluate(_emergency())
    assert _ends(output) == ("SHARE_WITHOUT_CONSENT", "EMERGENCY", "Q3_emergency", [])
    assert output["basis_codes"] == ["UK-GDPR-6-1-D", "UK-CL-PUBLIC-INTEREST"]


def test_q3_ends_before_q4_so_an_unidentified_recipient_does_not_stop_it() -> None:
    output = evaluate(_emergency(identified=False))
    assert _ends(output)[:3] == ("SHARE_WITHOUT_CONSENT", "EMERGENCY", "Q3_emergency")


def test_q3_an_emergency_does_not_need_the_later_answers() -> None:
    document = _emergency()
    for question in LATER_ANSWERS:
        document = without(document, question)
    assert evaluate(document)["decided_at"] == "Q3_emergency"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("UNSURE", ("SEEK_ADVICE", None, "Q4_recipient", [])),
        ("NO", ("DO_NOT_SHARE", None, "Q4_recipient", ["RECIPIENT_NO_ROLE"])),
    ],
)
def test_q3_with_a_recipient_not_confirmed_in_role_goes_on_to_q4(
    role: str, expected: tuple[str, None, str, list[str]]
) -> None:
    assert _ends(evaluate(_emergency(has_role_in_purpose=role))) == expected


# Q4


def _recipients(*changes: dict[str, Any]) -> dict[str, Any]:
    document = consent_share()
    base = document["answers"]["Q4_recipient"]["recipients"][0]
    document["answers"]["Q4_recipient"]["recipients"] = [{**base, **change} for change in changes]
    return document


def test_q4_any_recipient_without_a_role_is_do_not_share_even_beside_an_unsure_one() -> None:
    output = evaluate(_recipients({"has_role_in_purpose": "UNSURE"}, {"has_role_in_purpose": "NO"}))
    assert _ends(output) == ("DO_NOT_SHARE", None, "Q4_recipient", ["RECIPIENT_NO_ROLE"])


@pytest.mark.parametrize(
    "change", [{"has_role_in_purpose": "UNSURE"}, {"identified": False}], ids=["role", "identity"]
)
def test_q4_an_unconfirmed_recipient_is_seek_advice(change: dict[str, Any]) -> None:
    output = evaluate(_recipients({}, change))
    assert _ends(output) == ("SEEK_ADVICE", None, "Q4_recipient", [])
    assert output["basis_codes"] == []


# Q5


@pytest.mark.parametrize(
    ("jurisdiction", "regimes", "basis"),
    [
        ("UK-ENG", ["CL_CONFIDENCE"], ["UK-ANON-NOT-PERSONAL-DATA"]),
        ("US", ["HIPAA", "FERPA"], ["US-HIPAA-514B-DEID", "US-FERPA-99.31B-DEID"]),
        ("US", ["FERPA"], ["US-FERPA-99.31B-DEID"]),
        ("US", ["PRIVACY_ACT"], []),
    ],
)
def test_q5_anonymised_information_is_share_anonymised(
    jurisdiction: str, regimes: list[str], basis: list[str]
) -> None:
    document = answer(
        consent_share(jurisdiction, regimes),
        "Q5_identifiable",
        anonymised_sufficient=True,
        anonymisation_method="Aggregated to ward level",
        reidentification_assessment="Counts under 10 suppressed",
    )
    output = evaluate(document)
    assert _ends(output) == ("SHARE_ANONYMISED", None, "Q5_identifiable", [])
    assert output["basis_codes"] == basis


# Q7


UK_INSTRUMENTS = [
    (
        "STATUTE_DUTY",
        ["UK_GDPR", "CL_CONFIDENCE"],
        [],
        ["UK-GDPR-6-1-C", "UK-CL-LEGAL-REQUIREMENT"],
    ),
    ("MANDATED_REPORT", ["UK_GDPR"], [], ["UK-GDPR-6-1-C"]),
    ("MANDATED_REPORT", ["CL_CONFIDENCE"], [], ["UK-CL-LEGAL-REQUIREMENT"]),
    (
        "COURT_ORDER",
        ["UK_GDPR", "CL_CONFIDENCE"],
        ["SPECIAL_CATEGORY_HEALTH"],
        [
            "UK-COURT-ORDER",
            "UK-GDPR-6-1-C",
            "UK-CL-LEGAL-REQUIREMENT",
            "UK-DPA-S2-P5",
            "UK-GDPR-9-2-F",
        ],
    ),
    ("COURT_ORDER", ["UK_GDPR"], [], ["UK-COURT-ORDER", "UK-GDPR-6-1-C", "UK-DPA-S2-P5"]),
    (
        "COURT_ORDER",
        ["CL_CONFIDENCE"],
        ["SPECIAL_CATEGORY_OTHER"],
        ["UK-COURT-ORDER", "UK-CL-LEGAL-REQUIREMENT"],
    ),
]


@pytest.mark.parametrize(("instrument", "regimes", "info", "basis"), UK_INSTRUMENTS)
def test_q7_uk_instrument_codes_follow_the_table_and_the_regimes(
    instrument: str, regimes: list[str], info: list[str], basis: list[str]
) -> None:
    document = compelled_share("UK-ENG", instrument)
    document["regimes"] = regimes
    document = answer(document, "Q6_information_type", info_types=["CONFIDENTIAL", *info])
    assert evaluate(document)["basis_codes"] == basis


LE = "CRIME_PREVENTION_DETECTION"
US_INSTRUMENTS = [
    ("STATUTE_DUTY", ["HIPAA"], [], {}, "LEGAL_PROCEEDINGS", ["US-HIPAA-512A"]),
    ("STATUTE_DUTY", ["PRIVACY_ACT"], [], {}, "LEGAL_PROCEEDINGS", []),
    ("MANDATED_REPORT", ["STATE_ONLY"], [], {}, "SAFEGUARDING_CHILD", ["US-STATE-MANDATED-REPORT"]),
    (
        "MANDATED_REPORT",
        ["PRIVACY_ACT"],
        [],
        {},
        "SAFEGUARDING_CHILD",
        ["US-STATE-MANDATED-REPORT"],
    ),
    (
        "MANDATED_REPORT",
        ["HIPAA"],
        [],
        {},
        "SAFEGUARDING_CHILD",
        ["US-STATE-MANDATED-REPORT", "US-HIPAA-512A"],
    ),
    ("COURT_ORDER", ["HIPAA"], [], {}, LE, ["US-HIPAA-512F1IIA"]),
    (
        "COURT_ORDER",
        ["HIPAA", "PRIVACY_ACT"],
        [],
        {},
        "OTHER",
        ["US-HIPAA-512E1I", "US-PA-552A-B11"],
    ),
    (
        "COURT_ORDER",
        ["FERPA"],
        ["EDUCATION_RECORD"],
        {"ferpa_parent_is_party": True},
        "OTHER",
        ["US-FERPA-1232G-B2B"],
    ),
    ("COURT_ORDER", ["FERPA"], ["EDUCATION_RECORD"], {}, "OTHER", ["US-FERPA-99.31A9"]),
    ("COURT_ORDER", ["FERPA"], [], {}, "OTHER", []),
    ("COURT_ORDERED_WARRANT", ["HIPAA"], [], {}, "OTHER", ["US-HIPAA-512F1IIA"]),
    (
        "JUDICIAL_SUBPOENA",
        ["HIPAA", "FERPA"],
        ["EDUCATION_RECORD"],
        {},
        LE,
        ["US-HIPAA-512F1IIA", "US-FERPA-99.31A9"],
    ),
    ("JUDICIAL_SUBPOENA", ["HIPAA"], [], {}, "LEGAL_PROCEEDINGS", ["US-HIPAA-512E1II"]),
    (
        "GRAND_JURY_SUBPOENA",
        ["HIPAA", "FERPA"],
        ["EDUCATION_RECORD"],
        {},
        LE,
        ["US-HIPAA-512F1IIB", "US-FERPA-99.31A9"],
    ),
    ("ATTORNEY_SUBPOENA", ["HIPAA"], [], {}, "LEGAL_PROCEEDINGS", ["US-HIPAA-512E1II"]),
    ("ADMINISTRATIVE_REQUEST", ["HIPAA"], [], {}, LE, ["US-HIPAA-512F1IIC"]),
    (
        "COURT_ORDER",
        ["HIPAA", "PART2"],
        ["PART2_SUD_RECORD"],
        {"part2_court_order": True},
        "OTHER",
        ["US-HIPAA-512E1I", "US-42CFR2-2.64-COURT-ORDER"],
    ),
    (
        "ATTORNEY_SUBPOENA",
        ["PART2"],
        ["PART2_SUD_RECORD"],
        {"part2_court_order": True},
        "OTHER",
        ["US-42CFR2-2.64-COURT-ORDER"],
    ),
    ("COURT_ORDER", ["PART2"], [], {"part2_court_order": True}, "OTHER", []),
    (
        "COURT_ORDER",
        ["HIPAA"],
        ["PART2_SUD_RECORD"],
        {"part2_court_order": True},
        "OTHER",
        ["US-HIPAA-512E1I"],
    ),
]


@pytest.mark.parametrize(
    ("instrument", "regimes", "info", "q7", "purpose", "basis"), US_INSTRUMENTS
)
def test_q7_us_instrument_codes_follow_the_table_and_the_regimes(
    instrument: str,
    regimes: list[str],
    info: list[str],
    q7: dict[str, Any],
    purpose: str,
    basis: list[str],
) -> None:
    document = compelled_share("US", instrument, **q7)
    document["regimes"] = regimes
    document = answer(document, "Q6_information_type", info_types=info)
    document = answer(document, "Q2_purpose", purpose_code=purpose)
    assert evaluate(document)["basis_codes"] == basis


@pytest.mark.parametrize(
    ("instrument", "subtype"),
    [
        ("STATUTE_DUTY", "REQUIRED_BY_LAW"),
        ("MANDATED_REPORT", "REQUIRED_BY_LAW"),
        ("COURT_ORDER", "COURT_ORDER"),
        ("COURT_ORDERED_WARRANT", "COURT_ORDER"),
        ("JUDICIAL_SUBPOENA", "REQUIRED_BY_LAW"),
        ("GRAND_JURY_SUBPOENA", "REQUIRED_BY_LAW"),
        ("ATTORNEY_SUBPOENA", "PERMITTED_DISCLOSURE"),
        ("ADMINISTRATIVE_REQUEST", "PERMITTED_DISCLOSURE"),
    ],
)
def test_q7_a_valid_instrument_is_swc_with_its_subtype(instrument: str, subtype: str) -> None:
    output = evaluate(compelled_share("US", instrument))
    assert _ends(output) == ("SHARE_WITHOUT_CONSENT", subtype, "Q7_compelled", [])


def test_q7_claims_follow_engine_codes_without_duplicates_and_no_claims_are_dropped() -> None:
    document = compelled_share(
        "US",
        "STATUTE_DUTY",
        claims=[yes("US-HIPAA-512B1II"), yes("US-HIPAA-512A"), claim("US-HIPAA-512C", "NO")],
    )
    assert evaluate(document)["basis_codes"] == ["US-HIPAA-512A", "US-HIPAA-512B1II"]


def test_q7_an_invalid_instrument_is_do_not_share_with_no_basis() -> None:
    document = compelled_share("US", "COURT_ORDER", instrument_valid="NO")
    output = evaluate(document)
    assert _ends(output) == ("DO_NOT_SHARE", None, "Q7_compelled", ["INSUFFICIENT_REQUEST"])
    assert output["basis_codes"] == []


def test_q7_an_uncertain_instrument_seeks_advice_keeping_codes_and_yes_and_unsure_claims() -> None:
    document = compelled_share(
        "US",
        "COURT_ORDER",
        instrument_valid="UNSURE",
        claims=[
            claim("US-HIPAA-512F2", "UNSURE"),
            claim("US-HIPAA-512C", "NO"),
            yes("US-HIPAA-512F1I"),
        ],
    )
    output = evaluate(document)
    assert _ends(output) == ("SEEK_ADVICE", None, "Q7_compelled", [])
    assert output["basis_codes"] == ["US-HIPAA-512E1I", "US-HIPAA-512F2", "US-HIPAA-512F1I"]


def test_q7_a_police_request_without_an_order_goes_to_q11_skipping_q8_to_q10() -> None:
    document = override_share()
    document = answer(document, "Q7_compelled", instrument_type="POLICE_REQUEST_NO_ORDER")
    for question in ("Q8_protection_concern", "Q9_who_consents", "Q10_seek_consent"):
        document = without(document, question)
    output = evaluate(document)
    assert output["decided_at"] == "Q11_override_basis"
    assert output["outcome"] == "SHARE_WITHOUT_CONSENT"


# Q8 and Q10


def test_uk_protection_concern_sends_a_given_consent_to_q11_no_claims_no_basis() -> None:
    document = answer(consent_share(), "Q8_protection_concern", protection_concern=True)
    document = answer(document, "Q11_override_basis", override_screen=screen())
    output = evaluate(document)
    assert _ends(output) == ("DO_NOT_SHARE", None, "Q11_override_basis", ["NO_LAWFUL_BASIS"])


def test_us_protection_concern_has_no_effect_on_consent() -> None:
    document = answer(consent_share("US"), "Q8_protection_concern", protection_concern=True)
    output = evaluate(document)
    assert _ends(output) == ("SHARE_WITH_CONSENT", None, "Q10_seek_consent", [])


@pytest.mark.parametrize(
    ("jurisdiction", "forms", "basis"),
    [
        ("UK-ENG", ["EXPLICIT_WRITTEN", "EXPLICIT_VERBAL"], ["UK-CONSENT-EXPLICIT"]),
        ("UK-ENG", ["IMPLIED_DIRECT_CARE"], ["UK-CONSENT-IMPLIED-CARE"]),
        ("US", ["HIPAA_AUTHORIZATION"], ["US-HIPAA-AUTH-508"]),
        ("US", ["HIPAA_AGREEMENT_NO_OBJECTION"], ["US-HIPAA-510B"]),
        (
            "US",
            ["PART2_CONSENT", "FERPA_WRITTEN"],
            ["US-42CFR2-2.31-CONSENT", "US-FERPA-99.30-CONSENT"],
        ),
    ],
)
def test_q10_each_consent_form_gives_its_code_then_the_yes_claims(
    jurisdiction: str, forms: list[str], basis: list[str]
) -> None:
    extra, dropped = (
        ("UK-GDPR-9-2-H", "UK-GDPR-9-2-I")
        if jurisdiction != "US"
        else ("US-HIPAA-TPO-506", "US-HIPAA-512D")
    )
    document = answer(
        consent_share(jurisdiction),
        "Q10_seek_consent",
        consent_forms=forms,
        claims=[claim(dropped, "NO"), yes(extra)],
    )
    output = evaluate(document)
    assert _ends(output) == ("SHARE_WITH_CONSENT", None, "Q10_seek_consent", [])
    assert output["basis_codes"] == [*basis, extra]


@pytest.mark.parametrize("result", ["REFUSED", "WITHDRAWN"])
def test_q10_a_refusal_or_withdrawal_goes_to_q11(result: str) -> None:
    document = answer(
        override_share(),
        "Q10_seek_consent",
        consent_sought=True,
        consent_result=result,
        withdrawn_at="2025-03-01T09:00:00Z",
        not_sought_reason=None,
    )
    assert evaluate(document)["decided_at"] == "Q11_override_basis"


# Q11


def _capacitous_refusal(jurisdiction: str = "UK-ENG", **q9: Any) -> dict[str, Any]:
    """An adult with capacity refuses; only they are at risk; YES claims are ready at Q11."""
    document = override_share(jurisdiction)
    document = answer(
        document,
        "Q10_seek_consent",
        consent_sought=True,
        consent_result="REFUSED",
        not_sought_reason=None,
    )
    document = answer(document, "Q9_who_consents", **q9)
    return answer(document, "Q11_override_basis", override_screen=screen())


@pytest.mark.parametrize("jurisdiction", ["UK-ENG", "US"])
def test_q11a_a_capacitous_adult_refusal_is_do_not_share_whatever_the_claims(
    jurisdiction: str,
) -> None:
    output = evaluate(_capacitous_refusal(jurisdiction))
    assert _ends(output) == (
        "DO_NOT_SHARE",
        None,
        "Q11_override_basis",
        ["CONSENT_REFUSED_NO_OVERRIDE"],
    )
    assert output["basis_codes"] == []


@pytest.mark.parametrize(
    ("q9", "q11_screen", "q10"),
    [
        ({"subject_age": 17}, {}, {}),
        ({"subject_age": None}, {}, {}),
        ({"capacity_outcome": "FLUCTUATING"}, {}, {}),
        ({"decision_maker_role": "LPA_ATTORNEY"}, {}, {}),
        ({}, {"who_at_risk": ["SUBJECT", "CHILDREN"]}, {}),
        ({}, {"coercion_suspected": True}, {}),
        ({}, {"serious_crime": True}, {}),
        ({}, {"staff_implicated": True}, {}),
        ({}, {"vital_interest_emergency": True}, {}),
        (
            {},
            {},
            {
                "consent_sought": False,
                "consent_result": None,
                "not_sought_reason": "CANNOT_CONTACT",
            },
        ),
    ],
    ids=[
        "minor",
        "age-unknown",
        "capacity",
        "not-subject",
        "others-at-risk",
        "coercion",
        "crime",
        "staff",
        "vital",
        "not-asked",
    ],
)
def test_q11a_does_not_apply_when_any_condition_fails(
    q9: dict[str, Any], q11_screen: dict[str, Any], q10: dict[str, Any]
) -> None:
    document = _capacitous_refusal(**q9)
    document = answer(document, "Q11_override_basis", override_screen=screen(**q11_screen))
    document = answer(document, "Q10_seek_consent", **q10)
    output = evaluate(document)
    assert _ends(output)[:3] == (
        "SHARE_WITHOUT_CONSENT",
        "SAFEGUARDING_OVERRIDE",
        "Q11_override_basis",
    )


def test_q11b_an_unsure_claim_seeks_advice_keeping_yes_and_unsure_claims() -> None:
    claims = [claim("UK-DPA-S2-P2", "UNSURE"), claim("UK-GDPR-6-1-F", "NO"), yes("UK-GDPR-6-1-E")]
    output = evaluate(override_share(claims=claims))
    assert _ends(output) == ("SEEK_ADVICE", None, "Q11_override_basis", [])
    assert output["basis_codes"] == ["UK-DPA-S2-P2", "UK-GDPR-6-1-E"]


@pytest.mark.parametrize(
    ("regimes", "info", "reason"),
    [
        (["PART2"], ["PART2_SUD_RECORD"], "LEGAL_PROHIBITION"),
        (["FERPA"], ["EDUCATION_RECORD"], "LEGAL_PROHIBITION"),
        (["PART2", "FERPA"], [], "NO_LAWFUL_BASIS"),
        (["HIPAA"], ["PART2_SUD_RECORD", "EDUCATION_RECORD"], "NO_LAWFUL_BASIS"),
    ],
)
def test_q11c_no_yes_claim_is_do_not_share_for_a_legal_prohibition_or_no_basis(
    regimes: list[str], info: list[str], reason: str
) -> None:
    document = override_share("US", regimes, claims=[claim("US-HIPAA-512J1I", "NO")])
    document = answer(document, "Q6_information_type", info_types=info)
    output = evaluate(document)
    assert _ends(output) == ("DO_NOT_SHARE", None, "Q11_override_basis", [reason])
    assert output["basis_codes"] == []


@pytest.mark.parametrize(
    ("purpose", "code", "subtype"),
    [
        ("SAFEGUARDING_ADULT", "US-HIPAA-512J1I", "SAFEGUARDING_OVERRIDE"),
        ("EMERGENCY_LIFE", "US-HIPAA-512J1I", "PUBLIC_INTEREST"),
        ("CRIME_PREVENTION_DETECTION", "US-STATE-DUTY-TO-WARN", "PUBLIC_INTEREST"),
        ("OTHER", "US-PA-552A-B8", "PUBLIC_INTEREST"),
        ("OTHER", "US-FERPA-99.36", "PUBLIC_INTEREST"),
        ("PUBLIC_HEALTH", "US-HIPAA-512B1I", "PERMITTED_DISCLOSURE"),
    ],
)
def test_q11d_the_subtype_of_an_override(purpose: str, code: str, subtype: str) -> None:
    document = override_share("US", ["HIPAA"], claims=[yes(code)])
    document = answer(document, "Q2_purpose", purpose_code=purpose)
    assert _ends(evaluate(document)) == ("SHARE_WITHOUT_CONSENT", subtype, "Q11_override_basis", [])


def test_q11d_uk_public_interest() -> None:
    document = override_share(claims=[yes("UK-GDPR-6-1-E"), yes("UK-CL-PUBLIC-INTEREST")])
    document = answer(document, "Q2_purpose", purpose_code="CRIME_PREVENTION_DETECTION")
    assert evaluate(document)["subtype"] == "PUBLIC_INTEREST"


def test_missing_layers_never_change_the_outcome_v1_blocks_instead() -> None:
    output = evaluate(override_share(claims=[yes("UK-STAT-CA1989-S47")]))
    assert output["outcome"] == "SHARE_WITHOUT_CONSENT"
    assert "V1" in ids(output["blocks"])
