"""What puts an imported record in the supervisor's queue, and what takes it out (issue 6)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from desktop.domain.strict_json import parse_record_body
from desktop.policy import Policy
from desktop.review.attention import Reason, record_reasons, unnotified
from desktop.review.service import waits
from desktop.session import Session
from tests.factories import dns_body, give_consent, uk_share_body, us_share_body


def decided(body: dict[str, Any]) -> dict[str, Any]:
    """The document a store keeps: the engine's decision, as a practitioner saved it."""
    session = Session.__new__(Session)  # only the checklist: no store is opened
    session.policy = Policy()
    session._organisation_pack = None
    document = session.decide(parse_record_body(json.dumps(body).encode())).to_document()
    document["id"] = "6f1c1a5e-2f0e-4c8a-9d5b-1e2f3a4b5c6d"
    return document


def with_consent() -> dict[str, Any]:
    body = copy.deepcopy(uk_share_body())
    give_consent(body["checklist"]["answers"])
    return body


def test_a_plain_share_with_consent_and_a_refusal_need_nothing() -> None:
    assert record_reasons(decided(with_consent())) == Reason(0)
    assert record_reasons(decided(dns_body())) == Reason(0)


def test_an_override_of_an_objection_without_advice_needs_a_sign_off() -> None:
    reasons = record_reasons(decided(uk_share_body()))
    assert reasons == Reason.WITHOUT_CONSENT | Reason.OBJECTION_OVERRULED | Reason.SIGN_OFF_REQUIRED


def test_a_person_not_informed_is_raised_only_when_something_was_shared() -> None:
    us = decided(us_share_body())
    assert record_reasons(us) == Reason.WITHOUT_CONSENT | Reason.NOT_INFORMED
    refusal = decided(dns_body())
    refusal["checklist"]["answers"]["Q14_inform"] = {"status": "NOT_INFORMED"}
    assert not record_reasons(refusal) & Reason.NOT_INFORMED


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda d: d.update(status="DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"),
            Reason.NO_ESTABLISHED_BASIS,
        ),
        (
            lambda d: d["decision"].update(flags=[{"id": "V17", "message": "late"}]),
            Reason.EMERGENCY_RECORDED_LATE | Reason.OPEN_FLAGS,
        ),
        (
            lambda d: d["decision"].update(flags=[{"id": "V4", "message": "items"}]),
            Reason.OPEN_FLAGS,
        ),
        (
            lambda d: (
                d["checklist"]["answers"]
                .setdefault("Q12_minimum_necessary", {})
                .update(whole_record_disclosed=True)
            ),
            Reason.WHOLE_RECORD,
        ),
    ],
)
def test_each_reason_is_raised_by_what_the_record_holds(change: Any, reason: Reason) -> None:
    document = decided(with_consent())
    change(document)
    assert record_reasons(document) == reason


def test_recipients_not_told_of_a_withdrawal_are_named() -> None:
    document = decided(with_consent())
    organisation = document["checklist"]["answers"]["Q4_recipient"]["recipients"][0]
    withdrawal = {"record_ids": [document["id"]], "recipients_notified": []}
    assert unnotified(document, [withdrawal]) == [organisation["organisation"]]
    told = {**withdrawal, "recipients_notified": [{"organisation": organisation["organisation"]}]}
    assert unnotified(document, [told]) == []
    other = {"record_ids": ["another"], "recipients_notified": []}
    assert unnotified(document, [other]) == []
    assert unnotified(decided(dns_body()), [withdrawal]) == []  # nothing went anywhere


def test_what_settles_an_item() -> None:
    assert waits(int(Reason.WITHOUT_CONSENT), "open")
    assert not waits(0, "open")
    assert not waits(int(Reason.WITHOUT_CONSENT), "acknowledged")
    assert waits(int(Reason.WITHOUT_CONSENT | Reason.SIGN_OFF_REQUIRED), "acknowledged")
    assert waits(int(Reason.WHOLE_RECORD), "acknowledged")
    assert not waits(int(Reason.WHOLE_RECORD), "signed_off")
    assert not waits(int(Reason.NOT_INFORMED), "queried")  # it waits on the practitioner
