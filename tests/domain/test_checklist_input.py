from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from desktop.domain.base import MAX_ITEMS, MAX_STR
from desktop.domain.checklist_input import (
    ATTEST_KEY_CODES,
    QUESTION_IDS,
    Answers,
    ChecklistInput,
    Q2Purpose,
)
from desktop.domain.enums import Judgement, Origin, PurposeCode, RecipientKind
from desktop.domain.strict_json import validate_document
from tests.domain.helpers import CASES_DIR, case_input, invalid_fields

CASE_NAMES = sorted(p.stem for p in CASES_DIR.glob("*.json"))


def minimal_input(**answers: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "jurisdiction": "UK-ENG",
        "regimes": ["UK_GDPR"],
        "answers": {
            "Q2_purpose": {
                "purpose_code": "SAFEGUARDING_ADULT",
                "purpose_statement": "Raise a safeguarding concern.",
                "legitimate": "YES",
                "origin": "PROACTIVE",
            },
            "Q3_emergency": {"immediate_risk": False},
            "Q4_recipient": {
                "recipients": [
                    {
                        "role_title": "Safeguarding officer",
                        "organisation": "Adult social care",
                        "identified": True,
                        "has_role_in_purpose": "YES",
                    }
                ]
            },
            "Q6_information_type": {"info_types": ["CONFIDENTIAL"]},
        },
    }
    document["answers"].update(answers)
    return document


def test_all_reference_cases_are_present() -> None:
    assert len(CASE_NAMES) == 16


@pytest.mark.parametrize("name", CASE_NAMES)
def test_reference_case_input_validates_and_round_trips(name: str) -> None:
    model = validate_document(ChecklistInput, case_input(name))
    document = model.to_document()
    assert set(document["answers"]) <= set(QUESTION_IDS)
    again = validate_document(ChecklistInput, json.loads(json.dumps(document)))
    assert again == model
    assert again.to_document() == document


def test_question_ids_are_the_contract_ids_in_order() -> None:
    assert QUESTION_IDS[0] == "Q1_jurisdiction"
    assert QUESTION_IDS[16] == "Q17_record"
    assert len(QUESTION_IDS) == 17


def test_defaults_are_the_contract_defaults() -> None:
    model = validate_document(
        ChecklistInput,
        minimal_input(
            Q3_emergency={
                "immediate_risk": True,
                "claims": [{"code": "X", "conditions_met": "NO"}],
            },
            Q10_seek_consent={},
            Q12_minimum_necessary={},
            Q17_record={"record_created_at": "2025-01-02T03:04:05+01:00"},
        ),
    )
    answers = model.answers
    assert answers.q4_recipient.recipients[0].kind is RecipientKind.OTHER
    assert answers.q3_emergency.claims[0].attest.model_dump(exclude_none=True) == {}
    assert answers.q10_seek_consent is not None
    assert answers.q10_seek_consent.withdrawal_covers_scope is True
    assert answers.q10_seek_consent.claims == []
    assert answers.q12_minimum_necessary is not None
    assert answers.q12_minimum_necessary.items == []
    assert answers.q12_minimum_necessary.whole_record_disclosed is False
    assert answers.q17_record is not None
    assert answers.q17_record.as_of == answers.q17_record.record_created_at
    assert answers.q1_jurisdiction is None
    assert answers.q14_inform is None


def test_unreached_answers_may_omit_their_required_fields() -> None:
    model = validate_document(
        ChecklistInput,
        minimal_input(
            Q5_identifiable={},
            Q7_compelled={},
            Q8_protection_concern={},
            Q9_who_consents={},
            Q10_seek_consent={},
            Q11_override_basis={"override_screen": {}},
        ),
    )
    assert model.answers.q10_seek_consent is not None
    assert model.answers.q10_seek_consent.consent_sought is None


def test_unreached_answers_are_still_type_checked() -> None:
    errors = invalid_fields(
        ChecklistInput,
        minimal_input(
            Q10_seek_consent={"consent_sought": "true", "colour": "blue"},
            Q11_override_basis={"override_screen": {"serious_crime": 0}},
        ),
    )
    assert errors == {
        "answers.Q10_seek_consent.consent_sought": "must be true or false",
        "answers.Q10_seek_consent.colour": "unknown field",
        "answers.Q11_override_basis.override_screen.serious_crime": "must be true or false",
    }


def test_python_callers_may_use_field_names() -> None:
    purpose = Q2Purpose(
        purpose_code=PurposeCode.OTHER,
        purpose_statement="x",
        legitimate=Judgement.NO,
        origin=Origin.REQUEST,
    )
    base = validate_document(ChecklistInput, minimal_input()).answers
    answers = Answers(
        q2_purpose=purpose,
        q3_emergency=base.q3_emergency,
        q4_recipient=base.q4_recipient,
        q6_information_type=base.q6_information_type,
    )
    assert answers.to_document()["Q2_purpose"]["origin"] == "REQUEST"
    assert "Q2_purpose" in answers.model_dump()


Edit = Callable[[dict[str, Any]], None]


def _answers(doc: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = doc["answers"]
    return answers


def _recipient(doc: dict[str, Any]) -> dict[str, Any]:
    recipient: dict[str, Any] = _answers(doc)["Q4_recipient"]["recipients"][0]
    return recipient


INVALID: list[tuple[str, Edit, str, str]] = [
    (
        "string for bool",
        lambda d: _answers(d)["Q3_emergency"].update(immediate_risk="true"),
        "answers.Q3_emergency.immediate_risk",
        "must be true or false",
    ),
    (
        "int for bool",
        lambda d: _recipient(d).update(identified=1),
        "answers.Q4_recipient.recipients.0.identified",
        "must be true or false",
    ),
    (
        "string for int",
        lambda d: _answers(d).update(Q9_who_consents={"subject_age": "1"}),
        "answers.Q9_who_consents.subject_age",
        "must be an integer",
    ),
    (
        "bool for int",
        lambda d: _answers(d).update(Q9_who_consents={"subject_age": True}),
        "answers.Q9_who_consents.subject_age",
        "must be an integer",
    ),
    (
        "float for int",
        lambda d: _answers(d).update(Q9_who_consents={"subject_age": 14.0}),
        "answers.Q9_who_consents.subject_age",
        "must be an integer",
    ),
    (
        "int for string",
        lambda d: _recipient(d).update(name=1),
        "answers.Q4_recipient.recipients.0.name",
        "must be a string",
    ),
    (
        "object for list",
        lambda d: _answers(d)["Q6_information_type"].update(info_types={"a": 1}),
        "answers.Q6_information_type.info_types",
        "must be a list",
    ),
    (
        "string for answer object",
        lambda d: _answers(d).update(Q3_emergency="no"),
        "answers.Q3_emergency",
        "must be an object",
    ),
    (
        "enum in lower case",
        lambda d: _answers(d)["Q2_purpose"].update(legitimate="yes"),
        "answers.Q2_purpose.legitimate",
        "Input should be 'YES', 'NO' or 'UNSURE'",
    ),
    (
        "enum as an int",
        lambda d: _recipient(d).update(has_role_in_purpose=1),
        "answers.Q4_recipient.recipients.0.has_role_in_purpose",
        "Input should be 'YES', 'NO' or 'UNSURE'",
    ),
    (
        "jurisdiction in lower case",
        lambda d: d.update(jurisdiction="uk-eng"),
        "jurisdiction",
        "Input should be 'UK-ENG', 'UK-WAL', 'UK-SCO', 'UK-NI' or 'US'",
    ),
    (
        "naive datetime",
        lambda d: _answers(d).update(Q17_record={"disclosure_at": "2025-03-10T11:20:00"}),
        "answers.Q17_record.disclosure_at",
        "must be an RFC 3339 date-time with a UTC offset, such as 2025-03-10T11:20:00Z",
    ),
    (
        "date for datetime",
        lambda d: _answers(d).update(Q17_record={"disclosure_at": "2025-03-10"}),
        "answers.Q17_record.disclosure_at",
        "must be an RFC 3339 date-time with a UTC offset, such as 2025-03-10T11:20:00Z",
    ),
    (
        "unix time for datetime",
        lambda d: _answers(d).update(Q10_seek_consent={"withdrawn_at": 1_700_000_000}),
        "answers.Q10_seek_consent.withdrawn_at",
        "must be an RFC 3339 date-time with a UTC offset",
    ),
    (
        "impossible datetime",
        lambda d: _answers(d).update(Q17_record={"as_of": "2025-02-30T00:00:00Z"}),
        "answers.Q17_record.as_of",
        "is not a real date-time",
    ),
    (
        "datetime for date",
        lambda d: _answers(d).update(
            Q14_inform={"status": "BEFORE", "review_date": "2025-03-12T00:00:00Z"}
        ),
        "answers.Q14_inform.review_date",
        "must be a date written YYYY-MM-DD",
    ),
    (
        "unknown top-level field",
        lambda d: d.update(colour="blue"),
        "colour",
        "unknown field",
    ),
    (
        "unknown question id",
        lambda d: _answers(d).update(Q18_extra={}),
        "answers.Q18_extra",
        "unknown field",
    ),
    (
        "unknown recipient field",
        lambda d: _recipient(d).update(phone="0"),
        "answers.Q4_recipient.recipients.0.phone",
        "unknown field",
    ),
    (
        "unknown attest key",
        lambda d: _answers(d)["Q3_emergency"].update(
            claims=[{"code": "X", "conditions_met": "YES", "attest": {"sure": True}}]
        ),
        "answers.Q3_emergency.claims.0.attest.sure",
        "unknown field",
    ),
    (
        "missing purpose statement",
        lambda d: _answers(d)["Q2_purpose"].pop("purpose_statement"),
        "answers.Q2_purpose.purpose_statement",
        "required field is missing",
    ),
    (
        "empty purpose statement",
        lambda d: _answers(d)["Q2_purpose"].update(purpose_statement=""),
        "answers.Q2_purpose.purpose_statement",
        "must not be empty",
    ),
    (
        "missing recipient role",
        lambda d: _recipient(d).pop("role_title"),
        "answers.Q4_recipient.recipients.0.role_title",
        "required field is missing",
    ),
    (
        "empty recipient organisation",
        lambda d: _recipient(d).update(organisation=""),
        "answers.Q4_recipient.recipients.0.organisation",
        "must not be empty",
    ),
    (
        "no recipients",
        lambda d: _answers(d)["Q4_recipient"].update(recipients=[]),
        "answers.Q4_recipient.recipients",
        "List should have at least 1 item after validation, not 0",
    ),
    (
        "missing Q6",
        lambda d: _answers(d).pop("Q6_information_type"),
        "answers.Q6_information_type",
        "required field is missing",
    ),
    (
        "Q14 without status",
        lambda d: _answers(d).update(Q14_inform={"narrative": "x"}),
        "answers.Q14_inform.status",
        "required field is missing",
    ),
    (
        "Q14 other without status",
        lambda d: _answers(d).update(Q14_inform={"status": "BEFORE", "others": [{"who": "Dad"}]}),
        "answers.Q14_inform.others.0.status",
        "required field is missing",
    ),
    (
        "Q17 suspension without received_at",
        lambda d: _answers(d).update(
            Q17_record={"accounting_suspension": {"statement_type": "ORAL"}}
        ),
        "answers.Q17_record.accounting_suspension.received_at",
        "required field is missing",
    ),
    (
        "no regimes",
        lambda d: d.update(regimes=[]),
        "regimes",
        "List should have at least 1 item after validation, not 0",
    ),
    (
        "US regime in the UK",
        lambda d: d.update(regimes=["UK_GDPR", "HIPAA"]),
        "regimes.1",
        "HIPAA is not allowed for jurisdiction UK-ENG",
    ),
    (
        "UK regime in the US",
        lambda d: d.update(jurisdiction="US", regimes=["CL_CONFIDENCE"]),
        "regimes.0",
        "CL_CONFIDENCE is not allowed for jurisdiction US",
    ),
    (
        "STATE_ONLY with another regime",
        lambda d: d.update(jurisdiction="US", regimes=["HIPAA", "STATE_ONLY"]),
        "regimes",
        "STATE_ONLY means no federal regime applies, so it must appear alone",
    ),
    (
        "attest key on the wrong code",
        lambda d: _answers(d)["Q3_emergency"].update(
            claims=[
                {
                    "code": "UK-GDPR-9-2-G",
                    "conditions_met": "YES",
                    "attest": {"para18_reason": "CANNOT_REASONABLY_OBTAIN"},
                }
            ]
        ),
        "answers.Q3_emergency.claims.0.attest.para18_reason",
        "only a claim of UK-DPA-S1-P18 may attest this",
    ),
    (
        "string over the limit",
        lambda d: _answers(d)["Q2_purpose"].update(purpose_statement="x" * (MAX_STR + 1)),
        "answers.Q2_purpose.purpose_statement",
        f"String should have at most {MAX_STR} characters",
    ),
    (
        "list over the limit",
        lambda d: _answers(d)["Q3_emergency"].update(
            claims=[{"code": "X", "conditions_met": "NO"}] * (MAX_ITEMS + 1)
        ),
        "answers.Q3_emergency.claims",
        f"List should have at most {MAX_ITEMS} items after validation, not {MAX_ITEMS + 1}",
    ),
]


@pytest.mark.parametrize(
    ("edit", "field", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_input_names_the_field(edit: Edit, field: str, message: str) -> None:
    document = minimal_input()
    edit(document)
    assert invalid_fields(ChecklistInput, document) == {field: message}


def test_python_field_names_are_not_contract_field_names() -> None:
    document = minimal_input()
    document["answers"]["q2_purpose"] = document["answers"].pop("Q2_purpose")
    assert invalid_fields(ChecklistInput, document) == {
        "answers.Q2_purpose": "required field is missing",
        "answers.q2_purpose": "unknown field",
    }


@pytest.mark.parametrize(("key", "code"), sorted(ATTEST_KEY_CODES.items()))
def test_each_attest_key_is_accepted_on_its_own_code(key: str, code: str) -> None:
    value: object = "A credible threat" if key == "threat_description" else True
    if key == "para18_reason":
        value = "CONSENT_CANNOT_BE_GIVEN"
    claim = {"code": code, "conditions_met": "YES", "attest": {key: value}}
    model = validate_document(ChecklistInput, minimal_input(Q11_override_basis={"claims": [claim]}))
    assert model.answers.q11_override_basis is not None
    assert getattr(model.answers.q11_override_basis.claims[0].attest, key) is not None


def test_a_null_attest_key_on_another_code_is_not_an_attestation() -> None:
    claim = {"code": "UK-GDPR-6-1-E", "conditions_met": "YES", "attest": {"para18_reason": None}}
    validate_document(ChecklistInput, minimal_input(Q11_override_basis={"claims": [claim]}))


def test_rfc3339_offsets_and_fractions_are_accepted() -> None:
    model = validate_document(
        ChecklistInput,
        minimal_input(
            Q17_record={
                "disclosure_at": "2025-03-10t11:20:00.1234567z",
                "record_created_at": "2025-03-10T12:20:00-05:30",
            }
        ),
    )
    record = model.answers.q17_record
    assert record is not None
    assert record.disclosure_at is not None
    assert record.disclosure_at.microsecond == 123456
    assert record.record_created_at is not None
    assert record.record_created_at.utcoffset() is not None
