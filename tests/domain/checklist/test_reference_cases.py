"""The contract's reference cases (tests/domain/data/cases): every expected key holds."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.checklist import builtin_pack, evaluate
from desktop.domain.checklist_output import ChecklistOutput
from desktop.domain.enums import Jurisdiction
from desktop.domain.strict_json import validate_document
from tests.domain.checklist.builders import ids
from tests.domain.helpers import CASES_DIR, case_input, load_case

CASES = sorted(path.stem for path in CASES_DIR.glob("*.json"))


def test_all_sixteen_reference_cases_are_here() -> None:
    assert len(CASES) == 16


@pytest.mark.parametrize("name", CASES)
def test_reference_case(name: str) -> None:
    expected: dict[str, Any] = load_case(name)["expected"]
    document = case_input(name)
    output = evaluate(document)
    validate_document(ChecklistOutput, output)
    assert output["outcome"] == expected["outcome"]
    assert output["subtype"] == expected["subtype"]
    assert ids(output["blocks"]) == expected["blocks"]
    assert set(expected["basis_codes_include"]) <= set(output["basis_codes"])
    assert set(expected["flags_include"]) <= set(ids(output["flags"]))
    assert output["inform_subject"]["decision"] == expected["inform_subject_decision"]
    assert output["requires_supervisor_signoff"] == expected["requires_supervisor_signoff"]


@pytest.mark.parametrize("name", CASES)
def test_reference_case_messages_are_the_packs(name: str) -> None:
    document = case_input(name)
    pack = builtin_pack(Jurisdiction(document["jurisdiction"]))
    output = evaluate(document)
    for issue in output["blocks"] + output["flags"]:
        assert issue["message"] == pack.validation_by_id[issue["id"]].message


@pytest.mark.parametrize("name", CASES)
def test_evaluation_does_not_change_its_input(name: str) -> None:
    document = case_input(name)
    evaluate(document)
    assert document == case_input(name)
