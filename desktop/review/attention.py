"""Why an imported record needs a supervisor's attention (issue 6; brief §3b, "supervisor summary").

Worked out once, when the record (or a new version of it) is imported, from the document as its
author's store held it, and kept as a bit set so the queue is one indexed read.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntFlag
from typing import Any

from desktop.record_index import recipients_of

SHARING = frozenset({"SHARE_WITH_CONSENT", "SHARE_WITHOUT_CONSENT", "SHARE_ANONYMISED"})
NO_BASIS = "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"


class Reason(IntFlag):
    """Each thing a supervisor must look at; the values are stored, so never renumber them."""

    WITHOUT_CONSENT = 1
    NO_ESTABLISHED_BASIS = 2
    OBJECTION_OVERRULED = 4
    NOT_INFORMED = 8
    EMERGENCY_RECORDED_LATE = 16
    WHOLE_RECORD = 32
    OPEN_FLAGS = 64
    SIGN_OFF_REQUIRED = 128
    RECIPIENTS_TO_NOTIFY = 256


#: Reasons an acknowledgement does not settle: the contract asks for a sign-off (V5, V9).
NEEDS_SIGN_OFF = Reason.WHOLE_RECORD | Reason.SIGN_OFF_REQUIRED

#: The flag the contract raises for an emergency disclosure recorded more than 24 h late.
EMERGENCY_LATE_FLAG = "V17"


def record_reasons(document: dict[str, Any]) -> Reason:
    """What in a record version needs attention (empty: nothing)."""
    answers = document["checklist"]["answers"]
    decision = document.get("decision") or {}
    outcome = decision.get("outcome")
    status = document["status"]
    disclosed = outcome in SHARING or status == NO_BASIS
    reasons = Reason(0)
    if outcome == "SHARE_WITHOUT_CONSENT":
        reasons |= Reason.WITHOUT_CONSENT
    if status == NO_BASIS:
        reasons |= Reason.NO_ESTABLISHED_BASIS
    objections = (answers.get("Q13_objections") or {}).get("objections") or []
    if any(objection.get("overruled") for objection in objections):
        reasons |= Reason.OBJECTION_OVERRULED
    inform = answers.get("Q14_inform") or {}
    others = inform.get("others") or []
    if disclosed and (
        inform.get("status") == "NOT_INFORMED"
        or any(other.get("status") == "NOT_INFORMED" for other in others)
    ):
        reasons |= Reason.NOT_INFORMED
    flags = [flag["id"] for flag in decision.get("flags") or []]
    if EMERGENCY_LATE_FLAG in flags:
        reasons |= Reason.EMERGENCY_RECORDED_LATE
    if disclosed and (answers.get("Q12_minimum_necessary") or {}).get("whole_record_disclosed"):
        reasons |= Reason.WHOLE_RECORD
    if flags:
        reasons |= Reason.OPEN_FLAGS
    if decision.get("requires_supervisor_signoff"):
        reasons |= Reason.SIGN_OFF_REQUIRED
    return reasons


def unnotified(document: dict[str, Any], withdrawals: Iterable[dict[str, Any]]) -> list[str]:
    """The organisations a record's disclosure went to that were not told its consent was withdrawn.

    ``withdrawals`` are the consent withdrawals (documents) from the same practitioner that name
    this record. Only a share has recipients to tell.
    """
    if (document.get("decision") or {}).get("outcome") not in SHARING:
        return []
    record_id = document["id"]
    pending: dict[str, None] = {}
    for withdrawal in withdrawals:
        if record_id not in withdrawal["record_ids"]:
            continue
        told = {entry["organisation"].casefold() for entry in withdrawal["recipients_notified"]}
        for recipient in recipients_of(document):
            if recipient["organisation"].casefold() not in told:
                pending[recipient["organisation"]] = None
    return list(pending)
