"""The accounting as a PDF for the person it is about: plain words, one entry at a time.

Each entry names who at the organisation made the disclosure (in a supervisor's accounting,
the practitioners whose reports they imported). It is handed to the person, so it says only
what the accounting lists: nothing about what was left out for someone else's protection
beyond the entry's own note, and nothing at all about disclosures under an agency's suspension.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from desktop.reports.accounting import Accounting, AccountingLaw, Entry
from desktop.reports.labels import utc_minutes
from desktop.reports.pdf_pages import BODY, SMALL, PageWriter

TITLE: Final = "Disclosures of your information"
NOTHING_TO_LIST: Final = "There is no sharing of your information to list for this period."
WITHHELD: Final = "Some details are left out because they are about other people."

INTRODUCTIONS: Final = {
    AccountingLaw.HIPAA: (
        "This is the accounting of disclosures you asked for under the HIPAA Privacy Rule"
        " (45 CFR 164.528). It lists each time we shared information about you with another"
        " person or organisation in the period above: when, who received it (and their address,"
        " if we know it), what was shared and why.",
        "The law does not ask us to list some kinds of sharing, so they are not here: for"
        " example sharing for your treatment, to arrange payment or to run our services;"
        " sharing with you; sharing you allowed in a signed authorization; and sharing with"
        " family or friends involved in your care.",
    ),
    AccountingLaw.UK_GDPR: (
        "This lists each time we shared your personal information with another organisation"
        " in the period above: when, with whom, what was shared and why. It is part of our"
        " answer to your request for your information (your right of access, Article 15 of"
        " the UK GDPR).",
    ),
}


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def render_accounting(accounting: Accounting) -> bytes:
    """The accounting as PDF bytes (unsigned); the metadata holds no case content."""
    scope = accounting.scope
    practitioner = scope.practitioner
    organisation = practitioner.organisation
    generated = utc_minutes(accounting.generated_at.isoformat())
    pages = PageWriter(
        title=TITLE,
        author=practitioner.name,
        subject="Accounting of disclosures",
        footer=(
            f"{TITLE}, from {organisation}",
            f"Generated {generated}; signed by {practitioner.name}",
        ),
    )
    pages.title(TITLE)
    person = f"reference {scope.subject_id}"
    if accounting.subject_name:
        person = f"{accounting.subject_name} ({person})"
    start = "the first record" if scope.start is None else scope.start.isoformat()
    for name, value in (
        ("For", person),
        ("From", organisation),
        ("Period", f"{start} to {scope.end.isoformat()} (dates are in UTC)"),
        ("Prepared by", f"{practitioner.name}, {practitioner.role}"),
        ("Generated", generated),
    ):
        pages.paragraph([(f"{name}:", True), (value, False)])
    pages.space(6)
    for text in INTRODUCTIONS[scope.law]:
        pages.paragraph([(text, False)])
        pages.space(3)
    pages.heading("Each time we shared your information")
    if not accounting.entry_count:
        pages.paragraph([(NOTHING_TO_LIST, False)])
    for entry in accounting.entries:
        _entry(pages, entry, "When")
    if accounting.series:
        pages.heading("Shared more than once with the same recipient for the same reason")
        pages.paragraph(
            [
                (
                    "Each of these is listed once: the first time in full, then how many times"
                    " and the date of the last time.",
                    False,
                )
            ],
            SMALL,
        )
        for series in accounting.series:
            _entry(
                pages,
                series.first,
                "First time",
                (
                    ("How many times", f"{series.count} times in this period"),
                    ("Last time", _day(series.last_at)),
                ),
            )
    pages.heading("Questions")
    pages.paragraph(
        [(f"If you have questions about this list, please contact {organisation}.", False)]
    )
    return pages.finish()


def _entry(
    pages: PageWriter, entry: Entry, when: str, more: Sequence[tuple[str, str]] = ()
) -> None:
    """An entry's lines, kept on one page when they fit."""
    lines = [(when, _day(entry.shared_at)), ("Shared by", entry.practitioner)]
    for receiver in entry.receivers:
        lines.append(("Shared with", receiver.name))
        if receiver.address:
            lines.append(("Address", receiver.address))
    lines += [("What was shared", entry.what), ("Why", entry.why), *more]
    if entry.details_withheld:
        lines.append(("Note", WITHHELD))
    pages.ensure(len(lines) * BODY.leading)
    for name, value in lines:
        pages.paragraph([(f"{name}:", True), (value, False)])
    pages.space(6)
