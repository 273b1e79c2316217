"""``evaluate_with_trace`` (``checklist evaluate --explain``) and ``questions`` (the form)."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.checklist import builtin_pack, evaluate_with_trace, questions
from desktop.domain.checklist_input import QUESTION_IDS
from desktop.domain.enums import Jurisdiction
from desktop.domain.errors import InvalidDocument
from tests.domain.checklist.builders import answer, consent_share, override_share, yes
from tests.domain.helpers import case_input


def test_the_trace_names_each_rule_with_the_packs_text_and_citations() -> None:
    output, trace = evaluate_with_trace(override_share())
    pack = builtin_pack(Jurisdiction.UK_ENG)
    rules = [(step["id"], step["rule"]) for step in trace]
    assert rules == [
        ("Q1_jurisdiction", "PACK"),
        ("Q2_purpose", "LEGITIMATE"),
        ("Q3_emergency", "NO_EMERGENCY"),
        ("Q4_recipient", "CONFIRMED"),
        ("Q5_identifiable", "IDENTIFIABLE"),
        ("Q6_information_type", "LAYERS"),
        ("Q7_compelled", "NONE"),
        ("Q8_protection_concern", "CONCERN"),
        ("Q9_who_consents", "RECORDED"),
        ("Q10_seek_consent", "CONSENT_NOT_BASIS"),
        ("Q11_override_basis", "OVERRIDE"),
        ("Q14_inform", "BEFORE"),
    ]
    for step in trace:
        question = pack.question_by_id[step["id"]]
        assert step["kind"] == "rule"
        assert step["title"] == question.title
        assert step["text"] == pack.rule_texts[f"{step['id']}.{step['rule']}"]
        assert step["rests_on"] == pack.citations(question.rests_on)
        assert step["rests_on"]
    assert output["decided_at"] == "Q11_override_basis"


def test_the_trace_explains_each_validation_raised_and_what_to_do() -> None:
    document = answer(
        override_share(claims=[yes("UK-STAT-CA1989-S47")]),
        "Q12_minimum_necessary",
        whole_record_disclosed=True,
    )
    output, trace = evaluate_with_trace(document)
    pack = builtin_pack(Jurisdiction.UK_ENG)
    raised = [step for step in trace if step["kind"] != "rule"]
    assert [(step["kind"], step["id"]) for step in raised] == [("block", "V1"), ("flag", "V5")]
    for step in raised:
        validation = pack.validation_by_id[step["id"]]
        assert step["title"] == validation.message
        assert step["text"] == validation.when
        assert step["what_to_do"] == validation.what_to_do
        assert step["rests_on"] == pack.citations(validation.rests_on)
    assert [issue["id"] for issue in output["blocks"] + output["flags"]] == ["V1", "V5"]


def test_the_trace_of_a_us_case_uses_the_us_pack() -> None:
    _, trace = evaluate_with_trace(case_input("US-03"))
    cited = " ".join(citation for step in trace for citation in step["rests_on"])
    assert "45 CFR 164.512" in cited
    assert "UK GDPR" not in cited


def test_the_trace_of_an_early_end_stops_there() -> None:
    _, trace = evaluate_with_trace(answer(consent_share(), "Q2_purpose", legitimate="UNSURE"))
    assert [(step["id"], step["rule"]) for step in trace] == [
        ("Q1_jurisdiction", "PACK"),
        ("Q2_purpose", "UNSURE"),
        ("Q14_inform", "BEFORE"),
    ]


def _field(parent: dict[str, Any], name: str) -> dict[str, Any]:
    """The field called name among a question's (or an object field's) fields."""
    (found,) = [field for field in parent["fields"] if field["name"] == name]
    return found


def test_questions_are_the_contracts_in_order_with_their_guidance() -> None:
    listed = questions("UK-ENG", ["UK_GDPR", "CL_CONFIDENCE"])
    assert [question["id"] for question in listed] == list(QUESTION_IDS)
    for question in listed:
        assert question["text"]
        assert question["help"]
        assert question["rests_on"]
        assert all({"id", "title", "citation"} == set(source) for source in question["rests_on"])
    assert [q["required"] for q in listed[:4]] == ["optional", "always", "always", "always"]


def test_question_values_the_jurisdiction_restricts_come_from_its_pack() -> None:
    uk = {q["id"]: q for q in questions("UK-WAL", ["UK_GDPR"])}
    us = {q["id"]: q for q in questions("US", ["HIPAA", "FERPA"])}
    assert _field(uk["Q1_jurisdiction"], "regimes")["allowed"] == ["UK_GDPR", "CL_CONFIDENCE"]
    assert _field(uk["Q7_compelled"], "instrument_type")["allowed"] == [
        "NONE",
        "STATUTE_DUTY",
        "MANDATED_REPORT",
        "COURT_ORDER",
        "POLICE_REQUEST_NO_ORDER",
    ]
    assert len(_field(us["Q7_compelled"], "instrument_type")["allowed"]) == 10
    assert _field(uk["Q10_seek_consent"], "consent_forms")["allowed"] == [
        "EXPLICIT_WRITTEN",
        "EXPLICIT_VERBAL",
        "IMPLIED_DIRECT_CARE",
    ]
    assert "EXPLICIT_WRITTEN" not in _field(us["Q10_seek_consent"], "consent_forms")["allowed"]
    code = _field(_field(uk["Q11_override_basis"], "claims"), "code")
    claimable = {c.code for c in builtin_pack(Jurisdiction.UK_WAL).basis_codes if c.claimable}
    assert set(code["allowed"]) == claimable
    assert "UK-CONSENT-EXPLICIT" not in code["allowed"]
    assert "UK-STAT-SSWBA2014-S128-S130" in code["allowed"]


def test_us_only_fields_are_shown_in_the_us_only() -> None:
    uk = {q["id"]: q for q in questions("UK-ENG", ["UK_GDPR"])}
    us = {q["id"]: q for q in questions("US", ["PART2"])}
    names = {q: [f["name"] for f in us[q]["fields"]] for q in us}
    assert "part2_court_order" in names["Q7_compelled"]
    assert "part2_court_order" not in [f["name"] for f in uk["Q7_compelled"]["fields"]]
    assert "accounting_suspension" not in [f["name"] for f in uk["Q17_record"]["fields"]]


def test_nested_fields_are_listed_for_the_form() -> None:
    q4 = {q["id"]: q for q in questions("UK-NI", ["UK_GDPR"])}["Q4_recipient"]
    recipients = _field(q4, "recipients")
    assert recipients["type"] == "list<object>"
    assert [f["name"] for f in recipients["fields"]][:3] == ["name", "role_title", "organisation"]
    assert _field(recipients, "has_role_in_purpose")["allowed"] == ["YES", "NO", "UNSURE"]


@pytest.mark.parametrize(
    ("jurisdiction", "regimes", "field"),
    [
        ("UK", ["UK_GDPR"], "jurisdiction"),
        ("US", ["UK_GDPR"], "regimes.0"),
        ("US", ["HIPAA", "MAGIC"], "regimes.1"),
        ("US", ["STATE_ONLY", "HIPAA"], "regimes"),
        ("UK-ENG", [], "regimes"),
    ],
)
def test_questions_refuse_a_bad_jurisdiction_or_regimes(
    jurisdiction: str, regimes: list[str], field: str
) -> None:
    with pytest.raises(InvalidDocument) as caught:
        questions(jurisdiction, regimes)
    assert field in {detail["field"] for detail in caught.value.details}
