"""Codes in plain words for reports (brief §5).

The rule pack already words its codes, questions and fields for the form (and an organisation
may reword them in its own pack), so reports read those; the few tables here word what a pack
does not: record statuses, outcomes in the past tense a report speaks in, regimes, recipient
types and why a person was not told. (The GUI's own tables in ``desktop/ui/wording.py`` are
marked for Qt's translation tools, which only the UI may import.) Any other code reads as its
words (``COURT_DIRECTED`` → "Court directed"), and timestamps as UTC minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Final

from desktop.domain.checklist import RulePack
from desktop.domain.checklist.rule_pack import PackField
from desktop.domain.enums import ContractEnum

STATUSES: Final[Mapping[str, str]] = {
    "FINAL": "Final",
    "DRAFT": "Draft",
    "PENDING_ADVICE": "Awaiting advice",
    "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS": "Shared without an established basis",
}

OUTCOMES: Final[Mapping[str, str]] = {
    "SHARE_WITH_CONSENT": "Shared with consent",
    "SHARE_WITHOUT_CONSENT": "Shared without consent",
    "SHARE_ANONYMISED": "Shared anonymised",
    "DO_NOT_SHARE": "Not shared",
    "SEEK_ADVICE": "Advice needed first",
}

REGIMES: Final[Mapping[str, str]] = {
    "UK_GDPR": "UK GDPR and the Data Protection Act 2018",
    "CL_CONFIDENCE": "Common law duty of confidence",
    "HIPAA": "HIPAA",
    "PART2": "42 CFR Part 2",
    "FERPA": "FERPA",
    "PRIVACY_ACT": "Privacy Act 1974",
    "STATE_ONLY": "State law only",
}

RECIPIENT_TYPES: Final[Mapping[str, str]] = {
    "SUBJECT": "The person themselves",
    "PARENT": "A parent",
    "SCHOOL_OFFICIAL": "A school official",
    "OTHER": "Another person or agency",
}

NOT_INFORMED_REASONS: Final[Mapping[str, str]] = {
    "INCREASE_RISK": "Telling them would increase the risk of harm",
    "PREJUDICE_INVESTIGATION": "Telling them would prejudice an investigation",
    "PR_IS_SUSPECTED_ABUSER": "The person with parental responsibility is the suspected abuser",
    "LAW_ENFORCEMENT_SUSPENSION": "Law enforcement asked for a delay",
    "NOT_CONTACTABLE": "They could not be contacted",
    "COURT_DIRECTED": "A court directed that they are not told",
    "SUBJECT_CANNOT_UNDERSTAND": "They cannot understand the information",
    "NO_DUTY_TO_INFORM": "There is no duty to tell them",
    "OTHER": "Another reason (see the details)",
}

PURPOSES: Final[Mapping[str, str]] = {
    "SAFEGUARDING_CHILD": "To protect a child from harm",
    "SAFEGUARDING_ADULT": "To protect an adult at risk from harm",
    "CRIME_PREVENTION_DETECTION": "To prevent or detect a crime",
    "LEGAL_PROCEEDINGS": "For court or other legal proceedings",
    "PUBLIC_HEALTH": "To protect public health",
    "EMERGENCY_LIFE": "In an emergency, to protect someone's life or safety",
    "DIRECT_CARE": "For your care and support",
    "RESEARCH": "For research",
    "FAMILY_INVOLVEMENT": "To involve your family or carers in your care",
    "OTHER": "Another purpose",
}
"""Purpose codes as the person the information is about would put them (accounting)."""

INFORMATION_KINDS: Final[Mapping[str, str]] = {
    "CONFIDENTIAL": "Confidential information about you",
    "SPECIAL_CATEGORY_HEALTH": "Information about your health",
    "SPECIAL_CATEGORY_SEX_LIFE": "Information about your sex life",
    "SPECIAL_CATEGORY_OTHER": "Other sensitive information about you",
    "CRIMINAL_OFFENCE": "Information about offences",
    "PART2_SUD_RECORD": "Records of substance use treatment",
    "EDUCATION_RECORD": "Education records",
    "PSYCHOTHERAPY_NOTES": "Psychotherapy notes",
    "THIRD_PARTY_INFO": "Information that also concerns other people",
}
"""Kinds of information as the person the information is about would put them (accounting)."""

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


@cache
def _codes() -> frozenset[str]:
    """Every value of every contract and product enum: the strings that are codes, not prose."""
    found: set[str] = set()
    pending: list[type[ContractEnum]] = [ContractEnum]
    while pending:
        enum = pending.pop()
        pending.extend(enum.__subclasses__())
        found.update(member.value for member in enum)
    return frozenset(found)


_ACRONYMS: Final = frozenset({"DSL", "DPO", "FERPA", "HIPAA", "LPA", "MARAC", "MCA", "PR", "SUD"})


@cache
def words(code: str) -> str:
    """``COURT_DIRECTED`` → "Court directed" (acronyms such as DSL stay as they are); cached,
    as a long report words the same few hundred codes and keys again and again."""
    parts = [part if part in _ACRONYMS else part.lower() for part in code.split("_") if part]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def label(table: Mapping[str, str], code: str | None) -> str:
    """A code from ``table`` in words; a code the table does not know reads as its words."""
    if code is None:
        return "none"
    return table.get(code) or words(code)


def utc_minutes(timestamp: str) -> str:
    """``2026-10-27T17:53:00+01:00`` → "2026-10-27 16:53 UTC": one clock for the whole report."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def value_text(value: object) -> str:
    """A scalar answer in words: Yes/No, a code's words, a timestamp in UTC, or the text."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, str):
        if value in _codes():
            return words(value)
        if _TIMESTAMP.fullmatch(value):
            return utc_minutes(value)
    return str(value)


class PackWording:
    """What a rule pack calls its codes, questions and fields, and the order it asks them in."""

    def __init__(self, pack: RulePack) -> None:
        self._basis = {code.code: code.label for code in pack.basis_codes}
        self._subtypes = {entry.code.value: entry.label for entry in pack.subtypes}
        self._reasons = {entry.code.value: entry.label for entry in pack.reason_codes}
        self._questions = {question.id: question.title for question in pack.questions}
        self._question_places = {
            question.id: place for place, question in enumerate(pack.questions)
        }
        self._fields: dict[tuple[str, ...], str] = {}
        self._field_places: dict[tuple[str, ...], dict[str, int]] = {}
        self._orders: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}
        for question in pack.questions:
            self._add_fields((question.id,), question.fields)

    def _add_fields(self, parent: tuple[str, ...], fields: Sequence[PackField]) -> None:
        self._field_places[parent] = {entry.name: place for place, entry in enumerate(fields)}
        for entry in fields:
            self._fields[(*parent, entry.name)] = entry.label
            self._add_fields((*parent, entry.name), entry.fields)

    def basis(self, code: str) -> str:
        """``UK-GDPR-6-1-C (Legal obligation)``: the code a supervisor looks up, and its name."""
        name = self._basis.get(code)
        return f"{code} ({name})" if name else code

    def subtype(self, code: str | None) -> str:
        return label(self._subtypes, code)

    def reason(self, code: str) -> str:
        return label(self._reasons, code)

    def question(self, question_id: str) -> str:
        return self._questions.get(question_id) or words(question_id.partition("_")[2])

    def field(self, path: tuple[str, ...]) -> str:
        """The label of a field of an answer: ``("Q4_recipient", "recipients", "role_title")``."""
        return self._fields.get(path) or words(path[-1])

    def questions_in_order(self, question_ids: Iterable[str]) -> tuple[str, ...]:
        """Answers are stored with sorted keys (Q10 before Q2); people read them in pack order."""
        return self._in_order((), tuple(question_ids), self._question_places)

    def fields_in_order(self, parent: tuple[str, ...], names: Iterable[str]) -> tuple[str, ...]:
        """The fields of an answer (or of a part of one) in the order the form asks them."""
        return self._in_order(parent, tuple(names), self._field_places.get(parent, {}))

    def _in_order(
        self, parent: tuple[str, ...], names: tuple[str, ...], places: Mapping[str, int]
    ) -> tuple[str, ...]:
        """By place in ``places``; names it does not know go last, alphabetically.

        Remembered per parent and set of names (stored documents come in few shapes), as a
        report orders the fields of every answer of every record it shows.
        """
        order = self._orders.get((parent, names))
        if order is None:
            order = tuple(sorted(names, key=lambda name: (places.get(name, len(places)), name)))
            self._orders[(parent, names)] = order
        return order
