"""``report.json``: valid against its published schema, canonical, and the same every time."""

from __future__ import annotations

import json

import jsonschema
import rfc8785

from desktop.domain.canonical import canonical_json
from desktop.reports.collect import collect
from desktop.reports.model import REPORT_FORMAT, ReportDocument, report_json_schema
from desktop.reports.report_json import report_json
from desktop.resources import resource_path
from tests.reports.conftest import EVERYTHING, GENERATED_AT, Report, Store, make_report

SCHEMA_FILE = resource_path("schemas", "report.schema.json")


def test_it_validates_against_the_published_schema(report: Report) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    document = json.loads(report.document)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == REPORT_FORMAT
    assert len(document["records"]) == len(report.content.records)


def test_the_published_schema_matches_the_model() -> None:
    """The published schema is generated from the model: `make schemas` regenerates it."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == report_json_schema()


def test_it_reads_back_into_the_strict_model(report: Report) -> None:
    document = ReportDocument.model_validate(json.loads(report.document))
    assert document.report_id == report.content.head.report_id
    assert document.figures == report.content.head.figures


def test_it_is_canonical_json(report: Report) -> None:
    value = json.loads(report.document)
    assert rfc8785.dumps(value) == report.document
    assert canonical_json(value) == report.document


def test_the_same_inputs_give_the_same_bytes(store: Store, report: Report) -> None:
    again = report_json(make_report(store.session))
    assert again == report.document
    other_id = collect(
        store.session,
        EVERYTHING,
        report_id="9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
        generated_at=GENERATED_AT,
    )
    assert report_json(other_id) != report.document
