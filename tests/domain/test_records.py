from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.domain.enums import Outcome, RecordStatus, WithdrawalEffect
from desktop.domain.records import (
    BLOCKED_NOT_FINAL,
    SEEK_ADVICE_NOT_FINAL,
    STORE_ASSIGNED_FIELDS,
    AccountingRequest,
    ConsentWithdrawal,
    RecordBody,
    RecordVersionHeader,
    SupervisorSignOff,
)
from desktop.domain.strict_json import validate_document
from desktop.record_index import index_document
from tests.domain.helpers import invalid_fields
from tests.factories import dns_body, uk_share_body, us_share_body

V1 = {"id": "V1", "message": "No lawful basis for every applicable layer."}
V9 = {"id": "V9", "message": "Advice not recorded."}


def seek_advice_decision() -> dict[str, Any]:
    decision: dict[str, Any] = uk_share_body()["decision"]
    decision.update(outcome="SEEK_ADVICE", subtype=None, decided_at="Q2_purpose", basis_codes=[])
    return decision


@pytest.mark.parametrize("factory", [uk_share_body, us_share_body, dns_body])
def test_factory_bodies_validate_and_round_trip(factory: Any) -> None:
    body = validate_document(RecordBody, factory())
    assert body.status is RecordStatus.FINAL
    document = body.to_document()
    assert "Q2_purpose" in document["checklist"]["answers"]
    assert validate_document(RecordBody, document) == body
    with_nulls = body.model_dump(mode="json")
    assert with_nulls["request"] is None
    assert "Q2_purpose" in with_nulls["checklist"]["answers"]
    assert validate_document(RecordBody, with_nulls) == body


def test_factories_return_fresh_dicts_and_apply_overrides() -> None:
    first = uk_share_body(notes="changed")
    first["case"]["case_id"] = "OTHER"
    assert uk_share_body()["case"]["case_id"] == "CASE-2025-0142"
    assert first["notes"] == "changed"


def test_final_is_the_default_status() -> None:
    document = uk_share_body()
    del document["status"]
    assert validate_document(RecordBody, document).status is RecordStatus.FINAL


def test_final_seek_advice_is_rejected() -> None:
    document = uk_share_body(decision=seek_advice_decision())
    assert invalid_fields(RecordBody, document) == {"status": SEEK_ADVICE_NOT_FINAL}
    assert "PENDING_ADVICE or DRAFT" in SEEK_ADVICE_NOT_FINAL


@pytest.mark.parametrize("status", ["PENDING_ADVICE", "DRAFT"])
def test_seek_advice_may_be_pending_or_draft(status: str) -> None:
    body = validate_document(
        RecordBody, uk_share_body(status=status, decision=seek_advice_decision())
    )
    assert body.outcome is Outcome.SEEK_ADVICE
    assert index_document(body.to_document()).pending


def test_final_with_blocks_is_rejected() -> None:
    decision = uk_share_body()["decision"]
    decision["blocks"] = [V1]
    assert invalid_fields(RecordBody, uk_share_body(decision=decision)) == {
        "status": BLOCKED_NOT_FINAL
    }
    assert "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS" in BLOCKED_NOT_FINAL


@pytest.mark.parametrize("status", ["DRAFT", "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"])
def test_blocked_records_may_be_saved_as_draft_or_without_basis(status: str) -> None:
    decision = uk_share_body()["decision"]
    decision["blocks"] = [V1]
    body = validate_document(RecordBody, uk_share_body(status=status, decision=decision))
    assert body.status is RecordStatus(status)


def test_an_undecided_body_waits_for_the_engine() -> None:
    """The status rules apply to the engine's decision, which the session adds before saving."""
    assert validate_document(RecordBody, uk_share_body(decision=None)).decision is None
    body = validate_document(RecordBody, uk_share_body(status="DRAFT", decision=None))
    assert body.outcome is None
    index = index_document(body.to_document())
    assert index.basis_codes == ()
    assert not index.flagged
    assert index.pending


def test_do_not_share_needs_its_reasoning() -> None:
    document = dns_body()
    del document["not_sharing"]
    errors = invalid_fields(RecordBody, document)
    assert list(errors) == ["not_sharing"]
    assert errors["not_sharing"].startswith("required when the decision is DO_NOT_SHARE")


def test_do_not_share_reasoning_must_not_be_empty() -> None:
    document = dns_body()
    document["not_sharing"]["reasoning_narrative"] = ""
    assert invalid_fields(RecordBody, document) == {
        "not_sharing.reasoning_narrative": "must not be empty"
    }


def request_body(**overrides: Any) -> dict[str, Any]:
    document = us_share_body(**overrides)
    document["checklist"]["answers"]["Q2_purpose"]["origin"] = "REQUEST"
    return document


def test_a_request_needs_the_request_details() -> None:
    errors = invalid_fields(RecordBody, request_body())
    assert list(errors) == ["request"]
    assert "Q2_purpose.origin is REQUEST" in errors["request"]


def test_request_details_are_typed() -> None:
    request = {"requester_organisation": "County CPS", "received_at": "2025-04-02T09:00:00Z"}
    body = validate_document(RecordBody, request_body(request=request))
    assert body.request is not None
    assert body.request.received_at == datetime(2025, 4, 2, 9, tzinfo=UTC)
    errors = invalid_fields(RecordBody, request_body(request={"received_at": "2025-04-02"}))
    assert errors == {
        "request.requester_organisation": "required field is missing",
        "request.received_at": (
            "must be an RFC 3339 date-time with a UTC offset, such as 2025-03-10T11:20:00Z"
        ),
    }


def test_several_record_rules_are_reported_together() -> None:
    document = dns_body(status="FINAL", decision=seek_advice_decision())
    document["checklist"]["answers"]["Q2_purpose"]["origin"] = "REQUEST"
    assert set(invalid_fields(RecordBody, document)) == {"request", "status"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"case": {"case_id": "C" * 65}}, "case.case_id"),
        ({"case": {"case_id": ""}}, "case.case_id"),
        ({"subject": {"subject_id": "S1", "role": "child"}}, "subject.role"),
        ({"subject": {"subject_id": "S1", "role": "CHILD", "age": 3}}, "subject.age"),
        ({"decision_at": "2025-03-10T11:00:00"}, "decision_at"),
        ({"minimum_necessary_attestation": "yes"}, "minimum_necessary_attestation"),
        ({"other_individuals": [{"description": ""}]}, "other_individuals.0.description"),
        ({"rule_pack": {"id": "uk"}}, "rule_pack.version"),
        ({"notes": None}, "notes"),
    ],
)
def test_invalid_record_fields_are_named(changes: dict[str, Any], field: str) -> None:
    assert field in invalid_fields(RecordBody, uk_share_body(**changes))


def test_index_of_a_share() -> None:
    body = validate_document(RecordBody, uk_share_body())
    assert body.outcome is Outcome.SHARE_WITHOUT_CONSENT
    index = index_document(body.to_document())
    assert index.outcome == "SHARE_WITHOUT_CONSENT"
    assert index.basis_codes[0] == "UK-GDPR-6-1-E"
    assert index.recipient_orgs == ("Children's social care MASH",)
    assert index.fts_purpose.startswith("Refer a disclosure")
    assert index.event_at == "2025-03-10T11:20:00Z"
    assert not index.flagged
    assert not index.pending


def test_event_time_falls_back_to_the_decision_time() -> None:
    document = uk_share_body()
    del document["checklist"]["answers"]["Q17_record"]
    body = validate_document(RecordBody, document)
    assert index_document(body.to_document()).event_at == "2025-03-10T11:00:00Z"


def test_flagged_when_the_decision_has_flags() -> None:
    decision = uk_share_body()["decision"]
    decision["flags"] = [V9]
    body = validate_document(RecordBody, uk_share_body(decision=decision))
    assert index_document(body.to_document()).flagged


def test_search_text_collects_each_column() -> None:
    document = uk_share_body()
    answers = document["checklist"]["answers"]
    answers["Q14_inform"]["others"] = [
        {"who": "Mother", "status": "NOT_INFORMED", "narrative": "Decided at strategy meeting."}
    ]
    index = index_document(validate_document(RecordBody, document).to_document())
    assert "Duty social worker" in index.fts_recipients
    assert "Children's social care MASH" in index.fts_recipients
    assert index.fts_purpose == answers["Q2_purpose"]["purpose_statement"]
    assert "The child's account in her own words" in index.fts_items
    assert "Core of the concern." in index.fts_items
    for part in (
        "Strategy discussion to follow.",
        "Does not want anyone told.",
        "Told her who will be told.",
        "Decided at strategy meeting.",
    ):
        assert part in index.fts_notes


def test_search_text_includes_the_reasons_not_to_share() -> None:
    index = index_document(validate_document(RecordBody, dns_body()).to_document())
    assert "no other basis" in index.fts_notes
    assert index.fts_items == ""


def test_models_are_immutable() -> None:
    body = validate_document(RecordBody, uk_share_body())
    with pytest.raises(ValueError, match="frozen"):
        body.notes = "changed"  # type: ignore[misc]


HEADER: dict[str, Any] = {
    "id": "0b8f8a8e-3c1d-4f5e-9a7b-2c3d4e5f6a7b",
    "version": 1,
    "hash": "a" * 64,
    "prev_hash": "0" * 64,
    "created_at": "2025-03-10T12:05:00Z",
    "created_by": {"name": "A Worker", "role": "Social worker", "organisation": "Council"},
}


def test_store_assigned_fields_are_the_header_fields() -> None:
    assert (
        frozenset(
            {
                "id",
                "version",
                "hash",
                "prev_hash",
                "created_at",
                "created_by",
                "amend_reason",
                "retention_until",
            }
        )
        == STORE_ASSIGNED_FIELDS
    )
    assert not STORE_ASSIGNED_FIELDS & set(RecordBody.model_fields)


def test_header_validates() -> None:
    header = validate_document(RecordVersionHeader, HEADER)
    assert header.version == 1
    assert header.created_by.registration_number is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"id": "0b8f8a8e-3c1d-1f5e-9a7b-2c3d4e5f6a7b"}, "id"),
        ({"version": 0}, "version"),
        ({"hash": "A" * 64}, "hash"),
        ({"prev_hash": "0" * 63}, "prev_hash"),
        ({"created_by": {"name": "x", "role": "y"}}, "created_by.organisation"),
    ],
)
def test_bad_headers_are_named(changes: dict[str, Any], field: str) -> None:
    document = copy.deepcopy(HEADER)
    document.update(changes)
    assert field in invalid_fields(RecordVersionHeader, document)


def test_consent_withdrawal_defaults_and_notifications() -> None:
    withdrawal = validate_document(
        ConsentWithdrawal,
        {
            "case_id": "EH-2025-031",
            "subject_id": "SUBJ-0077",
            "withdrawn_at": "2025-02-17T10:30:00Z",
            "by_whom": "The subject",
            "scope": "All sharing with the charity",
            "how": "ORAL",
        },
    )
    assert withdrawal.effect is WithdrawalEffect.STOP_FUTURE
    assert withdrawal.record_ids == []
    assert withdrawal.recipients_notified == []
    assert withdrawal.notes == ""
    notified = withdrawal.to_document() | {
        "recipients_notified": [
            {"organisation": "Charity", "notified_at": "2025-02-17T12:00:00+00:00"}
        ],
        "record_ids": ["0b8f8a8e-3c1d-4f5e-9a7b-2c3d4e5f6a7b"],
    }
    again = validate_document(ConsentWithdrawal, notified)
    assert again.recipients_notified[0].organisation == "Charity"
    assert "how" in invalid_fields(ConsentWithdrawal, {**notified, "how": "EMAIL"})


def test_supervisor_sign_off_is_over_a_record_hash() -> None:
    document = {
        "signer_name": "S Lead",
        "signer_role": "DSL",
        "signed_at": "2025-03-11T09:00:00Z",
        "record_hash": "b" * 64,
    }
    assert validate_document(SupervisorSignOff, document).comment is None
    assert "record_hash" in invalid_fields(SupervisorSignOff, {**document, "record_hash": "x"})


def test_accounting_request_needs_a_us_accounting_regime() -> None:
    document = {"requested_at": "2025-05-01T09:00:00Z", "regime": "HIPAA", "subject_id": "MRN-1"}
    request = validate_document(AccountingRequest, document)
    assert request.suspended_entries == []
    assert invalid_fields(AccountingRequest, {**document, "regime": "UK_GDPR"}) == {
        "regime": "must be HIPAA, PART2, FERPA or PRIVACY_ACT"
    }
    assert "subject_id" in invalid_fields(
        AccountingRequest, {"requested_at": "2025-05-01T09:00:00Z", "regime": "HIPAA"}
    )
