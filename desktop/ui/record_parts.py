"""The record's parts beyond the checklist answers (brief §3a fields 5, 26, 27 and 39).

Consent evidence, the capacity assessment and the review after an emergency are groups of field
editors built from specs shaped like the rule pack's, so they read, fill and save the way the
questions do. Each shows only when the answers need it (``needed_parts``), right after the
question it follows from; the people named besides the person are a list in the record part.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QCoreApplication

from desktop.ui.record_form_fields import FieldGroup, field_spec

CONSENT: Final = "consent_details"
CAPACITY: Final = "capacity_details"
EMERGENCY: Final = "emergency_review"

#: Each part comes right after the question that decides whether it is needed.
AFTER_QUESTION: Final = {
    "Q3_emergency": EMERGENCY,
    "Q9_who_consents": CAPACITY,
    "Q10_seek_consent": CONSENT,
}

#: Capacity was assessed (not presumed), or found lacking or fluctuating (contract §2.3 Q9).
_PRESUMED_TEST: Final = "NOT_NEEDED"
_DOUBTED_OUTCOMES: Final = frozenset({"LACKS_CAPACITY", "FLUCTUATING"})


def _tr(text: str) -> str:
    return QCoreApplication.translate("RecordParts", text)


def needed_parts(answers: dict[str, Any], outcome: str | None) -> set[str]:
    """The parts the answers (of the questions reached) and the outcome rely on."""
    needed = set()
    if (answers.get("Q3_emergency") or {}).get("immediate_risk") is True:
        needed.add(EMERGENCY)
    who = answers.get("Q9_who_consents") or {}
    if who.get("capacity_test") not in (None, _PRESUMED_TEST) or (
        who.get("capacity_outcome") in _DOUBTED_OUTCOMES
    ):
        needed.add(CAPACITY)
    consent = answers.get("Q10_seek_consent") or {}
    if outcome == "SHARE_WITH_CONSENT" or consent.get("consent_result") == "GIVEN":
        needed.add(CONSENT)
    return needed


def _group(key: str, title: str, text: str, fields: list[dict[str, Any]]) -> FieldGroup:
    group = FieldGroup(
        {"id": key, "title": title, "text": text, "help": None, "fields": fields}, prefix="part"
    )
    group.hide()
    return group


def part_groups() -> dict[str, FieldGroup]:
    """The consent, capacity and emergency-review groups, hidden until needed."""
    return {
        CONSENT: _group(
            CONSENT,
            _tr("Consent details"),
            _tr("Who gave consent, what it covers, and where the evidence is."),
            [
                field_spec(
                    "given_by_name",
                    "string",
                    _tr("Name of who consented"),
                    _tr("Leave empty if the person consented themselves."),
                ),
                field_spec(
                    "relationship",
                    "string",
                    _tr("Their relationship to the person"),
                    _tr("For example: mother, attorney, deputy."),
                ),
                field_spec(
                    "scope",
                    "object",
                    _tr("What the consent covers"),
                    _tr("As the person agreed it."),
                    fields=[
                        field_spec("recipients", "string", _tr("Who it may go to")),
                        field_spec("items", "string", _tr("Which information")),
                        field_spec("purpose", "string", _tr("For what purpose")),
                    ],
                ),
                field_spec(
                    "evidence_ref",
                    "string",
                    _tr("Where the evidence is"),
                    _tr("For example: the reference of the signed form."),
                ),
                field_spec(
                    "expires_at",
                    "datetime",
                    _tr("When the consent ends"),
                    _tr("Only if it ends on a date."),
                ),
            ],
        ),
        CAPACITY: _group(
            CAPACITY,
            _tr("Capacity assessment"),
            _tr("Who assessed the person's capacity or competence, and when."),
            [
                field_spec("assessor", "string", _tr("Who assessed it")),
                field_spec("assessed_at", "datetime", _tr("When it was assessed")),
                field_spec(
                    "notes", "string", _tr("Assessment notes"), _tr("What the assessment found.")
                ),
            ],
        ),
        EMERGENCY: _group(
            EMERGENCY,
            _tr("Review after the emergency"),
            _tr("Information shared in an emergency is reviewed afterwards: by whom, and when."),
            [
                field_spec("retrospective_review_by", "string", _tr("Who reviews it")),
                field_spec("review_at", "datetime", _tr("When it is reviewed")),
            ],
        ),
    }


def other_individuals_spec() -> dict[str, Any]:
    """Other people named in what is shared, who could be harmed if identified (field 5)."""
    return field_spec(
        "other_individuals",
        "list<object>",
        _tr("Other people named"),
        _tr("Anyone else named in the information who could be harmed if identified."),
        fields=[
            field_spec(
                "description",
                "string",
                _tr("Who they are"),
                _tr("For example: the mother's partner."),
                required="always",
            ),
            field_spec(
                "identity_protection_needed",
                "bool",
                _tr("Protect their identity"),
                _tr("Tick if their identity must be kept from the Recipient."),
            ),
            field_spec("reason", "string", _tr("Why"), _tr("Why their identity needs protecting.")),
        ],
    )
