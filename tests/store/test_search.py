"""Full-text search follows the latest version of each record."""

from __future__ import annotations

from desktop.domain.records import RecordBody
from desktop.session import RecordFilter, Session
from tests.factories import uk_share_body


def _body(notes: str) -> RecordBody:
    return RecordBody.model_validate(uk_share_body(notes=notes))


def test_amending_replaces_the_indexed_text(session: Session) -> None:
    saved = session.add_record(_body("first wording mentions zebrafinch"))
    session.add_record(_body("an unrelated record about zebrafinch too"))
    assert len(session.search("zebrafinch")) == 2

    session.amend_record(saved.record_id, _body("second wording mentions kingfisher"), "typo")
    assert [r.record_id for r in session.search("kingfisher")] == [saved.record_id]
    assert saved.record_id not in {r.record_id for r in session.search("zebrafinch")}
    assert len(session.search("zebrafinch")) == 1
    assert (
        session.store.conn.execute(
            "INSERT INTO records_fts (records_fts) VALUES ('integrity-check')"
        ).fetchall()
        == []
    )
    assert session.verify_audit().ok


def test_search_is_by_prefix_and_needs_every_word(session: Session) -> None:
    session.add_record(_body("strategy discussion with the police"))
    session.add_record(_body("strategy meeting only"))
    assert len(session.search("strat")) == 2
    assert len(session.search("strategy police")) == 1
    assert session.search("   ") == []
    assert session.search('"') == []


def test_filters_follow_the_latest_version(session: Session) -> None:
    first = uk_share_body()
    saved = session.add_record(RecordBody.model_validate(first))
    amended = uk_share_body()
    amended["checklist"]["answers"]["Q4_recipient"]["recipients"][0]["organisation"] = "Police"
    answers = amended["checklist"]["answers"]
    answers["Q6_information_type"] = {"info_types": ["CONFIDENTIAL"]}
    answers["Q11_override_basis"]["claims"] = [
        {"code": code, "conditions_met": "YES"}
        for code in ("UK-GDPR-6-1-C", "UK-CL-LEGAL-REQUIREMENT")
    ]
    session.amend_record(saved.record_id, RecordBody.model_validate(amended), "wrong team")
    assert session.record(saved.record_id)["decision"]["basis_codes"] == [
        "UK-GDPR-6-1-C",
        "UK-CL-LEGAL-REQUIREMENT",
    ]

    def found(**where: str) -> list[str]:
        return [r.record_id for r in session.list_records(RecordFilter(**where))]

    old_org = first["checklist"]["answers"]["Q4_recipient"]["recipients"][0]["organisation"]
    assert found(recipient_organisation=old_org) == []
    assert found(recipient_organisation="police") == [saved.record_id]
    assert found(basis_code="UK-GDPR-6-1-E") == []  # the first version's basis
    assert found(basis_code="UK-CL-LEGAL-REQUIREMENT") == [saved.record_id]
