"""Contract §1, §2 and §8.2-§8.5: INVALID_INPUT, naming every field at fault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.checklist import builtin_pack, evaluate
from desktop.domain.enums import Jurisdiction
from desktop.domain.errors import InvalidDocument
from tests.domain.checklist.builders import (
    answer,
    claim,
    compelled_share,
    consent_share,
    override_share,
    without,
    yes,
)


def refused(document: object) -> dict[str, str]:
    """{field: message} of an input that must be INVALID_INPUT."""
    with pytest.raises(InvalidDocument) as caught:
        evaluate(document)
    error = caught.value.to_error_document()
    assert error["error"] == "INVALID_INPUT"
    return {detail["field"]: detail["message"] for detail in caught.value.details}


def test_not_an_object() -> None:
    assert list(refused(["UK-ENG"])) == ["$"]


def test_unknown_question_and_unknown_field() -> None:
    document = consent_share()
    document["answers"]["Q18_extra"] = {}
    document["answers"]["Q2_purpose"]["mood"] = "calm"
    assert set(refused(document)) == {"answers.Q18_extra", "answers.Q2_purpose.mood"}


def test_bad_type_and_bad_enum_value() -> None:
    document = answer(consent_share(), "Q3_emergency", immediate_risk="no")
    document = answer(document, "Q2_purpose", legitimate="yes")
    assert set(refused(document)) == {
        "answers.Q3_emergency.immediate_risk",
        "answers.Q2_purpose.legitimate",
    }


@pytest.mark.parametrize(
    "question", ["Q2_purpose", "Q3_emergency", "Q4_recipient", "Q6_information_type"]
)
def test_always_required_answers(question: str) -> None:
    assert f"answers.{question}" in refused(without(consent_share(), question))


@pytest.mark.parametrize(
    ("jurisdiction", "regimes", "field"),
    [
        ("UK-ENG", ["HIPAA"], "regimes.0"),
        ("US", ["HIPAA", "CL_CONFIDENCE"], "regimes.1"),
        ("US", ["STATE_ONLY", "HIPAA"], "regimes"),
        ("US", [], "regimes"),
    ],
)
def test_regimes_must_fit_the_jurisdiction(
    jurisdiction: str, regimes: list[str], field: str
) -> None:
    document = consent_share(jurisdiction)
    document["regimes"] = regimes
    assert field in refused(document)


def test_q3_emergency_details_are_required_and_empty_is_missing() -> None:
    document = answer(consent_share(), "Q3_emergency", immediate_risk=True, nature_of_emergency="")
    assert refused(document) == {
        "answers.Q3_emergency.nature_of_emergency": "must not be empty (immediate_risk is true)",
        "answers.Q3_emergency.why_no_time": "required field is missing (immediate_risk is true)",
    }


def test_required_beats_validation_fires_for_required_fields() -> None:
    """§8.2: a missing req field is INVALID even where a validation also tests it."""
    document = answer(consent_share(), "Q10_seek_consent", consent_result="WITHDRAWN")
    assert set(refused(document)) == {"answers.Q10_seek_consent.withdrawn_at"}


@pytest.mark.parametrize(
    ("question", "fields", "missing"),
    [
        ("Q5_identifiable", {"anonymised_sufficient": None}, "anonymised_sufficient"),
        ("Q5_identifiable", {"anonymised_sufficient": True}, "anonymisation_method"),
        ("Q7_compelled", {"instrument_type": None}, "instrument_type"),
        ("Q7_compelled", {"instrument_type": "COURT_ORDER"}, "instrument_ref"),
        (
            "Q7_compelled",
            {"instrument_type": "COURT_ORDER", "instrument_ref": "X"},
            "instrument_valid",
        ),
        ("Q8_protection_concern", {"protection_concern": None}, "protection_concern"),
        ("Q9_who_consents", {"capacity_test": None}, "capacity_test"),
        ("Q9_who_consents", {"decision_maker_role": None}, "decision_maker_role"),
        ("Q10_seek_consent", {"views": ""}, "views"),
        ("Q10_seek_consent", {"consent_sought": None}, "consent_sought"),
        ("Q10_seek_consent", {"consent_result": None}, "consent_result"),
        ("Q10_seek_consent", {"consent_forms": []}, "consent_forms"),
        ("Q10_seek_consent", {"consent_sought": False}, "not_sought_reason"),
    ],
)
def test_required_fields_of_reached_questions(
    question: str, fields: dict[str, Any], missing: str
) -> None:
    assert f"answers.{question}.{missing}" in refused(answer(consent_share(), question, **fields))


@pytest.mark.parametrize(
    "question",
    [
        "Q5_identifiable",
        "Q7_compelled",
        "Q8_protection_concern",
        "Q9_who_consents",
        "Q10_seek_consent",
        "Q11_override_basis",
    ],
)
def test_reached_answers_are_required(question: str) -> None:
    assert f"answers.{question}" in refused(without(override_share(), question))


def test_q8_q9_and_q10_are_reported_together() -> None:
    document = without(without(consent_share(), "Q8_protection_concern"), "Q10_seek_consent")
    assert set(refused(document)) == {
        "answers.Q8_protection_concern",
        "answers.Q10_seek_consent",
    }


def test_q11_screen_is_required_when_reached() -> None:
    document = answer(override_share(), "Q11_override_basis", override_screen=None)
    assert set(refused(document)) == {"answers.Q11_override_basis.override_screen"}
    partial = {"who_at_risk": ["CHILDREN"], "coercion_suspected": False}
    document = answer(override_share(), "Q11_override_basis", override_screen=partial)
    assert set(refused(document)) == {
        f"answers.Q11_override_basis.override_screen.{name}"
        for name in ("serious_crime", "staff_implicated", "vital_interest_emergency")
    }


def test_unreached_answers_may_be_incomplete_but_not_malformed() -> None:
    """§8.5: checked for unknown fields and types, not for missing required fields."""
    document = consent_share()
    document["answers"]["Q11_override_basis"] = {"claims": []}  # no screen: never reached
    document["answers"]["Q7_compelled"] = {"instrument_type": "NONE"}
    assert evaluate(document)["outcome"] == "SHARE_WITH_CONSENT"
    document["answers"]["Q11_override_basis"]["colour"] = "blue"
    assert set(refused(document)) == {"answers.Q11_override_basis.colour"}


def test_answers_after_an_early_end_are_not_required() -> None:
    document = answer(consent_share(), "Q2_purpose", legitimate="NO")
    for question in ("Q5_identifiable", "Q7_compelled", "Q8_protection_concern", "Q9_who_consents"):
        document = without(document, question)
    assert evaluate(document)["outcome"] == "DO_NOT_SHARE"


@pytest.mark.parametrize(
    ("jurisdiction", "code", "message"),
    [
        ("UK-ENG", "UK-GDPR-6-1-Z", "not a legal-basis code"),
        ("UK-ENG", "US-HIPAA-512C", "not a legal-basis code"),
        ("US", "UK-GDPR-6-1-E", "not a legal-basis code"),
        ("UK-ENG", "UK-CONSENT-EXPLICIT", "added by the checklist"),
        ("UK-ENG", "UK-CL-CONSENT", "added by the checklist"),
        ("UK-ENG", "UK-ANON-NOT-PERSONAL-DATA", "added by the checklist"),
        ("US", "US-HIPAA-AUTH-508", "added by the checklist"),
        ("US", "US-42CFR2-2.31-CONSENT", "added by the checklist"),
        ("US", "US-FERPA-99.30-CONSENT", "added by the checklist"),
        ("US", "US-HIPAA-514B-DEID", "added by the checklist"),
        ("US", "US-FERPA-99.31B-DEID", "added by the checklist"),
    ],
)
def test_claim_codes_must_be_claimable_codes_of_the_side(
    jurisdiction: str, code: str, message: str
) -> None:
    document = override_share(jurisdiction)
    document["answers"]["Q11_override_basis"]["claims"].append(yes(code))
    problems = refused(document)
    assert list(problems) == ["answers.Q11_override_basis.claims.2.code"] or list(problems) == [
        "answers.Q11_override_basis.claims.1.code"
    ]
    assert message in next(iter(problems.values()))


def test_an_unknown_code_reaching_the_subtype_rule_is_invalid_input() -> None:
    document = override_share(claims=[yes("UK-GDPR-6-1-E"), yes("UK-MADE-UP")])
    document = answer(document, "Q2_purpose", purpose_code="OTHER")
    assert set(refused(document)) == {"answers.Q11_override_basis.claims.1.code"}


def test_us_hipaa_510b_may_be_claimed() -> None:
    document = override_share("US", claims=[yes("US-HIPAA-510B")])
    assert evaluate(document)["basis_codes"] == ["US-HIPAA-510B"]


def test_claim_codes_are_checked_in_unreached_answers_too() -> None:
    document = answer(consent_share(), "Q3_emergency", claims=[claim("UK-NOT-A-CODE", "NO")])
    document = answer(document, "Q7_compelled", claims=[yes("US-HIPAA-512C")])
    assert set(refused(document)) == {
        "answers.Q3_emergency.claims.0.code",
        "answers.Q7_compelled.claims.0.code",
    }


def test_attest_keys_only_on_their_code() -> None:
    document = override_share(
        claims=[yes("UK-GDPR-6-1-E", para18_reason="CONSENT_CANNOT_BE_GIVEN")]
    )
    assert set(refused(document)) == {"answers.Q11_override_basis.claims.0.attest.para18_reason"}


@pytest.mark.parametrize(
    "instrument",
    [
        "COURT_ORDERED_WARRANT",
        "JUDICIAL_SUBPOENA",
        "GRAND_JURY_SUBPOENA",
        "ATTORNEY_SUBPOENA",
        "ADMINISTRATIVE_REQUEST",
    ],
)
def test_us_only_instrument_types_are_refused_in_the_uk(instrument: str) -> None:
    assert set(refused(compelled_share("UK-SCO", instrument))) == {
        "answers.Q7_compelled.instrument_type"
    }
    assert evaluate(compelled_share("US", instrument))["outcome"] == "SHARE_WITHOUT_CONSENT"


@pytest.mark.parametrize(
    ("jurisdiction", "form"),
    [
        ("UK-NI", "HIPAA_AUTHORIZATION"),
        ("UK-ENG", "PART2_CONSENT"),
        ("US", "EXPLICIT_WRITTEN"),
        ("US", "IMPLIED_DIRECT_CARE"),
    ],
)
def test_consent_forms_of_the_other_side_are_refused(jurisdiction: str, form: str) -> None:
    document = answer(consent_share(jurisdiction), "Q10_seek_consent", consent_forms=[form])
    assert set(refused(document)) == {"answers.Q10_seek_consent.consent_forms.0"}


def test_q14_others_need_a_status_and_q14_a_status() -> None:
    document = answer(consent_share(), "Q14_inform", others=[{"who": "Mother"}])
    assert set(refused(document)) == {"answers.Q14_inform.others.0.status"}
    document = answer(consent_share(), "Q14_inform", status=None, narrative="Told.")
    assert set(refused(document)) == {"answers.Q14_inform.status"}


@pytest.mark.parametrize(
    ("question", "fields", "field"),
    [
        ("Q14_inform", {"review_date": "2025-6-1"}, "answers.Q14_inform.review_date"),
        (
            "Q17_record",
            {"disclosure_at": "2025-04-01T10:00:00"},
            "answers.Q17_record.disclosure_at",
        ),
    ],
)
def test_dates_and_datetimes_follow_rfc_3339(
    question: str, fields: dict[str, Any], field: str
) -> None:
    assert set(refused(answer(consent_share(), question, **fields))) == {field}


def test_every_problem_is_reported_at_once() -> None:
    document = answer(consent_share(), "Q3_emergency", immediate_risk=True, claims=[yes("UK-X")])
    document = answer(document, "Q10_seek_consent", consent_forms=["PART2_CONSENT"])
    assert set(refused(document)) == {
        "answers.Q3_emergency.claims.0.code",
        "answers.Q10_seek_consent.consent_forms.0",
        "answers.Q3_emergency.nature_of_emergency",
        "answers.Q3_emergency.why_no_time",
    }


def test_messages_never_quote_the_input() -> None:
    secret = "Child disclosed abuse by uncle"
    document = override_share(claims=[yes(secret)])
    assert all(secret not in message for message in refused(document).values())


@pytest.mark.parametrize("other", [Jurisdiction.UK_WAL, Jurisdiction.US])
@pytest.mark.parametrize("build", [consent_share, override_share, compelled_share])
def test_a_pack_for_another_jurisdiction_is_refused(build: Any, other: Jurisdiction) -> None:
    document = build("UK-ENG", "COURT_ORDER") if build is compelled_share else build("UK-ENG")
    document = answer(document, "Q2_purpose", purpose_code="OTHER")
    with pytest.raises(InvalidDocument) as caught:
        evaluate(document, builtin_pack(other))
    assert "jurisdiction" in {detail["field"] for detail in caught.value.details}


CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "cases"


def test_a_claim_in_an_unreached_question_may_lack_its_required_fields() -> None:
    """§8.5: unreached answers are checked for unknown fields and types, not missing ones."""
    case = json.loads((CASES_DIR / "UK-ENG-01.json").read_text(encoding="utf-8"))
    document = case["input"]
    document["answers"]["Q2_purpose"]["legitimate"] = "NO"  # decided at Q2: Q11 never reached
    document["answers"]["Q11_override_basis"]["claims"].append({"justification": "unfinished"})
    assert evaluate(document)["outcome"] == "DO_NOT_SHARE"
    document["answers"]["Q11_override_basis"]["claims"].append({"code": 7})
    with pytest.raises(InvalidDocument):  # a wrong type is wrong even where unreached
        evaluate(document)


def test_a_claim_in_a_reached_question_needs_its_code_and_judgement() -> None:
    case = json.loads((CASES_DIR / "UK-ENG-01.json").read_text(encoding="utf-8"))
    document = case["input"]
    document["answers"]["Q11_override_basis"]["claims"].append({"justification": "unfinished"})
    with pytest.raises(InvalidDocument) as refused:
        evaluate(document)
    fields = {d["field"] for d in refused.value.details}
    assert "answers.Q11_override_basis.claims.5.code" in fields
    assert "answers.Q11_override_basis.claims.5.conditions_met" in fields
