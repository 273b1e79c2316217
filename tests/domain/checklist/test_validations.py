"""Contract §6: each validation fires when its condition holds, and only then.

Every test starts from a clean document (no block, no flag) and changes only what the rule
reads; the clean documents themselves are checked first.
"""

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
    yes,
)


def raised(document: dict[str, Any]) -> list[str]:
    output = evaluate(document)
    return ids(output["blocks"]) + ids(output["flags"])


def informed(document: dict[str, Any], **q14: Any) -> dict[str, Any]:
    return answer(document, "Q14_inform", **q14)


@pytest.mark.parametrize("jurisdiction", ["UK-ENG", "UK-WAL", "UK-SCO", "UK-NI", "US"])
@pytest.mark.parametrize("build", [consent_share, override_share])
def test_the_clean_documents_raise_nothing(jurisdiction: str, build: Any) -> None:
    assert raised(build(jurisdiction)) == []


def test_compelled_clean_documents_raise_nothing() -> None:
    assert raised(compelled_share("UK-ENG", "COURT_ORDER")) == []
    assert raised(compelled_share("US", "COURT_ORDER")) == []


# V1


@pytest.mark.parametrize(
    ("regimes", "info", "claims", "fires"),
    [
        (["UK_GDPR", "CL_CONFIDENCE"], ["CONFIDENTIAL"], ["UK-STAT-CA1989-S47"], True),
        (["UK_GDPR", "CL_CONFIDENCE"], ["CONFIDENTIAL"], ["UK-GDPR-6-1-E"], True),
        (["UK_GDPR", "CL_CONFIDENCE"], [], ["UK-GDPR-6-1-E"], False),
        (["CL_CONFIDENCE"], ["CONFIDENTIAL"], ["UK-CL-PUBLIC-INTEREST"], False),
        (["UK_GDPR"], ["CONFIDENTIAL"], ["UK-GDPR-6-1-EA-SAFEGUARDING"], False),
        (["UK_GDPR"], ["CONFIDENTIAL"], ["UK-GDPR-9-2-H"], True),
    ],
)
def test_v1_uk_layers(regimes: list[str], info: list[str], claims: list[str], fires: bool) -> None:
    document = override_share("UK-ENG", regimes, claims=[yes(code) for code in claims])
    document = answer(document, "Q6_information_type", info_types=info)
    assert ("V1" in raised(document)) is fires


@pytest.mark.parametrize(
    ("regimes", "info", "claims", "fires"),
    [
        (["HIPAA"], [], ["US-HIPAA-512B1II"], False),
        (["HIPAA"], [], ["US-STATE-MANDATED-REPORT"], True),
        (["HIPAA", "PART2"], ["PART2_SUD_RECORD"], ["US-HIPAA-512B1II"], True),
        (["HIPAA", "PART2"], [], ["US-HIPAA-512B1II"], False),
        (
            ["HIPAA", "PART2"],
            ["PART2_SUD_RECORD"],
            ["US-HIPAA-512B1II", "US-42CFR2-2.12C6-CHILD-ABUSE-REPORT"],
            False,
        ),
        (["FERPA"], ["EDUCATION_RECORD"], ["US-HIPAA-512J1I"], True),
        (["FERPA"], ["EDUCATION_RECORD"], ["US-FERPA-1232G-B1L"], False),
        (["PRIVACY_ACT"], [], ["US-HIPAA-512J1I"], True),
        (["PRIVACY_ACT"], [], ["US-PA-552A-B3-ROUTINE-USE"], False),
        (["STATE_ONLY"], [], ["US-HIPAA-512A"], True),
        (["STATE_ONLY"], [], ["US-STATE-MANDATED-REPORT"], False),
    ],
)
def test_v1_us_one_code_per_applicable_family(
    regimes: list[str], info: list[str], claims: list[str], fires: bool
) -> None:
    document = override_share("US", regimes, claims=[yes(code) for code in claims])
    document = answer(document, "Q6_information_type", info_types=info)
    assert ("V1" in raised(document)) is fires


def test_v1_a_share_with_no_basis_at_all() -> None:
    """An instrument whose codes all need an absent regime leaves the basis empty."""
    document = compelled_share("US", "STATUTE_DUTY")
    document["regimes"] = ["PRIVACY_ACT"]
    output = evaluate(document)
    assert output["basis_codes"] == []
    assert ids(output["blocks"]) == ["V1"]


def test_v1_implied_care_consent_alone_is_not_an_art6_code() -> None:
    document = answer(consent_share(), "Q10_seek_consent", consent_forms=["IMPLIED_DIRECT_CARE"])
    assert raised(document) == ["V1"]
    document["regimes"] = ["CL_CONFIDENCE"]
    assert raised(document) == []


# V2


@pytest.mark.parametrize(
    ("jurisdiction", "q14", "fires"),
    [
        ("UK-ENG", {"status": "NOT_INFORMED"}, True),
        ("UK-ENG", {"status": "NOT_INFORMED", "not_informed_reason": "INCREASE_RISK"}, False),
        ("UK-ENG", {"status": "NOT_INFORMED", "not_informed_reason": "OTHER"}, True),
        (
            "UK-ENG",
            {"status": "NOT_INFORMED", "not_informed_reason": "OTHER", "narrative": ""},
            True,
        ),
        (
            "UK-ENG",
            {"status": "NOT_INFORMED", "not_informed_reason": "OTHER", "narrative": "Abroad."},
            False,
        ),
        ("UK-SCO", {"status": "NOT_INFORMED", "not_informed_reason": "NO_DUTY_TO_INFORM"}, True),
        ("US", {"status": "NOT_INFORMED", "not_informed_reason": "NO_DUTY_TO_INFORM"}, False),
        (
            "UK-ENG",
            {"status": "AFTER", "others": [{"who": "Father", "status": "NOT_INFORMED"}]},
            True,
        ),
        (
            "UK-ENG",
            {
                "status": "AFTER",
                "others": [
                    {
                        "who": "Father",
                        "status": "NOT_INFORMED",
                        "not_informed_reason": "PR_IS_SUSPECTED_ABUSER",
                    }
                ],
            },
            False,
        ),
    ],
)
def test_v2(jurisdiction: str, q14: dict[str, Any], fires: bool) -> None:
    document = consent_share(jurisdiction)
    document["answers"]["Q14_inform"] = q14
    assert ("V2" in raised(document)) is fires


def test_v2_an_omitted_q14_counts_as_not_informed_for_a_share_only() -> None:
    share = consent_share()
    del share["answers"]["Q14_inform"]
    assert raised(share) == ["V2"]
    not_shared = answer(share, "Q2_purpose", legitimate="NO")
    assert raised(not_shared) == []


# V3


@pytest.mark.parametrize(
    ("q14", "fires"),
    [
        ({"status": "NOT_INFORMED", "not_informed_reason": "NOT_CONTACTABLE"}, True),
        ({"status": "NOT_INFORMED", "not_informed_reason": "INCREASE_RISK"}, False),
        ({"status": "NOT_INFORMED", "not_informed_reason": "PR_IS_SUSPECTED_ABUSER"}, False),
        ({"status": "WILL_INFORM_BY"}, False),
        (None, True),
    ],
)
def test_v3_hipaa_adult_abuse_report(q14: dict[str, Any] | None, fires: bool) -> None:
    document = override_share("US", ["HIPAA"], claims=[yes("US-HIPAA-512C")])
    if q14 is None:
        del document["answers"]["Q14_inform"]
    else:
        document["answers"]["Q14_inform"] = q14
    assert ("V3" in raised(document)) is fires


def test_v3_needs_the_512c_code() -> None:
    document = informed(
        override_share("US"), status="NOT_INFORMED", not_informed_reason="NOT_CONTACTABLE"
    )
    assert "V3" not in raised(document)


# V4, V5, V6


@pytest.mark.parametrize(
    ("items", "fires"),
    [
        ([], True),
        ([{"description": "Chronology"}], True),
        ([{"description": "Chronology", "justification": ""}], True),
        ([{"justification": "Needed."}, {"justification": "Also needed."}], False),
    ],
)
def test_v4_items_missing_or_unjustified(items: list[dict[str, Any]], fires: bool) -> None:
    document = answer(consent_share(), "Q12_minimum_necessary", items=items)
    assert ("V4" in raised(document)) is fires


def test_v4_an_omitted_q12_means_no_items() -> None:
    document = consent_share()
    del document["answers"]["Q12_minimum_necessary"]
    assert raised(document) == ["V4"]


def test_v5_whole_record() -> None:
    document = answer(consent_share(), "Q12_minimum_necessary", whole_record_disclosed=True)
    assert "V5" in raised(document)


@pytest.mark.parametrize(("scope", "fires"), [(True, False), (False, True), (None, True)])
def test_v6_items_outside_the_instrument(scope: bool | None, fires: bool) -> None:
    document = compelled_share("UK-ENG", "COURT_ORDER")
    item = document["answers"]["Q12_minimum_necessary"]["items"][0]
    item.pop("within_instrument_scope")
    if scope is not None:
        item["within_instrument_scope"] = scope
    assert ("V6" in raised(document)) is fires


def test_v6_only_for_a_decision_at_q7() -> None:
    document = override_share()
    document["answers"]["Q12_minimum_necessary"]["items"][0]["within_instrument_scope"] = False
    assert "V6" not in raised(document)


# V7


@pytest.mark.parametrize(
    ("claims", "fires"),
    [
        ([yes("UK-GDPR-6-1-E"), yes("UK-CL-PUBLIC-INTEREST")], True),
        ([yes("UK-GDPR-6-1-E"), yes("UK-GDPR-9-2-H"), yes("UK-CL-PUBLIC-INTEREST")], False),
        ([yes("UK-GDPR-6-1-E"), yes("UK-GDPR-9-2-G"), yes("UK-CL-PUBLIC-INTEREST")], True),
        (
            [
                yes("UK-GDPR-6-1-E"),
                yes("UK-GDPR-9-2-G"),
                yes("UK-DPA-S1-P10"),
                yes("UK-CL-PUBLIC-INTEREST"),
            ],
            False,
        ),
        (
            [
                yes("UK-GDPR-6-1-E"),
                yes("UK-GDPR-9-2-G"),
                yes("UK-DPA-S1-P18"),
                yes("UK-CL-PUBLIC-INTEREST"),
            ],
            True,
        ),
        (
            [
                yes("UK-GDPR-6-1-E"),
                yes("UK-GDPR-9-2-G"),
                yes("UK-DPA-S1-P18", para18_reason="CANNOT_REASONABLY_OBTAIN"),
                yes("UK-CL-PUBLIC-INTEREST"),
            ],
            False,
        ),
        ([yes("UK-GDPR-6-1-D"), yes("UK-GDPR-9-2-C"), yes("UK-CL-PUBLIC-INTEREST")], True),
        (
            [
                yes("UK-GDPR-6-1-D"),
                yes("UK-GDPR-9-2-C", subject_incapable_of_consent=False),
                yes("UK-CL-PUBLIC-INTEREST"),
            ],
            True,
        ),
        (
            [
                yes("UK-GDPR-6-1-D"),
                yes("UK-GDPR-9-2-C", subject_incapable_of_consent=True),
                yes("UK-CL-PUBLIC-INTEREST"),
            ],
            False,
        ),
    ],
)
def test_v7_special_category_conditions(claims: list[dict[str, Any]], fires: bool) -> None:
    document = override_share(claims=claims)
    document = answer(
        document, "Q6_information_type", info_types=["CONFIDENTIAL", "SPECIAL_CATEGORY_HEALTH"]
    )
    assert ("V7" in raised(document)) is fires


def test_v7_needs_uk_gdpr_and_special_category_information() -> None:
    claims = [yes("UK-GDPR-6-1-E"), yes("UK-CL-PUBLIC-INTEREST")]
    special = answer(
        override_share(claims=claims),
        "Q6_information_type",
        info_types=["SPECIAL_CATEGORY_SEX_LIFE"],
    )
    assert "V7" in raised(special)
    special["regimes"] = ["CL_CONFIDENCE"]
    assert "V7" not in raised(special)
    plain = override_share(claims=claims)
    assert "V7" not in raised(plain)


def test_v7_explicit_consent_is_an_art9_condition_but_implied_care_is_not() -> None:
    document = answer(consent_share(), "Q6_information_type", info_types=["SPECIAL_CATEGORY_OTHER"])
    assert "V7" not in raised(document)
    implied = answer(document, "Q10_seek_consent", consent_forms=["IMPLIED_DIRECT_CARE"])
    assert "V7" in raised(implied)


# V8


def _refused(objections: list[dict[str, Any]]) -> dict[str, Any]:
    document = answer(
        override_share(),
        "Q10_seek_consent",
        consent_sought=True,
        consent_result="REFUSED",
        not_sought_reason=None,
    )
    return answer(document, "Q13_objections", objections=objections)


@pytest.mark.parametrize(
    ("objections", "fires"),
    [
        ([], True),
        ([{"by_role": "SUBJECT", "overruled": True}], True),
        ([{"by_role": "SUBJECT", "overruled": False, "explanation": "Respected."}], True),
        ([{"by_role": "SUBJECT", "overruled": True, "explanation": "Children at risk."}], False),
    ],
)
def test_v8_a_refusal_overruled_needs_an_explained_objection(
    objections: list[dict[str, Any]], fires: bool
) -> None:
    assert ("V8" in raised(_refused(objections))) is fires


def test_v8_any_objection_overruled_without_explanation() -> None:
    objections = [{"by_role": "PARENT_CARER", "overruled": True, "explanation": ""}]
    assert "V8" in raised(answer(consent_share(), "Q13_objections", objections=objections))
    objections[0]["overruled"] = False
    assert "V8" not in raised(answer(consent_share(), "Q13_objections", objections=objections))


# V9


def _no_advice(document: dict[str, Any]) -> dict[str, Any]:
    document["answers"].pop("Q15_advice", None)
    return document


EXPLAINED = [{"by_role": "SUBJECT", "overruled": True, "explanation": "Risk to others."}]
V9_TRIGGERS = {
    "override-at-q11": override_share,
    "objection-overruled": lambda: answer(consent_share(), "Q13_objections", objections=EXPLAINED),
    "police-request": lambda: answer(
        override_share(claims=[]), "Q7_compelled", instrument_type="POLICE_REQUEST_NO_ORDER"
    ),
    "ferpa-exception": lambda: compelled_share("US", "COURT_ORDER", ferpa_parent_is_party=False),
    "whole-record": lambda: answer(
        consent_share(), "Q12_minimum_necessary", whole_record_disclosed=True
    ),
    "emergency": lambda: answer(
        consent_share(),
        "Q3_emergency",
        immediate_risk=True,
        nature_of_emergency="Threat to life",
        why_no_time="Tonight",
        claims=[yes("UK-GDPR-6-1-D"), yes("UK-CL-PUBLIC-INTEREST")],
    ),
}


@pytest.mark.parametrize("trigger", sorted(V9_TRIGGERS))
def test_v9_each_trigger_needs_advice_and_advice_after_counts(trigger: str) -> None:
    document = _no_advice(V9_TRIGGERS[trigger]())
    if trigger == "ferpa-exception":
        document["regimes"] = ["FERPA"]
        document = answer(document, "Q6_information_type", info_types=["EDUCATION_RECORD"])
        document = informed(document, ferpa_advance_notice_attempted=True)
    assert "V9" in raised(document)
    advised = answer(document, "Q15_advice", consultations=[{"role": "LEGAL", "timing": "AFTER"}])
    assert "V9" not in raised(advised)


def test_v9_not_for_consent_codes_nor_without_a_trigger() -> None:
    document = answer(
        consent_share("US", ["FERPA", "PART2"]),
        "Q10_seek_consent",
        consent_forms=["FERPA_WRITTEN", "PART2_CONSENT"],
    )
    document = answer(
        document,
        "Q16_method",
        redisclosure_notices=["PART2_STATEMENT_1"],
        consent_copy_or_scope_attached=True,
    )
    assert raised(document) == []


def test_v9_runs_for_every_outcome_but_share_anonymised() -> None:
    police = _no_advice(V9_TRIGGERS["police-request"]())
    assert evaluate(police)["outcome"] == "DO_NOT_SHARE"
    assert raised(police) == ["V9"]
    anonymised = answer(
        _no_advice(V9_TRIGGERS["whole-record"]()),
        "Q5_identifiable",
        anonymised_sufficient=True,
        anonymisation_method="Aggregated",
        reidentification_assessment="Small cells suppressed",
    )
    assert raised(anonymised) == []


# V10, V11


@pytest.mark.parametrize(
    ("instrument", "info", "q7", "fires"),
    [
        ("COURT_ORDER", ["PART2_SUD_RECORD"], {}, True),
        ("JUDICIAL_SUBPOENA", ["PART2_SUD_RECORD"], {}, True),
        ("COURT_ORDER", ["PART2_SUD_RECORD"], {"part2_court_order": True}, False),
        ("STATUTE_DUTY", ["PART2_SUD_RECORD"], {}, False),
        ("MANDATED_REPORT", ["PART2_SUD_RECORD"], {}, False),
        ("COURT_ORDER", [], {}, False),
    ],
)
def test_v10_part2_records_need_a_part2_order(
    instrument: str, info: list[str], q7: dict[str, Any], fires: bool
) -> None:
    document = compelled_share("US", instrument, **q7)
    document["regimes"] = ["HIPAA", "PART2"]
    document = answer(document, "Q6_information_type", info_types=info)
    assert ("V10" in raised(document)) is fires


def test_v1_and_v10_are_told_apart() -> None:
    """Ids are matched whole: V1 is not a prefix of V10."""
    document = compelled_share("US", "COURT_ORDER")
    document["regimes"] = ["HIPAA", "PART2"]
    document = answer(document, "Q6_information_type", info_types=["PART2_SUD_RECORD"])
    document = informed(document, status="NOT_INFORMED", not_informed_reason="COURT_DIRECTED")
    assert ids(evaluate(document)["blocks"]) == ["V1", "V10"]


@pytest.mark.parametrize(
    ("notices", "copy", "fires"),
    [
        ([], True, True),
        (["PART2_STATEMENT_1"], False, True),
        (["FERPA_99_33"], True, True),
        (["PART2_STATEMENT_1"], True, False),
        (["PART2_STATEMENT_2"], True, False),
    ],
)
def test_v11_part2_consent_needs_the_notice_and_copy(
    notices: list[str], copy: bool, fires: bool
) -> None:
    document = answer(
        consent_share("US", ["PART2"]), "Q10_seek_consent", consent_forms=["PART2_CONSENT"]
    )
    document = answer(
        document, "Q16_method", redisclosure_notices=notices, consent_copy_or_scope_attached=copy
    )
    assert ("V11" in raised(document)) is fires


# V12, V13


@pytest.mark.parametrize(
    ("attest", "name", "fires"),
    [
        ({}, "Alex Duty", True),
        ({"threat_description": ""}, "Alex Duty", True),
        ({"threat_description": "Plan to self-harm tonight"}, "", True),
        ({"threat_description": "Plan to self-harm tonight"}, "Alex Duty", False),
    ],
)
def test_v12_ferpa_emergency_needs_the_threat_and_the_parties(
    attest: dict[str, Any], name: str, fires: bool
) -> None:
    document = override_share("US", ["FERPA"], claims=[yes("US-FERPA-99.36", **attest)])
    document["answers"]["Q4_recipient"]["recipients"][0]["name"] = name
    assert ("V12" in raised(document)) is fires


@pytest.mark.parametrize(
    ("attest", "fires"),
    [
        ({}, True),
        ({"serious_and_imminent": True}, True),
        ({"serious_and_imminent": True, "recipient_able_to_prevent_or_lessen": False}, True),
        ({"serious_and_imminent": True, "recipient_able_to_prevent_or_lessen": True}, False),
    ],
)
def test_v13_serious_and_imminent_threat_attests(attest: dict[str, Any], fires: bool) -> None:
    document = override_share("US", ["HIPAA"], claims=[yes("US-HIPAA-512J1I", **attest)])
    assert ("V13" in raised(document)) is fires


# V14


@pytest.mark.parametrize(
    ("change", "fires"),
    [
        ({}, False),
        ({"Q17_record": {"record_created_at": "2025-04-01T10:30:00Z"}}, True),
        ({"Q12_minimum_necessary": {"items": [{"justification": "Needed."}]}}, True),
        ({"name": ""}, True),
        ({"kind": "SUBJECT"}, False),
    ],
)
def test_v14_hipaa_accounting_entry(change: dict[str, Any], fires: bool) -> None:
    document = override_share("US", ["HIPAA"])
    recipient = document["answers"]["Q4_recipient"]["recipients"][0]
    for key, value in change.items():
        if key.startswith("Q"):
            document["answers"][key] = value
        else:
            recipient[key] = value
    assert ("V14" in raised(document)) is fires


# V15


@pytest.mark.parametrize(
    ("given", "withdrawn", "disclosed", "covers", "fires"),
    [
        ("2025-04-01T09:00:00Z", "2025-04-01T09:30:00Z", "2025-04-01T10:00:00Z", True, True),
        ("2025-04-01T09:00:00Z", "2025-04-01T09:30:00Z", "2025-04-01T09:30:00Z", True, True),
        ("2025-04-01T09:00:00Z", "2025-04-01T09:30:00Z", None, True, True),
        (None, "2025-04-01T09:30:00Z", "2025-04-01T10:00:00Z", True, True),
        ("2025-04-01T09:00:00Z", "2025-04-01T09:30:00Z", "2025-04-01T10:00:00Z", False, False),
        ("2025-04-01T09:45:00Z", "2025-04-01T09:30:00Z", "2025-04-01T10:00:00Z", True, False),
        ("2025-04-01T09:00:00Z", "2025-04-01T11:00:00Z", "2025-04-01T10:00:00Z", True, False),
    ],
)
def test_v15_consent_withdrawn_before_the_disclosure(
    given: str | None, withdrawn: str, disclosed: str | None, covers: bool, fires: bool
) -> None:
    document = answer(
        consent_share(),
        "Q10_seek_consent",
        consent_given_at=given,
        withdrawn_at=withdrawn,
        withdrawal_covers_scope=covers,
    )
    document = answer(document, "Q17_record", disclosure_at=disclosed)
    assert ("V15" in raised(document)) is fires


# V16


@pytest.mark.parametrize(
    ("jurisdiction", "q9", "fires"),
    [
        ("UK-ENG", {"subject_age": 14, "capacity_test": "NOT_NEEDED"}, True),
        (
            "UK-ENG",
            {"subject_age": 14, "capacity_test": "GILLICK", "capacity_outcome": "NOT_ASSESSED"},
            True,
        ),
        ("UK-ENG", {"subject_age": 14, "capacity_test": "GILLICK"}, False),
        ("UK-ENG", {"subject_age": 16, "capacity_test": "NOT_NEEDED"}, False),
        ("UK-ENG", {"subject_age": None, "capacity_test": "NOT_NEEDED"}, False),
        ("UK-SCO", {"subject_age": 11, "capacity_test": "SCOTLAND_12PLUS_PRESUMPTION"}, True),
        ("UK-SCO", {"subject_age": 12, "capacity_test": "SCOTLAND_12PLUS_PRESUMPTION"}, False),
        ("UK-WAL", {"subject_age": 12, "capacity_test": "SCOTLAND_12PLUS_PRESUMPTION"}, True),
        ("US", {"subject_age": 14, "capacity_test": "NOT_NEEDED"}, False),
    ],
)
def test_v16_child_consent_needs_a_competence_assessment(
    jurisdiction: str, q9: dict[str, Any], fires: bool
) -> None:
    document = answer(consent_share(jurisdiction), "Q9_who_consents", **q9)
    assert ("V16" in raised(document)) is fires


@pytest.mark.parametrize(
    ("outcome", "objector", "fires"),
    [
        ("HAS_CAPACITY", "SUBJECT", True),
        ("HAS_CAPACITY", "OTHER", False),
        ("LACKS_CAPACITY", "SUBJECT", False),
    ],
)
def test_v16_parental_consent_over_a_competent_childs_objection(
    outcome: str, objector: str, fires: bool
) -> None:
    document = answer(
        consent_share(),
        "Q9_who_consents",
        subject_age=13,
        capacity_test="GILLICK",
        capacity_outcome=outcome,
        decision_maker_role="PARENTAL_RESPONSIBILITY_HOLDER",
    )
    document = answer(
        document, "Q13_objections", objections=[{"by_role": objector, "overruled": False}]
    )
    assert ("V16" in raised(document)) is fires


# V17


@pytest.mark.parametrize(
    ("created", "fires"),
    [("2025-04-02T10:00:01Z", True), ("2025-04-02T10:00:00Z", False), (None, False)],
)
def test_v17_emergency_recorded_late(created: str | None, fires: bool) -> None:
    document = V9_TRIGGERS["emergency"]()
    document = answer(document, "Q17_record", record_created_at=created)
    assert ("V17" in raised(document)) is fires


def test_v17_only_for_emergencies() -> None:
    late = answer(consent_share(), "Q17_record", record_created_at="2025-04-09T10:00:00Z")
    assert "V17" not in raised(late)


# V18, V19


@pytest.mark.parametrize(
    ("q14", "fires"),
    [
        ({}, True),
        ({"ferpa_advance_notice_attempted": True}, False),
        ({"ferpa_notice_exception": "EX_PARTE_ORDER"}, False),
    ],
)
def test_v18_ferpa_subpoena_notice(q14: dict[str, Any], fires: bool) -> None:
    document = compelled_share("US", "JUDICIAL_SUBPOENA")
    document["regimes"] = ["FERPA"]
    document = answer(document, "Q6_information_type", info_types=["EDUCATION_RECORD"])
    document = informed(document, **q14)
    assert ("V18" in raised(document)) is fires


@pytest.mark.parametrize(("sent", "fires"), [(False, True), (True, False)])
def test_v19_privacy_act_b8_notice(sent: bool, fires: bool) -> None:
    document = override_share("US", ["PRIVACY_ACT"], claims=[yes("US-PA-552A-B8")])
    document = informed(document, pa_b8_notice_sent=sent)
    assert ("V19" in raised(document)) is fires


# V20


@pytest.mark.parametrize(
    ("suspension", "as_of", "fires"),
    [
        (
            {"statement_type": "ORAL", "received_at": "2025-03-01T10:00:00Z"},
            "2025-03-31T10:00:01Z",
            True,
        ),
        (
            {"statement_type": "ORAL", "received_at": "2025-03-01T10:00:00Z"},
            "2025-03-31T10:00:00Z",
            False,
        ),
        (
            {"statement_type": "WRITTEN", "received_at": "2025-01-01T10:00:00Z"},
            "2025-03-31T10:00:01Z",
            False,
        ),
        (
            {
                "statement_type": "ORAL",
                "received_at": "2025-01-01T10:00:00Z",
                "written_statement_received": True,
            },
            "2025-03-31T10:00:01Z",
            False,
        ),
    ],
)
def test_v20_oral_suspension_over_30_days(
    suspension: dict[str, Any], as_of: str, fires: bool
) -> None:
    document = answer(
        consent_share("US"), "Q17_record", accounting_suspension=suspension, as_of=as_of
    )
    assert ("V20" in raised(document)) is fires


def test_v20_as_of_defaults_to_record_created_at_and_runs_for_every_outcome() -> None:
    suspension = {"statement_type": "ORAL", "received_at": "2025-01-01T10:00:00Z"}
    document = answer(consent_share("US"), "Q17_record", accounting_suspension=suspension)
    assert raised(document) == ["V20"]
    assert raised(answer(document, "Q2_purpose", legitimate="NO")) == ["V20"]
    without_time = answer(document, "Q17_record", record_created_at=None)
    assert raised(without_time) == []


def test_claims_never_reached_do_not_feed_validations() -> None:
    """§8.5: an unreached answer never affects the output (here Q11 after a consent share)."""
    document = answer(
        consent_share("US"),
        "Q11_override_basis",
        claims=[claim("US-HIPAA-512J1I", "YES")],
        override_screen=screen(),
    )
    assert raised(document) == []
