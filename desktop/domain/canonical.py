"""Canonical JSON (RFC 8785, JCS) for the documents the product hashes and signs."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping

MAX_SAFE_INTEGER = 2**53 - 1
"""JCS writes numbers as IEEE doubles; larger integers would lose precision."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_json(obj: object) -> bytes:
    """The RFC 8785 serialisation of a JSON value built from dict, list, str, int, bool, None.

    For this value space ``json.dumps`` with sorted keys, no whitespace and no ASCII escaping is
    exactly JCS: keys are ASCII, so Python's code-point sort equals JCS's UTF-16 sort; Python
    escapes only ``"``, ``\\`` and U+0000-U+001F, with the same short forms and lowercase
    ``\\u00xx`` that JCS prescribes; and integers within +/-(2**53 - 1) print the same in both.
    Floats are refused (we never store them, and JCS formats them differently), as are lone
    surrogates (not encodable as UTF-8), non-ASCII keys and out-of-range integers.
    """
    _check_value_space(obj)
    return canonical_json_of_checked(obj)


def canonical_json_of_checked(obj: object) -> bytes:
    """``canonical_json`` of a value known to be in its value space, without checking it again:
    a part of a document that ``loads_canonical`` accepted, which checked the whole (an import
    hashes 10,000 records out of one report, and the check would cost as much as the hashing)."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical_json_with_array(
    fields: Mapping[str, object], key: str, items: Iterable[bytes]
) -> bytes:
    """``canonical_json`` of ``fields`` plus ``key``, an array given as its items' canonical JSON.

    For a document too big to build as one value (a report of 10,000 records): each item is
    serialised as it is collected, and the result is byte for byte the canonical form of the
    whole object.
    """
    if key in fields:
        raise ValueError("the array's key is already a field")
    parts = [b"{"]
    for index, name in enumerate(sorted([*fields, key])):
        parts.append(b"," if index else b"")
        parts.append(canonical_json(name) + b":")
        if name == key:
            parts.append(b"[")
            for number, item in enumerate(items):
                parts += [b",", item] if number else [item]
            parts.append(b"]")
        else:
            parts.append(canonical_json(fields[name]))
    parts.append(b"}")
    return b"".join(parts)  # one copy of the items, however many there are


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_value_space(obj: object) -> None:
    stack = [obj]
    while stack:
        value = stack.pop()
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ValueError("canonical JSON cannot hold a lone surrogate")
        elif isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                raise ValueError("canonical JSON integers must be within +/-(2**53 - 1)")
        elif isinstance(value, float):
            raise ValueError("canonical JSON here holds no floats")
        elif isinstance(value, dict):
            for key in value:
                if not isinstance(key, str) or not key.isascii():
                    raise ValueError("canonical JSON keys must be ASCII strings")
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
        else:
            raise TypeError(f"{type(value).__name__} is not a JSON value")
