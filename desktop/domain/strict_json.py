"""Reading untrusted JSON documents: strict parsing, validation, and errors that name the field.

Nothing here ever quotes an offending value in a message: documents hold confidential case
content, and error messages end up on screens, in logs and in support emails.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from desktop.domain.base import DOMAIN_RULE
from desktop.domain.canonical import canonical_json
from desktop.domain.errors import ROOT, InvalidDocument
from desktop.domain.records import ENGINE_ASSIGNED_FIELDS, STORE_ASSIGNED_FIELDS, RecordBody

MAX_RECORD_BYTES = 256 * 1024 * 1024
"""Large enough that an absurd field is parsed and then rejected by name by its own limit."""
DEFAULT_MAX_DEPTH = 64

M = TypeVar("M", bound=BaseModel)

# One token outside strings: a whole string, a structural character, a bare NaN/Infinity, or a
# number. Strings are matched whole so brackets and quotes inside them are never counted.
_TOKEN = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"'
    r"|[{}\[\],]"
    r"|-?(?:NaN|Infinity)"
    r"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?",
    re.DOTALL,
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_PATH_HEAD = 6
_PATH_TAIL = 2
_KEY_SHOWN = 40


class _Frame:
    """An open object or array during the pre-scan."""

    __slots__ = ("expect_key", "index", "is_object", "key", "seen")

    def __init__(self, *, is_object: bool) -> None:
        self.is_object = is_object
        self.expect_key = is_object
        self.key: str | None = None
        self.index = 0
        self.seen: set[str] = set()

    def component(self) -> str | int | None:
        return self.key if self.is_object else self.index


def loads_strict(raw: bytes, *, max_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH) -> object:
    """Parse one JSON document, refusing anything ``json.loads`` would accept too kindly.

    Refused, with the place named: more than ``max_bytes``; a byte order mark; invalid UTF-8
    (byte offset); nesting deeper than ``max_depth`` (found by a pre-scan before parsing, so
    the parser never recurses too deep); duplicate keys; NaN and Infinity; integers too long
    for Python to read; lone surrogates in strings or keys.
    """
    if len(raw) > max_bytes:
        raise InvalidDocument(f"the document is larger than {max_bytes} bytes")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InvalidDocument("the document starts with a byte order mark; save it without one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidDocument(f"invalid UTF-8 at byte offset {exc.start}") from None
    _prescan(text, max_depth)
    try:
        obj: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDocument(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError:  # int() refusing a long integer, should the pre-scan ever miss one
        raise InvalidDocument("not valid JSON: a number is too long to read") from None
    surrogate_at = _find_lone_surrogate(obj)
    if surrogate_at is not None:
        raise InvalidDocument("text contains a lone surrogate (not valid Unicode)", surrogate_at)
    return obj


def loads_canonical(raw: bytes, *, max_bytes: int) -> object:
    """Parse a document that must be in its canonical form (RFC 8785), as this product signs them.

    Holding the bytes to their one canonical spelling refuses in a single comparison what
    ``loads_strict`` looks for token by token: a duplicate key (the parsed value prints with one
    member fewer), a lone surrogate (it cannot be written as UTF-8), a byte order mark, white
    space, any other spelling of a string or number. It runs at the C parser's speed: a
    10,000-record report (36 MB) in about a second instead of three. NaN and Infinity would print
    as themselves, so the parser refuses them; nesting too deep for it is refused too.
    """
    if len(raw) > max_bytes:
        raise InvalidDocument(f"the document is larger than {max_bytes} bytes")
    try:
        obj: object = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        canonical = canonical_json(obj)
    except RecursionError:
        raise InvalidDocument("the document is nested too deeply") from None
    except ValueError:  # bad UTF-8 or JSON, NaN, a float, a non-ASCII key, …
        raise InvalidDocument("the document is not canonical JSON (RFC 8785)") from None
    if canonical != raw:
        raise InvalidDocument("the document is not canonical JSON (RFC 8785)")
    return obj


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def validation_error_details(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic's errors as ``[{"field": dotted path, "message": ...}]``, never echoing input."""
    details: list[dict[str, str]] = []
    for error in exc.errors(include_url=False):
        field = _format_path(list(error["loc"]))
        details.append({"field": field, "message": _message(error)})
    return details


def validate_document(model_cls: type[M], obj: object) -> M:
    """Validate a value parsed from JSON against a domain model (contract field names only)."""
    try:
        return model_cls.model_validate(obj, by_name=False)
    except ValidationError as exc:
        details = validation_error_details(exc)
        raise InvalidDocument("the document is not valid", details[0]["field"], details) from None


def parse_document(model_cls: type[M], raw: bytes, *, max_bytes: int) -> M:
    return validate_document(model_cls, loads_strict(raw, max_bytes=max_bytes))


def parse_record_body(raw: bytes) -> RecordBody:
    """A record document as ``add`` reads it: store- and engine-assigned fields are ignored.

    Dropping them lets the JSON that ``show --json`` prints be added again as a new record; the
    decision is always recomputed by the checklist engine from the answers.
    """
    obj = loads_strict(raw, max_bytes=MAX_RECORD_BYTES)
    if isinstance(obj, dict):
        ignored = STORE_ASSIGNED_FIELDS | ENGINE_ASSIGNED_FIELDS
        obj = {key: value for key, value in obj.items() if key not in ignored}
    return validate_document(RecordBody, obj)


def _prescan(text: str, max_depth: int) -> None:
    """Depth, duplicate keys, NaN/Infinity and over-long integers, each located by path."""
    max_digits = sys.get_int_max_str_digits()
    stack: list[_Frame] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if stack and stack[-1].expect_key:
                frame = stack[-1]
                key = _decode_key(token)
                frame.key = key
                frame.expect_key = False
                if key in frame.seen:
                    raise InvalidDocument("duplicate key", _frames_path(stack))
                frame.seen.add(key)
        elif first in "{[":
            if len(stack) >= max_depth:
                raise InvalidDocument(f"nested deeper than {max_depth} levels", _frames_path(stack))
            stack.append(_Frame(is_object=first == "{"))
        elif first in "}]":
            if stack:
                stack.pop()
        elif first == ",":
            if stack:
                if stack[-1].is_object:
                    stack[-1].expect_key = True
                else:
                    stack[-1].index += 1
        elif token.endswith(("NaN", "Infinity")):
            raise InvalidDocument("NaN and Infinity are not allowed", _frames_path(stack))
        elif max_digits and len(token.lstrip("-")) > max_digits and token.lstrip("-").isdigit():
            raise InvalidDocument(f"integer has more than {max_digits} digits", _frames_path(stack))


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        key = json.loads(token)
    except ValueError:  # a bad escape: the parser reports it properly
        return token[1:-1]
    return str(key)


def _frames_path(stack: list[_Frame]) -> str:
    return _format_path([c for f in stack if (c := f.component()) is not None])


def _find_lone_surrogate(obj: object) -> str | None:
    pending: list[tuple[object, tuple[str | int, ...]]] = [(obj, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return _format_path(list(path))
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(key):
                    return _format_path([*path, key])
                pending.append((item, (*path, key)))
        elif isinstance(value, list):
            pending.extend((item, (*path, i)) for i, item in enumerate(value))
    return None


def _format_path(parts: list[Any]) -> str:
    """A dotted path from the document root (``$`` for the root), long paths abbreviated."""
    shown = [_show_component(p) for p in parts]
    if len(shown) > _PATH_HEAD + _PATH_TAIL + 1:
        shown = [*shown[:_PATH_HEAD], "…", *shown[-_PATH_TAIL:]]
    return ".".join(shown) or ROOT


def _show_component(part: object) -> str:
    text = str(part)
    if len(text) > _KEY_SHOWN:
        text = text[:_KEY_SHOWN] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "datetime_type": "must be an RFC 3339 date-time with a UTC offset",
    "timezone_aware": "must include a UTC offset, such as 2025-03-10T11:20:00Z",
    "date_type": "must be a date written YYYY-MM-DD",
}


# Pydantic errors whose messages state only the rule (limits, allowed values), never the input.
_RULE_ONLY = frozenset(
    {
        DOMAIN_RULE,
        "enum",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "too_short",
        "too_long",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
    }
)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    message = str(error["msg"])
    if kind in _RULE_ONLY:
        return message
    value = error.get("input")
    if isinstance(value, str) and value in message:
        return f"invalid value ({kind})"
    return message
