"""Contract §1 INVALID_INPUT checks the input model cannot make on its own.

``ChecklistInput`` checks the structure (unknown fields, types, enum values, the always-required
answers, regimes, attest keys). What is left depends on the rule pack or on the procedure:

- values the jurisdiction restricts, checked wherever they appear, even in an answer the
  procedure never reaches: a bad value is wrong whether or not it is used (§1, §8.5);
- fields required only when the procedure reaches their question, or only under a condition
  ("req if immediate_risk"); checked by the procedure as it reaches each question (§8.2, §8.3).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from desktop.domain.checklist.rule_pack import NOT_LEGAL_INSTRUMENTS, FieldPath, Problem, RulePack
from desktop.domain.checklist_input import (
    ChecklistInput,
    Claim,
    Q3Emergency,
    Q5Identifiable,
    Q7Compelled,
    Q8ProtectionConcern,
    Q9WhoConsents,
    Q10SeekConsent,
    Q11OverrideBasis,
)
from desktop.domain.enums import ConsentResult
from desktop.domain.errors import InvalidDocument

REACHED: Final = "required when the checklist reaches this question"


def invalid_input(problems: Iterable[Problem]) -> InvalidDocument:
    """One InvalidDocument naming every problem's field, each once, in the order found."""
    details = [
        {"field": ".".join(str(part) for part in path), "message": message}
        for path, message in dict.fromkeys(problems)
    ]
    return InvalidDocument("the checklist answers are not valid", details[0]["field"], details)


def value_problems(document: ChecklistInput, pack: RulePack) -> Iterator[Problem]:
    """Values the contract allows in general but not in this pack's jurisdiction."""
    jurisdiction = document.jurisdiction
    if pack.jurisdiction is not jurisdiction:
        yield ("jurisdiction",), f"the rule pack given is for {pack.jurisdiction}"
    for index, regime in enumerate(document.regimes):
        if regime not in pack.regimes:
            yield ("regimes", index), f"not a regime of the {pack.id} rule pack"
    answers = document.answers
    for question, answer in (
        ("Q3_emergency", answers.q3_emergency),
        ("Q7_compelled", answers.q7_compelled),
        ("Q10_seek_consent", answers.q10_seek_consent),
        ("Q11_override_basis", answers.q11_override_basis),
    ):
        if answer is not None:
            yield from _claim_problems(pack, ("answers", question, "claims"), answer.claims)
    instrument = answers.q7_compelled.instrument_type if answers.q7_compelled else None
    if instrument is not None and instrument not in pack.instrument_by_type:
        path: FieldPath = ("answers", "Q7_compelled", "instrument_type")
        yield path, f"not an instrument type used in {jurisdiction}"
    forms = answers.q10_seek_consent.consent_forms if answers.q10_seek_consent else None
    for index, form in enumerate(forms or ()):
        if form not in pack.consent_code_by_form:
            path = ("answers", "Q10_seek_consent", "consent_forms", index)
            yield path, f"not a form of consent used in {jurisdiction}"


def _claim_problems(pack: RulePack, path: FieldPath, claims: Iterable[Claim]) -> Iterator[Problem]:
    """§2.2: a claim's code is a §5 code of this side, and not one only the engine adds."""
    for index, claim in enumerate(claims):
        if claim.code is None:  # missing: an error only where the question is reached
            continue
        known = pack.codes.get(claim.code)
        if known is None:
            yield (*path, index, "code"), f"not a legal-basis code of the {pack.id} rule pack"
        elif not known.claimable:
            yield (
                (*path, index, "code"),
                "consent and anonymisation codes are added by the checklist, not claimed",
            )


def _missing(path: FieldPath, values: dict[str, object], why: str) -> Iterator[Problem]:
    """Each named value that is absent, or an empty string (§8.3), as a missing field.

    An empty list is a valid answer unless the contract asks for at least one (§2.3 marks
    those "≥1"), as Q6's info_types and Q11's who_at_risk may be [].
    """
    for name, value in values.items():
        if value is None:
            yield (*path, name), f"required field is missing ({why})"
        elif value == "":
            yield (*path, name), f"must not be empty ({why})"


def _claims_missing(path: FieldPath, claims: Iterable[Claim]) -> Iterator[Problem]:
    for index, claim in enumerate(claims):
        yield from _missing(
            (*path, "claims", index),
            {"code": claim.code, "conditions_met": claim.conditions_met},
            REACHED,
        )


def q3_problems(q3: Q3Emergency) -> Iterator[Problem]:
    yield from _claims_missing(("answers", "Q3_emergency"), q3.claims)
    if q3.immediate_risk:
        yield from _missing(
            ("answers", "Q3_emergency"),
            {"nature_of_emergency": q3.nature_of_emergency, "why_no_time": q3.why_no_time},
            "immediate_risk is true",
        )


def q5_problems(q5: Q5Identifiable) -> Iterator[Problem]:
    path: FieldPath = ("answers", "Q5_identifiable")
    yield from _missing(path, {"anonymised_sufficient": q5.anonymised_sufficient}, REACHED)
    if q5.anonymised_sufficient:
        yield from _missing(
            path,
            {
                "anonymisation_method": q5.anonymisation_method,
                "reidentification_assessment": q5.reidentification_assessment,
            },
            "anonymised_sufficient is true",
        )


def q7_problems(q7: Q7Compelled) -> Iterator[Problem]:
    path: FieldPath = ("answers", "Q7_compelled")
    yield from _missing(path, {"instrument_type": q7.instrument_type}, REACHED)
    yield from _claims_missing(path, q7.claims)
    if q7.instrument_type is not None and q7.instrument_type not in NOT_LEGAL_INSTRUMENTS:
        yield from _missing(
            path,
            {"instrument_ref": q7.instrument_ref, "instrument_valid": q7.instrument_valid},
            "the instrument is a legal instrument",
        )


def q8_problems(q8: Q8ProtectionConcern) -> Iterator[Problem]:
    yield from _missing(
        ("answers", "Q8_protection_concern"),
        {"protection_concern": q8.protection_concern},
        REACHED,
    )


def q9_problems(q9: Q9WhoConsents) -> Iterator[Problem]:
    yield from _missing(
        ("answers", "Q9_who_consents"),
        {
            "capacity_test": q9.capacity_test,
            "capacity_outcome": q9.capacity_outcome,
            "decision_maker_role": q9.decision_maker_role,
        },
        REACHED,
    )


def q10_problems(q10: Q10SeekConsent) -> Iterator[Problem]:
    path: FieldPath = ("answers", "Q10_seek_consent")
    yield from _missing(path, {"consent_sought": q10.consent_sought, "views": q10.views}, REACHED)
    yield from _claims_missing(path, q10.claims)
    if q10.consent_sought is False:
        yield from _missing(
            path, {"not_sought_reason": q10.not_sought_reason}, "consent was not sought"
        )
    if q10.consent_sought:
        yield from _missing(path, {"consent_result": q10.consent_result}, "consent was sought")
    if q10.consent_sought and q10.consent_result is ConsentResult.GIVEN and not q10.consent_forms:
        yield (*path, "consent_forms"), "choose at least one (consent was given)"
    if q10.consent_sought and q10.consent_result is ConsentResult.WITHDRAWN:
        yield from _missing(path, {"withdrawn_at": q10.withdrawn_at}, "consent was withdrawn")


def q11_problems(q11: Q11OverrideBasis) -> Iterator[Problem]:
    path: FieldPath = ("answers", "Q11_override_basis")
    yield from _claims_missing(path, q11.claims)
    screen = q11.override_screen
    if screen is None:
        yield from _missing(path, {"override_screen": None}, REACHED)
        return
    yield from _missing(
        (*path, "override_screen"),
        {
            "who_at_risk": screen.who_at_risk,
            "coercion_suspected": screen.coercion_suspected,
            "serious_crime": screen.serious_crime,
            "staff_implicated": screen.staff_implicated,
            "vital_interest_emergency": screen.vital_interest_emergency,
        },
        REACHED,
    )
