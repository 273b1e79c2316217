"""Codes in plain words (brief §5) and the readable record."""

from __future__ import annotations

import pytest

from desktop.domain.enums import Outcome
from desktop.ui.wording import flags_label, outcome_label, render_document


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("SHARE_WITH_CONSENT", "Share with consent"),
        ("SHARE_WITHOUT_CONSENT", "Share without consent"),
        ("DO_NOT_SHARE", "Do not share"),
        ("SEEK_ADVICE", "Seek advice first"),
        ("SHARE_ANONYMISED", "Shared anonymised"),
    ],
)
def test_every_outcome_has_plain_words(qapp: object, outcome: str, words: str) -> None:
    assert outcome_label(outcome) == words


def test_no_outcome_code_is_left_unworded(qapp: object) -> None:
    assert all(outcome_label(o.value) != o.value for o in Outcome)
    with_subtype = outcome_label("SHARE_WITHOUT_CONSENT", "EMERGENCY")
    assert with_subtype == "Share without consent (emergency)"


def test_flags_are_words_not_colours(qapp: object) -> None:
    assert flags_label("FINAL", flagged=False, pending=False) == "Final"
    assert flags_label("FINAL", flagged=True, pending=True) == (
        "Final; flagged for review; awaiting advice"
    )
    assert flags_label("PENDING_ADVICE", flagged=False, pending=True) == "Awaiting advice"
    assert flags_label("DRAFT", flagged=True, pending=True) == "Draft; flagged for review"


def test_a_record_reads_decision_first_in_number_order_without_empty_fields(
    qapp: object,
) -> None:
    text = render_document(
        {
            "hash": "ab",
            "amend_reason": None,
            "checklist": {
                "answers": {
                    "Q10_seek_consent": {"views": "No"},
                    "Q2_purpose": {"origin": "REQUEST", "empty": {}},
                }
            },
            "decision": {"outcome": "DO_NOT_SHARE", "flags": [], "basis_codes": ["A", "B"]},
            "id": "r1",
            "notes": "Line one\nLine two",
            "subject": {"flagged": False},
        }
    )
    assert text.splitlines() == [
        "Id: r1",
        "Subject:",
        "    Flagged: No",
        "Decision:",
        "    Basis codes: A, B",
        "    Outcome: DO_NOT_SHARE",
        "Checklist:",
        "    Answers:",
        "        Q2 purpose:",
        "            Origin: REQUEST",
        "        Q10 seek consent:",
        "            Views: No",
        "Notes: Line one",
        "    Line two",
        "Hash: ab",
    ]
