"""The accounting of disclosures for one person: what the law lets them be told, entry by entry.

US, HIPAA (45 CFR 164.528; brief §1.1): the person's final disclosures that the checklist marked
accountable (contract §4.5: a HIPAA basis with the A mark and a recipient who is not the person;
so not for treatment, payment or operations, to the person, under an authorization, to people
involved in their care, for national security, to a custodial institution or as a limited data
set), made in the six years before the request or the shorter period asked for. A disclosure an
agency has asked to keep out of the accounting ((a)(2), Q17 ``accounting_suspension``) is left
out while the suspension holds, leaving no trace. Repeated disclosures to the same recipient
for one purpose ((b)(3), Q17 ``series_id``) become one entry: the first in full, how many, and
the date of the last.

UK (UK GDPR Art 15(1)(a)-(c), the right of access): every final share of the person's
information, over the whole record unless a start is given: when, the recipient (organisation
and role: the recipient is the body, its staff are other people), what and why.

Where a record names someone whose identity needs protecting (brief field 5; 2024 golden rule 5),
the practitioner's own words are left out of its entry, which then gives the kinds of
information and the purpose in general words instead.

A supervisor's accounting covers, besides their own records, every record imported from the
practitioners' reports about the person (``merge_imported``), each entry naming the practitioner
who made the disclosure; a record is listed once however many reports carried it. The law is
the supervisor's store's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Protocol

from desktop.domain.checklist_input import AccountingSuspension
from desktop.domain.enums import (
    InformStatus,
    Jurisdiction,
    NotInformedReason,
    Outcome,
    RecipientKind,
    RecordStatus,
    Regime,
    StatementType,
)
from desktop.domain.records import Practitioner
from desktop.domain.strict_json import validate_document
from desktop.progress import CancelCheck, ProgressCallback
from desktop.record_index import event_time, utc_key
from desktop.reports.collect import ROW_BLOCK, RecordSource
from desktop.reports.labels import INFORMATION_KINDS, PURPOSES, label
from desktop.reports.model import RecordVersion
from desktop.store.audit import ZERO_HASH
from desktop.store.errors import Stopped
from desktop.store.imported import ImportedRecordState
from desktop.store.records import RecordFilter

HIPAA_YEARS: Final = 6
"""164.528(a)(1): the disclosures of the six years before the request."""

UK_SHARES: Final = frozenset({Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT})
"""Anonymised information is no longer the person's personal data, so it is not theirs to see."""

NOT_TOLD_FOR_SAFETY: Final = frozenset(
    {
        NotInformedReason.INCREASE_RISK,
        NotInformedReason.PREJUDICE_INVESTIGATION,
        NotInformedReason.PR_IS_SUSPECTED_ABUSER,
        NotInformedReason.LAW_ENFORCEMENT_SUSPENSION,
        NotInformedReason.COURT_DIRECTED,
    }
)
"""Why a person may have been kept from knowing of a disclosure that an accounting would now
show them: the practitioner is warned to check before handing it over."""


class AccountingLaw(StrEnum):
    HIPAA = "HIPAA"
    UK_GDPR = "UK_GDPR"


class AccountingRefused(ValueError):
    """The accounting asked for cannot be produced; the message says why (no case content)."""


def accounting_law(jurisdiction: Jurisdiction, regimes: Sequence[Regime]) -> AccountingLaw:
    """The law an accounting from this store answers to; US stores need HIPAA, the one US
    accounting built so far (Part 2, FERPA and Privacy Act accountings are not)."""
    if jurisdiction.is_uk:
        return AccountingLaw.UK_GDPR
    if Regime.HIPAA in regimes:
        return AccountingLaw.HIPAA
    raise AccountingRefused(
        "only a HIPAA accounting can be produced, and HIPAA is not among this store's regimes"
    )


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February falls back to the 28th (the longer look-back)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def period_start(law: AccountingLaw, today: date, since: date | None) -> date | None:
    """The first day covered; None for the whole record (UK, unless a start is given).

    HIPAA covers the six years before the request, or less if the person asks for less; an
    earlier start is refused rather than quietly cut short.
    """
    if since is not None and since > today:
        raise AccountingRefused("the start of the period is in the future")
    if law is AccountingLaw.UK_GDPR:
        return since
    earliest = _years_before(today, HIPAA_YEARS)
    if since is not None and since < earliest:
        raise AccountingRefused(
            f"a HIPAA accounting covers the six years before today: start on or after {earliest}"
        )
    return since or earliest


def _suspension_holds(
    suspension: AccountingSuspension | None, now: datetime, oral_days: int
) -> bool:
    """164.528(a)(2): a written statement suspends for the time the agency gives (the record
    holds no end date, so until the record is amended to lift it); an oral one for at most
    ``oral_days`` after it was made, unless the written statement has come in."""
    if suspension is None:
        return False
    if suspension.statement_type is StatementType.WRITTEN or suspension.written_statement_received:
        return True
    return now - suspension.received_at <= timedelta(days=oral_days)


@dataclass(frozen=True)
class AccountingScope:
    """Whose accounting, under which law, over which days (both inclusive, UTC)."""

    law: AccountingLaw
    subject_id: str
    start: date | None
    end: date
    practitioner: Practitioner
    """Who prepares it, for the organisation they work for."""
    oral_suspension_days: int


@dataclass(frozen=True)
class Receiver:
    """Who received the information, as the entry names them."""

    name: str
    address: str | None = None


SeriesKey = tuple[str, str, tuple[Receiver, ...], str]
"""(whose records, series id, recipients, purpose code): one practitioner's disclosures alike in
the last three are one (b)(3) series."""

OWN: Final = ""
"""Whose records the store's own are, in a ``SeriesKey`` (imported ones: their signer's)."""


@dataclass(frozen=True)
class Entry:
    """One disclosure as the person reads it."""

    record_id: str
    shared_at: datetime
    receivers: tuple[Receiver, ...]
    what: str
    why: str
    details_withheld: bool
    """Details in the practitioner's words were left out to protect someone else."""
    not_told_for_safety: bool
    practitioner: str
    """Who made the disclosure: the name the record's latest version was saved under."""
    series_key: SeriesKey | None = None


@dataclass(frozen=True)
class Series:
    """164.528(b)(3): repeated disclosures to one recipient for one purpose, as one entry."""

    first: Entry
    count: int
    last_at: datetime


@dataclass(frozen=True)
class Accounting:
    scope: AccountingScope
    subject_name: str | None
    generated_at: datetime
    entries: tuple[Entry, ...]
    """Single disclosures, in the order they happened."""
    series: tuple[Series, ...]
    """(b)(3) summaries, by the date of their first disclosure."""
    not_told_for_safety: int
    """Listed disclosures the person was not told of for their or someone's safety, or an
    investigation's: for the practitioner to check before handing the accounting over."""

    @property
    def entry_count(self) -> int:
        return len(self.entries) + len(self.series)

    @property
    def disclosure_count(self) -> int:
        return len(self.entries) + sum(series.count for series in self.series)


#: Records of information that went out: final ones, and those saved as already disclosed
#: without an established basis (drafts and records awaiting advice record nothing sent).
SHARED_STATUSES: Final = frozenset(
    {RecordStatus.FINAL, RecordStatus.DISCLOSURE_WITHOUT_ESTABLISHED_BASIS}
)


class AccountingSource(RecordSource, Protocol):
    """What an accounting reads from a ``Session``: each record's latest version."""

    def record(self, record_id: str, version: int | None = ...) -> dict[str, Any]: ...


def account(
    source: AccountingSource,
    scope: AccountingScope,
    *,
    generated_at: datetime,
    imported: Iterable[ImportedRecordState] = (),
    own_hashes: Callable[[str], Sequence[str]] | None = None,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> Accounting:
    """The person's accounting as of ``generated_at``, over the store's own records and the
    records ``imported`` about the person (each record once: see ``merge_imported``, to which
    ``own_hashes`` is passed); ``should_cancel()`` stops it (Stopped)."""
    date_from = None if scope.start is None else f"{scope.start.isoformat()}T00:00:00Z"
    date_to = f"{(scope.end + timedelta(days=1)).isoformat()}T00:00:00Z"
    rowids = source.record_ids(
        RecordFilter(subject_id=scope.subject_id, date_from=date_from, date_to=date_to)
    )
    rowids.reverse()  # the store lists newest first; an accounting goes in order of events
    others, superseded = merge_imported(imported, own_hashes or (lambda _record_id: ()))
    total = len(rowids) + len(others)
    listed: list[Entry] = []
    names: list[tuple[datetime, str]] = []

    def take(version: RecordVersion, maker: str) -> None:
        if version.subject.name:
            names.append((_shared_at(version), version.subject.name))
        if _listed(version, scope, generated_at):
            listed.append(_entry(version, scope.law, maker))

    def step(done: int) -> None:
        if progress is not None:
            progress(done, total)

    for start in range(0, len(rowids), ROW_BLOCK):
        if should_cancel is not None and should_cancel():
            raise Stopped("the accounting was cancelled")
        for row in source.rows(rowids[start : start + ROW_BLOCK]):
            if row.status in SHARED_STATUSES and row.record_id not in superseded:
                take(validate_document(RecordVersion, source.record(row.record_id)), OWN)
        step(min(start + ROW_BLOCK, len(rowids)))
    for start in range(0, len(others), ROW_BLOCK):
        if should_cancel is not None and should_cancel():
            raise Stopped("the accounting was cancelled")
        for record in others[start : start + ROW_BLOCK]:
            document = _imported_version(record)
            when = utc_key(event_time(document))
            if (
                document["subject"]["subject_id"] == scope.subject_id
                and document["status"] in SHARED_STATUSES
                and (date_from is None or when >= date_from)
                and when < date_to
            ):
                take(validate_document(RecordVersion, document), record.signer_sha256)
        step(len(rowids) + min(start + ROW_BLOCK, len(others)))
    names.sort(key=lambda named: named[0])  # stable: the latest name given wins
    listed.sort(key=lambda entry: entry.shared_at)
    entries, series = _group(listed)
    return Accounting(
        scope=scope,
        subject_name=names[-1][1] if names else None,
        generated_at=generated_at,
        entries=entries,
        series=series,
        not_told_for_safety=sum(entry.not_told_for_safety for entry in listed),
    )


def merge_imported(
    imported: Iterable[ImportedRecordState], own_hashes: Callable[[str], Sequence[str]]
) -> tuple[list[ImportedRecordState], frozenset[str]]:
    """The imported records to list, and the ids of the store's own records to leave out.

    An imported record is one per (signer, record id): the store keeps it once, in its latest
    state, however many reports carried it. Copies of one record are listed once, in their
    latest state: records with one id are copies when the shorter hash chain is the start of
    the longer (a hash covers the whole version, its author included). That happens when the
    store holds a record both as its own and as imported (``own_hashes(record_id)``: the
    hashes of its own versions, oldest first; none if it holds no such record), or two
    signers carry the same chain (a practitioner whose key was replaced). Otherwise records
    sharing an id are different records and each is listed.
    """
    by_id: dict[str, list[ImportedRecordState]] = {}
    for record in imported:
        by_id.setdefault(record.record_id, []).append(record)
    kept: list[ImportedRecordState] = []
    superseded: set[str] = set()
    for record_id, copies in by_id.items():
        own = tuple(own_hashes(record_id))
        chains: list[tuple[tuple[str, ...], ImportedRecordState | None]] = [
            (record.hashes, record) for record in copies
        ]
        if own:
            chains.insert(0, (own, None))
        chains.sort(key=lambda chain: len(chain[0]), reverse=True)  # stable: the store's first
        longest: list[tuple[str, ...]] = []
        for hashes, copy in chains:
            if any(held[len(hashes) - 1] == hashes[-1] for held in longest):
                if copy is None:
                    superseded.add(record_id)
                continue
            longest.append(hashes)
            if copy is not None:
                kept.append(copy)
    return kept, frozenset(superseded)


def _imported_version(record: ImportedRecordState) -> dict[str, Any]:
    """An imported record's latest version as its author's store held it, hashes put back."""
    document: dict[str, Any] = json.loads(record.body)
    document["hash"] = record.hashes[-1]
    document["prev_hash"] = record.hashes[-2] if record.version > 1 else ZERO_HASH.hex()
    return document


def _listed(version: RecordVersion, scope: AccountingScope, now: datetime) -> bool:
    decision = version.decision
    if decision is None or not _receivers_of(version, scope.law):
        return False
    # Information that went out without an established basis went out all the same: the
    # person is told of it (no exception of 164.528(a)(1) covers it; Art. 15(1)(c) names every
    # recipient), whatever the checklist would have decided.
    unestablished = version.status is RecordStatus.DISCLOSURE_WITHOUT_ESTABLISHED_BASIS
    if scope.law is AccountingLaw.UK_GDPR:
        return version.checklist.jurisdiction.is_uk and (
            unestablished or decision.outcome in UK_SHARES
        )
    record = version.checklist.answers.q17_record
    suspension = record.accounting_suspension if record else None
    return (unestablished or decision.accounting.hipaa_accountable) and not _suspension_holds(
        suspension, now, scope.oral_suspension_days
    )


def _receivers_of(version: RecordVersion, law: AccountingLaw) -> tuple[Receiver, ...]:
    """The recipients other than the person: HIPAA names each with their address if known;
    the UK names the organisation and role (a member of staff, or a private address, is
    someone else's information)."""
    receivers = []
    for recipient in version.checklist.answers.q4_recipient.recipients:
        if recipient.kind is RecipientKind.SUBJECT:
            continue
        if law is AccountingLaw.UK_GDPR:
            receivers.append(Receiver(f"{recipient.role_title}, {recipient.organisation}"))
            continue
        named = recipient.name and recipient.name != recipient.role_title
        who = f"{recipient.name} ({recipient.role_title})" if named else recipient.role_title
        receivers.append(Receiver(f"{who}, {recipient.organisation}", recipient.address or None))
    return tuple(receivers)


def _shared_at(version: RecordVersion) -> datetime:
    record = version.checklist.answers.q17_record
    moment = record.disclosure_at if record and record.disclosure_at else version.decision_at
    return moment.astimezone(UTC)


def _entry(version: RecordVersion, law: AccountingLaw, maker: str) -> Entry:
    answers = version.checklist.answers
    purpose = answers.q2_purpose
    minimum = answers.q12_minimum_necessary
    withheld = any(other.identity_protection_needed for other in version.other_individuals)
    described = [] if withheld or minimum is None else [i.description for i in minimum.items]
    what = "; ".join(text for text in described if text) or "; ".join(
        label(INFORMATION_KINDS, kind) for kind in answers.q6_information_type.info_types
    )
    if minimum is not None and minimum.whole_record_disclosed:
        what = f"The whole record: {what}"
    inform = answers.q14_inform
    receivers = _receivers_of(version, law)
    record = answers.q17_record
    series_id = record.series_id if record and law is AccountingLaw.HIPAA else None
    return Entry(
        record_id=version.id,
        shared_at=_shared_at(version),
        receivers=receivers,
        what=what,
        why=label(PURPOSES, purpose.purpose_code) if withheld else purpose.purpose_statement,
        details_withheld=withheld,
        not_told_for_safety=inform is not None
        and inform.status is InformStatus.NOT_INFORMED
        and inform.not_informed_reason in NOT_TOLD_FOR_SAFETY,
        practitioner=version.created_by.name,
        series_key=(maker, series_id, receivers, purpose.purpose_code) if series_id else None,
    )


def _group(listed: list[Entry]) -> tuple[tuple[Entry, ...], tuple[Series, ...]]:
    """Entries of one series with more than one disclosure become a (b)(3) summary."""
    singles: list[Entry] = []
    series: dict[SeriesKey, list[Entry]] = {}
    for entry in listed:
        if entry.series_key is None:
            singles.append(entry)
        else:
            series.setdefault(entry.series_key, []).append(entry)
    summaries = []
    for members in series.values():
        if len(members) == 1:
            singles.append(members[0])
        else:
            summaries.append(Series(members[0], len(members), members[-1].shared_at))
    singles.sort(key=lambda entry: entry.shared_at)
    summaries.sort(key=lambda summary: summary.first.shared_at)
    return tuple(singles), tuple(summaries)
