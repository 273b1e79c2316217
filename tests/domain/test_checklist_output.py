from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.checklist_output import ChecklistOutput
from desktop.domain.enums import Outcome, Subtype
from desktop.domain.strict_json import validate_document
from tests.domain.helpers import invalid_fields
from tests.factories import dns_body, uk_share_body


def uk_output(**changes: Any) -> dict[str, Any]:
    output: dict[str, Any] = uk_share_body()["decision"]
    output.update(changes)
    return output


def test_a_full_output_validates_and_round_trips() -> None:
    model = validate_document(ChecklistOutput, uk_output())
    assert model.outcome is Outcome.SHARE_WITHOUT_CONSENT
    assert model.subtype is Subtype.SAFEGUARDING_OVERRIDE
    assert validate_document(ChecklistOutput, model.to_document()) == model


def test_do_not_share_has_no_subtype_and_one_reason() -> None:
    model = validate_document(ChecklistOutput, dns_body()["decision"])
    assert model.subtype is None
    assert "subtype" not in model.to_document()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"subtype": None},
            "subtype",
            "required when the outcome is SHARE_WITHOUT_CONSENT",
        ),
        (
            {"outcome": "SHARE_WITH_CONSENT"},
            "subtype",
            "allowed only when the outcome is SHARE_WITHOUT_CONSENT",
        ),
        (
            {"reason_codes": ["NO_LAWFUL_BASIS"]},
            "reason_codes",
            "one reason code for DO_NOT_SHARE, none for other outcomes",
        ),
        (
            {"decided_at": "Q99_unknown"},
            "decided_at",
            "must be a question id such as Q11_override_basis",
        ),
        ({"blocks": [{"id": "V1"}]}, "blocks.0.message", "required field is missing"),
        ({"flags": [{"id": "", "message": "m"}]}, "flags.0.id", "must not be empty"),
        ({"inform_subject": {"decision": "MAYBE"}}, "inform_subject.decision", None),
        ({"accounting": {"hipaa_accountable": False}}, "accounting.part2_accountable", None),
        ({"extra": 1}, "extra", "unknown field"),
    ],
)
def test_invalid_output_names_the_field(
    changes: dict[str, Any], field: str, message: str | None
) -> None:
    errors = invalid_fields(ChecklistOutput, uk_output(**changes))
    assert field in errors
    if message is not None:
        assert errors[field] == message


def test_do_not_share_without_a_reason_is_invalid() -> None:
    output = dns_body()["decision"]
    output["reason_codes"] = []
    assert invalid_fields(ChecklistOutput, output) == {
        "reason_codes": "one reason code for DO_NOT_SHARE, none for other outcomes"
    }
