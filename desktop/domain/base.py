"""The shared base model and field types of every domain document.

One validation approach for all documents: models are *strict* (no coercion: ``"true"`` is not
a bool, ``"1"`` is not an int, ``1`` is not a string) and are validated from the Python value
that ``json.loads`` produced (``Model.model_validate(obj)``, see ``strict_json.validate_document``).
The only JSON-shaped inputs strict mode would refuse are handled here and in ``enums``:
enums match their exact string value, timestamps are RFC 3339 strings with an offset, dates are
``YYYY-MM-DD`` strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_STR = 50_000
"""Longest string any field accepts, so absurd input fails on the field that holds it."""
MAX_ITEMS = 1_000
"""Longest list any field accepts."""

T = TypeVar("T")

NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]
"""A required string: the contract treats "" like a missing field (§8.3)."""
ShortId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""An organisation's identifier (case number, subject id)."""
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Uuid4Str = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    ),
]
BoundedList = Annotated[list[T], Field(max_length=MAX_ITEMS)]

_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

DOMAIN_RULE = "domain_rule"
"""The error type of every rule this package checks itself; its messages never quote input."""


def domain_error(message: str) -> PydanticCustomError:
    return PydanticCustomError(DOMAIN_RULE, message)


def _parse_timestamp(value: object) -> object:
    """RFC 3339 text -> aware datetime; other inputs go on to the strict datetime check."""
    if not isinstance(value, str):
        return value
    if not _TIMESTAMP.fullmatch(value):
        raise domain_error(
            "must be an RFC 3339 date-time with a UTC offset, such as 2025-03-10T11:20:00Z"
        )
    try:
        return datetime.fromisoformat(value.upper())
    except ValueError:
        raise domain_error("is not a real date-time") from None


def _parse_date(value: object) -> object:
    """``YYYY-MM-DD`` text -> date; other inputs go on to the strict date check."""
    if not isinstance(value, str):
        return value
    if not _DATE.fullmatch(value):
        raise domain_error("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise domain_error("is not a real date") from None


Timestamp = Annotated[AwareDatetime, BeforeValidator(_parse_timestamp)]
"""An RFC 3339 date-time with an offset; naive times are rejected."""
IsoDate = Annotated[date, BeforeValidator(_parse_date)]


class DomainModel(BaseModel):
    """Base of every domain document: strict, closed, immutable, bounded."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        str_max_length=MAX_STR,
        populate_by_name=True,
        serialize_by_alias=True,
    )

    def to_document(self) -> dict[str, Any]:
        """The JSON-ready document: contract field names, nulls left out.

        Every optional field defaults to None, so leaving nulls out loses nothing, and
        validating the result gives back an equal model.
        """
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def field_errors(title: str, problems: Iterable[tuple[tuple[str | int, ...], str]]) -> None:
    """Raise one ValidationError locating each problem at a field below the current model.

    Raised inside a model validator, pydantic prefixes each location with the model's own
    path, so a cross-field rule can still name the exact field at fault.
    """
    line_errors: list[InitErrorDetails] = [
        {"type": domain_error(message), "loc": loc, "input": None} for loc, message in problems
    ]
    if line_errors:
        raise ValidationError.from_exception_data(title, line_errors)
