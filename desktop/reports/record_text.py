"""A record in plain words, as paragraphs of labelled text for the PDF.

Every answered field is shown (empty ones are left out), labelled as the rule pack labels it on
the form and in the order the form asks it, so a supervisor reads a record the way the
practitioner filled it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from desktop.reports.labels import (
    OUTCOMES,
    REGIMES,
    STATUSES,
    PackWording,
    label,
    utc_minutes,
    value_text,
    words,
)
from desktop.reports.pdf_pages import Span

Paragraph = list[Span]

_BODY_PARTS: Final = (
    ("other_individuals", "Other people named"),
    ("request", "The request"),
    ("not_sharing", "Decision not to share"),
    ("consent_details", "Consent details"),
    ("capacity_details", "Capacity or competence"),
    ("emergency_review", "Emergency review"),
)
_ACCOUNTING: Final = (
    ("hipaa_accountable", "HIPAA"),
    ("part2_accountable", "42 CFR Part 2"),
    ("ferpa_record_required", "FERPA"),
    ("privacy_act_accountable", "Privacy Act"),
)


def _empty(value: object) -> bool:
    return value is None or value in ("", [], {})


def entry(text: str) -> Span:
    """One item of a paragraph, ended by ``;`` unless it ends a sentence already."""
    return (text if text.endswith((".", "!", "?")) else f"{text};", False)


def pair(name: str, value: str) -> Span:
    """``Name: value;`` in the regular weight: only a paragraph's lead is bold (each change of
    weight is another run of text to draw, and a long report has hundreds of thousands)."""
    return entry(f"{name}: {value}" if name else value)


def finish(spans: Paragraph) -> Paragraph:
    """End a paragraph of ``Label: value;`` pairs with a full stop instead of the last ``;``."""
    if spans and not spans[-1][1] and spans[-1][0].endswith(";"):
        spans[-1] = (spans[-1][0][:-1] + ".", False)
    return spans


def fields(
    wording: PackWording, path: tuple[str, ...], mapping: Mapping[str, Any], heading: str = ""
) -> Paragraph:
    """The answered fields of ``mapping`` (at ``path`` in the answers) as labelled spans; a
    field labelled like the ``heading`` it appears under is not labelled again."""
    spans: Paragraph = []
    for name in wording.fields_in_order(path, mapping):
        value = mapping[name]
        if _empty(value):
            continue
        field_path = (*path, name)
        title = wording.field(field_path)
        shown = "" if title.rstrip("?").casefold() == heading.casefold() else title
        if isinstance(value, dict):
            spans += [(f"{title}:", False), *fields(wording, field_path, value, title)]
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            if shown:
                spans.append((f"{shown}:", False))
            for number, item in enumerate(value, start=1):
                spans += [(f"{number})", False), *fields(wording, field_path, item, title)]
        elif isinstance(value, list):
            spans.append(pair(shown, ", ".join(_scalar(wording, name, item) for item in value)))
        else:
            spans.append(pair(shown, _scalar(wording, name, value)))
    return spans


def _scalar(wording: PackWording, name: str, value: object) -> str:
    if name == "code" and isinstance(value, str):
        return wording.basis(value)
    return value_text(value)


def decision_spans(wording: PackWording, decision: Mapping[str, Any]) -> Paragraph:
    """What the checklist decided, where, on what basis and with what duties."""
    outcome = label(OUTCOMES, decision["outcome"])
    if decision.get("subtype"):
        outcome += f" ({wording.subtype(decision['subtype'])})"
    spans: Paragraph = [("Decision:", True), (f"{outcome};", False)]
    spans.append(pair("Decided at", wording.question(decision["decided_at"])))
    if decision["basis_codes"]:
        spans.append(pair("Basis", ", ".join(wording.basis(c) for c in decision["basis_codes"])))
    if decision["reason_codes"]:
        spans.append(pair("Reason", ", ".join(wording.reason(c) for c in decision["reason_codes"])))
    inform = decision["inform_subject"]
    timing = f", {words(inform['timing'])}" if inform.get("timing") else ""
    spans.append(pair("Tell the person", words(inform["decision"]) + timing))
    signoff = "Yes" if decision["requires_supervisor_signoff"] else "No"
    spans.append(pair("Supervisor sign-off needed", signoff))
    accountable = [name for key, name in _ACCOUNTING if decision["accounting"][key]]
    if accountable:
        spans.append(pair("Accountable under", ", ".join(accountable)))
    return spans


def issue_spans(decision: Mapping[str, Any]) -> Paragraph:
    """The checklist's blocks and flags, each with its message."""
    spans: Paragraph = []
    for key, title in (("blocks", "Blocks:"), ("flags", "Flags:")):
        issues = decision.get(key) or ()
        if issues:
            spans.append((title, True))
            spans += [entry(f"{issue['id']}: {issue['message']}") for issue in issues]
    return finish(spans)


def record_paragraphs(
    wording: PackWording, versions: list[dict[str, Any]]
) -> tuple[str, list[Paragraph]]:
    """A record's heading and paragraphs: its latest version in full, then every version."""
    latest = versions[-1]
    case = latest["case"]
    subject = latest["subject"]
    who = ", ".join(
        part
        for part in (
            subject["subject_id"],
            subject.get("name"),
            words(subject["role"]),
            f"born {subject['date_of_birth']}" if subject.get("date_of_birth") else None,
        )
        if part
    )
    reference = f" ({case['reference']})" if case.get("reference") else ""
    checklist = latest["checklist"]
    status: Paragraph = [
        ("Status:", True),
        (f"{label(STATUSES, latest['status'])};", False),
        pair("Version", f"{latest['version']} of {len(versions)}"),
    ]
    if latest.get("retention_until"):
        status.append(pair("Keep until", latest["retention_until"]))
    paragraphs: list[Paragraph] = [
        [*status, (f"Version hash: {latest['hash']}", False)],
        finish(
            [
                ("Case:", True),
                (f"{case['case_id']}{reference};", False),
                pair("About", who),
                pair("Decision made", utc_minutes(latest["decision_at"])),
                pair("Jurisdiction", checklist["jurisdiction"]),
                pair(
                    "Rules that apply", ", ".join(label(REGIMES, r) for r in checklist["regimes"])
                ),
            ]
        ),
    ]
    decision = latest.get("decision")
    if decision:
        rule_pack = latest.get("rule_pack") or {}
        pack = f"{rule_pack.get('id')} {rule_pack.get('version')}" if rule_pack else "none"
        paragraphs += [
            finish([*decision_spans(wording, decision), pair("Rule pack", pack)]),
            issue_spans(decision),
        ]
    answers = latest["checklist"]["answers"]
    for question_id in wording.questions_in_order(answers):
        title = wording.question(question_id)
        answered = fields(wording, (question_id,), answers[question_id], title)
        if answered:
            paragraphs.append(finish([(f"{title}:", True), *answered]))
    for key, title in _BODY_PARTS:
        value = latest.get(key) or []
        for item in value if isinstance(value, list) else [value]:
            paragraphs.append(finish([(f"{title}:", True), *fields(wording, (key,), item, title)]))
    attested = "Yes" if latest.get("minimum_necessary_attestation") else "No"
    minimum = [("Minimum necessary:", True), pair("Attested", attested)]
    if latest.get("minimum_necessary_not_applicable_reason"):
        minimum.append(
            pair("Why it does not apply", latest["minimum_necessary_not_applicable_reason"])
        )
    paragraphs.append(finish(minimum))
    if latest.get("notes"):
        paragraphs.append([("Notes:", True), (latest["notes"], False)])
    paragraphs.append(_versions(versions))
    return f"Record {latest['id']}", [paragraph for paragraph in paragraphs if paragraph]


def _versions(versions: list[dict[str, Any]]) -> Paragraph:
    spans: Paragraph = [("Versions:", True)]
    for number, version in enumerate(versions):
        line = (
            f"{version['version']}, saved {utc_minutes(version['created_at'])}"
            f" by {version['created_by']['name']}"
        )
        if version.get("amend_reason"):
            line += f", because: {version['amend_reason']}"
        text = f"{line}; hash {version['hash']}"
        spans.append((f"\n{text}" if number else text, False))
    return spans
