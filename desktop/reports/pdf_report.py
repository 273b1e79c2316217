"""The printable report: a summary with charts, the sections a supervisor reviews, then every
record in full with its version hash.

Two passes over the records, one at a time: the first picks out what each section needs (a few
lines a record), the second writes the records in full, so memory stays flat however long the
period. ``progress(done, total)`` counts both passes; ``should_cancel()`` stops with ``Stopped``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from desktop.domain.enums import Jurisdiction, Outcome, RecipientKind, RecordStatus, Subtype
from desktop.progress import CancelCheck, ProgressCallback
from desktop.record_index import event_time
from desktop.reports.charts import bar_chart
from desktop.reports.collect import ROW_BLOCK, CollectedRecord, ReportContent
from desktop.reports.labels import (
    NOT_INFORMED_REASONS,
    OUTCOMES,
    RECIPIENT_TYPES,
    STATUSES,
    PackWording,
    label,
    utc_minutes,
    words,
)
from desktop.reports.pdf_pages import BODY, SMALL, TEXT_WIDTH, PageWriter
from desktop.reports.record_text import (
    Paragraph,
    fields,
    finish,
    issue_spans,
    pair,
    record_paragraphs,
)
from desktop.store.errors import Stopped

TITLE: Final = "Disclosure Log summary report"
TOP_BASIS_CODES: Final = 12
"""Basis codes charted (all are listed as text)."""
NONE_IN_PERIOD: Final = "None in this report."

PENDING_WHY: Final[Mapping[str, str]] = {
    "DRAFT": "A draft: not finished, so not counted.",
    "PENDING_ADVICE": "Waiting for advice before the decision is final.",
    "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS": (
        "Information was shared before a lawful basis was established: it needs review."
    ),
}


class _Steps:
    """Progress over both passes, reported (and cancel checked) every ``ROW_BLOCK`` records."""

    def __init__(
        self, total: int, progress: ProgressCallback | None, should_cancel: CancelCheck | None
    ) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._should_cancel = should_cancel

    def tick(self) -> None:
        self.done += 1
        if self.done % ROW_BLOCK and self.done != self.total:
            return
        if self._should_cancel is not None and self._should_cancel():
            raise Stopped("the report was cancelled")
        if self._progress is not None:
            self._progress(self.done, self.total)


@dataclass
class _Sections:
    """What each review section lists, one paragraph per record (or withdrawal)."""

    without_consent: list[Paragraph] = field(default_factory=list)
    not_informed: list[Paragraph] = field(default_factory=list)
    not_shared: list[Paragraph] = field(default_factory=list)
    flagged: list[Paragraph] = field(default_factory=list)
    pending: list[Paragraph] = field(default_factory=list)

    def add(self, record: CollectedRecord, latest: dict[str, Any], wording: PackWording) -> None:
        decision = latest.get("decision") or {}
        answers = latest["checklist"]["answers"]
        about = _about(latest)
        status = pair("Status", label(STATUSES, record.status))
        if not record.final:
            outcome = label(OUTCOMES, record.outcome) if record.outcome else "No decision yet"
            self.pending.append(
                [
                    *about,
                    status,
                    pair("Decision so far", outcome),
                    (f"Why it is pending: {label(PENDING_WHY, record.status)}", False),
                ]
            )
        if _needs_attention(record, decision):
            signoff = "Yes" if decision.get("requires_supervisor_signoff") else "No"
            self.flagged.append(
                finish([*about, status, pair("Needs supervisor sign-off", signoff)])
                + issue_spans(decision)
            )
        if not record.final:
            return
        if record.outcome is Outcome.SHARE_WITHOUT_CONSENT:
            self.without_consent.append(_without_consent(about, decision, answers, wording))
        inform = answers.get("Q14_inform") or {}
        if inform.get("status") == "NOT_INFORMED":
            self.not_informed.append(_not_informed(about, inform))
        if record.outcome is Outcome.DO_NOT_SHARE:
            self.not_shared.append(_not_shared(about, decision, latest, wording))


def _needs_attention(record: CollectedRecord, decision: Mapping[str, Any]) -> bool:
    return bool(
        decision.get("flags")
        or decision.get("blocks")
        or decision.get("requires_supervisor_signoff")
        or record.status is RecordStatus.DISCLOSURE_WITHOUT_ESTABLISHED_BASIS
    )


def _about(latest: dict[str, Any]) -> Paragraph:
    """Which record, when and in which case: the start of every section entry."""
    return [
        ("Record", True),
        (f"{latest['id']};", False),
        pair("When", utc_minutes(event_time(latest))),
        pair("Case", latest["case"]["case_id"]),
    ]


def _without_consent(
    about: Paragraph,
    decision: Mapping[str, Any],
    answers: Mapping[str, Any],
    wording: PackWording,
) -> Paragraph:
    """The basis and the checklist's reasons: the answers where it decided, the override's
    case and any objection that was overruled."""
    basis = ", ".join(wording.basis(code) for code in decision["basis_codes"]) or "none"
    spans: Paragraph = [
        *about,
        pair("Type", wording.subtype(decision.get("subtype"))),
        pair("Basis", basis),
        pair("Decided at", wording.question(decision["decided_at"])),
    ]
    for question_id in dict.fromkeys([decision["decided_at"], "Q11_override_basis"]):
        if answers.get(question_id):
            spans += fields(wording, (question_id,), answers[question_id])
    objections = (answers.get("Q13_objections") or {}).get("objections") or []
    overruled = [objection for objection in objections if objection.get("overruled")]
    if overruled:
        spans += fields(wording, ("Q13_objections",), {"objections": overruled})
    return finish(spans)


def _not_informed(about: Paragraph, inform: Mapping[str, Any]) -> Paragraph:
    spans = [
        *about,
        pair("Why not told", label(NOT_INFORMED_REASONS, inform.get("not_informed_reason"))),
    ]
    if inform.get("narrative"):
        spans.append(pair("Details", inform["narrative"]))
    spans.append(pair("Review date", inform.get("review_date") or "none set"))
    return finish(spans)


def _not_shared(
    about: Paragraph,
    decision: Mapping[str, Any],
    latest: Mapping[str, Any],
    wording: PackWording,
) -> Paragraph:
    reasons = ", ".join(wording.reason(code) for code in decision["reason_codes"])
    not_sharing = latest.get("not_sharing") or {}
    spans = [*about, pair("Reason", reasons), *fields(wording, ("not_sharing",), not_sharing)]
    if not not_sharing.get("review_trigger") and not not_sharing.get("review_date"):
        spans.append(pair("Review", "no review trigger or date recorded"))
    return finish(spans)


def _withdrawal(document: Mapping[str, Any]) -> Paragraph:
    notified = [
        entry["organisation"]
        + (f" ({entry['role_title']})" if entry.get("role_title") else "")
        + f" at {utc_minutes(entry['notified_at'])}"
        for entry in document.get("recipients_notified") or []
    ]
    had_it = [
        f"{entry['organisation']} ({entry['role_title']}), {len(entry['record_ids'])} record(s)"
        for entry in document.get("recipients_to_notify") or []
    ]
    return [
        ("Withdrawn:", True),
        (f"{utc_minutes(document['withdrawn_at'])};", False),
        pair("Case", document["case_id"]),
        pair("Person", document["subject_id"]),
        pair("By", f"{document['by_whom']} ({words(document['how'])})"),
        pair("Scope", document["scope"]),
        pair("Effect", words(document["effect"])),
        pair("Recipients notified", ", ".join(notified) or "none yet"),
        pair("Recipients who had the information", ", ".join(had_it) or "none"),
        (f"Hash: {document['hash']}", False),
    ]


def render_pdf(
    content: ReportContent,
    *,
    footer_hash: str,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
) -> bytes:
    """The report as PDF bytes; ``footer_hash`` (the caller's manifest hash) is on every page."""
    head = content.head
    pages = PageWriter(
        title=TITLE,
        author=head.practitioner.name,
        subject=f"Report {head.report_id}",
        footer=(f"Report {head.report_id}", f"Manifest hash {footer_hash}"),
    )
    wordings = {jurisdiction: PackWording(pack) for jurisdiction, pack in content.packs.items()}
    steps = _Steps(2 * len(content.records), progress, should_cancel)
    sections = _gather(content, wordings, steps)
    _summary(pages, content, list(wordings.values()))
    _review_sections(pages, sections, content.withdrawals)
    del sections  # the records in full need the memory more
    pages.heading("Records in full")
    pages.paragraph(
        [("Each record's latest version, then all its versions with their hashes.", False)],
        SMALL,
    )
    if not content.records:
        pages.paragraph([(NONE_IN_PERIOD, False)])
    for record in content.records:
        versions = record.versions()
        heading, paragraphs = record_paragraphs(_wording_for(wordings, versions[-1]), versions)
        pages.heading(heading, 2, bookmark=False)
        for paragraph in paragraphs:
            pages.paragraph(paragraph)
        pages.space(4)
        steps.tick()
    return pages.finish()


def _gather(
    content: ReportContent, wordings: Mapping[Jurisdiction, PackWording], steps: _Steps
) -> _Sections:
    """The first pass: each record's latest version, sorted into the sections it belongs to."""
    sections = _Sections()
    for record in content.records:
        latest = record.versions()[-1]
        sections.add(record, latest, _wording_for(wordings, latest))
        steps.tick()
    return sections


def _wording_for(
    wordings: Mapping[Jurisdiction, PackWording], latest: Mapping[str, Any]
) -> PackWording:
    return wordings[Jurisdiction(latest["checklist"]["jurisdiction"])]


def _summary(pages: PageWriter, content: ReportContent, wordings: Sequence[PackWording]) -> None:
    head = content.head
    figures = head.figures
    practitioner = head.practitioner
    who = f"{practitioner.name}, {practitioner.role}"
    if practitioner.registration_number:
        who += f" (registration {practitioner.registration_number})"
    pages.title("Disclosure report")
    for name, value in (
        ("Organisation", head.organisation),
        ("Practitioner", who),
        (
            "Period",
            f"{head.period.start.isoformat()} to {head.period.end.isoformat()}"
            " (by the day each disclosure or decision happened, UTC)",
        ),
        ("Case", head.case_id or "all cases"),
        ("Generated", utc_minutes(head.generated_at.isoformat())),
        ("Report id", head.report_id),
        (
            "Audit checkpoint",
            f"entry {head.audit_checkpoint.seq}, head hash {head.audit_checkpoint.head}",
        ),
        ("Rule packs", ", ".join(f"{ref.id} {ref.version}" for ref in head.rule_packs) or "none"),
    ):
        pages.paragraph([(f"{name}:", True), (value, False)])
    pages.heading("Summary")
    for name, count in (
        ("Records in this report", figures.records),
        ("Final records (counted below)", figures.final),
        ("Final records that shared information", figures.shared),
        ("Pending records (not final, never counted as shared)", figures.pending),
    ):
        pages.paragraph([(f"{name}:", True), (str(count), False)])
    outcomes = [
        (label(OUTCOMES, o), figures.by_outcome.get(o, 0))
        for o in Outcome
        if o is not Outcome.SEEK_ADVICE
    ]
    subtypes = [
        (wordings[0].subtype(s) if wordings else words(s), figures.by_subtype.get(s, 0))
        for s in Subtype
    ]
    recipients = [
        (label(RECIPIENT_TYPES, k), figures.by_recipient_type.get(k, 0)) for k in RecipientKind
    ]
    basis = sorted(figures.by_basis_code.items(), key=lambda item: (-item[1], item[0]))
    statuses = [(label(STATUSES, s), figures.by_status.get(s, 0)) for s in RecordStatus]
    _figure(pages, "By outcome (final records)", outcomes)
    _figure(pages, "Shared without consent, by type", subtypes)
    _figure(pages, "By recipient type (recipients of shared information)", recipients)
    _figure(
        pages,
        "By basis code (final records that shared information)",
        [(_basis_label(wordings, code), count) for code, count in basis],
        chart=basis[:TOP_BASIS_CODES],
    )
    _figure(pages, "By status (every record in the report)", statuses)


def _basis_label(wordings: Sequence[PackWording], code: str) -> str:
    """A basis code with its name from whichever pack knows it."""
    return next((text for text in (w.basis(code) for w in wordings) if text != code), code)


def _figure(
    pages: PageWriter,
    title: str,
    rows: Sequence[tuple[str, int]],
    chart: Sequence[tuple[str, int]] | None = None,
) -> None:
    """One count per line, then (when any is above zero) a bar chart of ``chart``: the same
    rows unless given (fewer, with shorter labels)."""
    pages.heading(title, 1)
    if not rows:
        pages.paragraph([(NONE_IN_PERIOD, False)])
        return
    for name, count in rows:
        pages.paragraph([(f"{name}:", False), (str(count), True)])
    charted = rows if chart is None else chart
    if any(count for _, count in charted):
        pages.space(4)
        pages.drawing(bar_chart(charted, int(TEXT_WIDTH)))


def _review_sections(
    pages: PageWriter, sections: _Sections, withdrawals: Sequence[Mapping[str, Any]]
) -> None:
    for title, note, entries in (
        (
            "Disclosures without consent",
            "Each final record that shared information without consent: the basis, and the"
            " checklist's reasons.",
            sections.without_consent,
        ),
        (
            "People not told",
            "Each final record where the person was not told, why, and when that is reviewed.",
            sections.not_informed,
        ),
        (
            "Decisions not to share",
            "Each final decision not to share, its reasons and what would make it reconsidered.",
            sections.not_shared,
        ),
        (
            "Consent withdrawals",
            "Each withdrawal recorded in the period, and the recipients told about it.",
            [_withdrawal(document) for document in withdrawals],
        ),
        (
            "Open flags and sign-off",
            "Records the checklist flagged, blocked or marked for a supervisor's sign-off.",
            sections.flagged,
        ),
        (
            "Pending",
            "Records that are not final: listed here, never counted as shared.",
            sections.pending,
        ),
    ):
        pages.heading(title)
        pages.paragraph([(note, False)], SMALL)
        if not entries:
            pages.paragraph([(NONE_IN_PERIOD, False)])
        for entry in entries:
            pages.paragraph(entry, BODY)
            pages.space(3)
