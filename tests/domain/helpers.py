"""Shared helpers for the domain tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import validate_document

CASES_DIR = Path(__file__).parent / "data" / "cases"


def load_case(name: str) -> dict[str, Any]:
    return json.loads((CASES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def case_input(name: str) -> dict[str, Any]:
    return copy.deepcopy(load_case(name)["input"])


def invalid_fields(model: type, document: object) -> dict[str, str]:
    """Validate a document that must fail; return {field path: message}."""
    with pytest.raises(InvalidDocument) as caught:
        validate_document(model, document)
    return {d["field"]: d["message"] for d in caught.value.details}
