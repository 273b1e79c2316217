from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.canonical import (
    MAX_SAFE_INTEGER,
    canonical_json,
    canonical_json_with_array,
    sha256_hex,
)
from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from tests.factories import dns_body, uk_share_body, us_share_body

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
KEYS = st.text(alphabet=st.characters(max_codepoint=127))
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_equals_rfc8785_for_our_value_space(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(JSON_VALUES)
def test_is_valid_json_that_reads_back_equal(value: Any) -> None:
    assert json.loads(canonical_json(value)) == value


@pytest.mark.parametrize("factory", [uk_share_body, us_share_body, dns_body])
def test_record_documents_are_canonical_jcs(factory: Any) -> None:
    document = validate_document(RecordBody, factory()).to_document()
    assert canonical_json(document) == rfc8785.dumps(document)


def test_escapes_control_characters_like_jcs() -> None:
    value = {"b": '\u0001\n\t"\\\u007f\u2028é😀', "a": [1, True, None]}
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value).startswith(b'{"a":[1,true,null],"b":"\\u0001\\n\\t')


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        {"a": [0.0]},
        "lone \ud800",
        {"k\udc00": 1},
        {"ké": 1},
        MAX_SAFE_INTEGER + 1,
        -MAX_SAFE_INTEGER - 1,
        {1: "non-string key"},
    ],
)
def test_rejects_values_outside_the_space(value: object) -> None:
    with pytest.raises(ValueError, match="canonical JSON"):
        canonical_json(value)


def test_rejects_non_json_types() -> None:
    with pytest.raises(TypeError, match="set is not a JSON value"):
        canonical_json({"a": {1, 2}})


@given(st.dictionaries(KEYS, JSON_VALUES, max_size=5), KEYS, st.lists(JSON_VALUES, max_size=5))
def test_an_object_with_a_streamed_array_is_the_canonical_whole(
    fields: dict[str, Any], key: str, items: list[Any]
) -> None:
    fields.pop(key, None)
    streamed = canonical_json_with_array(fields, key, (canonical_json(item) for item in items))
    assert streamed == rfc8785.dumps({**fields, key: items})


def test_a_streamed_array_may_not_replace_a_field() -> None:
    with pytest.raises(ValueError, match="already a field"):
        canonical_json_with_array({"records": 1}, "records", [])


def test_sha256_hex() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256_hex(b"abc").startswith("ba7816bf")
