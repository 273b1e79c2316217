"""Properties over generated contract-valid inputs (strategies.checklist_inputs)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.checklist import evaluate, evaluate_with_trace
from desktop.domain.checklist.contract import UK_BASIS_CODES, US_BASIS_CODES
from desktop.domain.checklist_output import ChecklistOutput
from desktop.domain.enums import ConsentForm, InstrumentType, Judgement
from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import validate_document
from tests.domain.checklist.strategies import checklist_inputs

EXAMPLES = settings(max_examples=120, deadline=None)

ALWAYS_REQUIRED = {
    "Q2_purpose": ["purpose_code", "purpose_statement", "legitimate", "origin"],
    "Q3_emergency": ["immediate_risk"],
    "Q4_recipient": ["recipients"],
    "Q6_information_type": ["info_types"],
}
REQUIRED_WHEN_REACHED = {
    "Q5_identifiable": ["anonymised_sufficient"],
    "Q7_compelled": ["instrument_type"],
    "Q8_protection_concern": ["protection_concern"],
    "Q9_who_consents": ["capacity_test", "capacity_outcome", "decision_maker_role"],
    "Q10_seek_consent": ["consent_sought", "views"],
    "Q11_override_basis": ["override_screen"],
}


def _fields(error: InvalidDocument) -> set[str]:
    return {detail["field"] for detail in error.details}


@EXAMPLES
@given(checklist_inputs())
def test_valid_input_always_gives_a_contract_output(document: dict[str, Any]) -> None:
    output = evaluate(document)
    validate_document(ChecklistOutput, output)
    swc = output["outcome"] == "SHARE_WITHOUT_CONSENT"
    assert swc == (output["subtype"] is not None)
    if output["outcome"] == "DO_NOT_SHARE":
        assert output["basis_codes"] == []
        assert len(output["reason_codes"]) == 1
    else:
        assert output["reason_codes"] == []
    assert len(set(output["basis_codes"])) == len(output["basis_codes"])
    side = US_BASIS_CODES if document["jurisdiction"] == "US" else UK_BASIS_CODES
    assert set(output["basis_codes"]) <= side
    if output["flags"]:
        assert output["requires_supervisor_signoff"]
    if document["jurisdiction"] != "US":
        assert not any(output["accounting"].values())


@EXAMPLES
@given(checklist_inputs())
def test_the_trace_follows_the_procedure_to_its_end(document: dict[str, Any]) -> None:
    output, trace = evaluate_with_trace(document)
    assert output == evaluate(document)
    rules = [step for step in trace if step["kind"] == "rule"]
    assert rules[0]["id"] == "Q1_jurisdiction"
    assert rules[-2]["id"] == output["decided_at"]  # the last rule is §4.3's informing rule
    assert rules[-1]["id"] == "Q14_inform"
    raised = [step["id"] for step in trace if step["kind"] in ("block", "flag")]
    assert raised == sorted(
        [issue["id"] for issue in output["blocks"] + output["flags"]], key=lambda v: int(v[1:])
    )


@EXAMPLES
@given(checklist_inputs(), st.data())
def test_removing_an_always_required_field_names_it(
    document: dict[str, Any], data: st.DataObject
) -> None:
    question = data.draw(st.sampled_from(sorted(ALWAYS_REQUIRED)))
    field = data.draw(st.sampled_from([None, *ALWAYS_REQUIRED[question]]))
    broken = copy.deepcopy(document)
    if field is None:
        del broken["answers"][question]
        expected = f"answers.{question}"
    else:
        del broken["answers"][question][field]
        expected = f"answers.{question}.{field}"
    with pytest.raises(InvalidDocument) as caught:
        evaluate(broken)
    assert expected in _fields(caught.value)


@EXAMPLES
@given(checklist_inputs(), st.data())
def test_removing_a_required_field_of_a_reached_question_names_it(
    document: dict[str, Any], data: st.DataObject
) -> None:
    _, trace = evaluate_with_trace(document)
    reached = sorted({step["id"] for step in trace} & set(REQUIRED_WHEN_REACHED))
    if not reached:
        return
    question = data.draw(st.sampled_from(reached))
    field = data.draw(st.sampled_from([None, *REQUIRED_WHEN_REACHED[question]]))
    broken = copy.deepcopy(document)
    if field is None:
        del broken["answers"][question]
        expected = f"answers.{question}"
    else:
        broken["answers"][question].pop(field)
        expected = f"answers.{question}.{field}"
    with pytest.raises(InvalidDocument) as caught:
        evaluate(broken)
    assert expected in _fields(caught.value)


# Values that are valid somewhere in the contract, but perhaps not where they are put.
ANY_VALUE = st.one_of(
    st.sampled_from([None, "", 0, -1, True, [], {}, "2025-01-01T00:00:00Z", "NOT_A_VALUE"]),
    st.sampled_from(sorted(UK_BASIS_CODES | US_BASIS_CODES)),
    st.sampled_from([m.value for m in (*InstrumentType, *ConsentForm, *Judgement)]),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


@EXAMPLES
@given(checklist_inputs(), st.data())
def test_any_changed_value_gives_an_output_or_invalid_input_never_a_crash(
    document: dict[str, Any], data: st.DataObject
) -> None:
    broken = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(_paths(broken)))
        *parent_path, key = path
        parent: Any = broken
        for part in parent_path:
            parent = parent[part]
        parent[key] = data.draw(ANY_VALUE)
    try:
        output = evaluate(broken)
    except InvalidDocument as error:
        details = error.details
    else:
        validate_document(ChecklistOutput, output)
        return
    assert details
    assert all(detail["field"] and detail["message"] for detail in details)
