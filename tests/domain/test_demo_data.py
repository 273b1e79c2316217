"""The synthetic demo records: valid, deterministic, varied, and independent of one another."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from desktop.demo_data import CHUNK, generate, template_ids

OUTCOMES = {
    "SHARE_WITH_CONSENT",
    "SHARE_WITHOUT_CONSENT",
    "SHARE_ANONYMISED",
    "DO_NOT_SHARE",
    "SEEK_ADVICE",
}
SUBTYPES = {
    "REQUIRED_BY_LAW",
    "COURT_ORDER",
    "EMERGENCY",
    "SAFEGUARDING_OVERRIDE",
    "PUBLIC_INTEREST",
    "PERMITTED_DISCLOSURE",
}
STATUSES = {"FINAL", "DRAFT", "PENDING_ADVICE", "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"}


@cache
def _sample(count: int, seed: int) -> tuple[str, ...]:
    """Generated records as JSON text, so no test can change another's records."""
    return tuple(json.dumps(document) for document in generate(count, seed=seed))


def records(count: int = 5000, seed: int = 1) -> list[dict[str, Any]]:
    return [json.loads(text) for text in _sample(count, seed)]


def answers(record: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = record["checklist"]["answers"]
    return result


def containers(node: object) -> list[object]:
    """Every dict and list in a document."""
    found: list[object] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(item)
            stack.extend(item)
    return found


def leaves(node: object) -> list[object]:
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in leaves(value)]
    if isinstance(node, list):
        return [leaf for value in node for leaf in leaves(value)]
    return [node]


# -- validity ------------------------------------------------------------------------------


def test_every_record_validates_as_a_record_body() -> None:
    from desktop.domain.records import RecordBody  # noqa: PLC0415 - imported when the test runs

    for record in records(2000, seed=1):
        RecordBody.model_validate(record)


def test_records_are_plain_json() -> None:
    for document in generate(500, seed=3):
        assert type(document) is dict
        for node in containers(document):
            assert type(node) in (dict, list)
            if isinstance(node, dict):
                assert all(type(key) is str for key in node)
        for leaf in leaves(document):
            assert leaf is None or type(leaf) in (str, int, bool)
        assert json.loads(json.dumps(document)) == document


def test_no_placeholder_is_left_unfilled() -> None:
    for record in records():
        for leaf in leaves(record):
            if isinstance(leaf, str):
                assert "{" not in leaf
                assert "}" not in leaf
                assert not leaf.startswith("$")
                assert leaf.strip()


def test_required_parts_are_present() -> None:
    for record in records():
        given = answers(record)
        assert {"Q2_purpose", "Q3_emergency", "Q4_recipient", "Q6_information_type"} <= set(given)
        assert given["Q2_purpose"]["purpose_statement"].strip()
        recipients = given["Q4_recipient"]["recipients"]
        assert recipients
        assert any(r["role_title"].strip() and r["organisation"].strip() for r in recipients)
        assert record["checklist"]["jurisdiction"] == record["rule_pack"]["id"]
        assert record["rule_pack"]["version"] == "1.0.0"
        assert record["case"]["case_id"].startswith("C-")
        assert record["subject"]["subject_id"].startswith("S-")
        assert record["subject"]["name"]


def test_record_rules_hold() -> None:
    for record in records():
        decision = record["decision"]
        outcome = decision["outcome"]
        if outcome == "DO_NOT_SHARE":
            assert record["not_sharing"]["reasoning_narrative"]
            assert len(decision["reason_codes"]) == 1
            assert decision["basis_codes"] == []
        if answers(record)["Q2_purpose"]["origin"] == "REQUEST":
            assert record["request"]["requester_organisation"]
        if outcome == "SEEK_ADVICE":
            assert record["status"] == "PENDING_ADVICE"
        if record["status"] == "FINAL":
            assert decision["blocks"] == []
            assert outcome != "SEEK_ADVICE"
        assert (decision.get("subtype") is not None) == (outcome == "SHARE_WITHOUT_CONSENT")
        if record["checklist"]["jurisdiction"] != "US":
            assert not any(decision["accounting"].values())


def test_times_are_consistent() -> None:
    earliest = datetime(2023, 10, 1).date()
    latest = datetime(2026, 10, 31).date()
    for record in records():
        decided = datetime.fromisoformat(record["decision_at"])
        assert decided.utcoffset() is not None
        assert earliest <= decided.date() <= latest
        q17 = answers(record).get("Q17_record") or {}
        if "disclosure_at" in q17:
            disclosed = datetime.fromisoformat(q17["disclosure_at"])
            created = datetime.fromisoformat(q17["record_created_at"])
            assert decided <= disclosed <= created
            if record["decision"].get("subtype") == "EMERGENCY":
                assert created - disclosed <= timedelta(hours=24)
        if record.get("request"):
            assert datetime.fromisoformat(record["request"]["received_at"]) <= decided
        age = (answers(record).get("Q9_who_consents") or {}).get("subject_age")
        if age is not None:
            born = date.fromisoformat(record["subject"]["date_of_birth"])
            on = decided.date()
            assert on.year - born.year - ((on.month, on.day) < (born.month, born.day)) == age


def test_records_stay_a_realistic_size() -> None:
    sizes = [len(json.dumps(r, separators=(",", ":"))) for r in records()]
    assert min(sizes) > 1500
    assert max(sizes) < 5000
    assert statistics.median(sizes) < 3500


# -- determinism ---------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_records() -> None:
    assert list(generate(300, seed=5)) == list(generate(300, seed=5))


def test_a_different_seed_gives_different_records() -> None:
    first = list(generate(300, seed=5))
    second = list(generate(300, seed=6))
    assert sum(a != b for a, b in zip(first, second, strict=True)) > 290


@pytest.mark.parametrize("start", [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 17])
def test_start_index_continues_the_same_sequence(start: int) -> None:
    whole = list(generate(start + 150, seed=2))
    assert list(generate(150, seed=2, start_index=start)) == whole[start:]


def test_counts() -> None:
    assert list(generate(0)) == []
    assert len(list(generate(CHUNK + 1))) == CHUNK + 1
    with pytest.raises(ValueError, match="negative"):
        generate(-1)
    with pytest.raises(ValueError, match="negative"):
        generate(1, start_index=-1)


# -- coverage ------------------------------------------------------------------------------


def test_records_cover_every_outcome_and_kind() -> None:
    sample = records(5000, seed=1)
    decisions = [r["decision"] for r in sample]
    assert {d["outcome"] for d in decisions} == OUTCOMES
    assert {d["subtype"] for d in decisions if d.get("subtype")} == SUBTYPES
    kinds = {
        recipient["kind"] for r in sample for recipient in answers(r)["Q4_recipient"]["recipients"]
    }
    assert kinds == {"SUBJECT", "PARENT", "SCHOOL_OFFICIAL", "OTHER"}
    jurisdictions = {r["checklist"]["jurisdiction"] for r in sample}
    assert jurisdictions == {"UK-ENG", "UK-WAL", "UK-SCO", "UK-NI", "US"}
    assert {answers(r)["Q2_purpose"]["origin"] for r in sample} == {"PROACTIVE", "REQUEST"}
    assert {r["status"] for r in sample} == STATUSES
    us_regimes = {
        regime
        for r in sample
        if r["checklist"]["jurisdiction"] == "US"
        for regime in r["checklist"]["regimes"]
    }
    assert us_regimes == {"HIPAA", "PART2", "FERPA", "PRIVACY_ACT", "STATE_ONLY"}
    assert any(d["flags"] for d in decisions)
    assert any(d["blocks"] for d in decisions)
    reasons = {code for d in decisions for code in d["reason_codes"]}
    assert len(reasons) >= 4
    assert Counter(d["outcome"] for d in decisions).most_common(1)[0][0] == "SHARE_WITHOUT_CONSENT"


def test_there_are_enough_templates() -> None:
    assert 15 <= len(template_ids()) <= 25


def test_records_cluster_in_cases() -> None:
    sample = records(5000, seed=1)
    subjects_by_case: dict[str, set[str]] = defaultdict(set)
    people: dict[str, tuple[Any, ...]] = {}
    jurisdiction_of: dict[str, str] = {}
    for record in sample:
        case_id = record["case"]["case_id"]
        subject = record["subject"]
        subjects_by_case[case_id].add(subject["subject_id"])
        person = (subject["name"], subject.get("date_of_birth"), subject["role"])
        assert people.setdefault(subject["subject_id"], person) == person
        jurisdiction = record["checklist"]["jurisdiction"]
        assert jurisdiction_of.setdefault(case_id, jurisdiction) == jurisdiction
    assert 5000 / 12 < len(subjects_by_case) < 5000 / 5
    assert all(1 <= len(s) <= 3 for s in subjects_by_case.values())
    assert any(len(s) > 1 for s in subjects_by_case.values())


def test_people_and_organisations_vary() -> None:
    sample = records(2000, seed=1)
    recipients = [rc for r in sample for rc in answers(r)["Q4_recipient"]["recipients"]]
    assert len({rc["organisation"] for rc in recipients}) > 100
    assert len({rc.get("name") for rc in recipients}) > 500
    assert len({r["subject"]["name"] for r in sample}) > 300
    assert len({answers(r)["Q2_purpose"]["purpose_statement"] for r in sample}) > 300


# -- independence --------------------------------------------------------------------------


def test_records_share_no_mutable_object() -> None:
    documents = list(generate(2 * CHUNK, seed=4))
    seen: dict[int, int] = {}
    for number, document in enumerate(documents):
        for node in containers(document):
            assert seen.setdefault(id(node), number) == number


def test_changing_a_record_changes_no_other() -> None:
    expected = [json.dumps(d) for d in generate(3 * CHUNK, seed=8)]
    stream = generate(3 * CHUNK, seed=8)
    for number, document in enumerate(stream):
        assert json.dumps(document) == expected[number]
        # Vandalise every part of it; what comes next (and any later run) must not notice.
        for node in containers(document):
            if isinstance(node, dict):
                for key in node:
                    node[key] = "changed"
            else:
                node.append("changed")
    assert [json.dumps(d) for d in generate(3 * CHUNK, seed=8)] == expected


# -- speed ---------------------------------------------------------------------------------
