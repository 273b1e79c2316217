from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from desktop.domain.base import MAX_STR
from desktop.domain.checklist_input import ChecklistInput
from desktop.domain.errors import InvalidDocument
from desktop.domain.records import STORE_ASSIGNED_FIELDS, RecordBody
from desktop.domain.strict_json import (
    MAX_RECORD_BYTES,
    loads_strict,
    parse_document,
    parse_record_body,
    validate_document,
    validation_error_details,
)
from tests.factories import uk_share_body

MARKER = "Zephyrine-Quillfeather-7731"
"""Stands in for confidential case content: it must never appear in an error."""


def load_error(raw: bytes, **kwargs: Any) -> InvalidDocument:
    with pytest.raises(InvalidDocument) as caught:
        loads_strict(raw, max_bytes=kwargs.pop("max_bytes", 1 << 20), **kwargs)
    return caught.value


def assert_not_echoed(error: InvalidDocument) -> None:
    assert MARKER not in str(error)
    assert MARKER not in json.dumps(error.to_error_document())


def test_reads_an_ordinary_document() -> None:
    raw = b'{"a": [1, -2, true, null, "x\\u00e9\\ud83d\\ude00"], "b": {"c": "[{\\"}"}}'
    assert loads_strict(raw, max_bytes=1000) == {
        "a": [1, -2, True, None, "xé😀"],
        "b": {"c": '[{"}'},
    }


def test_rejects_a_document_over_the_size_limit() -> None:
    error = load_error(b"[" + b"1," * 100 + b"1]", max_bytes=100)
    assert error.details == [{"field": "$", "message": "the document is larger than 100 bytes"}]


def test_rejects_duplicate_keys_naming_the_duplicate() -> None:
    raw = f'{{"a": {{"b": [0, {{"c": "{MARKER}", "c": 2}}]}}}}'.encode()
    error = load_error(raw)
    assert error.details == [{"field": "a.b.1.c", "message": "duplicate key"}]
    assert_not_echoed(error)


def test_same_key_in_sibling_objects_is_not_a_duplicate() -> None:
    assert loads_strict(b'[{"a": 1}, {"a": 2}]', max_bytes=100) == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_rejects_nan_and_infinity(constant: str) -> None:
    raw = f'{{"x": "{MARKER}", "y": [1, {constant}]}}'.encode()
    error = load_error(raw)
    assert error.details == [{"field": "y.1", "message": "NaN and Infinity are not allowed"}]
    assert_not_echoed(error)


def test_nan_inside_a_string_is_just_text() -> None:
    assert loads_strict(b'{"x": "NaN, Infinity"}', max_bytes=100) == {"x": "NaN, Infinity"}


def test_deep_object_nesting_is_rejected_before_parsing() -> None:
    depth = 10_000
    raw = b'{"notes": ' + b'{"a": ' * depth + f'"{MARKER}"'.encode() + b"}" * (depth + 1)
    error = load_error(raw)
    assert error.message == "nested deeper than 64 levels"
    assert error.path.startswith("notes.a.a.a.a.a.…")
    assert_not_echoed(error)


def test_deep_array_nesting_is_rejected_before_parsing() -> None:
    error = load_error(b"[" * 10_000 + b"]" * 10_000)
    assert error.message == "nested deeper than 64 levels"
    assert error.path.startswith("0.0.0")


def test_nesting_up_to_the_limit_is_read() -> None:
    raw = b"[" * 64 + b"]" * 64
    assert loads_strict(raw, max_bytes=1000) is not None
    assert load_error(b"[" * 65 + b"]" * 65).message == "nested deeper than 64 levels"
    assert load_error(b"[[[]]]", max_depth=2).message == "nested deeper than 2 levels"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    raw = json.dumps({"a": "[" * 1000, "b": '\\"{' * 1000}).encode()
    assert loads_strict(raw, max_bytes=100_000) == json.loads(raw)


def test_rejects_invalid_utf8_with_its_byte_offset() -> None:
    raw = b'{"x": "' + MARKER.encode() + b'\xff"}'
    error = load_error(raw)
    assert error.details == [
        {"field": "$", "message": f"invalid UTF-8 at byte offset {7 + len(MARKER)}"}
    ]
    assert_not_echoed(error)


def test_rejects_a_byte_order_mark() -> None:
    assert "byte order mark" in load_error(b"\xef\xbb\xbf{}").message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (f'{{"notes": "{MARKER}\\ud800"}}', "notes"),
        (f'{{"a": ["ok", "\\udfff{MARKER}"]}}', "a.1"),
        ('{"a": {"\\ud800": 1}}', "a.\\ud800"),
    ],
)
def test_rejects_lone_surrogates(raw: str, field: str) -> None:
    error = load_error(raw.encode())
    assert error.details == [
        {"field": field, "message": "text contains a lone surrogate (not valid Unicode)"}
    ]
    assert_not_echoed(error)


def test_rejects_an_integer_too_long_to_read() -> None:
    raw = f'{{"x": "{MARKER}", "n": [{"9" * 5000}]}}'.encode()
    error = load_error(raw)
    assert error.details == [{"field": "n.0", "message": "integer has more than 4300 digits"}]
    assert_not_echoed(error)


def test_rejects_a_syntax_error_with_its_position() -> None:
    error = load_error(f'{{"x": "{MARKER}",}}'.encode())
    assert error.message.startswith("not valid JSON: Expecting property name")
    assert "line 1 column" in error.message
    assert_not_echoed(error)


def record_error(document: object) -> InvalidDocument:
    with pytest.raises(InvalidDocument) as caught:
        parse_record_body(json.dumps(document).encode())
    return caught.value


def test_parse_record_body_reads_a_record() -> None:
    body = parse_record_body(json.dumps(uk_share_body()).encode())
    assert isinstance(body, RecordBody)


def test_parse_record_body_ignores_store_assigned_fields() -> None:
    shown = uk_share_body(
        id="0b8f8a8e-3c1d-4f5e-9a7b-2c3d4e5f6a7b",
        version=3,
        hash="f" * 64,
        prev_hash="e" * 64,
        created_at="2025-03-10T12:05:00Z",
        created_by={"name": "A", "role": "B", "organisation": "C"},
        amend_reason="typo",
        retention_until="2032-03-10",
    )
    assert set(shown) >= STORE_ASSIGNED_FIELDS
    assert parse_record_body(json.dumps(shown).encode()) == parse_record_body(
        json.dumps(uk_share_body()).encode()
    )


def test_parse_record_body_still_rejects_unknown_fields() -> None:
    error = record_error(uk_share_body(outcome="SHARE_WITH_CONSENT"))
    assert error.details == [{"field": "outcome", "message": "unknown field"}]


def test_parse_record_body_needs_an_object() -> None:
    assert record_error([uk_share_body()]).details == [
        {"field": "$", "message": "must be an object"}
    ]


def test_a_100_mb_note_is_rejected_by_its_field_limit() -> None:
    size = 100 * 1024 * 1024
    head = json.dumps(uk_share_body(notes="")).encode()
    raw = head[: head.rindex(b'"notes": ""')] + b'"notes": "' + b"x" * size + b'"}'
    assert len(raw) < MAX_RECORD_BYTES
    with pytest.raises(InvalidDocument) as caught:
        parse_record_body(raw)
    del raw
    assert caught.value.details == [
        {"field": "notes", "message": f"String should have at most {MAX_STR} characters"}
    ]


INVALID_RECORDS: list[tuple[str, dict[str, Any], str]] = [
    ("unknown field", uk_share_body(comment=MARKER), "comment"),
    ("wrong type", uk_share_body(notes=[MARKER]), "notes"),
    ("wrong enum", uk_share_body(status=MARKER), "status"),
    ("bad datetime", uk_share_body(decision_at=f"2025-01-01T{MARKER}"), "decision_at"),
    (
        "bad date",
        uk_share_body(subject={"subject_id": "S", "role": "CHILD", "date_of_birth": MARKER}),
        "subject.date_of_birth",
    ),
    ("too long", uk_share_body(case={"case_id": MARKER * 10}), "case.case_id"),
    (
        "int for string",
        uk_share_body(subject={"subject_id": MARKER, "role": "CHILD", "name": 1}),
        "subject.name",
    ),
]


@pytest.mark.parametrize(
    ("document", "field"), [c[1:] for c in INVALID_RECORDS], ids=[c[0] for c in INVALID_RECORDS]
)
def test_validation_errors_name_the_field_and_never_echo_input(
    document: dict[str, Any], field: str
) -> None:
    error = record_error(document)
    assert [d["field"] for d in error.details] == [field]
    assert_not_echoed(error)


def test_validation_error_details_use_dotted_contract_paths() -> None:
    document = uk_share_body()
    del document["checklist"]["answers"]["Q4_recipient"]["recipients"][0]["organisation"]
    with pytest.raises(ValidationError) as caught:
        RecordBody.model_validate(document)
    assert validation_error_details(caught.value) == [
        {
            "field": "checklist.answers.Q4_recipient.recipients.0.organisation",
            "message": "required field is missing",
        }
    ]


def test_validate_document_rejects_python_field_names() -> None:
    document = uk_share_body()
    answers = document["checklist"]["answers"]
    answers["q14_inform"] = answers.pop("Q14_inform")
    error = record_error(document)
    assert error.details == [{"field": "checklist.answers.q14_inform", "message": "unknown field"}]


def test_error_document_shape() -> None:
    with pytest.raises(InvalidDocument) as caught:
        validate_document(ChecklistInput, {"jurisdiction": "US"})
    document = caught.value.to_error_document()
    assert document["error"] == "INVALID_INPUT"
    assert {"field": "regimes", "message": "required field is missing"} in document["details"]
    assert caught.value.path == "regimes"


def test_parse_document_reads_a_checklist_input() -> None:
    raw = json.dumps(uk_share_body()["checklist"]).encode()
    model = parse_document(ChecklistInput, raw, max_bytes=10_000)
    assert model.jurisdiction == "UK-ENG"
