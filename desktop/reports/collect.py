"""Gathering a report from the session: the records of a period, read once, counted once.

Each record is read with every version, checked against the report's model and kept only as
its canonical JSON (a few kilobytes), so 10,000 records stay well inside the memory budget;
the PDF parses one record at a time when it draws it. Only FINAL records are counted: drafts,
records awaiting advice and disclosures without an established basis are listed as pending.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from desktop import __version__
from desktop.domain.canonical import canonical_json
from desktop.domain.checklist import RulePack
from desktop.domain.enums import Jurisdiction, Outcome, RecordStatus
from desktop.domain.records import Practitioner, RulePackRef
from desktop.domain.strict_json import validate_document
from desktop.progress import CancelCheck, ProgressCallback
from desktop.record_index import recipients_of, utc_key
from desktop.reports.model import (
    REPORT_FORMAT,
    AuditCheckpoint,
    Figures,
    PendingItem,
    Period,
    ReportHead,
    ReportRecord,
    WithdrawalVersion,
)
from desktop.store.errors import Stopped
from desktop.store.records import RecordFilter, RecordRow

SHARING_OUTCOMES = frozenset(
    {Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT, Outcome.SHARE_ANONYMISED}
)
ROW_BLOCK = 256
"""Records read between two progress reports (and cancel checks)."""


class _Profile(Protocol):
    @property
    def organisation(self) -> str: ...

    def practitioner(self) -> dict[str, Any]: ...


class _Status(Protocol):
    @property
    def audit_head_seq(self) -> int: ...

    @property
    def audit_head(self) -> str: ...


class RecordSource(Protocol):
    """How any report finds its records in a ``Session`` (reports do not query the store)."""

    def record_ids(
        self,
        where: RecordFilter | None = ...,
        text: str = ...,
        should_stop: Callable[[], bool] | None = ...,
    ) -> array[int]: ...

    def rows(self, rowids: Sequence[int]) -> list[RecordRow]: ...


class ReportSource(RecordSource, Protocol):
    """What a summary report reads from a ``Session``."""

    def profile(self) -> _Profile: ...

    def status(self) -> _Status: ...

    def history(self, record_id: str) -> list[dict[str, Any]]: ...

    def consent_withdrawals(self, case_id: str | None = ...) -> Iterator[dict[str, Any]]: ...

    def rule_pack(self, jurisdiction: Jurisdiction) -> RulePack: ...


@dataclass(frozen=True)
class ReportScope:
    """The days a report covers (both inclusive, UTC) and, optionally, the one case."""

    start: date
    end: date
    case_id: str | None = None

    def window(self) -> tuple[str, str]:
        """The event-time bounds as the store compares them: from inclusive, to exclusive."""
        after_end = self.end + timedelta(days=1)
        return f"{self.start.isoformat()}T00:00:00Z", f"{after_end.isoformat()}T00:00:00Z"


@dataclass(frozen=True)
class CollectedRecord:
    """A record in scope: what sections pick records by, and its versions as canonical JSON."""

    record_id: str
    status: RecordStatus
    outcome: Outcome | None
    entry: bytes
    """Canonical JSON of the record's ``ReportRecord``: what ``report.json`` carries."""

    @property
    def final(self) -> bool:
        return self.status is RecordStatus.FINAL

    def versions(self) -> list[dict[str, Any]]:
        """Every version, oldest first, exactly as stored (hashes included)."""
        versions: list[dict[str, Any]] = json.loads(self.entry)["versions"]
        return versions


@dataclass(frozen=True)
class ReportContent:
    """Everything a report says, ready for the JSON and the PDF."""

    head: ReportHead
    withdrawals: tuple[dict[str, Any], ...]
    """Consent withdrawals in scope, exactly as stored (hashes included)."""
    records: tuple[CollectedRecord, ...]
    """In the order the disclosures (or decisions) happened."""
    packs: Mapping[Jurisdiction, RulePack]
    """The rule pack of each jurisdiction in the report, for wording its codes."""


class _Tally:
    """The figures, counted as records stream past."""

    def __init__(self) -> None:
        self.records = 0
        self.by_status: Counter[str] = Counter()
        self.by_outcome: Counter[str] = Counter()
        self.by_subtype: Counter[str] = Counter()
        self.by_basis_code: Counter[str] = Counter()
        self.by_recipient_type: Counter[str] = Counter()

    def add(self, latest: dict[str, Any]) -> None:
        self.records += 1
        self.by_status[latest["status"]] += 1
        if latest["status"] != RecordStatus.FINAL:
            return
        decision = latest["decision"]
        self.by_outcome[decision["outcome"]] += 1
        if decision.get("subtype"):
            self.by_subtype[decision["subtype"]] += 1
        if decision["outcome"] in SHARING_OUTCOMES:
            self.by_basis_code.update(decision["basis_codes"])
            self.by_recipient_type.update(
                recipient.get("kind", "OTHER") for recipient in recipients_of(latest)
            )

    def figures(self) -> Figures:
        final = self.by_status[RecordStatus.FINAL]
        return Figures.model_validate(
            {
                "records": self.records,
                "final": final,
                "shared": sum(self.by_outcome[outcome] for outcome in SHARING_OUTCOMES),
                "pending": self.records - final,
                "by_status": dict(self.by_status),
                "by_outcome": dict(self.by_outcome),
                "by_subtype": dict(self.by_subtype),
                "by_basis_code": dict(self.by_basis_code),
                "by_recipient_type": dict(self.by_recipient_type),
            }
        )


def collect(
    source: ReportSource,
    scope: ReportScope,
    *,
    report_id: str,
    generated_at: datetime,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> ReportContent:
    """Read the scope's records and withdrawals; ``should_cancel()`` stops it with ``Stopped``.

    ``report_id`` and ``generated_at`` come from the caller so that the same store and the same
    two values always give the same ``report.json``, byte for byte.
    """
    profile = source.profile()
    status = source.status()
    date_from, date_to = scope.window()
    rowids = source.record_ids(
        RecordFilter(case_id=scope.case_id, date_from=date_from, date_to=date_to)
    )
    rowids.reverse()  # the store lists newest first; a report reads in the order things happened
    tally = _Tally()
    records: list[CollectedRecord] = []
    pending: list[PendingItem] = []
    rule_packs: set[tuple[str, str]] = set()
    packs: dict[Jurisdiction, RulePack] = {}
    for start in range(0, len(rowids), ROW_BLOCK):
        if should_cancel is not None and should_cancel():
            raise Stopped("the report was cancelled")
        for row in source.rows(rowids[start : start + ROW_BLOCK]):
            versions = source.history(row.record_id)
            entry = {"record_id": row.record_id, "versions": versions}
            validate_document(ReportRecord, entry)  # its errors never quote the content
            latest = versions[-1]
            tally.add(latest)
            rule_packs.update(
                (version["rule_pack"]["id"], version["rule_pack"]["version"])
                for version in versions
                if version.get("rule_pack")
            )
            jurisdiction = Jurisdiction(latest["checklist"]["jurisdiction"])
            if jurisdiction not in packs:
                packs[jurisdiction] = source.rule_pack(jurisdiction)
            record = CollectedRecord(
                record_id=row.record_id,
                status=RecordStatus(latest["status"]),
                outcome=_outcome(latest),
                entry=canonical_json(entry),
            )
            records.append(record)
            if not record.final:
                pending.append(
                    PendingItem(
                        record_id=row.record_id, status=record.status, outcome=record.outcome
                    )
                )
        if progress is not None:
            progress(len(records), len(rowids))
    withdrawals = tuple(_withdrawals(source, scope.case_id, date_from, date_to))
    head = ReportHead(
        format=REPORT_FORMAT,
        report_id=report_id,
        generated_at=generated_at,
        app_version=__version__,
        organisation=profile.organisation,
        practitioner=Practitioner.model_validate(profile.practitioner()),
        period=Period(start=scope.start, end=scope.end),
        case_id=scope.case_id,
        rule_packs=[
            RulePackRef(id=pack_id, version=version) for pack_id, version in sorted(rule_packs)
        ],
        audit_checkpoint=AuditCheckpoint(seq=status.audit_head_seq, head=status.audit_head),
        figures=tally.figures(),
        pending=pending,
    )
    return ReportContent(head=head, withdrawals=withdrawals, records=tuple(records), packs=packs)


def _outcome(document: dict[str, Any]) -> Outcome | None:
    decision = document.get("decision")
    return Outcome(decision["outcome"]) if decision else None


def _withdrawals(
    source: ReportSource, case_id: str | None, date_from: str, date_to: str
) -> Iterator[dict[str, Any]]:
    for document in source.consent_withdrawals(case_id):
        if date_from <= utc_key(document["withdrawn_at"]) < date_to:
            validate_document(WithdrawalVersion, document)
            yield document
