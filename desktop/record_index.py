"""Derive a record's index row (list columns, filters, full-text fields) from its JSON document.

It reads the document form (what is stored and what ``show --json`` prints) so that a validated
record, a bulk-generated demo record and a stored version are indexed by the very same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PENDING_STATUSES = frozenset({"DRAFT", "PENDING_ADVICE"})


@dataclass(frozen=True)
class RecordIndex:
    """What list, filter and search need to know of a record's latest version."""

    case_id: str
    subject_id: str
    status: str
    outcome: str | None
    subtype: str | None
    event_at: str  # UTC, "YYYY-MM-DDTHH:MM:SSZ", so text order is time order
    flagged: bool
    pending: bool
    recipient_summary: str
    basis_codes: tuple[str, ...]
    recipient_orgs: tuple[str, ...]
    fts_recipients: str
    fts_purpose: str
    fts_items: str
    fts_notes: str


def utc_key(value: str) -> str:
    """An RFC 3339 timestamp as sortable UTC text, to the second."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _answers(doc: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = doc["checklist"]["answers"]
    return answers


def recipients_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    recipients: list[dict[str, Any]] = _answers(doc)["Q4_recipient"]["recipients"]
    return recipients


def recipient_key(recipient: dict[str, Any]) -> tuple[str, str, str]:
    """Who a recipient is, for telling two entries for the same person or team apart."""
    return (recipient.get("name") or "", recipient["role_title"], recipient["organisation"])


def event_time(doc: dict[str, Any]) -> str:
    """When the disclosure happened, else when the decision was made."""
    record = _answers(doc).get("Q17_record") or {}
    return str(record.get("disclosure_at") or doc["decision_at"])


def _join(parts: list[Any]) -> str:
    return "\n".join(str(p) for p in parts if p)


def index_document(doc: dict[str, Any]) -> RecordIndex:
    answers = _answers(doc)
    decision = doc.get("decision") or {}
    recipients = recipients_of(doc)
    first = recipients[0]
    summary = first["organisation"] + (
        f" ({first['role_title']})" if first.get("role_title") else ""
    )
    if len(recipients) > 1:
        summary += f" +{len(recipients) - 1}"
    items = (answers.get("Q12_minimum_necessary") or {}).get("items") or []
    inform = answers.get("Q14_inform") or {}
    consent = answers.get("Q10_seek_consent") or {}
    not_sharing = doc.get("not_sharing") or {}
    outcome = decision.get("outcome")
    status = doc["status"]
    return RecordIndex(
        case_id=doc["case"]["case_id"],
        subject_id=doc["subject"]["subject_id"],
        status=status,
        outcome=outcome,
        subtype=decision.get("subtype"),
        event_at=utc_key(event_time(doc)),
        # A disclosure made without an established basis is escalated, whatever else it holds.
        flagged=bool(decision.get("flags")) or status == "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS",
        pending=status in PENDING_STATUSES or outcome == "SEEK_ADVICE",
        recipient_summary=summary,
        basis_codes=tuple(decision.get("basis_codes") or ()),
        recipient_orgs=tuple(dict.fromkeys(r["organisation"] for r in recipients)),
        fts_recipients=_join(
            [
                part
                for r in recipients
                for part in (r.get("name"), r["role_title"], r["organisation"])
            ]
        ),
        fts_purpose=answers["Q2_purpose"]["purpose_statement"],
        fts_items=_join(
            [part for i in items for part in (i.get("description"), i.get("justification"))]
        ),
        fts_notes=_join(
            [
                doc.get("notes"),
                consent.get("views"),
                inform.get("narrative"),
                *[o.get("narrative") for o in inform.get("others") or []],
                not_sharing.get("reasoning_narrative"),
            ]
        ),
    )
