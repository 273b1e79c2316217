"""Saving runs the checklist: the stored decision is the engine's, under a named rule pack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.demo_data import generate
from desktop.domain.checklist import builtin_pack, evaluate
from desktop.domain.enums import Jurisdiction
from desktop.domain.errors import InvalidDocument
from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import parse_policy
from desktop.resources import resource_path
from desktop.session import RecordFilter, Session
from tests.conftest import PASSPHRASE
from tests.factories import uk_share_body


def _body(document: dict[str, Any]) -> RecordBody:
    return validate_document(RecordBody, document)


def _unlock_with_policy(store_dir: Path, tmp_path: Path, **settings: Any) -> Session:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(settings))
    return Session.unlock(store_dir, PASSPHRASE, parse_policy(path.read_bytes(), path))


def _blocked(status: str) -> dict[str, Any]:
    document = uk_share_body(status=status)
    del document["checklist"]["answers"]["Q14_inform"]  # not told, no reason: V2 blocks
    return document


def test_the_decision_is_the_engines_not_the_inputs(session: Session) -> None:
    document = uk_share_body()
    forged = dict(document["decision"], outcome="DO_NOT_SHARE", reason_codes=["NO_LAWFUL_BASIS"])
    forged.update(subtype=None, basis_codes=[], requires_supervisor_signoff=False)
    not_sharing = {"reasoning_narrative": "Forged."}
    saved = session.add_record(_body({**document, "decision": forged, "not_sharing": not_sharing}))
    stored = session.record(saved.record_id)
    assert stored["decision"] == evaluate(document["checklist"])
    assert stored["decision"]["outcome"] == "SHARE_WITHOUT_CONSENT"
    pack = builtin_pack(Jurisdiction.UK_ENG)
    assert stored["rule_pack"] == {"id": "UK-ENG", "version": pack.version}


def test_blocks_forbid_final_but_never_lose_the_record(session: Session) -> None:
    with pytest.raises(InvalidDocument) as refused:
        session.add_record(_body(_blocked("FINAL")))
    assert refused.value.details[0]["field"] == "status"
    assert "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS" in refused.value.details[0]["message"]
    assert session.status().records == 0

    draft = session.add_record(_body(_blocked("DRAFT")))
    made = session.add_record(_body(_blocked("DISCLOSURE_WITHOUT_ESTABLISHED_BASIS")))
    assert [b["id"] for b in session.record(made.record_id)["decision"]["blocks"]] == ["V2"]
    flagged = {r.record_id for r in session.list_records(RecordFilter(flagged_only=True))}
    pending = {r.record_id for r in session.list_records(RecordFilter(pending_only=True))}
    assert made.record_id in flagged  # escalated
    assert draft.record_id in pending


def test_seek_advice_is_always_pending(session: Session) -> None:
    document = uk_share_body()
    document["checklist"]["answers"]["Q2_purpose"]["legitimate"] = "UNSURE"
    saved = session.add_record(_body(document))  # asked for FINAL
    stored = session.record(saved.record_id)
    assert stored["decision"]["outcome"] == "SEEK_ADVICE"
    assert stored["status"] == "PENDING_ADVICE"
    assert [r.record_id for r in session.list_records(RecordFilter(pending_only=True))] == [
        saved.record_id
    ]


def test_invalid_answers_name_the_checklist_field(session: Session) -> None:
    document = uk_share_body()
    document["checklist"]["answers"]["Q3_emergency"] = {"immediate_risk": True}
    with pytest.raises(InvalidDocument) as refused:
        session.add_record(_body(document))
    fields = {d["field"] for d in refused.value.details}
    assert "checklist.answers.Q3_emergency.nature_of_emergency" in fields
    assert session.status().records == 0


def test_an_organisation_pack_is_used_for_its_jurisdiction(
    session: Session, store_dir: Path, tmp_path: Path
) -> None:
    session.lock()
    pack = json.loads(resource_path("checklists", "UK-ENG.json").read_text())
    pack.update(id="northshire-uk-eng", version="2.1.0")
    pack_path = tmp_path / "northshire.json"
    pack_path.write_text(json.dumps(pack))
    opened = _unlock_with_policy(store_dir, tmp_path, rule_pack=str(pack_path))
    try:
        assert opened.warnings == []
        saved = opened.add_record(_body(uk_share_body()))
        assert opened.record(saved.record_id)["rule_pack"] == {
            "id": "northshire-uk-eng",
            "version": "2.1.0",
        }
    finally:
        opened.lock()


@pytest.mark.parametrize("damage", ["unknown field", "not json", "missing"])
def test_an_invalid_organisation_pack_is_refused_and_the_builtin_used(
    session: Session, store_dir: Path, tmp_path: Path, damage: str
) -> None:
    session.lock()
    pack_path = tmp_path / "broken.json"
    if damage == "unknown field":
        pack = json.loads(resource_path("checklists", "UK-ENG.json").read_text())
        pack["surprise"] = True
        pack_path.write_text(json.dumps(pack))
    elif damage == "not json":
        pack_path.write_text("{")
    opened = _unlock_with_policy(store_dir, tmp_path, rule_pack=str(pack_path))
    try:
        assert len(opened.warnings) == 1
        assert str(pack_path) in opened.warnings[0]
        assert "built-in checklist" in opened.warnings[0]
        saved = opened.add_record(_body(uk_share_body()))
        assert opened.record(saved.record_id)["rule_pack"]["id"] == "UK-ENG"
    finally:
        opened.lock()


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def test_demo_decisions_are_what_the_engine_decides() -> None:
    """Demo fills skip the engine for speed: their templates must agree with it."""
    for document in generate(600, seed=11):
        decision = evaluate(document["checklist"])
        assert _without_nulls(document["decision"]) == _without_nulls(decision)
